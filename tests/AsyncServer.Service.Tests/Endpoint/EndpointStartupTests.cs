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
}
