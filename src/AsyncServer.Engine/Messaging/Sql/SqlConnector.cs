using System.Data.Common;

namespace AsyncServer.Messaging.Sql;

/// <summary>
/// How the SQL parts (<see cref="SqlMessageStore"/>, <see cref="SqlStatusArchive"/>) talk to one provider's database
/// besides the SQL texts: opening a connection, beginning a transaction, the lock primitive, and how values are stored
/// (times, durations, booleans, lists). One instance per store or archive (SQLite's may keep a connection open for the
/// store's lifetime).
/// </summary>
public abstract class SqlConnector : IAsyncDisposable
{
    /// <summary>The provider's name, as <see cref="IMessageDatabase.Provider"/> reports it.</summary>
    public abstract string Provider { get; }

    /// <summary>The redacted display form of the database, for messages.</summary>
    public abstract string Display { get; }

    /// <summary>Seconds a command may wait (lock waits included) before it fails; null for the driver's default.</summary>
    public virtual int? CommandTimeoutSeconds => null;

    /// <summary>True when the database certainly does not exist yet (a SQLite file not created): nothing to open.</summary>
    public virtual bool IsMissing => false;

    /// <param name="create">Initialize-AsyncMessageDatabase: the database may be created.</param>
    public abstract Task<DbConnection> OpenAsync(bool create, CancellationToken cancellationToken);

    /// <summary>Runs once per Initialize, before the schema transaction (SQLite: the WAL journal).</summary>
    public virtual Task PrepareAsync(DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    public virtual async Task<DbTransaction> BeginAsync(DbConnection connection, CancellationToken cancellationToken)
        => await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Runs <paramref name="work"/> on a connection of its own, in one transaction unless <paramref name="transaction"/> is false.</summary>
    /// <param name="create">Initialize-AsyncMessageDatabase: the database may be created, and is prepared (<see cref="PrepareAsync"/>) first.</param>
    public async Task<T> RunAsync<T>(Func<SqlWork, Task<T>> work, CancellationToken cancellationToken, bool transaction = true, bool create = false)
    {
        await using var conn = await OpenAsync(create, cancellationToken).ConfigureAwait(false);
        if (create) await PrepareAsync(conn, cancellationToken).ConfigureAwait(false);
        if (!transaction) return await work(new SqlWork(this, conn, null, cancellationToken)).ConfigureAwait(false);
        await using var tx = await BeginAsync(conn, cancellationToken).ConfigureAwait(false);
        var result = await work(new SqlWork(this, conn, tx, cancellationToken)).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// Serializes, across every instance sharing the database, the work of one transaction on <paramref name="resource"/>
    /// ("schema", or "lease:" and the lease's name) until the transaction ends; a no-op where the transaction itself
    /// already serializes it (SQLite's BEGIN IMMEDIATE) or row locks in the statements do (PostgreSQL's leases).
    /// </summary>
    public abstract Task LockAsync(DbConnection connection, DbTransaction transaction, string resource, CancellationToken cancellationToken);

    /// <summary>A parameter whose value is stored the provider's way (times, durations, booleans).</summary>
    public abstract DbParameter Parameter(string name, object? value);

    /// <summary>The parameters of a list that the SQL texts name with <paramref name="prefix"/>: @p0, @p1, ... or one array @p.</summary>
    public virtual IEnumerable<(string Name, object? Value)> List<T>(string prefix, IReadOnlyList<T> values)
        => values.Select((v, i) => ($"@{prefix}{i}", (object?)v));

    /// <summary>Reads a non-null timestamp column.</summary>
    public abstract DateTimeOffset ReadTime(DbDataReader reader, int ordinal);

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}
