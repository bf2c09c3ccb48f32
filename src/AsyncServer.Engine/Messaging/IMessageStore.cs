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
}

public sealed record LeaseResult(bool Acquired, string? Holder, DateTimeOffset? ExpiresAt);
