using System.Data.Common;
using System.Globalization;
using AsyncServer.Data;
using AsyncServer.Messaging;
using AsyncServer.Messaging.Sql;
using Microsoft.Data.Sqlite;

namespace AsyncServer.Providers.Sqlite;

/// <summary>
/// SQLite for the SQL parts. Several processes may share a message database file: every transaction is BEGIN IMMEDIATE (one writer
/// at a time, others wait on the busy timeout), which is also the lock primitive, and the journal is WAL so readers
/// never block.
/// </summary>
internal sealed class SqliteConnector(ResolvedConnection connection, bool keepAlive = false) : SqlConnector
{
    // With keepAlive (the message store): one idle connection held for the store's lifetime. SQLite checkpoints the WAL into the database file
    // whenever the last connection to it closes; with a connection per operation (no pooling, so files are
    // never left locked) that was a checkpoint per operation, the largest cost of a 500-database fan-out.
    // Held open, the other closes are not the last; the store's own DisposeAsync does the final checkpoint.
    private SqliteConnection? _keepAlive;

    public override string Provider => "sqlite";
    public override string Display => connection.Display;
    public override bool IsMissing => SqliteConnections.IsMissingFile(connection);

    public override async Task<DbConnection> OpenAsync(bool create, CancellationToken cancellationToken)
    {
        var conn = await SqliteConnections.OpenAsync(connection, create, cancellationToken).ConfigureAwait(false);
        if (keepAlive && Volatile.Read(ref _keepAlive) is null)
        {
            var keeper = await SqliteConnections.OpenAsync(connection, create: false, cancellationToken).ConfigureAwait(false);
            // A read attaches it to the WAL index; a connection that never read does not count as open.
            await SqliteConnections.ScalarAsync(keeper, "SELECT count(*) FROM sqlite_master", cancellationToken).ConfigureAwait(false);
            if (Interlocked.CompareExchange(ref _keepAlive, keeper, null) is not null) await keeper.DisposeAsync().ConfigureAwait(false);
        }
        return conn;
    }

    public override Task PrepareAsync(DbConnection conn, CancellationToken cancellationToken)
        => SqliteConnections.ExecuteAsync((SqliteConnection)conn, "PRAGMA journal_mode = WAL;", cancellationToken);

    /// <summary>Microsoft.Data.Sqlite begins IMMEDIATE (not deferred) by default: the write lock is taken at BEGIN.</summary>
    public override Task LockAsync(DbConnection conn, DbTransaction tx, string resource, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Times as <see cref="StoreTime"/> text; lease durations as a strftime modifier; booleans as 0/1.</summary>
    public override DbParameter Parameter(string name, object? value) => new SqliteParameter(name, value switch
    {
        null => DBNull.Value,
        DateTimeOffset t => StoreTime.ToText(t),
        TimeSpan d => string.Create(CultureInfo.InvariantCulture, $"+{d.TotalSeconds:0.000} seconds"),
        bool b => b ? 1 : 0,
        _ => value,
    });

    public override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) => StoreTime.FromText(reader.GetString(ordinal));

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _keepAlive, null) is { } keeper) await keeper.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
