using AsyncServer.Configuration;
using AsyncServer.Distribution;
using AsyncServer.Messaging;
using AsyncServer.Samples;
using AsyncServer.Tests.Support;

namespace AsyncServer.Tests.Client;

public sealed class SeedingTests
{
    private static void AddStore(AsyncServerConfiguration c, string group, string id, string dataAreaId)
        => c.FindDataGroup(group)!.ChannelDatabases.Add(new ChannelDatabaseSettings
        {
            Id = id,
            Parameters = new(StringComparer.OrdinalIgnoreCase) { ["DataAreaId"] = dataAreaId },
            Connection = new ConnectionSettings { ConnectionString = $"Data Source=channels/{id}.db" },
        });

    [Fact]
    public async Task A_channel_database_joining_a_data_group_gets_one_full_package_and_no_history()
    {
        await using var h = await ClientHarness.CreateAsync(products: 20);
        await h.DistributeAsync();
        for (var round = 1; round <= 3; round++)
        {
            await SampleData.ChangeAsync(h.HqFile, seed: round, inserts: 2, updates: 5, deletes: 2);
            await h.DistributeAsync();
        }
        var history = await h.SessionsAsync();
        h.Reconfigure(c => AddStore(c, "USRT-Stores", "AUSTIN", "usrt"));

        await SampleData.ChangeAsync(h.HqFile, seed: 10, inserts: 1, updates: 3, deletes: 1);
        var recorded = await h.DistributeAsync();
        var seeds = recorded.Where(s => s.Targets.Any(t => t.ChannelDatabase == "AUSTIN")).ToList();
        Assert.Equal(h.Config.Jobs.Count, seeds.Count);
        Assert.All(seeds, s =>
        {
            Assert.Equal(SessionKind.Full, s.Kind);
            Assert.True(s.DeleteExisting);
            Assert.Equal(["AUSTIN"], s.RequestedChannelDatabases);
            Assert.Equal(["AUSTIN"], s.Targets.Select(t => t.ChannelDatabase));
            Assert.Contains("Seeding", s.FullSyncReason);
        });
        // The regular sessions of this run went to the old stores only, and nothing older targets the new one.
        Assert.All(recorded.Except(seeds), s => Assert.DoesNotContain(s.Targets, t => t.ChannelDatabase == "AUSTIN"));
        Assert.Equal(seeds.Select(s => s.Id), (await h.PendingAsync("AUSTIN")).Select(s => s.Id));
        Assert.DoesNotContain(history, s => s.Targets.Any(t => t.ChannelDatabase == "AUSTIN"));

        await h.ReceiveAsync("AUSTIN");
        Assert.Empty(await h.DifferencesAsync("AUSTIN"));
        foreach (var db in new[] { "HOUSTON", "SEATTLE", "CHICAGO", "DETROIT" }) await h.ReceiveAsync(db);
        foreach (var db in h.ChannelDatabases) Assert.Empty(await h.DifferencesAsync(db));

        // From now on the new store is an ordinary member: no second seed.
        await SampleData.ChangeAsync(h.HqFile, seed: 11, inserts: 1, updates: 3, deletes: 1);
        var next = await h.DistributeAsync();
        Assert.DoesNotContain(next, s => s.Kind == SessionKind.Full);
        Assert.Contains(next, s => s.Targets.Any(t => t.ChannelDatabase == "AUSTIN"));
        await h.ReceiveAsync("AUSTIN");
        Assert.Empty(await h.DifferencesAsync("AUSTIN"));
    }

    [Fact]
    public async Task A_full_sync_with_delete_existing_supersedes_the_older_pending_sessions_of_its_job()
    {
        await using var h = await ClientHarness.CreateAsync(products: 20);
        await h.DistributeAsync();
        for (var round = 1; round <= 3; round++)
        {
            await SampleData.ChangeAsync(h.HqFile, seed: round, inserts: 2, updates: 5, deletes: 2);
            await h.DistributeAsync();
        }
        var older = await h.PendingAsync("SEATTLE");
        Assert.True(older.Count > 4);
        var full = await h.DistributeAsync(new DistributionRequest { Jobs = h.Config.Jobs.Select(j => j.Id).ToList(), FullSync = true, DeleteExistingData = true, ChannelDatabases = ["SEATTLE"] });

        var received = await h.ReceiveAsync("SEATTLE");
        Assert.All(older, s =>
        {
            var t = ClientHarness.Target(received.Any(r => r.Id == s.Id) ? h.SessionAsync(s.Id).Result : s, "SEATTLE");
            Assert.Equal(SessionStatus.Canceled, t.Status);
            Assert.Contains("Skipped", t.Message);
        });
        Assert.All(full, s => Assert.Equal(SessionStatus.Applied, ClientHarness.Target(h.SessionAsync(s.Id).Result, "SEATTLE").Status));
        Assert.Empty(await h.DifferencesAsync("SEATTLE"));
        // HOUSTON, in the same group, still replays its sessions normally.
        Assert.Equal(older.Select(s => s.Id), (await h.PendingAsync("HOUSTON")).Select(s => s.Id));
    }

    [Fact]
    public async Task When_every_channel_database_of_a_group_is_new_the_run_is_a_full_sync_for_the_group()
    {
        await using var h = await ClientHarness.CreateAsync(products: 10);
        await h.DistributeAsync(new DistributionRequest { Jobs = ["1020"] });
        h.Reconfigure(c => c.FindDataGroup("USMF-Stores")!.ChannelDatabases.ForEach(d => d.Id = "NEW-" + d.Id));
        var recorded = await h.DistributeAsync(new DistributionRequest { Jobs = ["1020"], DataGroups = ["USMF-Stores"] });
        var s = Assert.Single(recorded);
        Assert.Equal((SessionKind.Full, true), (s.Kind, s.DeleteExisting));
        Assert.Empty(s.RequestedChannelDatabases);
        Assert.Equal(["NEW-CHICAGO", "NEW-DETROIT"], s.Targets.Select(t => t.ChannelDatabase));
    }
}
