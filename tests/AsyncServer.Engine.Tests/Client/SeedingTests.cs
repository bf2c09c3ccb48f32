using AsyncServer.Configuration;
using AsyncServer.Data;
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

public sealed class SeedingPlanAndUpgradeTests
{
    [Fact]
    public async Task WhatIf_shows_the_seed_of_a_new_channel_database()
    {
        await using var h = await ClientHarness.CreateAsync(products: 10);
        await h.DistributeAsync(new DistributionRequest { Jobs = ["1020"] });
        h.Reconfigure(c => c.FindDataGroup("USRT-Stores")!.ChannelDatabases.Add(new ChannelDatabaseSettings
        {
            Id = "AUSTIN", Parameters = new(StringComparer.OrdinalIgnoreCase) { ["DataAreaId"] = "usrt" },
            Connection = new ConnectionSettings { ConnectionString = "Data Source=channels/AUSTIN.db" },
        }));
        var plan = await new DistributionRunner(h.Context).PlanAsync(new DistributionRequest { Jobs = ["1020"], DataGroups = ["USRT-Stores"] }, default);
        Assert.Equal(2, plan.Count);
        Assert.Equal("NoData", plan[0].Kind);
        Assert.Equal(["HOUSTON", "SEATTLE"], plan[0].ChannelDatabases);
        Assert.Equal("Full", plan[1].Kind);
        Assert.Equal(["AUSTIN"], plan[1].ChannelDatabases);
        Assert.Contains("Seeding", plan[1].Reason);
        Assert.Empty(await h.PendingAsync("AUSTIN"));
    }

    [Fact]
    public async Task Upgrading_a_schema_1_message_database_counts_existing_targets_as_joined()
    {
        await using var h = await ClientHarness.CreateAsync(products: 10);
        await h.DistributeAsync(new DistributionRequest { Jobs = ["1020"] });
        // Back to schema 1: what a message database written by the previous version looks like.
        await using (var conn = await Providers.Sqlite.SqliteConnections.OpenAsync(h.Context.MessageConnection, false, default))
            await Providers.Sqlite.SqliteConnections.ExecuteAsync(conn,
                "DROP TABLE channel_database_jobs; DROP INDEX ix_status_messages_session; DROP INDEX ix_session_targets_session; " +
                "DROP TABLE channel_credentials; DROP TABLE channel_contacts; " +
                "DROP TABLE upload_session_tables; DROP TABLE upload_sessions; DROP TABLE upload_counters; " +
                "ALTER TABLE status_messages DROP COLUMN direction; DELETE FROM sqlite_sequence WHERE name = 'upload_sessions'; " +
                "UPDATE schema_info SET version = 1;", default);
        await using var store = h.Context.OpenMessageStore();
        var outdated = await Assert.ThrowsAsync<Diagnostics.AsyncServerException>(() => store.EnsureReadyAsync(default));
        Assert.Equal(Diagnostics.ErrorIds.MessageDatabaseOutdated, outdated.ErrorId);
        var info = await store.InitializeAsync(default);
        Assert.Equal((1, MessageSchema.CurrentVersion), (info.PreviousSchemaVersion, info.SchemaVersion));
        Assert.Empty(await store.FindChannelDatabasesToSeedAsync(h.Config.Partition, "USRT-Stores", "1020", ["HOUSTON", "SEATTLE"], default));
        Assert.Equal(["AUSTIN"], await store.FindChannelDatabasesToSeedAsync(h.Config.Partition, "USRT-Stores", "1020", ["HOUSTON", "AUSTIN"], default));
    }
}

public sealed class GroupMoveTests
{
    [Fact]
    public async Task A_channel_database_moved_to_another_data_group_skips_its_old_sessions_and_is_seeded_by_the_new_group()
    {
        await using var h = await ClientHarness.CreateAsync(products: 15);
        await h.DistributeAsync();
        await SampleData.ChangeAsync(h.HqFile, seed: 31, inserts: 2, updates: 6, deletes: 2);
        await h.DistributeAsync();
        var old = await h.PendingAsync("SEATTLE");
        Assert.NotEmpty(old);
        h.Reconfigure(c =>
        {
            var seattle = c.FindDataGroup("USRT-Stores")!.ChannelDatabases.Single(d => d.Id == "SEATTLE");
            c.FindDataGroup("USRT-Stores")!.ChannelDatabases.Remove(seattle);
            seattle.Parameters["DataAreaId"] = "usmf";
            c.FindDataGroup("USMF-Stores")!.ChannelDatabases.Add(seattle);
        });
        var plan = await new AsyncServer.Client.PackageReceiver(h.Context).PlanAsync(new AsyncServer.Client.ReceiveRequest("SEATTLE"), default);
        Assert.All(plan, p => Assert.Equal("Skip", p.Action));

        var seeds = (await h.DistributeAsync()).Where(s => s.Targets.Any(t => t.ChannelDatabase == "SEATTLE")).ToList();
        Assert.All(seeds, s => Assert.Equal(("USMF-Stores", SessionKind.Full, true), (s.DataGroup, s.Kind, s.DeleteExisting)));
        await h.ReceiveAsync("SEATTLE");
        foreach (var s in old)
        {
            var t = ClientHarness.Target(await h.SessionAsync(s.Id), "SEATTLE");
            Assert.Equal(SessionStatus.Canceled, t.Status);
            Assert.Contains("now belongs to data group USMF-Stores", t.Message);
        }
        Assert.Empty(await h.PendingAsync("SEATTLE"));
        Assert.Empty(await h.DifferencesAsync("SEATTLE"));
    }
}
