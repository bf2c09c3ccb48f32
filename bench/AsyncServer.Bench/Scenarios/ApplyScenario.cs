using System.Diagnostics;
using System.Reflection;
using AsyncServer.Bench.Data;
using AsyncServer.Bench.Harness;
using AsyncServer.Client;
using AsyncServer.Data;
using AsyncServer.Distribution;
using AsyncServer.Packaging;
using AsyncServer.Providers;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace AsyncServer.Bench.Scenarios;

/// <summary>
/// Applying the packages of a full sync of the product table at an empty channel database: verify (SHA-256,
/// manifest) and apply in one transaction per package through the provider's IChannelTarget.
/// </summary>
internal sealed class ApplyScenario(HqBackend channel) : Scenario
{
    public override string Name => $"apply/{channel.Provider}";
    public override string Provider => channel.Provider;
    public override string Description => "IChannelTarget.ApplyAsync of full-sync packages (after PackageReader.VerifyAsync) into an empty channel database";
    public override string FloorDescription => channel.Provider == "sqlite"
        ? "the same rows inserted with one prepared INSERT in one transaction"
        : "the same rows loaded with COPY ... FROM STDIN (FORMAT BINARY)";

    private static IChannelTarget OpenTarget(ResolvedConnection connection) => DatabaseProviders.For(connection).OpenChannelTarget(connection);

    public static bool Available(string provider)
    {
        try
        {
            var target = OpenTarget(ResolvedConnection.FromString(ProviderOf(provider), provider == "sqlite" ? "Data Source=/nonexistent/probe.db" : "Host=127.0.0.1"));
            target.DisposeAsync().AsTask().GetAwaiter().GetResult();
            return true;
        }
        catch (AsyncServer.Diagnostics.AsyncServerException) { return false; }
    }

    private static DatabaseProvider ProviderOf(string provider) => provider == "sqlite" ? DatabaseProvider.Sqlite : DatabaseProvider.PostgreSql;

    /// <summary>The packages are made once, by the engine, from the SQLite full-sync dataset; every provider applies the same files.</summary>
    public static async Task<IReadOnlyList<string>> PackagesAsync(BenchContext context)
    {
        var folder = context.DataFolder($"packages-{context.Scale.ApplyRows}");
        var download = Path.Combine(folder, "download");
        var marker = Path.Combine(folder, "packages.txt");
        if (File.Exists(marker)) return (await File.ReadAllLinesAsync(marker)).Where(l => l.Length > 0).ToList();
        var sqlite = new SqliteBackend();
        var data = await sqlite.EnsureProductsAsync(context, context.Scale.ApplyRows, 0);
        if (Directory.Exists(download)) Directory.Delete(download, true);
        var config = EngineSetup.ProductConfiguration(sqlite.HqConnection(data), await sqlite.NewMessageDatabaseAsync(context.RunFolder("apply-packages")), folder);
        config.WorkingFolders!.Download = download;
        var engine = await EngineSetup.InitializeAsync(config);
        var sessions = await EngineSetup.RunAsync(engine, new DistributionRequest { Jobs = [EngineSetup.Job], FullSync = true });
        var files = sessions.OrderBy(s => s.Id).Select(s => Path.Combine(download, s.PackageFile!)).ToList();
        await File.WriteAllLinesAsync(marker, files);
        return files;
    }

    public override Task PrepareAsync(BenchContext context) => PackagesAsync(context);

    private async Task<string> NewChannelAsync(string run)
        => channel.Provider == "sqlite"
            ? $"Data Source={Path.Combine(run, "channel.db")}"
            : (await channel.NewMessageDatabaseAsync(run)).ConnectionString!;

    public override async Task<Measurement> MeasureAsync(BenchContext context)
    {
        var packages = await PackagesAsync(context);
        var run = context.RunFolder(Name);
        var cs = await NewChannelAsync(run);
        await CreateChannelTableAsync(cs); // channel tables are provisioned ahead (the PostgreSQL target requires it)
        var connection = ResolvedConnection.FromString(ProviderOf(channel.Provider), cs);
        await using var target = OpenTarget(connection);
        var verify = new Stopwatch();
        var apply = new Stopwatch();
        var watch = BenchWatch.StartNew();
        long rows = 0, bytes = 0;
        foreach (var file in packages)
        {
            using var package = PackageReader.Open(file);
            verify.Start();
            await package.VerifyAsync(default);
            verify.Stop();
            apply.Start();
            var result = await target.ApplyAsync(package, default);
            apply.Stop();
            rows += result.Upserted + result.Deleted;
            bytes += new FileInfo(file).Length;
        }
        watch.Stop();
        return Measurement.Capture(watch, rows, bytes, $"{packages.Count} package(s)",
            new() { ["verify"] = verify.Elapsed.TotalSeconds, ["apply"] = apply.Elapsed.TotalSeconds });
    }

    /// <summary>The empty channel table, with the HQ table's columns and key.</summary>
    private async Task CreateChannelTableAsync(string cs)
    {
        var ddl = $"CREATE TABLE {ProductRows.Table} ({string.Join(", ", ProductRows.Columns.Select(c => $"{c.Name} {(channel.Provider == "sqlite" ? c.SqliteType : c.PostgresType)}"))})";
        if (channel.Provider == "sqlite")
        {
            await using var conn = new SqliteConnection(cs);
            await conn.OpenAsync();
            SqliteHq.Exec(conn, "PRAGMA journal_mode = WAL;");
            SqliteHq.Exec(conn, ddl);
        }
        else
        {
            await using var conn = new NpgsqlConnection(cs);
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand(ddl, conn);
            await cmd.ExecuteNonQueryAsync();
        }
    }

    public override async Task<Measurement> FloorAsync(BenchContext context)
    {
        var rows = context.Scale.ApplyRows;
        var run = context.RunFolder(Name + "-floor");
        var cs = await NewChannelAsync(run);
        await CreateChannelTableAsync(cs);
        var watch = new BenchWatch();
        if (channel.Provider == "sqlite")
        {
            await using var conn = new SqliteConnection(cs);
            await conn.OpenAsync();
            watch.Start();
            await using var tx = conn.BeginTransaction();
            await using var insert = conn.CreateCommand();
            insert.Transaction = tx;
            insert.CommandText = $"INSERT INTO {ProductRows.Table} ({ProductRows.ColumnList}) VALUES ({string.Join(", ", ProductRows.Columns.Select((_, i) => "@p" + i))})";
            for (var i = 0; i < ProductRows.Columns.Length; i++) insert.Parameters.Add(new SqliteParameter("@p" + i, null));
            insert.Prepare();
            for (long n = 1; n <= rows; n++)
            {
                var row = ProductRows.Row(n);
                for (var i = 0; i < row.Length; i++) insert.Parameters[i].Value = ProductRows.ForSqlite(row[i]) ?? DBNull.Value;
                insert.ExecuteNonQuery();
            }
            tx.Commit();
        }
        else
        {
            await using var conn = new NpgsqlConnection(cs);
            await conn.OpenAsync();
            watch.Start();
            await using var tx = await conn.BeginTransactionAsync();
            await using (var import = await conn.BeginBinaryImportAsync($"COPY {ProductRows.Table} ({ProductRows.ColumnList}) FROM STDIN (FORMAT BINARY)"))
            {
                for (long n = 1; n <= rows; n++) ProductRows.WriteCopyRow(import, ProductRows.Row(n));
                await import.CompleteAsync();
            }
            await tx.CommitAsync();
        }
        watch.Stop();
        return Measurement.Capture(watch, rows, 0);
    }
}
