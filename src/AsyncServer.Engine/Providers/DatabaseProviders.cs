using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using AsyncServer.Data;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Npgsql;
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
            () => new SqliteConnectionStringBuilder(), SqliteConnections.FileOf),
        // PostgreSQL (docs/postgresql.md).
        new SqlDatabaseProvider(DatabaseProvider.PostgreSql, SqlDialect.PostgreSql, (c, _) => new PostgresConnector(c),
            PostgresMessageStoreSql.Instance, PostgresStatusArchiveSql.Instance, c => new PostgresChangeSource(c), c => new PostgresChannelTarget(c),
            () => new NpgsqlConnectionStringBuilder(), frequentStatements: PostgresFrequentStatements.Tune),
        // SQL Server (docs/sqlserver.md).
        new SqlDatabaseProvider(DatabaseProvider.SqlServer, SqlDialect.SqlServer, (c, _) => new SqlServerConnector(c),
            SqlServerMessageStoreSql.Instance, SqlServerStatusArchiveSql.Instance, c => new SqlServerChangeSource(c), c => new SqlServerChannelTarget(c),
            () => new SqlConnectionStringBuilder()),
    }.ToDictionary(p => p.Kind);

    public static IDatabaseProvider For(DatabaseProvider kind) => All[kind];

    public static IDatabaseProvider For(ResolvedConnection connection) => For(connection.Provider);

    /// <summary>
    /// Gives Data/ each provider's connection-string builder when the assembly loads, so a configured connection string is
    /// checked by its own driver before anything else runs, while Data/ names no driver.
    /// </summary>
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries",
        Justification = "It registers this assembly's own providers with this assembly's own registry; no other code is involved.")]
    internal static void RegisterConnectionDrivers()
    {
        foreach (var provider in All.Values) ConnectionDrivers.Register(provider.Kind, provider.NewConnectionStringBuilder);
    }
}
