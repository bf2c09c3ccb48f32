using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace AsyncServer.Providers.PostgreSql;

/// <summary>
/// Reads the tuples of a <c>COPY ... TO STDOUT (FORMAT BINARY)</c> stream: the 11-byte signature, flags and header
/// extension, then per tuple an int16 field count and per field an int32 length (-1 for NULL) and that many bytes,
/// then the trailer (field count -1). A tuple is always whole in the buffer, which grows for a tuple larger
/// than it, so its fields are plain spans into the buffer until the next <see cref="ReadAsync"/>.
/// </summary>
internal sealed class PostgresBinaryCopyReader
{
    private const int HeaderLength = 19; // signature, int32 flags, int32 header extension length

    private readonly Stream _stream;
    private readonly string _source;
    private byte[] _buffer = new byte[256 * 1024];
    private int _start, _end;
    private bool _headerRead, _trailerRead;
    private int[] _offsets = new int[16];
    private int[] _lengths = new int[16];

    /// <param name="source">Names the read in errors (the HQ table).</param>
    public PostgresBinaryCopyReader(Stream stream, string source)
    {
        _stream = stream;
        _source = source;
    }

    public int FieldCount { get; private set; }

    public bool IsNull(int field) => _lengths[field] < 0;

    public ReadOnlySpan<byte> Field(int field) => _buffer.AsSpan(_offsets[field], Math.Max(_lengths[field], 0));

    /// <summary>Moves to the next tuple; false after the trailer (the stream is then read to its end, so the COPY completes).</summary>
    public ValueTask<bool> ReadAsync(CancellationToken cancellationToken)
    {
        // Almost every tuple is already in the buffer: no async state machine for those.
        var parsed = TryParse();
        return parsed is { } done ? new ValueTask<bool>(done) : ReadMoreAsync(cancellationToken);
    }

    private async ValueTask<bool> ReadMoreAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (!await FillAsync(cancellationToken).ConfigureAwait(false))
                throw new InvalidDataException($"The COPY stream of {_source} ended in the middle of a tuple.");
            var parsed = TryParse();
            if (parsed is not null) return parsed.Value;
        }
    }

    /// <summary>True: a tuple; false: the trailer; null: more bytes are needed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per row or per field: optimized from the first row, not after tiering
    private bool? TryParse()
    {
        if (_trailerRead) return false;
        var data = _buffer.AsSpan(_start, _end - _start);
        var pos = 0;
        if (!_headerRead)
        {
            if (data.Length < HeaderLength) return null;
            if (!data[..PostgresBinaryFormat.CopySignature.Length].SequenceEqual(PostgresBinaryFormat.CopySignature))
                throw new InvalidDataException($"The COPY stream of {_source} is not in PostgreSQL's binary format.");
            var extension = BinaryPrimitives.ReadInt32BigEndian(data[15..]);
            if (data.Length < HeaderLength + extension) return null;
            pos = HeaderLength + extension;
            _start += pos;
            _headerRead = true;
            data = data[pos..];
            pos = 0;
        }
        if (data.Length < 2) return null;
        var count = BinaryPrimitives.ReadInt16BigEndian(data);
        pos = 2;
        if (count == -1)
        {
            _start += pos;
            _trailerRead = true;
            return false;
        }
        if (count > _offsets.Length)
        {
            _offsets = new int[count];
            _lengths = new int[count];
        }
        for (var i = 0; i < count; i++)
        {
            if (data.Length - pos < 4) return null;
            var length = BinaryPrimitives.ReadInt32BigEndian(data[pos..]);
            pos += 4;
            _offsets[i] = _start + pos;
            _lengths[i] = length;
            if (length > 0)
            {
                if (data.Length - pos < length) return null;
                pos += length;
            }
        }
        FieldCount = count;
        _start += pos;
        return true;
    }

    /// <summary>Moves the unread bytes to the front (growing the buffer when one tuple fills it) and reads more.</summary>
    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        // Checked here too, not only by the socket read: a COPY streaming from a full buffer never waits on the socket.
        cancellationToken.ThrowIfCancellationRequested();
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
        var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        _end += read;
        return read > 0;
    }

    /// <summary>After the trailer: reads the stream to its end, which completes the COPY on the connection.</summary>
    public async ValueTask DrainAsync(CancellationToken cancellationToken)
    {
        _start = _end = 0;
        while (await _stream.ReadAsync(_buffer.AsMemory(), cancellationToken).ConfigureAwait(false) > 0) { }
    }
}
