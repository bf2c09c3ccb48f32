using System.Data;
using AsyncServer.Data;

namespace AsyncServer.Providers.SqlServer;

/// <summary>
/// Maps SQL Server's system type names (as sys.types spells them, alias types resolved to their base type)
/// onto the package's logical types, and says which types must be converted while they are read.
/// </summary>
internal static class SqlServerTypes
{
    public static LogicalType FromSystemType(string typeName) => typeName.ToLowerInvariant() switch
    {
        "char" or "varchar" or "nchar" or "nvarchar" or "text" or "ntext" or "xml" or "sysname" => LogicalType.String,
        "tinyint" or "smallint" => LogicalType.Int16,
        "int" => LogicalType.Int32,
        "bigint" => LogicalType.Int64,
        "decimal" or "numeric" or "money" or "smallmoney" => LogicalType.Decimal,
        "float" or "real" => LogicalType.Double,
        "bit" => LogicalType.Boolean,
        "date" => LogicalType.Date,
        "datetime" or "datetime2" or "smalldatetime" => LogicalType.DateTime,
        "datetimeoffset" => LogicalType.DateTimeOffset,
        "time" => LogicalType.Time,
        "uniqueidentifier" => LogicalType.Guid,
        "binary" or "varbinary" or "image" or "timestamp" or "rowversion" => LogicalType.Binary,
        // sql_variant and the CLR types (hierarchyid, geometry, geography) travel as their text form.
        _ => LogicalType.String,
    };

    /// <summary>
    /// The built-in type a column is converted to while it is read, or null when the data reader already returns
    /// the CLR type the package writer expects: real comes back as float (the writer reads doubles), and types
    /// without a plain CLR form come back as text.
    /// </summary>
    public static string? ReadConversion(string typeName) => typeName.ToLowerInvariant() switch
    {
        "real" => "float",
        "sql_variant" or "hierarchyid" or "geometry" or "geography" => "nvarchar(max)",
        _ => null,
    };

    /// <summary>The native type as it would be declared, e.g. <c>nvarchar(20)</c>, <c>decimal(32,16)</c>; informational only.</summary>
    public static string Declared(string typeName, int maxLength, int precision, int scale)
    {
        var t = typeName.ToLowerInvariant();
        return t switch
        {
            "nchar" or "nvarchar" => maxLength < 0 ? $"{t}(max)" : $"{t}({maxLength / 2})",
            "char" or "varchar" or "binary" or "varbinary" => maxLength < 0 ? $"{t}(max)" : $"{t}({maxLength})",
            "decimal" or "numeric" => $"{t}({precision},{scale})",
            "datetime2" or "datetimeoffset" or "time" => $"{t}({scale})",
            _ => t,
        };
    }

    /// <summary>The CLR type of a package value of this logical type, for the bulk-copy staging rows.</summary>
    public static Type ClrType(LogicalType type) => type switch
    {
        LogicalType.String => typeof(string),
        LogicalType.Int16 => typeof(short),
        LogicalType.Int32 => typeof(int),
        LogicalType.Int64 => typeof(long),
        LogicalType.Decimal => typeof(decimal),
        LogicalType.Double => typeof(double),
        LogicalType.Boolean => typeof(bool),
        LogicalType.DateTime or LogicalType.Date => typeof(DateTime),
        LogicalType.DateTimeOffset => typeof(DateTimeOffset),
        LogicalType.Time => typeof(TimeSpan),
        LogicalType.Guid => typeof(Guid),
        _ => typeof(byte[]),
    };

    public static SqlDbType ParameterType(LogicalType type) => type switch
    {
        LogicalType.String => SqlDbType.NVarChar,
        LogicalType.Int16 => SqlDbType.SmallInt,
        LogicalType.Int32 => SqlDbType.Int,
        LogicalType.Int64 => SqlDbType.BigInt,
        LogicalType.Decimal => SqlDbType.Decimal,
        LogicalType.Double => SqlDbType.Float,
        LogicalType.Boolean => SqlDbType.Bit,
        LogicalType.DateTime => SqlDbType.DateTime2,
        LogicalType.Date => SqlDbType.Date,
        LogicalType.DateTimeOffset => SqlDbType.DateTimeOffset,
        LogicalType.Time => SqlDbType.Time,
        LogicalType.Guid => SqlDbType.UniqueIdentifier,
        _ => SqlDbType.VarBinary,
    };
}
