namespace AsyncServer.Messaging;

/// <summary>
/// What the message database knows about each channel database's activity, read for every channel database at once
/// (one set-based statement): the health of hundreds of stores must not cost a query per store.
/// </summary>
public interface IChannelActivityReader
{
    /// <summary>
    /// One row per channel database that has a target or an endpoint contact, in no particular order. Channel databases
    /// the message database has never heard of are absent (the caller knows them from the configuration).
    /// </summary>
    Task<IReadOnlyList<ChannelActivity>> ReadChannelActivityAsync(CancellationToken cancellationToken);
}

/// <summary>
/// A channel database's activity as the message database records it (docs/operations.md).
/// </summary>
/// <param name="PendingSessions">Targets in a pending status (<see cref="TargetStatuses.Pending"/>).</param>
/// <param name="OldestPendingSession">The lowest pending session id, and when that session was created.</param>
/// <param name="FailedSessions">Targets in DownloadFailed or ApplyFailed.</param>
/// <param name="SuspendedSessions">Targets Suspended behind a failure.</param>
/// <param name="BlockingSession">The first failed session (the one the later ones wait behind), its status and message.</param>
/// <param name="LastAppliedSession">The highest Applied session id and when it was applied.</param>
/// <param name="LastClientActionAt">The last change a client made to a target (Requested, Downloaded, Applied, a failure).</param>
/// <param name="LastContactAt">The last authenticated call to the endpoint (channel_contacts), and the client version it sent.</param>
public sealed record ChannelActivity(
    string ChannelDatabase,
    int PendingSessions,
    long? OldestPendingSession,
    DateTimeOffset? OldestPendingCreatedAt,
    int FailedSessions,
    int SuspendedSessions,
    long? BlockingSession,
    string? BlockingStatus,
    string? BlockingMessage,
    long? LastAppliedSession,
    DateTimeOffset? LastAppliedAt,
    DateTimeOffset? LastClientActionAt,
    DateTimeOffset? LastContactAt,
    string? ClientVersion);
