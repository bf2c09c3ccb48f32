using System.Globalization;
using AsyncServer.ChangeTracking;
using AsyncServer.Data;
using AsyncServer.Filtering;

namespace AsyncServer.Providers.SqlServer;

/// <summary>
/// Every SQL text the SQL Server change source sends, built by pure functions so that tests can parse each one
/// with ScriptDom without a server (tests/.../Providers/SqlServer/SqlServerSqlTests). The rules they check:
/// every identifier is a catalog name or one of our own aliases and is bracket-quoted (built-in function and
/// type names excepted); every value is a parameter; the only literals are the constants 0 and 1 and the
/// fixed text of the one dynamic statement (<see cref="SetDatabaseChangeTracking"/>).
/// </summary>
internal static class SqlServerSql
{
    private static readonly SqlDialect D = SqlDialect.SqlServer;

    /// <summary>Alias of the base table in extraction queries.</summary>
    public const string TableAlias = "t";
    /// <summary>Alias of CHANGETABLE in incremental extraction queries.</summary>
    public const string ChangesAlias = "ct";
    /// <summary>Name of the upsert flag column (column 0 of every extraction reader).</summary>
    public const string UpsertColumn = "__upsert";

    public static string Q(string identifier) => D.Quote(identifier);

    /// <summary>The two-part name of a catalog table, quoted: <c>[dbo].[INVENTTABLE]</c>.</summary>
    public static string Table(TableSchema table) => $"{Q(table.Schema)}.{Q(table.Name)}";

    /// <summary>
    /// Columns, types and primary key of one table. Parameters: @schema (null: the caller's default schema), @name.
    /// Alias types are reported as their base system type.
    /// </summary>
    public const string DescribeTable = """
        SELECT [s].[name], [t].[name], [c].[name],
            CASE WHEN [ut].[is_user_defined] = 1 AND [ut].[is_assembly_type] = 0 THEN TYPE_NAME([c].[system_type_id]) ELSE [ut].[name] END,
            [c].[max_length], [c].[precision], [c].[scale], [c].[is_nullable], [c].[is_computed], [c].[is_identity], ISNULL([ic].[key_ordinal], 0)
        FROM [sys].[tables] AS [t]
        INNER JOIN [sys].[schemas] AS [s] ON [s].[schema_id] = [t].[schema_id]
        INNER JOIN [sys].[columns] AS [c] ON [c].[object_id] = [t].[object_id]
        INNER JOIN [sys].[types] AS [ut] ON [ut].[user_type_id] = [c].[user_type_id]
        LEFT JOIN [sys].[indexes] AS [i] ON [i].[object_id] = [t].[object_id] AND [i].[is_primary_key] = 1
        LEFT JOIN [sys].[index_columns] AS [ic]
            ON [ic].[object_id] = [i].[object_id] AND [ic].[index_id] = [i].[index_id] AND [ic].[column_id] = [c].[column_id]
        WHERE [t].[name] = @name AND [s].[name] = COALESCE(@schema, SCHEMA_NAME())
        ORDER BY [c].[column_id];
        """;

    /// <summary>
    /// The database's name, snapshot isolation state (1 = ON), whether change tracking is on, its retention and
    /// the current change tracking version (null while change tracking is off).
    /// </summary>
    public const string DatabaseState = """
        SELECT DB_NAME(), [d].[snapshot_isolation_state],
            CASE WHEN [ctd].[database_id] IS NULL THEN 0 ELSE 1 END,
            [ctd].[retention_period], [ctd].[retention_period_units_desc], [ctd].[is_auto_cleanup_on],
            CHANGE_TRACKING_CURRENT_VERSION()
        FROM [sys].[databases] AS [d]
        LEFT JOIN [sys].[change_tracking_databases] AS [ctd] ON [ctd].[database_id] = [d].[database_id]
        WHERE [d].[database_id] = DB_ID();
        """;

    /// <summary>Placeholder in <see cref="SetDatabaseChangeTrackingTemplate"/> that T-SQL replaces with the @retention parameter.</summary>
    public const string RetentionPlaceholder = "@retention";

    /// <summary>The units CHANGE_RETENTION accepts; the C# side picks one, the number is a parameter.</summary>
    public enum RetentionUnit { Days, Hours, Minutes }

    /// <summary>Whole days when the retention is whole days, else whole hours, else minutes (at least one).</summary>
    public static (long Value, RetentionUnit Unit) Retention(TimeSpan retention)
    {
        if (retention >= TimeSpan.FromDays(1) && retention.Ticks % TimeSpan.TicksPerDay == 0) return ((long)retention.TotalDays, RetentionUnit.Days);
        if (retention >= TimeSpan.FromHours(1) && retention.Ticks % TimeSpan.TicksPerHour == 0) return ((long)retention.TotalHours, RetentionUnit.Hours);
        return (Math.Max(1, (long)Math.Ceiling(retention.TotalMinutes)), RetentionUnit.Minutes);
    }

    /// <summary>
    /// The ALTER DATABASE statement that turns change tracking on (or, when it is on already, sets its retention).
    /// ALTER DATABASE accepts no variables, so it runs as dynamic SQL whose only variable part, the retention,
    /// is substituted from a parameter inside the server (<see cref="SetDatabaseChangeTracking"/>).
    /// </summary>
    /// <summary>
    /// The key columns of every index of one table (not included columns, not filtered indexes), in key order.
    /// Parameters: @schema, @name. Columns: index id, column name.
    /// </summary>
    public const string IndexColumns = """
        SELECT [i].[index_id], [c].[name]
        FROM [sys].[indexes] AS [i]
        INNER JOIN [sys].[index_columns] AS [ic] ON [ic].[object_id] = [i].[object_id] AND [ic].[index_id] = [i].[index_id]
        INNER JOIN [sys].[columns] AS [c] ON [c].[object_id] = [ic].[object_id] AND [c].[column_id] = [ic].[column_id]
        INNER JOIN [sys].[tables] AS [t] ON [t].[object_id] = [i].[object_id]
        INNER JOIN [sys].[schemas] AS [s] ON [s].[schema_id] = [t].[schema_id]
        WHERE [s].[name] = @schema AND [t].[name] = @name AND [ic].[key_ordinal] > 0 AND [i].[has_filter] = 0 AND [i].[is_disabled] = 0
        ORDER BY [i].[index_id], [ic].[key_ordinal]
        """;

    public static string SetDatabaseChangeTrackingTemplate(bool alreadyOn, RetentionUnit unit)
        => $"ALTER DATABASE CURRENT SET CHANGE_TRACKING {(alreadyOn ? "" : "= ON ")}" +
           $"(CHANGE_RETENTION = {RetentionPlaceholder} {unit.ToString().ToUpperInvariant()}, AUTO_CLEANUP = ON)";

    /// <summary>Parameters: @retention (bigint). Must not run inside a transaction (ALTER DATABASE refuses).</summary>
    public static string SetDatabaseChangeTracking(bool alreadyOn, RetentionUnit unit) => $"""
        DECLARE @statement nvarchar(max) = REPLACE(N'{SetDatabaseChangeTrackingTemplate(alreadyOn, unit)}', N'{RetentionPlaceholder}',
            CONVERT(nvarchar(20), @retention));
        EXEC [sys].[sp_executesql] @statement;
        """;

    /// <summary>Parameter @table: the quoted two-part name (<see cref="Table"/>) as a value, for OBJECT_ID.</summary>
    public static string EnableTableChangeTracking(TableSchema table) =>
        "IF NOT EXISTS (SELECT 1 FROM [sys].[change_tracking_tables] AS [ctt] WHERE [ctt].[object_id] = OBJECT_ID(@table)) " +
        $"ALTER TABLE {Table(table)} ENABLE CHANGE_TRACKING;";

    /// <summary>Parameter @table. Null when the table is not tracked.</summary>
    public const string MinValidVersion = "SELECT CHANGE_TRACKING_MIN_VALID_VERSION(OBJECT_ID(@table));";

    public const string CurrentVersion = "SELECT CHANGE_TRACKING_CURRENT_VERSION();";

    /// <summary>Parameter @since: the minimum valid version. Counts the keys with tracked changes.</summary>
    public static string CountTrackedRows(TableSchema table) =>
        $"SELECT COUNT_BIG(*) FROM CHANGETABLE(CHANGES {Table(table)}, @since) AS [{ChangesAlias}];";

    /// <summary>Every table of the database with change tracking on.</summary>
    public const string TrackedTables = """
        SELECT [s].[name], [t].[name]
        FROM [sys].[change_tracking_tables] AS [ctt]
        INNER JOIN [sys].[tables] AS [t] ON [t].[object_id] = [ctt].[object_id]
        INNER JOIN [sys].[schemas] AS [s] ON [s].[schema_id] = [t].[schema_id]
        ORDER BY [s].[name], [t].[name];
        """;

    /// <summary>Parameter @table. Removes the table's change rows older than the database's retention now, instead of waiting for auto cleanup.</summary>
    public const string FlushTable = "EXEC [sys].[sp_flush_CT_internal_table_on_demand] @TableToClean = @table;";

    /// <summary>Drops a table's whole change history: its minimum valid version moves to the current version.</summary>
    public static string ResetTableChangeTracking(TableSchema table) =>
        $"ALTER TABLE {Table(table)} DISABLE CHANGE_TRACKING; ALTER TABLE {Table(table)} ENABLE CHANGE_TRACKING;";

    /// <summary>The before-image log of a filter's parent table (ChangeTracking/ParentFilters), in the parent's schema.</summary>
    public static string BeforeImageTable(TableSchema parent) => $"{Q(parent.Schema)}.{Q("__async_ct_" + parent.Name + "__before")}";

    private static string BeforeImageTrigger(TableSchema parent) => $"{Q(parent.Schema)}.{Q("__async_ct_" + parent.Name + "__before")}";

    /// <summary>Parameter @log: <see cref="BeforeImageTable"/> as a value. The log's columns; none when it does not exist.</summary>
    public const string BeforeImageColumns = "SELECT [c].[name] FROM [sys].[columns] AS [c] WHERE [c].[object_id] = OBJECT_ID(@log);";

    /// <summary>
    /// Parameter @log. Creates the log when it does not exist: the parent's key, the correlated columns (nullable: a
    /// column added later has no value in older rows) and the time of the change, indexed by the key (the read joins it
    /// to the parent's changed keys).
    /// </summary>
    public static string CreateBeforeImageTable(TableSchema parent, IReadOnlyList<ColumnSchema> columns)
    {
        var key = parent.PrimaryKey;
        var definitions = key.Select(k => $"{Q(k.Name)} {k.NativeType} NOT NULL")
            .Concat(columns.Where(c => !c.IsKey).Select(c => $"{Q(c.Name)} {c.NativeType} NULL"))
            .Append($"{Q("__changed_at")} datetime2 NOT NULL");
        return $"IF OBJECT_ID(@log) IS NULL BEGIN CREATE TABLE {BeforeImageTable(parent)} ({string.Join(", ", definitions)}); " +
               $"CREATE INDEX {Q("__async_ct_" + parent.Name + "__before_key")} ON {BeforeImageTable(parent)} " +
               $"({string.Join(", ", key.Select(k => Q(k.Name)))}); END;";
    }

    /// <summary>A correlated column the log lacks (a filter added after the log was made).</summary>
    public static string AddBeforeImageColumn(TableSchema parent, ColumnSchema column)
        => $"ALTER TABLE {BeforeImageTable(parent)} ADD {Q(column.Name)} {column.NativeType} NULL;";

    /// <summary>
    /// The trigger that fills the log from <c>deleted</c> on every update and delete of the parent (alone in its batch,
    /// as CREATE TRIGGER must be). <paramref name="columns"/> are the log's value columns.
    /// </summary>
    public static string BeforeImageTriggerDdl(TableSchema parent, IReadOnlyList<ColumnSchema> columns)
    {
        var all = parent.PrimaryKey.Concat(columns.Where(c => !c.IsKey)).Select(c => Q(c.Name)).ToList();
        return $"CREATE OR ALTER TRIGGER {BeforeImageTrigger(parent)} ON {Table(parent)} AFTER UPDATE, DELETE AS BEGIN SET NOCOUNT ON; " +
               $"INSERT INTO {BeforeImageTable(parent)} ({string.Join(", ", all)}, {Q("__changed_at")}) " +
               $"SELECT {string.Join(", ", all.Select(c => $"{Q("d")}.{c}"))}, SYSUTCDATETIME() FROM {Q("deleted")} AS {Q("d")}; END;";
    }

    /// <summary>Parameter @cutoff (datetime2): removes before-images older than the retention, with the change history they belong to.</summary>
    public static string CleanupBeforeImages(TableSchema parent) => $"DELETE FROM {BeforeImageTable(parent)} WHERE {Q("__changed_at")} < @cutoff;";

    /// <summary>One extraction statement and the filter values it binds.</summary>
    public sealed record Extraction(string Sql, IReadOnlyList<BoundParameter> Parameters);

    /// <summary>
    /// The statement that streams a subjob's rows (see <see cref="IChangeSnapshot.ReadAsync"/>). A full read selects
    /// every row passing the filter. An incremental read takes each key changed after @from from CHANGETABLE, joins
    /// the base table by key, and flags it an upsert only when the row still exists and passes the filter; otherwise
    /// it is a delete by key (the key columns come from CHANGETABLE, so deleted rows still have them). @to bounds the
    /// read at the snapshot's version.
    /// </summary>
    public static Extraction Extract(ExtractionQuery query, bool incremental)
    {
        var renderer = new FilterRenderer(D, query.SchemaOf, query.Parameters);
        var filter = query.Filter is null ? null : renderer.Render(query.Filter, query.Table, TableAlias);
        var table = Table(query.Table);
        var t = Q(TableAlias);
        string sql;
        if (!incremental)
        {
            var columns = string.Join(", ", query.Columns.Select(c => Select(TableAlias, c)));
            sql = $"SELECT 1 AS {Q(UpsertColumn)}, {columns} FROM {table} AS {t}" + (filter is null ? "" : $" WHERE {filter}") + ";";
        }
        else
        {
            var keys = query.KeyColumns.Select(k => k.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var columns = string.Join(", ", query.Columns.Select(c => Select(keys.Contains(c.Name) ? ChangesAlias : TableAlias, c)));
            var ct = Q(ChangesAlias);
            var join = string.Join(" AND ", query.KeyColumns.Select(k => $"{t}.{Q(k.Name)} = {ct}.{Q(k.Name)}"));
            var present = $"{t}.{Q(query.KeyColumns[0].Name)} IS NOT NULL";
            var upsert = filter is null ? present : $"{present} AND {filter}";
            // The candidate keys: the table's changes and, through a parent filter, the children of the parents changed
            // in the range, now and before (ChangeTracking/ParentFilters); each looked up once and tested against the filter.
            var changed = ParentFilters.ChangedKeysSql(query, D, new ParentFilters.ChangeObjects(
                Table, s => $"CHANGETABLE(CHANGES {Table(s)}, @from)", BeforeImageTable,
                alias => $"{alias}.{Q("SYS_CHANGE_VERSION")} <= @to", BeforeImagesByParentKey: true));
            sql = $"WITH {Q("ck")} AS ({changed}) SELECT CASE WHEN {upsert} THEN 1 ELSE 0 END AS {Q(UpsertColumn)}, {columns} " +
                  $"FROM {Q("ck")} AS {ct} LEFT JOIN {table} AS {t} ON {join};";
        }
        return new Extraction(sql, renderer.Parameters.ToList());
    }

    private static string Select(string alias, ColumnSchema column)
    {
        var reference = $"{Q(alias)}.{Q(column.Name)}";
        return SqlServerTypes.ReadConversion(BaseType(column)) is { } type ? $"CONVERT({type}, {reference})" : reference;
    }

    /// <summary>The system type name of a described column (NativeType starts with it).</summary>
    public static string BaseType(ColumnSchema column)
    {
        var paren = column.NativeType.IndexOf('(');
        return paren < 0 ? column.NativeType : column.NativeType[..paren];
    }

    /// <summary>The statement that enables snapshot isolation, for the error message when it is off.</summary>
    public static string AllowSnapshotIsolation(string databaseName) => $"ALTER DATABASE {Q(databaseName)} SET ALLOW_SNAPSHOT_ISOLATION ON";

    public static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
