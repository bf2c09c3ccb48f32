using AsyncServer.Configuration;
using AsyncServer.Messaging;

namespace AsyncServer.Operations;

/// <summary>
/// Pure: a channel database's recorded activity -> its health row. The order of the rules is the order of
/// <see cref="ChannelHealthState"/>'s documentation in docs/operations.md: never connected, blocked, silent, behind, healthy.
/// </summary>
public static class ChannelHealthRules
{
    public static ChannelDatabaseHealth Evaluate(string channelDatabase, string dataGroup, ChannelActivity? activity, HealthSettings settings,
        DateTimeOffset now)
    {
        var a = activity ?? new ChannelActivity(channelDatabase, 0, null, null, 0, 0, null, null, null, null, null, null, null, null);
        var (lastContact, source) = LastContact(a);
        var state = StateOf(a, lastContact, source, settings, now);
        return new ChannelDatabaseHealth
        {
            ChannelDatabase = channelDatabase,
            DataGroup = dataGroup,
            State = state,
            LastContact = lastContact,
            ContactSource = source,
            ClientVersion = a.ClientVersion,
            PendingSessions = a.PendingSessions,
            OldestPendingAge = a.OldestPendingCreatedAt is { } created ? Max(now - created, TimeSpan.Zero) : null,
            OldestPendingSession = a.OldestPendingSession,
            FailedSessions = a.FailedSessions,
            BlockedSessions = a.SuspendedSessions,
            BlockingSession = a.BlockingSession,
            BlockingReason = a.BlockingSession is null ? null : $"{a.BlockingStatus}: {a.BlockingMessage}",
            LastAppliedSession = a.LastAppliedSession,
            LastAppliedAt = a.LastAppliedAt,
            SessionId = new(a.BlockingSession is { } b ? [b] : []),
            CheckedAt = now,
        };
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>The later of the endpoint's record and the last change a client made to a target.</summary>
    private static (DateTimeOffset?, string) LastContact(ChannelActivity a) => (a.LastContactAt, a.LastClientActionAt) switch
    {
        (null, null) => (null, ""),
        ({ } e, null) => (e, "Endpoint"),
        (null, { } c) => (c, "Client"),
        ({ } e, { } c) => e >= c ? (e, "Endpoint") : (c, "Client"),
    };

    private static ChannelHealthState StateOf(ChannelActivity a, DateTimeOffset? lastContact, string source, HealthSettings settings,
        DateTimeOffset now)
    {
        if (lastContact is not { } contact) return ChannelHealthState.NeverConnected;
        // Sessions Suspended behind a failure that was rerun or canceled wait for the client, they are not blocked.
        if (a.FailedSessions > 0) return ChannelHealthState.Blocked;
        // A store on the direct client is heard from only when it changes a target: with nothing pending there is
        // nothing to hear, so its silence counts from when work was waiting for it (docs/operations.md, "States").
        DateTimeOffset? quietSince = source == "Endpoint" ? contact
            : a.PendingSessions > 0 && a.OldestPendingCreatedAt is { } waiting ? (waiting > contact ? waiting : contact) : null;
        if (quietSince is { } since && now - since > settings.SilentAfter) return ChannelHealthState.Silent;
        if (a.OldestPendingCreatedAt is { } oldest && now - oldest > settings.ContactInterval) return ChannelHealthState.Behind;
        return ChannelHealthState.Healthy;
    }
}
