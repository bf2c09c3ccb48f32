using AsyncServer.Data;
using AsyncServer.Providers.Sqlite;
using AsyncServer.Tests.Support;

namespace AsyncServer.Tests.Contracts;

/// <summary>SQLite databases as files in one temp folder per test class.</summary>
public sealed class SqliteFixture : IProviderFixture, IDisposable
{
    private readonly TempFolder _folder = new("sqlite");

    public DatabaseProvider Provider => DatabaseProvider.Sqlite;

    public Task<ResolvedConnection> CreateDatabaseAsync(string hint)
        => Task.FromResult(ResolvedConnection.FromString(DatabaseProvider.Sqlite, $"Data Source={_folder.File($"{hint}-{Guid.NewGuid():N}.db")}"));

    public async Task ExecuteAsync(ResolvedConnection database, string sql)
    {
        await using var conn = await SqliteConnections.OpenAsync(database, create: true, default);
        await SqliteConnections.ExecuteAsync(conn, sql, default);
    }

    public async Task<object?> ScalarAsync(ResolvedConnection database, string sql)
    {
        await using var conn = await SqliteConnections.OpenAsync(database, create: true, default);
        return await SqliteConnections.ScalarAsync(conn, sql, default);
    }

    public string CreateItemsTableSql => """
        CREATE TABLE ITEMS (ID BIGINT NOT NULL PRIMARY KEY, DATAAREAID NVARCHAR(4) NOT NULL, NAME NVARCHAR(100),
            AMOUNT DECIMAL(20,6), CHANGED DATETIME, G UNIQUEIDENTIFIER, DATA VARBINARY(100))
        """;

    public void Dispose() => _folder.Dispose();
}
