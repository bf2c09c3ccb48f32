namespace AsyncServer.Messaging;

/// <summary>The download sessions and the row version of each (data group, job): what the distribution runs record.</summary>
public interface ISessionLedger
{
    Task<long?> GetRowVersionAsync(string partition, string dataGroup, string jobId, CancellationToken cancellationToken);

    Task<long> CreateStartedSessionAsync(NewSession session, CancellationToken cancellationToken);

    /// <summary>
    /// Records a finished run in one transaction. Fails with ConcurrentRun (and changes nothing) if the lease is no
    /// longer ours or the row version moved, and with SessionCanceled if an operator canceled one of its sessions
    /// meanwhile. Adds a channel_database_jobs row for every target it inserts (the channel database has joined that
    /// job). Returns the ids of the recorded sessions.
    /// </summary>
    Task<IReadOnlyList<long>> CompleteRunAsync(RunCompletion completion, CancellationToken cancellationToken);

    /// <summary>Sets sessions that never completed to a final failure status (CreateFailed or Canceled).</summary>
    Task FailSessionsAsync(IReadOnlyList<long> sessionIds, SessionStatus status, string message, CancellationToken cancellationToken);

    /// <summary>Started sessions of this (data group, job) with no recorded package: left by a run that died.</summary>
    Task<IReadOnlyList<DownloadSessionRecord>> GetUnfinishedSessionsAsync(
        string partition, string dataGroup, string jobId, CancellationToken cancellationToken);

    Task<IReadOnlyList<DownloadSessionRecord>> QuerySessionsAsync(SessionQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// The same sessions as <see cref="QuerySessionsAsync"/>, read <paramref name="pageSize"/> at a time (keyset by id, each
    /// page on its own connection), so a query without a limit over a large database holds one page in memory, not every
    /// session and all its targets (issue 12, point 10).
    /// </summary>
    IAsyncEnumerable<DownloadSessionRecord> StreamSessionsAsync(SessionQuery query, CancellationToken cancellationToken, int pageSize = 500);

    /// <summary>Makes a staged session Available with its package now in the download folder, and adds its targets.</summary>
    Task PublishStagedSessionAsync(long sessionId, string packageFile, IReadOnlyList<string> channelDatabases, CancellationToken cancellationToken);

    /// <summary>
    /// Moves a session row to <paramref name="toStatus"/> if its status is one of <paramref name="fromStatuses"/>
    /// (writing a status message); false if it was not.
    /// </summary>
    Task<bool> UpdateSessionStatusAsync(
        long sessionId, IReadOnlyList<SessionStatus> fromStatuses, SessionStatus toStatus, string? message, CancellationToken cancellationToken);

    /// <summary>Records a new package file for an existing session (Restart-AsyncSession re-packaged it).</summary>
    Task ReplacePackageAsync(CompletedPackage package, CancellationToken cancellationToken);
}
