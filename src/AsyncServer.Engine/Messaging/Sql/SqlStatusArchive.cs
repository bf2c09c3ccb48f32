namespace AsyncServer.Messaging.Sql;

/// <summary>
/// The HQ status tables, once, over any provider's <see cref="SqlConnector"/> and <see cref="StatusArchiveSql"/>: table
/// creation and each batch in one transaction. Writing is idempotent (docs/client.md, "Status tables in HQ").
/// </summary>
public sealed class SqlStatusArchive(SqlConnector connector, StatusArchiveSql sql, TimeProvider? time = null) : IStatusArchive
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        await using var conn = await connector.OpenAsync(create: false, cancellationToken).ConfigureAwait(false);
        await using var tx = await connector.BeginAsync(conn, cancellationToken).ConfigureAwait(false);
        var work = new SqlWork(connector, conn, tx, cancellationToken);
        if (sql.LockCreate is { } lockCreate) await work.ExecuteAsync(lockCreate).ConfigureAwait(false);
        await work.ExecuteAsync(sql.Create, sql.CreateParameters).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> WriteAsync(IReadOnlyList<StatusMessageRecord> messages, CancellationToken cancellationToken)
    {
        if (messages.Count == 0) return 0;
        await using var conn = await connector.OpenAsync(create: false, cancellationToken).ConfigureAwait(false);
        await using var tx = await connector.BeginAsync(conn, cancellationToken).ConfigureAwait(false);
        var inserted = await sql.WriteAsync(new SqlWork(connector, conn, tx, cancellationToken), messages, _time.GetUtcNow()).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return inserted;
    }

    public ValueTask DisposeAsync() => connector.DisposeAsync();
}
