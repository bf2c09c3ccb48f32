using System.IO.Compression;
using System.Text;

namespace AsyncServer.Bench.Harness;

/// <summary>
/// The floor's output: a zip entry compressed exactly as packages are (Deflate, CompressionLevel.Fastest),
/// written to a file on the same disk. Rows go in as tab-separated text, like COPY's text format.
/// </summary>
internal sealed class CompressedSink : IDisposable
{
    private readonly FileStream _file;
    private readonly ZipArchive _zip;
    private readonly Stream _entry;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _used;

    public CompressedSink(string path)
    {
        _file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        _zip = new ZipArchive(_file, ZipArchiveMode.Create, leaveOpen: true);
        _entry = _zip.CreateEntry("rows.txt", CompressionLevel.Fastest).Open();
    }

    public long Rows { get; private set; }

    /// <summary>Raw bytes (e.g. a COPY TO STDOUT stream) straight into the compressor.</summary>
    public Stream Raw => _entry;

    public void Field(string? text, bool last)
    {
        text ??= "\\N";
        var max = Encoding.UTF8.GetMaxByteCount(text.Length) + 1;
        if (_used + max > _buffer.Length) Flush();
        if (max > _buffer.Length) { _entry.Write(Encoding.UTF8.GetBytes(text)); }
        else _used += Encoding.UTF8.GetBytes(text, _buffer.AsSpan(_used));
        _buffer[_used++] = (byte)(last ? '\n' : '\t');
        if (last) Rows++;
    }

    public void CountRows(long rows) => Rows += rows;

    private void Flush()
    {
        _entry.Write(_buffer, 0, _used);
        _used = 0;
    }

    /// <summary>Finishes the zip and flushes it to disk, as a package is; returns the file size.</summary>
    public long Complete()
    {
        Flush();
        _entry.Dispose();
        _zip.Dispose();
        _file.Flush(flushToDisk: true);
        var size = _file.Length;
        _file.Dispose();
        return size;
    }

    public void Dispose()
    {
        _entry.Dispose();
        _zip.Dispose();
        _file.Dispose();
    }
}
