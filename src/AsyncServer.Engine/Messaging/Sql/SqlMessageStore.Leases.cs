namespace AsyncServer.Messaging.Sql;

/// <summary>Leases, judged by the database server's clock (issue 12, point 9).</summary>
public sealed partial class SqlMessageStore
{
    public Task<LeaseResult> TryAcquireLeaseAsync(string resource, string owner, TimeSpan ttl, CancellationToken cancellationToken)
        => RunAsync(async w =>
        {
            await LockAsync(w, "lease:" + resource).ConfigureAwait(false);
            var rows = await w.ReadAsync(Sql.ClaimLease, r => (Owner: r.GetString(0), Expires: connector.ReadTime(r, 1)),
                ("@r", resource), ("@o", owner), ("@ttl", ttl)).ConfigureAwait(false);
            if (rows.Count == 0) return new LeaseResult(false, null, null);
            var (holder, expires) = rows[0];
            return new LeaseResult(string.Equals(holder, owner, StringComparison.Ordinal), holder, expires);
        }, cancellationToken);

    public Task<bool> RenewLeaseAsync(string resource, string owner, TimeSpan ttl, CancellationToken cancellationToken)
        => RunAsync(async w => await w.ExecuteAsync(Sql.RenewLease, ("@r", resource), ("@o", owner), ("@ttl", ttl)).ConfigureAwait(false) == 1,
            cancellationToken, transaction: false);

    public Task ReleaseLeaseAsync(string resource, string owner, CancellationToken cancellationToken)
        => RunAsync(w => w.ExecuteAsync(Sql.ReleaseLease, ("@r", resource), ("@o", owner)), cancellationToken, transaction: false);
}
