using System.Diagnostics;
using AsyncServer.Bench.Data;
using AsyncServer.Bench.Harness;
using AsyncServer.Distribution;

namespace AsyncServer.Bench.Scenarios;

/// <summary>A full sync of the product table into packages (one data group, one store), HQ and message database on one provider.</summary>
internal sealed class FullSyncScenario(HqBackend backend) : Scenario
{
    public override string Name => $"full-sync/{backend.Provider}";
    public override string Provider => backend.Provider;
    public override string Description => "Start-AsyncDistribution -FullSync of the product table into packages";
    public override string FloorDescription => backend.Provider == "sqlite"
        ? "plain SELECT of the same rows through the same Deflate (Fastest) zip entry"
        : "COPY (SELECT ...) TO STDOUT of the same rows through the same Deflate (Fastest) zip entry";

    private Task<HqDataset> DatasetAsync(BenchContext c) => backend.EnsureProductsAsync(c, c.Scale.FullSyncRows, 0);

    public override Task PrepareAsync(BenchContext context) => DatasetAsync(context);

    public override async Task<Measurement> MeasureAsync(BenchContext context)
    {
        var data = await DatasetAsync(context);
        var run = context.RunFolder(Name);
        var config = EngineSetup.ProductConfiguration(backend.HqConnection(data), await backend.NewMessageDatabaseAsync(run), run);
        var engine = await EngineSetup.InitializeAsync(config);
        var watch = BenchWatch.StartNew();
        var sessions = await EngineSetup.RunAsync(engine, new DistributionRequest { Jobs = [EngineSetup.Job], FullSync = true });
        watch.Stop();
        return Measurement.Capture(watch, sessions.Sum(s => s.RowCount), sessions.Sum(s => s.PackageSize ?? 0), $"{sessions.Count} package(s)");
    }

    public override async Task<Measurement> FloorAsync(BenchContext context)
    {
        var data = await DatasetAsync(context);
        var run = context.RunFolder(Name + "-floor");
        return await backend.FloorFullReadAsync(data, Path.Combine(run, "floor.zip"));
    }
}
