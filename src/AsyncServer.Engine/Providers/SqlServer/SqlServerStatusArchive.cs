using AsyncServer.Data;
using AsyncServer.Messaging;
using Microsoft.Data.SqlClient;

namespace AsyncServer.Providers.SqlServer;

/// <summary>
/// The HQ status tables on SQL Server (same tables and columns as on SQLite): ASYNCSTATUSMESSAGE, one row per
/// message, and ASYNCSESSIONSTATUS, the latest status per session and channel database. In schema dbo of the HQ
/// database; the HQ login needs CREATE TABLE once and INSERT/UPDATE on them (docs/sqlserver.md).
/// </summary>
public sealed class SqlServerStatusArchive(ResolvedConnection connection) : IStatusArchive
{
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        await using var conn = await SqlServerConnections.OpenAsync(connection, cancellationToken).ConfigureAwait(false);
        await SqlServerConnections.ExecuteAsync(conn, SqlServerStatusArchiveSql.Create, cancellationToken, null,
            ("@messages", SqlServerStatusArchiveSql.MessageTable), ("@sessions", SqlServerStatusArchiveSql.SessionTable)).ConfigureAwait(false);
    }

    public async Task<int> WriteAsync(IReadOnlyList<StatusMessageRecord> messages, CancellationToken cancellationToken)
    {
        if (messages.Count == 0) return 0;
        await using var conn = await SqlServerConnections.OpenAsync(connection, cancellationToken).ConfigureAwait(false);
        await using var tx = (SqlTransaction)await conn.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
        var moved = DateTime.UtcNow;
        var inserted = 0;
        foreach (var m in messages)
        {
            (string, object?)[] values =
            [
                ("@id", m.Id), ("@s", m.SessionId), ("@p", m.Partition), ("@j", m.JobId), ("@g", m.DataGroup), ("@c", m.ChannelDatabase ?? ""),
                ("@st", m.Status.ToString()), ("@m", m.Message), ("@at", m.CreatedAt.UtcDateTime), ("@moved", moved),
            ];
            inserted += Convert.ToInt32(await SqlServerConnections.ScalarAsync(conn, SqlServerStatusArchiveSql.InsertMessage, cancellationToken, tx, values).ConfigureAwait(false));
            await SqlServerConnections.ExecuteAsync(conn, SqlServerStatusArchiveSql.UpsertSessionStatus, cancellationToken, tx, values).ConfigureAwait(false);
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return inserted;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>SQL texts of <see cref="SqlServerStatusArchive"/>; the tests parse them with the provider's other statements.</summary>
internal static class SqlServerStatusArchiveSql
{
    public const string MessageTable = "[dbo].[ASYNCSTATUSMESSAGE]";
    public const string SessionTable = "[dbo].[ASYNCSESSIONSTATUS]";

    /// <summary>Parameters @messages, @sessions: the two table names as values for OBJECT_ID. Creates what is missing.</summary>
    public const string Create = """
        IF OBJECT_ID(@messages) IS NULL
        BEGIN
            CREATE TABLE [dbo].[ASYNCSTATUSMESSAGE] (
                [MESSAGEID] bigint NOT NULL CONSTRAINT [PK_ASYNCSTATUSMESSAGE] PRIMARY KEY,
                [SESSIONID] bigint NOT NULL,
                [PARTITIONID] nvarchar(100) NULL,
                [JOBID] nvarchar(100) NULL,
                [DATAGROUP] nvarchar(100) NULL,
                [CHANNELDATABASE] nvarchar(128) NOT NULL,
                [STATUS] nvarchar(20) NOT NULL,
                [MESSAGE] nvarchar(4000) NULL,
                [CREATEDDATETIME] datetime2(7) NOT NULL,
                [MOVEDDATETIME] datetime2(7) NOT NULL);
            CREATE INDEX [IX_ASYNCSTATUSMESSAGE_SESSION] ON [dbo].[ASYNCSTATUSMESSAGE] ([SESSIONID], [CHANNELDATABASE]);
        END;
        IF OBJECT_ID(@sessions) IS NULL
            CREATE TABLE [dbo].[ASYNCSESSIONSTATUS] (
                [SESSIONID] bigint NOT NULL,
                [CHANNELDATABASE] nvarchar(128) NOT NULL,
                [PARTITIONID] nvarchar(100) NULL,
                [JOBID] nvarchar(100) NULL,
                [DATAGROUP] nvarchar(100) NULL,
                [STATUS] nvarchar(20) NOT NULL,
                [MESSAGE] nvarchar(4000) NULL,
                [UPDATEDDATETIME] datetime2(7) NOT NULL,
                [LASTMESSAGEID] bigint NOT NULL,
                CONSTRAINT [PK_ASYNCSESSIONSTATUS] PRIMARY KEY ([SESSIONID], [CHANNELDATABASE]));
        """;

    /// <summary>Returns 1 when the message was new, 0 when it was there already (a repeated move).</summary>
    public const string InsertMessage = """
        INSERT INTO [dbo].[ASYNCSTATUSMESSAGE] ([MESSAGEID], [SESSIONID], [PARTITIONID], [JOBID], [DATAGROUP], [CHANNELDATABASE], [STATUS], [MESSAGE], [CREATEDDATETIME], [MOVEDDATETIME])
        SELECT @id, @s, @p, @j, @g, @c, @st, @m, @at, @moved
        WHERE NOT EXISTS (SELECT 1 FROM [dbo].[ASYNCSTATUSMESSAGE] AS [x] WITH (UPDLOCK, HOLDLOCK) WHERE [x].[MESSAGEID] = @id);
        SELECT @@ROWCOUNT;
        """;

    /// <summary>The latest message wins, whatever order batches arrive in.</summary>
    public const string UpsertSessionStatus = """
        UPDATE [dbo].[ASYNCSESSIONSTATUS] WITH (UPDLOCK, HOLDLOCK)
        SET [STATUS] = @st, [MESSAGE] = @m, [UPDATEDDATETIME] = @at, [LASTMESSAGEID] = @id, [PARTITIONID] = @p, [JOBID] = @j, [DATAGROUP] = @g
        WHERE [SESSIONID] = @s AND [CHANNELDATABASE] = @c AND [LASTMESSAGEID] < @id;
        IF @@ROWCOUNT = 0 AND NOT EXISTS (SELECT 1 FROM [dbo].[ASYNCSESSIONSTATUS] WITH (UPDLOCK, HOLDLOCK) WHERE [SESSIONID] = @s AND [CHANNELDATABASE] = @c)
            INSERT INTO [dbo].[ASYNCSESSIONSTATUS] ([SESSIONID], [CHANNELDATABASE], [PARTITIONID], [JOBID], [DATAGROUP], [STATUS], [MESSAGE], [UPDATEDDATETIME], [LASTMESSAGEID])
            VALUES (@s, @c, @p, @j, @g, @st, @m, @at, @id);
        """;
}
