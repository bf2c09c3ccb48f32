using System.Globalization;
using System.Text;
using AsyncServer.Diagnostics;

namespace AsyncServer.Scheduling.Registration;

/// <summary>
/// Turns a recurrence into systemd timer settings: an interval becomes OnUnitActiveSec (counted from the
/// last start, like the service's interval), a cron expression becomes one OnCalendar line
/// ("DOW *-MM-DD HH:MM:SS ZONE"). Cronos, like systemd, requires both the day of month and the day of
/// week to match when both are restricted, so one line expresses any supported expression exactly.
/// </summary>
public static class SystemdCalendar
{
    private static readonly string[] Days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

    public static string OnCalendar(Recurrence recurrence, string scheduleName)
    {
        var f = CronFields.Parse(recurrence.CronText!, scheduleName);
        var text = new StringBuilder();
        if (!f.AnyDayOfWeek) text.Append(DaysOfWeek(f.DaysOfWeek)).Append(' ');
        text.Append("*-").Append(Values(f.Months, 1, 12)).Append('-').Append(Values(f.DaysOfMonth, 1, 31)).Append(' ')
            .Append(Values(f.Hours, 0, 23)).Append(':').Append(Values(f.Minutes, 0, 59)).Append(':').Append(Values(f.Seconds, 0, 59));
        text.Append(' ').Append(ZoneName(recurrence.TimeZone, scheduleName));
        return text.ToString();
    }

    /// <summary>systemd wants an IANA zone name; a Windows zone id in the configuration is translated.</summary>
    public static string ZoneName(TimeZoneInfo zone, string scheduleName)
    {
        if (zone == TimeZoneInfo.Utc || zone.Id is "UTC" or "Etc/UTC") return "UTC";
        if (zone.HasIanaId) return zone.Id;
        if (TimeZoneInfo.TryConvertWindowsIdToIanaId(zone.Id, out var iana)) return iana;
        throw new AsyncServerException(ErrorIds.RecurrenceNotRepresentable, ErrorKind.InvalidArgument,
            $"Schedule '{scheduleName}': time zone '{zone.Id}' has no IANA name for systemd.", scheduleName);
    }

    /// <summary>"5min", "1h 30min", "900ms"...: systemd's time span syntax, exact to the millisecond.</summary>
    public static string TimeSpanText(TimeSpan span)
    {
        var parts = new List<string>();
        if (span.Days > 0) parts.Add($"{span.Days}d");
        if (span.Hours > 0) parts.Add($"{span.Hours}h");
        if (span.Minutes > 0) parts.Add($"{span.Minutes}min");
        if (span.Seconds > 0) parts.Add($"{span.Seconds}s");
        if (span.Milliseconds > 0) parts.Add($"{span.Milliseconds}ms");
        return parts.Count == 0 ? "1ms" : string.Join(' ', parts);
    }

    /// <summary>"*", "08..17", "00/15" (from 0 every 15 to the end), or "02,14".</summary>
    private static string Values(IReadOnlyList<int> values, int min, int max)
    {
        if (values.Count == max - min + 1) return "*";
        string Two(int v) => v.ToString("D2", CultureInfo.InvariantCulture);
        if (values.Count >= 3)
        {
            var step = values[1] - values[0];
            var regular = values.Zip(values.Skip(1)).All(p => p.Second - p.First == step);
            if (regular && step == 1) return $"{Two(values[0])}..{Two(values[^1])}";
            if (regular && values[^1] + step > max) return $"{Two(values[0])}/{step}";
        }
        return string.Join(',', values.Select(Two));
    }

    private static string DaysOfWeek(IReadOnlyList<int> days)
    {
        // Monday first, as systemd lists them; contiguous runs of three or more become ranges.
        var ordered = days.OrderBy(d => (d + 6) % 7).ToList();
        var parts = new List<string>();
        for (var i = 0; i < ordered.Count;)
        {
            var j = i;
            while (j + 1 < ordered.Count && (ordered[j + 1] + 6) % 7 == (ordered[j] + 6) % 7 + 1) j++;
            parts.Add(j - i >= 2 ? $"{Days[ordered[i]]}..{Days[ordered[j]]}" : string.Join(',', ordered.Skip(i).Take(j - i + 1).Select(d => Days[d])));
            i = j + 1;
        }
        return string.Join(',', parts);
    }
}
