using AsyncServer.Configuration;
using AsyncServer.Messaging;

namespace AsyncServer.Scheduling;

/// <summary>
/// Get-AsyncSchedule: the configured schedules with their last run and result, derived from the message
/// database (the latest session of each of the schedule's (job, data group) pairs), and the next due time
/// from the recurrence. Runs of the same pairs by other schedules or by hand count too: the row version
/// they advance is shared.
/// </summary>
public sealed class ScheduleBrowser(EngineContext context)
{
    public async Task<IReadOnlyList<ScheduleStatus>> GetAsync(IReadOnlyList<ScheduleSettings> schedules, CancellationToken cancellationToken)
    {
        await using var store = context.OpenMessageStore();
        await store.EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
        var now = context.Time.GetUtcNow();
        var latestByPair = new Dictionary<(string, string), DownloadSessionRecord?>();
        var result = new List<ScheduleStatus>();
        foreach (var schedule in schedules)
        {
            var latest = new List<DownloadSessionRecord>();
            foreach (var job in schedule.Jobs)
                foreach (var group in schedule.DataGroups)
                {
                    var key = (job.ToUpperInvariant(), group.ToUpperInvariant());
                    if (!latestByPair.TryGetValue(key, out var session))
                    {
                        var query = new SessionQuery { JobIds = [job], DataGroups = [group], IncludeNoData = true, NewestFirst = true, Limit = 1 };
                        var found = await store.QuerySessionsAsync(query, cancellationToken).ConfigureAwait(false);
                        session = found.Count > 0 ? found[0] : null;
                        latestByPair[key] = session;
                    }
                    if (session is not null) latest.Add(session);
                }
            result.Add(Describe(schedule, latest, now));
        }
        return result;
    }

    public static ScheduleStatus Describe(ScheduleSettings schedule, IReadOnlyList<DownloadSessionRecord> latest, DateTimeOffset now)
    {
        Recurrence? recurrence = null;
        // An invalid recurrence shows as none.
        if (schedule.Recurrence is not null && !Recurrence.TryParse(schedule.Recurrence, out recurrence, out _)) recurrence = null;
        DateTimeOffset? lastRun = latest.Count == 0 ? null : latest.Max(s => s.CreatedAt);
        var (lastResult, message) = Summarize(latest);
        return new ScheduleStatus
        {
            Name = schedule.Name,
            Active = schedule.Active,
            Direction = schedule.Direction,
            Jobs = new(schedule.Jobs.ToList()),
            DataGroups = new(schedule.DataGroups.ToList()),
            Recurrence = recurrence?.ToString() ?? "",
            Interval = recurrence?.Interval,
            Cron = schedule.Recurrence?.Cron,
            TimeZone = schedule.Recurrence?.TimeZone,
            LastRun = lastRun,
            LastResult = lastResult,
            LastMessage = message,
            NextDue = schedule.Active ? recurrence?.NextDue(lastRun, now) : null,
            LastSessionIds = new(latest.Select(s => s.Id).OrderBy(i => i).ToList()),
        };
    }

    /// <summary>The worst outcome among the pairs' latest sessions wins: a failure must not hide behind a success.</summary>
    private static (ScheduleResult, string?) Summarize(IReadOnlyList<DownloadSessionRecord> latest)
    {
        if (latest.Count == 0) return (ScheduleResult.Never, null);
        if (latest.FirstOrDefault(s => s.Status == SessionStatus.CreateFailed) is { } failed) return (ScheduleResult.Failed, failed.Message);
        if (latest.FirstOrDefault(s => s.Status == SessionStatus.Canceled) is { } canceled) return (ScheduleResult.Canceled, canceled.Message);
        if (latest.Any(s => s.Status == SessionStatus.Started && !s.Staged)) return (ScheduleResult.Running, null);
        if (latest.All(s => s.Status == SessionStatus.NoData)) return (ScheduleResult.NoData, null);
        return (ScheduleResult.Succeeded, null);
    }
}
