using System.Globalization;
using AsyncServer.Data;
using AsyncServer.Diagnostics;
using Npgsql;
using static AsyncServer.Providers.PostgreSql.PostgresTrackingSchema;

namespace AsyncServer.Providers.PostgreSql;

/// <summary>
/// The before-image log of a parent table on PostgreSQL (ChangeTracking/ParentFilters): <c>async_ct.ct_N_before</c>,
/// one row per updated or deleted row with the top-level transaction id of the change and the previous values of the
/// columns filters correlate with child columns. Unlike the side table it is never collapsed per key: a range
/// (tick A, tick B] reads every before-image whose transaction is visible in B and not in A, and the first of
/// them per parent row is its state at A. Statement triggers read the transition tables, as the side table's do.
/// </summary>
internal static class PostgresBeforeImages
{
    public static string LogTable(string sideTable) => sideTable + "_before";

    /// <summary>The value columns the log keeps; empty when there is none.</summary>
    public static async Task<IReadOnlySet<string>> ColumnsAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string sideTable, CancellationToken ct)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        await using var cmd = PostgresConnections.Command(conn,
            "SELECT a.attname FROM pg_catalog.pg_attribute a WHERE a.attrelid = pg_catalog.to_regclass(@t) AND a.attnum > 0 AND NOT a.attisdropped " +
            "AND a.attname NOT IN ('__xid', '__changed_at')", tx, ("t", $"{Schema}.{SqlDialect.PostgreSql.Quote(LogTable(sideTable))}"));
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) result.Add(reader.GetString(0));
        return result;
    }

    /// <summary>
    /// Creates the log (or adds missing columns), its functions and triggers. True when the log is new or gained a
    /// column: older changes have no before-images, and the caller moves the table's minimum valid version.
    /// </summary>
    public static async Task<bool> EnableAsync(
        NpgsqlConnection conn, NpgsqlTransaction tx, TableSchema table, string sideTable, IReadOnlyList<string> columns, CancellationToken ct)
    {
        var d = SqlDialect.PostgreSql;
        var wanted = columns.Select(c => table.Find(c) ?? throw new AsyncServerException(ErrorIds.ColumnNotFound, ErrorKind.ObjectNotFound,
            $"column '{c}' does not exist in HQ table '{table.DisplayName}' (a filter correlates it with a child column).", c)).ToList();
        var log = $"{Schema}.{d.Quote(LogTable(sideTable))}";
        var existed = await PostgresConnections.ScalarAsync(conn, "SELECT pg_catalog.to_regclass(@t) IS NOT NULL", ct, tx, ("t", log))
            .ConfigureAwait(false) is true;
        var kept = await ColumnsAsync(conn, tx, sideTable, ct).ConfigureAwait(false);
        var added = wanted.Where(c => !kept.Contains(c.Name)).ToList();
        await PostgresConnections.ExecuteAsync(conn,
            $"CREATE TABLE IF NOT EXISTS {log} (__xid xid8 NOT NULL, __changed_at timestamptz NOT NULL);" +
            $"CREATE INDEX IF NOT EXISTS {d.Quote(LogTable(sideTable) + "_xid")} ON {log} (__xid);", ct, tx).ConfigureAwait(false);
        foreach (var column in added)
            await PostgresConnections.ExecuteAsync(conn, $"ALTER TABLE {log} ADD COLUMN {d.Quote(column.Name)} {column.NativeType};", ct, tx)
                .ConfigureAwait(false);

        var all = kept.Concat(added.Select(c => c.Name)).Where(c => table.Find(c) is not null).Select(c => table.Find(c)!.Name).Distinct().ToList();
        var list = string.Join("", all.Select(c => ", " + d.Quote(c)));
        var values = string.Join("", all.Select(c => ", o." + d.Quote(c)));
        string Function(string suffix, string from) => $"""
            CREATE OR REPLACE FUNCTION {Schema}.{d.Quote(LogTable(sideTable) + "_" + suffix)}() RETURNS trigger
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
            BEGIN
                INSERT INTO {log} (__xid, __changed_at{list}) SELECT pg_catalog.pg_current_xact_id(), pg_catalog.now(){values} FROM {from} o;
                RETURN NULL;
            END
            $fn$;
            """;
        var target = PostgresCatalog.Quote(table);
        string Trigger(string name, string when, string referencing, string suffix) =>
            $"CREATE OR REPLACE TRIGGER {d.Quote(name)} {when} ON {target} {referencing} " +
            $"FOR EACH STATEMENT EXECUTE FUNCTION {Schema}.{d.Quote(LogTable(sideTable) + "_" + suffix)}();";
        await PostgresConnections.ExecuteAsync(conn, string.Join("\n",
            Function("upd", "old_rows"), Function("del", "old_rows"), Function("trunc", target),
            Trigger("async_ct_before_update", "AFTER UPDATE", "REFERENCING OLD TABLE AS old_rows", "upd"),
            Trigger("async_ct_before_delete", "AFTER DELETE", "REFERENCING OLD TABLE AS old_rows", "del"),
            // TRUNCATE fires no row events: log every row before they go.
            Trigger("async_ct_before_truncate", "BEFORE TRUNCATE", "", "trunc")), ct, tx).ConfigureAwait(false);
        return !existed || added.Count > 0;
    }

    /// <summary>
    /// Deletes the log's entries older than the cutoff of transactions finished before the fresh tick; returns the
    /// first tick at which all of them were visible (the table's new minimum valid version), or null.
    /// </summary>
    public static async Task<long?> CleanupAsync(
        NpgsqlConnection conn, NpgsqlTransaction tx, string sideTable, long fresh, DateTimeOffset cutoff, CancellationToken ct)
    {
        var log = $"{Schema}.{SqlDialect.PostgreSql.Quote(LogTable(sideTable))}";
        if (await PostgresConnections.ScalarAsync(conn, "SELECT pg_catalog.to_regclass(@t) IS NOT NULL", ct, tx, ("t", log)).ConfigureAwait(false) is not true)
            return null;
        var tick = await PostgresConnections.ScalarAsync(conn, $"""
            WITH fresh AS (SELECT snapshot FROM {Ticks} WHERE tick_id = @fresh),
                 gone AS (DELETE FROM {log} s USING fresh
                          WHERE s.__changed_at <= @cutoff AND s.__xid < pg_catalog.pg_snapshot_xmin(fresh.snapshot)
                          RETURNING s.__xid),
                 newest AS (SELECT max(__xid) AS xid FROM gone)
            SELECT (SELECT min(t.tick_id) FROM {Ticks} t WHERE pg_catalog.pg_snapshot_xmin(t.snapshot) > newest.xid)
            FROM newest WHERE newest.xid IS NOT NULL
            """, ct, tx, ("fresh", fresh), ("cutoff", cutoff)).ConfigureAwait(false);
        return tick is null or DBNull ? null : Convert.ToInt64(tick, CultureInfo.InvariantCulture);
    }
}
