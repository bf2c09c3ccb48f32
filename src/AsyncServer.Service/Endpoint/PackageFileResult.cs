using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace AsyncServer.Service.Endpoint;

/// <summary>
/// A whole package (200, no Range or condition in the request), written the way TLS sends it cheaply: each chunk is read
/// from the file straight into memory the response's pipe lends (no copy buffer), and handed on in one piece, so the
/// TLS layer encrypts full-size records instead of one per 4 KB block of Kestrel's pool, which is what the file
/// result's 64 KB copy through the response stream produced. Ranges and conditional requests still go to
/// TypedResults.PhysicalFile, which implements them. Memory per download: one chunk, rented for the write.
/// </summary>
internal sealed class PackageFileResult(string path, long length, DateTimeOffset lastModified, EntityTagHeaderValue entityTag) : IResult
{
    /// <summary>The read (and the write handed to TLS) at a time: 16 TLS records, a few hundred system calls for 100 MB.</summary>
    internal const int ChunkSize = 1 << 18;

    /// <summary>True when the request asks for the whole file with no condition: the only case this result serves.</summary>
    public static bool Serves(HttpRequest request)
    {
        var h = request.Headers;
        return h.Range.Count == 0 && h.IfRange.Count == 0 && h.IfMatch.Count == 0 && h.IfNoneMatch.Count == 0
            && h.IfModifiedSince.Count == 0 && h.IfUnmodifiedSince.Count == 0;
    }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var ct = httpContext.RequestAborted;
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.Asynchronous | FileOptions.SequentialScan);
        // Measured again through the open handle: Content-Length must be what is sent.
        if (RandomAccess.GetLength(file) != length) throw new IOException($"The package {path} changed size while it was being served.");
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/octet-stream";
        response.ContentLength = length;
        var headers = response.GetTypedHeaders();
        headers.LastModified = lastModified;
        headers.ETag = entityTag;
        response.Headers.AcceptRanges = "bytes";
        var writer = response.BodyWriter;
        for (long at = 0; at < length;)
        {
            var memory = writer.GetMemory(ChunkSize);
            var n = await RandomAccess.ReadAsync(file, memory[..(int)Math.Min(memory.Length, length - at)], at, ct).ConfigureAwait(false);
            if (n == 0) throw new IOException($"The package {path} was truncated while it was being served.");
            writer.Advance(n);
            at += n;
            var flushed = await writer.FlushAsync(ct).ConfigureAwait(false);
            if (flushed.IsCanceled || flushed.IsCompleted) return;
        }
    }
}
