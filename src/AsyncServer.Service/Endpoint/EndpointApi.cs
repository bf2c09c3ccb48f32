using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using AsyncServer.Endpoint;
using AsyncServer.Messaging;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace AsyncServer.Service.Endpoint;

/// <summary>
/// The routes. /health/* need no authentication and say nothing but ready or not; /api/v1/* act only on the
/// channel database the caller authenticated as (ChannelAuthentication). docs/endpoint.md describes each.
/// </summary>
public static partial class EndpointApi
{
    /// <summary>How long a receive lease lasts; the client renews it after every session, like the direct client.</summary>
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromMinutes(10);

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$")]
    private static partial Regex ClientIdPattern();

    [GeneratedRegex("^bytes=[0-9]{1,18}-[0-9]{0,18}$")]
    private static partial Regex SingleRange();

    public static void Map(WebApplication app)
    {
        app.MapGet("/health/live", () => TypedResults.Ok(new HealthResponse("live")))
            .WithName("Live").WithSummary("The process is running.").WithTags("Health");
        app.MapGet("/health/ready", Ready)
            .WithName("Ready").WithSummary("The message database is reachable with a current schema and the download folder is readable.").WithTags("Health")
            .Produces<HealthResponse>(StatusCodes.Status503ServiceUnavailable);

        var api = app.MapGroup("/api/v1").WithTags("Channel database");
        api.MapGet("/sessions", ListSessions).WithName("ListPendingSessions").WithMetadata(new ChannelAuthentication.ReadsPendingSessions())
            .WithSummary("The caller's pending sessions, in the order they must be applied.")
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        api.MapGet("/sessions/{id}/package", DownloadPackage).WithName("DownloadPackage")
            .WithSummary("The session's package. ETag is its SHA-256; Range requests resume an interrupted download.")
            .Produces(StatusCodes.Status200OK, contentType: "application/octet-stream")
            .Produces(StatusCodes.Status206PartialContent, contentType: "application/octet-stream")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status410Gone)
            .ProducesProblem(StatusCodes.Status416RangeNotSatisfiable);
        api.MapPost("/sessions/{id}/reports", Report).WithName("ReportStage")
            .WithSummary("Reports a stage of the session at the caller's channel database; 409 names the current status when the state machine refuses it.")
            .Accepts<ReportRequest>("application/json")
            .Produces<ReportResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        api.MapPost("/lease", AcquireLease).WithName("AcquireReceiveLease")
            .WithSummary("Claims (or renews) the caller's channel database for one client; reports need it.")
            .Accepts<LeaseRequest>("application/json")
            .Produces<LeaseResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/lease/release", ReleaseLease).WithName("ReleaseReceiveLease")
            .WithSummary("Gives the receive lease back.")
            .Accepts<LeaseRequest>("application/json")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized);
        MapUploads(app.MapGroup("/api/v1/uploads").WithTags("Upload"));
    }

    private static async Task<Results<Ok<HealthResponse>, JsonHttpResult<HealthResponse>>> Ready(
        EndpointState state, ILogger<EndpointState> log, CancellationToken ct)
    {
        try
        {
            await state.MessageStore.EnsureReadyAsync(ct);
            _ = Directory.EnumerateFileSystemEntries(state.DownloadFolder).Take(1).Count();
            return TypedResults.Ok(new HealthResponse("ready"));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The reason goes to the log (engine messages name connections in redacted form), not to the unauthenticated caller.
            log.LogWarning("Not ready: {Message}", ex.Message);
            return TypedResults.Json(new HealthResponse("not ready"), statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    private static async Task<Ok<PendingSessions>> ListSessions(HttpContext context, EndpointState state, CancellationToken ct)
    {
        var channel = ChannelAuthentication.ChannelOf(context);
        // Read with the credentials in one round trip (ChannelAuthentication.ReadsPendingSessions), unless a client certificate authenticated it.
        var pending = ChannelAuthentication.PendingSessionsOf(context) ?? await state.MessageStore.GetPendingSessionsAsync(channel, ct);
        // Sessions still staged are not served yet, and nothing after one is listed either: the store applies in order (rule 4).
        var list = pending.TakeWhile(s => !s.Staged).Where(s => s.PackageFile is not null).Select(s =>
        {
            var t = s.Targets.Single(x => string.Equals(x.ChannelDatabase, channel, StringComparison.OrdinalIgnoreCase));
            return new PendingSession(s.Id, s.JobId, s.DataGroup, s.Kind.ToString(), s.DeleteExisting, s.Part, s.FromVersion, s.ToVersion,
                s.RowCount, s.PackageSize, s.PackageSha256, t.Status.ToString(), t.Tries, t.Message, s.CreatedAt, t.UpdatedAt);
        }).ToList();
        var config = state.Configuration;
        return TypedResults.Ok(new PendingSessions(channel, config.TryCount, list, state.DataGroupOf(channel), config.Partition));
    }

    private static bool TryParseId(string text, out long id) => long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id) && id > 0;

    private static ProblemHttpResult BadId(string text) => Problems.Result(StatusCodes.Status400BadRequest, "Bad session id",
        $"The session id '{Shorten(text)}' is not a positive whole number.");

    private static string Shorten(string text) => new(text.Where(ch => ch is >= ' ' and <= '~').Take(40).ToArray());

    private static async Task<IResult> DownloadPackage(string id, HttpContext context, EndpointState state, ILogger<EndpointState> log, CancellationToken ct)
    {
        if (!TryParseId(id, out var sessionId)) return BadId(id);
        var range = context.Request.Headers.Range.ToString();
        if (range.Length > 0 && !SingleRange().IsMatch(range))
            return Problems.Result(StatusCodes.Status416RangeNotSatisfiable, "Unsupported range",
                "Only one byte range is served: Range: bytes=FROM- or bytes=FROM-TO.");
        var channel = ChannelAuthentication.ChannelOf(context);
        var s = (await state.MessageStore.GetPendingSessionsAsync(channel, ct)).FirstOrDefault(x => x.Id == sessionId);
        if (s is null || s.Staged || s.PackageFile is null || s.PackageSha256 is null || s.PackageSize is null) return Problems.SessionNotFound(sessionId);

        // The file name comes from the session row, never from the request, and must be a bare name in the download folder.
        var name = s.PackageFile;
        var full = Path.GetFullPath(Path.Combine(state.DownloadFolder, name));
        if (name != Path.GetFileName(name) || name is "." or ".." || name.Contains('\\') || name.Contains('/')
            || Path.GetDirectoryName(full) != state.DownloadFolder.TrimEnd(Path.DirectorySeparatorChar))
        {
            log.LogError("Session {Id} records package file name '{Name}', which is not a bare file name in the download folder; refused.",
                sessionId, Shorten(name));
            return Problems.Result(StatusCodes.Status409Conflict, "Package refused",
                $"The package of session {sessionId} is recorded under a name the server will not serve; the operator must repackage it.");
        }
        var file = new FileInfo(full);
        if (!file.Exists)
            return Problems.Result(StatusCodes.Status410Gone, "Package missing",
                $"The package of session {sessionId} is no longer on the server; ask the operator to run Restart-AsyncSession.");
        if (file.Length != s.PackageSize)
        {
            log.LogError("Package {File} of session {Id} is {Actual} bytes; the session records {Expected}. It was changed after it was recorded; refused.",
                full, sessionId, file.Length, s.PackageSize);
            return Problems.Result(StatusCodes.Status409Conflict, "Package changed",
                $"The package of session {sessionId} was changed on the server after it was recorded; " +
                "ask the operator to run Restart-AsyncSession.");
        }
        var entityTag = new EntityTagHeaderValue($"\"{s.PackageSha256}\"");
        if (PackageFileResult.Serves(context.Request)) return new PackageFileResult(full, file.Length, file.LastWriteTimeUtc, entityTag);
        return TypedResults.PhysicalFile(full, "application/octet-stream", fileDownloadName: null, lastModified: file.LastWriteTimeUtc,
            entityTag: entityTag, enableRangeProcessing: true);
    }

    private static async Task<IResult> Report(string id, HttpContext context, EndpointState state, CancellationToken ct)
    {
        if (!TryParseId(id, out var sessionId)) return BadId(id);
        var (body, problem) = await ReadAsync<ReportRequest>(context);
        if (problem is not null) return problem;
        var clientProblem = CheckClientId(body!.ClientId);
        if (clientProblem is not null) return clientProblem;
        if (!Stages.TryGetValue(body.Stage, out var stage))
            return Problems.Result(StatusCodes.Status400BadRequest, "Bad stage",
                $"stage '{Shorten(body.Stage)}' is not one of {string.Join(", ", Stages.Keys)}.");
        if (body.Message is { Length: > 2000 })
            return Problems.Result(StatusCodes.Status400BadRequest, "Message too long", "message is longer than 2000 characters.");
        var channel = ChannelAuthentication.ChannelOf(context);
        var message = stage == ReportStage.Skipped ? await SkipMessageAsync(state, channel, sessionId, ct) : body.Message;
        if (stage == ReportStage.Skipped && message is null)
            return Problems.Result(StatusCodes.Status409Conflict, "Skip refused",
                $"Session {sessionId} is not superseded at channel database {channel} (nor for a data group it left): it must be applied.");
        var outcome = await state.Endpoint.ReportAsync(state.Configuration.Partition, channel, sessionId, stage, message,
            LeaseOwner(channel, body.ClientId), state.Configuration.TryCount, ct);
        return outcome.Kind switch
        {
            ReportOutcomeKind.Changed or ReportOutcomeKind.Unchanged =>
                TypedResults.Ok(new ReportResponse(sessionId, outcome.Status!.Value.ToString(), outcome.Kind == ReportOutcomeKind.Changed)),
            ReportOutcomeKind.NotFound => Problems.SessionNotFound(sessionId),
            ReportOutcomeKind.NotLeaseHolder => Problems.Result(StatusCodes.Status409Conflict, EndpointClient.NoLeaseTitle,
                $"Session {sessionId} was not changed: {outcome.Reason}. Take the lease with POST /api/v1/lease first.",
                new Dictionary<string, object?> { ["currentStatus"] = outcome.Status?.ToString() }),
            _ => Problems.Result(StatusCodes.Status409Conflict, "Transition not allowed",
                $"Session {sessionId} is {outcome.Status} at channel database {channel}; " +
                $"it cannot become {TargetStateMachine.StatusOf(stage)}{(outcome.Reason is null ? "" : ": " + outcome.Reason)}.",
                new Dictionary<string, object?> { ["currentStatus"] = outcome.Status?.ToString() }),
        };
    }

    /// <summary>The receive planner's message for skipping the session here (SkipCheck), or null when it would not skip it.</summary>
    private static async Task<string?> SkipMessageAsync(EndpointState state, string channel, long sessionId, CancellationToken ct)
    {
        var pending = await state.MessageStore.GetPendingSessionsAsync(channel, ct);
        return SkipCheck.SkipMessage(pending, sessionId, channel, state.DataGroupOf(channel), state.Configuration.TryCount, DateTimeOffset.UtcNow);
    }

    private static readonly Dictionary<string, ReportStage> Stages =
        Enum.GetValues<ReportStage>().ToDictionary(s => s.ToString(), StringComparer.OrdinalIgnoreCase);

    private static string LeaseOwner(string channel, string clientId) => $"endpoint:{channel}:{clientId}";

    private static ProblemHttpResult? CheckClientId(string clientId) => ClientIdPattern().IsMatch(clientId) ? null
        : Problems.Result(StatusCodes.Status400BadRequest, "Bad client id",
            "clientId must be 1 to 100 letters, digits, '.', '_', ':' or '-', starting with a letter or digit.");

    private static Task<IResult> AcquireLease(HttpContext context, EndpointState state, CancellationToken ct)
        => LeaseAsync(context, state, (s, channel) => EndpointStore.ReceiveLease(s.Configuration.Partition, channel), "receiving packages", ct);

    private static Task<IResult> ReleaseLease(HttpContext context, EndpointState state, CancellationToken ct)
        => ReleaseAsync(context, state, (s, channel) => EndpointStore.ReceiveLease(s.Configuration.Partition, channel), ct);

    /// <summary>Takes or renews a lease of the caller's channel database (the receive lease, or the upload lease) for the body's client.</summary>
    private static async Task<IResult> LeaseAsync(HttpContext context, EndpointState state, Func<EndpointState, string, string> resource, string doing,
        CancellationToken ct)
    {
        var (body, problem) = await ReadAsync<LeaseRequest>(context);
        if (problem is not null) return problem;
        if (CheckClientId(body!.ClientId) is { } bad) return bad;
        var channel = ChannelAuthentication.ChannelOf(context);
        var lease = await state.MessageStore.TryAcquireLeaseAsync(resource(state, channel), LeaseOwner(channel, body.ClientId), LeaseDuration, ct);
        if (!lease.Acquired)
            return Problems.Result(StatusCodes.Status409Conflict, "Channel database busy",
                $"Another client is {doing} for channel database {channel} (its lease runs until {lease.ExpiresAt:u}); try again later.");
        return TypedResults.Ok(new LeaseResponse(body.ClientId, lease.ExpiresAt ?? DateTimeOffset.UtcNow.Add(LeaseDuration)));
    }

    private static async Task<IResult> ReleaseAsync(HttpContext context, EndpointState state, Func<EndpointState, string, string> resource,
        CancellationToken ct)
    {
        var (body, problem) = await ReadAsync<LeaseRequest>(context);
        if (problem is not null) return problem;
        if (CheckClientId(body!.ClientId) is { } bad) return bad;
        var channel = ChannelAuthentication.ChannelOf(context);
        await state.MessageStore.ReleaseLeaseAsync(resource(state, channel), LeaseOwner(channel, body.ClientId), ct);
        return TypedResults.NoContent();
    }

    /// <summary>Reads a JSON body strictly: application/json, within the size limit, well-formed, no unknown or missing members.</summary>
    private static async Task<(T? Body, IResult? Problem)> ReadAsync<T>(HttpContext context) where T : class
    {
        if (!(context.Request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) ?? false))
            return (null, Problems.Result(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "Send the body as application/json."));
        try
        {
            var body = await JsonSerializer.DeserializeAsync<T>(context.Request.Body, Json, context.RequestAborted);
            return body is null
                ? (null, Problems.Result(StatusCodes.Status400BadRequest, "Empty body", $"Send a {typeof(T).Name} JSON object."))
                : (body, null);
        }
        catch (JsonException ex)
        {
            // System.Text.Json names the path and position; it does not echo values.
            return (null, Problems.Result(StatusCodes.Status400BadRequest, "Malformed JSON", $"The body is not a valid {typeof(T).Name}: {ex.Message}"));
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, Problems.Result(StatusCodes.Status413PayloadTooLarge, "Body too large", "The request body is larger than the endpoint accepts."));
        }
    }
}
