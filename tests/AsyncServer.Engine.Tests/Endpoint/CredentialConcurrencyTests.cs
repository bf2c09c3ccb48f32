using AsyncServer.Diagnostics;
using AsyncServer.Tests.Support;

namespace AsyncServer.Tests.Endpoint;

/// <summary>
/// "Two active credentials at most" holds when creations race: many New-AsyncChannelCredential calls at once for one
/// channel database (each its own connection and transaction) end with exactly two credentials and CredentialLimit for
/// the rest, on every provider (EndpointSql.LockCredentials). Without the lock, PostgreSQL's count let several through.
/// </summary>
public abstract class CredentialConcurrencyTestsBase
{
    protected abstract Task<ClientHarness> HarnessAsync();

    [Fact]
    public async Task Concurrent_creations_for_one_channel_database_leave_exactly_two_active_credentials()
    {
        await using var h = await HarnessAsync();
        const int Callers = 8;
        using var start = new Barrier(Callers);
        var calls = Enumerable.Range(0, Callers).Select(_ => Task.Run(async () =>
        {
            var store = h.Context.OpenEndpointStore();
            start.SignalAndWait(TimeSpan.FromMinutes(1));
            try
            {
                await store.CreateCredentialAsync("HOUSTON", null, CancellationToken.None);
                return "created";
            }
            catch (AsyncServerException ex) when (ex.ErrorId == ErrorIds.CredentialLimit)
            {
                return "limit";
            }
        })).ToList();

        var outcomes = await Task.WhenAll(calls);

        Assert.Equal(2, outcomes.Count(o => o == "created"));
        Assert.Equal(Callers - 2, outcomes.Count(o => o == "limit"));
        var stored = await h.Context.OpenEndpointStore().GetCredentialsAsync("HOUSTON", CancellationToken.None);
        Assert.Equal(2, stored.Count(c => c.RevokedAt is null));
        // Another channel database is not held up by HOUSTON's limit.
        await h.Context.OpenEndpointStore().CreateCredentialAsync("SEATTLE", null, CancellationToken.None);
    }
}

public sealed class SqliteCredentialConcurrencyTests : CredentialConcurrencyTestsBase
{
    protected override Task<ClientHarness> HarnessAsync() => ClientHarness.CreateAsync(products: 5);
}

[Collection(Contracts.PostgresCollection.Name)]
public sealed class PostgresCredentialConcurrencyTests(Contracts.PostgresFixture fixture) : CredentialConcurrencyTestsBase
{
    protected override Task<ClientHarness> HarnessAsync() => ClientHarness.CreateAsync(products: 5, postgres: fixture.Server);
}
