using AsyncServer.Data;
using AsyncServer.Providers.PostgreSql;
using AsyncServer.Providers.Sqlite;
using AsyncServer.Providers.SqlServer;

namespace AsyncServer.Providers;

/// <summary>The provider object of each database kind: the one place that lists them and names their parts.</summary>
public static class DatabaseProviders
{
    private static readonly Dictionary<DatabaseProvider, IDatabaseProvider> All = new IDatabaseProvider[]
    {
        // SQLite: a file per database, one writer at a time.
        new SqlDatabaseProvider(DatabaseProvider.Sqlite, SqlDialect.Sqlite, (c, keepAlive) => new SqliteConnector(c, keepAlive),
            SqliteMessageStoreSql.Instance, SqliteStatusArchiveSql.Instance, c => new SqliteChangeSource(c), c => new SqliteChannelTarget(c),
            SqliteConnections.FileOf),
        // PostgreSQL (docs/postgresql.md).
        new SqlDatabaseProvider(DatabaseProvider.PostgreSql, SqlDialect.PostgreSql, (c, _) => new PostgresConnector(c),
            PostgresMessageStoreSql.Instance, PostgresStatusArchiveSql.Instance, c => new PostgresChangeSource(c), c => new PostgresChannelTarget(c)),
        // SQL Server (docs/sqlserver.md).
        new SqlDatabaseProvider(DatabaseProvider.SqlServer, SqlDialect.SqlServer, (c, _) => new SqlServerConnector(c),
            SqlServerMessageStoreSql.Instance, SqlServerStatusArchiveSql.Instance, c => new SqlServerChangeSource(c), c => new SqlServerChannelTarget(c)),
    }.ToDictionary(p => p.Kind);

    public static IDatabaseProvider For(DatabaseProvider kind) => All[kind];

    public static IDatabaseProvider For(ResolvedConnection connection) => For(connection.Provider);
}
