using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using AsyncServer.Diagnostics;
using Polly.Timeout;

namespace AsyncServer.Endpoint;

/// <summary>The upload calls (docs/endpoint.md, /api/v1/uploads): the same retry pipeline and errors as the receive calls.</summary>
public sealed partial class EndpointClient
{
    /// <summary>The header carrying the package's SHA-256 (hex) with every part of an upload; the server checks the whole against it.</summary>
    public const string PackageSha256Header = "X-Package-Sha256";

    public async Task<UploadConfiguration> GetUploadConfigurationAsync(CancellationToken ct)
        => await GetJsonAsync<UploadConfiguration>("api/v1/uploads/configuration", "read its upload jobs", ct).ConfigureAwait(false);

    public async Task<UploadCursors> GetUploadCursorsAsync(string jobId, CancellationToken ct)
        => await GetJsonAsync<UploadCursors>($"api/v1/uploads/cursors?job={Uri.EscapeDataString(jobId)}", $"read the counters of job {jobId}", ct)
            .ConfigureAwait(false);

    public async Task<UploadState> GetUploadAsync(long id, CancellationToken ct)
        => await GetJsonAsync<UploadState>($"api/v1/uploads/{id}", $"read upload session {id}", ct).ConfigureAwait(false);

    /// <summary>Takes or renews the upload lease of the caller's channel database; false when another sender holds it.</summary>
    public async Task<bool> AcquireUploadLeaseAsync(string clientId, CancellationToken ct)
    {
        using var response = await PostJsonAsync("api/v1/uploads/lease", new { clientId }, ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Conflict) return false;
        if (response.StatusCode != HttpStatusCode.OK) throw await FailureAsync(response, "take the upload lease").ConfigureAwait(false);
        return true;
    }

    public async Task ReleaseUploadLeaseAsync(string clientId, CancellationToken ct)
    {
        using var response = await PostJsonAsync("api/v1/uploads/lease/release", new { clientId }, ct).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.NoContent) throw await FailureAsync(response, "release the upload lease").ConfigureAwait(false);
    }

    public async Task<UploadStarted> StartUploadAsync(UploadStartRequest request, CancellationToken ct)
    {
        using var response = await PostJsonAsync("api/v1/uploads", request, ct).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Created) throw await FailureAsync(response, $"start an upload of job {request.JobId}").ConfigureAwait(false);
        return await ReadAsync<UploadStarted>(response, ct).ConfigureAwait(false);
    }

    public async Task FailUploadAsync(long id, string clientId, string message, CancellationToken ct)
    {
        var body = new UploadFailureRequest(clientId, message.Length > 2000 ? message[..2000] : message);
        using var response = await PostJsonAsync($"api/v1/uploads/{id}/failure", body, ct).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK) throw await FailureAsync(response, $"report the failure of upload session {id}").ConfigureAwait(false);
    }

    /// <summary>
    /// Sends the package of upload session <paramref name="id"/>, continuing where the server's copy stops: each attempt asks
    /// how many bytes arrived (GET /api/v1/uploads/{id}) and PUTs the rest with Content-Range. Returns the session's state once
    /// the server has the whole package, verified against <paramref name="size"/> and <paramref name="sha256"/>.
    /// </summary>
    public async Task<UploadState> UploadPackageAsync(long id, string path, long size, string sha256, CancellationToken ct)
    {
        try
        {
            return await _retry.ExecuteAsync(async token =>
            {
                var state = await GetUploadAsync(id, token).ConfigureAwait(false);
                if (state.Status != "Started" || state.ReceivedBytes > size) return state;
                return await PutFromAsync(id, path, state.ReceivedBytes, size, sha256, token).ConfigureAwait(false);
            }, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TransientEndpointException or HttpRequestException or IOException or TimeoutRejectedException
            && !ct.IsCancellationRequested)
        {
            throw Unavailable(ex);
        }
    }

    private async Task<UploadState> PutFromAsync(long id, string path, long from, long size, string sha256, CancellationToken ct)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        file.Seek(from, SeekOrigin.Begin);
        using var request = new HttpRequestMessage(HttpMethod.Put, $"api/v1/uploads/{id}/package") { Content = new StreamContent(file, 1 << 16) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        request.Content.Headers.ContentLength = size - from;
        request.Content.Headers.ContentRange = size == 0 ? null : new ContentRangeHeaderValue(from, size - 1, size);
        request.Headers.Add(PackageSha256Header, sha256);
        using var response = await _http.SendAsync(request, ct).ConfigureAwait(false);
        if (IsTransient(response.StatusCode)) throw new TransientEndpointException($"{(int)response.StatusCode} {response.StatusCode}");
        // 409: the server holds another number of bytes than this attempt assumed (a part arrived after all); ask again.
        if (response.StatusCode == HttpStatusCode.Conflict && (await ProblemAsync(response).ConfigureAwait(false)).Title == UploadOffsetTitle)
            throw new TransientEndpointException("the server holds another part of the package");
        if (response.StatusCode != HttpStatusCode.OK) throw await FailureAsync(response, $"upload the package of session {id}").ConfigureAwait(false);
        return await ReadAsync<UploadState>(response, ct).ConfigureAwait(false);
    }

    /// <summary>The problem title of a PUT whose Content-Range does not start where the server's copy ends.</summary>
    public const string UploadOffsetTitle = "Upload offset mismatch";

    private async Task<T> GetJsonAsync<T>(string uri, string what, CancellationToken ct)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, uri), ct).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK) throw await FailureAsync(response, what).ConfigureAwait(false);
        return await ReadAsync<T>(response, ct).ConfigureAwait(false);
    }

    private Task<HttpResponseMessage> PostJsonAsync<T>(string uri, T body, CancellationToken ct)
        => SendAsync(() => new HttpRequestMessage(HttpMethod.Post, uri) { Content = JsonContent.Create(body, options: Json) }, ct);

    private async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken ct)
        => await response.Content.ReadFromJsonAsync<T>(Json, ct).ConfigureAwait(false)
            ?? throw new AsyncServerException(ErrorIds.EndpointProtocol, ErrorKind.InvalidData,
                $"The endpoint {Server} sent an empty {typeof(T).Name}.", Server.ToString());
}
