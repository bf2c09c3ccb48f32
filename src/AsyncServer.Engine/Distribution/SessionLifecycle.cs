using AsyncServer.Configuration;
using AsyncServer.Diagnostics;
using AsyncServer.Messaging;
using AsyncServer.Packaging;
using Microsoft.Extensions.Logging;

namespace AsyncServer.Distribution;

/// <summary>
/// Stop-AsyncSession and Restart-AsyncSession: operator decisions about one session, either at one channel
/// database (a target) or as a whole. Every change goes through the message store, which writes the status
/// messages. docs/client.md describes the state machine.
/// </summary>
public sealed class SessionLifecycle(EngineContext context)
{
    private readonly ILogger _log = context.CreateLogger<SessionLifecycle>();
    private AsyncServerConfiguration Config => context.Configuration;

    /// <summary>Statuses a target can be rerun from.</summary>
    public static readonly IReadOnlyList<SessionStatus> Rerunnable =
        [SessionStatus.DownloadFailed, SessionStatus.ApplyFailed, SessionStatus.Suspended, SessionStatus.Canceled];

    /// <summary>
    /// Cancels a session at one channel database, or everywhere when <paramref name="channelDatabase"/> is empty.
    /// A session still being created is canceled as a whole: the running distribution notices, stops and
    /// records nothing. Later sessions suspended behind a canceled one become Available again.
    /// </summary>
    public async Task<DownloadSessionRecord> CancelAsync(long sessionId, string? channelDatabase, CancellationToken ct)
    {
        await using var store = context.OpenMessageStore();
        await store.EnsureReadyAsync(ct).ConfigureAwait(false);
        var s = await GetAsync(store, sessionId, ct).ConfigureAwait(false);
        var message = "Canceled by the operator.";
        if (string.IsNullOrEmpty(channelDatabase))
        {
            if (s.Status == SessionStatus.Started)
            {
                var canceled = await store.UpdateSessionStatusAsync(s.Id, [SessionStatus.Started], SessionStatus.Canceled, message, ct).ConfigureAwait(false);
                // Only a package file name inside the staging folder is deleted, whatever the row says.
                if (canceled && s.Staged && PackageFiles.TryPathIn(Config.StagingFolder, s.PackageFile) is { } staged)
                    PackageFiles.TryDelete(staged);
                _log.LogInformation("Session {Id} canceled while {What}.", s.Id, s.Staged ? "staged" : "being created");
            }
            else if (s.Targets.Count == 0)
            {
                if (s.Status != SessionStatus.Canceled)
                    throw Invalid(s, $"is {s.Status} and has no channel database to cancel it at");
            }
            else
            {
                await store.UpdateTargetsAsync(new TargetUpdate(TargetStatuses.Pending, SessionStatus.Canceled, message) { SessionId = s.Id }, ct)
                    .ConfigureAwait(false);
                await store.UpdateSessionStatusAsync(s.Id, [SessionStatus.Available], SessionStatus.Canceled, message, ct).ConfigureAwait(false);
                foreach (var t in s.Targets) await UnblockAsync(store, s, t.ChannelDatabase, ct).ConfigureAwait(false);
            }
        }
        else
        {
            var t = TargetOf(s, channelDatabase);
            if (t.Status == SessionStatus.Applied) throw Invalid(s, $"is already applied at {t.ChannelDatabase}; it cannot be canceled there");
            if (t.Status != SessionStatus.Canceled)
            {
                var update = new TargetUpdate(TargetStatuses.Pending, SessionStatus.Canceled, message)
                    { SessionId = s.Id, ChannelDatabase = t.ChannelDatabase };
                await store.UpdateTargetsAsync(update, ct).ConfigureAwait(false);
                await UnblockAsync(store, s, t.ChannelDatabase, ct).ConfigureAwait(false);
            }
        }
        return await GetAsync(store, sessionId, ct).ConfigureAwait(false);
    }

    private static Task<int> UnblockAsync(IMessageStore store, DownloadSessionRecord s, string channelDatabase, CancellationToken ct)
        => store.UpdateTargetsAsync(new TargetUpdate([SessionStatus.Suspended], SessionStatus.Available, $"No longer blocked: session {s.Id} was canceled.")
            { ChannelDatabase = channelDatabase, AfterSessionId = s.Id }, ct);

    /// <summary>
    /// Reruns a failed, suspended or canceled session at one channel database (or at every such one): packages
    /// it again if its file is gone or damaged, makes it Available and resets its tries.
    /// </summary>
    public async Task<DownloadSessionRecord> RestartAsync(long sessionId, string? channelDatabase, CancellationToken ct)
    {
        await using var store = context.OpenMessageStore();
        await store.EnsureReadyAsync(ct).ConfigureAwait(false);
        var s = await GetAsync(store, sessionId, ct).ConfigureAwait(false);
        if (s.Targets.Count == 0 || s.PackageFile is null)
            throw Invalid(s, s.Status switch
            {
                SessionStatus.Started => s.Staged ? "is staged; publish it with Publish-AsyncPackage" : "is still being created",
                SessionStatus.NoData => "found no changes; there is nothing to rerun",
                _ => "was never packaged; its changes are still ahead of the row version, so the next distribution includes them",
            });
        List<SessionTargetRecord> targets;
        if (string.IsNullOrEmpty(channelDatabase))
        {
            targets = s.Targets.Where(t => Rerunnable.Contains(t.Status)).ToList();
            if (targets.Count == 0) throw Invalid(s, "has no failed, suspended or canceled channel database to rerun");
        }
        else
        {
            var t = TargetOf(s, channelDatabase);
            if (!Rerunnable.Contains(t.Status))
                throw Invalid(s, $"is {t.Status} at {t.ChannelDatabase}; only {string.Join(", ", Rerunnable)} sessions can be rerun" +
                    (t.Status == SessionStatus.Applied ? " (to apply the data again, run a full sync for that channel database)" : ""));
            targets = [t];
        }

        if (!await PackageIsIntactAsync(s, ct).ConfigureAwait(false))
        {
            _log.LogWarning("The package of session {Id} is missing or damaged; packaging it again.", s.Id);
            await new SessionRepackager(context).RepackageAsync(store, s, ct).ConfigureAwait(false);
        }
        await store.UpdateSessionStatusAsync(s.Id, [SessionStatus.Canceled], SessionStatus.Available, "Rerun by the operator.", ct).ConfigureAwait(false);
        foreach (var t in targets)
            await store.UpdateTargetsAsync(new TargetUpdate(Rerunnable, SessionStatus.Available, "Rerun by the operator.")
                { SessionId = s.Id, ChannelDatabase = t.ChannelDatabase, Tries = TriesChange.Reset }, ct).ConfigureAwait(false);
        return await GetAsync(store, sessionId, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// True when the recorded file is there, whole. A package_file that is not a package file name inside its
    /// folder counts as missing: the session is packaged again under its proper name.
    /// </summary>
    private Task<bool> PackageIsIntactAsync(DownloadSessionRecord s, CancellationToken ct)
        => PackageFiles.TryPathIn(s.Staged ? Config.StagingFolder : Config.DownloadFolder, s.PackageFile) is { } path
            ? PackageTransfer.IsIntactAsync(path, s.PackageSize, s.PackageSha256, ct)
            : Task.FromResult(false);

    private static async Task<DownloadSessionRecord> GetAsync(IMessageStore store, long id, CancellationToken ct)
    {
        var found = await store.QuerySessionsAsync(new SessionQuery { Ids = [id] }, ct).ConfigureAwait(false);
        return (found.Count > 0 ? found[0] : null)
            ?? throw new AsyncServerException(ErrorIds.SessionNotFound, ErrorKind.ObjectNotFound, $"Session {id} does not exist in the message database.", id);
    }

    private static SessionTargetRecord TargetOf(DownloadSessionRecord s, string channelDatabase)
        => s.Targets.FirstOrDefault(t => string.Equals(t.ChannelDatabase, channelDatabase, StringComparison.OrdinalIgnoreCase))
           ?? throw new AsyncServerException(ErrorIds.SessionNotFound, ErrorKind.ObjectNotFound,
               $"Session {s.Id} is not for channel database '{channelDatabase}' " +
               $"(it is for {(s.Targets.Count == 0 ? "none yet" : string.Join(", ", s.Targets.Select(x => x.ChannelDatabase)))}).", channelDatabase);

    private static AsyncServerException Invalid(DownloadSessionRecord s, string why)
        => new(ErrorIds.SessionStateInvalid, ErrorKind.InvalidOperation, $"Session {s.Id} {why}.", s.Id);
}
