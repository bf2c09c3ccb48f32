using System.Diagnostics;
using AsyncServer.Bench.Data;
using AsyncServer.Bench.Harness;
using AsyncServer.Distribution;

namespace AsyncServer.Bench.Scenarios;

/// <summary>
/// An incremental run delivering the planned changes (80 % updates, 10 % inserts, 10 % deletes, spread over
/// the whole table). The row version is set to the version before the changes through the message store's API.
/// </summary>
internal sealed class IncrementalScenario(HqBackend backend, bool large) : Scenario
{
    public override string Name => $"incremental-{(large ? "large" : "small")}/{backend.Provider}";
    public override string Provider => backend.Provider;
    public override string Description => "Start-AsyncDistribution (incremental) of the changes on the product table";
    public override string FloorDescription => "the change source's join (changed keys in the version range, left-joined to their rows) read through the same compressor";

    private Task<HqDataset> DatasetAsync(BenchContext c)
        => backend.EnsureProductsAsync(c, large ? c.Scale.LargeTableRows : c.Scale.SmallTableRows, c.Scale.IncrementalChanges);

    public override Task PrepareAsync(BenchContext context) => DatasetAsync(context);

    public override async Task<Measurement> MeasureAsync(BenchContext context)
    {
        var data = await DatasetAsync(context);
        var run = context.RunFolder(Name);
        var config = EngineSetup.ProductConfiguration(backend.HqConnection(data), await backend.NewMessageDatabaseAsync(run), run);
        var engine = await EngineSetup.InitializeAsync(config);
        await EngineSetup.SetRowVersionAsync(engine, "DG1", EngineSetup.Job, data.BaselineVersion, config.DataGroups[0].ChannelDatabases.Select(c => c.Id).ToList());
        var watch = BenchWatch.StartNew();
        var sessions = await EngineSetup.RunAsync(engine, new DistributionRequest { Jobs = [EngineSetup.Job] });
        watch.Stop();
        if (sessions.Any(s => s.Kind != Messaging.SessionKind.Incremental))
            throw new InvalidOperationException("The incremental scenario ran a full sync.");
        return Measurement.Capture(watch, sessions.Sum(s => s.RowCount), sessions.Sum(s => s.PackageSize ?? 0), $"table of {data.Rows:N0} rows");
    }

    public override async Task<Measurement> FloorAsync(BenchContext context)
    {
        var data = await DatasetAsync(context);
        var run = context.RunFolder(Name + "-floor");
        return await backend.FloorIncrementalReadAsync(data, Path.Combine(run, "floor.zip"));
    }
}
