using AsyncServer.Data;
using AsyncServer.Diagnostics;
using Microsoft.Data.Sqlite;

namespace AsyncServer.Providers.Sqlite;

/// <summary>
/// The before-image log of a parent table on SQLite (ChangeTracking/ParentFilters): for each update and delete, the
/// version the change gets and the previous values of the columns that filters correlate with child columns. A
/// BEFORE trigger writes it: it runs just before the tracking's AFTER trigger of the same row bumps the version,
/// so "version + 1" is exactly the version that change is recorded under (SQLite runs one writer at a time, and
/// fires a row's BEFORE triggers, the change and its AFTER triggers before moving to the next row).
/// The log's columns carry no declared type: they keep each value as the parent row stored it.
/// </summary>
internal static class SqliteBeforeImages
{
    private static readonly string[] Own = ["__version", "__changed_at"];

    /// <summary>The value columns the log of <paramref name="table"/> keeps; empty when there is no log.</summary>
    public static async Task<IReadOnlySet<string>> ColumnsAsync(SqliteConnection conn, SqliteTransaction? tx, string table, CancellationToken ct)
    {
        var result = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        await using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT name FROM pragma_table_info(@log)";
        cmd.Parameters.AddWithValue("@log", SqliteChangeSource.BeforeTable(table));
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
            if (!Own.Contains(reader.GetString(0), StringComparer.OrdinalIgnoreCase)) result.Add(reader.GetString(0));
        return result;
    }

    /// <summary>
    /// Creates the log (or adds the missing columns) and its triggers. True when the log is new or gained a column:
    /// changes before now have no before-images of those columns, and the caller moves the table's minimum valid version.
    /// </summary>
    public static async Task<bool> EnableAsync(
        SqliteConnection conn, SqliteTransaction tx, TableSchema table, IReadOnlyList<string> columns, CancellationToken ct)
    {
        var d = SqlDialect.Sqlite;
        var wanted = columns.Select(c => table.Find(c)?.Name ?? throw new AsyncServerException(ErrorIds.ColumnNotFound, ErrorKind.ObjectNotFound,
            $"column '{c}' does not exist in HQ table '{table.Name}' (a filter correlates it with a child column).", c)).ToList();
        var log = d.Quote(SqliteChangeSource.BeforeTable(table.Name));
        var existed = await SqliteConnections.ScalarAsync(conn, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = @n", ct, tx,
            ("@n", SqliteChangeSource.BeforeTable(table.Name))).ConfigureAwait(false) is not null;
        var kept = await ColumnsAsync(conn, tx, table.Name, ct).ConfigureAwait(false);
        var added = wanted.Where(c => !kept.Contains(c)).ToList();
        await SqliteConnections.ExecuteAsync(conn,
            $"CREATE TABLE IF NOT EXISTS {log} (\"__version\" INTEGER NOT NULL, \"__changed_at\" INTEGER NOT NULL);" +
            $"CREATE INDEX IF NOT EXISTS {d.Quote(SqliteChangeSource.BeforeTable(table.Name) + "_version")} ON {log} (\"__version\");", ct, tx)
            .ConfigureAwait(false);
        foreach (var column in added)
            await SqliteConnections.ExecuteAsync(conn, $"ALTER TABLE {log} ADD COLUMN {d.Quote(column)};", ct, tx).ConfigureAwait(false);

        var all = kept.Concat(added).Where(c => table.Find(c) is not null).ToList();
        var list = string.Join("", all.Select(c => ", " + d.Quote(c)));
        var values = string.Join("", all.Select(c => ", OLD." + d.Quote(table.Find(c)!.Name)));
        var insert = $"INSERT INTO {log} (\"__version\", \"__changed_at\"{list}) " +
                     $"VALUES ((SELECT version FROM \"{SqliteChangeSource.VersionTable}\" WHERE id = 1) + 1, CAST(strftime('%s','now') AS INTEGER){values});";
        string Trigger(string suffix) => d.Quote($"{SqliteChangeSource.BeforeTable(table.Name)}_{suffix}");
        await SqliteConnections.ExecuteAsync(conn,
            $"DROP TRIGGER IF EXISTS {Trigger("update")}; DROP TRIGGER IF EXISTS {Trigger("delete")};" +
            $"CREATE TRIGGER {Trigger("update")} BEFORE UPDATE ON {d.Quote(table.Name)} BEGIN {insert} END;" +
            $"CREATE TRIGGER {Trigger("delete")} BEFORE DELETE ON {d.Quote(table.Name)} BEGIN {insert} END;", ct, tx).ConfigureAwait(false);
        return !existed || added.Count > 0;
    }

    /// <summary>Deletes the log's entries up to the newest one older than the cutoff; returns that version, or null.</summary>
    public static async Task<object?> CleanupAsync(SqliteConnection conn, SqliteTransaction tx, string table, long cutoff, CancellationToken ct)
    {
        var name = SqliteChangeSource.BeforeTable(table);
        if (await SqliteConnections.ScalarAsync(conn, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = @n", ct, tx, ("@n", name))
                .ConfigureAwait(false) is null)
            return null;
        var log = SqlDialect.Sqlite.Quote(name);
        var newest = await SqliteConnections.ScalarAsync(
                conn, $"SELECT MAX(\"__version\") FROM {log} WHERE \"__changed_at\" <= @cutoff", ct, tx, ("@cutoff", cutoff))
            .ConfigureAwait(false);
        if (newest is null or DBNull) return null;
        await SqliteConnections.ExecuteAsync(conn, $"DELETE FROM {log} WHERE \"__version\" <= @v", ct, tx, ("@v", newest)).ConfigureAwait(false);
        return newest;
    }
}
