namespace AsyncServer.Messaging;

/// <summary>
/// The message database: every role below, in one object. One implementation (<see cref="Sql.SqlMessageStore"/>) over a
/// dialect per provider; all pass the MessageStore contract suite. Many server instances may share one store, so every
/// method is safe under concurrency from several processes. Callers that need one role should take that interface.
/// </summary>
public interface IMessageStore : IMessageDatabase, ILeaseStore, ISessionLedger, IChannelTargetLedger, IStatusMessageOutbox, IMessageRetention,
    IChannelActivityReader, IUploadLedger, IAsyncDisposable;

/// <summary>The database itself: which provider, and its schema.</summary>
public interface IMessageDatabase
{
    string Provider { get; }

    /// <summary>Creates the schema or upgrades it to <see cref="MessageSchema.CurrentVersion"/>.</summary>
    Task<MessageDatabaseInfo> InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Throws MessageDatabaseNotInitialized / MessageDatabaseOutdated unless the schema is current.</summary>
    Task EnsureReadyAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Leases: which instance works on a resource (a (data group, job) download, a channel database's receive). Expiry is
/// judged by the database server's clock, so instances whose clocks disagree cannot take each other's live leases.
/// </summary>
public interface ILeaseStore
{
    /// <summary>Claims a resource until now + ttl. Succeeds when it is free, expired, or already ours. Returns the current holder on failure.</summary>
    Task<LeaseResult> TryAcquireLeaseAsync(string resource, string owner, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>Extends our lease; false if we lost it (another instance took it over after expiry).</summary>
    Task<bool> RenewLeaseAsync(string resource, string owner, TimeSpan ttl, CancellationToken cancellationToken);

    Task ReleaseLeaseAsync(string resource, string owner, CancellationToken cancellationToken);
}

public sealed record LeaseResult(bool Acquired, string? Holder, DateTimeOffset? ExpiresAt);
