using System.Net;
using System.Net.Http.Headers;
using AsyncServer.Diagnostics;
using AsyncServer.Packaging;
using Polly.Timeout;

namespace AsyncServer.Endpoint;

/// <summary>
/// The package download (GET /api/v1/sessions/{id}/package): streamed into "path.partial", hashed on the way, resumed with a
/// Range request after a cut, and renamed into place only when the whole file has the listed size and SHA-256.
/// </summary>
public sealed partial class EndpointClient
{
    /// <summary>
    /// Each download reads into one of two buffers of this size while the other is hashed and written: large enough that a
    /// fast body arrives in few chunks (each a hash call and a write), small enough that many downloads at once cost little.
    /// </summary>
    internal const int DownloadBufferSize = 1 << 20;

    /// <summary>How one attempt ended: the session is gone (404), the partial file was already whole, or the body was written.</summary>
    private readonly record struct Attempt(bool Gone, string? StreamedSha256);

    /// <summary>
    /// Downloads the session's package to <paramref name="path"/>. A partial file left by an interrupted attempt (or an
    /// earlier run) is continued with a Range request, on the condition (If-Range) that the package is still the one
    /// with this SHA-256; the finished file's size and SHA-256 must be the listed ones, or it is deleted and the
    /// download fails with PackageMismatch. Returns false when the session is no longer pending (404).
    /// </summary>
    public async Task<bool> DownloadAsync(RemoteSession s, string path, CancellationToken ct)
    {
        if (s.PackageSize is not { } size || s.PackageSha256 is not { Length: 64 } sha)
            throw new AsyncServerException(ErrorIds.EndpointProtocol, ErrorKind.InvalidData,
                $"The endpoint lists session {s.Id} without its package size and SHA-256.", s.Id);
        var partial = path + ".partial";
        if (File.Exists(partial) && new FileInfo(partial).Length > size) File.Delete(partial);
        var last = default(Attempt);
        try
        {
            await _retry.ExecuteAsync(async token =>
            {
                last = default;
                last = await DownloadAttemptAsync(s, partial, size, sha, token).ConfigureAwait(false);
            }, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TransientEndpointException or HttpRequestException or IOException or TimeoutRejectedException
            && !ct.IsCancellationRequested)
        {
            throw Unavailable(ex);
        }
        if (last.Gone) { TryDelete(partial); return false; }
        var actualSize = new FileInfo(partial).Length;
        // The attempt that wrote the end of the file hashed all of it (what was there before, then the body); only a partial
        // file that was already whole when this call began is read again.
        var actualSha = last.StreamedSha256 ?? await FileHash.Sha256Async(partial, ct).ConfigureAwait(false);
        if (actualSize != size || !string.Equals(actualSha, sha, StringComparison.OrdinalIgnoreCase))
        {
            TryDelete(partial);
            throw new AsyncServerException(ErrorIds.PackageMismatch, ErrorKind.InvalidData,
                $"The downloaded package of session {s.Id} has SHA-256 {actualSha} ({actualSize} bytes); the endpoint listed {sha} ({size} bytes). " +
                "It was changed or damaged after it was recorded.", s.Id);
        }
        File.Move(partial, path, overwrite: true);
        return true;
    }

    /// <summary>One request for what the partial file lacks; the body is appended (or replaces it) and flushed to disk.</summary>
    private async Task<Attempt> DownloadAttemptAsync(RemoteSession s, string partial, long size, string sha, CancellationToken token)
    {
        var have = File.Exists(partial) ? new FileInfo(partial).Length : 0;
        if (have == size) return new Attempt(false, null);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/v1/sessions/{s.Id}/package");
        if (have > 0)
        {
            request.Headers.Range = new RangeHeaderValue(have, null);
            request.Headers.IfRange = new RangeConditionHeaderValue(new EntityTagHeaderValue($"\"{sha}\""));
        }
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
        if (IsTransient(response.StatusCode)) throw new TransientEndpointException($"{(int)response.StatusCode} {response.StatusCode}");
        // 404: the session is no longer pending here (canceled meanwhile); nothing to download.
        if (response.StatusCode == HttpStatusCode.NotFound) return new Attempt(true, null);
        if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.PartialContent))
            throw await FailureAsync(response, $"download session {s.Id}").ConfigureAwait(false);
        // 200 means the whole package: the server ignored the range (If-Range did not match), so start over.
        var start = response.StatusCode == HttpStatusCode.PartialContent && response.Content.Headers.ContentRange?.From == have ? have : 0;
        await using var body = await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
        // Read and written by offset through the handle (no FileStream buffer); the FileStream is there for the fsync.
        await using var file = new PartialPackageFile(new FileStream(partial, new FileStreamOptions
        {
            Mode = start > 0 ? FileMode.Open : FileMode.Create, Access = FileAccess.ReadWrite, Share = FileShare.None, BufferSize = 0,
        }));
        byte[] reading = new byte[DownloadBufferSize], spare = new byte[DownloadBufferSize];
        // A resumed download hashes the bytes already on disk first, so the whole package is checked before it is opened:
        // a partial file damaged meanwhile is refused like a damaged body.
        if (start > 0) await file.SeedAsync(start, reading, token).ConfigureAwait(false);
        // A connection cut mid-body throws here (IOException or HttpRequestException) and the next attempt resumes.
        await CopyBodyAsync(body, file, (reading, spare), s, start, token).ConfigureAwait(false);
        return new Attempt(false, await file.FinishAsync().ConfigureAwait(false));
    }

    /// <summary>
    /// Copies a response body into the partial file from <paramref name="start"/>, hashing it. Two buffers: while one chunk
    /// is hashed and written on a pool thread, the next is read (and decrypted) into the other, so the two cores overlap
    /// them. A chunk is handed over as soon as the previous one is done, however small: a slow body is written as it
    /// comes, and tests observe each chunk (<see cref="EndpointClientOptions.AfterChunk"/>).
    /// </summary>
    private async Task CopyBodyAsync(Stream body, PartialPackageFile file, (byte[], byte[]) buffers, RemoteSession s, long start, CancellationToken ct)
    {
        var (reading, spare) = buffers;
        var offset = start;
        var filled = 0;
        var writing = Task.CompletedTask;
        try
        {
            while (true)
            {
                var n = await body.ReadAsync(reading.AsMemory(filled), ct).ConfigureAwait(false);
                filled += n;
                if (n > 0 && filled < reading.Length && !writing.IsCompleted) continue;
                await writing.ConfigureAwait(false);
                if (filled == 0) break;
                var (chunk, at) = (new ReadOnlyMemory<byte>(reading, 0, filled), offset);
                writing = Task.Run(() => WriteChunkAsync(file, chunk, at, s, start, ct), ct);
                (reading, spare, offset, filled) = (spare, reading, offset + filled, 0);
                if (n == 0) break;
            }
            await writing.ConfigureAwait(false);
        }
        finally
        {
            // After a failed read no write may still run on the handle the caller is about to close.
            await Task.WhenAny(writing).ConfigureAwait(false);
        }
    }

    private async Task WriteChunkAsync(PartialPackageFile file, ReadOnlyMemory<byte> chunk, long at, RemoteSession s, long start, CancellationToken ct)
    {
        file.Write(chunk.Span, at);
        if (Options.AfterChunk is { } observe) await observe(s.Id, start, at + chunk.Length, s.PackageSize ?? 0, ct).ConfigureAwait(false);
    }
}
