using AsyncServer.Bench.Harness;
using AsyncServer.Packaging;

namespace AsyncServer.Bench.Scenarios;

/// <summary>
/// The client-side half of apply, alone: decoding every row of the full-sync packages with PackageReader
/// (what every channel target does before its database work). Runs without any channel target, so it
/// measures the decoder on every build.
/// </summary>
internal sealed class PackageReadScenario : Scenario
{
    public override string Name => "package-read";
    public override string Provider => "none";
    public override string Description => "PackageReader.ReadRowsAsync of every row of the full-sync packages (the decoding half of apply)";
    public override string FloorDescription => "inflating the same data files and counting their lines";

    public override Task PrepareAsync(BenchContext context) => ApplyScenario.PackagesAsync(context);

    public override async Task<Measurement> MeasureAsync(BenchContext context)
    {
        var packages = await ApplyScenario.PackagesAsync(context);
        var watch = BenchWatch.StartNew();
        long rows = 0, nonNull = 0;
        foreach (var file in packages)
        {
            using var package = PackageReader.Open(file);
            foreach (var table in package.Manifest.Tables)
                await foreach (var row in package.ReadRowsAsync(table))
                {
                    rows++;
                    if (row.Values[^1] is not null) nonNull++;
                }
        }
        watch.Stop();
        return Measurement.Capture(watch, rows, packages.Sum(f => new FileInfo(f).Length), $"{packages.Count} package(s)");
    }

    public override async Task<Measurement> FloorAsync(BenchContext context)
    {
        var packages = await ApplyScenario.PackagesAsync(context);
        var watch = BenchWatch.StartNew();
        long lines = 0;
        var buffer = new byte[1 << 16];
        foreach (var file in packages)
        {
            using var zip = System.IO.Compression.ZipFile.OpenRead(file);
            foreach (var entry in zip.Entries.Where(e => e.FullName.StartsWith("data/", StringComparison.Ordinal)))
            {
                await using var s = entry.Open();
                int read;
                while ((read = await s.ReadAsync(buffer)) > 0) lines += buffer.AsSpan(0, read).Count((byte)'\n');
            }
        }
        watch.Stop();
        return Measurement.Capture(watch, lines, 0);
    }
}
