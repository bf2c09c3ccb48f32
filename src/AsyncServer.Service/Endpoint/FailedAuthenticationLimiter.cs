using System.Collections.Concurrent;
using System.Net;
using System.Threading.RateLimiting;

namespace AsyncServer.Service.Endpoint;

/// <summary>
/// Counts failed authentications per remote address in a fixed one-minute window (System.Threading.RateLimiting);
/// an address that uses up its permits is blocked for a full minute from then on: it gets 429 without its
/// credentials being checked. Successful calls cost nothing.
/// </summary>
public sealed class FailedAuthenticationLimiter(int perMinute, TimeProvider? time = null) : IDisposable
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ConcurrentDictionary<IPAddress, DateTimeOffset> _blockedUntil = new();
    private readonly PartitionedRateLimiter<IPAddress> _limiter = PartitionedRateLimiter.Create<IPAddress, IPAddress>(address =>
        RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = perMinute, Window = Window, QueueLimit = 0, AutoReplenishment = true,
        }));

    public bool IsBlocked(IPAddress address)
    {
        if (!_blockedUntil.TryGetValue(address, out var until)) return false;
        if (until > _time.GetUtcNow()) return true;
        _blockedUntil.TryRemove(new KeyValuePair<IPAddress, DateTimeOffset>(address, until));
        return false;
    }

    public void RecordFailure(IPAddress address)
    {
        using var lease = _limiter.AttemptAcquire(address);
        if (!lease.IsAcquired) _blockedUntil[address] = _time.GetUtcNow() + Window;
    }

    public void Dispose() => _limiter.Dispose();
}
