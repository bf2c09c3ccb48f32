using AsyncServer.Client;
using AsyncServer.Diagnostics;
using AsyncServer.Messaging;
using AsyncServer.Packaging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AsyncServer.Endpoint;

/// <summary>
/// A receive run over the HTTPS endpoint (<see cref="EndpointClient"/>): the listing, the receive lease, every stage as a
/// report (the endpoint enforces the state machine in the message database and suspends later sessions behind a
/// failure), a skip as a Skipped report the endpoint checks with the same <see cref="ReceivePlanner"/>, and the package
/// downloaded (resumed with ranges) and checked against the listed size and SHA-256. The flow is
/// <see cref="PackageReceiver"/>'s, the same as the direct client's.
/// </summary>
public sealed class EndpointReceiveTransport : IReceiveTransport
{
    private readonly EndpointClient _client;
    private readonly string _clientId;
    private readonly ILogger _log;
    private readonly Dictionary<long, RemoteSession> _listed = [];
    private EndpointLeaseClaim? _claim;

    public EndpointReceiveTransport(RemoteReceiveRequest request, ILogger? log = null, HttpMessageHandler? handler = null)
    {
        _client = new EndpointClient(request.Server, request.ChannelDatabase, request.Secret, request.ClientOptions, handler);
        _clientId = request.ClientId ?? RemoteReceiveRequest.DefaultClientId;
        _log = log ?? NullLogger.Instance;
        Channel = new ReceiveChannel(request.ChannelDatabase, request.ChannelConnection, request.LocalFolder);
    }

    /// <summary>For front ends in another load context (the module): logging through a plain callback.</summary>
    public static EndpointReceiveTransport Create(RemoteReceiveRequest request, Action<EngineLogLevel, string, string>? log)
        => new(request, log is null ? null : EngineLogging.ToCallback(log).CreateLogger<EndpointReceiveTransport>());

    /// <summary>The channel database as the endpoint spells it, once listed.</summary>
    public ReceiveChannel Channel { get; private set; }

    public string Activity => $"Receiving packages for {Channel.Id} from {_client.Server}";

    public async Task<PendingWork> ListAsync(CancellationToken ct)
    {
        var list = await _client.GetSessionsAsync(ct).ConfigureAwait(false);
        Channel = Channel with { Id = list.ChannelDatabase };
        _listed.Clear();
        foreach (var s in list.Sessions) _listed[s.Id] = s;
        return new PendingWork(list.DataGroup ?? "", list.TryCount, list.Partition ?? "", DateTimeOffset.UtcNow,
            list.Sessions.Select(s => Record(s, list)).ToList());
    }

    /// <summary>A listed session as the planner and the manifest check read it, with this channel database's target.</summary>
    private static DownloadSessionRecord Record(RemoteSession s, RemoteSessionList list) => new()
    {
        Id = s.Id, Partition = list.Partition ?? "", JobId = s.JobId, DataGroup = s.DataGroup,
        Kind = Enum.TryParse<SessionKind>(s.Kind, out var kind) ? kind : SessionKind.Incremental, DeleteExisting = s.DeleteExisting,
        FromVersion = s.FromVersion, ToVersion = s.ToVersion, Part = s.Part, Status = SessionStatus.Available, RowCount = s.RowCount,
        PackageSize = s.PackageSize, PackageSha256 = s.PackageSha256, CreatedAt = s.CreatedAt,
        Targets = [new SessionTargetRecord(s.Id, list.ChannelDatabase, Enum.TryParse<SessionStatus>(s.Status, out var st) ? st : SessionStatus.Available,
            s.Tries, s.UpdatedAt ?? s.CreatedAt, s.Message)],
    };

    public async Task<ILeaseClaim> ClaimAsync(CancellationToken ct)
        => _claim = await EndpointLeaseClaim.ReceiveAsync(_client, _clientId, Channel.Id, _log, ct).ConfigureAwait(false);

    public async Task<bool> SkipAsync(ReceiveStep step, CancellationToken ct)
        => await ReportAsync(step.Session.Id, ReportStage.Skipped, step.Message, ct).ConfigureAwait(false);

    private static ReportStage StageOf(SessionStatus to) => to switch
    {
        SessionStatus.Requested => ReportStage.Requested,
        SessionStatus.Downloaded => ReportStage.Downloaded,
        SessionStatus.Applied => ReportStage.Applied,
        SessionStatus.DownloadFailed => ReportStage.DownloadFailed,
        SessionStatus.ApplyFailed => ReportStage.ApplyFailed,
        _ => throw new ArgumentOutOfRangeException(nameof(to), to, "Not a status a receive run reports."),
    };

    public Task<bool> MoveAsync(DownloadSessionRecord session, SessionStatus to, string message, CancellationToken ct)
        => ReportAsync(session.Id, StageOf(to), message, ct);

    private async Task<bool> ReportAsync(long sessionId, ReportStage stage, string? message, CancellationToken ct)
    {
        var r = await _client.ReportAsync(sessionId, stage, _clientId, message, ct).ConfigureAwait(false);
        if (r.Accepted) return true;
        _log.LogWarning("Session {Id} at {Db}: the endpoint refused {Stage}: {Detail}", sessionId, Channel.Id, stage, r.Detail);
        if (r.LeaseLost) _claim?.MarkLost();
        return false;
    }

    public async Task<string?> DownloadAsync(DownloadSessionRecord session, CancellationToken ct)
    {
        var local = Path.Combine(Channel.LocalFolder, $"session-{session.Id}.zip");
        return await _client.DownloadAsync(_listed[session.Id], local, ct).ConfigureAwait(false) ? local : null;
    }

    /// <summary>Nothing to do here: the endpoint suspended the later sessions when the failure was reported.</summary>
    public Task SuspendBehindAsync(ReceiveStep blocked, CancellationToken ct) => Task.CompletedTask;

    /// <summary>The store has no HQ configuration to check tables against; the endpoint serves only the session's own package.</summary>
    public IReadOnlyList<string> ScopeProblems(PackageManifest manifest) => [];

    public Task<IReadOnlyList<DownloadSession>> DescribeAsync(IReadOnlyList<ReceiveOutcome> outcomes, CancellationToken ct)
        => Task.FromResult<IReadOnlyList<DownloadSession>>(outcomes.Select(o => Describe(o, _listed[o.Session.Id])).ToList());

    private DownloadSession Describe(ReceiveOutcome o, RemoteSession s) => new()
    {
        Id = s.Id, Job = s.JobId, DataGroup = s.DataGroup, ChannelDatabase = Channel.Id, Status = o.Status, PackageStatus = SessionStatus.Available,
        RowCount = s.RowCount, Kind = o.Session.Kind, DeleteExisting = s.DeleteExisting,
        FromVersion = s.FromVersion, ToVersion = s.ToVersion, Part = s.Part, PackageSize = s.PackageSize, PackageSha256 = s.PackageSha256,
        Tries = s.Tries + (TargetStatuses.Failed.Contains(o.Status) ? 1 : 0),
        CreatedAt = s.CreatedAt, UpdatedAt = DateTimeOffset.UtcNow, Message = o.Message,
    };

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
