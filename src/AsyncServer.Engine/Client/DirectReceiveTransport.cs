using AsyncServer.Configuration;
using AsyncServer.Data;
using AsyncServer.Diagnostics;
using AsyncServer.Messaging;
using AsyncServer.Packaging;
using Microsoft.Extensions.Logging;

namespace AsyncServer.Client;

/// <summary>
/// A receive run straight against HQ's message database and shared download folder (a single-machine setup): the
/// claim is a <see cref="LeaseKeeper"/> on <c>receive/{partition}/{channel database}</c>, target moves are checked
/// updates of the message store, and the package is copied from the download folder by <see cref="PackageTransfer"/>.
/// </summary>
public sealed class DirectReceiveTransport : IReceiveTransport
{
    private readonly EngineContext _context;
    private readonly ReceiveOptions _options;
    private readonly ILogger _log;
    private readonly DataGroupSettings _group;
    private IMessageStore? _store;

    public DirectReceiveTransport(EngineContext context, ReceiveRequest request, ReceiveOptions? options = null)
    {
        _context = context;
        _options = options ?? new ReceiveOptions();
        _log = context.CreateLogger<PackageReceiver>();
        (_group, Channel) = Resolve(request);
    }

    private AsyncServerConfiguration Config => _context.Configuration;

    public ReceiveChannel Channel { get; }

    public string Activity => $"Receiving packages for {Channel.Id}";

    private (DataGroupSettings, ReceiveChannel) Resolve(ReceiveRequest request)
    {
        var (group, db) = Config.FindChannelDatabase(request.ChannelDatabase) ?? throw new AsyncServerException(ErrorIds.ChannelDatabaseNotFound,
            ErrorKind.ObjectNotFound,
            $"Channel database '{request.ChannelDatabase}' is not defined in any data group of the configuration.", request.ChannelDatabase);
        ConnectionSettings? settings = request.ChannelConnectionString is { Length: > 0 } cs
            ? new ConnectionSettings { Provider = request.ChannelProvider ?? db.Connection?.Provider ?? "sqlite", ConnectionString = cs }
            : db.Connection;
        if (settings is null || string.IsNullOrWhiteSpace(settings.ConnectionString))
            throw new AsyncServerException(ErrorIds.ChannelConnectionMissing, ErrorKind.InvalidArgument,
                $"Channel database '{db.Id}' has no connection: set $.dataGroups[?(@.id == '{group.Id}')].channelDatabases[?(@.id == '{db.Id}')]" +
                ".connection in the configuration or pass -ChannelConnectionString.", db.Id);
        var connection = ResolvedConnection.Resolve(settings, $"channel database {db.Id}.connection", Config.BaseDirectory, _context.Credential);
        var local = request.LocalFolder is { Length: > 0 } l
            ? Config.ResolvePath(l)
            : Config.ResolvePath(Path.Combine("client", PackageWriter.SafeName(db.Id)));
        return (group, new ReceiveChannel(db.Id, connection, local));
    }

    private async Task<IMessageStore> StoreAsync(CancellationToken ct)
    {
        if (_store is not null) return _store;
        var store = _context.OpenMessageStore();
        try
        {
            await store.EnsureReadyAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return _store = store;
    }

    public async Task<PendingWork> ListAsync(CancellationToken ct)
    {
        var store = await StoreAsync(ct).ConfigureAwait(false);
        var pending = await store.GetPendingSessionsAsync(Channel.Id, ct).ConfigureAwait(false);
        return new PendingWork(_group.Id, Config.TryCount, Config.Partition, _context.Time.GetUtcNow(), pending);
    }

    public async Task<ILeaseClaim> ClaimAsync(CancellationToken ct)
    {
        var store = await StoreAsync(ct).ConfigureAwait(false);
        var duration = _options.LeaseDuration ?? TimeSpan.FromSeconds(Config.LeaseSeconds);
        var (keeper, claim) = await LeaseKeeper.ClaimAsync(store, $"receive/{Config.Partition}/{Channel.Id}", _context.InstanceId,
            new LeaseTiming(duration, duration), _context.Time, _log, ct).ConfigureAwait(false);
        return keeper is null
            ? throw new AsyncServerException(ErrorIds.WorkClaimedElsewhere, ErrorKind.ResourceBusy,
                $"Channel database {Channel.Id} is being received by {claim.Holder} (until {claim.ExpiresAt:u}); try again later.", Channel.Id)
            : keeper;
    }

    public async Task<bool> SkipAsync(ReceiveStep step, CancellationToken ct)
        => await _store!.UpdateTargetsAsync(new TargetUpdate(TargetStatuses.Pending, SessionStatus.Canceled, step.Message)
            { ChannelDatabase = Channel.Id, SessionId = step.Session.Id }, ct).ConfigureAwait(false) == 1;

    /// <summary>The statuses each move starts from: the state machine of docs/client.md.</summary>
    private static IReadOnlyList<SessionStatus> From(SessionStatus to) => to switch
    {
        SessionStatus.Requested => TargetStatuses.Pending,
        SessionStatus.Downloaded => [SessionStatus.Requested],
        SessionStatus.Applied => [SessionStatus.Downloaded],
        SessionStatus.DownloadFailed or SessionStatus.ApplyFailed => [SessionStatus.Requested, SessionStatus.Downloaded],
        _ => throw new ArgumentOutOfRangeException(nameof(to), to, "Not a status a receive run moves a target to."),
    };

    public async Task<bool> MoveAsync(DownloadSessionRecord session, SessionStatus to, string message, CancellationToken ct)
    {
        var failed = TargetStatuses.Failed.Contains(to);
        var moved = await _store!.UpdateTargetsAsync(new TargetUpdate(From(to), to, message)
        {
            ChannelDatabase = Channel.Id, SessionId = session.Id, Tries = failed ? TriesChange.Increment : TriesChange.Keep,
        }, ct).ConfigureAwait(false) == 1;
        if (moved && failed)
            await SuspendLaterAsync(session.Id, $"Blocked behind session {session.Id} ({to}): {message}", ct).ConfigureAwait(false);
        return moved;
    }

    public Task SuspendBehindAsync(ReceiveStep blocked, CancellationToken ct) => SuspendLaterAsync(blocked.Session.Id, blocked.Message!, ct);

    private Task<int> SuspendLaterAsync(long sessionId, string why, CancellationToken ct)
        => _store!.UpdateTargetsAsync(
            new TargetUpdate([SessionStatus.Available, SessionStatus.Requested, SessionStatus.Downloaded], SessionStatus.Suspended, why)
            { ChannelDatabase = Channel.Id, AfterSessionId = sessionId }, ct);

    /// <summary>
    /// Copies the package into the local folder and checks its size and SHA-256 against the session row; a copy
    /// that does not match never gets the package's name. The row's file name is trusted only as a package file
    /// name inside the download folder (issue 12 point 1).
    /// </summary>
    public async Task<string?> DownloadAsync(DownloadSessionRecord session, CancellationToken ct)
    {
        var s = session;
        if (s.PackageFile is null || s.PackageSha256 is null)
            throw new AsyncServerException(ErrorIds.DownloadFailed, ErrorKind.InvalidData, $"Session {s.Id} records no package file.", s.Id);
        if (s.Staged)
            throw new AsyncServerException(ErrorIds.DownloadFailed, ErrorKind.InvalidOperation, $"Session {s.Id} is staged; publish it first.", s.Id);
        var source = PackageFiles.TryPathIn(Config.DownloadFolder, s.PackageFile);
        var local = PackageFiles.TryPathIn(Channel.LocalFolder, s.PackageFile);
        if (source is null || local is null)
            throw new AsyncServerException(ErrorIds.PackageInvalid, ErrorKind.InvalidData,
                $"Session {s.Id} names package file '{PackageFiles.Printable(s.PackageFile)}', which is not a package file name " +
                "(PARTITION_JOB_GROUP_SESSION.zip, no folder); nothing was copied or deleted.", s.Id);
        if (!File.Exists(source))
            throw new AsyncServerException(ErrorIds.PackageNotFound, ErrorKind.ObjectNotFound,
                $"Package file {source} of session {s.Id} does not exist; Restart-AsyncSession packages it again.", source);
        var copy = await PackageTransfer.CopyAsync(source, local, s.PackageSize, s.PackageSha256, ct).ConfigureAwait(false);
        if (!copy.Matches)
            throw new AsyncServerException(ErrorIds.PackageMismatch, ErrorKind.InvalidData,
                $"The downloaded package of session {s.Id} has SHA-256 {copy.Sha256} ({copy.Size} bytes); the session records {s.PackageSha256} " +
                $"({s.PackageSize} bytes). It was changed or damaged after it was recorded.", s.Id);
        return local;
    }

    public IReadOnlyList<string> ScopeProblems(PackageManifest manifest) => PackageScope.Problems(Config, manifest);

    public async Task<IReadOnlyList<DownloadSession>> DescribeAsync(IReadOnlyList<ReceiveOutcome> outcomes, CancellationToken ct)
    {
        var ids = outcomes.Select(o => o.Session.Id).Distinct().ToList();
        var records = await _store!.QuerySessionsAsync(new SessionQuery { Ids = ids }, ct).ConfigureAwait(false);
        return SessionBrowser.Expand(Config, records, new SessionQuery { ChannelDatabases = [Channel.Id], IncludeNoData = true });
    }

    public async ValueTask DisposeAsync()
    {
        if (_store is not null) await _store.DisposeAsync().ConfigureAwait(false);
    }
}
