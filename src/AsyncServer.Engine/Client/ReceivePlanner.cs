using AsyncServer.Messaging;

namespace AsyncServer.Client;

/// <summary>What the client does with one pending session.</summary>
public enum ReceiveAction
{
    /// <summary>Not needed at this channel database (superseded, or for its former data group): canceled there.</summary>
    Skip,
    /// <summary>Downloaded and applied, in session order.</summary>
    Apply,
    /// <summary>Failed too often (TryCount), or behind a session that did: needs an operator.</summary>
    Blocked,
    /// <summary>Failed, and retried later (backoff when TryCount is 0): it and the sessions behind it wait.</summary>
    Wait,
}

/// <summary>One decision of the receive planner.</summary>
/// <param name="Reason">Why, as -WhatIf shows it.</param>
/// <param name="Message">For a skip, the status message the run records; for a block, why later sessions are suspended.</param>
public sealed record ReceiveStep(DownloadSessionRecord Session, ReceiveAction Action, string Reason, string? Message = null);

/// <summary>
/// Decides, without a database, what a client run does with the pending sessions of one channel database: skip
/// the superseded and the misdirected, apply the rest in order, stop at a session that failed too often or is
/// waiting for its next retry. Both -WhatIf and the run call it (architecture rule 4: later sessions wait).
/// </summary>
public static class ReceivePlanner
{
    /// <summary>With TryCount 0 (no limit) this many failed tries are retried on the next run straight away ...</summary>
    public const int ImmediateRetries = 5;

    /// <summary>... then each further try waits twice as long as the one before (1, 2, 4 ... minutes), at most this long.</summary>
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromHours(1);

    /// <summary>When a failed target may be tried again, with TryCount 0; null when it may be tried now.</summary>
    public static DateTimeOffset? RetryAfter(SessionTargetRecord target, int tryCount)
    {
        if (tryCount != 0 || !TargetStatuses.Failed.Contains(target.Status) || target.Tries < ImmediateRetries) return null;
        var doublings = Math.Min(target.Tries - ImmediateRetries, 16);
        var wait = TimeSpan.FromMinutes(Math.Pow(2, doublings));
        return target.UpdatedAt + (wait < MaxBackoff ? wait : MaxBackoff);
    }

    public static bool GivenUp(SessionTargetRecord t, int tryCount) => TargetStatuses.Failed.Contains(t.Status) && tryCount > 0 && t.Tries >= tryCount;

    public static IReadOnlyList<ReceiveStep> Plan(IReadOnlyList<DownloadSessionRecord> pending, string channelDatabase, string dataGroup, int tryCount,
        DateTimeOffset now)
    {
        var superseded = Superseded(pending);
        var steps = new List<ReceiveStep>();
        string? blockedBy = null;
        foreach (var s in pending)
        {
            var t = s.Targets.Single(x => Same(x.ChannelDatabase, channelDatabase));
            if (superseded.TryGetValue(s.Id, out var by))
                steps.Add(new(s, ReceiveAction.Skip, $"superseded by full sync session {by}",
                    $"Skipped: channel database {channelDatabase} receives full sync session {by}, which deletes the job's data and replaces it."));
            else if (!Same(s.DataGroup, dataGroup))
                // A channel database moved to another data group: what its old group sent no longer applies (the new
                // group seeds it with a full package), so those sessions are skipped rather than left to block.
                steps.Add(new(s, ReceiveAction.Skip, $"the channel database now belongs to data group {dataGroup}",
                    $"Skipped: channel database {channelDatabase} now belongs to data group {dataGroup}, not {s.DataGroup}."));
            else if (blockedBy is not null)
                steps.Add(new(s, ReceiveAction.Blocked, blockedBy));
            else if (GivenUp(t, tryCount))
            {
                blockedBy = $"behind session {s.Id}, which failed {t.Tries} time(s)";
                steps.Add(new(s, ReceiveAction.Blocked, $"failed {t.Tries} time(s) ({t.Message}); rerun or cancel it",
                    $"Blocked behind session {s.Id}, which failed {t.Tries} time(s): {t.Message}"));
            }
            else if (RetryAfter(t, tryCount) is { } after && after > now)
            {
                blockedBy = $"behind session {s.Id}, which is retried after {after:u}";
                steps.Add(new(s, ReceiveAction.Wait, $"failed {t.Tries} time(s) ({t.Message}); retried after {after:u}"));
            }
            else
                steps.Add(new(s, ReceiveAction.Apply, $"{s.Kind} package, {s.RowCount} row(s){(s.DeleteExisting ? ", deletes existing data first" : "")}" +
                    (t.Tries > 0 ? $", try {t.Tries + 1}" : "")));
        }
        return steps;
    }

    /// <summary>
    /// Pending sessions made unnecessary by a later pending full sync with delete-existing of the same job and
    /// data group at this channel database: session id to the id of the full sync that supersedes it.
    /// </summary>
    private static Dictionary<long, long> Superseded(IReadOnlyList<DownloadSessionRecord> pending)
    {
        var result = new Dictionary<long, long>();
        var fulls = pending.Where(s => s.Kind == SessionKind.Full && s.DeleteExisting && s.Part == 1)
            .GroupBy(s => (s.JobId.ToUpperInvariant(), s.DataGroup.ToUpperInvariant()))
            .Select(g => g.MaxBy(s => s.Id)!);
        foreach (var full in fulls)
            foreach (var s in pending)
                if (s.Id < full.Id && Same(s.JobId, full.JobId) && Same(s.DataGroup, full.DataGroup))
                    result[s.Id] = full.Id;
        return result;
    }

    private static bool Same(string? a, string? b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
