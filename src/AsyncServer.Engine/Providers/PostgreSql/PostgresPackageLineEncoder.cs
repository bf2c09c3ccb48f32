using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using AsyncServer.ChangeTracking;
using AsyncServer.Data;
using AsyncServer.Diagnostics;
using AsyncServer.Packaging;

namespace AsyncServer.Providers.PostgreSql;

/// <summary>
/// Encodes one tuple of a binary COPY (field 0 the upsert flag, then the query's columns) as a package line,
/// byte for byte what <see cref="RowCodec"/> writes for the values Npgsql would have read from the same row.
/// It works on the wire bytes: text is already UTF-8, integers, timestamps and GUIDs are formatted straight from
/// their binary form, and numerics from their base-10000 digits, with no CLR value, string or boxing per field.
/// The SELECT (<see cref="PostgresTypes.ReadExpression"/>) guarantees each column's wire type for its logical type.
/// </summary>
internal sealed class PostgresPackageLineEncoder : IDisposable
{
    private const long PostgresEpochTicks = PostgresBinaryFormat.EpochTicks;
    private static readonly DateTime PostgresEpoch = new(PostgresEpochTicks, DateTimeKind.Unspecified);

    /// <summary>"0000" to "9999" as four ASCII bytes (little-endian): the decimal digits of each base-10000 digit of a numeric.</summary>
    private static readonly uint[] DigitGroups = Enumerable.Range(0, 10000)
        .Select(d => BinaryPrimitives.ReadUInt32LittleEndian(Encoding.ASCII.GetBytes(d.ToString("D4", CultureInfo.InvariantCulture)))).ToArray();

    private readonly ExtractionQuery _query;
    private readonly LogicalType[] _types;
    private readonly int[] _keyIndexes;
    private byte[] _line = new byte[1024];
    private int _length;
    private readonly byte[] _scratch = new byte[64]; // the text of a double, date, time or offset timestamp before it is quoted

    // The slow path for values needing JSON escapes (and base64): the very writer RowCodec uses, so the escapes are the same.
    private readonly ArrayBufferWriter<byte> _escaped = new(256);
    private readonly Utf8JsonWriter _json;

    public PostgresPackageLineEncoder(ExtractionQuery query)
    {
        _query = query;
        _types = query.Columns.Select(c => c.Type).ToArray();
        _keyIndexes = DataReaderRowSource.KeyIndexes(query);
        _json = new Utf8JsonWriter(_escaped, RowCodec.WriterOptions);
    }

    public ReadOnlySpan<byte> Line => _line.AsSpan(0, _length);

    /// <summary>Encodes the reader's current tuple; returns whether it is an upsert.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per row or per field: optimized from the first row, not after tiering
    public bool Encode(PostgresBinaryCopyReader tuple)
    {
        if (tuple.FieldCount != _types.Length + 1)
            throw new InvalidDataException($"The COPY of {_query.Table.DisplayName} sent {tuple.FieldCount} fields per row, expected {_types.Length + 1}.");
        var upsert = ReadInteger(tuple.Field(0), 0) != 0;
        _length = 0;
        Append(upsert ? "[\"U\""u8 : "[\"D\""u8);
        if (upsert)
            for (var i = 0; i < _types.Length; i++) WriteField(tuple, i);
        else
            foreach (var k in _keyIndexes) WriteField(tuple, k);
        Append("]"u8);
        return upsert;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per row or per field: optimized from the first row, not after tiering
    private void WriteField(PostgresBinaryCopyReader tuple, int column)
    {
        Append(","u8);
        var field = column + 1;
        if (tuple.IsNull(field)) { Append("null"u8); return; }
        var value = tuple.Field(field);
        var text = _scratch.AsSpan();
        int length;
        switch (_types[column])
        {
            case LogicalType.String: AppendString(value, column); break;
            case LogicalType.Int16:
            case LogicalType.Int32:
            case LogicalType.Int64:
                ReadInteger(value, column).TryFormat(Reserve(20), out length, default, CultureInfo.InvariantCulture);
                _length += length;
                break;
            case LogicalType.Boolean: Append(Fixed(value, 1, column)[0] != 0 ? "true"u8 : "false"u8); break;
            case LogicalType.Decimal: AppendNumeric(value, column); break;
            case LogicalType.Double:
                var d = BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64BigEndian(Fixed(value, 8, column)));
                d.TryFormat(text, out length, "R", CultureInfo.InvariantCulture);
                AppendString(text[..length], column);
                break;
            case LogicalType.DateTime:
                // yyyy-MM-ddTHH:mm:ss.fffffff: digits and punctuation JSON never escapes, formatted in place.
                var stamp = Timestamp(value, column);
                var room = Reserve(29);
                AppendQuoted(room, stamp.TryFormat(room[1..], out length, "O", CultureInfo.InvariantCulture), length);
                break;
            case LogicalType.DateTimeOffset:
                new DateTimeOffset(Timestamp(value, column).Ticks, TimeSpan.Zero)
                    .TryFormat(text, out length, "yyyy-MM-dd'T'HH:mm:ss.fffffffzzz", CultureInfo.InvariantCulture);
                AppendString(text[..length], column);
                break;
            case LogicalType.Date:
                Date(value, column).TryFormat(text, out length, "yyyy-MM-dd", CultureInfo.InvariantCulture);
                AppendString(text[..length], column);
                break;
            case LogicalType.Time:
                new TimeSpan(BinaryPrimitives.ReadInt64BigEndian(Fixed(value, 8, column)) * TimeSpan.TicksPerMicrosecond)
                    .TryFormat(text, out length, "c", CultureInfo.InvariantCulture);
                AppendString(text[..length], column);
                break;
            case LogicalType.Guid:
                var guid = new Guid(Fixed(value, 16, column), bigEndian: true);
                room = Reserve(38);
                AppendQuoted(room, guid.TryFormat(room[1..], out length, "D"), length);
                break;
            case LogicalType.Binary:
                _escaped.ResetWrittenCount();
                _json.Reset();
                _json.WriteBase64StringValue(value);
                _json.Flush();
                Append(_escaped.WrittenSpan);
                break;
            default: throw new NotSupportedException(_types[column].ToString());
        }
    }

    /// <summary>Closes a value formatted in place at <c>span[1..]</c> (text JSON never escapes) into a quoted string.</summary>
    private void AppendQuoted(Span<byte> span, bool formatted, int length)
    {
        if (!formatted) throw new InvalidOperationException("A value did not fit its reserved room.");
        span[0] = (byte)'"';
        span[length + 1] = (byte)'"';
        _length += length + 2;
    }

    /// <summary>A JSON string of UTF-8 text: quoted as is when nothing needs escaping (the common case), else through the JSON writer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per row or per field: optimized from the first row, not after tiering
    private void AppendString(ReadOnlySpan<byte> utf8, int column)
    {
        if (RowCodec.WriterOptions.Encoder!.FindFirstCharacterToEncodeUtf8(utf8) < 0)
        {
            var span = Reserve(utf8.Length + 2);
            span[0] = (byte)'"';
            utf8.CopyTo(span[1..]);
            span[utf8.Length + 1] = (byte)'"';
            _length += utf8.Length + 2;
            return;
        }
        _escaped.ResetWrittenCount();
        _json.Reset();
        try
        {
            _json.WriteStringValue(utf8);
        }
        catch (ArgumentException ex)
        {
            throw Unrepresentable(column, "text that is not valid UTF-8", ex.Message);
        }
        _json.Flush();
        Append(_escaped.WrittenSpan);
    }

    /// <summary>
    /// A numeric (int16 digit count, int16 weight, uint16 sign, int16 display scale, base-10000 digits) as the text
    /// decimal.ToString gives for the decimal Npgsql reads: every digit, the scale kept. Numbers of more than 28
    /// digits go through decimal (which may shorten the scale, never the value); NaN, infinities and numbers beyond
    /// decimal's range are refused, as reading them into a decimal is.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per row or per field: optimized from the first row, not after tiering
    private void AppendNumeric(ReadOnlySpan<byte> value, int column)
    {
        if (value.Length < 8) throw Malformed(column);
        int count = BinaryPrimitives.ReadInt16BigEndian(value), weight = BinaryPrimitives.ReadInt16BigEndian(value[2..]);
        int sign = BinaryPrimitives.ReadUInt16BigEndian(value[4..]), scale = BinaryPrimitives.ReadInt16BigEndian(value[6..]);
        if (sign is not (0x0000 or 0x4000))
            throw Unrepresentable(column, sign == 0xC000 ? "NaN" : "an infinite number", "a package decimal is a finite number");
        if (value.Length != 8 + 2 * count) throw Malformed(column);

        var integerGroups = Math.Max(weight + 1, 1);
        var text = Reserve(4 * integerGroups + scale + 8);
        var p = 0;
        text[p++] = (byte)'"';
        if (sign == 0x4000) text[p++] = (byte)'-';
        var significant = 0;
        if (weight < 0) text[p++] = (byte)'0';
        else
            for (var i = 0; i <= weight; i++)
            {
                var d = Digit(value, count, i);
                if (i == 0)
                {
                    // The leading group without its leading zeros.
                    d.TryFormat(text[p..], out var w, default, CultureInfo.InvariantCulture);
                    p += w;
                    significant += d == 0 ? 0 : w;
                }
                else
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(text[p..], DigitGroups[d]);
                    p += 4;
                    significant += 4;
                }
            }
        if (scale > 0)
        {
            text[p++] = (byte)'.';
            for (int i = weight + 1, written = 0; written < scale; i++)
            {
                // All four digits are written (the reserved room has slack); only the scale's count is kept.
                BinaryPrimitives.WriteUInt32LittleEndian(text[p..], DigitGroups[Digit(value, count, i)]);
                var n = Math.Min(4, scale - written);
                p += n;
                written += n;
            }
            significant += scale;
        }
        text[p++] = (byte)'"';
        if (significant <= 28)
        {
            _length += p;
            return;
        }
        AppendBeyondDecimalDigits(Encoding.ASCII.GetString(text[1..(p - 1)]), column);
    }

    /// <summary>Digit group <paramref name="i"/> of a numeric (0 outside the stored groups).</summary>
    private static int Digit(ReadOnlySpan<byte> numeric, int count, int i)
        => i >= 0 && i < count ? BinaryPrimitives.ReadInt16BigEndian(numeric[(8 + 2 * i)..]) : 0;

    /// <summary>A numeric of more than 28 digits (<paramref name="exact"/>, unquoted): what decimal makes of it, if that is the same number.</summary>
    private void AppendBeyondDecimalDigits(string exact, int column)
    {
        if (!decimal.TryParse(exact, NumberStyles.Number, CultureInfo.InvariantCulture, out var parsed) || !SameNumber(parsed, exact))
            throw Unrepresentable(column, exact, "a package decimal holds at most 28-29 significant digits");
        Span<byte> formatted = stackalloc byte[64];
        parsed.TryFormat(formatted, out var length, default, CultureInfo.InvariantCulture);
        AppendString(formatted[..length], column);
    }

    private static bool SameNumber(decimal parsed, string exact)
    {
        static string Trim(string s) => s.Contains('.') ? s.TrimEnd('0').TrimEnd('.') : s;
        return Trim(parsed.ToString(CultureInfo.InvariantCulture)) == Trim(exact);
    }

    /// <summary>int64 microseconds since 2000-01-01; infinity and values outside DateTime are refused, as Npgsql refuses them.</summary>
    private DateTime Timestamp(ReadOnlySpan<byte> value, int column)
    {
        var micros = BinaryPrimitives.ReadInt64BigEndian(Fixed(value, 8, column));
        if (micros is long.MaxValue or long.MinValue)
            throw Unrepresentable(column, micros > 0 ? "infinity" : "-infinity", "a package timestamp is a date between years 1 and 9999");
        if (micros < (DateTime.MinValue.Ticks - PostgresEpochTicks) / 10 || micros > (DateTime.MaxValue.Ticks - PostgresEpochTicks) / 10)
            throw Unrepresentable(column, "a timestamp outside years 1 to 9999", "a package timestamp is a date between years 1 and 9999");
        return new DateTime(PostgresEpochTicks + micros * 10, DateTimeKind.Unspecified);
    }

    /// <summary>int32 days since 2000-01-01.</summary>
    private DateTime Date(ReadOnlySpan<byte> value, int column)
    {
        var days = BinaryPrimitives.ReadInt32BigEndian(Fixed(value, 4, column));
        if (days is int.MaxValue or int.MinValue)
            throw Unrepresentable(column, days > 0 ? "infinity" : "-infinity", "a package date is between years 1 and 9999");
        if (days < (DateTime.MinValue - PostgresEpoch).TotalDays || days > (DateTime.MaxValue - PostgresEpoch).TotalDays)
            throw Unrepresentable(column, "a date outside years 1 to 9999", "a package date is between years 1 and 9999");
        return PostgresEpoch.AddDays(days);
    }

    private long ReadInteger(ReadOnlySpan<byte> value, int column) => value.Length switch
    {
        2 => BinaryPrimitives.ReadInt16BigEndian(value),
        4 => BinaryPrimitives.ReadInt32BigEndian(value),
        8 => BinaryPrimitives.ReadInt64BigEndian(value),
        _ => throw Malformed(column),
    };

    private ReadOnlySpan<byte> Fixed(ReadOnlySpan<byte> value, int length, int column)
        => value.Length == length ? value : throw Malformed(column);

    private InvalidDataException Malformed(int column)
        => new($"The COPY of {_query.Table.DisplayName} sent a value of column {_query.Columns[column].Name} " +
               $"in an unexpected binary form for {_types[column]}.");

    private AsyncServerException Unrepresentable(int column, string value, string why)
        => new(ErrorIds.ValueNotRepresentable, ErrorKind.InvalidData,
            $"HQ table {_query.Table.DisplayName}, column {_query.Columns[column].Name}: {value} cannot be carried in a package ({why}). " +
            "Correct the row, or leave the column out of the subjob's field map.", $"{_query.Table.DisplayName}.{_query.Columns[column].Name}");

    private void Append(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Reserve(bytes.Length));
        _length += bytes.Length;
    }

    /// <summary>Room for <paramref name="bytes"/> more bytes at the end of the line (the caller advances the length).</summary>
    private Span<byte> Reserve(int bytes)
    {
        if (_length + bytes > _line.Length) Array.Resize(ref _line, Math.Max(_line.Length * 2, _length + bytes));
        return _line.AsSpan(_length);
    }

    /// <summary>The JSON writer writes into a managed buffer and every use ends in a flush: disposing it only marks it done.</summary>
    public void Dispose() => _json.Dispose();
}
