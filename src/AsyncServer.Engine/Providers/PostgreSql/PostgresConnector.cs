using System.Data.Common;
using AsyncServer.Data;
using AsyncServer.Messaging.Sql;
using Npgsql;

namespace AsyncServer.Providers.PostgreSql;

/// <summary>
/// PostgreSQL for the SQL parts: times as timestamptz in UTC, durations as intervals, lists as arrays; the schema lock
/// is an advisory lock, leases are serialized by the row locks of their statements (<see cref="PostgresMessageStoreSql"/>).
/// </summary>
internal sealed class PostgresConnector(ResolvedConnection connection) : SqlConnector
{
    public override string Provider => "postgresql";
    public override string Display => connection.Display;

    public override async Task<DbConnection> OpenAsync(bool create, CancellationToken cancellationToken)
        => await PostgresConnections.OpenAsync(connection, cancellationToken).ConfigureAwait(false);

    /// <summary>The schema takes an advisory lock; leases are serialized by the row locks their statements take.</summary>
    public override async Task LockAsync(DbConnection conn, DbTransaction tx, string resource, CancellationToken cancellationToken)
    {
        if (resource != "schema") return;
        await PostgresConnections.ExecuteAsync((NpgsqlConnection)conn, PostgresMessageStoreSql.LockSchema, cancellationToken, (NpgsqlTransaction)tx)
            .ConfigureAwait(false);
    }

    /// <summary>Times in UTC (timestamptz refuses other offsets); lease durations as intervals.</summary>
    public override DbParameter Parameter(string name, object? value) => PostgresConnections.Parameter(name, value);

    public override IEnumerable<(string Name, object? Value)> List<T>(string prefix, IReadOnlyList<T> values) => [($"@{prefix}", values.ToArray())];

    public override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) => reader.GetFieldValue<DateTimeOffset>(ordinal);
}
