namespace AsyncServer.Messaging;

/// <summary>What happens to a target's try counter when its status changes.</summary>
public enum TriesChange { Keep, Increment, Reset }

/// <summary>
/// A status change of session targets: every target matching the selection whose current status is one of
/// <see cref="FromStatuses"/> moves to <see cref="ToStatus"/>, and each change writes a status message.
/// </summary>
public sealed record TargetUpdate(IReadOnlyList<SessionStatus> FromStatuses, SessionStatus ToStatus, string? Message)
{
    /// <summary>Only targets at this channel database; null for every channel database.</summary>
    public string? ChannelDatabase { get; init; }
    /// <summary>Only this session.</summary>
    public long? SessionId { get; init; }
    /// <summary>Only sessions with a higher id.</summary>
    public long? AfterSessionId { get; init; }
    /// <summary>Only sessions with a lower id.</summary>
    public long? BeforeSessionId { get; init; }
    /// <summary>Only sessions of this job (with <see cref="DataGroup"/>, how a full sync supersedes older sessions).</summary>
    public string? JobId { get; init; }
    public string? DataGroup { get; init; }
    public TriesChange Tries { get; init; } = TriesChange.Keep;
}

/// <summary>One row of status_messages: a status a session (or one of its targets) entered; a download or an upload status name.</summary>
public sealed record StatusMessageRecord(
    long Id, long SessionId, string? ChannelDatabase, string Status, string? Message, DateTimeOffset CreatedAt,
    string? JobId, string? DataGroup, string? Partition);

/// <summary>A session a purge removed (or would remove), with the package file to delete.</summary>
public sealed record PurgedSession(long Id, string? PackageFile, bool Staged);

/// <summary>What <see cref="IMessageStore.PurgeAsync"/> removed (or would remove).</summary>
public sealed record PurgeResult(IReadOnlyList<PurgedSession> Sessions, int StatusMessages);

/// <summary>Target statuses a channel database still has work in; Applied and Canceled are final.</summary>
public static class TargetStatuses
{
    public static readonly IReadOnlyList<SessionStatus> Pending =
    [
        SessionStatus.Available, SessionStatus.Requested, SessionStatus.Downloaded,
        SessionStatus.DownloadFailed, SessionStatus.ApplyFailed, SessionStatus.Suspended,
    ];

    public static readonly IReadOnlyList<SessionStatus> Failed = [SessionStatus.DownloadFailed, SessionStatus.ApplyFailed];

    public static bool IsPending(SessionStatus status) => Pending.Contains(status);
}
