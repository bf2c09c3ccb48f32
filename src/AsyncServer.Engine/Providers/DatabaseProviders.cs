using AsyncServer.Data;
using AsyncServer.Providers.PostgreSql;
using AsyncServer.Providers.Sqlite;
using AsyncServer.Providers.SqlServer;

namespace AsyncServer.Providers;

/// <summary>The provider object of each database kind: the one place that lists them.</summary>
public static class DatabaseProviders
{
    private static readonly IReadOnlyDictionary<DatabaseProvider, IDatabaseProvider> All = new IDatabaseProvider[]
    {
        new SqliteProvider(), new PostgresProvider(), new SqlServerProvider(),
    }.ToDictionary(p => p.Kind);

    public static IDatabaseProvider For(DatabaseProvider kind) => All[kind];

    public static IDatabaseProvider For(ResolvedConnection connection) => For(connection.Provider);
}
