using AsyncServer.ChangeTracking;
using AsyncServer.Client;
using AsyncServer.Data;
using AsyncServer.Messaging;
using AsyncServer.Messaging.Sql;

namespace AsyncServer.Providers.SqlServer;

/// <summary>SQL Server (docs/sqlserver.md).</summary>
internal sealed class SqlServerProvider : IDatabaseProvider
{
    public DatabaseProvider Kind => DatabaseProvider.SqlServer;
    public SqlDialect Dialect => SqlDialect.SqlServer;
    public IChangeSource OpenChangeSource(ResolvedConnection connection) => new SqlServerChangeSource(connection);
    public IMessageStore OpenMessageStore(ResolvedConnection connection, TimeProvider? time = null) => new SqlMessageStore(new SqlServerConnector(connection), SqlServerMessageStoreSql.Instance, time);
    public IChannelTarget OpenChannelTarget(ResolvedConnection connection) => new SqlServerChannelTarget(connection);
    public IStatusArchive OpenStatusArchive(ResolvedConnection hqConnection) => new SqlStatusArchive(new SqlServerConnector(hqConnection), SqlServerStatusArchiveSql.Instance);
    public string? DatabaseFile(ResolvedConnection connection) => null;
}
