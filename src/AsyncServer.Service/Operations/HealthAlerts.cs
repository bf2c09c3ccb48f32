using AsyncServer.Operations;
using Microsoft.Extensions.Logging;

namespace AsyncServer.Service.Operations;

/// <summary>
/// Turns successive health reads into log lines: one warning when a store becomes Silent or Blocked (or is so at the
/// first read after a start), one information line when it recovers, nothing while its state holds. The previous state
/// of each store is kept in memory by this service instance (docs/operations.md, "Alerts in the log"): a restart, or
/// every instance of several, logs the current problems once more.
/// </summary>
public sealed class HealthAlerts(ILogger log)
{
    private readonly Dictionary<string, ChannelHealthState> _previous = new(StringComparer.OrdinalIgnoreCase);

    private static bool IsProblem(ChannelHealthState state) => state is ChannelHealthState.Silent or ChannelHealthState.Blocked;

    /// <summary>Logs what changed since the last read; returns how many lines it wrote.</summary>
    public int Observe(IReadOnlyList<ChannelDatabaseHealth> health)
    {
        var lines = 0;
        foreach (var h in health)
        {
            var known = _previous.TryGetValue(h.ChannelDatabase, out var before);
            _previous[h.ChannelDatabase] = h.State;
            if (known && before == h.State) continue;
            if (IsProblem(h.State)) { Warn(h); lines++; }
            else if (known && IsProblem(before)) { Recovered(h, before); lines++; }
        }
        return lines;
    }

    private void Warn(ChannelDatabaseHealth h)
    {
        if (h.State == ChannelHealthState.Blocked)
            log.LogWarning("Store {ChannelDatabase} ({DataGroup}) is Blocked behind session {Session}: {Reason}. {Pending} session(s) wait; " +
                "Restart-AsyncSession {Session} -ChannelDatabase {ChannelDatabase} reruns it.",
                h.ChannelDatabase, h.DataGroup, h.BlockingSession, h.BlockingReason?.TrimEnd('.'), h.PendingSessions, h.BlockingSession, h.ChannelDatabase);
        else
            log.LogWarning("Store {ChannelDatabase} ({DataGroup}) is Silent: last heard from {LastContact:u} ({Source}); {Pending} session(s) wait.",
                h.ChannelDatabase, h.DataGroup, h.LastContact, h.ContactSource, h.PendingSessions);
    }

    private void Recovered(ChannelDatabaseHealth h, ChannelHealthState before)
        => log.LogInformation("Store {ChannelDatabase} ({DataGroup}) recovered: {Before} -> {State}.", h.ChannelDatabase, h.DataGroup, before, h.State);
}
