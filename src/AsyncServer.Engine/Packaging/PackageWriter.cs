using System.Buffers;
using System.Data.Common;
using System.IO.Compression;
using System.Text.Json;
using AsyncServer.Data;

namespace AsyncServer.Packaging;

/// <summary>
/// Writes one package: rows stream into a zip under a temporary name; <see cref="CompleteAsync"/> adds the
/// manifest, flushes to disk and renames the file into place, so a package is either absent or complete.
/// Memory stays bounded: rows pass through a small buffer straight into the deflate stream.
/// </summary>
public sealed class PackageWriter : IAsyncDisposable
{
    private const int FlushThreshold = 64 * 1024;

    private readonly PackageManifest _manifest;
    private readonly string _finalPath;
    private readonly FileStream _file;
    private readonly HashingWriteStream _hashing;
    private readonly ZipArchive _zip;
    private readonly ArrayBufferWriter<byte> _buffer = new(FlushThreshold * 2);
    private readonly Utf8JsonWriter _json;
    private bool _completed;

    // The table being written.
    private PackageTable? _table;
    private Stream? _entry;
    private HashingWriteStream? _entryHash;
    private LogicalType[] _types = [];
    private int[] _keyIndexes = [];

    private PackageWriter(PackageManifest manifest, string finalPath)
    {
        _manifest = manifest;
        _finalPath = finalPath;
        TempPath = TempPathFor(finalPath);
        var folder = Path.GetDirectoryName(finalPath)!;
        PrivateFiles.CreateFolder(folder);
        _file = new FileStream(TempPath, PrivateFiles.NewFileOptions(folder)); // owner only: packages hold customer data
        _hashing = new HashingWriteStream(_file, leaveOpen: true);
        _zip = new ZipArchive(_hashing, ZipArchiveMode.Create, leaveOpen: true);
        _json = new Utf8JsonWriter(_buffer, RowCodec.WriterOptions);
    }

    /// <summary>The hidden temporary name a package has while it is written: <c>.NAME.tmp</c> beside it.</summary>
    public static string TempPathFor(string finalPath)
        => Path.Combine(Path.GetDirectoryName(finalPath)!, "." + Path.GetFileName(finalPath) + ".tmp");

    public static PackageWriter Create(PackageManifest manifest, string finalPath) => new(manifest, finalPath);

    public string TempPath { get; }
    public long RowCount { get; private set; }
    /// <summary>Compressed bytes written so far (deflate buffers a little, so this lags slightly).</summary>
    public long CompressedBytes => _hashing.BytesWritten;

    public void BeginTable(PackageTable table)
    {
        if (_table is not null) throw new InvalidOperationException("EndTable first.");
        _table = table;
        table.DataFile = $"data/{_manifest.Tables.Count + 1:D3}-{SafeName(table.ChannelTable)}.jsonl";
        _types = table.Columns.Select(c => c.Type).ToArray();
        _keyIndexes = table.KeyColumns.Select(k => table.Columns.FindIndex(c => c.Name == k)).ToArray();
        _entry = _zip.CreateEntry(table.DataFile, CompressionLevel.Fastest).Open();
        _entryHash = new HashingWriteStream(_entry, leaveOpen: true);
    }

    /// <summary>Writes the reader's current row (column 0 is the upsert flag, then the table's columns), encoded by <see cref="RowCodec"/>.</summary>
    public void WriteRow(DbDataReader reader)
    {
        var upsert = RowCodec.WriteRow(_json, reader, _types, _keyIndexes);
        _json.Flush();
        _json.Reset();
        EndLine(upsert);
    }

    /// <summary>Writes the source's current row: the source encodes its package line straight into the buffer.</summary>
    public void WriteRow(IPackageRowSource row) => EndLine(row.WriteLine(_buffer));

    private void EndLine(bool upsert)
    {
        _buffer.GetSpan(1)[0] = (byte)'\n';
        _buffer.Advance(1);
        if (upsert) _table!.Upserts++; else _table!.Deletes++;
        _table.RowCount++;
        RowCount++;
        if (_buffer.WrittenCount >= FlushThreshold) FlushBuffer();
    }

    private void FlushBuffer()
    {
        _entryHash!.Write(_buffer.WrittenSpan);
        _buffer.ResetWrittenCount();
    }

    public void EndTable()
    {
        if (_table is null) return;
        FlushBuffer();
        _table.Bytes = _entryHash!.BytesWritten;
        _table.Sha256 = _entryHash.FinishHash();
        _entryHash.Dispose();
        _entry!.Dispose();
        _manifest.Tables.Add(_table);
        _table = null;
        _entry = null;
        _entryHash = null;
    }

    public bool HasOpenTable => _table is not null;

    /// <summary>Adds the manifest, flushes the file to disk and renames it to its final name.</summary>
    public async Task<PackageFileInfo> CompleteAsync(CancellationToken cancellationToken)
    {
        EndTable();
        var entry = _zip.CreateEntry(PackageManifest.EntryName, CompressionLevel.Fastest);
        await using (var stream = entry.Open())
            await JsonSerializer.SerializeAsync(stream, _manifest, PackageManifest.JsonOptions, cancellationToken).ConfigureAwait(false);
        _zip.Dispose();
        await _json.DisposeAsync().ConfigureAwait(false);
        var sha = _hashing.FinishHash();
        var size = _hashing.BytesWritten;
        await _file.FlushAsync(cancellationToken).ConfigureAwait(false);
        _file.Flush(flushToDisk: true);
        await _file.DisposeAsync().ConfigureAwait(false);
        File.Move(TempPath, _finalPath, overwrite: false);
        _completed = true;
        return new PackageFileInfo(_finalPath, size, sha, RowCount, _manifest);
    }

    public static string SafeName(string name)
    {
        var invalid = Path.GetInvalidFileNameChars();
        var chars = name.Select(c => invalid.Contains(c) || c is ' ' or '.' or ':' or '\\' or '/' ? '_' : c).ToArray();
        return new string(chars);
    }

    /// <summary>Disposing an uncompleted writer deletes its temporary file.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_completed) return;
        try { _entryHash?.Dispose(); _entry?.Dispose(); _zip.Dispose(); } catch (Exception) { /* abandoned: the file is deleted below */ }
        await _json.DisposeAsync().ConfigureAwait(false);
        await _file.DisposeAsync().ConfigureAwait(false);
        _hashing.Dispose();
        try { File.Delete(TempPath); } catch (IOException) { /* swept by the next run */ }
    }
}

public sealed record PackageFileInfo(string Path, long Size, string Sha256, long RowCount, PackageManifest Manifest);
