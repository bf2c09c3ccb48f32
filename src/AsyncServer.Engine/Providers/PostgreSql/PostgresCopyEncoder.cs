using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using AsyncServer.Data;
using AsyncServer.Packaging;

namespace AsyncServer.Providers.PostgreSql;

/// <summary>
/// Turns the lines of a package's data file straight into tuples of PostgreSQL's binary COPY format (header,
/// per tuple an int16 field count, per field an int32 length, -1 for null, and the value in the type's binary
/// form), with no row objects, boxing or per-value writer calls in between. Rows are checked and values parsed by
/// RowCodec's own reading pieces, so a bad row fails with the same PackageFormatException (file and line) as
/// PackageReader's rows; values come out as Npgsql would write the same CLR values (<see cref="PostgresBinaryFormat"/>).
/// Checks that depend on the column (too long a string, too large a number) stay with PostgreSQL: COPY passes
/// the column's typmod to the receive function.
/// <para>
/// Two shapes: straight into the channel table (upsert rows only: <see cref="EncodeAvailable"/> stops at a
/// delete row), or into the staging table, where every tuple starts with __seq (bigint, the row's position)
/// and __upsert (boolean) and a delete row carries its key values and nulls elsewhere.
/// </para>
/// </summary>
internal sealed class PostgresCopyEncoder
{
    private readonly LogicalType[] _types;
    private readonly int[] _keyIndexes;
    private readonly bool _staging;
    private readonly int _tupleOverhead;
    private byte[] _buffer = new byte[1 << 17];
    private int _length;
    private long _sequence;

    public PostgresCopyEncoder(LogicalType[] types, int[] keyIndexes, bool staging)
    {
        _types = types;
        _keyIndexes = keyIndexes;
        _staging = staging;
        // Everything a tuple holds besides the text of its line: field count, the staging fields, and per field
        // its length and the largest fixed-size form (a numeric has at most 9 digits plus its 8-byte header).
        // String, base64 and numeric text never grow when encoded, so the line's own length covers them.
        _tupleOverhead = 2 + (4 + 8) + (4 + 1) + types.Length * (4 + 32);
    }

    /// <summary>Upsert and delete rows encoded so far.</summary>
    public long Upserts { get; private set; }
    public long Deletes { get; private set; }

    /// <summary>The encoded bytes not yet handed to the COPY stream.</summary>
    public ReadOnlyMemory<byte> Pending => _buffer.AsMemory(0, _length);
    public void ClearPending() => _length = 0;

    /// <summary>The binary COPY signature, flags (no OIDs) and an empty header extension.</summary>
    public void WriteHeader()
    {
        Ensure(19);
        PostgresBinaryFormat.CopySignature.CopyTo(_buffer.AsSpan(_length));
        _length += 11;
        PutInt32(0);
        PutInt32(0);
    }

    /// <summary>The file trailer: a field count of -1.</summary>
    public void WriteTrailer()
    {
        Ensure(2);
        BinaryPrimitives.WriteInt16BigEndian(_buffer.AsSpan(_length), -1);
        _length += 2;
    }

    /// <summary>
    /// Encodes every complete line the block of <paramref name="lines"/> holds. Straight into the channel table,
    /// it returns false at the first delete row (nothing of that row is written): the caller abandons the COPY.
    /// </summary>
    /// <exception cref="PackageFormatException">A row or value is malformed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a million calls per package: optimized from the first row
    public bool EncodeAvailable(PackageLines lines)
    {
        try
        {
            while (lines.TryReadLine(out var line))
                if (!Encode(line, lines.File, lines.LineNumber)) return false;
        }
        catch (JsonException ex)
        {
            throw RowCodec.NotJson(lines.File, lines.LineNumber, ex);
        }
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a million calls per package: optimized from the first row
    private bool Encode(ReadOnlySpan<byte> line, string file, long lineNumber)
    {
        var reader = new Utf8JsonReader(line);
        if (!RowCodec.ReadOperation(ref reader, file, lineNumber))
        {
            if (!_staging) return false;
            EncodeDelete(line, file, lineNumber);
            return true;
        }
        Ensure(_tupleOverhead + line.Length);
        var start = _length;
        PutInt16((short)(_types.Length + (_staging ? 2 : 0)));
        if (_staging)
        {
            PutInt32(8);
            PutInt64(_sequence);
            PutInt32(1);
            _buffer[_length++] = 1;
        }
        var type = LogicalType.String;
        try
        {
            for (var i = 0; i < _types.Length; i++)
            {
                RowCodec.ReadNextValue(ref reader, i, _types.Length, file, lineNumber);
                if (reader.TokenType == JsonTokenType.Null) { PutInt32(-1); continue; }
                type = _types[i];
                EncodeValue(ref reader, type);
            }
            RowCodec.ReadEnd(ref reader, line, _types.Length, file, lineNumber);
        }
        catch (Exception ex) when (RowCodec.IsMalformedValue(ex))
        {
            _length = start;
            throw RowCodec.MalformedValue(file, lineNumber, type, ex);
        }
        _sequence++;
        Upserts++;
        return true;
    }

    /// <summary>One non-null value of an upsert row, parsed as RowCodec parses it and written as Npgsql writes it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a million calls per package: optimized from the first row
    private void EncodeValue(ref Utf8JsonReader reader, LogicalType type)
    {
        switch (type)
        {
            case LogicalType.String: PutString(ref reader); break;
            case LogicalType.Int16: PutInt32(2); PutInt16(reader.GetInt16()); break;
            case LogicalType.Int32: PutInt32(4); PutInt32(reader.GetInt32()); break;
            case LogicalType.Int64: PutInt32(8); PutInt64(reader.GetInt64()); break;
            case LogicalType.Boolean: PutInt32(1); _buffer[_length++] = reader.GetBoolean() ? (byte)1 : (byte)0; break;
            case LogicalType.Decimal:
                // The writer's own form (plain digits) goes to base-10000 digits directly; anything else through decimal.
                if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped
                    && PostgresBinaryFormat.TryNumericFromText(_buffer.AsSpan(_length + 4), reader.ValueSpan, out var written))
                {
                    PutInt32(written);
                    _length += written;
                }
                else PutNumeric(RowCodec.ReadDecimal(ref reader));
                break;
            case LogicalType.DateTime: PutTimestamp(RowCodec.ReadDateTime(ref reader)); break;
            case LogicalType.Guid: PutUuid(RowCodec.ReadGuid(ref reader)); break;
            case LogicalType.Double: PutInt32(8); PutInt64(BitConverter.DoubleToInt64Bits(RowCodec.ReadDouble(ref reader))); break;
            case LogicalType.Binary:
                var bytes = reader.GetBytesFromBase64();
                PutInt32(bytes.Length);
                bytes.CopyTo(_buffer.AsSpan(_length));
                _length += bytes.Length;
                break;
            default: PutValue(RowCodec.ReadText(ref reader, type), type); break;
        }
    }

    /// <summary>
    /// Text as UTF-8. Unescaped JSON text is the value's UTF-8 already; escaped text is unescaped in place. Text
    /// that is not valid UTF-8 fails as RowCodec's GetString fails on it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a million calls per package: optimized from the first row
    private void PutString(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String) _ = reader.GetString(); // throws: not a string
        var at = _length + 4;
        int length;
        if (!reader.ValueIsEscaped)
        {
            var text = reader.ValueSpan;
            text.CopyTo(_buffer.AsSpan(at));
            length = text.Length;
        }
        else length = reader.CopyString(_buffer.AsSpan(at));
        if (!Utf8.IsValid(_buffer.AsSpan(at, length)))
        {
            _ = reader.GetString(); // throws InvalidOperationException for invalid UTF-8
            throw new FormatException("the text is not valid UTF-8");
        }
        PutInt32(length);
        _length += length;
    }

    /// <summary>A delete row (staging only): its key values from RowCodec's row, nulls for the other columns.</summary>
    private void EncodeDelete(ReadOnlySpan<byte> line, string file, long lineNumber)
    {
        var row = RowCodec.ReadRow(line, _types, _keyIndexes, file, lineNumber);
        Ensure(_tupleOverhead + 4 * line.Length); // a key string's UTF-8 is never longer than 4 bytes per JSON byte
        PutInt16((short)(_types.Length + 2));
        PutInt32(8);
        PutInt64(_sequence++);
        PutInt32(1);
        _buffer[_length++] = 0;
        for (var i = 0; i < _types.Length; i++)
            if (row.Values[i] is { } value) PutValue(value, _types[i]);
            else PutInt32(-1);
        Deletes++;
    }

    /// <summary>A CLR value of the logical type (as RowCodec returns it) with its length.</summary>
    private void PutValue(object value, LogicalType type)
    {
        switch (type)
        {
            case LogicalType.String:
                var s = (string)value;
                var length = Encoding.UTF8.GetBytes(s, _buffer.AsSpan(_length + 4));
                PutInt32(length);
                _length += length;
                break;
            case LogicalType.Int16: PutInt32(2); PutInt16((short)value); break;
            case LogicalType.Int32: PutInt32(4); PutInt32((int)value); break;
            case LogicalType.Int64: PutInt32(8); PutInt64((long)value); break;
            case LogicalType.Boolean: PutInt32(1); _buffer[_length++] = (bool)value ? (byte)1 : (byte)0; break;
            case LogicalType.Decimal: PutNumeric((decimal)value); break;
            case LogicalType.Double: PutInt32(8); PutInt64(BitConverter.DoubleToInt64Bits((double)value)); break;
            case LogicalType.DateTime: PutTimestamp((DateTime)value); break;
            case LogicalType.Date: PutInt32(4); PutInt32(PostgresBinaryFormat.Date((DateTime)value)); break;
            case LogicalType.Time: PutInt32(8); PutInt64(PostgresBinaryFormat.Time((TimeSpan)value)); break;
            case LogicalType.DateTimeOffset: PutInt32(8); PutInt64(PostgresBinaryFormat.Timestamp(((DateTimeOffset)value).UtcDateTime)); break;
            case LogicalType.Guid: PutUuid((Guid)value); break;
            default:
                var bytes = (byte[])value;
                PutInt32(bytes.Length);
                bytes.CopyTo(_buffer.AsSpan(_length));
                _length += bytes.Length;
                break;
        }
    }

    private void PutNumeric(decimal value)
    {
        var written = PostgresBinaryFormat.Numeric(_buffer.AsSpan(_length + 4), value);
        PutInt32(written);
        _length += written;
    }

    private void PutTimestamp(DateTime value)
    {
        PutInt32(8);
        PutInt64(PostgresBinaryFormat.Timestamp(value));
    }

    private void PutUuid(Guid value)
    {
        PutInt32(16);
        _length += PostgresBinaryFormat.Uuid(_buffer.AsSpan(_length), value);
    }

    private void PutInt16(short value)
    {
        BinaryPrimitives.WriteInt16BigEndian(_buffer.AsSpan(_length), value);
        _length += 2;
    }

    private void PutInt32(int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_length), value);
        _length += 4;
    }

    private void PutInt64(long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    /// <summary>Room for <paramref name="bytes"/> more: the pending bytes are usually flushed long before it grows.</summary>
    private void Ensure(int bytes)
    {
        if (_length + bytes > _buffer.Length) Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + bytes));
    }
}
