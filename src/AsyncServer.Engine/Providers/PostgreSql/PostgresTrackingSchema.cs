using System.Globalization;
using System.Text;
using AsyncServer.Data;

namespace AsyncServer.Providers.PostgreSql;

/// <summary>
/// The change-tracking objects in the HQ database, all in schema <c>async_ct</c> (docs/postgresql.md):
/// <list type="bullet">
/// <item><c>ticks</c>: one row per version: its id is the version, its snapshot the pg_current_snapshot()
/// that version stands for.</item>
/// <item><c>tables</c>: the tracked tables, their side table, minimum valid version and retention.</item>
/// <item>per tracked table a side table <c>ct_N</c>: the key of every changed row with the top-level
/// transaction id of its latest change (pg_current_xact_id()), kept by statement triggers.</item>
/// </list>
/// </summary>
internal static class PostgresTrackingSchema
{
    public const string Schema = "async_ct";
    public const string Ticks = "async_ct.ticks";
    public const string Tables = "async_ct.tables";

    /// <summary>Advisory lock keys (per database): tick creation is serialized so tick ids follow snapshot order; DDL is serialized.</summary>
    public const long TickLockKey = 0x4153_4354_5449_434B; // "ASCTTICK"
    public const long DdlLockKey = 0x4153_4354_4444_4C00;  // "ASCTDDL"

    public static readonly string CreateBaseObjects = $"""
        CREATE SCHEMA IF NOT EXISTS {Schema};
        CREATE TABLE IF NOT EXISTS {Ticks} (
            tick_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            snapshot pg_snapshot NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now());
        CREATE TABLE IF NOT EXISTS {Tables} (
            id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            schema_name text NOT NULL,
            table_name text NOT NULL,
            side_table text NOT NULL UNIQUE,
            min_valid_version bigint NOT NULL,
            retention_seconds bigint NOT NULL,
            enabled_at timestamptz NOT NULL DEFAULT now(),
            UNIQUE (schema_name, table_name));
        """;

    /// <summary>
    /// The side table, its trigger functions and the triggers on the tracked table. Statement-level triggers
    /// read the transition tables, so a bulk statement costs one INSERT ... SELECT, not one per row. The
    /// functions are SECURITY DEFINER with a fixed search_path: HQ writers need no rights on async_ct.
    /// Every statement is idempotent (IF NOT EXISTS / OR REPLACE), so enabling twice keeps history.
    /// </summary>
    public static string TrackingDdl(TableSchema table, IReadOnlyList<ColumnSchema> keys, string sideTable)
    {
        var d = SqlDialect.PostgreSql;
        var target = PostgresCatalog.Quote(table);
        var side = $"{Schema}.{d.Quote(sideTable)}";
        var keyDefs = string.Join(", ", keys.Select(k => $"{d.Quote(k.Name)} {k.NativeType} NOT NULL"));
        var keyList = string.Join(", ", keys.Select(k => d.Quote(k.Name)));
        string KeysOf(string alias) => string.Join(", ", keys.Select(k => $"{alias}.{d.Quote(k.Name)}"));
        var sameKey = string.Join(" AND ", keys.Select(k => $"n.{d.Quote(k.Name)} = o.{d.Quote(k.Name)}"));
        string Upsert(string select) =>
            $"INSERT INTO {side} ({keyList}, __xid, __operation, __changed_at) {select} " +
            "ON CONFLICT (" + keyList + ") DO UPDATE SET __xid = EXCLUDED.__xid, __operation = EXCLUDED.__operation, __changed_at = EXCLUDED.__changed_at;";
        const string stamp = "pg_catalog.pg_current_xact_id(), '{0}', pg_catalog.now()";
        string Stamp(char op) => string.Format(CultureInfo.InvariantCulture, stamp, op);

        string Function(string suffix, string body) => $"""
            CREATE OR REPLACE FUNCTION {Schema}.{d.Quote(sideTable + "_" + suffix)}() RETURNS trigger
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
            BEGIN
                {body}
                RETURN NULL;
            END
            $fn$;
            """;

        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"CREATE TABLE IF NOT EXISTS {side} ({keyDefs}, __xid xid8 NOT NULL, __operation \"char\" NOT NULL, __changed_at timestamptz NOT NULL, " +
            $"PRIMARY KEY ({keyList}));");
        sb.AppendLine(CultureInfo.InvariantCulture, $"CREATE INDEX IF NOT EXISTS {d.Quote(sideTable + "_xid")} ON {side} (__xid);");
        sb.AppendLine(Function("ins", Upsert($"SELECT {KeysOf("n")}, {Stamp('I')} FROM new_rows n")));
        // An update that changes a key deletes the old key at the channel and upserts the new one.
        sb.AppendLine(Function("upd",
            Upsert($"SELECT {KeysOf("o")}, {Stamp('D')} FROM old_rows o WHERE NOT EXISTS (SELECT 1 FROM new_rows n WHERE {sameKey})") + "\n    " +
            Upsert($"SELECT {KeysOf("n")}, {Stamp('U')} FROM new_rows n")));
        sb.AppendLine(Function("del", Upsert($"SELECT {KeysOf("o")}, {Stamp('D')} FROM old_rows o")));
        // TRUNCATE fires no row events: record every key as deleted before the rows go.
        sb.AppendLine(Function("trunc", Upsert($"SELECT {KeysOf("o")}, {Stamp('D')} FROM {target} o")));
        string Trigger(string name, string when, string referencing, string suffix) =>
            $"CREATE OR REPLACE TRIGGER {d.Quote(name)} {when} ON {target} {referencing} " +
            $"FOR EACH STATEMENT EXECUTE FUNCTION {Schema}.{d.Quote(sideTable + "_" + suffix)}();";
        sb.AppendLine(Trigger("async_ct_insert", "AFTER INSERT", "REFERENCING NEW TABLE AS new_rows", "ins"));
        sb.AppendLine(Trigger("async_ct_update", "AFTER UPDATE", "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows", "upd"));
        sb.AppendLine(Trigger("async_ct_delete", "AFTER DELETE", "REFERENCING OLD TABLE AS old_rows", "del"));
        sb.AppendLine(Trigger("async_ct_truncate", "BEFORE TRUNCATE", "", "trunc"));
        return sb.ToString();
    }
}
