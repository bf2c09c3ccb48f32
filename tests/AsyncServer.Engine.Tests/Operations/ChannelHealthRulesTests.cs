using AsyncServer.Configuration;
using AsyncServer.Messaging;
using AsyncServer.Operations;

namespace AsyncServer.Tests.Operations;

/// <summary>The state rules alone, at their edges (the contract suite drives real message databases into each state).</summary>
public sealed class ChannelHealthRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    private static ChannelActivity Activity(int pending = 0, DateTimeOffset? oldest = null, int failed = 0, int suspended = 0,
        DateTimeOffset? action = null, DateTimeOffset? contact = null)
        => new("S", pending, pending > 0 ? 1 : null, oldest, failed, suspended, failed > 0 ? 1 : null, failed > 0 ? "ApplyFailed" : null, "why",
            null, null, action, contact, null);

    private static ChannelHealthState State(ChannelActivity? a, HealthSettings? settings = null)
        => ChannelHealthRules.Evaluate("S", "G", a, settings ?? new HealthSettings(), Now).State;

    [Fact]
    public void Silence_starts_after_the_configured_number_of_intervals_not_before()
    {
        var settings = new HealthSettings { ContactIntervalSeconds = 60, SilentAfterIntervals = 4 };
        Assert.Equal(ChannelHealthState.Healthy, State(Activity(contact: Now - TimeSpan.FromMinutes(4)), settings));
        Assert.Equal(ChannelHealthState.Silent, State(Activity(contact: Now - TimeSpan.FromMinutes(4) - TimeSpan.FromSeconds(1)), settings));
    }

    [Fact]
    public void Behind_means_a_session_waited_longer_than_one_interval()
    {
        Assert.Equal(ChannelHealthState.Healthy, State(Activity(pending: 1, oldest: Now - TimeSpan.FromMinutes(5), contact: Now)));
        Assert.Equal(ChannelHealthState.Behind, State(Activity(pending: 1, oldest: Now - TimeSpan.FromMinutes(6), contact: Now)));
    }

    [Fact]
    public void The_worst_state_wins_in_a_fixed_order()
    {
        Assert.Equal(ChannelHealthState.NeverConnected, State(null));
        Assert.Equal(ChannelHealthState.NeverConnected, State(Activity(pending: 3, oldest: Now.AddDays(-2))));
        Assert.Equal(ChannelHealthState.Blocked, State(Activity(pending: 2, oldest: Now.AddDays(-2), failed: 1, contact: Now.AddDays(-2))));
        // Suspended behind a failure that was rerun: waiting for the client, not blocked.
        Assert.Equal(ChannelHealthState.Healthy, State(Activity(suspended: 1, pending: 2, oldest: Now, contact: Now)));
        Assert.Equal(ChannelHealthState.Silent, State(Activity(pending: 2, oldest: Now.AddDays(-2), contact: Now.AddHours(-1))));
    }

    [Fact]
    public void A_direct_client_is_silent_only_when_work_waited_for_it_longer_than_the_threshold()
    {
        var lastAction = Now.AddDays(-5);
        Assert.Equal(ChannelHealthState.Healthy, State(Activity(action: lastAction)));
        // A session created a minute ago: not silent yet, the client had no reason to act.
        Assert.Equal(ChannelHealthState.Healthy, State(Activity(pending: 1, oldest: Now.AddMinutes(-1), action: lastAction)));
        Assert.Equal(ChannelHealthState.Silent, State(Activity(pending: 1, oldest: Now.AddMinutes(-16), action: lastAction)));
        var row = ChannelHealthRules.Evaluate("S", "G", Activity(action: lastAction, contact: lastAction.AddDays(-1)), new HealthSettings(), Now);
        Assert.Equal(("Client", (DateTimeOffset?)lastAction), (row.ContactSource, row.LastContact));
    }

    [Fact]
    public void The_health_settings_come_from_the_configuration_and_are_range_checked()
    {
        var file = Path.Combine(Path.GetTempPath(), $"health-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, """{ "health": { "contactIntervalSeconds": 60, "silentAfterIntervals": 0 } }""");
        try
        {
            var config = ConfigurationLoader.Load(file);
            Assert.Equal(TimeSpan.FromMinutes(1), config.Health.ContactInterval);
            var problem = Assert.Single(ConfigurationLimits.Check(config), p => p.Path.StartsWith("$.health", StringComparison.Ordinal));
            Assert.Equal("$.health.silentAfterIntervals", problem.Path);
            Assert.Equal(TimeSpan.FromMinutes(15), new HealthSettings().SilentAfter);
        }
        finally { File.Delete(file); }
    }
}
