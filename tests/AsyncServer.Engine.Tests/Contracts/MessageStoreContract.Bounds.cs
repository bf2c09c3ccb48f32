using AsyncServer.Messaging;
using AsyncServer.Tests.Support;

namespace AsyncServer.Tests.Contracts;

/// <summary>Clocks and bounds (issue 12, points 9 and 10): what every message store must do, whatever the provider.</summary>
public abstract partial class MessageStoreContract
{
    /// <summary>The system clock moved by a fixed offset: an instance whose clock is wrong.</summary>
    private sealed class ShiftedClock(TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + offset;
    }

    [Fact]
    public async Task Lease_expiry_follows_the_database_clock_not_an_instance_clock()
    {
        var db = await Fixture.CreateDatabaseAsync("clock");
        await using var honest = ProviderFactory.CreateMessageStore(db);
        await using var ahead = ProviderFactory.CreateMessageStore(db, new ShiftedClock(TimeSpan.FromHours(1)));
        await using var behind = ProviderFactory.CreateMessageStore(db, new ShiftedClock(TimeSpan.FromHours(-1)));
        await honest.InitializeAsync(default);

        // An instance whose clock runs an hour ahead sees a live one-minute lease as live.
        Assert.True((await honest.TryAcquireLeaseAsync("r", "honest", TimeSpan.FromMinutes(1), default)).Acquired);
        var denied = await ahead.TryAcquireLeaseAsync("r", "ahead", TimeSpan.FromMinutes(1), default);
        Assert.False(denied.Acquired);
        Assert.Equal("honest", denied.Holder);
        Assert.False(await ahead.RenewLeaseAsync("r", "ahead", TimeSpan.FromMinutes(1), default));

        // A lease taken by an instance whose clock runs an hour behind lasts its minute, not "an hour ago plus a minute".
        Assert.True((await behind.TryAcquireLeaseAsync("s", "behind", TimeSpan.FromMinutes(1), default)).Acquired);
        Assert.False((await honest.TryAcquireLeaseAsync("s", "honest", TimeSpan.FromMinutes(1), default)).Acquired);

        // Fencing judges by the same clock: the holder records although its own clock says the lease is long gone.
        var id = await behind.CreateStartedSessionAsync(Session(from: null), default);
        await behind.CompleteRunAsync(new RunCompletion("ps1", "G1", "1040", "s", "behind", null, 3,
            [new CompletedPackage(id, 1, "x.zip", 1, new string('b', 64), false)], null, ["DB1"]), default);
        Assert.Equal(3, await honest.GetRowVersionAsync("ps1", "G1", "1040", default));
    }

    [Fact]
    public async Task Sessions_stream_a_page_at_a_time_in_query_order()
    {
        var store = await NewStoreAsync("stream");
        var ids = new List<long>();
        for (var i = 0; i < 5; i++) ids.Add(await AdvanceAsync(store, $"G{i}", "1040", null, 9));

        // Every filter and order of QuerySessions gives the same sessions, page by page.
        foreach (var query in new[]
        {
            new SessionQuery(), new SessionQuery { NewestFirst = true }, new SessionQuery { NewestFirst = true, Limit = 3 },
            new SessionQuery { Limit = 4 }, new SessionQuery { DataGroups = ["G1", "G3", "G4"] }, new SessionQuery { ChannelDatabases = ["DB2"], Limit = 2 },
        })
        {
            var streamed = new List<DownloadSessionRecord>();
            await foreach (var s in store.StreamSessionsAsync(query, default, pageSize: 2)) streamed.Add(s);
            var queried = await store.QuerySessionsAsync(query, default);
            Assert.Equal(queried.Select(s => s.Id), streamed.Select(s => s.Id));
            Assert.Equal(queried.Select(s => s.Targets.Count), streamed.Select(s => s.Targets.Count));
        }

        // Pages are read as the caller asks for them, not all at once: a session recorded after the first page is seen.
        var seen = new List<long>();
        await foreach (var s in store.StreamSessionsAsync(new SessionQuery(), default, pageSize: 2))
        {
            if (seen.Count == 0) ids.Add(await AdvanceAsync(store, "G9", "1040", null, 9));
            seen.Add(s.Id);
        }
        Assert.Equal(ids, seen);
    }

    [Fact]
    public async Task The_purge_works_in_bounded_batches_oldest_first()
    {
        var store = await NewStoreAsync("batches");
        var ids = new List<long>();
        for (var i = 0; i < 5; i++) ids.Add(await AdvanceAsync(store, $"G{i}", "1040", null, 9));
        await store.UpdateTargetsAsync(new TargetUpdate(TargetStatuses.Pending, SessionStatus.Applied, null), default);
        await store.MarkStatusMessagesMovedAsync((await store.GetUnmovedStatusMessagesAsync(1000, default)).Select(m => m.Id).ToList(), default);
        var later = DateTimeOffset.UtcNow.AddMinutes(1);

        var first = await store.PurgeBatchAsync(later, 2, default);
        Assert.Equal(ids.Take(2), first.Sessions.Select(s => s.Id));
        Assert.Equal(2, first.StatusMessages);
        // What the first batch removed is gone, committed; the rest waits for the next batch.
        Assert.Equal(ids.Skip(2), (await store.QuerySessionsAsync(new SessionQuery(), default)).Select(s => s.Id));
        Assert.Equal(ids.Skip(2).Take(2), (await store.PurgeBatchAsync(later, 2, default)).Sessions.Select(s => s.Id));
        Assert.Equal(ids.Skip(4), (await store.PurgeBatchAsync(later, 2, default)).Sessions.Select(s => s.Id));
        Assert.Empty((await store.PurgeBatchAsync(later, 2, default)).Sessions);
    }

    [Fact]
    public async Task Status_messages_never_moved_are_purged_once_older_than_their_bound()
    {
        var store = await NewStoreAsync("unmoved");
        var a = await AdvanceAsync(store, "G1", "1040", null, 9);
        var unmoved = await store.GetUnmovedStatusMessagesAsync(1000, default);
        Assert.NotEmpty(unmoved);
        Assert.Equal(0, await store.PurgeUnmovedStatusMessagesAsync(DateTimeOffset.UtcNow.AddDays(-1), 2, default));
        // The ordinary purge never takes them; the bound does, a batch per transaction.
        Assert.Equal(0, (await store.PurgeAsync(DateTimeOffset.UtcNow.AddMinutes(1), whatIf: false, default)).StatusMessages);
        Assert.Equal(unmoved.Count, await store.PurgeUnmovedStatusMessagesAsync(DateTimeOffset.UtcNow.AddMinutes(1), 2, default));
        Assert.Empty(await store.GetUnmovedStatusMessagesAsync(1000, default));
        Assert.Equal(SessionStatus.Available, (await store.QuerySessionsAsync(new SessionQuery { Ids = [a] }, default)).Single().Status);
    }

    [Fact]
    public async Task A_retired_channel_database_has_its_pending_targets_canceled_and_leaves_its_jobs()
    {
        var store = await NewStoreAsync("retire");
        var a = await AdvanceAsync(store, "G1", "1040", null, 9);
        var b = await AdvanceAsync(store, "G1", "1040", 9, 12);
        await store.UpdateTargetsAsync(new TargetUpdate([SessionStatus.Available], SessionStatus.Applied, null) { ChannelDatabase = "DB2", SessionId = a }, default);
        Assert.Equal(["DB1", "DB2"], await store.GetChannelDatabasesWithPendingTargetsAsync(default));

        Assert.Equal(2, await store.RetireChannelDatabaseAsync("DB1", "DB1 was removed from the configuration.", default));
        Assert.Equal(["DB2"], await store.GetChannelDatabasesWithPendingTargetsAsync(default));
        var rows = await store.QuerySessionsAsync(new SessionQuery { Ids = [a, b] }, default);
        Assert.All(rows, s => Assert.Equal((SessionStatus.Canceled, "DB1 was removed from the configuration."),
            (s.Targets.Single(t => t.ChannelDatabase == "DB1").Status, s.Targets.Single(t => t.ChannelDatabase == "DB1").Message)));
        Assert.Equal(SessionStatus.Applied, rows.Single(s => s.Id == a).Targets.Single(t => t.ChannelDatabase == "DB2").Status);
        // Should it come back, it is seeded afresh; the status messages say why its targets ended.
        Assert.Equal(["DB1"], await store.FindChannelDatabasesToSeedAsync("ps1", "G1", "1040", ["DB1", "DB2"], default));
        Assert.Equal(2, (await store.GetUnmovedStatusMessagesAsync(1000, default)).Count(m => m.ChannelDatabase == "DB1" && m.Status == nameof(SessionStatus.Canceled)));
        // Nothing is pending at DB1 any more, so a is purged once DB2 is done with it.
        Assert.Equal([a], (await store.PurgeAsync(DateTimeOffset.UtcNow.AddMinutes(1), whatIf: true, default)).Sessions.Select(s => s.Id));
    }
}
