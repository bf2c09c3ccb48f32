using System.Text.Json;
using AsyncServer.Bench.Harness;
using AsyncServer.Configuration;
using AsyncServer.Data;

namespace AsyncServer.Bench.Data;

/// <summary>A generated HQ database: where it is, how many rows, and the change version before the planned changes.</summary>
internal sealed record HqDataset(string Name, string Location, long Rows, int Changes, long BaselineVersion, int Tables = 1);

/// <summary>
/// One database provider as the benchmarks see it: builds HQ datasets, hands out message databases and
/// does each scenario's floor (the bare database work through the same compressor). SQLite now;
/// PostgreSQL plugs in as a second implementation.
/// </summary>
internal abstract class HqBackend
{
    /// <summary>Bump when the generated data changes, so cached datasets are rebuilt.</summary>
    protected const int GeneratorVersion = 1;

    public abstract string Provider { get; }

    /// <summary>One product table of <paramref name="rows"/> rows; when <paramref name="changes"/> > 0 the change plan is applied after the baseline.</summary>
    public abstract Task<HqDataset> EnsureProductsAsync(BenchContext context, long rows, int changes);

    /// <summary><paramref name="tables"/> small product tables whose rows spread over <paramref name="dataAreas"/> data areas (d1, d2, ...).</summary>
    public abstract Task<HqDataset> EnsureFanOutAsync(BenchContext context, int tables, long rowsPerTable, int dataAreas);

    /// <summary>
    /// The product table filtered through a parent table of the same size (<see cref="ParentRows"/>), with
    /// <paramref name="changes"/> changes after the baseline, half of them in the parent (<see cref="ParentChangePlan"/>).
    /// </summary>
    public abstract Task<HqDataset> EnsureParentAsync(BenchContext context, long rows, int changes);

    /// <summary>The incremental read of the parent-filtered product table, as the change source runs it, through the compressor.</summary>
    public abstract Task<Measurement> FloorParentIncrementalReadAsync(HqDataset dataset, string outputFile);

    public abstract ConnectionSettings HqConnection(HqDataset dataset);

    /// <summary>An empty database for a message database (not yet initialized).</summary>
    public abstract Task<ConnectionSettings> NewMessageDatabaseAsync(string runFolder);

    /// <summary>Reads every row of the product table that passes the data-area filter, through the compressor.</summary>
    public abstract Task<Measurement> FloorFullReadAsync(HqDataset dataset, string outputFile);

    /// <summary>Reads the changed keys since the baseline joined to their rows, through the compressor.</summary>
    public abstract Task<Measurement> FloorIncrementalReadAsync(HqDataset dataset, string outputFile);

    /// <summary>Inserts sessions, targets and status messages with bare prepared statements in one transaction.</summary>
    public abstract Task<Measurement> FloorRegisterAsync(ConnectionSettings messageDatabase, int sessions, IReadOnlyList<string> channelDatabases);

    protected static async Task<HqDataset> CachedAsync(string folder, HqDataset wanted, Func<Task<HqDataset>> build)
    {
        var marker = Path.Combine(folder, "dataset.json");
        if (File.Exists(marker))
        {
            var cached = JsonSerializer.Deserialize<CachedDataset>(await File.ReadAllTextAsync(marker), Json.Options);
            if (cached is not null && cached.Generator == GeneratorVersion && cached.Dataset with { BaselineVersion = 0 } == wanted with { BaselineVersion = 0 })
                return cached.Dataset;
            File.Delete(marker);
        }
        var built = await build();
        await File.WriteAllTextAsync(marker, JsonSerializer.Serialize(new CachedDataset(GeneratorVersion, built), Json.Options));
        return built;
    }

    private sealed record CachedDataset(int Generator, HqDataset Dataset);
}
