using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace AsyncServer.Tests.Support;

/// <summary>
/// A real TCP load balancer on 127.0.0.1 (TLS passes through): each accepted connection goes to the next backend that
/// accepts a connection, round robin, as an L4 balancer in front of endpoint instances does. When a backend dies its
/// connections are reset at once (<see cref="ResetConnectionsTo"/>), and while <see cref="Slow"/> is set the bytes from
/// backends to clients pass in small slices, so that a test can stop a server in the middle of a response.
/// </summary>
public sealed class LoopbackBalancer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<int, (IPEndPoint Backend, TcpClient Client, TcpClient Server)> _pairs = new();
    private readonly Task _accepting;
    private IPEndPoint[] _backends;
    private int _next, _ids;

    public LoopbackBalancer(params IPEndPoint[] backends)
    {
        _backends = backends;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public Uri Address => new($"https://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

    /// <summary>Bytes from backends to clients pass 512 at a time with a pause between.</summary>
    public bool Slow { get; set; }

    /// <summary>Connections made to each backend port, so a test can tell which instances served.</summary>
    public ConcurrentDictionary<int, int> ConnectionsByPort { get; } = new();

    /// <summary>When set, new connections go to this backend only (if it accepts them).</summary>
    public IPEndPoint? Pinned { get; set; }

    public void Replace(IPEndPoint old, IPEndPoint replacement) => _backends = _backends.Select(b => b.Equals(old) ? replacement : b).ToArray();

    /// <summary>Resets every client connection that goes to <paramref name="backend"/> (what a balancer does when it dies).</summary>
    public void ResetConnectionsTo(IPEndPoint backend)
    {
        foreach (var (id, pair) in _pairs.Where(p => p.Value.Backend.Equals(backend)))
        {
            pair.Client.Client.LingerState = new LingerOption(true, 0); // RST, not FIN: the client sees a reset
            pair.Client.Dispose();
            pair.Server.Dispose();
            _pairs.TryRemove(id, out _);
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { return; }
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        var (backend, server) = await ConnectAsync();
        if (server is null) { client.Dispose(); return; }
        var id = Interlocked.Increment(ref _ids);
        ConnectionsByPort.AddOrUpdate(backend!.Port, 1, (_, n) => n + 1);
        _pairs[id] = (backend, client, server);
        try
        {
            using (client)
            using (server)
                await Task.WhenAny(PumpAsync(client.GetStream(), server.GetStream(), slow: false), PumpAsync(server.GetStream(), client.GetStream(), slow: true));
        }
        finally { _pairs.TryRemove(id, out _); }
    }

    /// <summary>The next backend that accepts a connection, trying each once.</summary>
    private async Task<(IPEndPoint?, TcpClient?)> ConnectAsync()
    {
        var backends = Pinned is { } pinned ? [pinned] : _backends;
        for (var i = 0; i < backends.Length; i++)
        {
            var backend = backends[Math.Abs(Interlocked.Increment(ref _next)) % backends.Length];
            var server = new TcpClient();
            try
            {
                await server.ConnectAsync(backend, _stop.Token);
                return (backend, server);
            }
            catch (SocketException) { server.Dispose(); }
        }
        return (null, null);
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to, bool slow)
    {
        var buffer = new byte[16384];
        try
        {
            while (true)
            {
                var n = await from.ReadAsync(buffer.AsMemory(0, slow && Slow ? 512 : buffer.Length), _stop.Token);
                if (n == 0) return;
                await to.WriteAsync(buffer.AsMemory(0, n), _stop.Token);
                if (slow && Slow) await Task.Delay(10, _stop.Token);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException) { }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        foreach (var pair in _pairs.Values) { pair.Client.Dispose(); pair.Server.Dispose(); }
        _stop.Dispose();
    }
}
