namespace AsyncServer.Scheduling;

/// <summary>How the last run of a schedule ended, as far as the message database tells.</summary>
public enum ScheduleResult
{
    /// <summary>No session of the schedule's (job, data group) pairs exists.</summary>
    Never,
    /// <summary>A session of the last run is still Started (being created).</summary>
    Running,
    /// <summary>Every pair's latest session made a package available (or found nothing new for some).</summary>
    Succeeded,
    /// <summary>Every pair's latest session found no changes.</summary>
    NoData,
    /// <summary>A pair's latest session was canceled (for example when the service stopped).</summary>
    Canceled,
    /// <summary>A pair's latest session failed (CreateFailed).</summary>
    Failed,
}

/// <summary>One schedule as Get-AsyncSchedule shows it: its definition, last run and next due time.</summary>
public sealed class ScheduleStatus
{
    public string Name { get; init; } = "";
    public bool Active { get; init; }
    public string Direction { get; init; } = "Download";
    public PrintableList<string> Jobs { get; init; } = new([]);
    public PrintableList<string> DataGroups { get; init; } = new([]);
    /// <summary>"every 00:15:00", "cron 0 2 * * * (UTC)", or empty when the schedule only runs on demand.</summary>
    public string Recurrence { get; init; } = "";
    /// <summary>The interval of an interval recurrence; null for cron or on demand.</summary>
    public TimeSpan? Interval { get; init; }
    public string? Cron { get; init; }
    public string? TimeZone { get; init; }
    /// <summary>When the latest session of the schedule's (job, data group) pairs was created.</summary>
    public DateTimeOffset? LastRun { get; init; }
    public ScheduleResult LastResult { get; init; }
    /// <summary>The message of a failed or canceled latest session.</summary>
    public string? LastMessage { get; init; }
    /// <summary>Null when inactive or without a recurrence; may be in the past when the schedule is overdue.</summary>
    public DateTimeOffset? NextDue { get; init; }
    /// <summary>The latest session id of each (job, data group) pair that has one.</summary>
    public PrintableList<long> LastSessionIds { get; init; } = new([]);

    public override string ToString() => $"Schedule {Name}: {(Recurrence.Length == 0 ? "on demand" : Recurrence)}, last {LastResult}";
}
