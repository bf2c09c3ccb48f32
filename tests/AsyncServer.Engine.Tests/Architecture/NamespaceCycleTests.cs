namespace AsyncServer.Tests.Architecture;

/// <summary>
/// The engine's top-level folders (one namespace each) form layers: none may use, directly or through
/// others, a folder that uses it. A cycle means two folders can no longer be understood or changed apart.
/// </summary>
public sealed class NamespaceCycleTests
{
    [Fact]
    public void Engine_top_level_namespaces_have_no_cycle()
    {
        var graph = NamespaceGraph.Build(typeof(EngineContext).Assembly, "AsyncServer");
        Assert.Contains("Distribution", graph.Keys);
        Assert.Contains("Packaging", graph["Distribution"]); // the graph really sees uses
        var cycles = NamespaceGraph.Cycles(graph)
            .Select(c => $"{{{string.Join(", ", c)}}}, e.g. {NamespaceGraph.DescribeCycle(graph, c)}; edges: " +
                string.Join(" ", c.SelectMany(f => graph[f].Where(c.Contains).Select(t => $"{f}->{t}")))).ToList();
        Assert.True(cycles.Count == 0, "Namespace cycles in the engine: " + string.Join("; ", cycles));
    }

    /// <summary>
    /// Issue 11, point 2: a database driver is named only under Providers/ (each kind's provider object and its parts).
    /// Samples/ is the exception, with its reason: it writes the demo's HQ, which is a SQLite file by design.
    /// </summary>
    [Fact]
    public void Only_Providers_names_a_database_driver()
    {
        var uses = NamespaceGraph.ExternalUses(typeof(EngineContext).Assembly, "AsyncServer", ["Npgsql", "Microsoft.Data.Sqlite", "Microsoft.Data.SqlClient"]);
        Assert.Contains("Npgsql.NpgsqlConnection", uses["Providers"]); // the uses really are seen
        var outside = uses.Where(u => u.Key is not ("Providers" or "Samples")).Select(u => $"{u.Key}: {string.Join(", ", u.Value)}").ToList();
        Assert.True(outside.Count == 0, "Driver types named outside Providers/: " + string.Join("; ", outside));
    }

    [Fact]
    public void A_cycle_is_found_and_described()
    {
        var graph = new Dictionary<string, HashSet<string>>
        {
            ["Messaging"] = ["Distribution", "Data"],
            ["Distribution"] = ["Packaging"],
            ["Packaging"] = ["Messaging"],
            ["Data"] = [],
        };
        var cycles = NamespaceGraph.Cycles(graph);
        Assert.Equal(["Distribution", "Messaging", "Packaging"], Assert.Single(cycles));
        Assert.Equal("Distribution -> Packaging -> Messaging -> Distribution", NamespaceGraph.DescribeCycle(graph, cycles[0]));
        graph["Packaging"].Clear();
        Assert.Empty(NamespaceGraph.Cycles(graph));
    }

    /// <summary>A static call through IL alone (no signature) must count: the cycle Messaging → Distribution came that way.</summary>
    [Fact]
    public void Calls_inside_method_bodies_count_as_uses()
    {
        var graph = NamespaceGraph.Build(typeof(NamespaceCycleTests).Assembly, "AsyncServer.Tests");
        Assert.Contains("Support", graph["Architecture"]);
        Assert.True(Probe() > 0);
    }

    // Names Support only inside its body: no signature of this folder mentions a Support type.
    private static int Probe() => Support.PostgresSampleHq.Ddl().Length;
}
