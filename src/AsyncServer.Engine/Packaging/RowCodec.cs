using System.Buffers;
using System.Buffers.Text;
using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using AsyncServer.Data;

namespace AsyncServer.Packaging;

/// <summary>
/// Encodes and decodes package rows. A row is one JSON array per line: <c>["U", v1, v2, ...]</c> with every
/// column for an upsert, <c>["D", k1, k2, ...]</c> with the key columns for a delete. Values use the exact
/// text forms of <see cref="ValueText"/> where JSON numbers would lose precision (decimal, double, dates).
/// </summary>
internal static class RowCodec
{
    public static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    /// <summary>
    /// A provider's own reading of values of some types, tried before the general one: <see cref="TryWrite"/> writes
    /// the value and returns true, or returns false and leaves it to the general path (which then converts or
    /// refuses it). The types are a bit mask, so a column of another type costs one test, not a call.
    /// </summary>
    public sealed class ValueShortcut(ValueShortcut.Writer tryWrite, params LogicalType[] types)
    {
        public delegate bool Writer(Utf8JsonWriter json, DbDataReader reader, int ordinal, LogicalType type);

        private readonly ulong _types = types.Aggregate(0UL, (mask, t) => mask | 1UL << (int)t);

        public Writer TryWrite { get; } = tryWrite;

        public bool Handles(LogicalType type) => (_types & 1UL << (int)type) != 0;
    }

    /// <summary>Writes the current row of <paramref name="reader"/> (column 0 = upsert flag).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per row or per field: optimized from the first row, not after tiering
    public static bool WriteRow(Utf8JsonWriter json, DbDataReader reader, IReadOnlyList<LogicalType> types, IReadOnlyList<int> keyIndexes,
        ValueShortcut? shortcut = null)
    {
        var upsert = ReadInt64(reader, 0) != 0;
        json.WriteStartArray();
        json.WriteStringValue(upsert ? "U"u8 : "D"u8);
        if (upsert)
            for (var i = 0; i < types.Count; i++) WriteValue(json, reader, i + 1, types[i], shortcut);
        else
            foreach (var k in keyIndexes) WriteValue(json, reader, k + 1, types[k], shortcut);
        json.WriteEndArray();
        return upsert;
    }

    // The hot path formats straight into UTF-8 on the stack: no boxing, no intermediate strings. The text is
    // exactly what ValueText.Format produces (tests/.../PackageFidelityTests round-trip every type).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per row or per field: optimized from the first row, not after tiering
    private static void WriteValue(Utf8JsonWriter json, DbDataReader reader, int ordinal, LogicalType type, ValueShortcut? shortcut)
    {
        if (shortcut is not null && shortcut.Handles(type) && shortcut.TryWrite(json, reader, ordinal, type)) return;
        if (reader.IsDBNull(ordinal)) { json.WriteNullValue(); return; }
        Span<byte> utf8 = stackalloc byte[64];
        int length;
        switch (type)
        {
            case LogicalType.String: json.WriteStringValue(reader.GetString(ordinal)); break;
            case LogicalType.Int16:
            case LogicalType.Int32:
            case LogicalType.Int64: json.WriteNumberValue(ReadInt64(reader, ordinal)); break;
            case LogicalType.Boolean: json.WriteBooleanValue(Convert.ToBoolean(reader.GetValue(ordinal), CultureInfo.InvariantCulture)); break;
            case LogicalType.Decimal:
                // decimal's default format with the invariant culture, as ValueText.Format.
                if (!reader.GetDecimal(ordinal).TryFormat(utf8, out length, default, CultureInfo.InvariantCulture))
                    throw new FormatException("decimal too long");
                json.WriteStringValue(utf8[..length]);
                break;
            case LogicalType.Double: json.WriteStringValue(ValueText.Format(reader.GetDouble(ordinal), type)); break;
            case LogicalType.DateTime:
                // "O" of an unspecified-kind DateTime is exactly yyyy-MM-ddTHH:mm:ss.fffffff (ValueText's form), on the fast path.
                if (!DateTime.SpecifyKind(ReadDateTime(reader, ordinal), DateTimeKind.Unspecified)
                        .TryFormat(utf8, out length, "O", CultureInfo.InvariantCulture))
                    throw new FormatException("DateTime too long");
                json.WriteStringValue(utf8[..length]);
                break;
            case LogicalType.Date: json.WriteStringValue(ValueText.Format(reader.GetDateTime(ordinal), type)); break;
            case LogicalType.DateTimeOffset: json.WriteStringValue(ValueText.Format(reader.GetFieldValue<DateTimeOffset>(ordinal), type)); break;
            case LogicalType.Time: json.WriteStringValue(ValueText.Format(reader.GetFieldValue<TimeSpan>(ordinal), type)); break;
            case LogicalType.Guid:
                if (!reader.GetGuid(ordinal).TryFormat(utf8, out length, "D")) throw new FormatException("Guid too long");
                json.WriteStringValue(utf8[..length]);
                break;
            case LogicalType.Binary: json.WriteBase64StringValue(reader.GetFieldValue<byte[]>(ordinal)); break;
            default: throw new NotSupportedException(type.ToString());
        }
    }

    /// <summary>
    /// A timestamp column. Providers that keep timestamps as text (SQLite: "yyyy-MM-dd HH:mm:ss.FFFFFFF", as
    /// Microsoft.Data.Sqlite writes them) would have it parsed by the general DateTime.Parse, the costliest call
    /// of a full sync; that exact shape is parsed here (same value), anything else goes to the provider.
    /// </summary>
    private static DateTime ReadDateTime(DbDataReader reader, int ordinal)
    {
        if (reader.GetFieldType(ordinal) == typeof(string) && TryParseIsoText(reader.GetString(ordinal), out var value)) return value;
        return reader.GetDateTime(ordinal);
    }

    /// <summary>yyyy-MM-dd HH:mm:ss or yyyy-MM-ddTHH:mm:ss, with an optional fraction of 1-7 digits; no offset.</summary>
    internal static bool TryParseIsoText(ReadOnlySpan<char> s, out DateTime value)
    {
        value = default;
        if (s.Length < 19 || s.Length == 20 || s.Length > 27 || s[4] != '-' || s[7] != '-' || (s[10] != ' ' && s[10] != 'T') || s[13] != ':' || s[16] != ':')
            return false;
        if (!Digits(s[..4], out var year) || !Digits(s.Slice(5, 2), out var month) || !Digits(s.Slice(8, 2), out var day)
            || !Digits(s.Slice(11, 2), out var hour) || !Digits(s.Slice(14, 2), out var minute) || !Digits(s.Slice(17, 2), out var second))
            return false;
        long fraction = 0;
        if (s.Length > 19)
        {
            if (s[19] != '.' || !Digits(s[20..], out var f)) return false;
            fraction = f;
            for (var i = s.Length - 20; i < 7; i++) fraction *= 10;
        }
        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year < 1 ? 1 : year, month) || hour > 23 || minute > 59 || second > 59 || year < 1)
            return false;
        value = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).AddTicks(fraction);
        return true;

        static bool Digits(ReadOnlySpan<char> digits, out int number)
        {
            number = 0;
            foreach (var c in digits)
            {
                if (c is < '0' or > '9') return false;
                number = number * 10 + (c - '0');
            }
            return true;
        }
    }

    /// <summary>An integer column as long, without boxing when the provider hands out a CLR integer type.</summary>
    private static long ReadInt64(DbDataReader reader, int ordinal)
    {
        var clr = reader.GetFieldType(ordinal);
        if (clr == typeof(long)) return reader.GetInt64(ordinal);
        if (clr == typeof(int)) return reader.GetInt32(ordinal);
        if (clr == typeof(short)) return reader.GetInt16(ordinal);
        return Convert.ToInt64(reader.GetValue(ordinal), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Parses one line (line <paramref name="lineNumber"/> of <paramref name="file"/>, named in errors).
    /// Values come back as CLR values of the column's logical type.
    /// </summary>
    public static PackageRow ReadRow(ReadOnlySpan<byte> line, IReadOnlyList<LogicalType> types, IReadOnlyList<int> keyIndexes, string file, long lineNumber)
    {
        var reader = new Utf8JsonReader(line);
        var upsert = ReadOperation(ref reader, file, lineNumber);
        var values = new object?[types.Count];
        var count = upsert ? types.Count : keyIndexes.Count;
        for (var i = 0; i < count; i++)
        {
            ReadNextValue(ref reader, i, count, file, lineNumber);
            var column = upsert ? i : keyIndexes[i];
            values[column] = ReadValue(ref reader, types[column], file, lineNumber);
        }
        ReadEnd(ref reader, line, count, file, lineNumber);
        return new PackageRow(upsert, values);
    }

    // The pieces of a row, shared with readers that decode lines straight into another format (the PostgreSQL
    // channel target's COPY encoder): the same checks, the same values, the same error messages.

    /// <summary>Reads the opening of a row: true for an upsert ("U"), false for a delete ("D").</summary>
    internal static bool ReadOperation(ref Utf8JsonReader reader, string file, long lineNumber)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray) throw Bad(file, lineNumber, "a row must be a JSON array");
        if (!reader.Read() || reader.TokenType != JsonTokenType.String) throw Bad(file, lineNumber, "a row must start with \"U\" or \"D\"");
        return reader.ValueTextEquals("U"u8)
            || (reader.ValueTextEquals("D"u8) ? false : throw Bad(file, lineNumber, $"unknown row operation '{reader.GetString()}'"));
    }

    /// <summary>Moves to value <paramref name="index"/> of <paramref name="count"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // once per value: the error is built elsewhere
    internal static void ReadNextValue(ref Utf8JsonReader reader, int index, int count, string file, long lineNumber)
    {
        if (!reader.Read() || reader.TokenType == JsonTokenType.EndArray) throw MissingValue(index, count, file, lineNumber);
    }

    private static PackageFormatException MissingValue(int index, int count, string file, long lineNumber)
        => Bad(file, lineNumber, $"row has {index} values, expected {count}");

    /// <summary>Checks that the row ends after its <paramref name="count"/> values, and the line after the row.</summary>
    internal static void ReadEnd(ref Utf8JsonReader reader, ReadOnlySpan<byte> line, int count, string file, long lineNumber)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.EndArray) throw Bad(file, lineNumber, $"row has more than {count} values");
        // Nothing but white space may follow the row's array (compared, not read: one more Read per row costs 5 %).
        if (reader.BytesConsumed != line.Length && line[(int)reader.BytesConsumed..].IndexOfAnyExcept(" \t\r"u8) >= 0)
            throw Bad(file, lineNumber, "the row is not valid JSON: something follows the row's closing bracket");
    }

    /// <summary>The error for a value that does not parse as its type (the exceptions the typed readers below throw).</summary>
    internal static bool IsMalformedValue(Exception ex) => ex is InvalidOperationException or FormatException or OverflowException;

    internal static PackageFormatException MalformedValue(string file, long lineNumber, LogicalType type, Exception ex)
        => Bad(file, lineNumber, $"a {type} value is malformed: {ex.Message}");

    /// <summary>The error for a line the JSON reader cannot parse at all (Utf8JsonReader throws JsonException).</summary>
    internal static PackageFormatException NotJson(string file, long lineNumber, JsonException ex)
        => Bad(file, lineNumber, $"the row is not valid JSON: {ex.Message}");

    private static object? ReadValue(ref Utf8JsonReader reader, LogicalType type, string file, long lineNumber)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        try
        {
            return type switch
            {
                LogicalType.Int16 => reader.GetInt16(),
                LogicalType.Int32 => reader.GetInt32(),
                LogicalType.Int64 => reader.GetInt64(),
                LogicalType.Boolean => reader.GetBoolean(),
                LogicalType.Binary => reader.GetBytesFromBase64(),
                LogicalType.String => reader.GetString(),
                LogicalType.Decimal => ReadDecimal(ref reader),
                LogicalType.DateTime => ReadDateTime(ref reader),
                LogicalType.Guid => ReadGuid(ref reader),
                LogicalType.Double => ReadDouble(ref reader),
                _ => ReadText(ref reader, type),
            };
        }
        catch (Exception ex) when (IsMalformedValue(ex))
        {
            throw MalformedValue(file, lineNumber, type, ex);
        }
    }

    // Typed readers of a non-null value. Fast paths parse the writer's own text forms straight from UTF-8 (decimal,
    // timestamp and GUID exactly as ValueText.Format writes them); anything else (escaped text, other spellings)
    // takes the general path through ValueText.Parse, which also produces the error messages.

    internal static decimal ReadDecimal(ref Utf8JsonReader reader)
        => reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped
           && decimal.TryParse(reader.ValueSpan, NumberStyles.Number | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var d)
            ? d
            : (decimal)ValueText.Parse(reader.GetString()!, LogicalType.Decimal);

    /// <summary>yyyy-MM-ddTHH:mm:ss.fffffff, no offset: an unspecified-kind DateTime, as DateTime.Parse with RoundtripKind gives.</summary>
    internal static DateTime ReadDateTime(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && reader.ValueSpan.Length == 27
            && Utf8Parser.TryParse(reader.ValueSpan, out DateTime dt, out var used, 'O') && used == 27 && dt.Kind == DateTimeKind.Unspecified)
            return dt;
        return (DateTime)ValueText.Parse(reader.GetString()!, LogicalType.DateTime);
    }

    internal static Guid ReadGuid(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && reader.ValueSpan.Length == 36
            && Utf8Parser.TryParse(reader.ValueSpan, out Guid g, out var used, 'D') && used == 36)
            return g;
        return (Guid)ValueText.Parse(reader.GetString()!, LogicalType.Guid);
    }

    /// <summary>The "R" form (or any other double.Parse accepts with the invariant culture).</summary>
    internal static double ReadDouble(ref Utf8JsonReader reader)
        => reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped
           && double.TryParse(reader.ValueSpan, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
            ? d
            : (double)ValueText.Parse(reader.GetString()!, LogicalType.Double);

    /// <summary>Date, Time, DateTimeOffset (and any other type kept as text): ValueText's form in a JSON string.</summary>
    internal static object ReadText(ref Utf8JsonReader reader, LogicalType type) => ValueText.Parse(reader.GetString()!, type);

    private static PackageFormatException Bad(string file, long lineNumber, string message) => new($"{file} line {lineNumber}: {message}");
}

/// <summary>One decoded row: values indexed like the manifest's columns (non-key values are null for deletes).</summary>
public readonly record struct PackageRow(bool Upsert, object?[] Values);

/// <summary>The package does not follow docs/package-format.md.</summary>
public sealed class PackageFormatException(string message) : Exception(message);
