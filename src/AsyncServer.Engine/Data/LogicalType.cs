namespace AsyncServer.Data;

/// <summary>
/// The provider-independent column types a package carries. Each provider maps its native types
/// onto these when reading HQ and back when creating or writing channel tables.
/// </summary>
public enum LogicalType
{
    String,
    Int16,
    Int32,
    Int64,
    Decimal,
    Double,
    Boolean,
    DateTime,
    DateTimeOffset,
    Date,
    Time,
    Guid,
    Binary,
}
