using System.Diagnostics;
using AsyncServer.Bench.Data;
using AsyncServer.Bench.Harness;
using AsyncServer.Distribution;

namespace AsyncServer.Bench.Scenarios;

/// <summary>
/// One schedule run fanning out to many channel databases: data groups x jobs sessions, each registered with
/// a target per channel database of its group (the message-database side of a large deployment).
/// </summary>
internal sealed class FanOutScenario(HqBackend backend) : Scenario
{
    public override string Name => $"fan-out/{backend.Provider}";
    public override string Provider => backend.Provider;
    public override string Description => "Start-AsyncDistribution -Schedule over every job and data group; sessions and targets registered";
    public override string FloorDescription => "the same sessions, targets and status messages inserted with bare prepared statements in one transaction";

    private Task<HqDataset> DatasetAsync(BenchContext c) => backend.EnsureFanOutAsync(c, c.Scale.FanOutJobs, c.Scale.FanOutTableRows, c.Scale.FanOutDataGroups);

    public override Task PrepareAsync(BenchContext context) => DatasetAsync(context);

    public override async Task<Measurement> MeasureAsync(BenchContext context)
    {
        var s = context.Scale;
        var data = await DatasetAsync(context);
        var run = context.RunFolder(Name);
        var config = EngineSetup.FanOutConfiguration(backend.HqConnection(data), await backend.NewMessageDatabaseAsync(run), run, s.FanOutDataGroups, s.FanOutJobs, s.FanOutChannelDatabases);
        var engine = await EngineSetup.InitializeAsync(config);
        var watch = BenchWatch.StartNew();
        var sessions = await EngineSetup.RunAsync(engine, new DistributionRequest { Schedules = ["FanOut"] });
        watch.Stop();
        var targets = sessions.Sum(x => x.Targets.Count);
        if (targets != s.FanOutJobs * s.FanOutChannelDatabases)
            throw new InvalidOperationException($"Expected {s.FanOutJobs * s.FanOutChannelDatabases} targets, registered {targets}.");
        return Measurement.Capture(watch, targets, sessions.Sum(x => x.PackageSize ?? 0), $"{sessions.Count} sessions, {targets} targets");
    }

    public override async Task<Measurement> FloorAsync(BenchContext context)
    {
        var s = context.Scale;
        var run = context.RunFolder(Name + "-floor");
        var message = await backend.NewMessageDatabaseAsync(run);
        var config = EngineSetup.FanOutConfiguration(backend.HqConnection(await DatasetAsync(context)), message, run, s.FanOutDataGroups, s.FanOutJobs, s.FanOutChannelDatabases);
        await EngineSetup.InitializeAsync(config);
        var perGroup = s.FanOutChannelDatabases / s.FanOutDataGroups;
        return await backend.FloorRegisterAsync(message, s.FanOutJobs * s.FanOutDataGroups, Enumerable.Range(1, perGroup).Select(i => $"CH{i:D4}").ToList());
    }
}
