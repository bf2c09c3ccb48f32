using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using AsyncServer.Client;
using AsyncServer.Data;
using AsyncServer.Endpoint;
using AsyncServer.Messaging;
using AsyncServer.Service.Tests;
using AsyncServer.Service.Tests.Endpoint;

namespace AsyncServer.Tests.Support;

/// <summary>
/// Stores of a <see cref="ClientHarness"/> receiving over HTTPS: two instances of the built service (real child
/// processes, Kestrel on 127.0.0.1 with free ports and a certificate made here) on the harness's message database,
/// behind a <see cref="LoopbackBalancer"/>; every store has its own credential and uses the real EndpointClient. Armed
/// with <see cref="KillDuringNextDownload"/>, instance A is SIGKILLed in the middle of the next package it serves and
/// restarted, while instance B goes on serving the store's retry (which resumes with a range).
/// </summary>
public sealed partial class EndpointReceiving : IAsyncDisposable
{
    private readonly ClientHarness _h;
    private readonly string _folder;
    private readonly TestCertificate _certificate;
    private readonly ConcurrentDictionary<string, string> _secrets = new(StringComparer.OrdinalIgnoreCase);
    private readonly (ServiceProcess Process, IPEndPoint Address)[] _instances = new (ServiceProcess, IPEndPoint)[2];
    private LoopbackBalancer _balancer = null!;
    private Task _restart = Task.CompletedTask;
    private volatile bool _armed;

    private EndpointReceiving(ClientHarness h)
    {
        _h = h;
        _folder = Path.Combine(h.Folder, "endpoint");
        Directory.CreateDirectory(_folder);
        _certificate = TestCertificate.Create(_folder);
    }

    /// <summary>What happened to downloads: kills mid-body and attempts that resumed from an offset.</summary>
    public ConcurrentQueue<string> Events { get; } = new();
    public int Kills;
    public int Resumes;
    /// <summary>Connections the restarted instance A accepted (it serves again).</summary>
    public int ServedAfterRestart => _restarted is { } a ? _balancer.ConnectionsByPort.GetValueOrDefault(a.Port) : 0;
    private IPEndPoint? _restarted;

    public static async Task<EndpointReceiving> StartAsync(ClientHarness h)
    {
        var e = new EndpointReceiving(h);
        foreach (var db in h.ChannelDatabases) await e.AddCredentialAsync(db);
        await File.WriteAllTextAsync(e.SettingsPath, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["configurationPath"] = h.Config.SourcePath!,
            ["mode"] = "Endpoint",
            ["listen"] = new[] { "https://127.0.0.1:0" },
            ["endpoint"] = new Dictionary<string, object>
            {
                ["certificate"] = new Dictionary<string, object> { ["path"] = e._certificate.PfxPath, ["passwordFile"] = e._certificate.PasswordFile },
            },
        }));
        var started = await Task.WhenAll(e.StartInstanceAsync("a"), e.StartInstanceAsync("b"));
        (e._instances[0], e._instances[1]) = (started[0], started[1]);
        e._balancer = new LoopbackBalancer(started[0].Address, started[1].Address);
        return e;
    }

    private string SettingsPath => Path.Combine(_folder, "service.json");

    private async Task AddCredentialAsync(string db)
        => _secrets[db] = (await _h.Context.OpenEndpointStore().CreateCredentialAsync(db, null, CancellationToken.None)).Secret;

    private async Task<(ServiceProcess Process, IPEndPoint Address)> StartInstanceAsync(string name)
    {
        var process = ServiceProcess.Start(_folder, "--settings", SettingsPath, "--instance-id", "endpoint-" + name);
        Match? listening = null;
        await process.WaitUntilAsync(() => (listening = process.Lines.Select(l => Listening().Match(l)).FirstOrDefault(m => m.Success)) is not null,
            $"endpoint instance {name} to listen");
        return (process, new IPEndPoint(IPAddress.Loopback, int.Parse(listening!.Groups[1].Value)));
    }

    [GeneratedRegex(@"Endpoint listening on https://127\.0\.0\.1:(\d+)")]
    private static partial Regex Listening();

    /// <summary>A channel database joined the configuration: it gets a credential, and both instances restart one after the other to read it.</summary>
    public async Task ChannelDatabaseAddedAsync(string db)
    {
        await _restart;
        await AddCredentialAsync(db);
        for (var i = 0; i < _instances.Length; i++)
        {
            var (old, address) = _instances[i];
            old.Terminate();
            await old.WaitForExitAsync();
            old.Dispose();
            _instances[i] = await StartInstanceAsync(i == 0 ? "a" : "b");
            _balancer.Replace(address, _instances[i].Address);
        }
    }

    /// <summary>The next package served is served by instance A, slowly, and A is SIGKILLed after its first bytes arrive.</summary>
    public void KillDuringNextDownload()
    {
        _balancer.Pinned = _instances[0].Address;
        _balancer.Slow = true;
        _armed = true;
    }

    /// <summary>Waits until the instance killed mid-download is serving again.</summary>
    public Task RestartedAsync() => _restart;

    public async Task<IReadOnlyList<DownloadSession>> ReceiveAsync(string db, int maxSessions)
    {
        var (_, settings) = _h.Config.FindChannelDatabase(db)!.Value;
        var connection = ResolvedConnection.Resolve(settings.Connection, $"channel database {db}.connection", _h.Folder);
        var request = new RemoteReceiveRequest(_balancer.Address, db, _secrets[db], connection, Path.Combine(_folder, "stores", db))
        {
            ClientId = "store-" + db,
            ClientOptions = new EndpointClientOptions
            {
                CertificateThumbprint = _certificate.Thumbprint, FirstRetryDelay = TimeSpan.FromMilliseconds(20), MaxRetries = 8, AfterChunk = AfterChunkAsync,
            },
        };
        await using var transport = new EndpointReceiveTransport(request);
        return await new PackageReceiver(log: null).RunAsync(transport, maxSessions, null, CancellationToken.None);
    }

    private async Task AfterChunkAsync(long sessionId, long start, long written, long size, CancellationToken ct)
    {
        if (start > 0 && written > start && Events.All(e => !e.StartsWith($"resumed {sessionId} ", StringComparison.Ordinal)))
        {
            Interlocked.Increment(ref Resumes);
            Events.Enqueue($"resumed {sessionId} at byte {start} of {size}");
        }
        if (!_armed || written >= size) return;
        _armed = false;
        var (a, address) = _instances[0];
        // The package is small enough to sit whole in A's socket buffers, which the kernel would still deliver after the
        // kill; so the balancer drops A's connections first, as it would with a server that died before sending the rest.
        _balancer.ResetConnectionsTo(address);
        _balancer.Pinned = null;
        _balancer.Slow = false;
        await a.KillAsync();
        Interlocked.Increment(ref Kills);
        Events.Enqueue($"instance A SIGKILLed serving session {sessionId} after {written} of {size} bytes");
        _restart = RestartAAsync(a, address); // not awaited: the store's retry meets instance B while A starts again
    }

    private async Task RestartAAsync(ServiceProcess killed, IPEndPoint address)
    {
        killed.Dispose();
        _instances[0] = await StartInstanceAsync("a");
        _restarted = _instances[0].Address;
        _balancer.Replace(address, _instances[0].Address);
        Events.Enqueue($"instance A restarted on port {_restarted.Port}");
    }

    public string Log => string.Join(Environment.NewLine, _instances.Select(i => i.Process.Log));

    public async ValueTask DisposeAsync()
    {
        try { await _restart; } catch (Exception) { /* a failed restart is reported by the test's own checks */ }
        foreach (var (process, _) in _instances) process?.Dispose();
        if (_balancer is not null) await _balancer.DisposeAsync();
    }
}
