using AsyncServer.ChangeTracking;
using AsyncServer.Client;
using AsyncServer.Data;
using AsyncServer.Messaging;
using AsyncServer.Messaging.Sql;

namespace AsyncServer.Providers.PostgreSql;

/// <summary>PostgreSQL (docs/postgresql.md).</summary>
internal sealed class PostgresProvider : IDatabaseProvider
{
    public DatabaseProvider Kind => DatabaseProvider.PostgreSql;
    public SqlDialect Dialect => SqlDialect.PostgreSql;
    public IChangeSource OpenChangeSource(ResolvedConnection connection) => new PostgresChangeSource(connection);
    public IMessageStore OpenMessageStore(ResolvedConnection connection, TimeProvider? time = null) => new SqlMessageStore(new PostgresConnector(connection), PostgresMessageStoreSql.Instance, time);
    public IChannelTarget OpenChannelTarget(ResolvedConnection connection) => new PostgresChannelTarget(connection);
    public IStatusArchive OpenStatusArchive(ResolvedConnection hqConnection) => new SqlStatusArchive(new PostgresConnector(hqConnection), PostgresStatusArchiveSql.Instance);
    public string? DatabaseFile(ResolvedConnection connection) => null;
}
