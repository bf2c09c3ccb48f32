using AsyncServer.Data;

namespace AsyncServer.Providers.SqlServer;

/// <summary>
/// How one package table is written to one channel table: catalog column names in package order, and the key
/// columns rows are matched on. Built from the channel catalog, so every name here is one the database knows.
/// </summary>
internal sealed record ChannelApplyPlan(TableSchema Table, IReadOnlyList<string> Columns, IReadOnlyList<string> Keys, bool IdentityInsert)
{
    public IReadOnlyList<string> NonKeys => Columns.Where(c => !Keys.Contains(c, StringComparer.OrdinalIgnoreCase)).ToList();
}

/// <summary>
/// Every SQL text the SQL Server channel target sends (tests parse each one with ScriptDom). A package table is
/// bulk-copied into a session temp table shaped like the channel table, then applied by key in set statements:
/// deletes, updates, inserts. The staging table has the channel table's own types and collations because it is
/// created by SELECT ... INTO from the channel table itself (through an outer join, so that every column is
/// nullable and no IDENTITY property is copied); no type name is ever written from package data.
/// </summary>
internal static class SqlServerChannelSql
{
    public const string StageTable = "#asyncserver_stage";
    public const string UpsertColumn = "__upsert";
    public const string SequenceColumn = "__seq";

    private static string Q(string identifier) => SqlServerSql.Q(identifier);
    private static string Stage => Q(StageTable);

    public static string CreateStage(ChannelApplyPlan plan)
    {
        var columns = string.Join(", ", plan.Columns.Select(c => $"[t].{Q(c)}"));
        return $"SELECT {columns}, CONVERT(bit, NULL) AS {Q(UpsertColumn)}, CONVERT(bigint, NULL) AS {Q(SequenceColumn)} INTO {Stage} " +
               $"FROM (SELECT 1 AS [one]) AS [d] LEFT JOIN {SqlServerSql.Table(plan.Table)} AS [t] ON 1 = 0 WHERE 1 = 0;";
    }

    private static string KeysMatch(ChannelApplyPlan plan, string left, string right)
        => string.Join(" AND ", plan.Keys.Select(k => $"{Q(left)}.{Q(k)} = {Q(right)}.{Q(k)}"));

    /// <summary>A key staged twice keeps only its last row, as applying the rows one by one in order would.</summary>
    public static string DeduplicateStage(ChannelApplyPlan plan) =>
        $"DELETE [s] FROM {Stage} AS [s] WHERE EXISTS (SELECT 1 FROM {Stage} AS [n] " +
        $"WHERE {KeysMatch(plan, "n", "s")} AND [n].{Q(SequenceColumn)} > [s].{Q(SequenceColumn)});";

    public static string ApplyDeletes(ChannelApplyPlan plan) =>
        $"DELETE [t] FROM {SqlServerSql.Table(plan.Table)} AS [t] " +
        $"WHERE EXISTS (SELECT 1 FROM {Stage} AS [s] WHERE [s].{Q(UpsertColumn)} = 0 AND {KeysMatch(plan, "s", "t")});";

    /// <summary>Null when every column is a key column (nothing to update).</summary>
    public static string? ApplyUpdates(ChannelApplyPlan plan)
    {
        var nonKeys = plan.NonKeys;
        if (nonKeys.Count == 0) return null;
        var set = string.Join(", ", nonKeys.Select(c => $"[t].{Q(c)} = [s].{Q(c)}"));
        return $"UPDATE [t] SET {set} FROM {SqlServerSql.Table(plan.Table)} AS [t] " +
               $"INNER JOIN {Stage} AS [s] ON {KeysMatch(plan, "s", "t")} WHERE [s].{Q(UpsertColumn)} = 1;";
    }

    public static string ApplyInserts(ChannelApplyPlan plan)
    {
        var table = SqlServerSql.Table(plan.Table);
        var columns = string.Join(", ", plan.Columns.Select(Q));
        var values = string.Join(", ", plan.Columns.Select(c => $"[s].{Q(c)}"));
        var insert = $"INSERT INTO {table} ({columns}) SELECT {values} FROM {Stage} AS [s] WHERE [s].{Q(UpsertColumn)} = 1 " +
                     $"AND NOT EXISTS (SELECT 1 FROM {table} AS [t] WHERE {KeysMatch(plan, "s", "t")});";
        return plan.IdentityInsert ? $"SET IDENTITY_INSERT {table} ON; {insert} SET IDENTITY_INSERT {table} OFF;" : insert;
    }

    public static string DropStage => $"DROP TABLE {Stage};";

    /// <summary>
    /// The built-in type a channel column of a logical type gets when the target creates a missing table. Key
    /// columns get bounded types, because an index key is limited to 900 bytes.
    /// </summary>
    public static string ColumnType(LogicalType type, bool key) => type switch
    {
        LogicalType.String => key ? "nvarchar(450)" : "nvarchar(max)",
        LogicalType.Int16 => "smallint",
        LogicalType.Int32 => "int",
        LogicalType.Int64 => "bigint",
        LogicalType.Decimal => "decimal(38,16)",
        LogicalType.Double => "float",
        LogicalType.Boolean => "bit",
        LogicalType.DateTime => "datetime2(7)",
        LogicalType.Date => "date",
        LogicalType.DateTimeOffset => "datetimeoffset(7)",
        LogicalType.Time => "time(7)",
        LogicalType.Guid => "uniqueidentifier",
        _ => key ? "varbinary(900)" : "varbinary(max)",
    };

    /// <summary>
    /// Creates a channel table the package needs and the channel database lacks, with the package's columns, types
    /// from <see cref="ColumnType"/> and its key columns as primary key. Without a schema in the name the table goes
    /// to the login's default schema (one-part name).
    /// </summary>
    public static string CreateTable(QualifiedName name, Packaging.PackageTable table)
    {
        var columns = table.Columns.Select(c =>
        {
            var key = table.KeyColumns.Contains(c.Name);
            return $"{Q(c.Name)} {ColumnType(c.Type, key)} {(c.Nullable && !key ? "NULL" : "NOT NULL")}";
        });
        var target = name.Schema is null ? Q(name.Name) : $"{Q(name.Schema)}.{Q(name.Name)}";
        return $"CREATE TABLE {target} ({string.Join(", ", columns)}, PRIMARY KEY ({string.Join(", ", table.KeyColumns.Select(Q))}));";
    }

    /// <summary>
    /// Empties a channel table before a full sync with "delete existing data" (DELETE, not TRUNCATE, so it is transactional
    /// under foreign keys too).
    /// </summary>
    public static string DeleteAll(TableSchema table) => $"DELETE FROM {SqlServerSql.Table(table)};";
}
