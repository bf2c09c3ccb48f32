namespace AsyncServer.Messaging.Sql;

/// <summary>
/// The HQ status tables, once, over any provider's <see cref="SqlConnector"/> and <see cref="StatusArchiveSql"/>: table
/// creation and each batch in one transaction. Writing is idempotent (docs/client.md, "Status tables in HQ").
/// </summary>
public sealed class SqlStatusArchive(SqlConnector connector, StatusArchiveSql sql, TimeProvider? time = null) : IStatusArchive
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public Task EnsureCreatedAsync(CancellationToken cancellationToken) => connector.RunAsync(async work =>
    {
        if (sql.LockCreate is { } lockCreate) await work.ExecuteAsync(lockCreate).ConfigureAwait(false);
        return await work.ExecuteAsync(sql.Create, sql.CreateParameters).ConfigureAwait(false);
    }, cancellationToken);

    public Task<int> WriteAsync(IReadOnlyList<StatusMessageRecord> messages, CancellationToken cancellationToken)
        => messages.Count == 0 ? Task.FromResult(0) : connector.RunAsync(work => sql.WriteAsync(work, messages, _time.GetUtcNow()), cancellationToken);

    public ValueTask DisposeAsync() => connector.DisposeAsync();
}
