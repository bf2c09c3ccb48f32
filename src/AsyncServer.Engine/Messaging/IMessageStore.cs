namespace AsyncServer.Messaging;

/// <summary>
/// The message database: sessions, their per-channel-database targets, row versions, status messages and
/// leases. One implementation per provider; all pass the MessageStore contract suite. Many server
/// instances may share one store, so every method is safe under concurrency from several processes.
/// </summary>
public interface IMessageStore : IAsyncDisposable
{
    string Provider { get; }

    /// <summary>Creates the schema or upgrades it to <see cref="MessageSchema.CurrentVersion"/>.</summary>
    Task<MessageDatabaseInfo> InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Throws MessageDatabaseNotInitialized / MessageDatabaseOutdated unless the schema is current.</summary>
    Task EnsureReadyAsync(CancellationToken cancellationToken);

    Task<long?> GetRowVersionAsync(string partition, string dataGroup, string jobId, CancellationToken cancellationToken);

    /// <summary>Claims a resource until now + ttl. Succeeds when it is free, expired, or already ours. Returns the current holder on failure.</summary>
    Task<LeaseResult> TryAcquireLeaseAsync(string resource, string owner, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>Extends our lease; false if we lost it (another instance took it over after expiry).</summary>
    Task<bool> RenewLeaseAsync(string resource, string owner, TimeSpan ttl, CancellationToken cancellationToken);

    Task ReleaseLeaseAsync(string resource, string owner, CancellationToken cancellationToken);

    Task<long> CreateStartedSessionAsync(NewSession session, CancellationToken cancellationToken);

    /// <summary>
    /// Records a finished run in one transaction. Fails with ConcurrentRun (and changes nothing) if the lease
    /// is no longer ours or the row version moved. Returns the ids of the recorded sessions.
    /// </summary>
    Task<IReadOnlyList<long>> CompleteRunAsync(RunCompletion completion, CancellationToken cancellationToken);

    /// <summary>Sets sessions that never completed to a final failure status (CreateFailed or Canceled).</summary>
    Task FailSessionsAsync(IReadOnlyList<long> sessionIds, SessionStatus status, string message, CancellationToken cancellationToken);

    /// <summary>Started sessions of this (data group, job) with no recorded package: left by a run that died.</summary>
    Task<IReadOnlyList<DownloadSessionRecord>> GetUnfinishedSessionsAsync(string partition, string dataGroup, string jobId, CancellationToken cancellationToken);

    Task<IReadOnlyList<DownloadSessionRecord>> QuerySessionsAsync(SessionQuery query, CancellationToken cancellationToken);

    /// <summary>Makes a staged session Available with its package now in the download folder, and adds its targets.</summary>
    Task PublishStagedSessionAsync(long sessionId, string packageFile, IReadOnlyList<string> channelDatabases, CancellationToken cancellationToken);

    // ---- Channel side and session lifecycle (schema version 2; docs/message-database.md, docs/client.md) ----
    //
    // Behaviour the earlier members gain with schema 2:
    //  * CompleteRunAsync records a package only while its session is still Started; if an operator canceled
    //    the session meanwhile (Stop-AsyncSession) it fails with SessionCanceled and records nothing.
    //  * CompleteRunAsync and PublishStagedSessionAsync add a channel_database_jobs row (partition, data group,
    //    job, channel database) for every target they insert, unless one exists: the channel database has
    //    joined that job. FindChannelDatabasesToSeedAsync reads it; purges never remove it.

    /// <summary>
    /// Sessions with a pending target (see <see cref="TargetStatuses.Pending"/>) at this channel database, in
    /// session order. Each record carries its target at this channel database (other targets may be left out:
    /// a data group can have hundreds of channel databases).
    /// </summary>
    Task<IReadOnlyList<DownloadSessionRecord>> GetPendingSessionsAsync(string channelDatabase, CancellationToken cancellationToken);

    /// <summary>Changes the status of the targets <paramref name="update"/> selects, in one transaction; returns how many changed.</summary>
    Task<int> UpdateTargetsAsync(TargetUpdate update, CancellationToken cancellationToken);

    /// <summary>
    /// Moves a session row to <paramref name="toStatus"/> if its status is one of <paramref name="fromStatuses"/>
    /// (writing a status message); false if it was not.
    /// </summary>
    Task<bool> UpdateSessionStatusAsync(long sessionId, IReadOnlyList<SessionStatus> fromStatuses, SessionStatus toStatus, string? message, CancellationToken cancellationToken);

    /// <summary>Records a new package file for an existing session (Restart-AsyncSession re-packaged it).</summary>
    Task ReplacePackageAsync(CompletedPackage package, CancellationToken cancellationToken);

    /// <summary>Those of <paramref name="channelDatabases"/> that have never joined this (data group, job): no channel_database_jobs row.</summary>
    Task<IReadOnlyList<string>> FindChannelDatabasesToSeedAsync(string partition, string dataGroup, string jobId, IReadOnlyList<string> channelDatabases, CancellationToken cancellationToken);

    /// <summary>The oldest status messages not yet moved to HQ, in id order.</summary>
    Task<IReadOnlyList<StatusMessageRecord>> GetUnmovedStatusMessagesAsync(int limit, CancellationToken cancellationToken);

    /// <summary>Marks status messages as moved to HQ (idempotent).</summary>
    Task MarkStatusMessagesMovedAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken);

    /// <summary>
    /// Retention: deletes sessions created before <paramref name="before"/> that are finished everywhere
    /// (no pending target, not Started), their targets, and moved status messages created before it.
    /// With <paramref name="whatIf"/> it only reports what it would delete. Unmoved messages are never purged.
    /// </summary>
    Task<PurgeResult> PurgeAsync(DateTimeOffset before, bool whatIf, CancellationToken cancellationToken);
}

public sealed record LeaseResult(bool Acquired, string? Holder, DateTimeOffset? ExpiresAt);
