using AsyncServer.Distribution;
using AsyncServer.Messaging;
using AsyncServer.Samples;
using AsyncServer.Tests.Support;

namespace AsyncServer.Tests.Client;

public sealed class ReceiveTests
{
    [Fact]
    public async Task A_store_receives_its_sessions_in_order_and_equals_the_projection_of_HQ()
    {
        await using var h = await ClientHarness.CreateAsync();
        await h.DistributeAsync();
        await SampleData.ChangeAsync(h.HqFile, seed: 5, inserts: 3, updates: 10, deletes: 4);
        await h.DistributeAsync();

        var received = await h.ReceiveAsync("HOUSTON");
        Assert.NotEmpty(received);
        Assert.All(received, s => Assert.Equal(SessionStatus.Applied, s.Status));
        Assert.Equal(received.Select(s => s.Id).Order(), received.Select(s => s.Id));
        Assert.Empty(await h.PendingAsync("HOUSTON"));
        Assert.Empty(await h.DifferencesAsync("HOUSTON"));
        // The other store of the group has not received anything yet.
        Assert.NotEmpty(await h.PendingAsync("SEATTLE"));
        Assert.NotEmpty(await h.DifferencesAsync("SEATTLE"));
        Assert.Empty(await h.ReceiveAsync("HOUSTON"));
        // The local copies are gone once applied.
        Assert.Empty(Directory.EnumerateFiles(h.Config.ResolvePath("client/HOUSTON")));
    }

    [Fact]
    public async Task Every_status_change_of_a_target_leaves_a_status_message()
    {
        await using var h = await ClientHarness.CreateAsync(products: 10);
        var sessions = await h.DistributeAsync(new DistributionRequest { Jobs = ["1020"], DataGroups = ["USRT-Stores"] });
        var id = Assert.Single(sessions).Id;
        await h.ReceiveAsync("HOUSTON");
        await using var store = h.Context.OpenMessageStore();
        var trail = (await store.GetUnmovedStatusMessagesAsync(1000, default)).Where(m => m.SessionId == id && m.ChannelDatabase == "HOUSTON").Select(m => Enum.Parse<SessionStatus>(m.Status));
        Assert.Equal([SessionStatus.Available, SessionStatus.Requested, SessionStatus.Downloaded, SessionStatus.Applied], trail);
    }

    [Fact]
    public async Task WhatIf_lists_what_would_be_applied_and_changes_nothing()
    {
        await using var h = await ClientHarness.CreateAsync(products: 10);
        var sessions = await h.DistributeAsync(new DistributionRequest { Jobs = ["1020", "1070"], DataGroups = ["USRT-Stores"] });
        var plan = await new AsyncServer.Client.PackageReceiver(h.Context).PlanAsync(new AsyncServer.Client.ReceiveRequest("SEATTLE"), default);
        Assert.Equal(sessions.Select(s => s.Id), plan.Select(p => p.SessionId));
        Assert.All(plan, p => Assert.Equal("Apply", p.Action));
        Assert.Equal(sessions.Count, (await h.PendingAsync("SEATTLE")).Count);
        Assert.False(File.Exists(h.ChannelFile("SEATTLE")));
    }

    [Fact]
    public async Task A_failed_session_suspends_the_later_ones_until_it_is_retried_and_gives_up_after_the_try_count()
    {
        await using var h = await ClientHarness.CreateAsync(products: 10, configure: c => c.TryCount = 2);
        var first = (await h.DistributeAsync(new DistributionRequest { Jobs = ["1020"], DataGroups = ["USRT-Stores"] })).Single();
        await SampleData.ChangeAsync(h.HqFile, seed: 2, inserts: 2, updates: 0, deletes: 0);
        var second = (await h.DistributeAsync(new DistributionRequest { Jobs = ["1020"], DataGroups = ["USRT-Stores"] })).Single();
        var package = h.PackagePath(first);
        var saved = h.Folder + "/saved.zip";
        File.Move(package, saved);

        var result = await h.ReceiveAsync("HOUSTON");
        var s1 = ClientHarness.Target(await h.SessionAsync(first.Id), "HOUSTON");
        Assert.Equal((SessionStatus.DownloadFailed, 1), (s1.Status, s1.Tries));
        Assert.Contains("does not exist", s1.Message);
        Assert.Equal(SessionStatus.Suspended, ClientHarness.Target(await h.SessionAsync(second.Id), "HOUSTON").Status);
        Assert.Contains(result, s => s.Id == first.Id && s.Status == SessionStatus.DownloadFailed);
        Assert.False(File.Exists(h.ChannelFile("HOUSTON")));

        await h.ReceiveAsync("HOUSTON");
        Assert.Equal(2, ClientHarness.Target(await h.SessionAsync(first.Id), "HOUSTON").Tries);
        // Out of tries: not attempted again, still blocking.
        await h.ReceiveAsync("HOUSTON");
        Assert.Equal(2, ClientHarness.Target(await h.SessionAsync(first.Id), "HOUSTON").Tries);
        Assert.Equal(SessionStatus.Suspended, ClientHarness.Target(await h.SessionAsync(second.Id), "HOUSTON").Status);

        // Rerun after the file is back: both apply, in order.
        File.Move(saved, package);
        await new SessionLifecycle(h.Context).RestartAsync(first.Id, "HOUSTON", default);
        var s1Rerun = ClientHarness.Target(await h.SessionAsync(first.Id), "HOUSTON");
        Assert.Equal((SessionStatus.Available, 0), (s1Rerun.Status, s1Rerun.Tries));
        await h.ReceiveAsync("HOUSTON");
        Assert.Equal(SessionStatus.Applied, ClientHarness.Target(await h.SessionAsync(first.Id), "HOUSTON").Status);
        Assert.Equal(SessionStatus.Applied, ClientHarness.Target(await h.SessionAsync(second.Id), "HOUSTON").Status);
        Assert.Empty(await h.DifferencesAsync("HOUSTON", "1020"));
    }

    [Fact]
    public async Task A_transient_failure_is_retried_by_the_next_run_without_an_operator()
    {
        await using var h = await ClientHarness.CreateAsync(products: 10, configure: c => c.TryCount = 0);
        var first = (await h.DistributeAsync(new DistributionRequest { Jobs = ["1020"], DataGroups = ["USMF-Stores"] })).Single();
        var package = h.PackagePath(first);
        File.Move(package, package + ".away");
        for (var i = 0; i < 4; i++) await h.ReceiveAsync("CHICAGO");
        Assert.Equal(4, ClientHarness.Target(await h.SessionAsync(first.Id), "CHICAGO").Tries);
        File.Move(package + ".away", package);
        await h.ReceiveAsync("CHICAGO");
        Assert.Equal(SessionStatus.Applied, ClientHarness.Target(await h.SessionAsync(first.Id), "CHICAGO").Status);
        Assert.Empty(await h.DifferencesAsync("CHICAGO", "1020"));
    }

    [Fact]
    public async Task Applying_the_same_session_again_changes_nothing()
    {
        await using var h = await ClientHarness.CreateAsync(products: 15);
        await h.DistributeAsync();
        await SampleData.ChangeAsync(h.HqFile, seed: 9, inserts: 2, updates: 6, deletes: 3);
        var delta = await h.DistributeAsync();
        await h.ReceiveAsync("DETROIT");
        var before = await File.ReadAllBytesAsync(h.ChannelFile("DETROIT"));
        // An operator reruns an applied... which is refused; a canceled-then-rerun session applies again.
        var session = delta.First(s => s.Targets.Any(t => t.ChannelDatabase == "DETROIT"));
        var refused = await Assert.ThrowsAsync<Diagnostics.AsyncServerException>(() => new SessionLifecycle(h.Context).RestartAsync(session.Id, "DETROIT", default));
        Assert.Equal(Diagnostics.ErrorIds.SessionStateInvalid, refused.ErrorId);
        await using (var store = h.Context.OpenMessageStore())
            await store.UpdateTargetsAsync(new TargetUpdate([SessionStatus.Applied], SessionStatus.Available, "test: apply again") { SessionId = session.Id, ChannelDatabase = "DETROIT" }, default);
        await h.ReceiveAsync("DETROIT");
        Assert.Equal(SessionStatus.Applied, ClientHarness.Target(await h.SessionAsync(session.Id), "DETROIT").Status);
        Assert.Empty(await h.DifferencesAsync("DETROIT"));
        Assert.True(before.Length > 0);
    }

    [Fact]
    public async Task Only_one_client_at_a_time_receives_for_a_channel_database()
    {
        await using var h = await ClientHarness.CreateAsync(products: 10);
        await h.DistributeAsync(new DistributionRequest { Jobs = ["1020"], DataGroups = ["USRT-Stores"] });
        await using (var store = h.Context.OpenMessageStore())
            Assert.True((await store.TryAcquireLeaseAsync($"receive/{h.Config.Partition}/HOUSTON", "other-client:1", TimeSpan.FromMinutes(5), default)).Acquired);
        var ex = await Assert.ThrowsAsync<Diagnostics.AsyncServerException>(() => h.ReceiveAsync("HOUSTON"));
        Assert.Equal(Diagnostics.ErrorIds.WorkClaimedElsewhere, ex.ErrorId);
        Assert.Contains("other-client:1", ex.Message);
        Assert.All(await h.PendingAsync("HOUSTON"), s => Assert.Equal(SessionStatus.Available, ClientHarness.Target(s, "HOUSTON").Status));
        // Another channel database is not affected.
        Assert.NotEmpty(await h.ReceiveAsync("SEATTLE"));
    }

    [Fact]
    public async Task The_channel_connection_can_be_given_on_the_command_line()
    {
        await using var h = await ClientHarness.CreateAsync(products: 10);
        await h.DistributeAsync(new DistributionRequest { Jobs = ["1070"], DataGroups = ["USMF-Stores"] });
        var elsewhere = Path.Combine(h.Folder, "elsewhere", "chicago-copy.db");
        var result = await new AsyncServer.Client.PackageReceiver(h.Context).RunAsync(
            new AsyncServer.Client.ReceiveRequest("CHICAGO") { ChannelConnectionString = $"Data Source={elsewhere}" }, null, default);
        Assert.All(result, s => Assert.Equal(SessionStatus.Applied, s.Status));
        Assert.True(File.Exists(elsewhere));
        Assert.False(File.Exists(h.ChannelFile("CHICAGO")));
    }

    [Fact]
    public async Task Unknown_channel_databases_and_missing_connections_are_named()
    {
        await using var h = await ClientHarness.CreateAsync(products: 5, configure: c => c.FindDataGroup("USMF-Stores")!.ChannelDatabases[0].Connection = null);
        var unknown = await Assert.ThrowsAsync<Diagnostics.AsyncServerException>(() => h.ReceiveAsync("NOWHERE"));
        Assert.Equal(Diagnostics.ErrorIds.ChannelDatabaseNotFound, unknown.ErrorId);
        var missing = await Assert.ThrowsAsync<Diagnostics.AsyncServerException>(() => h.ReceiveAsync("CHICAGO"));
        Assert.Equal(Diagnostics.ErrorIds.ChannelConnectionMissing, missing.ErrorId);
        Assert.Contains("CHICAGO", missing.Message);
    }
}
