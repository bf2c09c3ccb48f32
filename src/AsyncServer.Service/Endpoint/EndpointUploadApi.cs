using System.Text.RegularExpressions;
using AsyncServer.Diagnostics;
using AsyncServer.Endpoint;
using AsyncServer.Upload;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace AsyncServer.Service.Endpoint;

/// <summary>
/// /api/v1/uploads: a store sends its upload packages (docs/endpoint.md). Every route acts on the caller's channel database only;
/// another store's upload session is answered exactly like a missing one (404). The package name is the server's.
/// </summary>
public static partial class EndpointApi
{
    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex Sha256Pattern();

    private static void MapUploads(RouteGroupBuilder uploads)
    {
        uploads.MapGet("/configuration", UploadConfigurationOf).WithName("GetUploadConfiguration")
            .WithSummary("The caller's partition and data group, and HQ's upload jobs with their tables: all a store needs to send.")
            .Produces<UploadConfiguration>().ProducesProblem(StatusCodes.Status401Unauthorized);
        uploads.MapGet("/cursors", Cursors).WithName("GetUploadCursors")
            .WithSummary("Per table of the job, the counter the caller's next package starts after (HQ's acknowledged counters and its live sessions).")
            .Produces<UploadCursors>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);
        uploads.MapPost("/lease", (HttpContext c, EndpointState s, CancellationToken ct) => LeaseAsync(c, s, UploadLeaseOf, "uploading", ct))
            .WithName("AcquireUploadLease").WithSummary("Claims (or renews) the caller's channel database for one sender; starting a session needs it.")
            .Accepts<LeaseRequest>("application/json").Produces<LeaseResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status409Conflict);
        uploads.MapPost("/lease/release", (HttpContext c, EndpointState s, CancellationToken ct) => ReleaseAsync(c, s, UploadLeaseOf, ct))
            .WithName("ReleaseUploadLease").WithSummary("Gives the upload lease back.")
            .Accepts<LeaseRequest>("application/json").Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized);
        uploads.MapPost("/", StartUpload).WithName("StartUpload")
            .WithSummary("Records a new upload session (Started) with its tables' counter ranges; answers its id and the package name the server gave it.")
            .Accepts<UploadStartRequest>("application/json").Produces<UploadStarted>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status409Conflict);
        uploads.MapGet("/{id}", GetUpload).WithName("GetUpload")
            .WithSummary("The caller's upload session: its status and how many bytes of its package the server holds (where an upload resumes).")
            .Produces<UploadState>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);
        MapUploadPackage(uploads);
    }

    private static void MapUploadPackage(RouteGroupBuilder uploads)
    {
        uploads.MapPut("/{id}/package", PutPackage).WithName("PutUploadPackage")
            .WithSummary("The package, whole or from where the server's copy ends (Content-Range: bytes FROM-LAST/TOTAL), with X-Package-Sha256. " +
                "200 once it is whole, verified and the session Uploaded; 202 for a part.")
            .Accepts<Stream>("application/octet-stream").Produces<UploadState>().Produces<UploadState>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        uploads.MapPost("/{id}/failure", FailUpload).WithName("ReportUploadFailure")
            .WithSummary("The store's run failed after starting the session: Started -> UploadFailed with the message; its rows are sent again.")
            .Accepts<UploadFailureRequest>("application/json").Produces<UploadState>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static string UploadLeaseOf(EndpointState state, string channel) => UploadLease.Resource(state.Configuration.Partition, channel);

    private static UploadIntake IntakeOf(HttpContext context, EndpointState state)
        => new(state.MessageStore, state.Configuration, ChannelAuthentication.ChannelOf(context));

    private static ProblemHttpResult UploadNotFound(long id) => Problems.Result(StatusCodes.Status404NotFound, "Upload session not found",
        $"Upload session {id} is not one of your channel database's.");

    private static Ok<UploadConfiguration> UploadConfigurationOf(HttpContext context, EndpointState state)
        => TypedResults.Ok(IntakeOf(context, state).Configuration(state.DataGroupOf(ChannelAuthentication.ChannelOf(context))));

    private static async Task<IResult> Cursors(string? job, HttpContext context, EndpointState state, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(job) || job.Length > 100)
            return Problems.Result(StatusCodes.Status400BadRequest, "Bad job", "Name the upload job: ?job=ID.");
        var cursors = await IntakeOf(context, state).CursorsAsync(job, ct);
        return cursors is null
            ? Problems.Result(StatusCodes.Status404NotFound, "Upload job not found", $"Upload job '{Shorten(job)}' is not configured at HQ.")
            : TypedResults.Ok(cursors);
    }

    private static async Task<IResult> StartUpload(HttpContext context, EndpointState state, CancellationToken ct)
    {
        var (body, problem) = await ReadAsync<UploadStartRequest>(context);
        if (problem is not null) return problem;
        if (CheckClientId(body!.ClientId) is { } bad) return bad;
        var channel = ChannelAuthentication.ChannelOf(context);
        var owner = LeaseOwner(channel, body.ClientId);
        var lease = await state.MessageStore.TryAcquireLeaseAsync(UploadLeaseOf(state, channel), owner, LeaseDuration, ct);
        if (!lease.Acquired)
            return Problems.Result(StatusCodes.Status409Conflict, "Channel database busy",
                $"Another sender is uploading for channel database {channel} (until {lease.ExpiresAt:u}); take the lease with POST /api/v1/uploads/lease.");
        try
        {
            var started = await IntakeOf(context, state).StartAsync(body, state.DataGroupOf(channel), owner, ct);
            return TypedResults.Created($"/api/v1/uploads/{started.Id}", started);
        }
        catch (AsyncServerException ex) when (ex.ErrorId == ErrorIds.UploadFailed)
        {
            return Problems.Result(StatusCodes.Status400BadRequest, "Bad upload", ex.Message);
        }
    }

    private static async Task<IResult> GetUpload(string id, HttpContext context, EndpointState state, CancellationToken ct)
    {
        if (!TryParseId(id, out var sessionId)) return BadId(id);
        var intake = IntakeOf(context, state);
        return await intake.FindAsync(sessionId, ct) is { } s ? TypedResults.Ok(intake.StateOf(s)) : UploadNotFound(sessionId);
    }

    private static async Task<IResult> FailUpload(string id, HttpContext context, EndpointState state, CancellationToken ct)
    {
        if (!TryParseId(id, out var sessionId)) return BadId(id);
        var (body, problem) = await ReadAsync<UploadFailureRequest>(context);
        if (problem is not null) return problem;
        if (CheckClientId(body!.ClientId) is { } bad) return bad;
        if (body.Message.Length > 2000) return Problems.Result(StatusCodes.Status400BadRequest, "Message too long", "message is longer than 2000 characters.");
        var intake = IntakeOf(context, state);
        if (await intake.FindAsync(sessionId, ct) is not { } s) return UploadNotFound(sessionId);
        if (!await intake.FailAsync(s, body.Message, ct))
            return Problems.Result(StatusCodes.Status409Conflict, "Transition not allowed", $"Upload session {sessionId} is {s.Status}, not Started.",
                new Dictionary<string, object?> { ["currentStatus"] = s.Status.ToString() });
        return TypedResults.Ok(intake.StateOf((await intake.FindAsync(sessionId, ct))!));
    }
}
