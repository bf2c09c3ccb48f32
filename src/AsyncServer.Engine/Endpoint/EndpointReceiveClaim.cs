using AsyncServer.Client;
using AsyncServer.Diagnostics;
using Microsoft.Extensions.Logging;

namespace AsyncServer.Endpoint;

/// <summary>
/// The endpoint's receive lease on the store's channel database, held for one run: renewed in the background (like
/// the direct client's LeaseKeeper), lost when the endpoint gives it to another client, when a report is refused for
/// want of it, or when no renewal has succeeded for a whole lease; released when disposed.
/// </summary>
internal sealed class EndpointReceiveClaim : IReceiveClaim
{
    private readonly EndpointClient _client;
    private readonly string _clientId;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop;
    private readonly Task _renewal;

    private EndpointReceiveClaim(EndpointClient client, string clientId, ILogger log, CancellationToken caller)
    {
        (_client, _clientId, _log) = (client, clientId, log);
        _stop = CancellationTokenSource.CreateLinkedTokenSource(caller);
        _renewal = RenewAsync();
    }

    public static async Task<EndpointReceiveClaim> AcquireAsync(EndpointClient client, string clientId, string db, ILogger log, CancellationToken ct)
        => await client.AcquireLeaseAsync(clientId, ct).ConfigureAwait(false)
            ? new EndpointReceiveClaim(client, clientId, log, ct)
            : throw new AsyncServerException(ErrorIds.WorkClaimedElsewhere, ErrorKind.ResourceBusy,
                $"Channel database {db} is being received by another client of the endpoint {client.Server}; try again later.", db);

    public CancellationToken Token => _stop.Token;
    public bool Lost { get; private set; }

    /// <summary>The endpoint refused a report because this client no longer holds the lease: the run stops.</summary>
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
                if (!await _client.AcquireLeaseAsync(_clientId, _stop.Token).ConfigureAwait(false)) { MarkLost(); return; }
                lastRenewed = DateTimeOffset.UtcNow;
            }
            catch (OperationCanceledException) { return; }
            catch (AsyncServerException ex)
            {
                _log.LogWarning("Renewing the receive lease failed: {Message}; retried in {Every}.", ex.Message, every);
                if (DateTimeOffset.UtcNow - lastRenewed > _client.Options.LeaseDuration) { MarkLost(); return; }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _renewal.ConfigureAwait(false);
        _stop.Dispose();
        try { await _client.ReleaseLeaseAsync(_clientId, CancellationToken.None).ConfigureAwait(false); }
        catch (Exception ex) when (ex is AsyncServerException or OperationCanceledException)
        {
            _log.LogWarning("Could not release the receive lease: {Message}; it expires by itself.", ex.Message);
        }
    }
}
