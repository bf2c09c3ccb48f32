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
/// the configuration's TryCount is used up (0 = no limit). A pending full sync that deletes existing data
/// supersedes the older pending sessions of its job (they become Canceled), so a seeded channel database
/// never replays history.
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
        var found = Config.FindChannelDatabase(request.ChannelDatabase) ?? throw new AsyncServerException(ErrorIds.ChannelDatabaseNotFound, ErrorKind.ObjectNotFound,
            $"Channel database '{request.ChannelDatabase}' is not defined in any data group of the configuration.", request.ChannelDatabase);
        var (group, db) = found;
        ConnectionSettings? settings = request.ChannelConnectionString is { Length: > 0 } cs
            ? new ConnectionSettings { Provider = request.ChannelProvider ?? db.Connection?.Provider ?? "sqlite", ConnectionString = cs }
            : db.Connection;
        if (settings is null || string.IsNullOrWhiteSpace(settings.ConnectionString))
            throw new AsyncServerException(ErrorIds.ChannelConnectionMissing, ErrorKind.InvalidArgument,
                $"Channel database '{db.Id}' has no connection: set $.dataGroups[?(@.id == '{group.Id}')].channelDatabases[?(@.id == '{db.Id}')].connection in the configuration or pass -ChannelConnectionString.", db.Id);
        var connection = ResolvedConnection.Resolve(settings, $"channel database {db.Id}.connection", Config.BaseDirectory, _context.Credential);
        var local = request.LocalFolder is { Length: > 0 } l ? Config.ResolvePath(l) : Config.ResolvePath(Path.Combine("client", PackageWriter.SafeName(db.Id)));
        return new Channel(group, db, connection, local);
    }

    /// <summary>What a run would do, without changing anything (for -WhatIf).</summary>
    public async Task<IReadOnlyList<ReceivePlanItem>> PlanAsync(ReceiveRequest request, CancellationToken cancellationToken)
    {
        var channel = Resolve(request);
        await using var store = _context.OpenMessageStore();
        await store.EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
        var pending = await store.GetPendingSessionsAsync(channel.Database.Id, cancellationToken).ConfigureAwait(false);
        var superseded = Superseded(pending, channel.Database.Id);
        var plan = new List<ReceivePlanItem>();
        string? blockedBy = null;
        foreach (var s in pending)
        {
            var t = TargetOf(s, channel.Database.Id);
            if (superseded.TryGetValue(s.Id, out var by)) { plan.Add(Item(s, channel, "Skip", $"superseded by full sync session {by}")); continue; }
            if (!Same(s.DataGroup, channel.Group.Id)) { plan.Add(Item(s, channel, "Skip", $"the channel database now belongs to data group {channel.Group.Id}")); continue; }
            if (blockedBy is not null) { plan.Add(Item(s, channel, "Blocked", blockedBy)); continue; }
            if (GivenUp(t)) { blockedBy = $"behind session {s.Id}, which failed {t.Tries} time(s)"; plan.Add(Item(s, channel, "Blocked", $"failed {t.Tries} time(s) ({t.Message}); rerun or cancel it")); continue; }
            plan.Add(Item(s, channel, "Apply", $"{s.Kind} package, {s.RowCount} row(s){(s.DeleteExisting ? ", deletes existing data first" : "")}{(t.Tries > 0 ? $", try {t.Tries + 1}" : "")}"));
        }
        return request.MaxSessions > 0 ? plan.Take(request.MaxSessions).ToList() : plan;
    }

    private static ReceivePlanItem Item(DownloadSessionRecord s, Channel c, string action, string? reason) => new(s.Id, s.JobId, s.DataGroup, c.Database.Id, action, reason);

    /// <summary>Receives and applies every pending session of the channel database in order. Returns the sessions it touched, as seen at this channel database.</summary>
    public async Task<IReadOnlyList<DownloadSession>> RunAsync(ReceiveRequest request, IProgress<ReceiveProgress>? progress, CancellationToken cancellationToken)
    {
        var channel = Resolve(request);
        var dbId = channel.Database.Id;
        await using var store = _context.OpenMessageStore();
        await store.EnsureReadyAsync(cancellationToken).ConfigureAwait(false);

        // One client per channel database at a time: two would apply the same sessions concurrently.
        var resource = $"receive/{Config.Partition}/{dbId}";
        var lease = await store.TryAcquireLeaseAsync(resource, _context.InstanceId, _options.LeaseDuration, cancellationToken).ConfigureAwait(false);
        if (!lease.Acquired)
            throw new AsyncServerException(ErrorIds.WorkClaimedElsewhere, ErrorKind.ResourceBusy,
                $"Channel database {dbId} is being received by {lease.Holder} (until {lease.ExpiresAt:u}); try again later.", dbId);
        var touched = new List<long>();
        try
        {
            var pending = await store.GetPendingSessionsAsync(dbId, cancellationToken).ConfigureAwait(false);
            var superseded = Superseded(pending, dbId);
            foreach (var (sessionId, fullId) in superseded)
            {
                await store.UpdateTargetsAsync(new TargetUpdate(TargetStatuses.Pending, SessionStatus.Canceled,
                    $"Skipped: channel database {dbId} receives full sync session {fullId}, which deletes the job's data and replaces it.")
                    { ChannelDatabase = dbId, SessionId = sessionId }, cancellationToken).ConfigureAwait(false);
                touched.Add(sessionId);
                _log.LogInformation("Session {Id} skipped at {Db}: superseded by full sync session {Full}.", sessionId, dbId, fullId);
            }
            // A channel database moved to another data group: what its old group sent no longer applies (the new
            // group seeds it with a full package), so those sessions are skipped rather than left to block.
            foreach (var s in pending.Where(s => !Same(s.DataGroup, channel.Group.Id) && !superseded.ContainsKey(s.Id)))
            {
                await store.UpdateTargetsAsync(new TargetUpdate(TargetStatuses.Pending, SessionStatus.Canceled,
                    $"Skipped: channel database {dbId} now belongs to data group {channel.Group.Id}, not {s.DataGroup}.")
                    { ChannelDatabase = dbId, SessionId = s.Id }, cancellationToken).ConfigureAwait(false);
                touched.Add(s.Id);
                _log.LogWarning("Session {Id} skipped at {Db}: it is for data group {Old}, the channel database now belongs to {New}.", s.Id, dbId, s.DataGroup, channel.Group.Id);
            }
            pending = await store.GetPendingSessionsAsync(dbId, cancellationToken).ConfigureAwait(false);
            var count = request.MaxSessions > 0 ? Math.Min(request.MaxSessions, pending.Count) : pending.Count;
            Directory.CreateDirectory(channel.LocalFolder);
            await using var target = _context.OpenChannelTarget(channel.Connection);
            for (var i = 0; i < count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var s = pending[i];
                var t = TargetOf(s, dbId);
                if (GivenUp(t))
                {
                    var why = $"Blocked behind session {s.Id}, which failed {t.Tries} time(s): {t.Message}";
                    await SuspendLaterAsync(store, dbId, s.Id, why, cancellationToken).ConfigureAwait(false);
                    _log.LogWarning("Session {Id} at {Db} failed {Tries} time(s) and is not retried (TryCount {TryCount}); run Restart-AsyncSession or Stop-AsyncSession. Later sessions stay Suspended.",
                        s.Id, dbId, t.Tries, Config.TryCount);
                    break;
                }
                void Report(string stage) => progress?.Report(new ReceiveProgress($"Receiving packages for {dbId}",
                    $"Session {s.Id} (job {s.JobId}, {i + 1} of {count}): {stage}", (int)(100.0 * i / Math.Max(count, 1))));
                touched.Add(s.Id);
                var ok = await ProcessAsync(store, target, channel, s, Report, cancellationToken).ConfigureAwait(false);
                await store.RenewLeaseAsync(resource, _context.InstanceId, _options.LeaseDuration, cancellationToken).ConfigureAwait(false);
                if (!ok) break;
            }
        }
        finally
        {
            try { await store.ReleaseLeaseAsync(resource, _context.InstanceId, CancellationToken.None).ConfigureAwait(false); }
            catch (Exception ex) { _log.LogWarning("Could not release lease {Resource}: {Message}; it expires by itself.", resource, ex.Message); }
            progress?.Report(new ReceiveProgress($"Receiving packages for {dbId}", "Completed", 100));
        }
        if (touched.Count == 0) return [];
        var records = await store.QuerySessionsAsync(new SessionQuery { Ids = touched.Distinct().ToList() }, cancellationToken).ConfigureAwait(false);
        return SessionBrowser.Expand(Config, records, new SessionQuery { ChannelDatabases = [dbId], IncludeNoData = true });
    }

    /// <summary>One session through Requested, Downloaded and Applied. False when it failed (the run stops).</summary>
    private async Task<bool> ProcessAsync(IMessageStore store, IChannelTarget target, Channel channel, DownloadSessionRecord s, Action<string> report, CancellationToken ct)
    {
        var dbId = channel.Database.Id;
        if (!await MoveAsync(store, dbId, s.Id, TargetStatuses.Pending, SessionStatus.Requested, "Requested by the client.", TriesChange.Keep, ct).ConfigureAwait(false))
            return true; // canceled or applied by someone else meanwhile: nothing to do here

        report("downloading");
        string local;
        try
        {
            local = await DownloadAsync(s, channel, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await FailAsync(store, dbId, s, SessionStatus.DownloadFailed, ex, ct).ConfigureAwait(false);
            return false;
        }
        try
        {
            await MoveAsync(store, dbId, s.Id, [SessionStatus.Requested], SessionStatus.Downloaded, $"Downloaded to {local}; SHA-256 verified.", TriesChange.Keep, ct).ConfigureAwait(false);
            report("applying");
            ApplyResult result;
            try
            {
                using var reader = OpenVerified(local, s, channel);
                await reader.VerifyAsync(ct).ConfigureAwait(false);
                result = await target.ApplyAsync(reader, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                await FailAsync(store, dbId, s, SessionStatus.ApplyFailed, ex, ct).ConfigureAwait(false);
                return false;
            }
            var message = $"Applied: {result.Upserted} upserted, {result.Deleted} deleted ({string.Join(", ", result.Tables)}).";
            await MoveAsync(store, dbId, s.Id, [SessionStatus.Downloaded], SessionStatus.Applied, message, TriesChange.Keep, CancellationToken.None).ConfigureAwait(false);
            _log.LogInformation("Session {Id} applied at {Db}: {Message}", s.Id, dbId, message);
            return true;
        }
        finally
        {
            TryDelete(local);
        }
    }

    private async Task FailAsync(IMessageStore store, string dbId, DownloadSessionRecord s, SessionStatus status, Exception ex, CancellationToken ct)
    {
        var reason = ex is PackageFormatException ? $"The package is invalid: {ex.Message}." : ex.Message;
        await MoveAsync(store, dbId, s.Id, [SessionStatus.Requested, SessionStatus.Downloaded], status, reason, TriesChange.Increment, CancellationToken.None).ConfigureAwait(false);
        await SuspendLaterAsync(store, dbId, s.Id, $"Blocked behind session {s.Id} ({status}): {reason}", CancellationToken.None).ConfigureAwait(false);
        _log.LogError("Session {Id} at {Db}: {Status}: {Reason}", s.Id, dbId, status, reason);
    }

    private static Task<int> SuspendLaterAsync(IMessageStore store, string dbId, long sessionId, string why, CancellationToken ct)
        => store.UpdateTargetsAsync(new TargetUpdate([SessionStatus.Available, SessionStatus.Requested, SessionStatus.Downloaded], SessionStatus.Suspended, why)
            { ChannelDatabase = dbId, AfterSessionId = sessionId }, ct);

    private static async Task<bool> MoveAsync(IMessageStore store, string dbId, long sessionId, IReadOnlyList<SessionStatus> from, SessionStatus to, string? message, TriesChange tries, CancellationToken ct)
        => await store.UpdateTargetsAsync(new TargetUpdate(from, to, message) { ChannelDatabase = dbId, SessionId = sessionId, Tries = tries }, ct).ConfigureAwait(false) == 1;

    /// <summary>Copies the package under a temporary name, then checks its size and SHA-256 against the session row.</summary>
    private async Task<string> DownloadAsync(DownloadSessionRecord s, Channel channel, CancellationToken ct)
    {
        if (s.PackageFile is null || s.PackageSha256 is null)
            throw new AsyncServerException(ErrorIds.DownloadFailed, ErrorKind.InvalidData, $"Session {s.Id} records no package file.", s.Id);
        if (s.Staged)
            throw new AsyncServerException(ErrorIds.DownloadFailed, ErrorKind.InvalidOperation, $"Session {s.Id} is staged; publish it first.", s.Id);
        var source = Path.Combine(Config.DownloadFolder, s.PackageFile);
        if (!File.Exists(source))
            throw new AsyncServerException(ErrorIds.PackageNotFound, ErrorKind.ObjectNotFound,
                $"Package file {source} of session {s.Id} does not exist; Restart-AsyncSession packages it again.", source);
        var local = Path.Combine(channel.LocalFolder, s.PackageFile);
        var temp = PackageWriter.TempPathFor(local);
        try
        {
            await using (var from = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true))
            await using (var to = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await from.CopyToAsync(to, ct).ConfigureAwait(false);
                to.Flush(flushToDisk: true);
            }
            File.Move(temp, local, overwrite: true);
        }
        finally
        {
            TryDelete(temp);
        }
        var size = new FileInfo(local).Length;
        var sha = await FileHash.Sha256Async(local, ct).ConfigureAwait(false);
        if (!string.Equals(sha, s.PackageSha256, StringComparison.OrdinalIgnoreCase) || (s.PackageSize is { } expected && expected != size))
        {
            TryDelete(local);
            throw new AsyncServerException(ErrorIds.PackageMismatch, ErrorKind.InvalidData,
                $"The downloaded package of session {s.Id} has SHA-256 {sha} ({size} bytes); the session records {s.PackageSha256} ({s.PackageSize} bytes). It was changed or damaged after it was recorded.", s.Id);
        }
        return local;
    }

    /// <summary>Opens the local copy and proves its manifest belongs to this session and this channel database.</summary>
    private PackageReader OpenVerified(string local, DownloadSessionRecord s, Channel channel)
    {
        var reader = PackageReader.Open(local);
        try
        {
            var m = reader.Manifest;
            var dbId = channel.Database.Id;
            var problems = new List<string>();
            if (m.SessionId != s.Id) problems.Add($"its manifest names session {m.SessionId}, not {s.Id}");
            if (!Same(m.Partition, s.Partition) || !Same(m.Partition, Config.Partition)) problems.Add($"its partition is '{m.Partition}', the session's '{s.Partition}', this configuration's '{Config.Partition}'");
            if (!Same(m.JobId, s.JobId)) problems.Add($"its job is {m.JobId}, the session's {s.JobId}");
            if (!Same(m.DataGroup, s.DataGroup)) problems.Add($"its data group is {m.DataGroup}, the session's {s.DataGroup}");
            if (!Same(s.DataGroup, channel.Group.Id)) problems.Add($"it is for data group {s.DataGroup}, but channel database {dbId} belongs to data group {channel.Group.Id}");
            if (m.FromVersion != s.FromVersion || m.ToVersion != s.ToVersion) problems.Add($"its versions {m.FromVersion}..{m.ToVersion} differ from the session's {s.FromVersion}..{s.ToVersion}");
            if (m.Part != s.Part || !Same(m.Kind, s.Kind.ToString()) || m.DeleteExisting != s.DeleteExisting) problems.Add($"its part, kind or delete-existing flag ({m.Part}, {m.Kind}, {m.DeleteExisting}) differ from the session's ({s.Part}, {s.Kind}, {s.DeleteExisting})");
            if (m.ChannelDatabases.Count > 0 && !m.ChannelDatabases.Contains(dbId, StringComparer.OrdinalIgnoreCase)) problems.Add($"it is for channel database(s) {string.Join(", ", m.ChannelDatabases)}, not {dbId}");
            if (s.RequestedChannelDatabases.Count > 0 && !s.RequestedChannelDatabases.Contains(dbId, StringComparer.OrdinalIgnoreCase)) problems.Add($"its session is for channel database(s) {string.Join(", ", s.RequestedChannelDatabases)}, not {dbId}");
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

    private bool GivenUp(SessionTargetRecord t) => TargetStatuses.Failed.Contains(t.Status) && Config.TryCount > 0 && t.Tries >= Config.TryCount;

    private static SessionTargetRecord TargetOf(DownloadSessionRecord s, string dbId) => s.Targets.Single(t => Same(t.ChannelDatabase, dbId));

    /// <summary>
    /// Pending sessions made unnecessary by a later pending full sync with delete-existing of the same job and
    /// data group at this channel database: session id to the id of the full sync that supersedes it.
    /// </summary>
    private static Dictionary<long, long> Superseded(IReadOnlyList<DownloadSessionRecord> pending, string dbId)
    {
        var result = new Dictionary<long, long>();
        var fulls = pending.Where(s => s.Kind == SessionKind.Full && s.DeleteExisting && s.Part == 1)
            .GroupBy(s => (s.JobId.ToUpperInvariant(), s.DataGroup.ToUpperInvariant()))
            .Select(g => g.MaxBy(s => s.Id)!);
        foreach (var full in fulls)
            foreach (var s in pending)
                if (s.Id < full.Id && Same(s.JobId, full.JobId) && Same(s.DataGroup, full.DataGroup))
                    result[s.Id] = full.Id;
        return result;
    }

    private static void TryDelete(string path)
    {
        try { if (File.Exists(path)) File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
