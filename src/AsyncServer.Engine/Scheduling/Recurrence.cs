using System.Globalization;
using AsyncServer.Configuration;
using AsyncServer.Diagnostics;
using Cronos;

namespace AsyncServer.Scheduling;

/// <summary>
/// A schedule's recurrence: a fixed interval, or a cron expression (Cronos syntax, five fields or six with
/// seconds) evaluated in a time zone (UTC when none is given).
/// </summary>
public sealed class Recurrence
{
    private Recurrence(TimeSpan? interval, CronExpression? cron, string? cronText, TimeZoneInfo zone)
    {
        Interval = interval;
        Cron = cron;
        CronText = cronText;
        TimeZone = zone;
    }

    /// <summary>Set for an interval recurrence.</summary>
    public TimeSpan? Interval { get; }

    /// <summary>Set for a cron recurrence.</summary>
    public CronExpression? Cron { get; }

    /// <summary>The cron expression as written in the configuration.</summary>
    public string? CronText { get; }

    /// <summary>The zone the cron expression is read in.</summary>
    public TimeZoneInfo TimeZone { get; }

    /// <summary>True when the cron expression has a seconds field.</summary>
    public bool CronHasSeconds => CronText is not null && CronFields(CronText).Length == 6;

    /// <summary>"every 00:15:00" or "cron 0 2 * * * (UTC)": for lists and logs.</summary>
    public override string ToString() => Interval is { } i ? $"every {i.ToString("c", CultureInfo.InvariantCulture)}" : $"cron {CronText} ({TimeZone.Id})";

    internal static string[] CronFields(string cron) => cron.Split(' ', '\t').Where(f => f.Length > 0).ToArray();

    /// <summary>Null when valid, else what is wrong (used by the configuration validator).</summary>
    public static string? Validate(RecurrenceSettings r) => TryParse(r, out _, out var problem) ? null : problem;

    /// <summary>Parses a recurrence, or throws ConfigurationInvalid naming the schedule and what is wrong.</summary>
    public static Recurrence Parse(RecurrenceSettings r, string scheduleName)
        => TryParse(r, out var recurrence, out var problem) ? recurrence!
            : throw new AsyncServerException(ErrorIds.ConfigurationInvalid, ErrorKind.InvalidData,
                $"Schedule '{scheduleName}': the recurrence is invalid: {problem}.", scheduleName);

    public static bool TryParse(RecurrenceSettings r, out Recurrence? recurrence, out string? problem)
    {
        recurrence = null;
        problem = null;
        var hasInterval = !string.IsNullOrWhiteSpace(r.Interval);
        var hasCron = !string.IsNullOrWhiteSpace(r.Cron);
        if (hasInterval == hasCron)
        {
            problem = "give exactly one of interval (for example \"00:15:00\") or cron";
            return false;
        }
        if (hasInterval)
        {
            if (!TimeSpan.TryParse(r.Interval, CultureInfo.InvariantCulture, out var t) || t <= TimeSpan.Zero)
            {
                problem = $"interval '{r.Interval}' is not a positive time span such as \"00:15:00\"";
                return false;
            }
            if (!string.IsNullOrWhiteSpace(r.TimeZone))
            {
                problem = "timeZone only applies to a cron recurrence; an interval counts from the last run";
                return false;
            }
            recurrence = new Recurrence(t, null, null, TimeZoneInfo.Utc);
            return true;
        }

        var text = string.Join(' ', CronFields(r.Cron!));
        var fields = CronFields(text).Length;
        if (fields is not (5 or 6))
        {
            problem = $"cron '{r.Cron}' must have 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first";
            return false;
        }
        CronExpression cron;
        try { cron = CronExpression.Parse(text, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard); }
        catch (CronFormatException ex)
        {
            problem = $"cron '{r.Cron}' is not valid: {ex.Message}";
            return false;
        }
        var zone = TimeZoneInfo.Utc;
        if (!string.IsNullOrWhiteSpace(r.TimeZone))
        {
            try { zone = TimeZoneInfo.FindSystemTimeZoneById(r.TimeZone!.Trim()); }
            catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                problem = $"time zone '{r.TimeZone}' is not known on this machine (use an IANA name such as \"Europe/Berlin\" or a Windows name)";
                return false;
            }
        }
        recurrence = new Recurrence(null, cron, text, zone);
        return true;
    }

    /// <summary>
    /// When the schedule is next due. An interval counts from the start of the last run, and a schedule that
    /// never ran is due now. A cron schedule is due at its first occurrence after the last run, or after now
    /// when it never ran. The result may lie in the past: the schedule is overdue and runs at once (once,
    /// however many occurrences were missed).
    /// </summary>
    public DateTimeOffset? NextDue(DateTimeOffset? lastRun, DateTimeOffset now)
    {
        if (Interval is { } interval) return lastRun is { } last ? last + interval : now;
        var from = lastRun ?? now;
        var next = Cron!.GetNextOccurrence(from.UtcDateTime, TimeZone, inclusive: false);
        return next is { } n ? new DateTimeOffset(n, TimeSpan.Zero) : null;
    }

    /// <summary>The next <paramref name="count"/> occurrences after <paramref name="from"/> (for display and checks).</summary>
    public IReadOnlyList<DateTimeOffset> Occurrences(DateTimeOffset from, int count)
    {
        var list = new List<DateTimeOffset>(count);
        var at = from;
        for (var i = 0; i < count; i++)
        {
            var next = Interval is { } interval ? at + interval : NextDue(at, at);
            if (next is null) break;
            list.Add(next.Value);
            at = next.Value;
        }
        return list;
    }
}
