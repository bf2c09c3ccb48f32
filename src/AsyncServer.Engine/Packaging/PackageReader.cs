using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using AsyncServer.Data;

namespace AsyncServer.Packaging;

/// <summary>
/// Reads a package defensively: the zip must open, hold a manifest of a known format version, and every
/// data file it names; entry names that could escape a folder are rejected; <see cref="VerifyAsync"/>
/// checks every data file's SHA-256 and row count against the manifest before anything is applied.
/// Rows are streamed, never loaded whole.
/// </summary>
public sealed class PackageReader : IDisposable
{
    private readonly ZipArchive _zip;
    private readonly Stream _stream;

    private PackageReader(Stream stream, ZipArchive zip, PackageManifest manifest)
    {
        _stream = stream;
        _zip = zip;
        Manifest = manifest;
    }

    public PackageManifest Manifest { get; }

    /// <exception cref="PackageFormatException">The file is not a valid package.</exception>
    public static PackageReader Open(string path)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        ZipArchive? zip = null;
        try
        {
            try { zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: false); }
            catch (InvalidDataException ex) { throw new PackageFormatException($"not a readable zip file ({ex.Message})"); }

            foreach (var entry in zip.Entries)
                if (!IsSafeEntryName(entry.FullName))
                    throw new PackageFormatException($"entry '{entry.FullName}' has a path that could escape the package folder");

            var manifestEntry = zip.GetEntry(PackageManifest.EntryName) ?? throw new PackageFormatException($"no {PackageManifest.EntryName}");
            PackageManifest manifest;
            try
            {
                if (manifestEntry.Length > PackageBounds.MaxManifestBytes)
                    throw new PackageFormatException(
                        $"{PackageManifest.EntryName} is {manifestEntry.Length} bytes; a manifest is at most {PackageBounds.MaxManifestBytes} bytes");
                using var s = PackageBounds.Limit(manifestEntry.Open(),
                    new PackageBounds.Counter(PackageManifest.EntryName, manifestEntry.Length, manifestEntry.CompressedLength));
                manifest = JsonSerializer.Deserialize<PackageManifest>(s, PackageManifest.JsonOptions)
                    ?? throw new PackageFormatException("manifest is empty");
            }
            catch (Exception ex) when (ex is JsonException or InvalidDataException)
            {
                throw new PackageFormatException($"manifest is not valid JSON ({ex.Message})");
            }
            if (manifest.FormatVersion != PackageManifest.CurrentFormatVersion)
                throw new PackageFormatException(
                    $"format version {manifest.FormatVersion} is not supported (this module reads {PackageManifest.CurrentFormatVersion})");
            foreach (var table in manifest.Tables)
            {
                if (zip.GetEntry(table.DataFile) is null)
                    throw new PackageFormatException($"data file '{table.DataFile}' of table {table.ChannelTable} is missing");
                if (table.Columns.Count == 0) throw new PackageFormatException($"table {table.ChannelTable} has no columns");
                foreach (var key in table.KeyColumns)
                    if (!table.Columns.Any(c => c.Name == key))
                        throw new PackageFormatException($"key column {key} of table {table.ChannelTable} is not among its columns");
                if (table.KeyColumns.Count == 0) throw new PackageFormatException($"table {table.ChannelTable} has no key columns");
            }
            PackageBounds.CheckDeclared(manifest, zip);
            return new PackageReader(stream, zip, manifest);
        }
        catch
        {
            zip?.Dispose();
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Rejects absolute paths, drive letters, backslashes and any '..' segment.</summary>
    public static bool IsSafeEntryName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.StartsWith('/') || name.Contains('\\') || name.Contains(':')) return false;
        return !name.Split('/').Any(segment => segment is ".." or ".");
    }

    /// <summary>Recomputes every data file's SHA-256 and row count and compares them with the manifest.</summary>
    public async Task VerifyAsync(CancellationToken cancellationToken)
    {
        foreach (var table in Manifest.Tables)
        {
            var entry = _zip.GetEntry(table.DataFile)!;
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long lines = 0;
            var buffer = new byte[1 << 16];
            try
            {
                await using var s = entry.Open();
                var bound = PackageBounds.For(table, entry);
                int read;
                while ((read = await s.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    bound.Count(read);
                    hash.AppendData(buffer, 0, read);
                    lines += buffer.AsSpan(0, read).Count((byte)'\n');
                }
            }
            catch (InvalidDataException ex)
            {
                throw new PackageFormatException($"data file '{table.DataFile}' is corrupt ({ex.Message})");
            }
            var sha = Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
            if (!string.Equals(sha, table.Sha256, StringComparison.OrdinalIgnoreCase))
                throw new PackageFormatException($"data file '{table.DataFile}' has SHA-256 {sha}, the manifest says {table.Sha256}");
            if (lines != table.RowCount)
                throw new PackageFormatException($"data file '{table.DataFile}' has {lines} rows, the manifest says {table.RowCount}");
        }
    }

    /// <summary>Streams the rows of one table of the manifest.</summary>
    public async IAsyncEnumerable<PackageRow> ReadRowsAsync(PackageTable table,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var types = table.Columns.Select(c => c.Type).ToArray();
        var keys = table.KeyColumns.Select(k => table.Columns.FindIndex(c => c.Name == k)).ToArray();
        using var lines = OpenLines(table);
        var batch = new List<PackageRow>();
        while (await lines.FillAsync(cancellationToken).ConfigureAwait(false))
        {
            // Decode what this block completes, then hand the rows out: spans cannot live across a yield.
            DecodeAvailable(lines, batch, types, keys);
            foreach (var row in batch) yield return row;
            batch.Clear();
        }
    }

    private static void DecodeAvailable(PackageLines lines, List<PackageRow> batch, LogicalType[] types, int[] keys)
    {
        try
        {
            while (lines.TryReadLine(out var line)) batch.Add(RowCodec.ReadRow(line, types, keys, lines.File, lines.LineNumber));
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw RowCodec.NotJson(lines.File, lines.LineNumber, ex);
        }
    }

    /// <summary>The raw lines of one table's data file, for decoders that write rows straight into another format.</summary>
    internal PackageLines OpenLines(PackageTable table)
    {
        var entry = _zip.GetEntry(table.DataFile) ?? throw new PackageFormatException($"data file '{table.DataFile}' is missing");
        return new PackageLines(PackageBounds.Limit(entry.Open(), PackageBounds.For(table, entry)), table.DataFile);
    }

    public void Dispose()
    {
        _zip.Dispose();
        _stream.Dispose();
    }
}
