using AsyncServer.Bench.Data;
using AsyncServer.Bench.Harness;
using AsyncServer.Client;
using AsyncServer.Data;
using AsyncServer.Diagnostics;
using AsyncServer.Providers;

namespace AsyncServer.Bench.Scenarios;

/// <summary>Every scenario of issue 7 this build can run, and the ones it cannot (with why).</summary>
internal static class ScenarioRegistry
{
    public static IReadOnlyList<HqBackend> Backends()
    {
        var list = new List<HqBackend> { new SqliteBackend() };
        if (ProviderBuilt(DatabaseProvider.PostgreSql) && BenchPostgres.AdminConnectionString is not null) list.Add(new PostgresBackend());
        return list;
    }

    public static IReadOnlyList<Scenario> All()
    {
        var list = new List<Scenario> { new PackageReadScenario(), new PackageServingScenario() };
        if (ProviderBuilt(DatabaseProvider.PostgreSql) && BenchPostgres.AdminConnectionString is not null) list.Add(new PollStormScenario());
        foreach (var b in Backends())
        {
            list.Add(new FullSyncScenario(b));
            list.Add(new IncrementalScenario(b, large: false));
            list.Add(new IncrementalScenario(b, large: true));
            list.Add(new IncrementalScenario(b, large: false, parent: true));
            list.Add(new IncrementalScenario(b, large: true, parent: true));
            list.Add(new FanOutScenario(b));
            if (ApplyScenario.Available(b.Provider)) list.Add(new ApplyScenario(b));
            if (b.Provider == "postgresql") list.Add(new HealthQueryScenario());
            if (b is PostgresBackend pg)
            {
                list.Add(new UploadApplyScenario(pg, manyStores: false));
                list.Add(new UploadApplyScenario(pg, manyStores: true));
            }
        }
        return list;
    }

    /// <summary>Scenarios of the issue that this build cannot measure, and why.</summary>
    public static IReadOnlyList<(string Name, string Why)> NotMeasured()
    {
        var list = new List<(string, string)>();
        if (!ProviderBuilt(DatabaseProvider.PostgreSql))
            list.Add(("full-sync, incremental, incremental-parent, fan-out on postgresql", "the PostgreSQL providers are not in this build"));
        else if (BenchPostgres.AdminConnectionString is null)
            list.Add(("full-sync, incremental, incremental-parent, fan-out on postgresql", "no PostgreSQL server could be started"));
        foreach (var provider in new[] { "sqlite", "postgresql" })
            if (!ApplyScenario.Available(provider))
                list.Add(($"apply/{provider}", "no channel target (IChannelTarget) for this provider is in this build"));
        return list;
    }

    /// <summary>True when the provider factory has a change source for the provider (it throws ProviderNotAvailable otherwise).</summary>
    public static bool ProviderBuilt(DatabaseProvider provider)
    {
        try
        {
            var probe = DatabaseProviders.For(provider).OpenChangeSource(ResolvedConnection.FromString(provider, "Host=127.0.0.1;Database=probe"));
            probe.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return true;
        }
        catch (AsyncServerException ex) when (ex.ErrorId == ErrorIds.ProviderNotAvailable) { return false; }
    }
}
