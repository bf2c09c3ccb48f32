namespace AsyncServer.Packaging;

/// <summary>
/// The lines of one data file of a package, read in large blocks: <see cref="FillAsync"/> reads the next block,
/// then <see cref="TryReadLine"/> hands out every complete line it holds as a span of the block (no copy, no
/// string). A line longer than the block grows it. Readers that decode rows build on this: PackageReader's own
/// row decoding and the PostgreSQL channel target's COPY encoder.
/// </summary>
internal sealed class PackageLines : IDisposable
{
    private readonly Stream _stream;
    private byte[] _buffer = new byte[1 << 16];
    private int _start, _end;

    public PackageLines(Stream stream, string file)
    {
        _stream = stream;
        File = file;
    }

    /// <summary>The data file's name in the package, for error messages.</summary>
    public string File { get; }

    /// <summary>The 1-based number of the line <see cref="TryReadLine"/> returned last.</summary>
    public long LineNumber { get; private set; }

    /// <summary>Reads the next block. False at the end of the data file.</summary>
    /// <exception cref="PackageFormatException">The last line has no line feed.</exception>
    public async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        // Keep the unfinished line at the front; a block full of one unfinished line is too small for it.
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length)
        {
            // The block is one unfinished line: grow, but never past the longest line a package may hold.
            if (_buffer.Length >= PackageBounds.MaxLineBytes)
                throw new PackageFormatException($"{File}: line {LineNumber + 1} is longer than {PackageBounds.MaxLineBytes / (1024 * 1024)} MiB");
            Array.Resize(ref _buffer, (int)Math.Min((long)_buffer.Length * 2, PackageBounds.MaxLineBytes));
        }
        var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        if (read > 0)
        {
            _end += read;
            return true;
        }
        if (_end > _start) throw new PackageFormatException($"{File}: the last line is not terminated");
        return false;
    }

    /// <summary>The next complete line of the current block, without its line feed; false when the block has none left.</summary>
    public bool TryReadLine(out ReadOnlySpan<byte> line)
    {
        var rest = _buffer.AsSpan(_start, _end - _start);
        var end = rest.IndexOf((byte)'\n');
        if (end < 0)
        {
            line = default;
            return false;
        }
        line = rest[..end];
        _start += end + 1;
        LineNumber++;
        return true;
    }

    public void Dispose() => _stream.Dispose();
}
