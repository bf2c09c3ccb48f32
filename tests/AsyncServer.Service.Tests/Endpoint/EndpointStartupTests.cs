using System.Net;

namespace AsyncServer.Service.Tests.Endpoint;

/// <summary>What the service refuses at start (exit code 2, naming the setting), and plain HTTP where it is allowed.</summary>
public sealed class EndpointStartupTests
{
    private static async Task<(int Code, string Log)> StartAndWaitForExitAsync(string folder, params string[] args)
    {
        using var service = ServiceProcess.Start(folder, args);
        var code = await service.WaitForExitAsync();
        return (code, service.Log);
    }

    [Fact]
    public async Task Plain_http_on_a_non_loopback_address_https_without_a_certificate_and_endpoint_mode_without_listen_are_refused()
    {
        var folder = Path.Combine(Path.GetTempPath(), "asyncserver-tests", "startup-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var plain = await StartAndWaitForExitAsync(folder, "--mode", "Endpoint", "--listen", "http://0.0.0.0:0");
            Assert.Equal(2, plain.Code);
            Assert.Contains("plain HTTP on an address that is not loopback", plain.Log);

            var noCertificate = await StartAndWaitForExitAsync(folder, "--mode", "Endpoint", "--listen", "https://127.0.0.1:0");
            Assert.Equal(2, noCertificate.Code);
            Assert.Contains("names no certificate", noCertificate.Log);

            var noListen = await StartAndWaitForExitAsync(folder, "--mode", "Endpoint");
            Assert.Equal(2, noListen.Code);
            Assert.Contains("--mode Endpoint needs --listen", noListen.Log);

            var hostName = await StartAndWaitForExitAsync(folder, "--mode", "Endpoint", "--listen", "https://hq.example.com:8443");
            Assert.Equal(2, hostName.Code);
            Assert.Contains("is not an IP address", hostName.Log);

            // The certificate password is never a command-line option.
            var password = await StartAndWaitForExitAsync(folder, "--mode", "Endpoint", "--listen", "https://127.0.0.1:0", "--certificate-password", "x");
            Assert.Equal(2, password.Code);
            Assert.Contains("Unknown option(s): --certificate-password", password.Log);
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public async Task Plain_http_on_loopback_serves_with_a_warning()
    {
        await using var setup = await EndpointSetup.CreateAsync("plainloop", null);
        setup.StopService();
        var settings = Path.Combine(setup.Folder, "plain.json");
        await File.WriteAllTextAsync(settings, System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["configurationPath"] = Path.Combine(setup.Folder, "asyncserver.json"), ["mode"] = "Endpoint", ["listen"] = new[] { "http://127.0.0.1:0" },
        }));
        using var service = ServiceProcess.Start(setup.Folder, "--settings", settings);
        string? address = null;
        await service.WaitUntilAsync(() =>
        {
            address = service.Lines.Select(l => System.Text.RegularExpressions.Regex.Match(l, @"Endpoint listening on (http://127\.0\.0\.1:\d+)")).FirstOrDefault(m => m.Success)?.Groups[1].Value;
            return address is not null;
        }, "the plain loopback endpoint to listen");
        Assert.Contains("without TLS (loopback only)", service.Log);
        using var http = new HttpClient { BaseAddress = new Uri(address!) };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
    }

    [Fact]
    public async Task A_pem_certificate_with_its_key_password_from_the_environment_serves_and_allowPlainHttp_is_logged_as_critical()
    {
        await using var setup = await EndpointSetup.CreateAsync("pemplain", null);
        setup.StopService();
        using var key = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=asyncserver-pem-test", key,
            System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        const string Password = "pem-test-password-1";
        var (crt, pem) = (Path.Combine(setup.Folder, "server.crt"), Path.Combine(setup.Folder, "server.key"));
        await File.WriteAllTextAsync(crt, cert.ExportCertificatePem());
        await File.WriteAllTextAsync(pem, key.ExportEncryptedPkcs8PrivateKeyPem(Password, new System.Security.Cryptography.PbeParameters(
            System.Security.Cryptography.PbeEncryptionAlgorithm.Aes256Cbc, System.Security.Cryptography.HashAlgorithmName.SHA256, 10_000)));
        var settings = Path.Combine(setup.Folder, "pem.json");
        await File.WriteAllTextAsync(settings, System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["configurationPath"] = Path.Combine(setup.Folder, "asyncserver.json"), ["mode"] = "Endpoint",
            ["listen"] = new[] { "https://127.0.0.1:0", "http://0.0.0.0:0" },
            ["endpoint"] = new Dictionary<string, object>
            {
                ["allowPlainHttp"] = true,
                ["certificate"] = new Dictionary<string, object> { ["path"] = crt, ["keyPath"] = pem, ["passwordEnvironmentVariable"] = "ASYNCSERVER_TEST_PEM" },
            },
        }));
        using var service = ServiceProcess.Start(setup.Folder, new Dictionary<string, string> { ["ASYNCSERVER_TEST_PEM"] = Password }, "--settings", settings);
        await service.WaitUntilAsync(() => service.Count("Endpoint listening on") >= 2, "both listeners");
        Assert.Contains("PLAIN HTTP ENDPOINT on http://0.0.0.0:0", service.Log);
        Assert.Contains("crit", service.Lines.Single(l => l.Contains("PLAIN HTTP ENDPOINT", StringComparison.Ordinal)));
        Assert.DoesNotContain(Password, service.Log);
        var https = System.Text.RegularExpressions.Regex.Match(service.Log, @"Endpoint listening on (https://127\.0\.0\.1:\d+)").Groups[1].Value;
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, c, _, _) => c is not null && c.GetCertHashString() == cert.GetCertHashString();
        using var client = new HttpClient(handler) { BaseAddress = new Uri(https) };
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
    }
}
