using AsyncServer.Data;

namespace AsyncServer.Tests.Contracts;

/// <summary>
/// What a contract suite needs from a provider's test setup: fresh empty databases and a way to run the
/// provider's own SQL in them. SQLite uses files in a temp folder, PostgreSQL a throwaway server, SQL Server
/// the server named by ASYNCSERVER_TEST_SQLSERVER.
/// </summary>
public interface IProviderFixture
{
    DatabaseProvider Provider { get; }

    /// <summary>A new, empty database, unique to the caller.</summary>
    Task<ResolvedConnection> CreateDatabaseAsync(string hint);

    Task ExecuteAsync(ResolvedConnection database, string sql);

    Task<object?> ScalarAsync(ResolvedConnection database, string sql);

    /// <summary>
    /// DDL of the contract's HQ table ITEMS, in the provider's dialect:
    /// ID integer primary key, DATAAREAID 4-char text not null, NAME Unicode text null, AMOUNT decimal(20,6) null,
    /// CHANGED datetime null, G guid null, DATA binary null.
    /// </summary>
    string CreateItemsTableSql { get; }
}
