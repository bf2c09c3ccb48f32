using AsyncServer.Scheduling;

namespace AsyncServer.Operations;

/// <summary>One row of Get-AsyncChannelHealth: a configured channel database and what its state is derived from.</summary>
public sealed record ChannelDatabaseHealth
{
    public required string ChannelDatabase { get; init; }
    public required string DataGroup { get; init; }
    public required ChannelHealthState State { get; init; }

    /// <summary>The last time the store was heard from: its last endpoint call or its last change of a target, whichever is later.</summary>
    public DateTimeOffset? LastContact { get; init; }

    /// <summary>Endpoint (its last authenticated call) or Client (the direct client's last change of a target); empty when never.</summary>
    public string ContactSource { get; init; } = "";

    /// <summary>The client version the store sent to the endpoint.</summary>
    public string? ClientVersion { get; init; }

    public int PendingSessions { get; init; }

    /// <summary>The oldest pending session's age when the health was read.</summary>
    public TimeSpan? OldestPendingAge { get; init; }

    public long? OldestPendingSession { get; init; }
    public int FailedSessions { get; init; }

    /// <summary>Sessions Suspended behind the failure.</summary>
    public int BlockedSessions { get; init; }

    /// <summary>The first failed session, which the later ones wait behind.</summary>
    public long? BlockingSession { get; init; }

    /// <summary>Its status and reason.</summary>
    public string? BlockingReason { get; init; }

    public long? LastAppliedSession { get; init; }
    public DateTimeOffset? LastAppliedAt { get; init; }

    /// <summary>
    /// The session to rerun: the blocking session, or none. Named so that <c>| Restart-AsyncSession</c> binds it (with
    /// the channel database) and <c>| Get-AsyncSession</c> shows it; with none, Get-AsyncSession shows the store's sessions.
    /// </summary>
    public PrintableList<long> SessionId { get; init; } = new([]);

    /// <summary>When the health was read (the reference for the ages).</summary>
    public DateTimeOffset CheckedAt { get; init; }
}
