using AsyncServer.Diagnostics;
using Microsoft.Extensions.Logging;

namespace AsyncServer.Messaging;

/// <summary>Why a lease keeper stopped the work it guards.</summary>
public enum LeaseStop
{
    None,
    /// <summary>Renewal said another instance holds the resource, or renewals kept failing until the lease expired.</summary>
    LeaseLost,
    /// <summary>An operator canceled one of the watched sessions (Stop-AsyncSession).</summary>
    SessionCanceled,
}

/// <summary>How a lease keeper paces itself; tests shorten both.</summary>
public sealed record LeaseTiming(TimeSpan Duration, TimeSpan WatchInterval)
{
    /// <summary>Renew after a third of the lease: two renewals can fail before it expires.</summary>
    public TimeSpan RenewInterval => TimeSpan.FromTicks(Math.Max(Duration.Ticks / 3, TimeSpan.FromMilliseconds(100).Ticks));

    /// <summary>How often the loop wakes: to watch sessions, to renew, and to retry a failed renewal.</summary>
    public TimeSpan Tick => WatchInterval < RenewInterval ? WatchInterval : RenewInterval;
}

/// <summary>
/// Holds a lease on a message-database resource while work runs: claims it, renews it in the background,
/// watches the sessions the work is creating for an operator's cancel, and releases it when disposed.
/// <see cref="Token"/> is canceled as soon as the work must stop: the caller's token was canceled, the lease
/// is lost, or a watched session was canceled. A renewal that fails (a network blip, a locked database) is
/// retried on every tick; the lease counts as lost only when renewal is refused, or when no renewal has
/// succeeded for a whole lease duration (by then another instance may take it over). Used by the
/// distribution run and by the client (issue 12 points 7 and 8).
/// </summary>
public sealed class LeaseKeeper : ILeaseClaim
{
    private readonly IMessageStore _store;
    private readonly string _resource;
    private readonly string _owner;
    private readonly LeaseTiming _timing;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stopWork;
    private readonly CancellationTokenSource _stopLoop = new();
    private readonly HashSet<long> _watched = [];
    private Task _loop = Task.CompletedTask;

    private LeaseKeeper(IMessageStore store, string resource, string owner, LeaseTiming timing, TimeProvider time, ILogger log, CancellationToken caller)
    {
        (_store, _resource, _owner, _timing, _time, _log) = (store, resource, owner, timing, time, log);
        _stopWork = CancellationTokenSource.CreateLinkedTokenSource(caller);
    }

    /// <summary>
    /// Claims <paramref name="resource"/>. When another owner holds it, returns no keeper and that owner's claim;
    /// otherwise a keeper already renewing in the background.
    /// </summary>
    public static async Task<(LeaseKeeper? Keeper, LeaseResult Claim)> ClaimAsync(IMessageStore store, string resource, string owner,
        LeaseTiming timing, TimeProvider time, ILogger log, CancellationToken cancellationToken)
    {
        var claim = await store.TryAcquireLeaseAsync(resource, owner, timing.Duration, cancellationToken).ConfigureAwait(false);
        if (!claim.Acquired) return (null, claim);
        var keeper = new LeaseKeeper(store, resource, owner, timing, time, log, cancellationToken);
        keeper._loop = keeper.KeepAsync();
        return (keeper, claim);
    }

    public string Resource => _resource;

    /// <summary>Canceled when the work must stop (see the class summary); <see cref="Stop"/> says why, unless the caller canceled.</summary>
    public CancellationToken Token => _stopWork.Token;

    public LeaseStop Stop { get; private set; }

    public bool Lost => Stop == LeaseStop.LeaseLost;

    /// <summary>
    /// Renews the lease now, before a write that only the holder may make (a fence: the lease then runs a whole duration past
    /// this point); when it was taken over meanwhile, the work is stopped as lost and <see cref="Token"/> throws. A renewal that
    /// fails for another reason is left to the background loop.
    /// </summary>
    public async Task ConfirmAsync(CancellationToken cancellationToken)
    {
        Token.ThrowIfCancellationRequested();
        if (await TryRenewAsync(cancellationToken).ConfigureAwait(false) == false && Stop == LeaseStop.None)
        {
            _log.LogError("Lost the lease on {Resource}; stopping this work.", _resource);
            AsyncServerMetrics.LostLease(_resource);
            StopWork(LeaseStop.LeaseLost, null);
        }
        Token.ThrowIfCancellationRequested();
    }

    /// <summary>The watched session an operator canceled, when <see cref="Stop"/> is <see cref="LeaseStop.SessionCanceled"/>.</summary>
    public long? CanceledSession { get; private set; }

    /// <summary>Watches a session the work is creating: if an operator cancels it, the work stops.</summary>
    public void Watch(long sessionId)
    {
        lock (_watched) _watched.Add(sessionId);
    }

    /// <summary>Stops watching every session (their run recorded them).</summary>
    public void ClearWatched()
    {
        lock (_watched) _watched.Clear();
    }

    public IReadOnlyList<long> Watched
    {
        get { lock (_watched) return _watched.ToList(); }
    }

    private async Task KeepAsync()
    {
        var lastRenewed = _time.GetUtcNow();
        var lastAttempt = lastRenewed;
        var failures = 0;
        try
        {
            while (true)
            {
                await Task.Delay(_timing.Tick, _time, _stopLoop.Token).ConfigureAwait(false);
                if (await FindCanceledAsync().ConfigureAwait(false) is { } canceled)
                {
                    _log.LogWarning("Session {Id} was canceled while it was being created; stopping this run.", canceled);
                    StopWork(LeaseStop.SessionCanceled, canceled);
                    return;
                }
                var now = _time.GetUtcNow();
                if (failures == 0 && now - lastAttempt < _timing.RenewInterval) continue;
                lastAttempt = now;
                var renewed = await TryRenewAsync(_stopLoop.Token).ConfigureAwait(false);
                if (renewed == true) { lastRenewed = now; failures = 0; continue; }
                if (renewed == false || now - lastRenewed >= _timing.Duration)
                {
                    _log.LogError("Lost the lease on {Resource}{Why}; stopping this work.", _resource,
                        renewed == false ? "" : $" (no renewal succeeded for {_timing.Duration})");
                    AsyncServerMetrics.LostLease(_resource);
                    StopWork(LeaseStop.LeaseLost, null);
                    return;
                }
                failures++;
            }
        }
        catch (OperationCanceledException) when (_stopLoop.IsCancellationRequested) { }
    }

    /// <summary>True renewed, false refused (another owner holds it), null failed (retried on the next tick).</summary>
    private async Task<bool?> TryRenewAsync(CancellationToken ct)
    {
        try
        {
            return await _store.RenewLeaseAsync(_resource, _owner, _timing.Duration, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            _log.LogWarning("Renewing the lease on {Resource} failed: {Message}; retrying.", _resource, ex.Message);
            return null;
        }
    }

    private async Task<long?> FindCanceledAsync()
    {
        var ids = Watched;
        if (ids.Count == 0) return null;
        try
        {
            var sessions = await _store.QuerySessionsAsync(new SessionQuery { Ids = ids }, _stopLoop.Token).ConfigureAwait(false);
            return sessions.FirstOrDefault(s => s.Status == SessionStatus.Canceled)?.Id;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !_stopLoop.IsCancellationRequested)
        {
            _log.LogWarning("Checking sessions {Ids} for a cancel failed: {Message}; checking again.", string.Join(",", ids), ex.Message);
            return null;
        }
    }

    private void StopWork(LeaseStop why, long? session)
    {
        CanceledSession = session;
        Stop = why;
        _stopWork.Cancel();
    }

    /// <summary>Stops renewing and releases the lease (a failed release is logged: the lease expires by itself).</summary>
    public async ValueTask DisposeAsync()
    {
        _stopLoop.Cancel();
        await _loop.ConfigureAwait(false);
        try { await _store.ReleaseLeaseAsync(_resource, _owner, CancellationToken.None).ConfigureAwait(false); }
        catch (Exception ex) { _log.LogWarning("Could not release lease {Resource}: {Message}; it expires by itself.", _resource, ex.Message); }
        _stopWork.Dispose();
        _stopLoop.Dispose();
    }
}
