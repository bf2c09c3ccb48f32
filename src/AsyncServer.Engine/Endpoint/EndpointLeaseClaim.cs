using AsyncServer.Diagnostics;
using AsyncServer.Messaging;
using Microsoft.Extensions.Logging;

namespace AsyncServer.Endpoint;

/// <summary>
/// A lease of the endpoint on the store's channel database, held for one run: the receive lease (POST /api/v1/lease) or the
/// upload lease (POST /api/v1/uploads/lease), each call claiming or renewing it. Renewed in the background (like the direct
/// side's LeaseKeeper), lost when the endpoint gives it to another client, when a call is refused for want of it, or when no
/// renewal has succeeded for a whole lease; released when disposed.
/// </summary>
internal sealed class EndpointLeaseClaim : ILeaseClaim
{
    private readonly EndpointClient _client;
    private readonly string _what;
    private readonly Func<CancellationToken, Task<bool>> _renew;
    private readonly Func<Task> _release;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop;
    private readonly Task _renewal;

    private EndpointLeaseClaim(EndpointClient client, string what, Func<CancellationToken, Task<bool>> renew, Func<Task> release, ILogger log,
        CancellationToken caller)
    {
        (_client, _what, _renew, _release, _log) = (client, what, renew, release, log);
        _stop = CancellationTokenSource.CreateLinkedTokenSource(caller);
        _renewal = RenewAsync();
    }

    /// <summary>The receive lease; WorkClaimedElsewhere when another client holds it.</summary>
    public static async Task<EndpointLeaseClaim> ReceiveAsync(EndpointClient client, string clientId, string db, ILogger log, CancellationToken ct)
        => await client.AcquireLeaseAsync(clientId, ct).ConfigureAwait(false)
            ? new EndpointLeaseClaim(client, "receive", t => client.AcquireLeaseAsync(clientId, t),
                () => client.ReleaseLeaseAsync(clientId, CancellationToken.None), log, ct)
            : throw new AsyncServerException(ErrorIds.WorkClaimedElsewhere, ErrorKind.ResourceBusy,
                $"Channel database {db} is being received by another client of the endpoint {client.Server}; try again later.", db);

    /// <summary>The upload lease (one sender per store, the same resource as a direct send's); ConcurrentRun when another sender holds it.</summary>
    public static async Task<EndpointLeaseClaim> UploadAsync(EndpointClient client, string clientId, string db, ILogger log, CancellationToken ct)
        => await client.AcquireUploadLeaseAsync(clientId, ct).ConfigureAwait(false)
            ? new EndpointLeaseClaim(client, "upload", t => client.AcquireUploadLeaseAsync(clientId, t),
                () => client.ReleaseUploadLeaseAsync(clientId, CancellationToken.None), log, ct)
            : throw Upload.UploadLease.Busy(db, "another client of the endpoint", null);

    public CancellationToken Token => _stop.Token;
    public bool Lost { get; private set; }

    /// <summary>The endpoint refused a call because this client no longer holds the lease: the run stops.</summary>
    public void MarkLost()
    {
        Lost = true;
        _stop.Cancel();
    }

    private async Task RenewAsync()
    {
        var every = _client.Options.LeaseRenewal;
        var lastRenewed = DateTimeOffset.UtcNow;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(every, _stop.Token).ConfigureAwait(false);
                if (!await _renew(_stop.Token).ConfigureAwait(false))
                {
                    _log.LogError("The endpoint gave the {What} lease to another client; stopping this run.", _what);
                    MarkLost();
                    return;
                }
                lastRenewed = DateTimeOffset.UtcNow;
            }
            catch (OperationCanceledException) { return; }
            catch (AsyncServerException ex)
            {
                _log.LogWarning("Renewing the {What} lease failed: {Message}; retried in {Every}.", _what, ex.Message, every);
                if (DateTimeOffset.UtcNow - lastRenewed > _client.Options.LeaseDuration) { MarkLost(); return; }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _renewal.ConfigureAwait(false);
        _stop.Dispose();
        try { await _release().ConfigureAwait(false); }
        catch (Exception ex) when (ex is AsyncServerException or OperationCanceledException)
        {
            _log.LogWarning("Could not release the {What} lease: {Message}; it expires by itself.", _what, ex.Message);
        }
    }
}
