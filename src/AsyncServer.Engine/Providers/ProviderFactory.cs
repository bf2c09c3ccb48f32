using AsyncServer.ChangeTracking;
using AsyncServer.Client;
using AsyncServer.Data;
using AsyncServer.Diagnostics;
using AsyncServer.Messaging;
using AsyncServer.Providers.PostgreSql;
using AsyncServer.Providers.Sqlite;
using AsyncServer.Providers.SqlServer;

namespace AsyncServer.Providers;

/// <summary>
/// Picks the implementation of each provider seam from a connection's provider. A provider that is not
/// built yet fails with ProviderNotAvailable, naming the seam, instead of a null reference later.
/// </summary>
public static class ProviderFactory
{
    public static IChangeSource CreateChangeSource(ResolvedConnection connection) => connection.Provider switch
    {
        DatabaseProvider.Sqlite => new SqliteChangeSource(connection),
        DatabaseProvider.PostgreSql => new PostgresChangeSource(connection),
        DatabaseProvider.SqlServer => new SqlServerChangeSource(connection),
        _ => throw NotAvailable(connection.Provider, "HQ change source"),
    };

    public static IMessageStore CreateMessageStore(ResolvedConnection connection, TimeProvider? time = null) => connection.Provider switch
    {
        DatabaseProvider.Sqlite => new SqliteMessageStore(connection, time),
        DatabaseProvider.PostgreSql => new PostgresMessageStore(connection, time),
        DatabaseProvider.SqlServer => new SqlServerMessageStore(connection, time),
        _ => throw NotAvailable(connection.Provider, "message database"),
    };

    public static IChannelTarget CreateChannelTarget(ResolvedConnection connection) => connection.Provider switch
    {
        DatabaseProvider.Sqlite => new SqliteChannelTarget(connection),
        DatabaseProvider.PostgreSql => new PostgresChannelTarget(connection),
        DatabaseProvider.SqlServer => new SqlServerChannelTarget(connection),
        _ => throw NotAvailable(connection.Provider, "channel database"),
    };

    public static IStatusArchive CreateStatusArchive(ResolvedConnection hqConnection) => hqConnection.Provider switch
    {
        DatabaseProvider.Sqlite => new SqliteStatusArchive(hqConnection),
        DatabaseProvider.PostgreSql => new PostgresStatusArchive(hqConnection),
        DatabaseProvider.SqlServer => new SqlServerStatusArchive(hqConnection),
        _ => throw NotAvailable(hqConnection.Provider, "HQ status tables"),
    };

    private static AsyncServerException NotAvailable(DatabaseProvider provider, string seam)
        => new(ErrorIds.ProviderNotAvailable, ErrorKind.NotImplemented, $"The {provider} provider for the {seam} is not available in this version.", provider);
}
