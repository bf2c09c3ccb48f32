using AsyncServer.Bench.Data;
using AsyncServer.Bench.Harness;
using AsyncServer.Configuration;
using AsyncServer.Distribution;

namespace AsyncServer.Bench.Scenarios;

/// <summary>
/// An incremental run of the product table filtered through its parent (<see cref="ParentRows.Filter"/>, as
/// ECORESPRODUCT through INVENTTABLE), with the planned changes half in the products and half in the parent
/// (<see cref="ParentChangePlan"/>), on a small and on a large table: the read must follow the number of changes,
/// not the table sizes (issue 13). The row version is set to the version before the changes through the message store.
/// </summary>
internal sealed class IncrementalParentScenario(HqBackend backend, bool large) : Scenario
{
    public override string Name => $"incremental-parent-{(large ? "large" : "small")}/{backend.Provider}";
    public override string Provider => backend.Provider;
    public override string Description => "Start-AsyncDistribution (incremental) of a product table filtered through its parent, half of the changes in the parent";
    public override string FloorDescription => "the change source's set-based query (changed products, products of changed parents now and before, filter tested once per key) read through the same compressor";

    private Task<HqDataset> DatasetAsync(BenchContext c)
        => backend.EnsureParentAsync(c, large ? c.Scale.LargeTableRows : c.Scale.SmallTableRows, c.Scale.IncrementalChanges);

    public override Task PrepareAsync(BenchContext context) => DatasetAsync(context);

    public override async Task<Measurement> MeasureAsync(BenchContext context)
    {
        var data = await DatasetAsync(context);
        var run = context.RunFolder(Name);
        var config = EngineSetup.ProductConfiguration(backend.HqConnection(data), await backend.NewMessageDatabaseAsync(run), run);
        config.Subjobs[0].Filter = ParentRows.Filter;
        var engine = await EngineSetup.InitializeAsync(config);
        await EngineSetup.SetRowVersionAsync(engine, "DG1", EngineSetup.Job, data.BaselineVersion, config.DataGroups[0].ChannelDatabases.Select(c => c.Id).ToList());
        var watch = BenchWatch.StartNew();
        var sessions = await EngineSetup.RunAsync(engine, new DistributionRequest { Jobs = [EngineSetup.Job] });
        watch.Stop();
        if (sessions.Any(s => s.Kind != Messaging.SessionKind.Incremental))
            throw new InvalidOperationException("The incremental-parent scenario ran a full sync.");
        return Measurement.Capture(watch, sessions.Sum(s => s.RowCount), sessions.Sum(s => s.PackageSize ?? 0),
            $"{data.Rows:N0} products, {data.Rows:N0} parent rows, {data.Changes:N0} changes (half in the parent)");
    }

    public override async Task<Measurement> FloorAsync(BenchContext context)
    {
        var data = await DatasetAsync(context);
        var run = context.RunFolder(Name + "-floor");
        return await backend.FloorParentIncrementalReadAsync(data, Path.Combine(run, "floor.zip"));
    }
}
