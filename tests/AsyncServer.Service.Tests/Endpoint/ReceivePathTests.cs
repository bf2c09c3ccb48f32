using System.Net;
using System.Text;
using System.Text.Json;
using AsyncServer.Client;
using AsyncServer.Data;
using AsyncServer.Distribution;
using AsyncServer.Endpoint;
using AsyncServer.Messaging;
using AsyncServer.Samples;

namespace AsyncServer.Service.Tests.Endpoint;

/// <summary>
/// The one receive flow (PackageReceiver) over both transports: the direct one (message database and download folder)
/// and the endpoint (the real service process over HTTPS). What the planner decides must happen the same way on both.
/// </summary>
public abstract class ReceivePathTestsBase
{
    protected abstract Task<string?> MessageDatabaseAsync(string hint);

    /// <summary>Receives for <paramref name="store"/> into its own SQLite channel database, directly or over the endpoint.</summary>
    internal static async Task<IReadOnlyList<DownloadSession>> ReceiveAsync(EndpointSetup setup, string store, bool overEndpoint)
    {
        var channel = $"Data Source={Path.Combine(setup.Folder, "stores", store + ".db")}";
        var local = Path.Combine(setup.Folder, "stores", store + "-in");
        Directory.CreateDirectory(Path.Combine(setup.Folder, "stores"));
        if (!overEndpoint)
            return await new PackageReceiver(setup.Context()).RunAsync(
                new ReceiveRequest(store) { ChannelConnectionString = channel, LocalFolder = local }, null, CancellationToken.None);
        var request = new RemoteReceiveRequest(setup.BaseAddress, store, setup.Secrets[store], ResolvedConnection.FromString(DatabaseProvider.Sqlite, channel), local)
        {
            ClientOptions = new EndpointClientOptions { CertificateThumbprint = setup.Certificate.Thumbprint, FirstRetryDelay = TimeSpan.FromMilliseconds(10) },
        };
        await using var transport = new EndpointReceiveTransport(request);
        return await new PackageReceiver(log: null).RunAsync(transport, 0, null, CancellationToken.None);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_full_sync_with_delete_existing_supersedes_the_older_pending_sessions_on_either_path(bool overEndpoint)
    {
        await using var setup = await EndpointSetup.CreateAsync("supersede", await MessageDatabaseAsync("supersede" + overEndpoint));
        var jobs = new List<string> { "1020", "1070" };
        for (var round = 1; round <= 2; round++)
        {
            await SampleData.ChangeAsync(setup.HqFile, seed: round, inserts: 2, updates: 5, deletes: 2);
            await new DistributionRunner(setup.Context()).RunAsync(new DistributionRequest { Jobs = jobs }, null, CancellationToken.None);
        }
        var older = await PendingAsync(setup, "HOUSTON");
        Assert.True(older.Count > 2);
        var full = await new DistributionRunner(setup.Context()).RunAsync(
            new DistributionRequest { Jobs = jobs, FullSync = true, DeleteExistingData = true, ChannelDatabases = ["HOUSTON"] }, null, CancellationToken.None);
        Assert.NotEmpty(full);

        var received = await ReceiveAsync(setup, "HOUSTON", overEndpoint);

        foreach (var s in older)
        {
            Assert.Equal(SessionStatus.Canceled, await setup.TargetStatusAsync(s.Id, "HOUSTON"));
            Assert.Equal(SessionStatus.Canceled, received.Single(r => r.Id == s.Id).Status);
            Assert.Contains("Skipped", await TargetMessageAsync(setup, s.Id, "HOUSTON"));
        }
        foreach (var s in full) Assert.Equal(SessionStatus.Applied, await setup.TargetStatusAsync(s.Id, "HOUSTON"));
        // SEATTLE, in the same group, still has its sessions to replay.
        Assert.Equal(older.Select(s => s.Id), (await PendingAsync(setup, "SEATTLE")).Select(s => s.Id));
    }

    [Fact]
    public async Task The_endpoint_refuses_to_skip_a_session_its_own_planner_would_apply()
    {
        await using var setup = await EndpointSetup.CreateAsync("skiprefused", await MessageDatabaseAsync("skiprefused"));
        using var houston = setup.Client("HOUSTON");
        var id = setup.SessionsOf("HOUSTON")[0].Id;
        var messages = await setup.StatusMessageCountAsync();
        StringContent Body(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.OK, (await houston.PostAsync("/api/v1/lease", Body(new { clientId = "till-1" }))).StatusCode);

        var response = await houston.PostAsync($"/api/v1/sessions/{id}/reports", Body(new { stage = "Skipped", clientId = "till-1", message = "not needed" }));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("Skip refused", await response.Content.ReadAsStringAsync());
        Assert.Equal(SessionStatus.Available, await setup.TargetStatusAsync(id, "HOUSTON"));
        Assert.Equal(messages, await setup.StatusMessageCountAsync());
    }

    private static async Task<IReadOnlyList<DownloadSessionRecord>> PendingAsync(EndpointSetup setup, string store)
    {
        await using var messages = setup.Context().OpenMessageStore();
        return await messages.GetPendingSessionsAsync(store, CancellationToken.None);
    }

    private static async Task<string?> TargetMessageAsync(EndpointSetup setup, long id, string store)
    {
        await using var messages = setup.Context().OpenMessageStore();
        var s = (await messages.QuerySessionsAsync(new SessionQuery { Ids = [id], IncludeNoData = true }, CancellationToken.None)).Single();
        return s.Targets.Single(t => string.Equals(t.ChannelDatabase, store, StringComparison.OrdinalIgnoreCase)).Message;
    }
}

public sealed class SqliteReceivePathTests : ReceivePathTestsBase
{
    protected override Task<string?> MessageDatabaseAsync(string hint) => Task.FromResult<string?>(null);
}

[Collection(EndpointPostgresCollection.Name)]
public sealed class PostgresReceivePathTests(EndpointPostgres postgres) : ReceivePathTestsBase
{
    protected override async Task<string?> MessageDatabaseAsync(string hint) => await postgres.Server.CreateDatabaseAsync("rp" + hint.ToLowerInvariant());
}
