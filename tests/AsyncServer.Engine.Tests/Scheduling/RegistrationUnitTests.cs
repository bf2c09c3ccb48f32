using System.Diagnostics;
using System.Globalization;
using System.Xml.Linq;
using AsyncServer.Configuration;
using AsyncServer.Diagnostics;
using AsyncServer.Scheduling;
using AsyncServer.Scheduling.Registration;

namespace AsyncServer.Tests.Scheduling;

/// <summary>Recurrences written as systemd calendars and Task Scheduler triggers; systemd itself checks the calendars where it is installed.</summary>
public sealed class RegistrationUnitTests
{
    private static Recurrence Cron(string cron, string? zone = null) => Recurrence.Parse(new RecurrenceSettings { Cron = cron, TimeZone = zone }, "S");

    [Theory]
    [InlineData("0 2 * * *", null, "*-*-* 02:00:00 UTC")]
    [InlineData("*/15 8-17 * * MON-FRI", "Europe/Berlin", "Mon..Fri *-*-* 08..17:00/15:00 Europe/Berlin")]
    [InlineData("30 2 1,15 * *", null, "*-*-01,15 02:30:00 UTC")]
    [InlineData("0 0 * JAN-MAR SAT,SUN", null, "Sat,Sun *-01..03-* 00:00:00 UTC")]
    [InlineData("5 */6 * * 0", null, "Sun *-*-* 00/6:05:00 UTC")]
    [InlineData("0 30 1 1 * *", null, "*-*-01 01:30:00 UTC")]
    [InlineData("*/20 * * * * *", null, "*-*-* *:*:00/20 UTC")]
    public void Cron_becomes_an_OnCalendar_that_systemd_agrees_with(string cron, string? zone, string expected)
    {
        var recurrence = Cron(cron, zone);
        Assert.Equal(expected, SystemdCalendar.OnCalendar(recurrence, "S"));

        // Where systemd is installed, its own next occurrences must be Cronos's.
        var analyze = new[] { "/usr/bin/systemd-analyze", "/bin/systemd-analyze" }.FirstOrDefault(File.Exists);
        if (analyze is null) return;
        var from = new DateTimeOffset(2026, 1, 15, 10, 7, 30, TimeSpan.Zero);
        var info = new ProcessStartInfo(analyze) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "calendar", "--iterations=5", "--base-time=" + from.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC", expected })
            info.ArgumentList.Add(a);
        info.Environment["TZ"] = "UTC";
        info.Environment["SYSTEMD_COLORS"] = "0";
        using var p = Process.Start(info)!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, output + p.StandardError.ReadToEnd());
        var systemd = output.Split('\n').Where(l => l.Contains("Next elapse:") || l.Contains("Iter. #"))
            .Select(l => DateTimeOffset.ParseExact(l[(l.IndexOf(':') + 2)..].Trim()[4..].Replace(" UTC", ""), "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal))
            .ToList();
        Assert.Equal(recurrence.Occurrences(from, 5), systemd);
    }

    [Theory]
    [InlineData("0 2 L * *")]
    [InlineData("0 2 * * 5L")]
    [InlineData("0 2 * * MON#1")]
    [InlineData("0 2 15W * *")]
    public void Cron_features_a_timer_cannot_express_are_refused_clearly(string cron)
    {
        var ex = Assert.Throws<AsyncServerException>(() => SystemdCalendar.OnCalendar(Cron(cron), "Month-end"));
        Assert.Equal(ErrorIds.RecurrenceNotRepresentable, ex.ErrorId);
        Assert.Contains("Schedule 'Month-end'", ex.Message);
        Assert.Contains("-Service", ex.Message);
    }

    private static RegistrationOptions Options => new()
    {
        ConfigurationPath = "/etc/asyncserver/my config.json",
        WorkingDirectory = "/var/lib/asyncserver",
        User = "asyncserver",
        PwshPath = "/opt/microsoft/powershell/7/pwsh",
        ModulePath = "/opt/asyncserver/AsyncServer/AsyncServer.psd1",
        ServicePath = "/opt/asyncserver/AsyncServer.Service/AsyncServer.Service.dll",
        DotnetPath = "/usr/bin/dotnet",
    };

    [Fact]
    public void Timer_units_run_the_cmdlet_on_the_recurrence()
    {
        var (service, timer, trigger) = SystemdUnits.Schedule(Options, "Prices 50%", Recurrence.Parse(new RecurrenceSettings { Interval = "00:15:00" }, "Prices 50%"));
        Assert.Equal("asyncserver-schedule-Prices_50_.service", service.FileName);
        Assert.Equal("asyncserver-schedule-Prices_50_.timer", timer.FileName);
        Assert.Equal("OnUnitActiveSec=15min", trigger);
        Assert.Contains("\nType=oneshot\n", service.Content.ReplaceLineEndings("\n"));
        // Specifiers are escaped; the schedule name and paths reach pwsh as single-quoted PowerShell literals.
        Assert.Contains("ExecStart=/opt/microsoft/powershell/7/pwsh -NoLogo -NoProfile -NonInteractive -Command \"Import-Module '/opt/asyncserver/AsyncServer/AsyncServer.psd1'; Start-AsyncDistribution -Schedule 'Prices 50%%' -ConfigurationPath '/etc/asyncserver/my config.json' -ErrorAction Stop\"", service.Content);
        Assert.Contains("User=asyncserver", service.Content);
        Assert.Contains("WorkingDirectory=/var/lib/asyncserver", service.Content);
        Assert.Contains("KillSignal=SIGINT", service.Content);
        Assert.Contains("OnActiveSec=0", timer.Content);
        Assert.Contains("OnUnitActiveSec=15min", timer.Content);
        Assert.Contains("Unit=asyncserver-schedule-Prices_50_.service", timer.Content);
    }

    [Fact]
    public void The_service_unit_runs_the_host_with_its_options()
    {
        var unit = SystemdUnits.Service(Options with { MaxParallelRuns = 3, Schedules = ["A", "B"] });
        Assert.Equal("asyncserver.service", unit.FileName);
        Assert.Contains("Type=notify", unit.Content);
        Assert.Contains("ExecStart=/usr/bin/dotnet /opt/asyncserver/AsyncServer.Service/AsyncServer.Service.dll --configuration-path \"/etc/asyncserver/my config.json\" --max-parallel-runs 3 --schedules A,B", unit.Content);
        Assert.Contains("WantedBy=multi-user.target", unit.Content);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a b", "\"a b\"")]
    [InlineData("50%", "50%%")]
    [InlineData("$HOME", "$$HOME")]
    [InlineData("say \"hi\"", "\"say \\\"hi\\\"\"")]
    public void Systemd_words_are_quoted_and_escaped(string value, string expected) => Assert.Equal(expected, CommandLines.SystemdWord(value));

    [Fact]
    public void A_Task_Scheduler_task_has_one_calendar_trigger_per_time_of_day_and_runs_once_at_a_time()
    {
        var now = new DateTimeOffset(2026, 1, 15, 10, 7, 30, TimeSpan.Zero);
        var (xml, _) = WindowsTasks.Task(Options with { PwshPath = @"C:\Program Files\PowerShell\7\pwsh.exe", User = null }, "Weekdays", Cron("0 8,20 * * MON-FRI"), now);
        var doc = XDocument.Parse(xml.Content);
        XNamespace ns = "http://schemas.microsoft.com/windows/2004/02/mit/task";
        var triggers = doc.Descendants(ns + "CalendarTrigger").ToList();
        Assert.Equal(["2026-01-15T08:00:00Z", "2026-01-15T20:00:00Z"], triggers.Select(t => t.Element(ns + "StartBoundary")!.Value));
        Assert.All(triggers, t => Assert.Equal(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
            t.Descendants(ns + "DaysOfWeek").Elements().Select(e => e.Name.LocalName)));
        Assert.Equal("IgnoreNew", doc.Descendants(ns + "MultipleInstancesPolicy").Single().Value);
        Assert.Equal("S-1-5-18", doc.Descendants(ns + "UserId").Single().Value);
        Assert.Equal(@"C:\Program Files\PowerShell\7\pwsh.exe", doc.Descendants(ns + "Command").Single().Value);
        Assert.Contains("Start-AsyncDistribution -Schedule 'Weekdays'", doc.Descendants(ns + "Arguments").Single().Value);

        var (interval, description) = WindowsTasks.Task(Options, "Often", Recurrence.Parse(new RecurrenceSettings { Interval = "00:15:00" }, "Often"), now);
        Assert.Equal("PT15M", XDocument.Parse(interval.Content).Descendants(ns + "Interval").Single().Value);
        Assert.StartsWith("every PT15M", description);

        var tooOften = Assert.Throws<AsyncServerException>(() => WindowsTasks.Task(Options, "Fast", Recurrence.Parse(new RecurrenceSettings { Interval = "00:00:10" }, "Fast"), now));
        Assert.Equal(ErrorIds.RecurrenceNotRepresentable, tooOften.ErrorId);
        var both = Assert.Throws<AsyncServerException>(() => WindowsTasks.Task(Options, "Both", Cron("0 2 1 * MON"), now));
        Assert.Contains("both the day of month and the day of week", both.Message);
    }
}
