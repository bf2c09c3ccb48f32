using AsyncServer.Bench.Data;
using AsyncServer.Bench.Harness;
using AsyncServer.Distribution;

namespace AsyncServer.Bench.Scenarios;

/// <summary>
/// An incremental run delivering the planned changes (80 % updates, 10 % inserts, 10 % deletes, spread over
/// the whole table), on a small and on a large table. The row version is set to the version before the changes
/// through the message store's API. With <paramref name="parent"/>, the product table is filtered through its
/// parent (<see cref="ParentRows.Filter"/>, as ECORESPRODUCT through INVENTTABLE) and half of the changes are in the
/// parent (<see cref="ParentChangePlan"/>): the read must follow the number of changes, not the table sizes (issue 13).
/// </summary>
internal sealed class IncrementalScenario(HqBackend backend, bool large, bool parent = false) : Scenario
{
    public override string Name => $"incremental-{(parent ? "parent-" : "")}{(large ? "large" : "small")}/{backend.Provider}";
    public override string Provider => backend.Provider;
    public override string Description => parent
        ? "Start-AsyncDistribution (incremental) of a product table filtered through its parent, half of the changes in the parent"
        : "Start-AsyncDistribution (incremental) of the changes on the product table";
    public override string FloorDescription => parent
        ? "the change source's set-based query (changed products, products of changed parents now and before, filter tested once per key) read through the same compressor"
        : "the change source's join (changed keys in the version range, left-joined to their rows) read through the same compressor";

    private Task<HqDataset> DatasetAsync(BenchContext c)
    {
        var rows = large ? c.Scale.LargeTableRows : c.Scale.SmallTableRows;
        return parent ? backend.EnsureParentAsync(c, rows, c.Scale.IncrementalChanges) : backend.EnsureProductsAsync(c, rows, c.Scale.IncrementalChanges);
    }

    public override Task PrepareAsync(BenchContext context) => DatasetAsync(context);

    public override async Task<Measurement> MeasureAsync(BenchContext context)
    {
        var data = await DatasetAsync(context);
        var run = context.RunFolder(Name);
        var config = EngineSetup.ProductConfiguration(backend.HqConnection(data), await backend.NewMessageDatabaseAsync(run), run);
        if (parent) config.Subjobs[0].Filter = ParentRows.Filter;
        var engine = await EngineSetup.InitializeAsync(config);
        await EngineSetup.SetRowVersionAsync(engine, "DG1", EngineSetup.Job, data.BaselineVersion, config.DataGroups[0].ChannelDatabases.Select(c => c.Id).ToList());
        var watch = BenchWatch.StartNew();
        var sessions = await EngineSetup.RunAsync(engine, new DistributionRequest { Jobs = [EngineSetup.Job] });
        watch.Stop();
        if (sessions.Any(s => s.Kind != Messaging.SessionKind.Incremental))
            throw new InvalidOperationException($"The {Name} scenario ran a full sync.");
        return Measurement.Capture(watch, sessions.Sum(s => s.RowCount), sessions.Sum(s => s.PackageSize ?? 0), parent
            ? $"{data.Rows:N0} products, {data.Rows:N0} parent rows, {data.Changes:N0} changes (half in the parent)"
            : $"table of {data.Rows:N0} rows");
    }

    public override async Task<Measurement> FloorAsync(BenchContext context)
    {
        var data = await DatasetAsync(context);
        var output = Path.Combine(context.RunFolder(Name + "-floor"), "floor.zip");
        return parent ? await backend.FloorParentIncrementalReadAsync(data, output) : await backend.FloorIncrementalReadAsync(data, output);
    }
}
