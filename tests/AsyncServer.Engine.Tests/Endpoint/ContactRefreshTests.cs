using AsyncServer.Endpoint;
using AsyncServer.Tests.Support;

namespace AsyncServer.Tests.Endpoint;

/// <summary>
/// The last contact and last use are written at most every EndpointStore.ContactRefresh per channel database (so a poll
/// storm costs reads, not write transactions), and always for the first contact and once the recorded one is older.
/// </summary>
public sealed class ContactRefreshTests
{
    private sealed class Clock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public async Task A_contact_within_the_refresh_interval_is_not_written_again_and_a_later_one_is()
    {
        await using var h = await ClientHarness.CreateAsync(products: 5);
        var clock = new Clock(new DateTimeOffset(2026, 1, 5, 8, 0, 0, TimeSpan.Zero));
        var context = new EngineContext(h.Config, instanceId: "test:contact", time: clock);
        var store = context.OpenEndpointStore();
        var secret = (await store.CreateCredentialAsync("HOUSTON", null, CancellationToken.None)).Secret;
        async Task<ChannelCredentialInfo> InfoAsync() => (await store.GetCredentialsAsync("HOUSTON", CancellationToken.None)).Single();

        Assert.NotNull(await store.AuthenticateAsync("HOUSTON", secret, new ChannelContact("v1", "10.0.0.1"), CancellationToken.None));
        var first = await InfoAsync();
        Assert.Equal(clock.Now, first.LastContactAt);
        Assert.Equal(clock.Now, first.LastUsedAt);

        clock.Now += EndpointStore.ContactRefresh - TimeSpan.FromSeconds(1);
        Assert.NotNull(await store.AuthenticateAsync("HOUSTON", secret, new ChannelContact("v2", "10.0.0.2"), CancellationToken.None));
        var within = await InfoAsync();
        Assert.Equal(first.LastContactAt, within.LastContactAt);
        Assert.Equal("10.0.0.1", within.LastRemoteAddress);

        clock.Now += TimeSpan.FromSeconds(2);
        Assert.NotNull(await store.AuthenticateAsync("HOUSTON", secret, new ChannelContact("v3", "10.0.0.3"), CancellationToken.None));
        var later = await InfoAsync();
        Assert.Equal(clock.Now, later.LastContactAt);
        Assert.Equal(clock.Now, later.LastUsedAt);
        Assert.Equal("10.0.0.3", later.LastRemoteAddress);
        Assert.Equal("v3", later.LastClientVersion);
        // A wrong secret records nothing.
        Assert.Null(await store.AuthenticateAsync("HOUSTON", "asc_wrong", new ChannelContact("v4", "10.0.0.4"), CancellationToken.None));
    }
}
