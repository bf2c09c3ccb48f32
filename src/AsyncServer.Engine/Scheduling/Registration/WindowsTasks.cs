using System.Globalization;
using System.Xml.Linq;
using AsyncServer.Diagnostics;

namespace AsyncServer.Scheduling.Registration;

/// <summary>
/// A Task Scheduler task definition (the XML that schtasks /Create /XML takes) per schedule. An interval
/// becomes a time trigger repeated indefinitely; a cron expression becomes calendar triggers, one per time
/// of day (at most 48, Task Scheduler's limit). MultipleInstancesPolicy IgnoreNew keeps one run per
/// schedule at a time.
/// </summary>
public static class WindowsTasks
{
    private static readonly XNamespace Ns = "http://schemas.microsoft.com/windows/2004/02/mit/task";
    private static readonly string[] MonthWeeks = ["1", "2", "3", "4", "Last"];
    private static readonly string[] DayElements = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
    private static readonly string[] MonthElements =
        ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
    private const int MaxTriggers = 48;

    /// <summary>The Task Scheduler folder the tasks live in.</summary>
    public static string TaskFolder(RegistrationOptions o) => "\\" + o.ServiceName + "\\";

    public static (UnitFile Xml, string Trigger) Task(RegistrationOptions o, string schedule, Recurrence recurrence, DateTimeOffset now)
    {
        var (triggers, description) = Triggers(schedule, recurrence, now);
        var command = CommandLines.ScheduleCommand(o, schedule);
        var user = string.IsNullOrWhiteSpace(o.User) ? "S-1-5-18" : o.User!;
        var builtIn = user is "S-1-5-18" or "S-1-5-19" or "S-1-5-20"
            || user.StartsWith("NT AUTHORITY\\", StringComparison.OrdinalIgnoreCase)
            || user.Equals("SYSTEM", StringComparison.OrdinalIgnoreCase);
        var doc = new XDocument(new XDeclaration("1.0", "UTF-16", null),
            new XElement(Ns + "Task", new XAttribute("version", "1.2"),
                new XElement(Ns + "RegistrationInfo",
                    new XElement(Ns + "Author", "AsyncServer"),
                    new XElement(Ns + "Description",
                        $"AsyncServer distribution schedule {schedule} ({recurrence}). Written by Register-AsyncDistributionSchedule."),
                    new XElement(Ns + "URI", TaskFolder(o) + UnitNames.Escape(schedule))),
                new XElement(Ns + "Triggers", triggers),
                new XElement(Ns + "Principals",
                    new XElement(Ns + "Principal", new XAttribute("id", "Author"),
                        new XElement(Ns + "UserId", user),
                        // Built-in accounts need no password; another account runs whether logged on or not, without stored credentials.
                        new XElement(Ns + "LogonType", builtIn ? "ServiceAccount" : "S4U"),
                        new XElement(Ns + "RunLevel", "LeastPrivilege"))),
                new XElement(Ns + "Settings",
                    new XElement(Ns + "MultipleInstancesPolicy", "IgnoreNew"),
                    new XElement(Ns + "DisallowStartIfOnBatteries", "false"),
                    new XElement(Ns + "StopIfGoingOnBatteries", "false"),
                    new XElement(Ns + "StartWhenAvailable", "true"),
                    new XElement(Ns + "ExecutionTimeLimit", "PT0S"),
                    new XElement(Ns + "Enabled", "true")),
                new XElement(Ns + "Actions", new XAttribute("Context", "Author"),
                    new XElement(Ns + "Exec",
                        new XElement(Ns + "Command", command[0]),
                        new XElement(Ns + "Arguments", string.Join(' ', command.Skip(1).Select(CommandLines.WindowsWord))),
                        new XElement(Ns + "WorkingDirectory", o.WorkingDirectory)))));
        using var writer = new Utf16Writer();
        doc.Save(writer);
        return (new UnitFile(UnitNames.Escape(schedule) + ".xml", writer.ToString()), description);
    }

    private sealed class Utf16Writer : StringWriter
    {
        public override System.Text.Encoding Encoding => System.Text.Encoding.Unicode;
    }

    private static (List<XElement> Triggers, string Description) Triggers(string schedule, Recurrence recurrence, DateTimeOffset now)
    {
        if (recurrence.Interval is { } interval)
        {
            if (interval < TimeSpan.FromMinutes(1))
                throw NotRepresentable(schedule, $"Task Scheduler repeats a task at most every minute, and the interval is {interval:c}");
            var iso = System.Xml.XmlConvert.ToString(interval);
            var start = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            return ([new XElement(Ns + "TimeTrigger",
                new XElement(Ns + "Repetition", new XElement(Ns + "Interval", iso), new XElement(Ns + "StopAtDurationEnd", "false")),
                new XElement(Ns + "StartBoundary", start),
                new XElement(Ns + "Enabled", "true"))], $"every {iso} from {start}");
        }

        var f = CronFields.Parse(recurrence.CronText!, schedule);
        if (f.Seconds.Count != 1)
            throw NotRepresentable(schedule, "Task Scheduler triggers fire once a minute at most, but the seconds field has several values");
        var times = f.Hours.SelectMany(h => f.Minutes.Select(m => new TimeOnly(h, m, f.Seconds[0]))).ToList();
        if (times.Count > MaxTriggers)
            throw NotRepresentable(schedule, $"it fires at {times.Count} times of day; Task Scheduler allows {MaxTriggers} triggers");
        if (!f.AnyDayOfMonth && !f.AnyDayOfWeek) throw NotRepresentable(schedule, "it restricts both the day of month and the day of week");
        string suffix;
        if (recurrence.TimeZone == TimeZoneInfo.Utc || recurrence.TimeZone.Id is "UTC" or "Etc/UTC") suffix = "Z";
        else if (recurrence.TimeZone.Id == TimeZoneInfo.Local.Id) suffix = "";
        else throw NotRepresentable(schedule, $"Task Scheduler fires in UTC or in the machine's own time zone, not in '{recurrence.TimeZone.Id}'");

        XElement Days()
        {
            if (!f.AnyDayOfWeek && f.AnyMonth)
                return new XElement(Ns + "ScheduleByWeek", new XElement(Ns + "DaysOfWeek", f.DaysOfWeek.Select(d => new XElement(Ns + DayElements[d]))),
                    new XElement(Ns + "WeeksInterval", 1));
            if (!f.AnyDayOfWeek)
                return new XElement(Ns + "ScheduleByMonthDayOfWeek",
                    new XElement(Ns + "Weeks", MonthWeeks.Select(w => new XElement(Ns + "Week", w))),
                    new XElement(Ns + "DaysOfWeek", f.DaysOfWeek.Select(d => new XElement(Ns + DayElements[d]))),
                    new XElement(Ns + "Months", f.Months.Select(m => new XElement(Ns + MonthElements[m - 1]))));
            if (f.AnyDayOfMonth && f.AnyMonth)
                return new XElement(Ns + "ScheduleByDay", new XElement(Ns + "DaysInterval", 1));
            return new XElement(Ns + "ScheduleByMonth",
                new XElement(Ns + "DaysOfMonth", f.DaysOfMonth.Select(d => new XElement(Ns + "Day", d))),
                new XElement(Ns + "Months", f.Months.Select(m => new XElement(Ns + MonthElements[m - 1]))));
        }

        var date = now.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var triggers = times.Select(t => new XElement(Ns + "CalendarTrigger",
            new XElement(Ns + "StartBoundary", $"{date}T{t:HH\\:mm\\:ss}{suffix}"),
            new XElement(Ns + "Enabled", "true"),
            Days())).ToList();
        return (triggers, $"{triggers.Count} calendar trigger(s) for cron {recurrence.CronText}{(suffix == "Z" ? " (UTC)" : " (local time)")}");
    }

    private static AsyncServerException NotRepresentable(string schedule, string why) =>
        new(ErrorIds.RecurrenceNotRepresentable, ErrorKind.InvalidArgument,
            $"Schedule '{schedule}' cannot be registered as a scheduled task: {why}. " +
            "Run this schedule with the AsyncServer service instead (Register-AsyncDistributionSchedule -Service).", schedule);
}
