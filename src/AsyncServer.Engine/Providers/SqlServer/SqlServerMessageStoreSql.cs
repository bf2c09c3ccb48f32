using System.Text;

namespace AsyncServer.Providers.SqlServer;

/// <summary>
/// Every SQL text of the SQL Server message store (same tables and columns as the SQLite store,
/// docs/message-database.md). No value is ever part of the text, not even status names: all are parameters.
/// Tests parse each text with ScriptDom (SqlServerSqlTests).
/// </summary>
internal static partial class SqlServerMessageStoreSql
{
    /// <summary>Migration n brings the schema from version n-1 to n; each runs in the initializing transaction.</summary>
    public static readonly IReadOnlyList<string> Migrations =
    [
        """
        CREATE TABLE [dbo].[schema_info] (
            [id] int NOT NULL CONSTRAINT [pk_schema_info] PRIMARY KEY CONSTRAINT [ck_schema_info_single] CHECK ([id] = 1),
            [version] int NOT NULL,
            [updated_at] datetime2(7) NOT NULL);
        CREATE TABLE [dbo].[download_sessions] (
            [id] bigint IDENTITY(1, 1) NOT NULL CONSTRAINT [pk_download_sessions] PRIMARY KEY,
            [partition] nvarchar(100) NOT NULL,
            [job_id] nvarchar(100) NOT NULL,
            [data_group] nvarchar(100) NOT NULL,
            [kind] nvarchar(20) NOT NULL,
            [delete_existing] bit NOT NULL,
            [full_sync_reason] nvarchar(max) NULL,
            [from_version] bigint NULL,
            [to_version] bigint NOT NULL,
            [part] int NOT NULL,
            [status] nvarchar(20) NOT NULL,
            [row_count] bigint NOT NULL,
            [package_file] nvarchar(400) NULL,
            [package_size] bigint NULL,
            [package_sha256] nvarchar(64) NULL,
            [staged] bit NOT NULL,
            [requested_channel_databases] nvarchar(max) NOT NULL,
            [instance_id] nvarchar(200) NOT NULL,
            [created_at] datetime2(7) NOT NULL,
            [finished_at] datetime2(7) NULL,
            [message] nvarchar(max) NULL);
        CREATE INDEX [ix_download_sessions_group_job] ON [dbo].[download_sessions] ([partition], [data_group], [job_id], [status]);
        CREATE INDEX [ix_download_sessions_created] ON [dbo].[download_sessions] ([created_at]);
        CREATE TABLE [dbo].[session_targets] (
            [session_id] bigint NOT NULL CONSTRAINT [fk_session_targets_session] REFERENCES [dbo].[download_sessions] ([id]) ON DELETE CASCADE,
            [channel_database] nvarchar(128) NOT NULL,
            [status] nvarchar(20) NOT NULL,
            [tries] int NOT NULL,
            [updated_at] datetime2(7) NOT NULL,
            [message] nvarchar(max) NULL,
            CONSTRAINT [pk_session_targets] PRIMARY KEY ([session_id], [channel_database]));
        CREATE INDEX [ix_session_targets_database] ON [dbo].[session_targets] ([channel_database], [status], [session_id]);
        CREATE TABLE [dbo].[row_versions] (
            [partition] nvarchar(100) NOT NULL,
            [data_group] nvarchar(100) NOT NULL,
            [job_id] nvarchar(100) NOT NULL,
            [version] bigint NOT NULL,
            [session_id] bigint NULL,
            [updated_at] datetime2(7) NOT NULL,
            CONSTRAINT [pk_row_versions] PRIMARY KEY ([partition], [data_group], [job_id]));
        CREATE TABLE [dbo].[status_messages] (
            [id] bigint IDENTITY(1, 1) NOT NULL CONSTRAINT [pk_status_messages] PRIMARY KEY,
            [session_id] bigint NOT NULL,
            [channel_database] nvarchar(128) NULL,
            [status] nvarchar(20) NOT NULL,
            [message] nvarchar(max) NULL,
            [created_at] datetime2(7) NOT NULL,
            [moved_at] datetime2(7) NULL);
        CREATE INDEX [ix_status_messages_unmoved] ON [dbo].[status_messages] ([moved_at], [id]);
        CREATE TABLE [dbo].[leases] (
            [resource] nvarchar(400) NOT NULL CONSTRAINT [pk_leases] PRIMARY KEY,
            [owner] nvarchar(200) NOT NULL,
            [acquired_at] datetime2(7) NOT NULL,
            [expires_at] datetime2(7) NOT NULL);
        """,
        Migration2,
        AsyncServer.Endpoint.EndpointSql.SqlServer.Migration3, // 3: the endpoint's channel credentials and contacts
    ];

    /// <summary>The two-part name of the schema version table, as a value for OBJECT_ID (parameter @table).</summary>
    public const string SchemaInfoTable = "[dbo].[schema_info]";

    /// <summary>Parameter @table. 1 when the table exists.</summary>
    public const string TableExists = "SELECT CASE WHEN OBJECT_ID(@table) IS NULL THEN 0 ELSE 1 END;";

    public const string ReadSchemaVersion = "SELECT [version] FROM [dbo].[schema_info] WHERE [id] = 1;";

    /// <summary>Parameters @version, @now. Runs under the schema application lock, so update-then-insert cannot race.</summary>
    public const string WriteSchemaVersion = """
        UPDATE [dbo].[schema_info] SET [version] = @version, [updated_at] = @now WHERE [id] = 1;
        IF @@ROWCOUNT = 0 INSERT INTO [dbo].[schema_info] ([id], [version], [updated_at]) VALUES (1, @version, @now);
        """;

    /// <summary>
    /// Takes a transaction-owned application lock (parameters @lockResource, @lockMode, @lockOwner, @lockTimeout) and
    /// returns sp_getapplock's result: 0 or 1 when granted, negative when not. Serializes work on one lease (or on
    /// the schema) across every instance sharing the database, which row locks alone cannot do for a row that
    /// does not exist yet.
    /// </summary>
    public const string GetAppLock = """
        DECLARE @result int;
        EXEC @result = [sys].[sp_getapplock] @Resource = @lockResource, @LockMode = @lockMode, @LockOwner = @lockOwner, @LockTimeout = @lockTimeout;
        SELECT @result;
        """;

    public const string GetRowVersion = "SELECT [version] FROM [dbo].[row_versions] WHERE [partition] = @p AND [data_group] = @g AND [job_id] = @j;";

    /// <summary>Same as <see cref="GetRowVersion"/>, keeping the row (or the gap where it would be) locked until commit.</summary>
    public const string GetRowVersionLocked = "SELECT [version] FROM [dbo].[row_versions] WITH (UPDLOCK, HOLDLOCK) WHERE [partition] = @p AND [data_group] = @g AND [job_id] = @j;";

    public const string ReadLease = "SELECT [owner], [expires_at] FROM [dbo].[leases] WITH (UPDLOCK, HOLDLOCK) WHERE [resource] = @r;";

    public const string InsertLease = "INSERT INTO [dbo].[leases] ([resource], [owner], [acquired_at], [expires_at]) VALUES (@r, @o, @now, @exp);";

    public const string TakeLease = "UPDATE [dbo].[leases] SET [owner] = @o, [acquired_at] = @now, [expires_at] = @exp WHERE [resource] = @r;";

    public const string RenewLease = "UPDATE [dbo].[leases] SET [expires_at] = @exp WHERE [resource] = @r AND [owner] = @o;";

    public const string ReleaseLease = "DELETE FROM [dbo].[leases] WHERE [resource] = @r AND [owner] = @o;";

    /// <summary>The live holder of a lease (parameters @r, @now), read under lock for fencing.</summary>
    public const string LiveLeaseOwner = "SELECT [owner] FROM [dbo].[leases] WITH (UPDLOCK, HOLDLOCK) WHERE [resource] = @r AND [expires_at] >= @now;";

    public const string InsertSession = """
        INSERT INTO [dbo].[download_sessions] ([partition], [job_id], [data_group], [kind], [delete_existing], [full_sync_reason], [from_version], [to_version], [part], [status],
            [row_count], [staged], [requested_channel_databases], [instance_id], [created_at], [finished_at], [message])
        VALUES (@p, @j, @g, @k, @d, @why, @from, @to, @part, @status, 0, 0, @req, @inst, @now, @fin, @msg);
        SELECT CONVERT(bigint, SCOPE_IDENTITY());
        """;

    public const string InsertStatusMessage = "INSERT INTO [dbo].[status_messages] ([session_id], [channel_database], [status], [message], [created_at]) VALUES (@s, @c, @st, @m, @now);";

    /// <summary>Only a session still being created (@started, not staged) is recorded: an operator may have canceled it meanwhile.</summary>
    public const string RecordPackage = """
        UPDATE [dbo].[download_sessions] SET [status] = @st, [row_count] = @rows, [package_file] = @file, [package_size] = @size, [package_sha256] = @sha,
            [staged] = @staged, [finished_at] = @now, [message] = @msg
        WHERE [id] = @id AND [status] = @started AND [staged] = 0;
        """;

    /// <summary>Runs after <see cref="GetRowVersionLocked"/> in the same transaction, so update-then-insert cannot race.</summary>
    public const string WriteRowVersion = """
        UPDATE [dbo].[row_versions] SET [version] = @v, [session_id] = @s, [updated_at] = @now WHERE [partition] = @p AND [data_group] = @g AND [job_id] = @j;
        IF @@ROWCOUNT = 0 INSERT INTO [dbo].[row_versions] ([partition], [data_group], [job_id], [version], [session_id], [updated_at]) VALUES (@p, @g, @j, @v, @s, @now);
        """;

    public const string InsertTarget = "INSERT INTO [dbo].[session_targets] ([session_id], [channel_database], [status], [tries], [updated_at]) VALUES (@s, @c, @st, 0, @now);";

    /// <summary>Parameters @st (new status), @now, @m, @id, @started.</summary>
    public const string FailSession = "UPDATE [dbo].[download_sessions] SET [status] = @st, [finished_at] = @now, [message] = @m WHERE [id] = @id AND [status] = @started;";

    /// <summary>Parameters @file, @now, @id, @available, @started.</summary>
    public const string PublishStaged = """
        UPDATE [dbo].[download_sessions] SET [status] = @available, [staged] = 0, [package_file] = @file, [message] = NULL, [finished_at] = @now
        WHERE [id] = @id AND [status] = @started AND [staged] = 1;
        """;

    private const string SessionColumns =
        "[s].[id], [s].[partition], [s].[job_id], [s].[data_group], [s].[kind], [s].[delete_existing], [s].[full_sync_reason], [s].[from_version], [s].[to_version], [s].[part], " +
        "[s].[status], [s].[row_count], [s].[package_file], [s].[package_size], [s].[package_sha256], [s].[staged], [s].[requested_channel_databases], [s].[instance_id], " +
        "[s].[created_at], [s].[finished_at], [s].[message]";

    /// <summary>Parameters @p, @g, @j, @started.</summary>
    public const string UnfinishedSessions =
        "SELECT " + SessionColumns + " FROM [dbo].[download_sessions] AS [s] " +
        "WHERE [s].[partition] = @p AND [s].[data_group] = @g AND [s].[job_id] = @j AND [s].[status] = @started AND [s].[staged] = 0 ORDER BY [s].[id];";

    /// <summary>The shape of a session query: how many values each list filter has, and which optional filters are present.</summary>
    public sealed record SessionQueryShape(int Ids, int JobIds, int DataGroups, int Statuses, int ChannelDatabases,
        bool HideNoData, bool CreatedAfter, bool CreatedBefore, bool Limit);

    /// <summary>
    /// The session query for a shape. Parameters: @id0.., @job0.., @grp0.., @st0.., @cdb0.., @noData, @after, @before, @limit,
    /// named here and bound by the store in the same order.
    /// </summary>
    public static string QuerySessions(SessionQueryShape shape)
    {
        var sql = new StringBuilder("SELECT ");
        if (shape.Limit) sql.Append("TOP (@limit) ");
        sql.Append(SessionColumns).Append(" FROM [dbo].[download_sessions] AS [s] WHERE 1 = 1");
        static string List(string prefix, int count) => string.Join(", ", Enumerable.Range(0, count).Select(i => $"@{prefix}{i}"));
        if (shape.Ids > 0) sql.Append($" AND [s].[id] IN ({List("id", shape.Ids)})");
        if (shape.JobIds > 0) sql.Append($" AND [s].[job_id] IN ({List("job", shape.JobIds)})");
        if (shape.DataGroups > 0) sql.Append($" AND [s].[data_group] IN ({List("grp", shape.DataGroups)})");
        if (shape.Statuses > 0)
        {
            var list = List("st", shape.Statuses);
            sql.Append($" AND ([s].[status] IN ({list}) OR EXISTS (SELECT 1 FROM [dbo].[session_targets] AS [x] WHERE [x].[session_id] = [s].[id] AND [x].[status] IN ({list})))");
        }
        else if (shape.HideNoData)
            sql.Append(" AND [s].[status] <> @noData");
        if (shape.ChannelDatabases > 0)
            sql.Append($" AND EXISTS (SELECT 1 FROM [dbo].[session_targets] AS [x] WHERE [x].[session_id] = [s].[id] AND [x].[channel_database] IN ({List("cdb", shape.ChannelDatabases)}))");
        if (shape.CreatedAfter) sql.Append(" AND [s].[created_at] >= @after");
        if (shape.CreatedBefore) sql.Append(" AND [s].[created_at] < @before");
        return sql.Append(" ORDER BY [s].[id];").ToString();
    }

    /// <summary>Most session ids bound in one targets query (SQL Server allows 2100 parameters).</summary>
    public const int TargetBatch = 500;

    /// <summary>Targets of <paramref name="count"/> sessions, parameters @t0...</summary>
    public static string TargetsOf(int count) =>
        "SELECT [session_id], [channel_database], [status], [tries], [updated_at], [message] FROM [dbo].[session_targets] " +
        $"WHERE [session_id] IN ({string.Join(", ", Enumerable.Range(0, count).Select(i => $"@t{i}"))}) ORDER BY [session_id], [channel_database];";
}
