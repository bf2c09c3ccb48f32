using AsyncServer.Data;

namespace AsyncServer.Providers.Sqlite;

/// <summary>
/// SQLite columns have declared types, not enforced ones. We read the declared type the way SQLite's own
/// affinity rules do, refined by the names AX-style schemas use (DECIMAL, DATETIME, UNIQUEIDENTIFIER).
/// </summary>
internal static class SqliteTypes
{
    public static LogicalType FromDeclared(string? declared)
    {
        var t = (declared ?? "").ToUpperInvariant();
        if (t.Contains("GUID") || t.Contains("UNIQUEIDENTIFIER") || t.Contains("UUID")) return LogicalType.Guid;
        if (t.Contains("BOOL") || t == "BIT") return LogicalType.Boolean;
        if (t.Contains("DATETIMEOFFSET")) return LogicalType.DateTimeOffset;
        if (t.Contains("DATETIME") || t.Contains("TIMESTAMP")) return LogicalType.DateTime;
        if (t == "DATE") return LogicalType.Date;
        if (t == "TIME") return LogicalType.Time;
        if (t.Contains("DECIMAL") || t.Contains("NUMERIC") || t.Contains("MONEY")) return LogicalType.Decimal;
        if (t.Contains("SMALLINT")) return LogicalType.Int16;
        if (t.Contains("INT")) return t.Contains("BIG") || t == "INTEGER" ? LogicalType.Int64 : LogicalType.Int32;
        if (t.Contains("CHAR") || t.Contains("CLOB") || t.Contains("TEXT")) return LogicalType.String;
        if (t.Contains("REAL") || t.Contains("FLOA") || t.Contains("DOUB")) return LogicalType.Double;
        if (t.Contains("BLOB") || t.Contains("BINARY") || t.Length == 0) return LogicalType.Binary;
        return LogicalType.Decimal; // SQLite's NUMERIC affinity for anything else
    }

    /// <summary>The declared type we give a channel column of this logical type.</summary>
    public static string ToDeclared(LogicalType type) => type switch
    {
        LogicalType.String => "TEXT",
        LogicalType.Int16 => "SMALLINT",
        LogicalType.Int32 => "INT",
        LogicalType.Int64 => "BIGINT",
        LogicalType.Decimal => "DECIMAL",
        LogicalType.Double => "REAL",
        LogicalType.Boolean => "BOOLEAN",
        LogicalType.DateTime => "DATETIME",
        LogicalType.DateTimeOffset => "DATETIMEOFFSET",
        LogicalType.Date => "DATE",
        LogicalType.Time => "TIME",
        LogicalType.Guid => "UNIQUEIDENTIFIER",
        _ => "BLOB",
    };
}
