using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using AsyncServer.Data;
using AsyncServer.Packaging;

namespace AsyncServer.Providers.Sqlite;

/// <summary>
/// SQLite's reading of package values (a <see cref="RowCodec.ValueShortcut"/>). A value's storage class varies
/// from row to row, so every IsDBNull and GetFieldType is a native call (a safe-handle reference and the
/// connection mutex each). GetValue learns the storage class and reads the value in two calls where IsDBNull,
/// GetFieldType and a getter take three. Only the usual storage of integers, timestamps and GUIDs is handled
/// (an integer, ISO timestamp text, GUID text or blob); anything else goes to RowCodec's general path, which
/// converts or refuses it exactly as before.
/// </summary>
internal static class SqliteValueShortcut
{
    public static readonly RowCodec.ValueShortcut Instance =
        new(TryWrite, LogicalType.Int16, LogicalType.Int32, LogicalType.Int64, LogicalType.DateTime, LogicalType.Guid);

    private static bool TryWrite(Utf8JsonWriter json, DbDataReader reader, int ordinal, LogicalType type)
    {
        Span<byte> utf8 = stackalloc byte[64];
        int length;
        switch (reader.GetValue(ordinal))
        {
            case DBNull:
                json.WriteNullValue();
                return true;
            case long integer when type is LogicalType.Int16 or LogicalType.Int32 or LogicalType.Int64:
                json.WriteNumberValue(integer);
                return true;
            case string text when type == LogicalType.DateTime && RowCodec.TryParseIsoText(text, out var stamp):
                if (!stamp.TryFormat(utf8, out length, "O", CultureInfo.InvariantCulture)) throw new FormatException("DateTime too long");
                json.WriteStringValue(utf8[..length]);
                return true;
            case string text when type == LogicalType.Guid && Guid.TryParse(text, out var guid):
                guid.TryFormat(utf8, out length, "D");
                json.WriteStringValue(utf8[..length]);
                return true;
            case byte[] { Length: 16 } bytes when type == LogicalType.Guid:
                new Guid(bytes).TryFormat(utf8, out length, "D");
                json.WriteStringValue(utf8[..length]);
                return true;
            default:
                return false;
        }
    }
}
