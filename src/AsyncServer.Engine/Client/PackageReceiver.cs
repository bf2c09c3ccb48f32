using AsyncServer.Configuration;
using AsyncServer.Data;
using AsyncServer.Diagnostics;
using AsyncServer.Messaging;
using AsyncServer.Packaging;
using Microsoft.Extensions.Logging;

namespace AsyncServer.Client;

/// <summary>
/// The reference Async Client behind Receive-AsyncPackage. For one channel database it takes the pending
/// sessions in session order and moves each target through Requested, Downloaded (copied to a local folder,
/// SHA-256 and size checked against the session row) and Applied (one channel transaction), or
/// DownloadFailed / ApplyFailed with the reason. A failure stops the run and marks the later sessions of
/// this channel database Suspended (architecture rule 4); the failed stage is retried on the next run until
/// the configuration's TryCount is used up (0 = no limit, with a backoff). A pending full sync that deletes
/// existing data supersedes the older pending sessions of its job (they become Canceled), so a seeded channel
/// database never replays history. What to do with each session is decided by ReceivePlanner; the copy is
/// PackageTransfer's, the manifest check PackageManifestCheck's, the claim LeaseKeeper's.
/// </summary>
public sealed class PackageReceiver
{
    private readonly EngineContext _context;
    private readonly ReceiveOptions _options;
    private readonly ILogger _log;

    public PackageReceiver(EngineContext context, ReceiveOptions? options = null)
    {
        _context = context;
        _options = options ?? new ReceiveOptions();
        _log = context.CreateLogger<PackageReceiver>();
    }

    private AsyncServerConfiguration Config => _context.Configuration;

    private sealed record Channel(DataGroupSettings Group, ChannelDatabaseSettings Database, ResolvedConnection Connection, string LocalFolder);

    private Channel Resolve(ReceiveRequest request)
    {
        var found = Config.FindChannelDatabase(request.ChannelDatabase) ?? throw new AsyncServerException(ErrorIds.ChannelDatabaseNotFound,
            ErrorKind.ObjectNotFound,
            $"Channel database '{request.ChannelDatabase}' is not defined in any data group of the configuration.", request.ChannelDatabase);
        var (group, db) = found;
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
        return new Channel(group, db, connection, local);
    }

    /// <summary>What a run would do, without changing anything (for -WhatIf).</summary>
    public async Task<IReadOnlyList<ReceivePlanItem>> PlanAsync(ReceiveRequest request, CancellationToken cancellationToken)
    {
        var channel = Resolve(request);
        await using var store = _context.OpenMessageStore();
        await store.EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
        var pending = await store.GetPendingSessionsAsync(channel.Database.Id, cancellationToken).ConfigureAwait(false);
        var plan = PlanFor(pending, channel).Select(step => new ReceivePlanItem(step.Session.Id, step.Session.JobId, step.Session.DataGroup,
            channel.Database.Id, step.Action == ReceiveAction.Wait ? "Blocked" : step.Action.ToString(), step.Reason)).ToList();
        return request.MaxSessions > 0 ? plan.Take(request.MaxSessions).ToList() : plan;
    }

    private IReadOnlyList<ReceiveStep> PlanFor(IReadOnlyList<DownloadSessionRecord> pending, Channel channel)
        => ReceivePlanner.Plan(pending, channel.Database.Id, channel.Group.Id, Config.TryCount, _context.Time.GetUtcNow());

    private LeaseTiming Timing
    {
        get
        {
            var duration = _options.LeaseDuration ?? TimeSpan.FromSeconds(Config.LeaseSeconds);
            return new LeaseTiming(duration, duration);
        }
    }

    /// <summary>
    /// Receives and applies every pending session of the channel database in order. Returns the sessions it
    /// touched, as seen at this channel database. One client per channel database at a time: two would apply
    /// the same sessions concurrently. The claim lasts leaseSeconds and is renewed in the background; if it is
    /// lost, the session being applied is rolled back and the run stops.
    /// </summary>
    public async Task<IReadOnlyList<DownloadSession>> RunAsync(ReceiveRequest request, IProgress<ReceiveProgress>? progress,
        CancellationToken cancellationToken)
    {
        var channel = Resolve(request);
        var dbId = channel.Database.Id;
        await using var store = _context.OpenMessageStore();
        await store.EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
        var resource = $"receive/{Config.Partition}/{dbId}";
        var (keeper, claim) = await LeaseKeeper.ClaimAsync(store, resource, _context.InstanceId, Timing, _context.Time, _log, cancellationToken)
            .ConfigureAwait(false);
        if (keeper is null)
            throw new AsyncServerException(ErrorIds.WorkClaimedElsewhere, ErrorKind.ResourceBusy,
                $"Channel database {dbId} is being received by {claim.Holder} (until {claim.ExpiresAt:u}); try again later.", dbId);
        var touched = new List<long>();
        await using (keeper)
        {
            try
            {
                await ReceiveAllAsync(store, channel, request.MaxSessions, touched, progress, keeper.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (keeper.Stop == LeaseStop.LeaseLost && !cancellationToken.IsCancellationRequested)
            {
                throw new AsyncServerException(ErrorIds.WorkClaimedElsewhere, ErrorKind.ResourceBusy,
                    $"Channel database {dbId}: the claim on it was lost (renewal failed or another client took it over); the session being " +
                    "applied was rolled back and this run stopped.", dbId, ex);
            }
            finally
            {
                progress?.Report(new ReceiveProgress($"Receiving packages for {dbId}", "Completed", 100));
            }
        }
        if (touched.Count == 0) return [];
        var records = await store.QuerySessionsAsync(new SessionQuery { Ids = touched.Distinct().ToList() }, cancellationToken).ConfigureAwait(false);
        return SessionBrowser.Expand(Config, records, new SessionQuery { ChannelDatabases = [dbId], IncludeNoData = true });
    }

    /// <summary>The run, as the planner decided it: skips recorded, then sessions applied in order until one fails or must wait.</summary>
    private async Task ReceiveAllAsync(IMessageStore store, Channel channel, int maxSessions, List<long> touched, IProgress<ReceiveProgress>? progress,
        CancellationToken ct)
    {
        var dbId = channel.Database.Id;
        var steps = PlanFor(await store.GetPendingSessionsAsync(dbId, ct).ConfigureAwait(false), channel);
        foreach (var skip in steps.Where(x => x.Action == ReceiveAction.Skip))
        {
            await store.UpdateTargetsAsync(new TargetUpdate(TargetStatuses.Pending, SessionStatus.Canceled, skip.Message)
                { ChannelDatabase = dbId, SessionId = skip.Session.Id }, ct).ConfigureAwait(false);
            touched.Add(skip.Session.Id);
            _log.LogInformation("Session {Id} skipped at {Db}: {Reason}.", skip.Session.Id, dbId, skip.Reason);
        }
        var work = steps.Where(x => x.Action != ReceiveAction.Skip).ToList();
        var count = maxSessions > 0 ? Math.Min(maxSessions, work.Count) : work.Count;
        if (count == 0) return;
        PrivateFiles.CreateFolder(channel.LocalFolder); // owner only: the local copies hold customer data
        await using var target = EngineContext.OpenChannelTarget(channel.Connection);
        for (var i = 0; i < count; i++)
        {
            ct.ThrowIfCancellationRequested();
            var (s, action) = (work[i].Session, work[i].Action);
            if (action != ReceiveAction.Apply)
            {
                await StopAtAsync(store, dbId, work[i], ct).ConfigureAwait(false);
                break;
            }
            void Report(string stage) => progress?.Report(new ReceiveProgress($"Receiving packages for {dbId}",
                $"Session {s.Id} (job {s.JobId}, {i + 1} of {count}): {stage}", (int)(100.0 * i / Math.Max(count, 1))));
            touched.Add(s.Id);
            if (!await ProcessAsync(store, target, channel, s, Report, ct).ConfigureAwait(false)) break;
        }
    }

    /// <summary>A session that failed too often suspends the ones behind it; one waiting for its retry just stops the run.</summary>
    private async Task StopAtAsync(IMessageStore store, string dbId, ReceiveStep step, CancellationToken ct)
    {
        var s = step.Session;
        if (step.Action == ReceiveAction.Wait)
        {
            _log.LogInformation("Session {Id} at {Db} {Reason}; later sessions wait (TryCount 0: retries back off).", s.Id, dbId, step.Reason);
            return;
        }
        await SuspendLaterAsync(store, dbId, s.Id, step.Message!, ct).ConfigureAwait(false);
        _log.LogWarning("Session {Id} at {Db} {Reason} and is not retried (TryCount {TryCount}); run Restart-AsyncSession or Stop-AsyncSession. " +
            "Later sessions stay Suspended.", s.Id, dbId, step.Reason, Config.TryCount);
    }

    /// <summary>
    /// One session through Requested, Downloaded and Applied; every move is checked, so a session canceled by an
    /// operator at any point is not applied. False when it failed (the run stops).
    /// </summary>
    private async Task<bool> ProcessAsync(IMessageStore store, IChannelTarget target, Channel channel, DownloadSessionRecord s, Action<string> report,
        CancellationToken ct)
    {
        var dbId = channel.Database.Id;
        if (!await MoveAsync(store, dbId, s.Id, TargetStatuses.Pending, SessionStatus.Requested, "Requested by the client.", ct).ConfigureAwait(false))
            return true; // canceled or applied by someone else meanwhile: nothing to do here

        report("downloading");
        string local;
        try
        {
            local = await DownloadAsync(s, channel, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await FailAsync(store, channel, s, SessionStatus.DownloadFailed, ex).ConfigureAwait(false);
            return false;
        }
        try
        {
            if (_options.AfterDownload is { } afterDownload) await afterDownload(s.Id, ct).ConfigureAwait(false);
            if (!await MoveAsync(store, dbId, s.Id, [SessionStatus.Requested], SessionStatus.Downloaded, $"Downloaded to {local}; SHA-256 verified.", ct)
                .ConfigureAwait(false))
            {
                _log.LogWarning("Session {Id} at {Db} changed while it was downloaded (canceled?); it was not applied.", s.Id, dbId);
                return true;
            }
            report("applying");
            return await ApplyAsync(store, target, channel, s, local, ct).ConfigureAwait(false);
        }
        finally
        {
            PackageFiles.TryDelete(local);
        }
    }

    private async Task<bool> ApplyAsync(IMessageStore store, IChannelTarget target, Channel channel, DownloadSessionRecord s, string local,
        CancellationToken ct)
    {
        var dbId = channel.Database.Id;
        ApplyResult result;
        var startedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            using var reader = OpenVerified(local, s, channel);
            await reader.VerifyAsync(ct).ConfigureAwait(false);
            if (_options.BeforeApply is { } beforeApply) await beforeApply(s.Id, ct).ConfigureAwait(false);
            result = await target.ApplyAsync(reader, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            AsyncServerMetrics.Applied(s.JobId, succeeded: false, startedAt);
            await FailAsync(store, channel, s, SessionStatus.ApplyFailed, ex).ConfigureAwait(false);
            return false;
        }
        AsyncServerMetrics.Applied(s.JobId, succeeded: true, startedAt);
        var message = $"Applied: {result.Upserted} upserted, {result.Deleted} deleted ({string.Join(", ", result.Tables)}).";
        if (!await MoveAsync(store, dbId, s.Id, [SessionStatus.Downloaded], SessionStatus.Applied, message, CancellationToken.None).ConfigureAwait(false))
        {
            // The channel transaction has committed: the data is there, whatever the session row now says.
            _log.LogError("Session {Id} was applied at {Db}, but its target had changed meanwhile and was not marked Applied: {Message}", s.Id, dbId, message);
            return true;
        }
        _log.LogInformation("Session {Id} applied at {Db}: {Message}", s.Id, dbId, message);
        return true;
    }

    private async Task FailAsync(IMessageStore store, Channel channel, DownloadSessionRecord s, SessionStatus status, Exception ex)
    {
        var dbId = channel.Database.Id;
        // The reason is stored in session_targets and status_messages and copied to HQ: no secret of the channel
        // connection may be in it, whatever a driver's message repeated (issue 12, point 6).
        var reason = channel.Connection.Scrub(ex is PackageFormatException ? $"The package is invalid: {ex.Message}." : ex.Message);
        var from = new[] { SessionStatus.Requested, SessionStatus.Downloaded };
        if (!await MoveAsync(store, dbId, s.Id, from, status, reason, CancellationToken.None, TriesChange.Increment).ConfigureAwait(false))
        {
            _log.LogWarning("Session {Id} at {Db}: {Status} ({Reason}), but its target had changed meanwhile (canceled?); later sessions are not suspended.",
                s.Id, dbId, status, reason);
            return;
        }
        await SuspendLaterAsync(store, dbId, s.Id, $"Blocked behind session {s.Id} ({status}): {reason}", CancellationToken.None).ConfigureAwait(false);
        _log.LogError("Session {Id} at {Db}: {Status}: {Reason}", s.Id, dbId, status, reason);
    }

    private static Task<int> SuspendLaterAsync(IMessageStore store, string dbId, long sessionId, string why, CancellationToken ct)
        => store.UpdateTargetsAsync(new TargetUpdate([SessionStatus.Available, SessionStatus.Requested, SessionStatus.Downloaded], SessionStatus.Suspended, why)
            { ChannelDatabase = dbId, AfterSessionId = sessionId }, ct);

    private static async Task<bool> MoveAsync(IMessageStore store, string dbId, long sessionId, IReadOnlyList<SessionStatus> from, SessionStatus to,
        string? message, CancellationToken ct, TriesChange tries = TriesChange.Keep)
        => await store.UpdateTargetsAsync(new TargetUpdate(from, to, message) { ChannelDatabase = dbId, SessionId = sessionId, Tries = tries }, ct)
            .ConfigureAwait(false) == 1;

    /// <summary>
    /// Copies the package into the local folder and checks its size and SHA-256 against the session row; a copy
    /// that does not match never gets the package's name. The row's file name is trusted only as a package file
    /// name inside the download folder (issue 12 point 1).
    /// </summary>
    private async Task<string> DownloadAsync(DownloadSessionRecord s, Channel channel, CancellationToken ct)
    {
        if (s.PackageFile is null || s.PackageSha256 is null)
            throw new AsyncServerException(ErrorIds.DownloadFailed, ErrorKind.InvalidData, $"Session {s.Id} records no package file.", s.Id);
        if (s.Staged)
            throw new AsyncServerException(ErrorIds.DownloadFailed, ErrorKind.InvalidOperation, $"Session {s.Id} is staged; publish it first.", s.Id);
        var source = PackageFiles.TryPathIn(Config.DownloadFolder, s.PackageFile);
        var local = PackageFiles.TryPathIn(channel.LocalFolder, s.PackageFile);
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

    /// <summary>Opens the local copy and proves its manifest belongs to this session and this channel database (PackageManifestCheck).</summary>
    private PackageReader OpenVerified(string local, DownloadSessionRecord s, Channel channel)
    {
        var reader = PackageReader.Open(local);
        try
        {
            var expected = new ExpectedPackage(s.Id, s.Partition, s.JobId, s.DataGroup, s.FromVersion, s.ToVersion, s.Part, s.Kind.ToString(),
                s.DeleteExisting, s.RequestedChannelDatabases, Config.Partition, channel.Database.Id, channel.Group.Id);
            // The manifest must belong to this session, and name only tables and columns its job may write here.
            var problems = PackageManifestCheck.Problems(reader.Manifest, expected).Concat(PackageScope.Problems(Config, reader.Manifest)).ToList();
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
}
