using AsyncServer.Data;
using AsyncServer.Tests.Contracts;
using AsyncServer.Tests.Support;
using Xunit.Abstractions;

namespace AsyncServer.Tests.Upload;

/// <summary>
/// Issue 15, the seeded property (<see cref="UploadPropertyRun"/>): four stores sell concurrently while their uploads and HQ's
/// applies run; packages arrive out of order, acknowledgements are lost, sends and applies are SIGKILLed at seeded points in
/// a child process, and one store is restored from a backup mid-run. At the end HQ holds every transaction of every other
/// store exactly once with all its lines and its payment, and the restored store's rows at HQ are untouched. All SQLite here.
/// </summary>
public sealed class UploadPropertyTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1501)]
    [InlineData(1502)]
    public async Task Concurrent_sales_uploads_and_applies_leave_every_transaction_at_HQ_exactly_once(int seed)
    {
        await using var h = await ClientHarness.CreateAsync(products: 5, configure: UploadPropertyRun.Configure);
        await new UploadPropertyRun(h, seed, output).RunAsync();
    }
}

/// <summary>
/// The same property on PostgreSQL: HQ and the message database on PostgreSQL, two stores on PostgreSQL channel databases
/// and two on SQLite files (a mixed estate); the store restored from a backup is a PostgreSQL one with one seed (its identities
/// restarted) and a SQLite one with the other.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresUploadPropertyTests(PostgresFixture fixture, ITestOutputHelper output)
{
    [Theory]
    [InlineData(1601, "SEATTLE")]
    [InlineData(1602, "CHICAGO")]
    public async Task Concurrent_sales_uploads_and_applies_on_a_postgresql_HQ_leave_every_transaction_there_exactly_once(int seed, string restore)
    {
        await using var h = await ClientHarness.CreateAsync(products: 5, postgres: fixture.Server, postgresHq: true, configure: c =>
        {
            UploadPropertyRun.Configure(c);
            foreach (var db in c.DataGroups.SelectMany(g => g.ChannelDatabases).Where(d => d.Id is "HOUSTON" or "CHICAGO"))
                db.Connection = new ConnectionSettings { Provider = "sqlite", ConnectionString = $"Data Source=channels/{db.Id}.db" };
        });
        await new UploadPropertyRun(h, seed, output, restore).RunAsync();
    }
}
