using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AsyncServer.Messaging;

namespace AsyncServer.Service.Tests.Endpoint;

/// <summary>
/// The endpoint as a store sees it: the real service process (Kestrel on 127.0.0.1, a test-made certificate), a real
/// HttpClient, the message database on SQLite (this class) or PostgreSQL (<see cref="PostgresEndpointTests"/>).
/// </summary>
public abstract class EndpointTestsBase
{
    /// <summary>A fresh PostgreSQL database, or null for SQLite.</summary>
    protected abstract Task<string?> MessageDatabaseAsync(string hint);

    protected async Task<EndpointSetup> SetupAsync(string hint, Dictionary<string, object>? endpointSettings = null)
        => await EndpointSetup.CreateAsync(hint, await MessageDatabaseAsync(hint), endpointSettings);

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) => JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private static StringContent Body(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

    private static async Task<HttpResponseMessage> ReportAsync(HttpClient client, long id, string stage, string clientId = "till-1", string? message = null)
        => await client.PostAsync($"/api/v1/sessions/{id}/reports", Body(new { stage, clientId, message }));

    private static async Task LeaseAsync(HttpClient client, string clientId = "till-1")
    {
        var response = await client.PostAsync("/api/v1/lease", Body(new { clientId }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_store_sees_lists_downloads_and_reports_only_its_own_sessions()
    {
        await using var setup = await SetupAsync("authz");
        using var houston = setup.Client("HOUSTON");
        using var chicago = setup.Client("CHICAGO");

        // Listing: exactly the store's sessions, in order, with size and SHA-256.
        var list = await JsonAsync(await houston.GetAsync("/api/v1/sessions"));
        var expected = setup.SessionsOf("HOUSTON");
        Assert.NotEmpty(expected);
        Assert.Equal("HOUSTON", list.GetProperty("channelDatabase").GetString());
        var listed = list.GetProperty("sessions").EnumerateArray().ToList();
        Assert.Equal(expected.Select(s => s.Id), listed.Select(s => s.GetProperty("id").GetInt64()));
        Assert.Equal(expected.Select(s => s.PackageSha256), listed.Select(s => s.GetProperty("packageSha256").GetString()));
        Assert.Equal(expected.Select(s => s.PackageSize), listed.Select(s => (long?)s.GetProperty("packageSize").GetInt64()));
        Assert.All(listed, s => Assert.Equal("Available", s.GetProperty("status").GetString()));

        // Download of its own package: the bytes of the file, ETag = SHA-256.
        var own = expected[0];
        var response = await houston.GetAsync($"/api/v1/sessions/{own.Id}/package");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(own.PackageSize, bytes.Length);
        Assert.Equal(own.PackageSha256, Convert.ToHexString(SHA256.HashData(bytes)), StringComparer.OrdinalIgnoreCase);
        Assert.Equal($"\"{own.PackageSha256}\"", response.Headers.ETag?.Tag);

        // CHICAGO (another data group) cannot list, download or report HOUSTON's sessions: 404 that says nothing about them,
        // the same answer as for a session that does not exist at all.
        var chicagoList = await JsonAsync(await chicago.GetAsync("/api/v1/sessions"));
        Assert.DoesNotContain(chicagoList.GetProperty("sessions").EnumerateArray(), s => s.GetProperty("id").GetInt64() == own.Id);
        var foreign = await chicago.GetAsync($"/api/v1/sessions/{own.Id}/package");
        var missing = await chicago.GetAsync("/api/v1/sessions/999999/package");
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var foreignText = await foreign.Content.ReadAsStringAsync();
        // Equal but for the request's trace id, which differs per request.
        static string WithoutTrace(string problem) => System.Text.RegularExpressions.Regex.Replace(problem, "\"traceId\":\"[^\"]*\"", "");
        Assert.Equal(WithoutTrace((await missing.Content.ReadAsStringAsync()).Replace("999999", own.Id.ToString())), WithoutTrace(foreignText));
        Assert.DoesNotContain("HOUSTON", foreignText, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(own.PackageFile!, foreignText);
        await LeaseAsync(chicago);
        var foreignReport = await ReportAsync(chicago, own.Id, "Requested");
        Assert.Equal(HttpStatusCode.NotFound, foreignReport.StatusCode);
        Assert.Equal(SessionStatus.Available, await setup.TargetStatusAsync(own.Id, "HOUSTON"));

        // SEATTLE shares the session (same data group): reporting it changes SEATTLE's target only.
        using var seattle = setup.Client("SEATTLE");
        await LeaseAsync(seattle);
        Assert.Equal(HttpStatusCode.OK, (await ReportAsync(seattle, own.Id, "Requested")).StatusCode);
        Assert.Equal(SessionStatus.Requested, await setup.TargetStatusAsync(own.Id, "SEATTLE"));
        Assert.Equal(SessionStatus.Available, await setup.TargetStatusAsync(own.Id, "HOUSTON"));

        // Every authenticated call recorded the last contact: time, client version, remote address.
        var credentials = await setup.EndpointStore().GetCredentialsAsync("HOUSTON", CancellationToken.None);
        var houstonCredential = Assert.Single(credentials);
        Assert.NotNull(houstonCredential.LastUsedAt);
        Assert.NotNull(houstonCredential.LastContactAt);
        Assert.Equal("endpoint-tests/1.0", houstonCredential.LastClientVersion);
        Assert.Equal("127.0.0.1", houstonCredential.LastRemoteAddress);
    }

    [Fact]
    public async Task Wrong_revoked_and_rotated_out_secrets_get_401_and_plain_http_on_the_tls_listener_is_refused()
    {
        await using var setup = await SetupAsync("secrets");
        var store = setup.EndpointStore();
        var first = setup.Secrets["HOUSTON"];

        async Task<HttpStatusCode> ListAs(string user, string? secret)
        {
            using var client = secret is null ? setup.Client() : setup.Client(user, secret);
            return (await client.GetAsync("/api/v1/sessions")).StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await ListAs("HOUSTON", first));
        Assert.Equal(HttpStatusCode.OK, await ListAs("houston", first)); // channel database ids compare without case, as everywhere
        Assert.Equal(HttpStatusCode.Unauthorized, await ListAs("HOUSTON", null));
        Assert.Equal(HttpStatusCode.Unauthorized, await ListAs("HOUSTON", first + "x"));
        Assert.Equal(HttpStatusCode.Unauthorized, await ListAs("HOUSTON", setup.Secrets["CHICAGO"])); // another store's secret
        Assert.Equal(HttpStatusCode.Unauthorized, await ListAs("NOSUCHSTORE", first));

        // Rotation: a second secret works beside the first; a third is refused until one is revoked.
        var second = (await store.CreateCredentialAsync("HOUSTON", null, CancellationToken.None)).Secret;
        Assert.Equal(HttpStatusCode.OK, await ListAs("HOUSTON", second));
        Assert.Equal(HttpStatusCode.OK, await ListAs("HOUSTON", first));
        var limit = await Assert.ThrowsAsync<AsyncServer.Diagnostics.AsyncServerException>(() => store.CreateCredentialAsync("HOUSTON", null, CancellationToken.None));
        Assert.Equal("CredentialLimit", limit.ErrorId);
        var firstId = (await store.GetCredentialsAsync("HOUSTON", CancellationToken.None)).Min(c => c.Id);
        Assert.Equal(1, await store.RevokeCredentialsAsync("HOUSTON", firstId, CancellationToken.None));
        // Revocation takes effect on the next request: the rotated-out secret gets 401, the new one still works.
        Assert.Equal(HttpStatusCode.Unauthorized, await ListAs("HOUSTON", first));
        Assert.Equal(HttpStatusCode.OK, await ListAs("HOUSTON", second));
        Assert.Equal(1, await store.RevokeCredentialsAsync("HOUSTON", null, CancellationToken.None));
        Assert.Equal(HttpStatusCode.Unauthorized, await ListAs("HOUSTON", second));
        // Health needs no credentials and says nothing but its state.
        using (var anonymous = setup.Client())
        {
            Assert.Equal("{\"status\":\"live\"}", await anonymous.GetStringAsync("/health/live"));
            Assert.Equal("{\"status\":\"ready\"}", await anonymous.GetStringAsync("/health/ready"));
        }

        // Plain HTTP to the TLS listener: no HTTP exchange happens at all.
        using (var plain = new HttpClient { BaseAddress = new UriBuilder(setup.BaseAddress) { Scheme = "http" }.Uri })
        {
            plain.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("CHICAGO:" + setup.Secrets["CHICAGO"])));
            var refused = await Record.ExceptionAsync(() => plain.GetAsync("/api/v1/sessions"));
            Assert.IsType<HttpRequestException>(refused);
        }

        // No secret ever reaches the log, though every failure above is logged.
        Assert.Contains("Failed authentication from 127.0.0.1 for channel database HOUSTON", setup.Service.Log);
        foreach (var secret in setup.Secrets.Values.Append(second))
            Assert.DoesNotContain(secret, setup.Service.Log);

        // Failed authentications are limited per address: after the limit even the right secret gets 429 for a while.
        HttpStatusCode last = HttpStatusCode.OK;
        for (var i = 0; i < 20 && last != HttpStatusCode.TooManyRequests; i++) last = await ListAs("DETROIT", "wrong");
        Assert.Equal(HttpStatusCode.TooManyRequests, last);
        Assert.Equal(HttpStatusCode.TooManyRequests, await ListAs("DETROIT", setup.Secrets["DETROIT"]));
    }

    [Fact]
    public async Task An_interrupted_download_resumes_with_a_range_and_a_changed_package_is_refused()
    {
        await using var setup = await SetupAsync("resume");
        using var houston = setup.Client("HOUSTON");
        var session = setup.SessionsOf("HOUSTON").MaxBy(s => s.PackageSize)!;
        var size = session.PackageSize!.Value;
        Assert.True(size > 200, $"the package is {size} bytes");

        // Cut mid-stream: read part of the body, then drop the connection.
        var received = new MemoryStream();
        using (var response = await houston.GetAsync($"/api/v1/sessions/{session.Id}/package", HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(size, response.Content.Headers.ContentLength);
            Assert.Equal("bytes", response.Headers.AcceptRanges.Single());
            await using var stream = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[size / 3];
            var read = await stream.ReadAtLeastAsync(buffer, buffer.Length);
            received.Write(buffer, 0, read);
        }
        // Resume where it stopped, on the condition that the package is still the same (If-Range with the ETag).
        var rangeRequest = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/sessions/{session.Id}/package");
        rangeRequest.Headers.Range = new RangeHeaderValue(received.Length, null);
        rangeRequest.Headers.IfRange = new RangeConditionHeaderValue(new EntityTagHeaderValue($"\"{session.PackageSha256}\""));
        using (var rest = await houston.SendAsync(rangeRequest))
        {
            Assert.Equal(HttpStatusCode.PartialContent, rest.StatusCode);
            Assert.Equal(received.Length, rest.Content.Headers.ContentRange!.From);
            await (await rest.Content.ReadAsStreamAsync()).CopyToAsync(received);
        }
        Assert.Equal(size, received.Length);
        Assert.Equal(session.PackageSha256, Convert.ToHexString(SHA256.HashData(received.ToArray())), StringComparer.OrdinalIgnoreCase);

        // More than one range, or a range too big to be a number: a clear 416, not the whole file.
        foreach (var range in new[] { "bytes=0-1,5-9", "bytes=99999999999999999999999999-", "items=0-10" })
        {
            var bad = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/sessions/{session.Id}/package");
            bad.Headers.TryAddWithoutValidation("Range", range);
            var answer = await houston.SendAsync(bad);
            Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, answer.StatusCode);
            Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        }

        // The package changed on disk after it was recorded: refused, not served.
        var path = Path.Combine(setup.Configuration.DownloadFolder, session.PackageFile!);
        await File.AppendAllTextAsync(path, "tampered");
        var changed = await houston.GetAsync($"/api/v1/sessions/{session.Id}/package");
        Assert.Equal(HttpStatusCode.Conflict, changed.StatusCode);
        Assert.Contains("changed on the server after it was recorded", await changed.Content.ReadAsStringAsync());
        File.Delete(path);
        Assert.Equal(HttpStatusCode.Gone, (await houston.GetAsync($"/api/v1/sessions/{session.Id}/package")).StatusCode);
    }

    [Fact]
    public async Task Reports_follow_the_state_machine_once_and_only_the_lease_holder_reports()
    {
        await using var setup = await SetupAsync("states");
        using var a = setup.Client("HOUSTON");
        using var b = setup.Client("HOUSTON");
        var sessions = setup.SessionsOf("HOUSTON");
        Assert.True(sessions.Count >= 2);
        var first = sessions[0].Id;

        // Without the lease nothing changes; one client takes it, the second client of the same store cannot.
        Assert.Equal(HttpStatusCode.Conflict, (await ReportAsync(a, first, "Requested", "till-a")).StatusCode);
        await LeaseAsync(a, "till-a");
        Assert.Equal(HttpStatusCode.Conflict, (await b.PostAsync("/api/v1/lease", Body(new { clientId = "till-b" }))).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await ReportAsync(b, first, "Requested", "till-b")).StatusCode);
        Assert.Equal(SessionStatus.Available, await setup.TargetStatusAsync(first, "HOUSTON"));

        // Out of order: Applied before Downloaded is refused with the current status named.
        var early = await ReportAsync(a, first, "Applied", "till-a");
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        var problem = await JsonAsync(early);
        Assert.Equal("Available", problem.GetProperty("currentStatus").GetString());
        Assert.Contains("is Available", problem.GetProperty("detail").GetString());

        foreach (var stage in new[] { "Requested", "Downloaded", "Applied" })
        {
            var ok = await ReportAsync(a, first, stage, "till-a");
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.True((await JsonAsync(ok)).GetProperty("changed").GetBoolean());
        }
        Assert.Equal(SessionStatus.Applied, await setup.TargetStatusAsync(first, "HOUSTON"));
        // A repeated Applied (a lost response retried) changes nothing and writes nothing; a Requested after Applied is refused.
        var messages = await setup.StatusMessageCountAsync();
        var again = await ReportAsync(a, first, "Applied", "till-a");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.False((await JsonAsync(again)).GetProperty("changed").GetBoolean());
        Assert.Equal(HttpStatusCode.Conflict, (await ReportAsync(a, first, "Requested", "till-a")).StatusCode);
        Assert.Equal(messages, await setup.StatusMessageCountAsync());

        // A failure suspends the later sessions of the store, in the same transaction, as the direct client does.
        var second = sessions[1].Id;
        Assert.Equal(HttpStatusCode.OK, (await ReportAsync(a, second, "Requested", "till-a")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ReportAsync(a, second, "ApplyFailed", "till-a", "the channel database refused a row")).StatusCode);
        Assert.Equal(SessionStatus.ApplyFailed, await setup.TargetStatusAsync(second, "HOUSTON"));
        foreach (var later in sessions.Skip(2))
            Assert.Equal(SessionStatus.Suspended, await setup.TargetStatusAsync(later.Id, "HOUSTON"));

        // After the holder releases the lease, the other client can take it.
        Assert.Equal(HttpStatusCode.NoContent, (await a.PostAsync("/api/v1/lease/release", Body(new { clientId = "till-a" }))).StatusCode);
        await LeaseAsync(b, "till-b");
    }

    private static System.Security.Cryptography.X509Certificates.X509Certificate2 ClientCertificate(string subject)
    {
        using var key = RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        // Through PKCS#12, so the key is usable by SslStream on every platform.
        return System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12(cert.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pkcs12), null);
    }

    [Fact]
    public async Task A_mapped_client_certificate_authenticates_as_its_channel_database_and_an_unmapped_one_does_not()
    {
        using var houstonCert = ClientCertificate("houston-till");
        using var strangerCert = ClientCertificate("stranger");
        var thumbprint = houstonCert.GetCertHashString(HashAlgorithmName.SHA256);
        await using var setup = await SetupAsync("mtls", new Dictionary<string, object>
        {
            ["clientCertificates"] = new Dictionary<string, object> { [thumbprint] = "houston" },
        });

        HttpClient WithCertificate(System.Security.Cryptography.X509Certificates.X509Certificate2 cert)
        {
            var handler = new SocketsHttpHandler();
            handler.SslOptions.RemoteCertificateValidationCallback = (_, c, _, _) => c is not null &&
                string.Equals(new System.Security.Cryptography.X509Certificates.X509Certificate2(c).Thumbprint, setup.Certificate.Thumbprint, StringComparison.OrdinalIgnoreCase);
            handler.SslOptions.ClientCertificates = [cert];
            return new HttpClient(handler) { BaseAddress = setup.BaseAddress };
        }

        using (var houston = WithCertificate(houstonCert))
        {
            var response = await houston.GetAsync("/api/v1/sessions");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var list = await JsonAsync(response);
            Assert.Equal("HOUSTON", list.GetProperty("channelDatabase").GetString());
            Assert.Equal(setup.SessionsOf("HOUSTON").Select(s => s.Id), list.GetProperty("sessions").EnumerateArray().Select(s => s.GetProperty("id").GetInt64()));
            // Still only HOUSTON's: another store's session is not found.
            var chicagoSession = setup.SessionsOf("CHICAGO")[0].Id;
            Assert.Equal(HttpStatusCode.NotFound, (await houston.GetAsync($"/api/v1/sessions/{chicagoSession}/package")).StatusCode);
        }
        using (var stranger = WithCertificate(strangerCert))
            Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.GetAsync("/api/v1/sessions")).StatusCode);
        using (var none = setup.Client())
            Assert.Equal(HttpStatusCode.Unauthorized, (await none.GetAsync("/api/v1/sessions")).StatusCode);
        // The certificate's call is recorded as HOUSTON's last contact; its secret was not used.
        var credential = Assert.Single(await setup.EndpointStore().GetCredentialsAsync("HOUSTON", CancellationToken.None));
        Assert.Equal("127.0.0.1", credential.LastRemoteAddress);
        Assert.Null(credential.LastUsedAt);
    }

    [Fact]
    public async Task Bad_input_gets_a_clear_4xx_and_writes_nothing()
    {
        await using var setup = await SetupAsync("badinput");
        using var houston = setup.Client("HOUSTON");
        await LeaseAsync(houston);
        var id = setup.SessionsOf("HOUSTON")[0].Id;
        var messages = await setup.StatusMessageCountAsync();

        async Task Expect(HttpStatusCode status, HttpResponseMessage response, string? detail = null)
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(status == response.StatusCode, $"expected {status}, got {response.StatusCode}: {text}");
            if (detail is not null) Assert.Contains(detail, text);
        }

        StringContent Raw(string json) => new(json, Encoding.UTF8, "application/json");
        await Expect(HttpStatusCode.BadRequest, await houston.PostAsync($"/api/v1/sessions/{id}/reports", Raw("{\"stage\": \"Applied\", ")), "Malformed JSON");
        await Expect(HttpStatusCode.BadRequest, await houston.PostAsync($"/api/v1/sessions/{id}/reports", Raw("{\"stage\":\"Requested\",\"clientId\":\"till-1\",\"force\":true}")), "force");
        await Expect(HttpStatusCode.BadRequest, await houston.PostAsync($"/api/v1/sessions/{id}/reports", Raw("{\"stage\":\"Requested\"}")), "clientId");
        await Expect(HttpStatusCode.BadRequest, await houston.PostAsync($"/api/v1/sessions/{id}/reports", Raw("{\"stage\":\"Canceled\",\"clientId\":\"till-1\"}")), "is not one of");
        await Expect(HttpStatusCode.BadRequest, await houston.PostAsync($"/api/v1/sessions/{id}/reports", Raw("{\"stage\":\"Requested\",\"clientId\":\"../../x\"}")), "clientId");
        await Expect(HttpStatusCode.UnsupportedMediaType, await houston.PostAsync($"/api/v1/sessions/{id}/reports", new StringContent("stage=Applied")));
        var huge = "{\"stage\":\"Requested\",\"clientId\":\"till-1\",\"message\":\"" + new string('x', 100_000) + "\"}";
        await Expect(HttpStatusCode.RequestEntityTooLarge, await houston.PostAsync($"/api/v1/sessions/{id}/reports", Raw(huge)));
        foreach (var path in new[] { "..%2F..%2Fetc%2Fpasswd", "-1", "1e3", "0x10", "99999999999999999999999" })
            await Expect(HttpStatusCode.BadRequest, await houston.GetAsync($"/api/v1/sessions/{path}/package"), "is not a positive whole number");
        Assert.True((await houston.GetAsync("/api/v1/sessions/../../../etc/passwd")).StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest);
        var bigHeader = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/sessions/{id}/package");
        bigHeader.Headers.TryAddWithoutValidation("Range", "bytes=0-" + new string('9', 40_000));
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, (await houston.SendAsync(bigHeader)).StatusCode);

        Assert.Equal(messages, await setup.StatusMessageCountAsync());
        Assert.Equal(SessionStatus.Available, await setup.TargetStatusAsync(id, "HOUSTON"));
        foreach (var secret in setup.Secrets.Values) Assert.DoesNotContain(secret, setup.Service.Log);
    }
}

public sealed class SqliteEndpointTests : EndpointTestsBase
{
    protected override Task<string?> MessageDatabaseAsync(string hint) => Task.FromResult<string?>(null);

    /// <summary>Set to 1 to rewrite docs/endpoint-openapi.json from the served document (after changing the API on purpose).</summary>
    public const string UpdateVariable = "ASYNCSERVER_UPDATE_OPENAPI";

    [Fact]
    public async Task The_served_openapi_document_is_the_one_checked_in_under_docs()
    {
        await using var setup = await SetupAsync("openapi");
        using var client = setup.Client();
        var served = await client.GetStringAsync("/openapi/v1.json");
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "AsyncServer.sln"))) root = root.Parent;
        var path = Path.Combine(root!.FullName, "docs", "endpoint-openapi.json");
        var pretty = JsonSerializer.Serialize(JsonDocument.Parse(served).RootElement, new JsonSerializerOptions { WriteIndented = true }) + "\n";
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1") await File.WriteAllTextAsync(path, pretty);
        Assert.True(File.Exists(path), $"{path} is missing; run this test with {UpdateVariable}=1 to write it.");
        Assert.True((await File.ReadAllTextAsync(path)).ReplaceLineEndings("\n") == pretty,
            $"The endpoint's OpenAPI document differs from {path}; if the API changed on purpose, rerun this test with {UpdateVariable}=1 and commit the file.");
        foreach (var route in new[] { "/api/v1/sessions", "/api/v1/sessions/{id}/package", "/api/v1/sessions/{id}/reports", "/api/v1/lease", "/health/ready" })
            Assert.Contains($"\"{route}\"", pretty);
    }
}

[CollectionDefinition(Name)]
public sealed class EndpointPostgresCollection : ICollectionFixture<EndpointPostgres>
{
    public const string Name = "Endpoint on PostgreSQL";
}

[Collection(EndpointPostgresCollection.Name)]
public sealed class PostgresEndpointTests(EndpointPostgres postgres) : EndpointTestsBase
{
    protected override async Task<string?> MessageDatabaseAsync(string hint) => await postgres.Server.CreateDatabaseAsync("ep" + hint);
}
