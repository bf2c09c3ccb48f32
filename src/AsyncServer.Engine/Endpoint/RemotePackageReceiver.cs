using System.Diagnostics.CodeAnalysis;
using AsyncServer.Client;
using AsyncServer.Data;
using AsyncServer.Diagnostics;
using AsyncServer.Messaging;
using AsyncServer.Packaging;
using AsyncServer.Providers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AsyncServer.Endpoint;

/// <summary>What a store needs to receive over the endpoint: no HQ configuration and no message-database access.</summary>
public sealed record RemoteReceiveRequest(Uri Server, string ChannelDatabase, string? Secret, ResolvedConnection ChannelConnection, string LocalFolder)
{
    /// <summary>Stop after this many sessions (0 = all that are pending).</summary>
    public int MaxSessions { get; init; }
    /// <summary>Names this client in the receive lease; default host-pid.</summary>
    public string? ClientId { get; init; }
    public EndpointClientOptions ClientOptions { get; init; } = new();
}

/// <summary>
/// The reference Async Client over HTTPS: the same state machine as <see cref="PackageReceiver"/> (Requested,
/// Downloaded, Applied, or DownloadFailed / ApplyFailed with the reason, a failure stopping the run and suspending
/// the later sessions), but every step goes through the endpoint, which enforces it in the message database. The
/// package is verified (size and SHA-256 as listed, then its manifest against the listed session) before it is
/// opened for applying. The endpoint's receive lease keeps a second client of the same channel database out.
/// </summary>
public sealed class RemotePackageReceiver(ILogger? log = null)
{
    private readonly ILogger _log = log ?? NullLogger.Instance;

    /// <summary>For front ends in another load context (the module): logging through a plain callback.</summary>
    public static RemotePackageReceiver Create(Action<EngineLogLevel, string, string>? log)
        => new(log is null ? null : EngineLogging.ToCallback(log).CreateLogger<RemotePackageReceiver>());

    public static string DefaultClientId =>
        new string($"{Environment.MachineName}-{Environment.ProcessId}"
            .Select(ch => char.IsAsciiLetterOrDigit(ch) || ch is '.' or '_' or '-' ? ch : '-').ToArray()) is { Length: > 0 } id
            ? id[..Math.Min(id.Length, 100)]
            : "client";

    /// <summary>What a run would do (-WhatIf): the listed sessions, nothing reported.</summary>
    [SuppressMessage("Performance", "CA1822:Mark members as static",
        Justification = "Public API beside RunAsync and PackageReceiver.PlanAsync; Receive-AsyncPackage calls it on the receiver instance.")]
    public async Task<IReadOnlyList<ReceivePlanItem>> PlanAsync(RemoteReceiveRequest request, CancellationToken ct)
    {
        using var client = new EndpointClient(request.Server, request.ChannelDatabase, request.Secret, request.ClientOptions);
        var list = await client.GetSessionsAsync(ct).ConfigureAwait(false);
        var items = list.Sessions.Select(s => new ReceivePlanItem(s.Id, s.JobId, s.DataGroup, list.ChannelDatabase, "Apply",
            $"{s.Kind} package, {s.RowCount} row(s), {s.PackageSize} bytes from {request.Server}{(s.Tries > 0 ? $", try {s.Tries + 1}" : "")}")).ToList();
        return request.MaxSessions > 0 ? items.Take(request.MaxSessions).ToList() : items;
    }

    public async Task<IReadOnlyList<DownloadSession>> RunAsync(RemoteReceiveRequest request, IProgress<ReceiveProgress>? progress, CancellationToken ct)
    {
        var clientId = request.ClientId ?? DefaultClientId;
        using var client = new EndpointClient(request.Server, request.ChannelDatabase, request.Secret, request.ClientOptions);
        var db = request.ChannelDatabase;
        if (!await client.AcquireLeaseAsync(clientId, ct).ConfigureAwait(false))
            throw new AsyncServerException(ErrorIds.WorkClaimedElsewhere, ErrorKind.ResourceBusy,
                $"Channel database {db} is being received by another client of the endpoint {request.Server}; try again later.", db);
        var results = new List<DownloadSession>();
        try
        {
            var list = await client.GetSessionsAsync(ct).ConfigureAwait(false);
            db = list.ChannelDatabase;
            var sessions = request.MaxSessions > 0 ? list.Sessions.Take(request.MaxSessions).ToList() : list.Sessions.ToList();
            PrivateFiles.CreateFolder(request.LocalFolder); // owner only: the local copies hold customer data
            await using var target = EngineContext.ProviderOf(request.ChannelConnection).OpenChannelTarget(request.ChannelConnection);
            for (var i = 0; i < sessions.Count; i++)
            {
                ct.ThrowIfCancellationRequested();
                var s = sessions[i];
                if (s.Status is "DownloadFailed" or "ApplyFailed" && list.TryCount > 0 && s.Tries >= list.TryCount)
                {
                    _log.LogWarning(
                        "Session {Id} at {Db} failed {Tries} time(s) and is not retried (tryCount {TryCount}); " +
                        "HQ must rerun or cancel it. Later sessions wait.", s.Id, db, s.Tries, list.TryCount);
                    break;
                }
                progress?.Report(new ReceiveProgress($"Receiving packages for {db} from {request.Server}",
                    $"Session {s.Id} (job {s.JobId}, {i + 1} of {sessions.Count})", (int)(100.0 * i / sessions.Count)));
                var (status, message) = await ProcessAsync(client, target, clientId, db, s, request.LocalFolder, ct).ConfigureAwait(false);
                results.Add(Describe(s, db, status, message));
                // A session canceled at HQ meanwhile is simply passed; a failure stops the run (later sessions wait behind it).
                if (status is not (SessionStatus.Applied or SessionStatus.Canceled)) break;
                // Renew the lease, like the direct client after every session; lost (it expired and another client took it): stop.
                if (!await client.AcquireLeaseAsync(clientId, ct).ConfigureAwait(false))
                {
                    _log.LogWarning("The receive lease of {Db} was taken over by another client; stopping after session {Id}.", db, s.Id);
                    break;
                }
            }
        }
        finally
        {
            try { await client.ReleaseLeaseAsync(clientId, CancellationToken.None).ConfigureAwait(false); }
            catch (Exception ex) when (ex is AsyncServerException or OperationCanceledException)
            {
                _log.LogWarning("Could not release the receive lease: {Message}; it expires by itself.", ex.Message);
            }
            progress?.Report(new ReceiveProgress($"Receiving packages for {db} from {request.Server}", "Completed", 100));
        }
        return results;
    }

    /// <summary>One session through Requested, Downloaded and Applied, each reported; returns where it ended.</summary>
    private async Task<(SessionStatus, string?)> ProcessAsync(
        EndpointClient client, Client.IChannelTarget target, string clientId, string db, RemoteSession s, string folder, CancellationToken ct)
    {
        var requested = await client.ReportAsync(s.Id, ReportStage.Requested, clientId, "Requested by the client over the endpoint.", ct).ConfigureAwait(false);
        if (!requested.Accepted)
        {
            _log.LogWarning("Session {Id} at {Db}: the endpoint refused Requested: {Detail}", s.Id, db, requested.Detail);
            return (Enum.TryParse<SessionStatus>(s.Status, out var st) ? st : SessionStatus.Available, requested.Detail);
        }
        var local = Path.Combine(folder, $"session-{s.Id}.zip");
        try
        {
            try
            {
                if (!await client.DownloadAsync(s, local, ct).ConfigureAwait(false))
                    return (SessionStatus.Canceled, "No longer pending at the endpoint.");
            }
            catch (AsyncServerException ex) when (ex.ErrorId is ErrorIds.PackageMismatch or ErrorIds.EndpointProtocol or ErrorIds.EndpointUnavailable)
            {
                return await FailAsync(client, clientId, db, s, ReportStage.DownloadFailed, ex.Message, ct).ConfigureAwait(false);
            }
            await ExpectAsync(client.ReportAsync(s.Id, ReportStage.Downloaded, clientId, "Downloaded over the endpoint; size and SHA-256 verified.", ct),
                s.Id, ReportStage.Downloaded).ConfigureAwait(false);
            ApplyResult result;
            try
            {
                using var reader = OpenVerified(local, s, db);
                await reader.VerifyAsync(ct).ConfigureAwait(false);
                result = await target.ApplyAsync(reader, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                var reason = ex is PackageFormatException ? $"The package is invalid: {ex.Message}." : ex.Message;
                return await FailAsync(client, clientId, db, s, ReportStage.ApplyFailed, reason, ct).ConfigureAwait(false);
            }
            var message = $"Applied: {result.Upserted} upserted, {result.Deleted} deleted ({string.Join(", ", result.Tables)}).";
            await ExpectAsync(client.ReportAsync(s.Id, ReportStage.Applied, clientId, message, CancellationToken.None), s.Id, ReportStage.Applied)
                .ConfigureAwait(false);
            _log.LogInformation("Session {Id} applied at {Db}: {Message}", s.Id, db, message);
            return (SessionStatus.Applied, message);
        }
        finally
        {
            try { if (File.Exists(local)) File.Delete(local); } catch (IOException) { }
        }
    }

    private async Task<(SessionStatus, string?)> FailAsync(
        EndpointClient client, string clientId, string db, RemoteSession s, ReportStage stage, string reason, CancellationToken ct)
    {
        _log.LogError("Session {Id} at {Db}: {Stage}: {Reason}", s.Id, db, stage, reason);
        await client.ReportAsync(s.Id, stage, clientId, reason, CancellationToken.None).ConfigureAwait(false);
        return (TargetStateMachine.StatusOf(stage), reason);
    }

    private static async Task ExpectAsync(Task<RemoteReport> report, long sessionId, ReportStage stage)
    {
        var r = await report.ConfigureAwait(false);
        if (!r.Accepted)
            throw new AsyncServerException(ErrorIds.SessionStateInvalid, ErrorKind.InvalidOperation,
                $"The endpoint refused {stage} for session {sessionId}: {r.Detail}", sessionId);
    }

    /// <summary>Opens the verified file and proves its manifest is the listed session's, for this channel database (as PackageReceiver does).</summary>
    private static PackageReader OpenVerified(string local, RemoteSession s, string db)
    {
        var reader = PackageReader.Open(local);
        try
        {
            var m = reader.Manifest;
            var problems = new List<string>();
            if (m.SessionId != s.Id) problems.Add($"its manifest names session {m.SessionId}, not {s.Id}");
            if (!Same(m.JobId, s.JobId)) problems.Add($"its job is {m.JobId}, the session's {s.JobId}");
            if (!Same(m.DataGroup, s.DataGroup)) problems.Add($"its data group is {m.DataGroup}, the session's {s.DataGroup}");
            if (m.FromVersion != s.FromVersion || m.ToVersion != s.ToVersion)
                problems.Add($"its versions {m.FromVersion}..{m.ToVersion} differ from the session's {s.FromVersion}..{s.ToVersion}");
            if (m.Part != s.Part || !Same(m.Kind, s.Kind) || m.DeleteExisting != s.DeleteExisting)
                problems.Add($"its part, kind or delete-existing flag ({m.Part}, {m.Kind}, {m.DeleteExisting}) " +
                    $"differ from the session's ({s.Part}, {s.Kind}, {s.DeleteExisting})");
            if (m.ChannelDatabases.Count > 0 && !m.ChannelDatabases.Contains(db, StringComparer.OrdinalIgnoreCase))
                problems.Add($"it is for channel database(s) {string.Join(", ", m.ChannelDatabases)}, not {db}");
            if (problems.Count > 0)
                throw new AsyncServerException(ErrorIds.PackageMismatch, ErrorKind.InvalidData,
                    $"The package of session {s.Id} does not match its session: {string.Join("; ", problems)}. Nothing was applied.", s.Id);
            return reader;
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    private static bool Same(string? a, string? b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static DownloadSession Describe(RemoteSession s, string db, SessionStatus status, string? message) => new()
    {
        Id = s.Id, Job = s.JobId, DataGroup = s.DataGroup, ChannelDatabase = db, Status = status, PackageStatus = SessionStatus.Available,
        RowCount = s.RowCount, Kind = Enum.TryParse<SessionKind>(s.Kind, out var k) ? k : SessionKind.Incremental, DeleteExisting = s.DeleteExisting,
        FromVersion = s.FromVersion, ToVersion = s.ToVersion, Part = s.Part, PackageSize = s.PackageSize, PackageSha256 = s.PackageSha256,
        Tries = s.Tries + (status is SessionStatus.DownloadFailed or SessionStatus.ApplyFailed ? 1 : 0),
        CreatedAt = s.CreatedAt, UpdatedAt = DateTimeOffset.UtcNow, Message = message,
    };
}
