using System.Data.Common;
using AsyncServer.ChangeTracking;
using AsyncServer.Client;
using AsyncServer.Data;
using AsyncServer.Messaging;
using AsyncServer.Messaging.Sql;

namespace AsyncServer.Providers;

/// <summary>
/// A provider object: how one database kind opens each seam. The message store and the status archive are the shared
/// SQL parts over the kind's connector and texts; the change source and channel target are the kind's own.
/// </summary>
internal sealed class SqlDatabaseProvider(
    DatabaseProvider kind,
    SqlDialect dialect,
    Func<ResolvedConnection, bool, SqlConnector> connector,
    MessageStoreSql messageStoreSql,
    StatusArchiveSql statusArchiveSql,
    Func<ResolvedConnection, IChangeSource> changeSource,
    Func<ResolvedConnection, IChannelTarget> channelTarget,
    Func<DbConnectionStringBuilder> connectionStringBuilder,
    Func<ResolvedConnection, string?>? databaseFile = null,
    Func<ResolvedConnection, ResolvedConnection>? frequentStatements = null) : IDatabaseProvider
{
    public DatabaseProvider Kind => kind;
    public SqlDialect Dialect => dialect;
    public IChangeSource OpenChangeSource(ResolvedConnection connection) => changeSource(connection);

    /// <summary>The store's connector keeps a connection open for the store's lifetime where that matters (SQLite's WAL).</summary>
    public IMessageStore OpenMessageStore(ResolvedConnection connection, TimeProvider? time = null)
        => new SqlMessageStore(connector(connection, true), messageStoreSql, time);

    public IChannelTarget OpenChannelTarget(ResolvedConnection connection) => channelTarget(connection);
    public IStatusArchive OpenStatusArchive(ResolvedConnection hqConnection) => new SqlStatusArchive(connector(hqConnection, false), statusArchiveSql);
    public SqlConnector OpenConnector(ResolvedConnection connection) => connector(connection, false);
    public string? DatabaseFile(ResolvedConnection connection) => databaseFile?.Invoke(connection);
    public DbConnectionStringBuilder NewConnectionStringBuilder() => connectionStringBuilder();
    public ResolvedConnection ForFrequentStatements(ResolvedConnection connection) => frequentStatements?.Invoke(connection) ?? connection;
}
