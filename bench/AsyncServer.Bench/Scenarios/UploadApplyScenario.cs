using AsyncServer.Bench.Data;
using AsyncServer.Bench.Harness;
using AsyncServer.Configuration;
using AsyncServer.Data;
using AsyncServer.Samples;
using AsyncServer.Upload;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace AsyncServer.Bench.Scenarios;

/// <summary>
/// Issue 15: applying upload sessions at a PostgreSQL HQ (UploadApplier: file and manifest checks, counters, COPY into temp
/// tables and upsert by key, the store's counters in the same transaction). Either one store with about 100,000 transaction
/// lines, or 500 stores with 100 sales each applied in one run. The sessions are made once by the engine's store side
/// (SQLite channel databases, UploadSender, the upload folder) and the message database copied fresh for every run.
/// </summary>
internal sealed class UploadApplyScenario(PostgresBackend hq, bool manyStores) : Scenario
{
    // One store: about 100,000 lines (one to five per sale, three on average). Quick mode: a smoke run at a fiftieth.
    private int stores = manyStores ? 500 : 1;
    private int salesPerStore = manyStores ? 100 : 33_400;

    private void Scale(BenchContext context)
    {
        if (!context.Quick) return;
        stores = manyStores ? 10 : 1;
        salesPerStore = manyStores ? 100 : 700;
    }

    public override string Name => manyStores ? "upload-apply-500-stores/postgresql" : "upload-apply-one-store/postgresql";
    public override string Provider => "postgresql";
    public override string Description => !manyStores
        ? "UploadApplier.ApplyAsync of one store's session (33,400 sales, about 100,000 lines) into empty HQ tables"
        : "UploadApplier.ApplyAsync of 500 stores' sessions (100 sales each) in one run into empty HQ tables";
    public override string FloorDescription => "the same rows of the three tables loaded with COPY ... FROM STDIN (FORMAT CSV), read into memory first";

    private string Folder(BenchContext context)
    {
        Scale(context);
        return context.DataFolder($"upload-{stores}x{salesPerStore}");
    }

    private static string StoreId(int i) => $"S{i:D4}";

    private AsyncServerConfiguration Configuration(string folder, ConnectionSettings hqDb, string messageFile)
    {
        var sample = SampleConfiguration.Create();
        var stores = Enumerable.Range(0, this.stores).Select(i => new ChannelDatabaseSettings
        {
            Id = StoreId(i),
            Connection = new ConnectionSettings { Provider = "sqlite", ConnectionString = $"Data Source={Path.Combine(folder, StoreId(i) + ".db")}" },
        }).ToList();
        return new AsyncServerConfiguration
        {
            Partition = EngineSetup.Partition, Hq = hqDb, BaseDirectory = folder,
            MessageDatabase = new ConnectionSettings { Provider = "sqlite", ConnectionString = $"Data Source={messageFile}" },
            WorkingFolders = new WorkingFolderSettings { Upload = Path.Combine(folder, "upload") },
            DataGroups = [new DataGroupSettings { Id = "STORES", ChannelDatabases = stores }],
            UploadSubjobs = sample.UploadSubjobs, UploadJobs = sample.UploadJobs, TryCount = 0,
        };
    }

    /// <summary>Sells at every store and sends each store's rows once (the store side of the engine); reused by later runs.</summary>
    public override async Task PrepareAsync(BenchContext context)
    {
        var folder = Folder(context);
        var marker = Path.Combine(folder, "prepared.txt");
        if (File.Exists(marker)) return;
        var config = Configuration(folder, new ConnectionSettings { Provider = "sqlite", ConnectionString = "Data Source=unused.db" },
            Path.Combine(folder, "message.db"));
        var engine = new EngineContext(config);
        await using (var store = engine.OpenMessageStore()) await store.InitializeAsync(default);
        var sender = new UploadSender(engine, FolderUploadTransport.Of(config));
        for (var i = 0; i < stores; i++)
        {
            var channel = ResolvedConnection.FromString(DatabaseProvider.Sqlite, config.DataGroups[0].ChannelDatabases[i].Connection!.ConnectionString!);
            await SampleSales.CreateTablesAsync(channel, channel: true, default);
            await SampleSales.SellAsync(channel, StoreId(i), "usrt", salesPerStore, seed: i + 1, default);
            await sender.SendAsync(StoreId(i), null, default);
        }
        await File.WriteAllTextAsync(marker, DateTimeOffset.UtcNow.ToString("O"));
    }

    private async Task<(AsyncServerConfiguration Config, ConnectionSettings Hq)> FreshRunAsync(BenchContext context)
    {
        var folder = Folder(context);
        var run = context.RunFolder(Name.Replace('/', '-'));
        var messageFile = Path.Combine(run, "message.db");
        File.Copy(Path.Combine(folder, "message.db"), messageFile, overwrite: true);
        var hqDb = await hq.NewMessageDatabaseAsync(run);
        await SampleSales.CreateTablesAsync(ResolvedConnection.FromString(DatabaseProvider.PostgreSql, hqDb.ConnectionString!), channel: false, default);
        return (Configuration(folder, hqDb, messageFile), hqDb);
    }

    public override async Task<Measurement> MeasureAsync(BenchContext context)
    {
        var (config, _) = await FreshRunAsync(context);
        var watch = BenchWatch.StartNew();
        var results = await new UploadApplier(new EngineContext(config)).ApplyAsync(null, null, plan: false, default);
        watch.Stop();
        var failed = results.Where(r => r.Status != AsyncServer.Messaging.UploadStatus.Applied).ToList();
        if (failed.Count > 0) throw new InvalidOperationException($"{failed.Count} session(s) not applied: {failed[0].Message}");
        var bytes = Directory.GetFiles(config.UploadFolder).Sum(f => new FileInfo(f).Length);
        return Measurement.Capture(watch, results.Sum(r => r.Rows), bytes, $"{results.Count} session(s)");
    }

    /// <summary>The same rows, read from the stores into memory first, then COPY FROM STDIN (CSV) into the three HQ tables.</summary>
    public override async Task<Measurement> FloorAsync(BenchContext context)
    {
        var (config, hqDb) = await FreshRunAsync(context);
        var tables = new List<(string Table, string Columns, List<string> Lines)>();
        foreach (var table in SampleSales.Tables)
            tables.Add(await ReadCsvAsync(config, table));
        await using var conn = new NpgsqlConnection(hqDb.ConnectionString);
        await conn.OpenAsync();
        var watch = BenchWatch.StartNew();
        long rows = 0;
        await using (var tx = await conn.BeginTransactionAsync())
        {
            foreach (var (table, columns, lines) in tables)
            {
                await using (var writer = await conn.BeginTextImportAsync($"COPY \"{table}\" ({columns}) FROM STDIN (FORMAT CSV)"))
                    foreach (var line in lines) await writer.WriteLineAsync(line);
                rows += lines.Count;
            }
            await tx.CommitAsync();
        }
        watch.Stop();
        return Measurement.Capture(watch, rows, 0, "COPY CSV of the three tables in one transaction");
    }

    /// <summary>Every store's rows of a table as CSV lines, with the columns the HQ table shares with the channel table.</summary>
    private static async Task<(string, string, List<string>)> ReadCsvAsync(AsyncServerConfiguration config, string table)
    {
        var lines = new List<string>();
        string? columns = null;
        foreach (var db in config.DataGroups[0].ChannelDatabases)
        {
            await using var conn = new SqliteConnection(db.Connection!.ConnectionString);
            await conn.OpenAsync();
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = $"SELECT * FROM {table}";
            await using var reader = await cmd.ExecuteReaderAsync();
            columns ??= string.Join(", ", Enumerable.Range(0, reader.FieldCount).Select(i => "\"" + reader.GetName(i) + "\""));
            while (await reader.ReadAsync())
                lines.Add(string.Join(',', Enumerable.Range(0, reader.FieldCount).Select(i => Csv(reader.GetValue(i)))));
        }
        return (table, columns ?? "", lines);
    }

    private static string Csv(object value) => value switch
    {
        DBNull => "",
        string s => "\"" + s.Replace("\"", "\"\"") + "\"",
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => "\"" + value + "\"",
    };
}
