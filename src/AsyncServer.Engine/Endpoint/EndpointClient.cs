using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AsyncServer.Diagnostics;
using AsyncServer.Packaging;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace AsyncServer.Endpoint;

/// <summary>A pending session as the endpoint lists it (GET /api/v1/sessions).</summary>
public sealed record RemoteSession(
    long Id, string JobId, string DataGroup, string Kind, bool DeleteExisting, int Part, long? FromVersion, long ToVersion,
    long RowCount, long? PackageSize, string? PackageSha256, string Status, int Tries, string? Message, DateTimeOffset CreatedAt,
    DateTimeOffset? UpdatedAt = null);

/// <summary>The listing, with what the store's planner needs: its data group, the partition and the configuration's tryCount.</summary>
public sealed record RemoteSessionList(string ChannelDatabase, int TryCount, IReadOnlyList<RemoteSession> Sessions, string? DataGroup = null,
    string? Partition = null);

/// <summary>
/// What the endpoint answered to a report: the target's status after it, or the refusal with the status it is in;
/// <see cref="LeaseLost"/> when it was refused because this client does not hold the receive lease.
/// </summary>
public sealed record RemoteReport(bool Accepted, string? Status, string? Detail, bool LeaseLost = false);

/// <summary>How the client retries and waits; the defaults suit a store across a WAN.</summary>
public sealed record EndpointClientOptions
{
    public int MaxRetries { get; init; } = 6;
    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Per attempt, until the response headers arrive (a download's body may take longer).</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(100);
    /// <summary>Accept exactly this server certificate (SHA-1 thumbprint, hex) instead of validating its chain: for a self-signed certificate.</summary>
    public string? CertificateThumbprint { get; init; }
    public string ClientVersion { get; init; } = "AsyncServer/" + typeof(EndpointClient).Assembly.GetName().Version;
    /// <summary>Mutual TLS: the store's client certificate (with its private key), mapped to its channel database at the endpoint.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? ClientCertificate { get; init; }
    /// <summary>Tests: after each chunk of a package is written, with the session id, where this attempt started (0, or the
    /// resumed offset), the bytes written so far and the package size.</summary>
    internal Func<long, long, long, long, CancellationToken, Task>? AfterChunk { get; init; }
    /// <summary>How often a run renews its lease at the endpoint (the receive lease, or the upload lease of a send) ...</summary>
    public TimeSpan LeaseRenewal { get; init; } = TimeSpan.FromMinutes(2);
    /// <summary>... which the endpoint grants for this long (its LeaseDuration): without a renewal for this long the run stops.</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromMinutes(10);
}

/// <summary>
/// The store's side of the endpoint over HTTPS: list, download (resumed with Range requests, verified against the
/// listed size and SHA-256), report, and the receive lease. Transient failures (connection errors, timeouts, 5xx,
/// 408, 429) are retried with exponential backoff and jitter by a Polly pipeline; 401/403/404 fail at once with a
/// clear error. The secret is sent only in the Authorization header and appears in no message.
/// </summary>
public sealed partial class EndpointClient : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly HttpClient _http;
    private readonly ResiliencePipeline _retry;
    private readonly string _channelDatabase;

    public EndpointClientOptions Options { get; }

    /// <param name="secret">The channel database's secret; null when the client certificate of <paramref name="options"/> authenticates.</param>
    public EndpointClient(Uri server, string channelDatabase, string? secret, EndpointClientOptions? options = null, HttpMessageHandler? handler = null)
    {
        options ??= new EndpointClientOptions();
        Options = options;
        _channelDatabase = channelDatabase;
        if (server.Scheme != Uri.UriSchemeHttps && !server.IsLoopback)
            throw new AsyncServerException(ErrorIds.EndpointProtocol, ErrorKind.InvalidArgument,
                $"The endpoint {server} is not https; the channel secret would cross the network in clear text. Use https://.", server.ToString());
        _http = new HttpClient(handler ?? CreateHandler(options), disposeHandler: true) { BaseAddress = server, Timeout = Timeout.InfiniteTimeSpan };
        if (secret is not null)
            _http.DefaultRequestHeaders.Authorization =
                new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{channelDatabase}:{secret}")));
        else if (options.ClientCertificate is null)
            throw new AsyncServerException(ErrorIds.SecretNotFound, ErrorKind.InvalidArgument,
                $"Channel database {channelDatabase}: give its endpoint secret or a client certificate.", channelDatabase);
        _http.DefaultRequestHeaders.Add("X-AsyncServer-Client-Version", options.ClientVersion);
        _retry = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                Delay = options.FirstRetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = new PredicateBuilder().Handle<TransientEndpointException>().Handle<HttpRequestException>().Handle<IOException>()
                    .Handle<TimeoutRejectedException>(),
            })
            .AddTimeout(options.AttemptTimeout)
            .Build();
    }

    private static SocketsHttpHandler CreateHandler(EndpointClientOptions options)
    {
        var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(30), PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        if (options.ClientCertificate is { } own) handler.SslOptions.ClientCertificates = [own];
        if (options.CertificateThumbprint is { Length: > 0 } pinned)
            handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, _) =>
                cert is not null && string.Equals(cert.GetCertHashString(), pinned.Replace(" ", ""), StringComparison.OrdinalIgnoreCase);
        return handler;
    }

    public Uri Server => _http.BaseAddress!;

    /// <summary>A response the pipeline should retry: 5xx, 408 or 429.</summary>
    private sealed class TransientEndpointException(string message) : Exception(message);

    private static bool IsTransient(HttpStatusCode status) => (int)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;

    /// <summary>Sends through the retry pipeline; transient statuses are retried, the final response is returned (the caller disposes it).</summary>
    private async Task<HttpResponseMessage> SendAsync(
        Func<HttpRequestMessage> request, CancellationToken ct, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        try
        {
            return await _retry.ExecuteAsync(async token =>
            {
                var response = await _http.SendAsync(request(), completion, token).ConfigureAwait(false);
                if (IsTransient(response.StatusCode))
                {
                    var status = response.StatusCode;
                    response.Dispose();
                    throw new TransientEndpointException($"{(int)status} {status}");
                }
                return response;
            }, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TransientEndpointException or HttpRequestException or IOException or TimeoutRejectedException
            && !ct.IsCancellationRequested)
        {
            throw Unavailable(ex);
        }
    }

    private AsyncServerException Unavailable(Exception ex) => new(ErrorIds.EndpointUnavailable, ErrorKind.ConnectionError,
        $"The endpoint {Server} could not be reached or kept failing after the retries: {ex.Message}", Server.ToString(), ex);

    /// <summary>401, 403 and an unexpected 404 as errors that say what to do; other unexpected statuses as EndpointProtocol.</summary>
    private async Task<AsyncServerException> FailureAsync(HttpResponseMessage response, string what)
    {
        var detail = await DetailAsync(response).ConfigureAwait(false);
        return response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => new AsyncServerException(ErrorIds.EndpointUnauthorized, ErrorKind.PermissionDenied,
                $"The endpoint {Server} refused the credential of channel database {_channelDatabase} (401): the secret is wrong, revoked or expired; " +
                "ask HQ for a new one (New-AsyncChannelCredential).", _channelDatabase),
            HttpStatusCode.Forbidden => new AsyncServerException(ErrorIds.EndpointUnauthorized, ErrorKind.PermissionDenied,
                $"The endpoint {Server} does not allow channel database {_channelDatabase} to {what} (403).", _channelDatabase),
            HttpStatusCode.NotFound => new AsyncServerException(ErrorIds.EndpointProtocol, ErrorKind.ObjectNotFound,
                $"The endpoint {Server} answered 404 to {what}: {detail ?? "is the server URL right (https://host:port, no path)?"}", Server.ToString()),
            _ => new AsyncServerException(ErrorIds.EndpointProtocol, ErrorKind.InvalidOperation,
                $"The endpoint {Server} answered {(int)response.StatusCode} {response.StatusCode} to {what}{(detail is null ? "" : ": " + detail)}",
                Server.ToString()),
        };
    }

    /// <summary>The problem title the endpoint gives a report refused because the client holds no receive lease.</summary>
    public const string NoLeaseTitle = "No receive lease";

    /// <summary>The problem-details "detail" of a response, if it has one.</summary>
    private static async Task<string?> DetailAsync(HttpResponseMessage response) => (await ProblemAsync(response).ConfigureAwait(false)).Detail;

    /// <summary>The problem-details "title" and "detail" of a response, where it has them.</summary>
    private static async Task<(string? Title, string? Detail)> ProblemAsync(HttpResponseMessage response)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            using var doc = JsonDocument.Parse(text);
            string? Text(string name) => doc.RootElement.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            return (Text("title"), Text("detail"));
        }
        catch (JsonException) { return (null, null); }
    }

    public async Task<RemoteSessionList> GetSessionsAsync(CancellationToken ct)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, "api/v1/sessions"), ct).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK) throw await FailureAsync(response, "list its sessions").ConfigureAwait(false);
        return await response.Content.ReadFromJsonAsync<RemoteSessionList>(Json, ct).ConfigureAwait(false)
            ?? throw new AsyncServerException(ErrorIds.EndpointProtocol, ErrorKind.InvalidData,
                $"The endpoint {Server} sent an empty session list.", Server.ToString());
    }

    /// <summary>Takes or renews the receive lease for this client; false when another client holds it.</summary>
    public async Task<bool> AcquireLeaseAsync(string clientId, CancellationToken ct)
    {
        using var response = await SendAsync(
            () => new HttpRequestMessage(HttpMethod.Post, "api/v1/lease") { Content = JsonContent.Create(new { clientId }, options: Json) }, ct)
            .ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Conflict) return false;
        if (response.StatusCode != HttpStatusCode.OK) throw await FailureAsync(response, "take the receive lease").ConfigureAwait(false);
        return true;
    }

    public async Task ReleaseLeaseAsync(string clientId, CancellationToken ct)
    {
        using var response = await SendAsync(
            () => new HttpRequestMessage(HttpMethod.Post, "api/v1/lease/release") { Content = JsonContent.Create(new { clientId }, options: Json) }, ct)
            .ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.NoContent) throw await FailureAsync(response, "release the receive lease").ConfigureAwait(false);
    }

    /// <summary>Reports a stage. A 409 (the state machine or the lease refused it) comes back as not accepted, with the server's detail.</summary>
    public async Task<RemoteReport> ReportAsync(long sessionId, ReportStage stage, string clientId, string? message, CancellationToken ct)
    {
        var body = new { stage = stage.ToString(), clientId, message = message is { Length: > 2000 } ? message[..2000] : message };
        using var response = await SendAsync(
            () => new HttpRequestMessage(HttpMethod.Post, $"api/v1/sessions/{sessionId}/reports") { Content = JsonContent.Create(body, options: Json) }, ct)
            .ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.NotFound)
        {
            var (title, detail) = await ProblemAsync(response).ConfigureAwait(false);
            return new RemoteReport(false, null, detail, LeaseLost: title == NoLeaseTitle);
        }
        if (response.StatusCode != HttpStatusCode.OK) throw await FailureAsync(response, $"report {stage} for session {sessionId}").ConfigureAwait(false);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false));
        return new RemoteReport(true, doc.RootElement.GetProperty("status").GetString(), null);
    }

    private static void TryDelete(string path)
    {
        try { if (File.Exists(path)) File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    public void Dispose() => _http.Dispose();
}
