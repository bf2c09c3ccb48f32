using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AsyncServer.Configuration;
using AsyncServer.Data;
using AsyncServer.Distribution;
using AsyncServer.Endpoint;
using AsyncServer.Messaging;
using AsyncServer.Tests.Support;

namespace AsyncServer.Service.Tests.Endpoint;

/// <summary>
/// A sample environment whose message database is SQLite or PostgreSQL, with packages distributed to the four
/// sample stores (HOUSTON and SEATTLE in USRT-Stores, CHICAGO and DETROIT in USMF-Stores), a credential per store,
/// a test-made TLS certificate, and the real service serving the endpoint on 127.0.0.1 (a free port) as a process.
/// </summary>
public sealed partial class EndpointSetup : IAsyncDisposable
{
    public static readonly string[] Stores = ["HOUSTON", "SEATTLE", "CHICAGO", "DETROIT"];

    private readonly SampleSetup _sample;
    private EndpointSetup(SampleSetup sample, TestCertificate certificate)
    {
        _sample = sample;
        Certificate = certificate;
    }

    public TestCertificate Certificate { get; }
    public ServiceProcess Service { get; private set; } = null!;
    public Uri BaseAddress { get; private set; } = null!;
    public string Folder => _sample.Folder;
    public string HqFile => _sample.Info.HqDatabase;
    public AsyncServerConfiguration Configuration => _sample.Context().Configuration;
    public Dictionary<string, string> Secrets { get; } = new(StringComparer.OrdinalIgnoreCase);
    public IReadOnlyList<DownloadSessionRecord> Sessions { get; private set; } = [];

    public EngineContext Context() => _sample.Context();
    public EndpointStore EndpointStore() => Context().OpenEndpointStore();

    /// <param name="postgresConnectionString">A fresh PostgreSQL database for the message database; null for SQLite.</param>
    public static async Task<EndpointSetup> CreateAsync(string hint, string? postgresConnectionString, Dictionary<string, object>? endpointSettings = null)
    {
        var sample = await SampleSetup.CreateAsync(hint, config =>
        {
            if (postgresConnectionString is not null)
                config.MessageDatabase = new ConnectionSettings { Provider = "postgresql", ConnectionString = postgresConnectionString };
        }, products: 60);
        var setup = new EndpointSetup(sample, TestCertificate.Create(sample.Folder));
        var context = sample.Context();
        await using (var store = context.OpenMessageStore())
            await store.InitializeAsync(CancellationToken.None);
        await new DistributionRunner(context).RunAsync(new DistributionRequest { Jobs = ["1020", "1070"] }, null, CancellationToken.None);
        setup.Sessions = await sample.SessionsAsync();
        foreach (var store in Stores)
            setup.Secrets[store] = (await setup.EndpointStore().CreateCredentialAsync(store, null, CancellationToken.None)).Secret;
        await setup.StartServiceAsync(endpointSettings);
        return setup;
    }

    public string SettingsPath => Path.Combine(Folder, "service.json");

    public async Task StartServiceAsync(Dictionary<string, object>? endpointSettings = null)
    {
        var endpoint = new Dictionary<string, object>
        {
            ["certificate"] = new Dictionary<string, object> { ["path"] = Certificate.PfxPath, ["passwordFile"] = Certificate.PasswordFile },
        };
        foreach (var (k, v) in endpointSettings ?? []) endpoint[k] = v;
        var settings = new Dictionary<string, object>
        {
            ["configurationPath"] = _sample.ConfigurationPath,
            ["mode"] = "Endpoint",
            ["listen"] = new[] { "https://127.0.0.1:0" },
            ["endpoint"] = endpoint,
        };
        await File.WriteAllTextAsync(SettingsPath, JsonSerializer.Serialize(settings));
        Service = ServiceProcess.Start(Folder, "--settings", SettingsPath);
        string? address = null;
        await Service.WaitUntilAsync(() =>
        {
            var m = Service.Lines.Select(l => ListeningLine().Match(l)).FirstOrDefault(m => m.Success);
            address = m?.Groups[1].Value;
            return address is not null;
        }, "the endpoint to listen");
        BaseAddress = new Uri(address!);
    }

    /// <summary>Kills the service process (its address then refuses connections).</summary>
    public void StopService()
    {
        Service.Dispose();
        Service = null!;
    }

    [GeneratedRegex(@"Endpoint listening on (https?://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();

    /// <summary>A real HttpClient that trusts exactly the test's certificate, optionally authenticated as a store.</summary>
    public HttpClient Client(string? store = null, string? secret = null)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && string.Equals(
            new System.Security.Cryptography.X509Certificates.X509Certificate2(cert).Thumbprint, Certificate.Thumbprint, StringComparison.OrdinalIgnoreCase);
        var client = new HttpClient(handler) { BaseAddress = BaseAddress };
        client.DefaultRequestHeaders.Add("X-AsyncServer-Client-Version", "endpoint-tests/1.0");
        if (store is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{store}:{secret ?? Secrets[store]}")));
        return client;
    }

    /// <summary>Sessions (with packages) that target this store, from the message database.</summary>
    public IReadOnlyList<DownloadSessionRecord> SessionsOf(string store) =>
        Sessions.Where(s => s.PackageFile is not null && s.Targets.Any(t => string.Equals(t.ChannelDatabase, store, StringComparison.OrdinalIgnoreCase))).OrderBy(s => s.Id).ToList();

    public async Task<SessionStatus> TargetStatusAsync(long sessionId, string store)
    {
        await using var messages = Context().OpenMessageStore();
        var s = (await messages.QuerySessionsAsync(new SessionQuery { Ids = [sessionId], IncludeNoData = true }, CancellationToken.None)).Single();
        return s.Targets.Single(t => string.Equals(t.ChannelDatabase, store, StringComparison.OrdinalIgnoreCase)).Status;
    }

    /// <summary>Every status message in the message database (how tests prove a request wrote nothing).</summary>
    public async Task<int> StatusMessageCountAsync()
    {
        await using var messages = Context().OpenMessageStore();
        return (await messages.GetUnmovedStatusMessagesAsync(100_000, CancellationToken.None)).Count;
    }

    public async ValueTask DisposeAsync()
    {
        Service?.Dispose();
        await Task.CompletedTask;
        _sample.Dispose();
    }
}

/// <summary>One throwaway PostgreSQL server for the endpoint tests that need it (the engine tests' support, linked in).</summary>
public sealed class EndpointPostgres : IDisposable
{
    public PostgresServer Server { get; } = new();
    public void Dispose() => Server.Dispose();
}
