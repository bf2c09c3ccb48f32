using AsyncServer.Diagnostics;

namespace AsyncServer.Scheduling.Registration;

/// <summary>
/// A cron expression expanded into the explicit values of each field, so it can be written in another
/// scheduler's terms (systemd OnCalendar, Task Scheduler triggers). Only the portable part of cron is
/// accepted: numbers, names, lists, ranges and steps. L, W, # and ? with a meaning beyond "any" have no
/// equivalent there and are refused with a clear error (the service runs those schedules itself).
/// </summary>
public sealed class CronFields
{
    private static readonly string[] MonthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    private static readonly string[] DayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    public required IReadOnlyList<int> Seconds { get; init; }
    public required IReadOnlyList<int> Minutes { get; init; }
    public required IReadOnlyList<int> Hours { get; init; }
    public required IReadOnlyList<int> DaysOfMonth { get; init; }
    public required IReadOnlyList<int> Months { get; init; }
    /// <summary>0 = Sunday .. 6 = Saturday.</summary>
    public required IReadOnlyList<int> DaysOfWeek { get; init; }
    public bool AnyDayOfMonth => DaysOfMonth.Count == 31;
    public bool AnyMonth => Months.Count == 12;
    public bool AnyDayOfWeek => DaysOfWeek.Count == 7;

    public static CronFields Parse(string cron, string scheduleName)
    {
        var fields = Recurrence.CronFields(cron);
        if (fields.Length == 5) fields = ["0", .. fields];
        if (fields.Length != 6) throw Unsupported(scheduleName, cron, "it must have 5 or 6 fields");
        return new CronFields
        {
            Seconds = Field(fields[0], 0, 59, null, scheduleName, cron),
            Minutes = Field(fields[1], 0, 59, null, scheduleName, cron),
            Hours = Field(fields[2], 0, 23, null, scheduleName, cron),
            DaysOfMonth = Field(fields[3], 1, 31, null, scheduleName, cron),
            Months = Field(fields[4], 1, 12, MonthNames, scheduleName, cron),
            DaysOfWeek = Field(fields[5], 0, 7, DayNames, scheduleName, cron).Select(d => d % 7).Distinct().Order().ToList(),
        };
    }

    private static List<int> Field(string text, int min, int max, string[]? names, string schedule, string cron)
    {
        var values = new SortedSet<int>();
        foreach (var part in text.Split(','))
        {
            var (range, step) = part.Split('/') switch
            {
                [var r] => (r, 1),
                [var r, var s] when int.TryParse(s, out var n) && n > 0 => (r, n),
                _ => throw Unsupported(schedule, cron, $"'{part}' is not a plain value, range or step"),
            };
            int from, to;
            if (range is "*" or "?") (from, to) = (min, max);
            else if (range.Split('-') is [var a, var b]) (from, to) = (Value(a), Value(b));
            else (from, to) = (Value(range), step > 1 ? max : Value(range));
            if (from > to) throw Unsupported(schedule, cron, $"the range '{range}' runs backwards");
            for (var v = from; v <= to; v += step) values.Add(v);
        }
        return values.ToList();

        int Value(string token)
        {
            if (int.TryParse(token, out var n) && n >= min && n <= max) return n;
            var i = names is null ? -1 : Array.IndexOf(names, token.ToUpperInvariant());
            if (i >= 0) return names == MonthNames ? i + 1 : i;
            throw Unsupported(schedule, cron, $"'{token}' is not a value from {min} to {max} (L, W, # and H cannot be expressed by this scheduler)");
        }
    }

    private static AsyncServerException Unsupported(string schedule, string cron, string why) =>
        new(ErrorIds.RecurrenceNotRepresentable, ErrorKind.InvalidArgument,
            $"Schedule '{schedule}': cron '{cron}' cannot be registered as a scheduled task: {why}. " +
            "Run this schedule with the AsyncServer service instead (Register-AsyncDistributionSchedule -Service).", schedule);
}
