using AsyncServer.Bench.Harness;
using Npgsql;

namespace AsyncServer.Bench.Data;

/// <summary>The incremental-parent dataset on PostgreSQL: the product table, its parent of the same size, both tracked, then the planned changes.</summary>
internal sealed partial class PostgresBackend
{
    public override Task<HqDataset> EnsureParentAsync(BenchContext context, long rows, int changes)
        => EnsureAsync(new HqDataset($"bench_parent_{rows}_{changes}", $"bench_parent_{rows}_{changes}", rows, changes, 0, Tables: 2), [ProductRows.Table], null,
            new MoreTables([ParentRows.Table], ParentRows.TrackingOptions, LoadParentsAsync, ApplyParentChangesAsync));

    private static async Task LoadParentsAsync(NpgsqlConnection conn, long rows)
    {
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
        await ExecAsync(conn, $"ANALYZE {ParentRows.Table}");
    }

    /// <summary>The product changes, then the parent changes, as ordinary statements so the triggers record them.</summary>
    private static async Task ApplyParentChangesAsync(NpgsqlConnection conn, long rows, int changes)
    {
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
                  $"UNION SELECT p.PRODUCT FROM async_ct.\"{itemSide}\" AS ps JOIN {item} AS p ON p.ITEMID = ps.ITEMID AND p.DATAAREAID = ps.DATAAREAID, {now} WHERE {Range("ps")} AND p.PRODUCT IS NOT NULL " +
                  $"UNION SELECT pb.PRODUCT FROM async_ct.\"{itemSide}_before\" AS pb, {now} WHERE {Range("pb")} AND pb.PRODUCT IS NOT NULL) " +
                  $"SELECT CASE WHEN t.RECID IS NOT NULL AND EXISTS (SELECT 1 FROM {item} AS p0 WHERE p0.PRODUCT = t.RECID AND p0.DATAAREAID = '{ProductRows.DataArea}') THEN 1 ELSE 0 END, {cols} " +
                  $"FROM ck AS ct LEFT JOIN {product} AS t ON t.RECID = ct.RECID) TO STDOUT";
        return await CopyThroughCompressor(dataset.Location, sql, outputFile);
    }
}
