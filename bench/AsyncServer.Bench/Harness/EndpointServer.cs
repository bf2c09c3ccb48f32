using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AsyncServer.Bench.Harness;

/// <summary>
/// The built AsyncServer.Service serving the endpoint as its own process (--mode Endpoint, https on 127.0.0.1, a free
/// port, a self-signed certificate made here), so that its memory is measured apart from the load generator's.
/// </summary>
internal sealed partial class EndpointServer : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];

    private EndpointServer(Process process, string thumbprint)
    {
        _process = process;
        Thumbprint = thumbprint;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_lines) _lines.Add(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_lines) _lines.Add(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public Uri Address { get; private set; } = null!;
    public string Thumbprint { get; }
    public int ProcessId => _process.Id;

    public static async Task<EndpointServer> StartAsync(string folder, string configurationPath)
    {
        var (pfx, passwordFile, thumbprint) = Certificate(folder);
        var settings = Path.Combine(folder, "service.json");
        await File.WriteAllTextAsync(settings, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["configurationPath"] = configurationPath, ["mode"] = "Endpoint", ["listen"] = new[] { "https://127.0.0.1:0" },
            ["endpoint"] = new Dictionary<string, object> { ["certificate"] = new Dictionary<string, object> { ["path"] = pfx, ["passwordFile"] = passwordFile } },
        }));
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { ServicePath, "--settings", settings }) info.ArgumentList.Add(a);
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        // The service runs with its own runtime settings (its runtimeconfig), whatever a scenario sets for its client.
        info.Environment.Remove("DOTNET_TieredCompilation");
        var server = new EndpointServer(Process.Start(info)!, thumbprint);
        for (var until = DateTime.UtcNow.AddMinutes(2); server.Address is null; await Task.Delay(100))
        {
            if (server._process.HasExited || DateTime.UtcNow > until)
                throw new InvalidOperationException("The endpoint did not start: " + string.Join(Environment.NewLine, server.Lines));
            if (server.Lines.Select(l => Listening().Match(l)).FirstOrDefault(m => m.Success) is { } m) server.Address = new Uri(m.Groups[1].Value);
        }
        return server;
    }

    private IReadOnlyList<string> Lines { get { lock (_lines) return _lines.ToList(); } }

    [GeneratedRegex(@"Endpoint listening on (https://127\.0\.0\.1:\d+)")]
    private static partial Regex Listening();

    private static (string Pfx, string PasswordFile, string Thumbprint) Certificate(string folder)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=asyncserver-bench", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var pfx = Path.Combine(folder, "server.pfx");
        File.WriteAllBytes(pfx, cert.Export(X509ContentType.Pkcs12, password));
        File.WriteAllText(pfx + ".password", password);
        return (pfx, pfx + ".password", cert.Thumbprint);
    }

    /// <summary>A field of /proc/PID/status in bytes (VmRSS: the working set now; VmHWM: its peak).</summary>
    public long Memory(string field)
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        return 0;
    }

    /// <summary>An HttpClient that trusts exactly this server's certificate and keeps up to <paramref name="connections"/> connections.</summary>
    public HttpClient Client(int connections)
    {
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) };
        var thumbprint = Thumbprint;
        handler.SslOptions.RemoteCertificateValidationCallback = (_, c, _, _) => c is not null && c.GetCertHashString() == thumbprint;
        return new HttpClient(handler) { BaseAddress = Address, Timeout = TimeSpan.FromMinutes(5) };
    }

    private static string ServicePath
    {
        get
        {
            var bench = new DirectoryInfo(AppContext.BaseDirectory);
            var path = Path.Combine(BenchContext.FindRepositoryRoot(), "src", "AsyncServer.Service", "bin", bench.Parent!.Name, bench.Name, "AsyncServer.Service.dll");
            return File.Exists(path) ? path : throw new InvalidOperationException($"The service is not built at {path}.");
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited) { _process.Kill(entireProcessTree: true); _process.WaitForExit(); }
        _process.Dispose();
    }
}
