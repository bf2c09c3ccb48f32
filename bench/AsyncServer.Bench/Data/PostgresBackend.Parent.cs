using System.Diagnostics;
using System.Text.Json;
using AsyncServer.Bench.Harness;
using AsyncServer.Data;
using AsyncServer.Providers;
using Npgsql;

namespace AsyncServer.Bench.Data;

/// <summary>The incremental-parent dataset on PostgreSQL: the product table, its parent of the same size, both tracked, then the planned changes.</summary>
internal sealed partial class PostgresBackend
{
    public override async Task<HqDataset> EnsureParentAsync(BenchContext context, long rows, int changes)
    {
        var wanted = new HqDataset($"bench_parent_{rows}_{changes}", $"bench_parent_{rows}_{changes}", rows, changes, 0, Tables: 2);
        var marker = JsonSerializer.Serialize(new { Generator = GeneratorVersion, wanted.Rows, wanted.Changes, wanted.Tables, Parent = true }, Json.Options);
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
        await ExecAsync(conn, $"CREATE TABLE {ProductRows.Table} ({string.Join(", ", ProductRows.Columns.Select(c => $"{c.Name} {c.PostgresType}"))})");
        await using (var import = await conn.BeginBinaryImportAsync($"COPY {ProductRows.Table} ({ProductRows.ColumnList}) FROM STDIN (FORMAT BINARY)"))
        {
            for (long n = 1; n <= rows; n++) ProductRows.WriteCopyRow(import, ProductRows.Row(n));
            await import.CompleteAsync();
        }
        await ExecAsync(conn, ParentRows.Ddl(c => c.PostgresType));
        await using (var import = await conn.BeginBinaryImportAsync($"COPY {ParentRows.Table} ({ParentRows.ColumnList}) FROM STDIN (FORMAT BINARY)"))
        {
            var types = new[] { NpgsqlTypes.NpgsqlDbType.Varchar, NpgsqlTypes.NpgsqlDbType.Varchar, NpgsqlTypes.NpgsqlDbType.Bigint, NpgsqlTypes.NpgsqlDbType.Integer, NpgsqlTypes.NpgsqlDbType.Varchar };
            for (long n = 1; n <= rows; n++)
            {
                import.StartRow();
                var row = ParentRows.Row(n);
                for (var i = 0; i < row.Length; i++) import.Write(row[i]!, types[i]);
            }
            await import.CompleteAsync();
        }
        await ExecAsync(conn, $"ANALYZE {ProductRows.Table}; ANALYZE {ParentRows.Table}");
        var hq = DatabaseProviders.For(DatabaseProvider.PostgreSql).OpenChangeSource(ResolvedConnection.FromString(DatabaseProvider.PostgreSql, ConnectionTo(wanted.Location)));
        await hq.EnableChangeTrackingAsync([ProductRows.Table, ParentRows.Table], ParentRows.TrackingOptions, default);
        long baseline;
        await using (var snapshot = await hq.OpenSnapshotAsync(default)) baseline = snapshot.CurrentVersion;
        await hq.DisposeAsync();
        var plan = ParentChangePlan.For(rows, changes);
        await ApplyChangesAsync(conn, plan.Products);
        await using (var tx = await conn.BeginTransactionAsync())
        {
            foreach (var (sql, items) in new[] { (ParentChangePlan.MoveSql, plan.Moves), (ParentChangePlan.DeleteSql, plan.Deletes), (ParentChangePlan.UpdateSql, plan.Updates) })
                foreach (var n in items)
                {
                    await using var cmd = new NpgsqlCommand(sql, conn, tx);
                    cmd.Parameters.AddWithValue("item", ParentChangePlan.Item(n));
                    await cmd.ExecuteNonQueryAsync();
                }
            await tx.CommitAsync();
        }
        // Statistics after the changes, as autovacuum would gather them on a live HQ.
        await ExecAsync(conn, "ANALYZE");
        await ExecAsync(conn, "CREATE TABLE bench_dataset (info text NOT NULL, baseline bigint NOT NULL)");
        await using (var cmd = new NpgsqlCommand("INSERT INTO bench_dataset VALUES (@i, @b)", conn))
        {
            cmd.Parameters.AddWithValue("i", marker);
            cmd.Parameters.AddWithValue("b", baseline);
            await cmd.ExecuteNonQueryAsync();
        }
        Console.Error.WriteLine($"  loaded {rows:N0} products and {rows:N0} items into PostgreSQL database {wanted.Location} in {sw.Elapsed.TotalSeconds:F1} s");
        return wanted with { BaselineVersion = baseline };
    }

    /// <summary>
    /// The floor: the change source's own set-based query (ChangeTracking/ParentFilters: the changed products, the
    /// products of the changed items now and before, each looked up once and tested against the filter) through the compressor.
    /// </summary>
    public override async Task<Measurement> FloorParentIncrementalReadAsync(HqDataset dataset, string outputFile)
    {
        var sides = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        await using (var conn = new NpgsqlConnection(ConnectionTo(dataset.Location)))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("SELECT table_name, side_table FROM async_ct.tables", conn);
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync()) sides[r.GetString(0)] = r.GetString(1);
        }
        const string product = ProductRows.Table, item = ParentRows.Table;
        string productSide = sides[product.ToLowerInvariant()], itemSide = sides[item.ToLowerInvariant()];
        var from = $"(SELECT snapshot FROM async_ct.ticks WHERE tick_id = {dataset.BaselineVersion})";
        string Range(string a) => $"{a}.__xid >= pg_snapshot_xmin({from}) AND {a}.__xid < pg_snapshot_xmax(now.s) " +
                                  $"AND pg_visible_in_snapshot({a}.__xid, now.s) AND NOT pg_visible_in_snapshot({a}.__xid, {from})";
        const string now = "(SELECT pg_current_snapshot() AS s) AS now";
        var cols = string.Join(", ", ProductRows.Columns.Select(c => (c.Name == "RECID" ? "ct." : "t.") + c.Name));
        var sql = $"COPY (WITH ck AS (SELECT ct.RECID FROM async_ct.\"{productSide}\" AS ct, {now} WHERE {Range("ct")} " +
                  $"UNION SELECT t.RECID FROM async_ct.\"{itemSide}\" AS ps JOIN {item} AS p ON p.ITEMID = ps.ITEMID AND p.DATAAREAID = ps.DATAAREAID JOIN {product} AS t ON t.RECID = p.PRODUCT, {now} WHERE {Range("ps")} " +
                  $"UNION SELECT t.RECID FROM async_ct.\"{itemSide}_before\" AS pb JOIN {product} AS t ON t.RECID = pb.PRODUCT, {now} WHERE {Range("pb")}) " +
                  $"SELECT CASE WHEN t.RECID IS NOT NULL AND EXISTS (SELECT 1 FROM {item} AS p0 WHERE p0.PRODUCT = t.RECID AND p0.DATAAREAID = '{ProductRows.DataArea}') THEN 1 ELSE 0 END, {cols} " +
                  $"FROM ck AS ct LEFT JOIN {product} AS t ON t.RECID = ct.RECID) TO STDOUT";
        return await CopyThroughCompressor(dataset.Location, sql, outputFile);
    }
}
