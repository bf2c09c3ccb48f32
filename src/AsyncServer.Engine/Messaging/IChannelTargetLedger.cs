using AsyncServer.Messaging.Sql;

namespace AsyncServer.Messaging;

/// <summary>Each session's progress at each channel database, and which channel databases have joined which job.</summary>
public interface IChannelTargetLedger
{
    /// <summary>
    /// Sessions with a pending target (see <see cref="TargetStatuses.Pending"/>) at this channel database, in
    /// session order. Each record carries its target at this channel database (other targets may be left out:
    /// a data group can have hundreds of channel databases).
    /// </summary>
    Task<IReadOnlyList<DownloadSessionRecord>> GetPendingSessionsAsync(string channelDatabase, CancellationToken cancellationToken);

    /// <summary>
    /// The statement behind <see cref="GetPendingSessionsAsync"/>, for a caller that runs it in one round trip with its
    /// own: every store poll at the endpoint reads its credentials and its pending sessions together.
    /// </summary>
    SqlRead<DownloadSessionRecord> PendingSessionsRead(string channelDatabase);

    /// <summary>Changes the status of the targets <paramref name="update"/> selects, in one transaction; returns how many changed.</summary>
    Task<int> UpdateTargetsAsync(TargetUpdate update, CancellationToken cancellationToken);

    /// <summary>Those of <paramref name="channelDatabases"/> that have never joined this (data group, job): no channel_database_jobs row.</summary>
    Task<IReadOnlyList<string>> FindChannelDatabasesToSeedAsync(
        string partition, string dataGroup, string jobId, IReadOnlyList<string> channelDatabases, CancellationToken cancellationToken);

    /// <summary>Every channel database that still has a pending target.</summary>
    Task<IReadOnlyList<string>> GetChannelDatabasesWithPendingTargetsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The defined end of a channel database removed from the configuration, in one transaction: its pending targets
    /// are Canceled with <paramref name="reason"/> (a status message each), so its sessions and files can be purged,
    /// and it leaves every job it joined, so it is seeded afresh if it ever comes back. Returns the targets canceled.
    /// </summary>
    Task<int> RetireChannelDatabaseAsync(string channelDatabase, string reason, CancellationToken cancellationToken);
}
