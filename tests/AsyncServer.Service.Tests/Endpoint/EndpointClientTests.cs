using System.Security.Cryptography;
using AsyncServer.Diagnostics;
using AsyncServer.Distribution;
using AsyncServer.Endpoint;
using AsyncServer.Samples;

namespace AsyncServer.Service.Tests.Endpoint;

/// <summary>The engine's endpoint client (what Receive-AsyncPackage -Server uses) against the real service.</summary>
public sealed class EndpointClientTests
{
    private static EndpointClient Client(EndpointSetup setup, string store = "HOUSTON", string? secret = null) =>
        new(setup.BaseAddress, store, secret ?? setup.Secrets[store], new EndpointClientOptions
        {
            CertificateThumbprint = setup.Certificate.Thumbprint, FirstRetryDelay = TimeSpan.FromMilliseconds(10), MaxRetries = 2,
        });

    [Fact]
    public async Task A_partial_download_continues_with_a_range_and_the_result_is_verified_before_use()
    {
        await using var setup = await EndpointSetup.CreateAsync("client", null);
        using var client = Client(setup);
        var s = (await client.GetSessionsAsync(CancellationToken.None)).Sessions.MaxBy(x => x.PackageSize)!;
        var original = await File.ReadAllBytesAsync(Path.Combine(setup.Configuration.DownloadFolder, setup.Sessions.Single(x => x.Id == s.Id).PackageFile!));
        var folder = Path.Combine(setup.Folder, "store");
        Directory.CreateDirectory(folder);
        var target = Path.Combine(folder, "p.zip");

        // A third of the right bytes left by an interrupted run: the rest comes with a range and the whole verifies.
        await File.WriteAllBytesAsync(target + ".partial", original[..(original.Length / 3)]);
        Assert.True(await client.DownloadAsync(s, target, CancellationToken.None));
        Assert.Equal(s.PackageSha256, Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync(target))), StringComparer.OrdinalIgnoreCase);
        Assert.False(File.Exists(target + ".partial"));

        // A damaged partial file is continued too (so the range was used), and the check refuses the result.
        File.Delete(target);
        var damaged = original[..(original.Length / 2)];
        damaged[10] ^= 0xFF;
        await File.WriteAllBytesAsync(target + ".partial", damaged);
        var mismatch = await Assert.ThrowsAsync<AsyncServerException>(() => client.DownloadAsync(s, target, CancellationToken.None));
        Assert.Equal(ErrorIds.PackageMismatch, mismatch.ErrorId);
        Assert.False(File.Exists(target));
        Assert.False(File.Exists(target + ".partial"));

        // A package changed on the server after it was recorded (same size, other bytes) is refused the same way.
        var onServer = Path.Combine(setup.Configuration.DownloadFolder, setup.Sessions.Single(x => x.Id == s.Id).PackageFile!);
        var changed = (byte[])original.Clone();
        changed[^20] ^= 0xFF;
        await File.WriteAllBytesAsync(onServer, changed);
        Assert.Equal(ErrorIds.PackageMismatch, (await Assert.ThrowsAsync<AsyncServerException>(() => client.DownloadAsync(s, target, CancellationToken.None))).ErrorId);
        Assert.False(File.Exists(target));
    }

    [Fact]
    public async Task A_wrong_secret_and_a_wrong_url_fail_at_once_with_clear_errors()
    {
        await using var setup = await EndpointSetup.CreateAsync("clienterr", null);
        using var wrong = Client(setup, secret: "asc_not-the-secret");
        var unauthorized = await Assert.ThrowsAsync<AsyncServerException>(() => wrong.GetSessionsAsync(CancellationToken.None));
        Assert.Equal(ErrorIds.EndpointUnauthorized, unauthorized.ErrorId);
        Assert.Contains("401", unauthorized.Message);
        Assert.DoesNotContain("asc_not-the-secret", unauthorized.Message);

        using var misplaced = new EndpointClient(new Uri(setup.BaseAddress, "/somewhere/else/"), "HOUSTON", setup.Secrets["HOUSTON"],
            new EndpointClientOptions { CertificateThumbprint = setup.Certificate.Thumbprint });
        var notFound = await Assert.ThrowsAsync<AsyncServerException>(() => misplaced.GetSessionsAsync(CancellationToken.None));
        Assert.Equal(ErrorIds.EndpointProtocol, notFound.ErrorId);
        Assert.Contains("404", notFound.Message);

        // A server that is not there: retried, then EndpointUnavailable naming it.
        setup.StopService();
        using var gone = Client(setup);
        var unavailable = await Assert.ThrowsAsync<AsyncServerException>(() => gone.GetSessionsAsync(CancellationToken.None));
        Assert.Equal(ErrorIds.EndpointUnavailable, unavailable.ErrorId);
        Assert.Contains(setup.BaseAddress.ToString(), unavailable.Message);
    }
}

/// <summary>The settings of a store's service (--mode Client) for HOUSTON over the endpoint, with no AsyncServer configuration.</summary>
internal static class StoreService
{
    /// <returns>The store's folder, its settings file and the file holding its secret.</returns>
    public static async Task<(string Store, string Settings, string SecretFile)> WriteSettingsAsync(EndpointSetup setup, string interval, bool localFolder)
    {
        var store = Path.Combine(setup.Folder, "store");
        Directory.CreateDirectory(store);
        var secretFile = Path.Combine(store, "houston.secret");
        await File.WriteAllTextAsync(secretFile, setup.Secrets["HOUSTON"] + "\n");
        var client = new Dictionary<string, object>
        {
            ["channelDatabase"] = "HOUSTON", ["interval"] = interval, ["server"] = setup.BaseAddress.ToString(), ["secretFile"] = secretFile,
            ["channelConnectionString"] = $"Data Source={Path.Combine(store, "houston.db")}", ["certificateThumbprint"] = setup.Certificate.Thumbprint,
        };
        if (localFolder) client["localFolder"] = Path.Combine(store, "in");
        var settings = Path.Combine(store, "client.json");
        await File.WriteAllTextAsync(settings, System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
        {
            // The store has no AsyncServer configuration: the path names nothing that exists.
            ["configurationPath"] = Path.Combine(store, "no-such-asyncserver.json"), ["mode"] = "Client", ["client"] = client,
        }));
        return (store, settings, secretFile);
    }
}

/// <summary>The service at a store (--mode Client) receiving over the endpoint of another service process.</summary>
public sealed class EndpointClientModeTests
{
    [Fact]
    public async Task A_store_service_in_client_mode_applies_its_sessions_over_the_endpoint()
    {
        await using var setup = await EndpointSetup.CreateAsync("clientmode", null);
        var (store, settings, _) = await StoreService.WriteSettingsAsync(setup, "00:00:02", localFolder: true);
        using var client = ServiceProcess.Start(store, "--settings", settings);
        var houston = setup.SessionsOf("HOUSTON");
        await client.WaitUntilAsync(async () =>
        {
            foreach (var s in houston)
                if (await setup.TargetStatusAsync(s.Id, "HOUSTON") != Messaging.SessionStatus.Applied) return false;
            return true;
        }, "every HOUSTON session to be Applied through the endpoint");
        Assert.True(File.Exists(Path.Combine(store, "houston.db")));
        foreach (var s in setup.SessionsOf("SEATTLE")) Assert.Equal(Messaging.SessionStatus.Available, await setup.TargetStatusAsync(s.Id, "SEATTLE"));
        client.Terminate();
        Assert.Equal(0, await client.WaitForExitAsync());
        Assert.DoesNotContain(setup.Secrets["HOUSTON"], client.Log);
        Assert.DoesNotContain(setup.Secrets["HOUSTON"], setup.Service.Log);
    }
}

/// <summary>The endpoint client authenticating by client certificate alone (mutual TLS).</summary>
public sealed class EndpointClientCertificateTests
{
    [Fact]
    public async Task The_client_lists_and_downloads_with_a_mapped_client_certificate_and_no_secret()
    {
        using var key = RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=houston-till", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var made = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        using var certificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12(made.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pkcs12), null);
        await using var setup = await EndpointSetup.CreateAsync("clientcert", null, new Dictionary<string, object>
        {
            ["clientCertificates"] = new Dictionary<string, object> { [certificate.GetCertHashString(HashAlgorithmName.SHA256)] = "HOUSTON" },
        });
        using var client = new EndpointClient(setup.BaseAddress, "HOUSTON", secret: null,
            new EndpointClientOptions { CertificateThumbprint = setup.Certificate.Thumbprint, ClientCertificate = certificate });
        var list = await client.GetSessionsAsync(CancellationToken.None);
        Assert.Equal(setup.SessionsOf("HOUSTON").Select(s => s.Id), list.Sessions.Select(s => s.Id));
        var target = Path.Combine(setup.Folder, "cert-download.zip");
        Assert.True(await client.DownloadAsync(list.Sessions[0], target, CancellationToken.None));
        Assert.Equal(list.Sessions[0].PackageSha256, Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync(target))), StringComparer.OrdinalIgnoreCase);
    }
}

/// <summary>A store's service keeps receiving across a rotation of its secret, with no restart: the file is read at every run.</summary>
public sealed class EndpointClientRotationTests
{
    [Fact]
    public async Task A_rewritten_secret_file_is_used_from_the_next_run_after_the_old_credential_is_revoked()
    {
        await using var setup = await EndpointSetup.CreateAsync("rotate", null);
        var (store, settings, secretFile) = await StoreService.WriteSettingsAsync(setup, "00:00:01", localFolder: false);
        using var client = ServiceProcess.Start(store, "--settings", settings);
        async Task<bool> AllAppliedAsync()
        {
            await using var messages = setup.Context().OpenMessageStore();
            return (await messages.GetPendingSessionsAsync("HOUSTON", CancellationToken.None)).Count == 0;
        }
        await client.WaitUntilAsync(AllAppliedAsync, "HOUSTON's first sessions to be applied with the first secret");

        // Rotate: a second credential, written into the file; then the first is revoked. The service is not restarted.
        var endpoint = setup.EndpointStore();
        var second = await endpoint.CreateCredentialAsync("HOUSTON", null, CancellationToken.None);
        await File.WriteAllTextAsync(secretFile, second.Secret);
        var first = (await endpoint.GetCredentialsAsync("HOUSTON", CancellationToken.None)).Single(c => c.Id != second.Id);
        Assert.Equal(1, await endpoint.RevokeCredentialsAsync("HOUSTON", first.Id, CancellationToken.None));

        await SampleData.ChangeAsync(setup.HqFile, seed: 5, inserts: 2, updates: 3, deletes: 1);
        var run = await new DistributionRunner(setup.Context()).RunAsync(new DistributionRequest { Jobs = ["1020", "1070"] }, null, CancellationToken.None);
        Assert.Contains(run, s => s.RowCount > 0);
        await client.WaitUntilAsync(AllAppliedAsync, "HOUSTON's new sessions to be applied with the rotated secret, without a restart");
        client.Terminate();
        Assert.Equal(0, await client.WaitForExitAsync());
        Assert.DoesNotContain(second.Secret, client.Log);
    }
}
