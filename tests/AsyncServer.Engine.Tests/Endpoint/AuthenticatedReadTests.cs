using AsyncServer.Endpoint;
using AsyncServer.Tests.Support;

namespace AsyncServer.Tests.Endpoint;

/// <summary>
/// A store's poll reads its credentials and its pending sessions together (EndpointStore.AuthenticateAndReadAsync: one
/// batch on PostgreSQL, one connection on SQLite). The rows are exactly the listing's, and only for the right secret:
/// a wrong, revoked or expired one gets nothing, and records no contact.
/// </summary>
public abstract class AuthenticatedReadTestsBase
{
    protected abstract Task<ClientHarness> HarnessAsync();

    private static readonly ChannelContact Contact = new("test", "10.0.0.9");

    private sealed class Clock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public async Task The_right_secret_gets_the_pending_listing_and_no_other_does()
    {
        await using var h = await HarnessAsync();
        await h.DistributeAsync();
        var endpoint = h.Context.OpenEndpointStore();
        var secret = (await endpoint.CreateCredentialAsync("HOUSTON", null, CancellationToken.None)).Secret;
        var other = (await endpoint.CreateCredentialAsync("SEATTLE", null, CancellationToken.None)).Secret;
        await using var store = h.Context.OpenMessageStore();
        var expected = await store.GetPendingSessionsAsync("HOUSTON", CancellationToken.None);
        Assert.NotEmpty(expected);

        var rows = await endpoint.AuthenticateAndReadAsync("HOUSTON", secret, Contact, store.PendingSessionsRead("HOUSTON"), CancellationToken.None);

        Assert.NotNull(rows);
        Assert.Equal(expected.Select(s => (s.Id, s.PackageSha256, s.Targets.Single().Status)), rows.Select(s => (s.Id, s.PackageSha256, s.Targets.Single().Status)));
        Assert.Equal("10.0.0.9", (await endpoint.GetCredentialsAsync("HOUSTON", CancellationToken.None)).Single().LastRemoteAddress);
        // Another store's secret, a wrong one, and HOUSTON's own once revoked: nothing.
        Assert.Null(await endpoint.AuthenticateAndReadAsync("HOUSTON", other, Contact, store.PendingSessionsRead("HOUSTON"), CancellationToken.None));
        Assert.Null(await endpoint.AuthenticateAndReadAsync("HOUSTON", secret + "x", Contact, store.PendingSessionsRead("HOUSTON"), CancellationToken.None));
        await endpoint.RevokeCredentialsAsync("HOUSTON", null, CancellationToken.None);
        Assert.Null(await endpoint.AuthenticateAndReadAsync("HOUSTON", secret, Contact, store.PendingSessionsRead("HOUSTON"), CancellationToken.None));
    }

    [Fact]
    public async Task A_refused_secret_records_no_contact_and_an_expired_one_is_refused()
    {
        await using var h = await HarnessAsync();
        var clock = new Clock(DateTimeOffset.UtcNow);
        var endpoint = new EngineContext(h.Config, instanceId: "test:read", time: clock).OpenEndpointStore();
        var created = await endpoint.CreateCredentialAsync("HOUSTON", clock.Now.AddHours(1), CancellationToken.None);
        await using var store = h.Context.OpenMessageStore();

        Assert.Null(await endpoint.AuthenticateAndReadAsync("HOUSTON", "asc_wrong", Contact, store.PendingSessionsRead("HOUSTON"), CancellationToken.None));
        Assert.Null((await endpoint.GetCredentialsAsync("HOUSTON", CancellationToken.None)).Single().LastContactAt);
        // No sessions yet: the right secret gets an empty listing, not a refusal.
        Assert.Empty((await endpoint.AuthenticateAndReadAsync("HOUSTON", created.Secret, Contact, store.PendingSessionsRead("HOUSTON"), CancellationToken.None))!);

        clock.Now = clock.Now.AddHours(2);
        Assert.Null(await endpoint.AuthenticateAndReadAsync("HOUSTON", created.Secret, Contact, store.PendingSessionsRead("HOUSTON"), CancellationToken.None));
    }
}

public sealed class SqliteAuthenticatedReadTests : AuthenticatedReadTestsBase
{
    protected override Task<ClientHarness> HarnessAsync() => ClientHarness.CreateAsync(products: 5);
}

[Collection(Contracts.PostgresCollection.Name)]
public sealed class PostgresAuthenticatedReadTests(Contracts.PostgresFixture fixture) : AuthenticatedReadTestsBase
{
    protected override Task<ClientHarness> HarnessAsync() => ClientHarness.CreateAsync(products: 5, postgres: fixture.Server);
}
