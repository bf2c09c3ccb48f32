using AsyncServer.Messaging.Sql;

namespace AsyncServer.Providers.SqlServer;

/// <summary>
/// The HQ status tables on SQL Server (same tables and columns as on SQLite): ASYNCSTATUSMESSAGE, one row per message, and
/// ASYNCSESSIONSTATUS, the latest status per session and channel database. In schema dbo of the HQ database; the HQ login
/// needs CREATE TABLE once and INSERT/UPDATE on them (docs/sqlserver.md). The tests parse every text with ScriptDom.
/// </summary>
internal sealed class SqlServerStatusArchiveSql : StatusArchiveSql
{
    public static readonly SqlServerStatusArchiveSql Instance = new();

    public const string MessageTable = "[dbo].[ASYNCSTATUSMESSAGE]";
    public const string SessionTable = "[dbo].[ASYNCSESSIONSTATUS]";

    /// <summary>Parameters @messages, @sessions: the two table names as values for OBJECT_ID. Creates what is missing.</summary>
    public override string Create => """
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

    public override IEnumerable<(string Name, object? Value)> CreateParameters => [("@messages", MessageTable), ("@sessions", SessionTable)];

    /// <summary>Affects one row when the message was new, none when it was there already (a repeated move).</summary>
    public override string InsertMessage => """
        INSERT INTO [dbo].[ASYNCSTATUSMESSAGE] ([MESSAGEID], [SESSIONID], [PARTITIONID], [JOBID], [DATAGROUP], [CHANNELDATABASE], [STATUS], [MESSAGE],
            [CREATEDDATETIME], [MOVEDDATETIME])
        SELECT @id, @s, @p, @j, @g, @c, @st, @m, @at, @moved
        WHERE NOT EXISTS (SELECT 1 FROM [dbo].[ASYNCSTATUSMESSAGE] AS [x] WITH (UPDLOCK, HOLDLOCK) WHERE [x].[MESSAGEID] = @id);
        """;

    /// <summary>The latest message wins, whatever order batches arrive in.</summary>
    public override string UpsertSessionStatus => """
        UPDATE [dbo].[ASYNCSESSIONSTATUS] WITH (UPDLOCK, HOLDLOCK)
        SET [STATUS] = @st, [MESSAGE] = @m, [UPDATEDDATETIME] = @at, [LASTMESSAGEID] = @id, [PARTITIONID] = @p, [JOBID] = @j, [DATAGROUP] = @g
        WHERE [SESSIONID] = @s AND [CHANNELDATABASE] = @c AND [LASTMESSAGEID] < @id;
        IF @@ROWCOUNT = 0 AND NOT EXISTS (SELECT 1 FROM [dbo].[ASYNCSESSIONSTATUS] WITH (UPDLOCK, HOLDLOCK) WHERE [SESSIONID] = @s AND [CHANNELDATABASE] = @c)
            INSERT INTO [dbo].[ASYNCSESSIONSTATUS] ([SESSIONID], [CHANNELDATABASE], [PARTITIONID], [JOBID], [DATAGROUP], [STATUS], [MESSAGE],
                [UPDATEDDATETIME], [LASTMESSAGEID])
            VALUES (@s, @c, @p, @j, @g, @st, @m, @at, @id);
        """;
}
