using AsyncServer.Bench.Harness;
using Microsoft.Data.Sqlite;

namespace AsyncServer.Bench.Data;

/// <summary>The incremental-parent dataset on SQLite: the product table, its parent of the same size, both tracked, then the planned changes.</summary>
internal static class SqliteParentHq
{
    public static Task<HqDataset> EnsureAsync(BenchContext context, long rows, int changes)
    {
        var name = $"sqlite-parent-{rows}-{changes}";
        var folder = context.DataFolder(name);
        var file = Path.Combine(folder, "hq.db");
        return SqliteBackend.Cached(folder, new HqDataset(name, file, rows, changes, 0, Tables: 2), async () =>
        {
            var baseline = await SqliteHq.CreateAsync(file, rows, loadMore: conn => LoadParents(conn, rows),
                alsoTracked: [ParentRows.Table], options: ParentRows.TrackingOptions);
            ApplyChanges(file, ParentChangePlan.For(rows, changes));
            return new HqDataset(name, file, rows, changes, baseline, Tables: 2);
        });
    }

    private static void LoadParents(SqliteConnection conn, long rows)
    {
        SqliteHq.Exec(conn, ParentRows.Ddl(c => c.SqliteType));
        using var tx = conn.BeginTransaction();
        using var insert = conn.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = $"INSERT INTO {ParentRows.Table} ({ParentRows.ColumnList}) VALUES ({string.Join(", ", ParentRows.Columns.Select((_, i) => "@p" + i))})";
        var p = ParentRows.Columns.Select((_, i) => insert.Parameters.Add(new SqliteParameter("@p" + i, null))).ToArray();
        insert.Prepare();
        for (long n = 1; n <= rows; n++)
        {
            var row = ParentRows.Row(n);
            for (var i = 0; i < row.Length; i++) p[i].Value = row[i] ?? DBNull.Value;
            insert.ExecuteNonQuery();
        }
        tx.Commit();
    }

    /// <summary>The product changes, then the parent changes, as ordinary statements so the triggers record them.</summary>
    private static void ApplyChanges(string file, ParentChangePlan plan)
    {
        SqliteHq.ApplyChanges(file, plan.Products);
        using var conn = SqliteHq.Open(file);
        using var tx = conn.BeginTransaction();
        foreach (var (sql, items) in new[] { (ParentChangePlan.MoveSql, plan.Moves), (ParentChangePlan.DeleteSql, plan.Deletes), (ParentChangePlan.UpdateSql, plan.Updates) })
        {
            using var cmd = conn.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = sql;
            var item = cmd.Parameters.Add(new SqliteParameter("@item", null));
            foreach (var n in items) { item.Value = ParentChangePlan.Item(n); cmd.ExecuteNonQuery(); }
        }
        tx.Commit();
    }

    /// <summary>
    /// The floor: the change source's own set-based query (ChangeTracking/ParentFilters: the changed products, the
    /// products of the changed items now and before, each looked up once and tested against the filter) through the compressor.
    /// </summary>
    public static string FloorSql(HqDataset dataset)
    {
        const string product = ProductRows.Table, item = ParentRows.Table;
        var range = (string alias) => $"{alias}.\"__version\" > {dataset.BaselineVersion} AND {alias}.\"__version\" <= (SELECT version FROM \"__async_ct_version\" WHERE id = 1)";
        var cols = string.Join(", ", ProductRows.Columns.Select(c => (c.Name == "RECID" ? "ct." : "t.") + c.Name));
        return $"WITH ck AS (SELECT ct.RECID FROM \"__async_ct_{product}\" AS ct WHERE {range("ct")} " +
               $"UNION SELECT p.PRODUCT FROM \"__async_ct_{item}\" AS ps JOIN {item} AS p ON p.ITEMID = ps.ITEMID AND p.DATAAREAID = ps.DATAAREAID WHERE {range("ps")} AND p.PRODUCT IS NOT NULL " +
               $"UNION SELECT pb.PRODUCT FROM \"__async_ct_{item}__before\" AS pb WHERE {range("pb")} AND pb.PRODUCT IS NOT NULL) " +
               $"SELECT CASE WHEN t.RECID IS NOT NULL AND EXISTS (SELECT 1 FROM {item} AS p0 WHERE p0.PRODUCT = t.RECID AND p0.DATAAREAID = @da) THEN 1 ELSE 0 END, {cols} " +
               $"FROM ck AS ct LEFT JOIN {product} AS t ON t.RECID = ct.RECID";
    }
}
