using AsyncServer.Tests.Support;
using AsyncServer.Diagnostics;
using AsyncServer.Messaging;
using AsyncServer.Providers;

namespace AsyncServer.Tests.Contracts;

/// <summary>The behaviour every message store must have, whatever the provider.</summary>
public abstract partial class MessageStoreContract
{
    protected abstract IProviderFixture Fixture { get; }

    private async Task<IMessageStore> NewStoreAsync(string hint, bool initialize = true)
    {
        var store = ProviderFactory.CreateMessageStore(await Fixture.CreateDatabaseAsync(hint));
        if (initialize) await store.InitializeAsync(default);
        return store;
    }

    private static NewSession Session(string group = "G1", string job = "1040", int part = 1, long? from = 5, long to = 9) =>
        new("ps1", job, group, from is null ? SessionKind.Full : SessionKind.Incremental, false, null, from, to, part, "test:1", []);

    private static async Task<long> AdvanceAsync(IMessageStore store, string group, string job, long? expected, long to, string owner = "test:1")
    {
        var resource = $"download/ps1/{group}/{job}";
        Assert.True((await store.TryAcquireLeaseAsync(resource, owner, TimeSpan.FromMinutes(1), default)).Acquired);
        var id = await store.CreateStartedSessionAsync(Session(group, job, from: expected, to: to), default);
        await store.CompleteRunAsync(new RunCompletion("ps1", group, job, resource, owner, expected, to,
            [new CompletedPackage(id, 10, $"p{id}.zip", 100, new string('a', 64), false)], null, ["DB1", "DB2"]), default);
        await store.ReleaseLeaseAsync(resource, owner, default);
        return id;
    }

    [Fact]
    public async Task Initialize_creates_then_is_idempotent()
    {
        var store = await NewStoreAsync("init", initialize: false);
        var ex = await Assert.ThrowsAsync<AsyncServerException>(() => store.EnsureReadyAsync(default));
        Assert.Equal(ErrorIds.MessageDatabaseNotInitialized, ex.ErrorId);
        var first = await store.InitializeAsync(default);
        Assert.Equal(MessageSchema.CurrentVersion, first.SchemaVersion);
        Assert.Equal(0, first.PreviousSchemaVersion);
        var second = await store.InitializeAsync(default);
        Assert.Equal(MessageSchema.CurrentVersion, second.PreviousSchemaVersion);
        await store.EnsureReadyAsync(default);
    }

    [Fact]
    public async Task A_completed_run_records_sessions_targets_and_the_row_version_together()
    {
        var store = await NewStoreAsync("complete");
        Assert.Null(await store.GetRowVersionAsync("ps1", "G1", "1040", default));
        var id = await AdvanceAsync(store, "G1", "1040", null, 9);
        Assert.Equal(9, await store.GetRowVersionAsync("ps1", "G1", "1040", default));
        var s = (await store.QuerySessionsAsync(new SessionQuery { Ids = [id] }, default)).Single();
        Assert.Equal(SessionStatus.Available, s.Status);
        Assert.Equal(["DB1", "DB2"], s.Targets.Select(t => t.ChannelDatabase));
        Assert.All(s.Targets, t => Assert.Equal(SessionStatus.Available, t.Status));
        Assert.Equal(new string('a', 64), s.PackageSha256);
        Assert.Equal(100, s.PackageSize);
    }

    [Fact]
    public async Task Completing_against_a_moved_row_version_records_nothing()
    {
        var store = await NewStoreAsync("conflict");
        await AdvanceAsync(store, "G1", "1040", null, 9);
        var resource = "download/ps1/G1/1040";
        Assert.True((await store.TryAcquireLeaseAsync(resource, "late:2", TimeSpan.FromMinutes(1), default)).Acquired);
        var id = await store.CreateStartedSessionAsync(Session(from: 5, to: 12), default);
        var ex = await Assert.ThrowsAsync<AsyncServerException>(() => store.CompleteRunAsync(new RunCompletion("ps1", "G1", "1040", resource, "late:2", 5, 12,
            [new CompletedPackage(id, 1, "x.zip", 1, new string('b', 64), false)], null, ["DB1"]), default));
        Assert.Equal(ErrorIds.ConcurrentRun, ex.ErrorId);
        Assert.Equal(9, await store.GetRowVersionAsync("ps1", "G1", "1040", default));
        Assert.Equal(SessionStatus.Started, (await store.QuerySessionsAsync(new SessionQuery { Ids = [id] }, default)).Single().Status);
    }

    [Fact]
    public async Task Completing_without_the_lease_records_nothing()
    {
        var store = await NewStoreAsync("nolease");
        var id = await store.CreateStartedSessionAsync(Session(from: null), default);
        var ex = await Assert.ThrowsAsync<AsyncServerException>(() => store.CompleteRunAsync(new RunCompletion("ps1", "G1", "1040", "download/ps1/G1/1040", "nobody", null, 3,
            [new CompletedPackage(id, 1, "x.zip", 1, new string('b', 64), false)], null, ["DB1"]), default));
        Assert.Equal(ErrorIds.ConcurrentRun, ex.ErrorId);
        Assert.Null(await store.GetRowVersionAsync("ps1", "G1", "1040", default));
    }

    [Fact]
    public async Task Leases_exclude_others_until_they_expire_and_can_be_renewed_and_released()
    {
        var store = await NewStoreAsync("lease");
        Assert.True((await store.TryAcquireLeaseAsync("r", "a", TimeSpan.FromMilliseconds(300), default)).Acquired);
        var denied = await store.TryAcquireLeaseAsync("r", "b", TimeSpan.FromMinutes(1), default);
        Assert.False(denied.Acquired);
        Assert.Equal("a", denied.Holder);
        Assert.True(await store.RenewLeaseAsync("r", "a", TimeSpan.FromMilliseconds(300), default));
        await Task.Delay(600);
        Assert.True((await store.TryAcquireLeaseAsync("r", "b", TimeSpan.FromMinutes(1), default)).Acquired);
        Assert.False(await store.RenewLeaseAsync("r", "a", TimeSpan.FromMinutes(1), default));
        await store.ReleaseLeaseAsync("r", "b", default);
        Assert.True((await store.TryAcquireLeaseAsync("r", "c", TimeSpan.FromMinutes(1), default)).Acquired);
    }

    [Fact]
    public async Task Unfinished_sessions_are_found_and_failed_once()
    {
        var store = await NewStoreAsync("unfinished");
        var id = await store.CreateStartedSessionAsync(Session(), default);
        var unfinished = await store.GetUnfinishedSessionsAsync("ps1", "G1", "1040", default);
        Assert.Equal([id], unfinished.Select(s => s.Id));
        await store.FailSessionsAsync([id], SessionStatus.CreateFailed, "swept", default);
        Assert.Empty(await store.GetUnfinishedSessionsAsync("ps1", "G1", "1040", default));
        var s = (await store.QuerySessionsAsync(new SessionQuery { Ids = [id] }, default)).Single();
        Assert.Equal(SessionStatus.CreateFailed, s.Status);
        Assert.Equal("swept", s.Message);
    }

    [Fact]
    public async Task Queries_filter_by_status_job_group_channel_database_and_hide_NoData()
    {
        var store = await NewStoreAsync("query");
        var a = await AdvanceAsync(store, "G1", "1040", null, 9);
        var b = await AdvanceAsync(store, "G2", "1010", null, 9);
        var resource = "download/ps1/G1/1040";
        await store.TryAcquireLeaseAsync(resource, "test:1", TimeSpan.FromMinutes(1), default);
        var ids = await store.CompleteRunAsync(new RunCompletion("ps1", "G1", "1040", resource, "test:1", 9, 9, [], Session(from: 9, to: 9), ["DB1"]), default);
        var noData = Assert.Single(ids);

        Assert.Equal([a, b], (await store.QuerySessionsAsync(new SessionQuery(), default)).Select(s => s.Id));
        Assert.Equal([a, b, noData], (await store.QuerySessionsAsync(new SessionQuery { IncludeNoData = true }, default)).Select(s => s.Id));
        Assert.Equal([b], (await store.QuerySessionsAsync(new SessionQuery { JobIds = ["1010"] }, default)).Select(s => s.Id));
        Assert.Equal([a], (await store.QuerySessionsAsync(new SessionQuery { DataGroups = ["G1"] }, default)).Select(s => s.Id));
        Assert.Equal([noData], (await store.QuerySessionsAsync(new SessionQuery { Statuses = [SessionStatus.NoData] }, default)).Select(s => s.Id));
        Assert.Equal([a, b], (await store.QuerySessionsAsync(new SessionQuery { ChannelDatabases = ["DB2"] }, default)).Select(s => s.Id));
        Assert.Empty(await store.QuerySessionsAsync(new SessionQuery { CreatedAfter = DateTimeOffset.UtcNow.AddMinutes(1) }, default));
    }

    [Fact]
    public async Task NewestFirst_with_a_limit_returns_the_latest_sessions()
    {
        var store = await NewStoreAsync("newest");
        var first = await AdvanceAsync(store, "G1", "1040", null, 9);
        var second = await AdvanceAsync(store, "G1", "1040", 9, 12);
        var other = await AdvanceAsync(store, "G2", "1040", null, 12);
        Assert.Equal([second], (await store.QuerySessionsAsync(new SessionQuery { JobIds = ["1040"], DataGroups = ["G1"], NewestFirst = true, Limit = 1 }, default)).Select(s => s.Id));
        Assert.Equal([other, second, first], (await store.QuerySessionsAsync(new SessionQuery { NewestFirst = true }, default)).Select(s => s.Id));
    }

    [Fact]
    public async Task A_staged_session_is_published_once()
    {
        var store = await NewStoreAsync("staged");
        var resource = "download/ps1/G1/1040";
        await store.TryAcquireLeaseAsync(resource, "test:1", TimeSpan.FromMinutes(1), default);
        var id = await store.CreateStartedSessionAsync(Session(from: null), default);
        await store.CompleteRunAsync(new RunCompletion("ps1", "G1", "1040", resource, "test:1", null, 9,
            [new CompletedPackage(id, 3, "s.zip", 10, new string('c', 64), true)], null, ["DB1"]), default);
        var staged = (await store.QuerySessionsAsync(new SessionQuery { Ids = [id] }, default)).Single();
        Assert.True(staged.Staged);
        Assert.Equal(SessionStatus.Started, staged.Status);
        Assert.Empty(staged.Targets);
        Assert.Empty(await store.GetUnfinishedSessionsAsync("ps1", "G1", "1040", default));

        await store.PublishStagedSessionAsync(id, "s.zip", ["DB1"], default);
        var published = (await store.QuerySessionsAsync(new SessionQuery { Ids = [id] }, default)).Single();
        Assert.Equal(SessionStatus.Available, published.Status);
        Assert.Equal(["DB1"], published.Targets.Select(t => t.ChannelDatabase));
        var again = await Assert.ThrowsAsync<AsyncServerException>(() => store.PublishStagedSessionAsync(id, "s.zip", ["DB1"], default));
        Assert.Equal(ErrorIds.SessionStateInvalid, again.ErrorId);
    }

    // ---- Schema 2: the channel side and session lifecycle ----

    [Fact]
    public async Task Pending_sessions_of_a_channel_database_come_in_session_order_and_leave_when_final()
    {
        var store = await NewStoreAsync("pending");
        var a = await AdvanceAsync(store, "G1", "1040", null, 9);
        var b = await AdvanceAsync(store, "G1", "1040", 9, 12);
        var pending = await store.GetPendingSessionsAsync("DB1", default);
        Assert.Equal([a, b], pending.Select(s => s.Id));
        Assert.All(pending, s => Assert.Contains(s.Targets, t => t.ChannelDatabase == "DB1" && t.Status == SessionStatus.Available && t.Tries == 0));
        Assert.Equal(1, await store.UpdateTargetsAsync(new TargetUpdate([SessionStatus.Available], SessionStatus.Applied, "done") { ChannelDatabase = "DB1", SessionId = a }, default));
        Assert.Equal([b], (await store.GetPendingSessionsAsync("DB1", default)).Select(s => s.Id));
        Assert.Equal([a, b], (await store.GetPendingSessionsAsync("DB2", default)).Select(s => s.Id));
        Assert.Empty(await store.GetPendingSessionsAsync("NOBODY", default));
    }

    [Fact]
    public async Task Target_updates_respect_the_from_statuses_the_selection_and_the_try_counter()
    {
        var store = await NewStoreAsync("targets");
        var a = await AdvanceAsync(store, "G1", "1040", null, 9);
        var b = await AdvanceAsync(store, "G1", "1040", 9, 12);
        var c = await AdvanceAsync(store, "G1", "1010", null, 12);
        // A transition from a status the target is not in changes nothing.
        Assert.Equal(0, await store.UpdateTargetsAsync(new TargetUpdate([SessionStatus.Requested], SessionStatus.Downloaded, null) { ChannelDatabase = "DB1", SessionId = a }, default));
        Assert.Equal(1, await store.UpdateTargetsAsync(new TargetUpdate([SessionStatus.Available], SessionStatus.ApplyFailed, "boom") { ChannelDatabase = "DB1", SessionId = a, Tries = TriesChange.Increment }, default));
        Assert.Equal(2, await store.UpdateTargetsAsync(new TargetUpdate([SessionStatus.Available], SessionStatus.Suspended, "blocked") { ChannelDatabase = "DB1", AfterSessionId = a }, default));
        var rows = await store.QuerySessionsAsync(new SessionQuery { Ids = [a, b, c] }, default);
        SessionTargetRecord At(long id, string db) => rows.Single(s => s.Id == id).Targets.Single(t => t.ChannelDatabase == db);
        Assert.Equal((SessionStatus.ApplyFailed, 1, "boom"), (At(a, "DB1").Status, At(a, "DB1").Tries, At(a, "DB1").Message));
        Assert.Equal(SessionStatus.Suspended, At(b, "DB1").Status);
        Assert.Equal(SessionStatus.Suspended, At(c, "DB1").Status);
        Assert.Equal(SessionStatus.Available, At(b, "DB2").Status);

        // Selection by job and data group, before a session: how a full sync supersedes older sessions.
        Assert.Equal(1, await store.UpdateTargetsAsync(new TargetUpdate([SessionStatus.Suspended], SessionStatus.Canceled, "superseded")
            { ChannelDatabase = "DB1", BeforeSessionId = c + 1, JobId = "1040", DataGroup = "G1" }, default));
        Assert.Equal(1, await store.UpdateTargetsAsync(new TargetUpdate([SessionStatus.ApplyFailed], SessionStatus.Available, "rerun") { SessionId = a, Tries = TriesChange.Reset }, default));
        rows = await store.QuerySessionsAsync(new SessionQuery { Ids = [a, b, c] }, default);
        Assert.Equal((SessionStatus.Available, 0), (At(a, "DB1").Status, At(a, "DB1").Tries));
        Assert.Equal(SessionStatus.Canceled, At(b, "DB1").Status);
        Assert.Equal(SessionStatus.Suspended, At(c, "DB1").Status);
    }

    [Fact]
    public async Task Every_status_change_writes_one_status_message()
    {
        var store = await NewStoreAsync("messages");
        var a = await AdvanceAsync(store, "G1", "1040", null, 9);
        var before = await store.GetUnmovedStatusMessagesAsync(1000, default);
        await store.UpdateTargetsAsync(new TargetUpdate([SessionStatus.Available], SessionStatus.Requested, "asked") { ChannelDatabase = "DB2", SessionId = a }, default);
        var after = await store.GetUnmovedStatusMessagesAsync(1000, default);
        var added = Assert.Single(after.Where(m => before.All(b => b.Id != m.Id)));
        Assert.Equal((a, "DB2", nameof(SessionStatus.Requested), "asked", "1040", "G1"), (added.SessionId, added.ChannelDatabase, added.Status, added.Message, added.JobId, added.DataGroup));
        Assert.Equal(after.Select(m => m.Id).Order(), after.Select(m => m.Id));

        await store.MarkStatusMessagesMovedAsync(after.Take(2).Select(m => m.Id).ToList(), default);
        await store.MarkStatusMessagesMovedAsync(after.Take(2).Select(m => m.Id).ToList(), default);
        Assert.Equal(after.Skip(2).Select(m => m.Id), (await store.GetUnmovedStatusMessagesAsync(1000, default)).Select(m => m.Id));
        Assert.Single(await store.GetUnmovedStatusMessagesAsync(1, default));
    }

    [Fact]
    public async Task A_canceled_started_session_cannot_be_recorded()
    {
        var store = await NewStoreAsync("cancelstarted");
        var resource = "download/ps1/G1/1040";
        await store.TryAcquireLeaseAsync(resource, "test:1", TimeSpan.FromMinutes(1), default);
        var id = await store.CreateStartedSessionAsync(Session(from: null), default);
        Assert.True(await store.UpdateSessionStatusAsync(id, [SessionStatus.Started], SessionStatus.Canceled, "operator", default));
        Assert.False(await store.UpdateSessionStatusAsync(id, [SessionStatus.Started], SessionStatus.Canceled, "again", default));
        var ex = await Assert.ThrowsAsync<AsyncServerException>(() => store.CompleteRunAsync(new RunCompletion("ps1", "G1", "1040", resource, "test:1", null, 9,
            [new CompletedPackage(id, 1, "x.zip", 1, new string('d', 64), false)], null, ["DB1"]), default));
        Assert.Equal(ErrorIds.SessionCanceled, ex.ErrorId);
        Assert.Null(await store.GetRowVersionAsync("ps1", "G1", "1040", default));
        var s = (await store.QuerySessionsAsync(new SessionQuery { Ids = [id] }, default)).Single();
        Assert.Equal(SessionStatus.Canceled, s.Status);
        Assert.Empty(s.Targets);
        Assert.Null(s.PackageFile);
    }

    [Fact]
    public async Task Channel_databases_join_a_job_with_their_first_target_and_stay_joined()
    {
        var store = await NewStoreAsync("seed");
        Assert.Equal(["DB1", "DB2"], await store.FindChannelDatabasesToSeedAsync("ps1", "G1", "1040", ["DB1", "DB2"], default));
        var a = await AdvanceAsync(store, "G1", "1040", null, 9);
        Assert.Equal(["DB3"], await store.FindChannelDatabasesToSeedAsync("ps1", "G1", "1040", ["DB1", "DB2", "DB3"], default));
        Assert.Equal(["DB1"], await store.FindChannelDatabasesToSeedAsync("ps1", "G1", "1010", ["DB1"], default));
        Assert.Equal(["DB1"], await store.FindChannelDatabasesToSeedAsync("ps1", "G2", "1040", ["DB1"], default));
        await store.UpdateTargetsAsync(new TargetUpdate(TargetStatuses.Pending, SessionStatus.Applied, null) { SessionId = a }, default);
        var purged = await store.PurgeAsync(DateTimeOffset.UtcNow.AddMinutes(1), whatIf: false, default);
        Assert.Contains(purged.Sessions, s => s.Id == a);
        Assert.Empty(await store.FindChannelDatabasesToSeedAsync("ps1", "G1", "1040", ["DB1", "DB2"], default));
    }

    [Fact]
    public async Task Purge_removes_only_finished_sessions_and_moved_messages_and_whatif_removes_nothing()
    {
        var store = await NewStoreAsync("purge");
        var a = await AdvanceAsync(store, "G1", "1040", null, 9);
        var b = await AdvanceAsync(store, "G1", "1040", 9, 12);
        var started = await store.CreateStartedSessionAsync(Session(from: 12, to: 13), default);
        await store.UpdateTargetsAsync(new TargetUpdate(TargetStatuses.Pending, SessionStatus.Applied, null) { SessionId = a, ChannelDatabase = "DB1" }, default);
        await store.UpdateTargetsAsync(new TargetUpdate(TargetStatuses.Pending, SessionStatus.Canceled, null) { SessionId = a, ChannelDatabase = "DB2" }, default);
        await store.UpdateTargetsAsync(new TargetUpdate(TargetStatuses.Pending, SessionStatus.Applied, null) { SessionId = b, ChannelDatabase = "DB1" }, default);
        var messages = await store.GetUnmovedStatusMessagesAsync(1000, default);
        await store.MarkStatusMessagesMovedAsync(messages.Where(m => m.SessionId == a).Select(m => m.Id).ToList(), default);
        var movedOfA = messages.Count(m => m.SessionId == a);

        var nothingYet = await store.PurgeAsync(DateTimeOffset.UtcNow.AddDays(-1), whatIf: false, default);
        Assert.Empty(nothingYet.Sessions);
        Assert.Equal(0, nothingYet.StatusMessages);

        var preview = await store.PurgeAsync(DateTimeOffset.UtcNow.AddMinutes(1), whatIf: true, default);
        Assert.Equal([a], preview.Sessions.Select(s => s.Id));
        Assert.Equal($"p{a}.zip", preview.Sessions.Single().PackageFile);
        Assert.Equal(movedOfA, preview.StatusMessages);
        Assert.Equal(3, (await store.QuerySessionsAsync(new SessionQuery(), default)).Count);

        var done = await store.PurgeAsync(DateTimeOffset.UtcNow.AddMinutes(1), whatIf: false, default);
        Assert.Equal([a], done.Sessions.Select(s => s.Id));
        Assert.Equal(movedOfA, done.StatusMessages);
        Assert.Equal([b, started], (await store.QuerySessionsAsync(new SessionQuery(), default)).Select(s => s.Id));
        Assert.DoesNotContain(await store.GetUnmovedStatusMessagesAsync(1000, default), m => m.SessionId == a);
        Assert.Equal(12, await store.GetRowVersionAsync("ps1", "G1", "1040", default));
    }

    [Fact]
    public async Task A_package_can_be_replaced_for_a_rerun()
    {
        var store = await NewStoreAsync("replace");
        var a = await AdvanceAsync(store, "G1", "1040", null, 9);
        await store.ReplacePackageAsync(new CompletedPackage(a, 42, "new.zip", 77, new string('e', 64), false), default);
        var s = (await store.QuerySessionsAsync(new SessionQuery { Ids = [a] }, default)).Single();
        Assert.Equal((42L, "new.zip", 77L, new string('e', 64)), (s.RowCount, s.PackageFile!, s.PackageSize!.Value, s.PackageSha256!));
        var ex = await Assert.ThrowsAsync<AsyncServerException>(() => store.ReplacePackageAsync(new CompletedPackage(a + 100, 1, "x.zip", 1, "x", false), default));
        Assert.Equal(ErrorIds.SessionNotFound, ex.ErrorId);
    }
}
