using System.Buffers.Binary;

namespace AsyncServer.Providers.PostgreSql;

/// <summary>
/// Values in PostgreSQL's binary wire format (the send/receive functions' format, as binary COPY carries it),
/// computed exactly as Npgsql writes the same CLR values, so a row stored through either path is the same row.
/// Each writer returns the number of bytes written; none writes the int32 length that precedes a COPY field.
/// </summary>
internal static class PostgresBinaryFormat
{
    /// <summary>The 11 bytes that open a binary COPY stream: "PGCOPY\n\xff\r\n\0" (bytes, not UTF-8 text: 0xff is one byte).</summary>
    public static ReadOnlySpan<byte> CopySignature =>
        [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xff, (byte)'\r', (byte)'\n', 0];

    /// <summary>2000-01-01T00:00:00 in ticks: the zero of PostgreSQL's timestamps and dates.</summary>
    public const long EpochTicks = 630822816000000000L;

    private static readonly DateTime EpochDate = new(2000, 1, 1);

    private const ushort SignPositive = 0x0000, SignNegative = 0x4000;
    private const int NumericBase = 10000;

    /// <summary>
    /// timestamp / timestamptz: microseconds since 2000-01-01, the sub-microsecond rest truncated toward zero (as
    /// Npgsql does). DateTime.MinValue/MaxValue are ordinary values: NpgsqlSettings turns Npgsql's infinity
    /// conversion off.
    /// </summary>
    public static long Timestamp(DateTime value) => (value.Ticks - EpochTicks) / 10;

    /// <summary>date: days since 2000-01-01 of the value's date.</summary>
    public static int Date(DateTime value) => (value.Date - EpochDate).Days;

    /// <summary>time: microseconds since midnight, truncated.</summary>
    public static long Time(TimeSpan value) => value.Ticks / 10;

    /// <summary>uuid: the 16 bytes in RFC 4122 (big-endian) order.</summary>
    public static int Uuid(Span<byte> destination, Guid value)
    {
        if (!value.TryWriteBytes(destination, bigEndian: true, out var written)) throw new ArgumentException("too small", nameof(destination));
        return written;
    }

    /// <summary>
    /// numeric from a decimal: base-10000 digits without leading or trailing zero digits, the weight of the first
    /// digit, the sign (zero is positive) and the display scale = the decimal's scale (1.50 stays 1.50 in an
    /// unconstrained numeric column).
    /// </summary>
    public static int Numeric(Span<byte> destination, decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var scale = (bits[3] >> 16) & 0xFF;
        var mantissa = ((UInt128)(uint)bits[2] << 64) | ((ulong)(uint)bits[1] << 32) | (uint)bits[0];
        // Scale the integer up so that the decimal point falls on a base-10000 digit boundary.
        var pad = (4 - scale % 4) % 4;
        for (var i = 0; i < pad; i++) mantissa *= 10;
        var fractionDigits = (scale + pad) / 4;

        Span<short> groups = stackalloc short[12]; // least significant first; 96 bits + 3 decimal digits fit in 9
        var count = 0;
        if (mantissa <= ulong.MaxValue)
            for (var m = (ulong)mantissa; m != 0; m /= NumericBase) groups[count++] = (short)(m % NumericBase);
        else
            for (var m = mantissa; m != 0; m /= NumericBase) groups[count++] = (short)(m % NumericBase);
        var low = 0;
        while (low < count && groups[low] == 0) low++;
        var digits = count - low;
        var weight = digits == 0 ? 0 : count - 1 - fractionDigits;
        WriteNumericHeader(destination, digits, weight, digits > 0 && value < 0, scale);
        for (int i = count - 1, at = 8; i >= low; i--, at += 2) BinaryPrimitives.WriteInt16BigEndian(destination[at..], groups[i]);
        return 8 + 2 * digits;
    }

    /// <summary>
    /// numeric straight from plain decimal text (-?digits(.digits)?, at most 28 digits: what decimal.Parse reads
    /// exactly, without rounding), giving the same digits, weight, sign and scale as <see cref="Numeric(Span{byte}, decimal)"/>
    /// of the parsed decimal. False (nothing written) for any other text: the caller parses it as a decimal.
    /// </summary>
    public static bool TryNumericFromText(Span<byte> destination, ReadOnlySpan<byte> text, out int written)
    {
        written = 0;
        var i = 0;
        var negative = text.Length > 0 && text[0] == '-';
        if (negative) i++;
        var intStart = i;
        while (i < text.Length && IsDigit(text[i])) i++;
        var intEnd = i;
        int fracStart = i, fracEnd = i;
        if (i < text.Length)
        {
            if (text[i] != '.') return false;
            fracStart = ++i;
            while (i < text.Length && IsDigit(text[i])) i++;
            fracEnd = i;
            if (fracEnd == fracStart || i != text.Length) return false;
        }
        if (intEnd == intStart || (intEnd - intStart) + (fracEnd - fracStart) > 28) return false;
        while (intStart < intEnd && text[intStart] == '0') intStart++;

        Span<short> groups = stackalloc short[16]; // most significant first: at most 7 integer and 7 fraction digits
        var count = 0;
        var intDigits = intEnd - intStart;
        var intGroups = (intDigits + 3) / 4;
        for (int g = 0, at = intStart; g < intGroups; g++)
        {
            var take = g == 0 ? intDigits - 4 * (intGroups - 1) : 4;
            var v = 0;
            for (var k = 0; k < take; k++) v = v * 10 + (text[at++] - '0');
            groups[count++] = (short)v;
        }
        for (var at = fracStart; at < fracEnd; at += 4)
        {
            var v = 0;
            for (var k = 0; k < 4; k++) v = v * 10 + (at + k < fracEnd ? text[at + k] - '0' : 0);
            groups[count++] = (short)v;
        }
        var weight = intGroups - 1;
        var first = 0;
        while (first < count && groups[first] == 0) { first++; weight--; }
        var last = count;
        while (last > first && groups[last - 1] == 0) last--;
        var digits = last - first;
        if (digits == 0) weight = 0;
        WriteNumericHeader(destination, digits, weight, negative && digits > 0, fracEnd - fracStart);
        for (int g = first, at = 8; g < last; g++, at += 2) BinaryPrimitives.WriteInt16BigEndian(destination[at..], groups[g]);
        written = 8 + 2 * digits;
        return true;
    }

    private static void WriteNumericHeader(Span<byte> destination, int digits, int weight, bool negative, int scale)
    {
        BinaryPrimitives.WriteInt16BigEndian(destination, (short)digits);
        BinaryPrimitives.WriteInt16BigEndian(destination[2..], (short)weight);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], negative ? SignNegative : SignPositive);
        BinaryPrimitives.WriteInt16BigEndian(destination[6..], (short)scale);
    }

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;
}
