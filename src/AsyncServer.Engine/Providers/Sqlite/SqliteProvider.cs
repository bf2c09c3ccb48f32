using AsyncServer.ChangeTracking;
using AsyncServer.Client;
using AsyncServer.Data;
using AsyncServer.Messaging;
using AsyncServer.Messaging.Sql;

namespace AsyncServer.Providers.Sqlite;

/// <summary>SQLite: a file per database, one writer at a time (docs/architecture.md, seams).</summary>
internal sealed class SqliteProvider : IDatabaseProvider
{
    public DatabaseProvider Kind => DatabaseProvider.Sqlite;
    public SqlDialect Dialect => SqlDialect.Sqlite;
    public IChangeSource OpenChangeSource(ResolvedConnection connection) => new SqliteChangeSource(connection);
    public IMessageStore OpenMessageStore(ResolvedConnection connection, TimeProvider? time = null) => new SqlMessageStore(new SqliteConnector(connection, keepAlive: true), SqliteMessageStoreSql.Instance, time);
    public IChannelTarget OpenChannelTarget(ResolvedConnection connection) => new SqliteChannelTarget(connection);
    public IStatusArchive OpenStatusArchive(ResolvedConnection hqConnection) => new SqlStatusArchive(new SqliteConnector(hqConnection), SqliteStatusArchiveSql.Instance);
    public string? DatabaseFile(ResolvedConnection connection) => SqliteConnections.FileOf(connection);
}
