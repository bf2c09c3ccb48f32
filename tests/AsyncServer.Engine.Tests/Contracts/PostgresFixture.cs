using AsyncServer.Data;
using AsyncServer.Tests.Support;
using Npgsql;

namespace AsyncServer.Tests.Contracts;

/// <summary>
/// PostgreSQL for the contract suites and the PostgreSQL tests: one server per test run (shared through the
/// "PostgreSQL" collection, whose tests run one after another), a fresh database per test.
/// </summary>
public sealed class PostgresFixture : IProviderFixture, IDisposable
{
    public PostgresServer Server { get; } = new();

    public DatabaseProvider Provider => DatabaseProvider.PostgreSql;

    public async Task<ResolvedConnection> CreateDatabaseAsync(string hint)
        => ResolvedConnection.FromString(DatabaseProvider.PostgreSql, await Server.CreateDatabaseAsync(hint));

    public async Task ExecuteAsync(ResolvedConnection database, string sql)
    {
        await using var conn = new NpgsqlConnection(database.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task<object?> ScalarAsync(ResolvedConnection database, string sql)
    {
        await using var conn = new NpgsqlConnection(database.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        var result = await cmd.ExecuteScalarAsync();
        return result is DBNull ? null : result;
    }

    public string CreateItemsTableSql => """
        CREATE TABLE ITEMS (ID BIGINT NOT NULL PRIMARY KEY, DATAAREAID VARCHAR(4) NOT NULL, NAME VARCHAR(100),
            AMOUNT NUMERIC(20,6), CHANGED TIMESTAMP, G UUID, DATA BYTEA)
        """;

    public void Dispose() => Server.Dispose();
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "PostgreSQL";
}
