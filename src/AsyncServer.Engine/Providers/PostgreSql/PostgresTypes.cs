using AsyncServer.Data;
using NpgsqlTypes;

namespace AsyncServer.Providers.PostgreSql;

/// <summary>
/// PostgreSQL catalog types onto the package's logical types, and back for bulk loading. Types with no
/// logical counterpart (json, xml, intervals, arrays ...) travel as their text form.
/// </summary>
internal static class PostgresTypes
{
    /// <param name="typeName">pg_type.typname of the column's base type.</param>
    public static LogicalType FromCatalog(string typeName) => typeName switch
    {
        "numeric" or "money" => LogicalType.Decimal,
        "timestamp" => LogicalType.DateTime,
        "timestamptz" => LogicalType.DateTimeOffset,
        "uuid" => LogicalType.Guid,
        "bytea" => LogicalType.Binary,
        "int2" => LogicalType.Int16,
        "int4" => LogicalType.Int32,
        "int8" => LogicalType.Int64,
        "bool" => LogicalType.Boolean,
        "float8" or "float4" => LogicalType.Double,
        "date" => LogicalType.Date,
        "time" => LogicalType.Time,
        _ => LogicalType.String, // text, varchar, bpchar, name, citext natively; anything else as its text form
    };

    /// <summary>
    /// The SELECT expression reading a column as its logical type: types that Npgsql would not hand back as
    /// that CLR type (money, real, json, intervals ...) are cast in SQL. NativeType is format_type's spelling.
    /// </summary>
    public static string ReadExpression(ColumnSchema column, string qualifiedColumn)
    {
        var native = column.NativeType;
        return column.Type switch
        {
            LogicalType.String when !IsText(native) => $"{qualifiedColumn}::text",
            LogicalType.Decimal when native == "money" => $"{qualifiedColumn}::numeric",
            LogicalType.Double when native == "real" => $"{qualifiedColumn}::double precision",
            _ => qualifiedColumn,
        };
    }

    /// <summary>
    /// The expression storing a staged value into a channel column. Assignment casts cover every mapped type
    /// (and reject values that do not fit); types carried as text (json, xml ...) have none, so they get an
    /// explicit cast to the column's catalog type.
    /// </summary>
    public static string WriteExpression(ColumnSchema target, LogicalType staged, string stagedColumn)
        => staged == LogicalType.String && target.Type == LogicalType.String && !IsText(target.NativeType)
            ? $"CAST({stagedColumn} AS {target.NativeType})"
            : stagedColumn;

    private static bool IsText(string native) =>
        native == "text" || native == "name" || native == "citext" || native.StartsWith("character", StringComparison.Ordinal);

    /// <summary>
    /// Whether binary COPY can write values of the logical type straight into a column of this catalog type
    /// (format_type's spelling): the column's type is the one COPY writes, or varchar / numeric with a length or
    /// precision. COPY hands the column's typmod to the type's receive function, which checks and rounds exactly
    /// as the assignment cast of the staging path does (too long a string or too large a number is an error).
    /// </summary>
    public static bool IsExactly(string nativeType, LogicalType type) => type switch
    {
        LogicalType.DateTime => nativeType == "timestamp without time zone",
        LogicalType.DateTimeOffset => nativeType == "timestamp with time zone",
        LogicalType.Time => nativeType == "time without time zone",
        LogicalType.String => nativeType == "text" || nativeType.StartsWith("character varying", StringComparison.Ordinal),
        LogicalType.Decimal => nativeType == "numeric" || nativeType.StartsWith("numeric(", StringComparison.Ordinal),
        _ => nativeType == ToDeclared(type),
    };

    /// <summary>How a value of this logical type is written by binary COPY.</summary>
    public static NpgsqlDbType ToNpgsql(LogicalType type) => type switch
    {
        LogicalType.String => NpgsqlDbType.Text,
        LogicalType.Int16 => NpgsqlDbType.Smallint,
        LogicalType.Int32 => NpgsqlDbType.Integer,
        LogicalType.Int64 => NpgsqlDbType.Bigint,
        LogicalType.Decimal => NpgsqlDbType.Numeric,
        LogicalType.Double => NpgsqlDbType.Double,
        LogicalType.Boolean => NpgsqlDbType.Boolean,
        LogicalType.DateTime => NpgsqlDbType.Timestamp,
        LogicalType.DateTimeOffset => NpgsqlDbType.TimestampTz,
        LogicalType.Date => NpgsqlDbType.Date,
        LogicalType.Time => NpgsqlDbType.Time,
        LogicalType.Guid => NpgsqlDbType.Uuid,
        _ => NpgsqlDbType.Bytea,
    };

    /// <summary>The column type a staging table uses for a logical type (values are cast to the channel column's own type on upsert).</summary>
    public static string ToDeclared(LogicalType type) => type switch
    {
        LogicalType.String => "text",
        LogicalType.Int16 => "smallint",
        LogicalType.Int32 => "integer",
        LogicalType.Int64 => "bigint",
        LogicalType.Decimal => "numeric",
        LogicalType.Double => "double precision",
        LogicalType.Boolean => "boolean",
        LogicalType.DateTime => "timestamp",
        LogicalType.DateTimeOffset => "timestamptz",
        LogicalType.Date => "date",
        LogicalType.Time => "time",
        LogicalType.Guid => "uuid",
        _ => "bytea",
    };

    /// <summary>Converts a value (from a package or a filter) to what Npgsql expects for the logical type.</summary>
    public static object ToProviderValue(object? value, LogicalType type) => value switch
    {
        null => DBNull.Value,
        DateTimeOffset dto => dto.ToUniversalTime(),
        DateTime dt when type is LogicalType.DateTime or LogicalType.Date => DateTime.SpecifyKind(dt, DateTimeKind.Unspecified),
        DateTime dt when type is LogicalType.DateTimeOffset => new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc)),
        _ => value,
    };
}
