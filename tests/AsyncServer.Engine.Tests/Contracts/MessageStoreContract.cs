using AsyncServer.Diagnostics;
using AsyncServer.Messaging;
using AsyncServer.Providers;

namespace AsyncServer.Tests.Contracts;

/// <summary>The behaviour every message store must have, whatever the provider.</summary>
public abstract class MessageStoreContract
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
}

public sealed class SqliteMessageStoreContractTests : MessageStoreContract, IClassFixture<SqliteFixture>
{
    public SqliteMessageStoreContractTests(SqliteFixture fixture) => Fixture = fixture;
    protected override IProviderFixture Fixture { get; }
}
