using System.Globalization;
using AsyncServer.Configuration;

namespace AsyncServer.Scheduling;

/// <summary>A schedule's recurrence: a fixed interval, or a cron expression in a time zone.</summary>
public static class Recurrence
{
    /// <summary>Null when valid, else what is wrong.</summary>
    public static string? Validate(RecurrenceSettings r)
    {
        var hasInterval = !string.IsNullOrWhiteSpace(r.Interval);
        var hasCron = !string.IsNullOrWhiteSpace(r.Cron);
        if (hasInterval == hasCron) return "give exactly one of interval (for example \"00:15:00\") or cron";
        if (hasInterval)
            return TimeSpan.TryParse(r.Interval, CultureInfo.InvariantCulture, out var t) && t > TimeSpan.Zero
                ? null : $"interval '{r.Interval}' is not a positive time span such as \"00:15:00\"";
        var fields = r.Cron!.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        if (fields is not (5 or 6)) return $"cron '{r.Cron}' must have 5 fields (or 6 with seconds)";
        if (!string.IsNullOrWhiteSpace(r.TimeZone))
        {
            try { TimeZoneInfo.FindSystemTimeZoneById(r.TimeZone!); }
            catch (TimeZoneNotFoundException) { return $"time zone '{r.TimeZone}' is not known on this machine"; }
        }
        return null;
    }
}
