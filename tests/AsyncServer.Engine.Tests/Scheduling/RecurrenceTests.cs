using AsyncServer.Configuration;
using AsyncServer.Diagnostics;
using AsyncServer.Scheduling;

namespace AsyncServer.Tests.Scheduling;

public sealed class RecurrenceTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 15, 10, 7, 30, TimeSpan.Zero); // a Thursday

    [Theory]
    [InlineData(null, null, null, "exactly one of interval")]
    [InlineData("00:15:00", "0 2 * * *", null, "exactly one of interval")]
    [InlineData("-00:01:00", null, null, "not a positive time span")]
    [InlineData("soon", null, null, "not a positive time span")]
    [InlineData("00:15:00", null, "UTC", "only applies to a cron")]
    [InlineData(null, "0 2 * *", null, "must have 5 fields")]
    [InlineData(null, "0 25 * * *", null, "is not valid")]
    [InlineData(null, "0 2 * * FOO", null, "is not valid")]
    [InlineData(null, "0 2 * * *", "Mars/Olympus_Mons", "is not known")]
    public void Invalid_recurrences_say_what_is_wrong(string? interval, string? cron, string? zone, string expected)
    {
        var problem = Recurrence.Validate(new RecurrenceSettings { Interval = interval, Cron = cron, TimeZone = zone });
        Assert.NotNull(problem);
        Assert.Contains(expected, problem);
        var ex = Assert.Throws<AsyncServerException>(() => Recurrence.Parse(new RecurrenceSettings { Interval = interval, Cron = cron, TimeZone = zone }, "S1"));
        Assert.Equal(ErrorIds.ConfigurationInvalid, ex.ErrorId);
        Assert.Contains("Schedule 'S1'", ex.Message);
    }

    [Fact]
    public void An_interval_is_due_now_when_never_run_then_counts_from_the_last_start()
    {
        var r = Recurrence.Parse(new RecurrenceSettings { Interval = "00:15:00" }, "S");
        Assert.Equal(Now, r.NextDue(null, Now));
        Assert.Equal(Now.AddMinutes(10), r.NextDue(Now.AddMinutes(-5), Now));
        // Overdue: the due time lies in the past, so the service runs it at once.
        Assert.Equal(Now.AddHours(-1).AddMinutes(15), r.NextDue(Now.AddHours(-1), Now));
        Assert.Equal("every 00:15:00", r.ToString());
    }

    [Fact]
    public void A_cron_schedule_is_due_at_its_next_occurrence_in_its_time_zone()
    {
        var utc = Recurrence.Parse(new RecurrenceSettings { Cron = "0 2 * * *" }, "S");
        Assert.Equal(new DateTimeOffset(2026, 1, 16, 2, 0, 0, TimeSpan.Zero), utc.NextDue(null, Now));
        // Berlin is UTC+1 in January: 02:00 there is 01:00 UTC.
        var berlin = Recurrence.Parse(new RecurrenceSettings { Cron = "0 2 * * *", TimeZone = "Europe/Berlin" }, "S");
        Assert.Equal(new DateTimeOffset(2026, 1, 16, 1, 0, 0, TimeSpan.Zero), berlin.NextDue(null, Now));
        // After a run, the next occurrence after that run, even if already past: one catch-up run.
        Assert.Equal(new DateTimeOffset(2026, 1, 11, 1, 0, 0, TimeSpan.Zero), berlin.NextDue(new DateTimeOffset(2026, 1, 10, 1, 0, 5, TimeSpan.Zero), Now));
        var seconds = Recurrence.Parse(new RecurrenceSettings { Cron = "*/10 * * * * *" }, "S");
        Assert.True(seconds.CronHasSeconds);
        Assert.Equal(new DateTimeOffset(2026, 1, 15, 10, 7, 40, TimeSpan.Zero), seconds.NextDue(null, Now));
    }

    [Fact]
    public void Occurrences_follow_each_other()
    {
        var r = Recurrence.Parse(new RecurrenceSettings { Cron = "30 8 * * MON-FRI" }, "S");
        var next = r.Occurrences(Now, 3);
        Assert.Equal([new(2026, 1, 16, 8, 30, 0, TimeSpan.Zero), new(2026, 1, 19, 8, 30, 0, TimeSpan.Zero), new DateTimeOffset(2026, 1, 20, 8, 30, 0, TimeSpan.Zero)], next);
    }
}
