using System.Data.Common;
using System.Globalization;
using AsyncServer.Diagnostics;

namespace AsyncServer.Messaging.Sql;

/// <summary>
/// The message store, once, over any provider's dialect: it owns every transaction, fence, error and status-message
/// write; the provider brings its <see cref="MessageStoreSql"/> (the SQL texts, the DDL, the bulk target insert) and its
/// <see cref="SqlConnector"/> (connections, the lock primitive, how values are stored). Session timestamps follow the
/// injected clock; lease expiry follows the database server's.
/// The partial files hold one role each (docs/message-database.md).
/// </summary>
public sealed partial class SqlMessageStore(SqlConnector connector, MessageStoreSql sql, TimeProvider? time = null) : IMessageStore
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    private MessageStoreSql Sql => sql;

    public string Provider => connector.Provider;

    private DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>Runs <paramref name="work"/> on its own connection, in one transaction unless <paramref name="transaction"/> is false.</summary>
    private Task<T> RunAsync<T>(Func<SqlWork, Task<T>> work, CancellationToken ct, bool transaction = true) => connector.RunAsync(work, ct, transaction);

    private Task<bool> RunAsync(Func<SqlWork, Task> work, CancellationToken ct, bool transaction = true)
        => RunAsync(async w => { await work(w).ConfigureAwait(false); return true; }, ct, transaction);

    private Task LockAsync(SqlWork w, string resource) => connector.LockAsync(w.Connection, w.Transaction!, resource, w.CancellationToken);

    private IEnumerable<(string, object?)> List<T>(string prefix, IReadOnlyList<T> values) => connector.List(prefix, values);

    private static List<string> Names(IReadOnlyList<SessionStatus> statuses) => statuses.Select(s => s.ToString()).ToList();

    private static long? ToLong(object? value) => value is null ? null : Convert.ToInt64(value, CultureInfo.InvariantCulture);

    // ---- IMessageDatabase --------------------------------------------------------------------------------------------

    public Task<MessageDatabaseInfo> InitializeAsync(CancellationToken cancellationToken)
    {
        var missing = connector.IsMissing;
        return connector.RunAsync(async w =>
        {
            await LockAsync(w, "schema").ConfigureAwait(false);
            var previous = await ReadVersionAsync(w).ConfigureAwait(false);
            if (previous > MessageSchema.CurrentVersion) throw MessageSchema.TooNew(previous, connector.Display);
            if (Sql.Migrations.Count != MessageSchema.CurrentVersion)
                throw new InvalidOperationException(
                    $"The {Provider} message store has {Sql.Migrations.Count} migrations for schema version {MessageSchema.CurrentVersion}.");
            for (var v = previous; v < MessageSchema.CurrentVersion; v++)
                await w.ExecuteAsync(Sql.Migrations[v]).ConfigureAwait(false);
            await w.ExecuteAsync(Sql.WriteSchemaVersion, ("@version", MessageSchema.CurrentVersion), ("@now", Now)).ConfigureAwait(false);
            return new MessageDatabaseInfo(Provider, connector.Display, MessageSchema.CurrentVersion, previous, missing || previous == 0);
        }, cancellationToken, create: true);
    }

    private async Task<int> ReadVersionAsync(SqlWork w)
    {
        var exists = await w.ScalarAsync(Sql.TableExists, ("@table", Sql.SchemaInfoTable)).ConfigureAwait(false);
        if (exists is null || !Convert.ToBoolean(exists, CultureInfo.InvariantCulture)) return 0;
        var v = await w.ScalarAsync(Sql.ReadSchemaVersion).ConfigureAwait(false);
        return v is null ? 0 : Convert.ToInt32(v, CultureInfo.InvariantCulture);
    }

    public async Task EnsureReadyAsync(CancellationToken cancellationToken)
    {
        if (connector.IsMissing) throw MessageSchema.NotInitialized(connector.Display);
        var version = await RunAsync(ReadVersionAsync, cancellationToken, transaction: false).ConfigureAwait(false);
        MessageSchema.EnsureCurrent(version, connector.Display);
    }

    public ValueTask DisposeAsync() => connector.DisposeAsync();

    private static AsyncServerException Conflict(string why) => new(ErrorIds.ConcurrentRun, ErrorKind.ResourceBusy,
        $"Another instance distributed this work first: {why}. Nothing was recorded by this run.", why);
}
