using AsyncServer.Data;
using AsyncServer.Messaging;
using Microsoft.Data.Sqlite;

namespace AsyncServer.Providers.Sqlite;

/// <summary>The HQ status tables on SQLite: ASYNCSTATUSMESSAGE (one row per message) and ASYNCSESSIONSTATUS (latest status per session and channel database).</summary>
public sealed class SqliteStatusArchive(ResolvedConnection connection) : IStatusArchive
{
    internal const string Ddl = """
        CREATE TABLE IF NOT EXISTS ASYNCSTATUSMESSAGE (
            MESSAGEID BIGINT NOT NULL PRIMARY KEY,
            SESSIONID BIGINT NOT NULL,
            PARTITIONID NVARCHAR(100),
            JOBID NVARCHAR(100),
            DATAGROUP NVARCHAR(100),
            CHANNELDATABASE NVARCHAR(100) NOT NULL,
            STATUS NVARCHAR(20) NOT NULL,
            MESSAGE NVARCHAR(4000),
            CREATEDDATETIME DATETIME NOT NULL,
            MOVEDDATETIME DATETIME NOT NULL);
        CREATE INDEX IF NOT EXISTS IX_ASYNCSTATUSMESSAGE_SESSION ON ASYNCSTATUSMESSAGE (SESSIONID, CHANNELDATABASE);
        CREATE TABLE IF NOT EXISTS ASYNCSESSIONSTATUS (
            SESSIONID BIGINT NOT NULL,
            CHANNELDATABASE NVARCHAR(100) NOT NULL,
            PARTITIONID NVARCHAR(100),
            JOBID NVARCHAR(100),
            DATAGROUP NVARCHAR(100),
            STATUS NVARCHAR(20) NOT NULL,
            MESSAGE NVARCHAR(4000),
            UPDATEDDATETIME DATETIME NOT NULL,
            LASTMESSAGEID BIGINT NOT NULL,
            PRIMARY KEY (SESSIONID, CHANNELDATABASE));
        """;

    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        await using var conn = await SqliteConnections.OpenAsync(connection, create: false, cancellationToken).ConfigureAwait(false);
        await SqliteConnections.ExecuteAsync(conn, Ddl, cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> WriteAsync(IReadOnlyList<StatusMessageRecord> messages, CancellationToken cancellationToken)
    {
        if (messages.Count == 0) return 0;
        await using var conn = await SqliteConnections.OpenAsync(connection, create: false, cancellationToken).ConfigureAwait(false);
        await using var tx = (SqliteTransaction)await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var moved = DateTime.UtcNow;
        var inserted = 0;
        foreach (var m in messages)
        {
            var db = m.ChannelDatabase ?? "";
            inserted += await SqliteConnections.ExecuteAsync(conn,
                "INSERT INTO ASYNCSTATUSMESSAGE (MESSAGEID, SESSIONID, PARTITIONID, JOBID, DATAGROUP, CHANNELDATABASE, STATUS, MESSAGE, CREATEDDATETIME, MOVEDDATETIME) " +
                "VALUES (@id, @s, @p, @j, @g, @c, @st, @m, @at, @moved) ON CONFLICT (MESSAGEID) DO NOTHING",
                cancellationToken, tx, ("@id", m.Id), ("@s", m.SessionId), ("@p", m.Partition), ("@j", m.JobId), ("@g", m.DataGroup), ("@c", db),
                ("@st", m.Status.ToString()), ("@m", m.Message), ("@at", m.CreatedAt.UtcDateTime), ("@moved", moved)).ConfigureAwait(false);
            // The latest message wins, whatever order batches arrive in.
            await SqliteConnections.ExecuteAsync(conn,
                "INSERT INTO ASYNCSESSIONSTATUS (SESSIONID, CHANNELDATABASE, PARTITIONID, JOBID, DATAGROUP, STATUS, MESSAGE, UPDATEDDATETIME, LASTMESSAGEID) " +
                "VALUES (@s, @c, @p, @j, @g, @st, @m, @at, @id) ON CONFLICT (SESSIONID, CHANNELDATABASE) DO UPDATE SET " +
                "STATUS = excluded.STATUS, MESSAGE = excluded.MESSAGE, UPDATEDDATETIME = excluded.UPDATEDDATETIME, LASTMESSAGEID = excluded.LASTMESSAGEID " +
                "WHERE excluded.LASTMESSAGEID > ASYNCSESSIONSTATUS.LASTMESSAGEID",
                cancellationToken, tx, ("@id", m.Id), ("@s", m.SessionId), ("@p", m.Partition), ("@j", m.JobId), ("@g", m.DataGroup), ("@c", db),
                ("@st", m.Status.ToString()), ("@m", m.Message), ("@at", m.CreatedAt.UtcDateTime)).ConfigureAwait(false);
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return inserted;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
