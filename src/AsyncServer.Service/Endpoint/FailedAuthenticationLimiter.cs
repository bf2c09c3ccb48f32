using System.Net;
using System.Threading.RateLimiting;

namespace AsyncServer.Service.Endpoint;

/// <summary>
/// Counts failed authentications per remote address in a fixed one-minute window; an address that used up its
/// permits gets 429 without its credentials being checked, until the window ends. Successful calls cost nothing.
/// </summary>
public sealed class FailedAuthenticationLimiter(int perMinute) : IDisposable
{
    private readonly PartitionedRateLimiter<IPAddress> _limiter = PartitionedRateLimiter.Create<IPAddress, IPAddress>(address =>
        RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = perMinute, Window = Window, QueueLimit = 0, AutoReplenishment = true,
        }));

    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    public bool IsBlocked(IPAddress address) => _limiter.GetStatistics(address) is { CurrentAvailablePermits: <= 0 };

    public void RecordFailure(IPAddress address)
    {
        using var lease = _limiter.AttemptAcquire(address);
    }

    public void Dispose() => _limiter.Dispose();
}
