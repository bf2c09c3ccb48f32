using System.Diagnostics;
using AsyncServer.ChangeTracking;
using AsyncServer.Data;
using AsyncServer.Providers;
using Microsoft.Data.Sqlite;

namespace AsyncServer.Bench.Data;

/// <summary>Builds SQLite HQ databases of product rows: bulk load, then change tracking, then the planned changes.</summary>
internal static class SqliteHq
{
    public static SqliteConnection Open(string file)
    {
        var conn = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ConnectionString);
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "PRAGMA busy_timeout = 60000;";
        cmd.ExecuteNonQuery();
        return conn;
    }

    /// <summary>Creates <paramref name="file"/> with <paramref name="rows"/> product rows and change tracking on; returns the version before any change.</summary>
    /// <param name="loadMore">Loads further tables (not tracked yet) after the product tables, before tracking is enabled.</param>
    /// <param name="alsoTracked">Those further tables, tracked with the product tables under <paramref name="options"/>.</param>
    public static async Task<long> CreateAsync(string file, long rows, IReadOnlyList<string>? tables = null, Func<long, string>? dataAreaOf = null,
        Action<SqliteConnection>? loadMore = null, IReadOnlyList<string>? alsoTracked = null, ChangeTrackingOptions? options = null)
    {
        foreach (var f in new[] { file, file + "-wal", file + "-shm" }) if (File.Exists(f)) File.Delete(f);
        tables ??= [ProductRows.Table];
        var sw = Stopwatch.StartNew();
        using (var conn = Open(file))
        {
            Exec(conn, "PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;");
            foreach (var table in tables)
            {
                Exec(conn, $"CREATE TABLE \"{table}\" ({string.Join(", ", ProductRows.Columns.Select(c => $"{c.Name} {c.SqliteType}"))});");
                using var tx = conn.BeginTransaction();
                using var insert = InsertCommand(conn, tx, table);
                for (long n = 1; n <= rows; n++)
                {
                    Bind(insert, ProductRows.Row(n), dataAreaOf?.Invoke(n));
                    insert.ExecuteNonQuery();
                }
                tx.Commit();
            }
            loadMore?.Invoke(conn);
            Exec(conn, "PRAGMA synchronous = FULL;");
        }
        await using var hq = DatabaseProviders.For(DatabaseProvider.Sqlite).OpenChangeSource(ResolvedConnection.FromString(DatabaseProvider.Sqlite, $"Data Source={file}"));
        await hq.EnableChangeTrackingAsync([.. tables, .. alsoTracked ?? []], options ?? ChangeTrackingOptions.Default, default);
        await using var snapshot = await hq.OpenSnapshotAsync(default);
        Console.Error.WriteLine($"  loaded {rows:N0} rows x {tables.Count} table(s) into {Path.GetFileName(file)} in {sw.Elapsed.TotalSeconds:F1} s");
        return snapshot.CurrentVersion;
    }

    /// <summary>Applies the plan through ordinary statements, so the change-tracking triggers record each change.</summary>
    public static void ApplyChanges(string file, ChangePlan plan)
    {
        using var conn = Open(file);
        using var tx = conn.BeginTransaction();
        using (var insert = InsertCommand(conn, tx, ProductRows.Table))
            foreach (var n in plan.Inserts) { Bind(insert, ProductRows.Row(n)); insert.ExecuteNonQuery(); }
        using (var update = conn.CreateCommand())
        {
            update.Transaction = tx;
            update.CommandText = $"UPDATE {ProductRows.Table} SET NAME = @name, PRICE = @price, MODIFIEDDATETIME = @modified WHERE RECID = @recid";
            var p = new[] { "@name", "@price", "@modified", "@recid" }.Select(n => update.Parameters.Add(new SqliteParameter(n, null))).ToArray();
            foreach (var n in plan.Updates)
            {
                var row = ProductRows.Row(n, revision: 1);
                p[0].Value = row[4]; p[1].Value = ProductRows.ForSqlite(row[9]); p[2].Value = row[14]; p[3].Value = row[0];
                update.ExecuteNonQuery();
            }
        }
        using (var delete = conn.CreateCommand())
        {
            delete.Transaction = tx;
            delete.CommandText = $"DELETE FROM {ProductRows.Table} WHERE RECID = @recid";
            var p = delete.Parameters.Add(new SqliteParameter("@recid", null));
            foreach (var n in plan.Deletes) { p.Value = ProductRows.FirstRecId + n; delete.ExecuteNonQuery(); }
        }
        tx.Commit();
    }

    private static SqliteCommand InsertCommand(SqliteConnection conn, SqliteTransaction tx, string table)
    {
        var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = $"INSERT INTO \"{table}\" ({ProductRows.ColumnList}) VALUES ({string.Join(", ", ProductRows.Columns.Select((_, i) => "@p" + i))})";
        for (var i = 0; i < ProductRows.Columns.Length; i++) cmd.Parameters.Add(new SqliteParameter("@p" + i, null));
        cmd.Prepare();
        return cmd;
    }

    private static void Bind(SqliteCommand insert, object?[] row, string? dataArea = null)
    {
        for (var i = 0; i < row.Length; i++) insert.Parameters[i].Value = ProductRows.ForSqlite(row[i]) ?? DBNull.Value;
        if (dataArea is not null) insert.Parameters[1].Value = dataArea;
    }

    public static void Exec(SqliteConnection conn, string sql)
    {
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
