using AsyncServer.Configuration;
using AsyncServer.Operations;
using AsyncServer.Tests.Support;

namespace AsyncServer.Tests.Contracts;

/// <summary>Channel health (issue 16): every provider's one health query, on stores driven into each state.</summary>
public abstract partial class MessageStoreContract
{
    internal static IReadOnlyList<(string DataGroup, string ChannelDatabase, ChannelHealthState State)> EveryState => HealthScenario.EveryState;

    internal static AsyncServerConfiguration HealthConfiguration() => new()
    {
        Partition = "ps1",
        DataGroups = EveryState.GroupBy(s => s.DataGroup).Select(g => new DataGroupSettings
        {
            Id = g.Key, ChannelDatabases = g.Select(s => new ChannelDatabaseSettings { Id = s.ChannelDatabase }).ToList(),
        }).ToList(),
    };

    [Fact]
    public async Task Channel_health_reads_every_store_in_one_query_and_finds_each_state()
    {
        var db = await Fixture.CreateDatabaseAsync("health");
        await using (var init = ProviderFactory.CreateMessageStore(db)) await init.InitializeAsync(default);
        var now = new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
        var sessions = await HealthScenario.DriveAsync(db, "ps1", "1040", EveryState, now);
        await using var store = ProviderFactory.CreateMessageStore(db);
        var activity = await store.ReadChannelActivityAsync(default);
        var rows = ChannelHealthBrowser.Evaluate(HealthConfiguration(), activity, now).ToDictionary(r => r.ChannelDatabase);

        Assert.Equal(EveryState.Select(s => (s.ChannelDatabase, s.State)), rows.Values.Select(r => (r.ChannelDatabase, r.State)));
        Assert.DoesNotContain(activity, a => a.ChannelDatabase == "NEVER" && a.LastContactAt is not null);
        var never = rows["NEVER"];
        Assert.Equal((2, (DateTimeOffset?)null, ""), (never.PendingSessions, never.LastContact, never.ContactSource));
        Assert.Equal(TimeSpan.FromHours(3), never.OldestPendingAge);

        var applied = rows["APPLIED"];
        Assert.Equal((0, sessions["APPLIED"][1], "Endpoint", "scenario/1.0"),
            (applied.PendingSessions, applied.LastAppliedSession, applied.ContactSource, applied.ClientVersion));
        Assert.Equal(now - TimeSpan.FromMinutes(1), applied.LastContact);
        Assert.Null(applied.OldestPendingAge);

        var behind = rows["BEHIND"];
        Assert.Equal((2, sessions["BEHIND"][0], 0, (long?)null), (behind.PendingSessions, behind.OldestPendingSession, behind.FailedSessions, behind.LastAppliedSession));

        var blocked = rows["BLOCKED"];
        Assert.Equal((1, 1, sessions["BLOCKED"][0]), (blocked.FailedSessions, blocked.BlockedSessions, blocked.BlockingSession));
        Assert.Equal("ApplyFailed: Table INVENTTABLE is missing.", blocked.BlockingReason);
        Assert.Equal([sessions["BLOCKED"][0]], blocked.SessionId);
        Assert.Equal("G2", blocked.DataGroup);

        var silent = rows["SILENT"];
        Assert.Equal((now - TimeSpan.FromMinutes(150), 0), (silent.LastContact, silent.PendingSessions));
    }

    [Fact]
    public async Task A_store_on_the_direct_client_is_heard_from_through_its_target_changes()
    {
        var db = await Fixture.CreateDatabaseAsync("health-client");
        await using (var init = ProviderFactory.CreateMessageStore(db)) await init.InitializeAsync(default);
        var now = new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
        var clock = new HealthScenario.StepClock(now);
        await HealthScenario.DriveAsync(db, "ps1", "1040", [("G1", "DIRECT", ChannelHealthState.NeverConnected)], now);
        await using var store = ProviderFactory.CreateMessageStore(db, clock);
        clock.Now = now - TimeSpan.FromMinutes(2);
        await store.UpdateTargetsAsync(new(new[] { Messaging.SessionStatus.Available }, Messaging.SessionStatus.Applied, null) { ChannelDatabase = "DIRECT" }, default);
        var config = new AsyncServerConfiguration
        {
            DataGroups = [new DataGroupSettings { Id = "G1", ChannelDatabases = [new ChannelDatabaseSettings { Id = "DIRECT" }] }],
        };
        var row = ChannelHealthBrowser.Evaluate(config, await store.ReadChannelActivityAsync(default), now).Single();
        Assert.Equal((ChannelHealthState.Healthy, "Client", (DateTimeOffset?)(now - TimeSpan.FromMinutes(2))), (row.State, row.ContactSource, row.LastContact));
        // Days later with nothing pending, a direct client is not judged silent: there was nothing to hear.
        var later = ChannelHealthBrowser.Evaluate(config, await store.ReadChannelActivityAsync(default), now.AddDays(3)).Single();
        Assert.Equal(ChannelHealthState.Healthy, later.State);
    }
}
