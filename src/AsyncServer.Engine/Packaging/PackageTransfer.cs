
namespace AsyncServer.Packaging;

/// <summary>What a transfer copied: its size and SHA-256, and whether they were the expected ones.</summary>
public sealed record TransferResult(string Path, long Size, string Sha256, bool Matches);

/// <summary>
/// Copies a package so that its destination folder never shows a partial or unverified file: the bytes go to
/// a new temporary file created exclusively (never an existing file, never through a planted symbolic link),
/// are hashed on the way, flushed to disk, and only renamed into place when size and SHA-256 are the expected
/// ones. Used by the client's download and by Publish-AsyncPackage.
/// </summary>
public static class PackageTransfer
{
    public static async Task<TransferResult> CopyAsync(string source, string target, long? expectedSize, string? expectedSha256, CancellationToken ct)
    {
        var temp = PackageFiles.NewTempPath(target);
        try
        {
            long size;
            string sha;
            await using (var from = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true))
            // Exclusive, and owner-only on Unix (or group-readable in a set-group-ID folder): PrivateFiles.NewFileOptions.
            await using (var to = new FileStream(temp, PrivateFiles.NewFileOptions(Path.GetDirectoryName(Path.GetFullPath(target))!, useAsync: true)))
            await using (var hashing = new HashingWriteStream(to, leaveOpen: true))
            {
                await from.CopyToAsync(hashing, ct).ConfigureAwait(false);
                size = hashing.BytesWritten;
                sha = hashing.FinishHash();
                await to.FlushAsync(ct).ConfigureAwait(false);
                to.Flush(flushToDisk: true);
            }
            var matches = (expectedSize is null || expectedSize == size)
                && (expectedSha256 is null || string.Equals(sha, expectedSha256, StringComparison.OrdinalIgnoreCase));
            if (matches) File.Move(temp, target, overwrite: true);
            return new TransferResult(target, size, sha, matches);
        }
        finally
        {
            PackageFiles.TryDelete(temp);
        }
    }

    /// <summary>True when the file exists with the expected size and SHA-256 (either may be unknown).</summary>
    public static async Task<bool> IsIntactAsync(string path, long? expectedSize, string? expectedSha256, CancellationToken ct)
    {
        if (!File.Exists(path)) return false;
        if (expectedSize is { } size && new FileInfo(path).Length != size) return false;
        return expectedSha256 is null
            || string.Equals(await FileHash.Sha256Async(path, ct).ConfigureAwait(false), expectedSha256, StringComparison.OrdinalIgnoreCase);
    }
}
