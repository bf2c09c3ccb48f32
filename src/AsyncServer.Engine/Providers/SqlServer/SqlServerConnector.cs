using System.Data;
using System.Data.Common;
using System.Globalization;
using AsyncServer.Data;
using AsyncServer.Diagnostics;
using AsyncServer.Messaging.Sql;
using Microsoft.Data.SqlClient;

namespace AsyncServer.Providers.SqlServer;

/// <summary>
/// SQL Server for the SQL parts. Many instances may share a message database: every read-decide-write runs in a read-committed
/// transaction that first takes an exclusive, transaction-owned application lock (sp_getapplock) on the lease (or
/// schema) it concerns, and reads the rows it will change WITH (UPDLOCK, HOLDLOCK). Times are stored as datetime2(7)
/// in UTC; lease times are the server's SYSUTCDATETIME().
/// </summary>
internal sealed class SqlServerConnector(ResolvedConnection connection) : SqlConnector
{
    /// <summary>How long a caller waits for another instance's lock on the same lease or schema before giving up.</summary>
    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(60);

    public override string Provider => "sqlserver";
    public override string Display => connection.Display;
    public override int? CommandTimeoutSeconds => SqlServerConnections.CommandTimeoutSeconds;

    public override async Task<DbConnection> OpenAsync(bool create, CancellationToken cancellationToken)
        => await SqlServerConnections.OpenAsync(connection, cancellationToken).ConfigureAwait(false);

    public override async Task<DbTransaction> BeginAsync(DbConnection conn, CancellationToken cancellationToken)
        => await conn.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);

    public override async Task LockAsync(DbConnection conn, DbTransaction tx, string resource, CancellationToken cancellationToken)
    {
        var getAppLock = SqlServerMessageStoreSql.GetAppLock;
        var result = Convert.ToInt32(await SqlServerConnections.ScalarAsync((SqlConnection)conn, getAppLock, cancellationToken, (SqlTransaction)tx,
            ("@lockResource", SqlServerMessageStoreSql.AppLockName(resource)), ("@lockMode", "Exclusive"), ("@lockOwner", "Transaction"),
            ("@lockTimeout", (int)LockWait.TotalMilliseconds)).ConfigureAwait(false), CultureInfo.InvariantCulture);
        if (result < 0)
            throw new AsyncServerException(ErrorIds.WorkClaimedElsewhere, ErrorKind.ResourceBusy,
                $"Message database {connection.Display}: could not lock '{resource}' within {LockWait.TotalSeconds:0} seconds " +
                $"(sp_getapplock returned {result}); another instance holds it.", resource);
    }

    /// <summary>Times as UTC datetime2; lease durations as whole milliseconds for DATEADD.</summary>
    public override DbParameter Parameter(string name, object? value) => SqlServerConnections.Parameter(name, value switch
    {
        DateTimeOffset t => t.UtcDateTime,
        TimeSpan d => (int)Math.Clamp(d.TotalMilliseconds, 0, int.MaxValue),
        _ => value,
    });

    public override DateTimeOffset ReadTime(DbDataReader reader, int ordinal) => new(DateTime.SpecifyKind(reader.GetDateTime(ordinal), DateTimeKind.Utc));
}
