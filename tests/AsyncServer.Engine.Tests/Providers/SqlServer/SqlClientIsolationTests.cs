using AsyncServer.Tests.Support;
using System.Reflection;
using AsyncServer.Providers.SqlServer;

namespace AsyncServer.Tests.SqlServer;

/// <summary>
/// The module loads the engine and Microsoft.Data.SqlClient in a private AssemblyLoadContext, so another module's
/// SqlClient (SqlServer, dbatools) cannot clash with ours. That only holds if no SqlClient type crosses the engine's
/// public surface: a cmdlet that saw one would bind it in the default context. This checks the engine's side of that
/// claim; the Pester suite loads another SqlClient first and imports the module.
/// </summary>
public sealed class SqlClientIsolationTests
{
    private static bool FromSqlClient(Type type)
    {
        if (type.HasElementType) return FromSqlClient(type.GetElementType()!);
        if (type.IsGenericType && type.GetGenericArguments().Any(FromSqlClient)) return true;
        return type.Assembly.GetName().Name is "Microsoft.Data.SqlClient" || (type.Namespace ?? "").StartsWith("Microsoft.Data.SqlClient", StringComparison.Ordinal);
    }

    private static IEnumerable<string> Exposures(Type type)
    {
        const BindingFlags visible = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        if (type.BaseType is { } b && FromSqlClient(b)) yield return $"{type} derives from {b}";
        foreach (var i in type.GetInterfaces().Where(FromSqlClient)) yield return $"{type} implements {i}";
        foreach (var m in type.GetMethods(visible | BindingFlags.NonPublic).Where(m => m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly))
        {
            if (FromSqlClient(m.ReturnType)) yield return $"{type}.{m.Name} returns {m.ReturnType}";
            foreach (var p in m.GetParameters().Where(p => FromSqlClient(p.ParameterType))) yield return $"{type}.{m.Name}({p.Name}) takes {p.ParameterType}";
        }
        foreach (var c in type.GetConstructors())
            foreach (var p in c.GetParameters().Where(p => FromSqlClient(p.ParameterType))) yield return $"{type} constructor takes {p.ParameterType}";
        foreach (var p in type.GetProperties(visible).Where(p => FromSqlClient(p.PropertyType))) yield return $"{type}.{p.Name} is {p.PropertyType}";
        foreach (var f in type.GetFields(visible).Where(f => FromSqlClient(f.FieldType))) yield return $"{type}.{f.Name} is {f.FieldType}";
        foreach (var e in type.GetEvents(visible).Where(e => FromSqlClient(e.EventHandlerType!))) yield return $"{type}.{e.Name} is {e.EventHandlerType}";
    }

    [Fact]
    public void No_public_engine_type_exposes_a_SqlClient_type()
    {
        var engine = typeof(SqlServerChangeSource).Assembly;
        Assert.Contains(engine.GetReferencedAssemblies(), a => a.Name == "Microsoft.Data.SqlClient");
        var exposures = engine.GetExportedTypes().SelectMany(Exposures).ToList();
        Assert.True(exposures.Count == 0, string.Join(Environment.NewLine, exposures));
    }

    [Fact]
    public void The_SqlServer_providers_are_reached_only_through_the_engine_interfaces()
    {
        var connection = Data.ResolvedConnection.FromString(Data.DatabaseProvider.SqlServer, "Server=nowhere;Database=hq");
        Assert.IsType<SqlServerChangeSource>(ProviderFactory.CreateChangeSource(connection));
        Assert.Equal("sqlserver", Assert.IsType<AsyncServer.Messaging.Sql.SqlMessageStore>(ProviderFactory.CreateMessageStore(connection)).Provider);
        Assert.IsType<SqlServerChannelTarget>(ProviderFactory.CreateChannelTarget(connection));
        // The checker itself: a SqlClient type in a signature is found.
        Assert.True(FromSqlClient(typeof(Task<Microsoft.Data.SqlClient.SqlConnection>)));
        Assert.NotEmpty(Exposures(typeof(ExposesSqlClient)));
    }

    public sealed class ExposesSqlClient
    {
        public Microsoft.Data.SqlClient.SqlCommand? Command { get; set; }
    }
}
