using System.Data.Common;
using AsyncServer.Data;

namespace AsyncServer.Messaging.Sql;

/// <summary>
/// One unit of message-store work: a connection, its transaction (if any) and the caller's token, with the few ways
/// <see cref="SqlMessageStore"/> runs a text. Every value goes through <see cref="SqlConnector.Parameter"/>.
/// </summary>
public sealed class SqlWork(SqlConnector connector, DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
{
    public DbConnection Connection => connection;
    public DbTransaction? Transaction => transaction;
    public CancellationToken CancellationToken => cancellationToken;

    public DbCommand Command(string sql, params IEnumerable<(string Name, object? Value)> parameters)
    {
        var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = transaction;
        if (connector.CommandTimeoutSeconds is { } seconds) cmd.CommandTimeout = seconds;
        Bind(cmd, parameters);
        return cmd;
    }

    private void Bind(DbCommand cmd, IEnumerable<(string Name, object? Value)> parameters)
    {
        cmd.Parameters.Clear();
        foreach (var (name, value) in parameters) cmd.Parameters.Add(connector.Parameter(name, value));
    }

    /// <summary>Runs a command again with new values (a fan-out reuses its prepared statements).</summary>
    public Task<int> RunAsync(DbCommand cmd, params IEnumerable<(string Name, object? Value)> parameters)
    {
        Bind(cmd, parameters);
        return cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    public Task<int> ExecuteAsync(string sql, params IEnumerable<(string Name, object? Value)> parameters)
        => DbCommands.ExecuteAsync(Command(sql, parameters), cancellationToken);

    public Task<object?> ScalarAsync(string sql, params IEnumerable<(string Name, object? Value)> parameters)
        => DbCommands.ScalarAsync(Command(sql, parameters), cancellationToken);

    public async Task<List<T>> ReadAsync<T>(string sql, Func<DbDataReader, T> map, params IEnumerable<(string Name, object? Value)> parameters)
    {
        var list = new List<T>();
        await using var cmd = Command(sql, parameters);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) list.Add(map(reader));
        return list;
    }
}
