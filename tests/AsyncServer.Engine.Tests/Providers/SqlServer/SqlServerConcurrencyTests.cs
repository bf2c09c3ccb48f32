using AsyncServer.Diagnostics;
using AsyncServer.Messaging;
using AsyncServer.Tests.Support;

namespace AsyncServer.Tests.SqlServer;

/// <summary>
/// Many instances on one SQL Server message database (architecture rule 5): racing for a lease, exactly one wins;
/// racing to record the same run, exactly one records and the others fail with ConcurrentRun, changing nothing.
/// Each instance is its own store with its own connections, as separate processes would be.
/// </summary>
[RequiresEnvironment(SqlServerTestServer.Variable, SqlServerTestServer.SkipReason)]
public sealed class SqlServerConcurrencyTests(SqlServerFixture fixture) : IClassFixture<SqlServerFixture>
{
    private const int Instances = 8;

    [Fact]
    public async Task Instances_racing_for_a_lease_never_both_get_it()
    {
        var db = await fixture.CreateDatabaseAsync("leaserace");
        var stores = Enumerable.Range(0, Instances).Select(_ => ProviderFactory.CreateMessageStore(db)).ToList();
        await stores[0].InitializeAsync(default);
        for (var round = 0; round < 20; round++)
        {
            var resource = $"download/ps1/G{round}/1040";
            var results = await Task.WhenAll(stores.Select((s, i) => s.TryAcquireLeaseAsync(resource, $"instance:{i}", TimeSpan.FromMinutes(1), default)));
            var winner = Assert.Single(results, r => r.Acquired);
            Assert.All(results.Where(r => !r.Acquired), r => Assert.Equal(winner.Holder, r.Holder));
        }
    }

    [Fact]
    public async Task Instances_racing_to_record_the_same_run_record_it_once()
    {
        var db = await fixture.CreateDatabaseAsync("completerace");
        var stores = Enumerable.Range(0, Instances).Select(_ => ProviderFactory.CreateMessageStore(db)).ToList();
        await stores[0].InitializeAsync(default);
        const string resource = "download/ps1/G1/1040";
        Assert.True((await stores[0].TryAcquireLeaseAsync(resource, "owner:1", TimeSpan.FromMinutes(5), default)).Acquired);
        var ids = new List<long>();
        foreach (var store in stores)
            ids.Add(await store.CreateStartedSessionAsync(new NewSession("ps1", "1040", "G1", SessionKind.Full, false, null, null, 9, 1, "owner:1", []), default));

        // The same owner records eight runs that all expect no row version yet: only the first may move it.
        var attempts = stores.Select((s, i) => Record(s, ids[i])).ToList();
        var outcomes = await Task.WhenAll(attempts);
        Assert.Equal(1, outcomes.Count(o => o is null));
        Assert.All(outcomes.Where(o => o is not null), o => Assert.Equal(ErrorIds.ConcurrentRun, o));
        Assert.Equal(9, await stores[0].GetRowVersionAsync("ps1", "G1", "1040", default));
        var sessions = await stores[0].QuerySessionsAsync(new SessionQuery { Ids = ids }, default);
        Assert.Single(sessions, s => s.Status == SessionStatus.Available);
        Assert.Equal(Instances - 1, sessions.Count(s => s.Status == SessionStatus.Started && s.Targets.Count == 0));

        static async Task<string?> Record(IMessageStore store, long id)
        {
            try
            {
                await store.CompleteRunAsync(new RunCompletion("ps1", "G1", "1040", resource, "owner:1", null, 9,
                    [new CompletedPackage(id, 1, $"p{id}.zip", 1, new string('a', 64), false)], null, ["DB1"]), default);
                return null;
            }
            catch (AsyncServerException ex) { return ex.ErrorId; }
        }
    }
}
