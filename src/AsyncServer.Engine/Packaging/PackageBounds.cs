using System.IO.Compression;

namespace AsyncServer.Packaging;

/// <summary>
/// How much a package may inflate to (issue 12, point 3). A package is a zip from a share anyone with write
/// access may have replaced: without bounds, a small crafted entry inflates without end, and one line without a
/// line feed grows the line buffer until memory runs out. Three bounds, each failing as PackageInvalid:
/// <list type="bullet">
/// <item>the total uncompressed size the manifest (or, for older packages, the zip) declares, at most
/// <see cref="MaxUncompressedBytes"/>; reading past a data file's declared size fails at once;</item>
/// <item>the compression ratio of each data file, at most <see cref="MaxRatio"/> once it is past
/// <see cref="RatioGraceBytes"/> (deflate cannot exceed about 1032:1; JSON lines of real rows stay far below 100:1);</item>
/// <item>the length of one line, at most <see cref="MaxLineBytes"/>.</item>
/// </list>
/// </summary>
public static class PackageBounds
{
    public const long MaxUncompressedBytes = 64L * 1024 * 1024 * 1024;
    public const int MaxRatio = 500;
    public const long RatioGraceBytes = 1024 * 1024;
    public const int MaxLineBytes = 64 * 1024 * 1024;
    public const long MaxManifestBytes = 16 * 1024 * 1024;

    /// <summary>Checks what the manifest and the zip declare, before anything is inflated.</summary>
    public static void CheckDeclared(PackageManifest manifest, ZipArchive zip)
    {
        long total = 0;
        foreach (var table in manifest.Tables)
        {
            total += Math.Max(table.Bytes ?? 0, 0);
            if (total > MaxUncompressedBytes)
                throw new PackageFormatException($"its manifest declares data files of more than {MaxUncompressedBytes / (1024L * 1024 * 1024)} GiB in all");
        }
        total = 0;
        foreach (var table in manifest.Tables)
        {
            var entry = zip.GetEntry(table.DataFile)!;
            if (table.Bytes is < 0) throw new PackageFormatException($"data file '{table.DataFile}' declares a negative size");
            var declared = table.Bytes ?? entry.Length;
            if (table.Bytes is { } bytes && bytes != entry.Length)
                throw new PackageFormatException($"data file '{table.DataFile}' is {entry.Length} bytes in the zip, the manifest says {bytes}");
            total += declared;
            if (total > MaxUncompressedBytes)
                throw new PackageFormatException($"its data files would inflate to more than {MaxUncompressedBytes / (1024L * 1024 * 1024)} GiB");
        }
    }

    public static Counter For(PackageTable table, ZipArchiveEntry entry) => new(table.DataFile, table.Bytes ?? entry.Length, entry.CompressedLength);

    /// <summary>A stream that counts what it inflates against the bounds.</summary>
    internal static Stream Limit(Stream inflating, Counter counter) => new CountingStream(inflating, counter);

    /// <summary>Counts the bytes inflated from one data file and fails as soon as a bound is passed.</summary>
    public sealed class Counter(string file, long declared, long compressed)
    {
        public long Inflated { get; private set; }

        public void Count(int bytes)
        {
            Inflated += bytes;
            if (Inflated > declared)
                throw new PackageFormatException($"data file '{file}' inflates to more than the {declared} bytes declared for it");
            if (Inflated > RatioGraceBytes && Inflated / Math.Max(compressed, 1) > MaxRatio)
                throw new PackageFormatException(
                    $"data file '{file}' inflates more than {MaxRatio} times its compressed size ({compressed} bytes); it looks like a decompression bomb");
        }
    }

    private sealed class CountingStream(Stream inner, Counter counter) : Stream
    {
        public override int Read(byte[] buffer, int offset, int count) => Counted(inner.Read(buffer, offset, count));
        public override int Read(Span<byte> buffer) => Counted(inner.Read(buffer));
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => Counted(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private int Counted(int read)
        {
            counter.Count(read);
            return read;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => counter.Inflated; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
