using System.Diagnostics;
using System.Text;
using System.Text.Json;
using AsyncServer.Bench.Harness;
using AsyncServer.ChangeTracking;
using AsyncServer.Configuration;
using AsyncServer.Data;
using AsyncServer.Providers;
using Npgsql;
using NpgsqlTypes;

namespace AsyncServer.Bench.Data;

/// <summary>
/// PostgreSQL HQ and message databases on the run's server (<see cref="BenchPostgres"/>). A dataset is a
/// database named after it, with a marker table so a configured (persistent) server reuses it.
/// </summary>
internal sealed partial class PostgresBackend : HqBackend
{
    public override string Provider => "postgresql";

    private static string Admin => BenchPostgres.AdminConnectionString ?? throw new InvalidOperationException($"{BenchPostgres.EnvironmentVariable} is not set.");

    public static string ConnectionTo(string database) => new NpgsqlConnectionStringBuilder(Admin) { Database = database }.ConnectionString;

    public override Task<HqDataset> EnsureProductsAsync(BenchContext context, long rows, int changes)
        => EnsureAsync(new HqDataset($"bench_products_{rows}_{changes}", $"bench_products_{rows}_{changes}", rows, changes, 0), [ProductRows.Table], null);

    public override Task<HqDataset> EnsureFanOutAsync(BenchContext context, int tables, long rowsPerTable, int dataAreas)
        => EnsureAsync(new HqDataset($"bench_fanout_{tables}x{rowsPerTable}_{dataAreas}", $"bench_fanout_{tables}x{rowsPerTable}_{dataAreas}", rowsPerTable, 0, 0, tables),
            Enumerable.Range(1, tables).Select(SqliteBackend.FanOutTable).ToList(), n => $"d{1 + n % dataAreas}");

    /// <summary>The dataset's database, built once: the tables loaded, change tracking enabled, then the planned changes.</summary>
    /// <param name="more">Further tables (loaded after the product tables, tracked with them), their tracking options and their changes.</param>
    private static async Task<HqDataset> EnsureAsync(HqDataset wanted, IReadOnlyList<string> tables, Func<long, string>? dataAreaOf, MoreTables? more = null)
    {
        var marker = JsonSerializer.Serialize(new { Generator = GeneratorVersion, wanted.Rows, wanted.Changes, wanted.Tables }, Json.Options);
        if (await DatabaseExistsAsync(wanted.Location))
        {
            await using var check = new NpgsqlConnection(ConnectionTo(wanted.Location));
            await check.OpenAsync();
            await using var cmd = new NpgsqlCommand("SELECT info, baseline FROM bench_dataset", check);
            try
            {
                await using var r = await cmd.ExecuteReaderAsync();
                if (await r.ReadAsync() && r.GetString(0) == marker) return wanted with { BaselineVersion = r.GetInt64(1) };
            }
            catch (PostgresException) { /* incomplete: rebuilt below */ }
        }
        await AdminAsync($"DROP DATABASE IF EXISTS \"{wanted.Location}\" WITH (FORCE)");
        await AdminAsync($"CREATE DATABASE \"{wanted.Location}\"");
        var sw = Stopwatch.StartNew();
        await using var conn = new NpgsqlConnection(ConnectionTo(wanted.Location));
        await conn.OpenAsync();
        foreach (var table in tables)
        {
            await ExecAsync(conn, $"CREATE TABLE {table} ({string.Join(", ", ProductRows.Columns.Select(c => $"{c.Name} {c.PostgresType}"))})");
            await using (var import = await conn.BeginBinaryImportAsync($"COPY {table} ({ProductRows.ColumnList}) FROM STDIN (FORMAT BINARY)"))
            {
                for (long n = 1; n <= wanted.Rows; n++) ProductRows.WriteCopyRow(import, ProductRows.Row(n), dataAreaOf?.Invoke(n));
                await import.CompleteAsync();
            }
            await ExecAsync(conn, $"ANALYZE {table}");
        }
        if (more is not null) await more.LoadAsync(conn, wanted.Rows);
        var hq = DatabaseProviders.For(DatabaseProvider.PostgreSql).OpenChangeSource(ResolvedConnection.FromString(DatabaseProvider.PostgreSql, ConnectionTo(wanted.Location)));
        await hq.EnableChangeTrackingAsync([.. tables, .. more?.Tables ?? []], more?.Options ?? ChangeTrackingOptions.Default, default);
        long baseline;
        await using (var snapshot = await hq.OpenSnapshotAsync(default)) baseline = snapshot.CurrentVersion;
        await hq.DisposeAsync();
        if (wanted.Changes > 0 && more is not null) await more.ChangeAsync(conn, wanted.Rows, wanted.Changes);
        else if (wanted.Changes > 0) await ApplyChangesAsync(conn, ChangePlan.For(wanted.Rows, wanted.Changes));
        await ExecAsync(conn, "CREATE TABLE bench_dataset (info text NOT NULL, baseline bigint NOT NULL)");
        await using (var cmd = new NpgsqlCommand("INSERT INTO bench_dataset VALUES (@i, @b)", conn))
        {
            cmd.Parameters.AddWithValue("i", marker);
            cmd.Parameters.AddWithValue("b", baseline);
            await cmd.ExecuteNonQueryAsync();
        }
        Console.Error.WriteLine($"  loaded {wanted.Rows:N0} rows x {tables.Count + (more?.Tables.Count ?? 0)} table(s) into PostgreSQL database {wanted.Location} in {sw.Elapsed.TotalSeconds:F1} s");
        return wanted with { BaselineVersion = baseline };
    }

    /// <summary>Tables of a dataset beyond the product tables: how to load them, how they are tracked, and the changes (instead of the product plan).</summary>
    private sealed record MoreTables(IReadOnlyList<string> Tables, ChangeTrackingOptions Options, Func<NpgsqlConnection, long, Task> LoadAsync,
        Func<NpgsqlConnection, long, int, Task> ChangeAsync);

    /// <summary>The planned changes as ordinary statements in one transaction, so the tracking triggers record them.</summary>
    private static async Task ApplyChangesAsync(NpgsqlConnection conn, ChangePlan plan)
    {
        await using var tx = await conn.BeginTransactionAsync();
        foreach (var n in plan.Inserts)
        {
            var row = ProductRows.Row(n);
            await using var cmd = new NpgsqlCommand($"INSERT INTO {ProductRows.Table} ({ProductRows.ColumnList}) VALUES ({string.Join(", ", row.Select((_, i) => "$" + (i + 1)))})", conn, tx);
            foreach (var v in row) cmd.Parameters.Add(v is DateTime dt ? new NpgsqlParameter { Value = dt, NpgsqlDbType = NpgsqlDbType.Timestamp } : new NpgsqlParameter { Value = v ?? DBNull.Value });
            await cmd.ExecuteNonQueryAsync();
        }
        foreach (var n in plan.Updates)
        {
            var row = ProductRows.Row(n, revision: 1);
            await using var cmd = new NpgsqlCommand($"UPDATE {ProductRows.Table} SET NAME = $1, PRICE = $2, MODIFIEDDATETIME = $3 WHERE RECID = $4", conn, tx);
            cmd.Parameters.Add(new NpgsqlParameter { Value = row[4] });
            cmd.Parameters.Add(new NpgsqlParameter { Value = row[9] });
            cmd.Parameters.Add(new NpgsqlParameter { Value = row[14], NpgsqlDbType = NpgsqlDbType.Timestamp });
            cmd.Parameters.Add(new NpgsqlParameter { Value = row[0] });
            await cmd.ExecuteNonQueryAsync();
        }
        foreach (var n in plan.Deletes)
        {
            await using var cmd = new NpgsqlCommand($"DELETE FROM {ProductRows.Table} WHERE RECID = $1", conn, tx);
            cmd.Parameters.Add(new NpgsqlParameter { Value = ProductRows.FirstRecId + n });
            await cmd.ExecuteNonQueryAsync();
        }
        await tx.CommitAsync();
    }

    public override ConnectionSettings HqConnection(HqDataset dataset) => new() { Provider = "postgresql", ConnectionString = ConnectionTo(dataset.Location) };

    public override async Task<ConnectionSettings> NewMessageDatabaseAsync(string runFolder)
    {
        var name = "bench_msg_" + Guid.NewGuid().ToString("N")[..10];
        await AdminAsync($"CREATE DATABASE \"{name}\"");
        return new ConnectionSettings { Provider = "postgresql", ConnectionString = ConnectionTo(name) };
    }

    public override Task<Measurement> FloorFullReadAsync(HqDataset dataset, string outputFile)
        => CopyThroughCompressor(dataset.Location,
            $"COPY (SELECT {ProductRows.ColumnList} FROM {ProductRows.Table} WHERE DATAAREAID = '{ProductRows.DataArea}') TO STDOUT", outputFile);

    public override async Task<Measurement> FloorIncrementalReadAsync(HqDataset dataset, string outputFile)
    {
        // The change source's own join: keys whose change became visible between the baseline tick's snapshot and now.
        string side;
        await using (var conn = new NpgsqlConnection(ConnectionTo(dataset.Location)))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("SELECT side_table FROM async_ct.tables WHERE lower(table_name) = lower(@t)", conn);
            cmd.Parameters.AddWithValue("t", ProductRows.Table);
            side = (string)(await cmd.ExecuteScalarAsync())!;
        }
        var cols = string.Join(", ", ProductRows.Columns.Select(c => (c.Name == "RECID" ? "ct." : "t.") + c.Name));
        var from = $"(SELECT snapshot FROM async_ct.ticks WHERE tick_id = {dataset.BaselineVersion})";
        var sql = $"COPY (SELECT CASE WHEN t.RECID IS NOT NULL AND t.DATAAREAID = '{ProductRows.DataArea}' THEN 1 ELSE 0 END, {cols} " +
                  $"FROM async_ct.\"{side}\" AS ct LEFT JOIN {ProductRows.Table} AS t ON t.RECID = ct.RECID, (SELECT pg_current_snapshot() AS s) AS now " +
                  $"WHERE ct.__xid >= pg_snapshot_xmin({from}) AND ct.__xid < pg_snapshot_xmax(now.s) " +
                  $"AND pg_visible_in_snapshot(ct.__xid, now.s) AND NOT pg_visible_in_snapshot(ct.__xid, {from})) TO STDOUT";
        return await CopyThroughCompressor(dataset.Location, sql, outputFile);
    }

    private static async Task<Measurement> CopyThroughCompressor(string database, string copySql, string outputFile)
    {
        var watch = BenchWatch.StartNew();
        // The same 128 KB socket read buffer as the engine's HQ snapshot connection (PostgresChangeSource), so both read alike.
        await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionTo(database)) { ReadBufferSize = 128 * 1024 }.ConnectionString);
        await conn.OpenAsync();
        using var sink = new CompressedSink(outputFile);
        var chars = new char[32 * 1024];
        var bytes = new byte[Encoding.UTF8.GetMaxByteCount(chars.Length)];
        long lines = 0;
        using (var reader = await conn.BeginTextExportAsync(copySql))
        {
            int read;
            while ((read = await reader.ReadAsync(chars)) > 0)
            {
                lines += chars.AsSpan(0, read).Count('\n');
                var n = Encoding.UTF8.GetBytes(chars, 0, read, bytes, 0);
                sink.Raw.Write(bytes, 0, n);
            }
        }
        sink.CountRows(lines);
        var size = sink.Complete();
        watch.Stop();
        return Measurement.Capture(watch, lines, size);
    }

    public override async Task<Measurement> FloorRegisterAsync(ConnectionSettings messageDatabase, int sessions, IReadOnlyList<string> channelDatabases)
    {
        var watch = BenchWatch.StartNew();
        await using var conn = new NpgsqlConnection(messageDatabase.ConnectionString);
        await conn.OpenAsync();
        await using var tx = await conn.BeginTransactionAsync();
        var now = DateTimeOffset.UtcNow;
        long rows = 0;
        for (var s = 0; s < sessions; s++)
        {
            await using var session = new NpgsqlCommand("INSERT INTO asyncserver.download_sessions (partition, job_id, data_group, kind, to_version, status, instance_id, created_at, finished_at, row_count, package_file) " +
                                                        "VALUES ('p', $1, 'g', 'Full', 1, 'Available', 'bench', $2, $2, 200, 'x.zip') RETURNING id", conn, tx);
            session.Parameters.Add(new NpgsqlParameter { Value = $"job{s}" });
            session.Parameters.Add(new NpgsqlParameter { Value = now });
            var id = Convert.ToInt64(await session.ExecuteScalarAsync());
            // One batch per session: the targets and their status messages.
            await using var batch = new NpgsqlBatch(conn, tx);
            foreach (var db in channelDatabases.Prepend(null))
            {
                if (db is not null)
                {
                    var t = new NpgsqlBatchCommand("INSERT INTO asyncserver.session_targets (session_id, channel_database, status, tries, updated_at) VALUES ($1, $2, 'Available', 0, $3)");
                    t.Parameters.Add(new NpgsqlParameter { Value = id }); t.Parameters.Add(new NpgsqlParameter { Value = db }); t.Parameters.Add(new NpgsqlParameter { Value = now });
                    batch.BatchCommands.Add(t);
                    rows++;
                }
                var m = new NpgsqlBatchCommand("INSERT INTO asyncserver.status_messages (session_id, channel_database, status, created_at) VALUES ($1, $2, 'Available', $3)");
                m.Parameters.Add(new NpgsqlParameter { Value = id }); m.Parameters.Add(new NpgsqlParameter { Value = (object?)db ?? DBNull.Value }); m.Parameters.Add(new NpgsqlParameter { Value = now });
                batch.BatchCommands.Add(m);
            }
            await batch.ExecuteNonQueryAsync();
        }
        await tx.CommitAsync();
        watch.Stop();
        return Measurement.Capture(watch, rows, 0, $"{sessions} sessions, {rows} targets");
    }

    private static async Task<bool> DatabaseExistsAsync(string name)
    {
        await using var conn = new NpgsqlConnection(Admin);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @n", conn);
        cmd.Parameters.AddWithValue("n", name);
        return await cmd.ExecuteScalarAsync() is not null;
    }

    private static async Task AdminAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(Admin);
        await conn.OpenAsync();
        await ExecAsync(conn, sql);
    }

    private static async Task ExecAsync(NpgsqlConnection conn, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }
}
