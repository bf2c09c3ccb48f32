using System.Security.Cryptography;

namespace AsyncServer.Endpoint;

/// <summary>
/// The partial file of one download attempt: chunks are hashed and written at their offsets, one at a time (the caller
/// awaits each before the next), and the written bytes are pushed to disk in the background while the body still
/// arrives, so the fsync before the rename has little left to write (it used to wait for the whole package at the end).
/// </summary>
internal sealed class PartialPackageFile(FileStream file) : IAsyncDisposable
{
    /// <summary>Written bytes that start a background sync when no sync is running.</summary>
    internal const long SyncEvery = 8L << 20;

    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private Task _syncing = Task.CompletedTask;
    private long _unsynced;

    /// <summary>Hashes the first <paramref name="length"/> bytes already in the file, which must be exactly that long.</summary>
    public async Task SeedAsync(long length, byte[] buffer, CancellationToken ct)
    {
        // Measured through the open (unshared) handle: what is hashed is what the body is appended to.
        if (RandomAccess.GetLength(file.SafeFileHandle) != length) throw new IOException("The partial file changed while its download resumed.");
        for (long at = 0; at < length;)
        {
            var want = (int)Math.Min(buffer.Length, length - at);
            var n = await RandomAccess.ReadAsync(file.SafeFileHandle, buffer.AsMemory(0, want), at, ct).ConfigureAwait(false);
            if (n == 0) throw new IOException("The partial file was truncated while its download resumed.");
            _hash.AppendData(buffer, 0, n);
            at += n;
        }
    }

    public void Write(ReadOnlySpan<byte> chunk, long at)
    {
        _hash.AppendData(chunk);
        RandomAccess.Write(file.SafeFileHandle, chunk, at);
        _unsynced += chunk.Length;
        if (_unsynced < SyncEvery || !_syncing.IsCompleted) return;
        _syncing.GetAwaiter().GetResult(); // a failed earlier sync fails the attempt here
        _unsynced = 0;
        // fsync of the same file while later chunks are written: the kernel writes out what is dirty now.
        _syncing = Task.Run(() => file.Flush(flushToDisk: true));
    }

    /// <summary>Everything written is on disk (the last background sync, then one more); returns the SHA-256 of the whole file.</summary>
    public async Task<string> FinishAsync()
    {
        await _syncing.ConfigureAwait(false);
        file.Flush(flushToDisk: true);
        return Convert.ToHexString(_hash.GetHashAndReset()).ToLowerInvariant();
    }

    public async ValueTask DisposeAsync()
    {
        // No sync may still run on the handle when it closes (after a failed attempt).
        await Task.WhenAny(_syncing).ConfigureAwait(false);
        _hash.Dispose();
        await file.DisposeAsync().ConfigureAwait(false);
    }
}
