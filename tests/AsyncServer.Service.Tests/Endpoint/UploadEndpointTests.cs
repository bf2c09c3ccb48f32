using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AsyncServer.Data;
using AsyncServer.Diagnostics;
using AsyncServer.Endpoint;
using AsyncServer.Messaging;
using AsyncServer.Samples;
using AsyncServer.Upload;

namespace AsyncServer.Service.Tests.Endpoint;

/// <summary>
/// Issue 15 over the endpoint: stores send their sales through /api/v1/uploads with their own secret (the real service process,
/// a real HttpClient, real SQLite stores), HQ applies what arrived. Message database on SQLite or PostgreSQL.
/// </summary>
public abstract class UploadEndpointTestsBase
{
    protected abstract Task<string?> MessageDatabaseAsync(string hint);

    private async Task<EndpointSetup> SetupAsync(string hint) => await EndpointSetup.CreateAsync(hint, await MessageDatabaseAsync(hint));

    private static async Task SellAsync(EndpointSetup setup, string store, int count, int seed = 1)
    {
        var (_, db) = setup.Configuration.FindChannelDatabase(store)!.Value;
        var connection = ResolvedConnection.Resolve(db.Connection, "test", setup.Configuration.BaseDirectory, null);
        await SampleSales.CreateTablesAsync(connection, channel: true, default);
        await SampleSales.SellAsync(connection, store, db.Parameters["DataAreaId"], count, seed, default);
    }

    private static RemoteUploadRequest Request(EndpointSetup setup, string store, HttpMessageHandler? handler = null)
    {
        var (_, db) = setup.Configuration.FindChannelDatabase(store)!.Value;
        // The sample's SQLite paths are relative to HQ's configuration; the store has none, so it names its file in full.
        var file = Path.Combine(setup.Configuration.BaseDirectory, db.Connection!.ConnectionString!["Data Source=".Length..]);
        var connection = new ConnectionSettings { Provider = "sqlite", ConnectionString = "Data Source=" + file };
        return new RemoteUploadRequest(setup.BaseAddress, store, setup.Secrets[store], connection)
        {
            ClientId = "till-" + store,
            ClientOptions = new EndpointClientOptions { CertificateThumbprint = setup.Certificate.Thumbprint, FirstRetryDelay = TimeSpan.FromMilliseconds(50) },
            Handler = handler,
        };
    }

    private static async Task<UploadRunResult> SendAsync(EndpointSetup setup, string store, HttpMessageHandler? handler = null)
        => Assert.Single(await RemoteUploadSender.SendAsync(Request(setup, store, handler), null, null, default));

    private static async Task<UploadSessionRecord> UploadAsync(EndpointSetup setup, long id)
    {
        await using var store = setup.Context().OpenMessageStore();
        return (await store.QueryUploadsAsync(new UploadQuery(Id: id), default)).Single();
    }

    private static async Task<long> HqSalesAsync(EndpointSetup setup, string store)
    {
        await using var conn = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={setup.HqFile}");
        await conn.OpenAsync();
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = $"SELECT COUNT(*) FROM {SampleSales.Header} WHERE STORE = '{store}'";
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }

    private static HttpRequestMessage Put(long id, byte[] body, string sha, string? range = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/uploads/{id}/package") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        if (range is not null) request.Content.Headers.TryAddWithoutValidation("Content-Range", range);
        request.Headers.Add(EndpointClient.PackageSha256Header, sha);
        return request;
    }

    private static string Sha(byte[] bytes) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes));

    private static StringContent Json(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

    [Fact]
    public async Task A_store_sends_over_https_HQ_applies_once_and_a_repeat_changes_nothing()
    {
        await using var setup = await SetupAsync("upsend");
        await SellAsync(setup, "HOUSTON", 6);
        var sent = await SendAsync(setup, "HOUSTON");
        Assert.Equal(UploadStatus.Uploaded, sent.Status);
        var record = await UploadAsync(setup, sent.SessionId!.Value);
        Assert.Equal(UploadStatus.Uploaded, record.Status);
        var file = Path.Combine(setup.Configuration.UploadFolder, record.PackageFile!);
        Assert.True(File.Exists(file));
        Assert.Empty(Directory.GetFiles(setup.Configuration.UploadFolder, "*.partial"));

        // Duplicate delivery (the store resends after a lost answer): 200, the same session, nothing changed.
        using var houston = setup.Client("HOUSTON");
        var bytes = await File.ReadAllBytesAsync(file);
        var again = await houston.SendAsync(Put(record.Id, bytes, record.PackageSha256!));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(UploadStatus.Uploaded, (await UploadAsync(setup, record.Id)).Status);

        // HQ applies it (the upload schedule's work); a second send has nothing new, its cursor learned over HTTPS.
        var applied = Assert.Single(await new UploadApplier(setup.Context()).ApplyAsync(null, null, plan: false, default));
        Assert.True(applied.Status == UploadStatus.Applied, applied.Message);
        Assert.Equal(6, await HqSalesAsync(setup, "HOUSTON"));
        Assert.Null((await SendAsync(setup, "HOUSTON")).SessionId);
        await SellAsync(setup, "HOUSTON", 2, seed: 2);
        Assert.Equal(2, (await SendAsync(setup, "HOUSTON")).Tables.Single(t => t.Subjob == SampleSales.Header).Rows);
        await new UploadApplier(setup.Context()).ApplyAsync(null, null, plan: false, default);
        Assert.Equal(8, await HqSalesAsync(setup, "HOUSTON"));
    }

    [Fact]
    public async Task A_store_can_neither_see_nor_write_another_stores_upload_sessions()
    {
        await using var setup = await SetupAsync("upauthz");
        await SellAsync(setup, "HOUSTON", 3);
        var sent = await SendAsync(setup, "HOUSTON");
        var record = await UploadAsync(setup, sent.SessionId!.Value);
        var bytes = await File.ReadAllBytesAsync(Path.Combine(setup.Configuration.UploadFolder, record.PackageFile!));
        using var chicago = setup.Client("CHICAGO");

        static string WithoutTrace(string problem) => System.Text.RegularExpressions.Regex.Replace(problem, "\"traceId\":\"[^\"]*\"", "");
        var foreign = await chicago.GetAsync($"/api/v1/uploads/{record.Id}");
        var missing = await chicago.GetAsync($"/api/v1/uploads/{UploadSession.FirstId + 999_999}");
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var foreignText = await foreign.Content.ReadAsStringAsync();
        Assert.Equal(WithoutTrace((await missing.Content.ReadAsStringAsync()).Replace((UploadSession.FirstId + 999_999).ToString(), record.Id.ToString())),
            WithoutTrace(foreignText));
        Assert.DoesNotContain("HOUSTON", foreignText, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.NotFound, (await chicago.SendAsync(Put(record.Id, bytes, record.PackageSha256!))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound,
            (await chicago.PostAsync($"/api/v1/uploads/{record.Id}/failure", Json(new { clientId = "x", message = "forged" }))).StatusCode);
        // CHICAGO's cursors are its own (nothing acknowledged), whatever HOUSTON sent.
        var cursors = JsonDocument.Parse(await chicago.GetStringAsync($"/api/v1/uploads/cursors?job={SampleSales.JobId}")).RootElement;
        Assert.All(cursors.GetProperty("counters").EnumerateObject(), c => Assert.Equal(0, c.Value.GetInt64()));
        Assert.Equal(UploadStatus.Uploaded, (await UploadAsync(setup, record.Id)).Status);
        Assert.Equal(record, await UploadAsync(setup, record.Id) with { Tables = record.Tables });
        // Without credentials: 401.
        using var anonymous = setup.Client();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/api/v1/uploads/{record.Id}")).StatusCode);
    }

    [Fact]
    public async Task An_upload_cut_mid_body_resumes_where_the_server_copy_stops()
    {
        await using var setup = await SetupAsync("upresume");
        await SellAsync(setup, "SEATTLE", 400);
        var cutter = new CuttingHandler(setup.Certificate.Thumbprint);
        var sent = await SendAsync(setup, "SEATTLE", cutter);
        Assert.Equal(UploadStatus.Uploaded, sent.Status);
        Assert.True(cutter.Cuts == 1, "the first PUT was cut");
        Assert.Contains(cutter.PutOffsets, o => o > 0);
        var record = await UploadAsync(setup, sent.SessionId!.Value);
        var file = Path.Combine(setup.Configuration.UploadFolder, record.PackageFile!);
        Assert.Equal(record.PackageSha256, Sha(await File.ReadAllBytesAsync(file)), StringComparer.OrdinalIgnoreCase);
        var applied = Assert.Single(await new UploadApplier(setup.Context()).ApplyAsync(null, null, plan: false, default));
        Assert.True(applied.Status == UploadStatus.Applied, applied.Message);
        Assert.Equal(400, await HqSalesAsync(setup, "SEATTLE"));
    }

    [Fact]
    public async Task A_forged_damaged_or_oversized_package_is_refused_and_nothing_reaches_the_upload_folder()
    {
        await using var setup = await SetupAsync("upforge");
        await SellAsync(setup, "HOUSTON", 3);
        var real = await UploadAsync(setup, (await SendAsync(setup, "HOUSTON")).SessionId!.Value);
        var realBytes = await File.ReadAllBytesAsync(Path.Combine(setup.Configuration.UploadFolder, real.PackageFile!));
        await SellAsync(setup, "HOUSTON", 2, seed: 5);
        using var houston = setup.Client("HOUSTON");
        Assert.Equal(HttpStatusCode.OK, (await houston.PostAsync("/api/v1/uploads/lease", Json(new { clientId = "forger" }))).StatusCode);
        var start = await houston.PostAsync("/api/v1/uploads", Json(new
        {
            clientId = "forger", jobId = SampleSales.JobId,
            tables = real.Tables.Select(t => new { subjob = t.Subjob, fromCounter = t.ToCounter, toCounter = t.ToCounter + 10, rowCount = 2 }),
        }));
        Assert.Equal(HttpStatusCode.Created, start.StatusCode);
        var id = JsonDocument.Parse(await start.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt64();
        var before = Directory.GetFiles(setup.Configuration.UploadFolder).Length;

        // Damaged in transit (bytes that do not hash to the declared SHA-256): 422, the copy dropped, the session still Started.
        var damaged = await houston.SendAsync(Put(id, realBytes, new string('a', 64)));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, damaged.StatusCode);
        Assert.Equal(UploadStatus.Started, (await UploadAsync(setup, id)).Status);
        // Too large for endpoint.maxUploadBytes: 413 before anything is read.
        var huge = await houston.SendAsync(Put(id, new byte[10], Sha(new byte[10]), "bytes 1999999999990-1999999999999/2000000000000"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
        // Forged: a real package of another session, its checksum recomputed to match: 422 naming the cause, the session UploadFailed.
        var forged = await houston.SendAsync(Put(id, realBytes, Sha(realBytes)));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, forged.StatusCode);
        Assert.Contains("manifest", await forged.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        var refused = await UploadAsync(setup, id);
        Assert.Equal(UploadStatus.UploadFailed, refused.Status);
        Assert.Null(refused.PackageFile);
        Assert.Equal(before, Directory.GetFiles(setup.Configuration.UploadFolder).Length);
        Assert.Empty(Directory.GetFiles(setup.Configuration.UploadFolder, "*.partial"));
        // The store's next run sends those rows again, and HQ ends with every sale once.
        Assert.Equal(HttpStatusCode.NoContent, (await houston.PostAsync("/api/v1/uploads/lease/release", Json(new { clientId = "forger" }))).StatusCode);
        Assert.Equal(UploadStatus.Uploaded, (await SendAsync(setup, "HOUSTON")).Status);
        await new UploadApplier(setup.Context()).ApplyAsync(null, null, plan: false, default);
        Assert.Equal(5, await HqSalesAsync(setup, "HOUSTON"));
    }

    [Fact]
    public async Task A_send_whose_upload_lease_is_taken_over_stops_with_the_lost_lease_error_and_records_nothing_more()
    {
        await using var setup = await SetupAsync("uplost");
        await SellAsync(setup, "HOUSTON", 3);
        var pausing = new PausingHandler(setup.Certificate.Thumbprint);
        var request = Request(setup, "HOUSTON", pausing);
        request = request with { ClientOptions = request.ClientOptions with { LeaseRenewal = TimeSpan.FromMilliseconds(200) } };
        var send = RemoteUploadSender.SendAsync(request, null, null, default);
        await pausing.Reached.WaitAsync(TimeSpan.FromSeconds(60));

        // Held while the package waits (renewed every 200 ms): another sender is refused.
        using var houston = setup.Client("HOUSTON");
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Conflict, (await houston.PostAsync("/api/v1/uploads/lease", Json(new { clientId = "intruder" }))).StatusCode);
            await Task.Delay(200);
        }
        // Taken over: the sender's lease row given up under it, the intruder's claim taken; the sender's next renewal is refused.
        // A renewal is a claim, so the sender may win the moment between the release and the intruder's claim: both are
        // repeated until the intruder holds it (at most ten times; a renewal comes every 200 ms).
        var taken = false;
        for (var attempt = 0; attempt < 10 && !taken; attempt++)
        {
            await using (var store = setup.Context().OpenMessageStore())
                await store.ReleaseLeaseAsync(UploadLease.Resource(setup.Configuration.Partition, "HOUSTON"), "endpoint:HOUSTON:till-HOUSTON", default);
            taken = (await houston.PostAsync("/api/v1/uploads/lease", Json(new { clientId = "intruder" }))).StatusCode == HttpStatusCode.OK;
        }
        Assert.True(taken, "the intruder never took the released lease");

        var ex = await Assert.ThrowsAsync<AsyncServerException>(() => send.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(ErrorIds.WorkClaimedElsewhere, ex.ErrorId);
        await using (var store = setup.Context().OpenMessageStore())
        {
            var session = Assert.Single(await store.QueryUploadsAsync(new UploadQuery(), default));
            Assert.Equal(UploadStatus.Started, session.Status); // no package, no failure reported by a sender that lost its lease
            Assert.Null(session.PackageFile);
        }
        Assert.Empty(Directory.GetFiles(setup.Configuration.UploadFolder, "*.zip"));

        // The intruder gives it back; the store's next run sweeps the stopped session and sends the rows again.
        Assert.Equal(HttpStatusCode.NoContent, (await houston.PostAsync("/api/v1/uploads/lease/release", Json(new { clientId = "intruder" }))).StatusCode);
        Assert.Equal(UploadStatus.Uploaded, (await SendAsync(setup, "HOUSTON")).Status);
        await new UploadApplier(setup.Context()).ApplyAsync(null, null, plan: false, default);
        Assert.Equal(3, await HqSalesAsync(setup, "HOUSTON"));
    }

    /// <summary>A real socket handler that holds the first package PUT until its request is canceled (the sender's lease token).</summary>
    private sealed class PausingHandler : DelegatingHandler
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public PausingHandler(string thumbprint)
        {
            var inner = new SocketsHttpHandler();
            inner.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && string.Equals(
                new System.Security.Cryptography.X509Certificates.X509Certificate2(cert).Thumbprint, thumbprint, StringComparison.OrdinalIgnoreCase);
            InnerHandler = inner;
        }

        public Task Reached => _reached.Task;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Put && _reached.TrySetResult()) await Task.Delay(Timeout.Infinite, cancellationToken);
            return await base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>A real socket handler whose first package PUT sends part of the body, then fails the stream: the connection is cut.</summary>
    private sealed class CuttingHandler : DelegatingHandler
    {
        public CuttingHandler(string thumbprint)
        {
            var inner = new SocketsHttpHandler();
            inner.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && string.Equals(
                new System.Security.Cryptography.X509Certificates.X509Certificate2(cert).Thumbprint, thumbprint, StringComparison.OrdinalIgnoreCase);
            InnerHandler = inner;
        }

        public int Cuts { get; private set; }
        public List<long> PutOffsets { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Put && request.Content is { } content)
            {
                PutOffsets.Add(content.Headers.ContentRange?.From ?? 0);
                if (Cuts == 0)
                {
                    Cuts++;
                    var whole = await content.ReadAsByteArrayAsync(cancellationToken);
                    var cut = new StreamContent(new FailingStream(whole, whole.Length / 2));
                    foreach (var h in content.Headers) cut.Headers.TryAddWithoutValidation(h.Key, h.Value);
                    request.Content = cut;
                }
            }
            return await base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>Gives <c>cutAfter</c> bytes, then throws as a broken connection would.</summary>
    private sealed class FailingStream(byte[] bytes, int cutAfter) : MemoryStream(bytes, 0, bytes.Length, writable: false)
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Position >= cutAfter)
            {
                await Task.Delay(200, cancellationToken);
                throw new IOException("connection cut by the test");
            }
            return await base.ReadAsync(buffer[..(int)Math.Min(buffer.Length, cutAfter - Position)], cancellationToken);
        }

        public override int Read(byte[] buffer, int offset, int count) => Position >= cutAfter
            ? throw new IOException("connection cut by the test")
            : base.Read(buffer, offset, (int)Math.Min(count, cutAfter - Position));
    }
}

public sealed class SqliteUploadEndpointTests : UploadEndpointTestsBase
{
    protected override Task<string?> MessageDatabaseAsync(string hint) => Task.FromResult<string?>(null);
}

[Collection(EndpointPostgresCollection.Name)]
public sealed class PostgresUploadEndpointTests(EndpointPostgres postgres) : UploadEndpointTestsBase
{
    protected override async Task<string?> MessageDatabaseAsync(string hint) => await postgres.Server.CreateDatabaseAsync("ep" + hint);
}
