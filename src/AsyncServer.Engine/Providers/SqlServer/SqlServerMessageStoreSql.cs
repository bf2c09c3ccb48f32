using System.Security.Cryptography;
using System.Text;
using AsyncServer.Messaging;
using AsyncServer.Messaging.Sql;

namespace AsyncServer.Providers.SqlServer;

/// <summary>
/// Every SQL text of the message store on SQL Server (same tables and columns as on SQLite, docs/message-database.md), in
/// schema dbo, every identifier bracket-quoted. No value is ever part of the text, not even status names: all are
/// parameters. Tests parse each text with ScriptDom (SqlServerSqlTests, SqlServerClientSqlTests).
/// </summary>
internal sealed partial class SqlServerMessageStoreSql : MessageStoreSql
{
    public static readonly SqlServerMessageStoreSql Instance = new();

    public override UploadStoreSql Uploads => UploadStoreSql.SqlServer;

    public override IReadOnlyList<string> Migrations => [Migration1, Migration2, Migration3, Migration4];

    /// <summary>Schema 3: the endpoint's channel credentials and contacts (docs/endpoint.md).</summary>
    public static string Migration3 =>
        """
        CREATE TABLE [dbo].[channel_credentials] (
            [id] bigint IDENTITY(1, 1) NOT NULL CONSTRAINT [pk_channel_credentials] PRIMARY KEY,
            [channel_database] nvarchar(128) NOT NULL,
            [salt] nvarchar(64) NOT NULL,
            [secret_hash] nvarchar(128) NOT NULL,
            [created_at] datetime2(7) NOT NULL,
            [expires_at] datetime2(7) NULL,
            [last_used_at] datetime2(7) NULL,
            [revoked_at] datetime2(7) NULL);
        CREATE INDEX [ix_channel_credentials_database] ON [dbo].[channel_credentials] ([channel_database], [revoked_at]);
        CREATE TABLE [dbo].[channel_contacts] (
            [channel_database] nvarchar(128) NOT NULL CONSTRAINT [pk_channel_contacts] PRIMARY KEY,
            [last_contact_at] datetime2(7) NOT NULL,
            [client_version] nvarchar(100) NULL,
            [remote_address] nvarchar(100) NULL,
            [credential_id] bigint NULL);
        """;

    /// <summary>Schema 4: upload sessions (docs/message-database.md, docs/upload.md).</summary>
    public static string Migration4 =>
        """
        CREATE TABLE [dbo].[upload_sessions] (
            [id] bigint NOT NULL CONSTRAINT [pk_upload_sessions] PRIMARY KEY,
            [partition] nvarchar(100) NOT NULL,
            [job_id] nvarchar(100) NOT NULL,
            [data_group] nvarchar(100) NOT NULL,
            [channel_database] nvarchar(128) NOT NULL,
            [status] nvarchar(20) NOT NULL,
            [tries] int NOT NULL CONSTRAINT [df_upload_sessions_tries] DEFAULT 0,
            [row_count] bigint NOT NULL CONSTRAINT [df_upload_sessions_rows] DEFAULT 0,
            [package_file] nvarchar(400) NULL,
            [package_size] bigint NULL,
            [package_sha256] nvarchar(64) NULL,
            [instance_id] nvarchar(200) NOT NULL,
            [created_at] datetime2(7) NOT NULL,
            [updated_at] datetime2(7) NOT NULL,
            [finished_at] datetime2(7) NULL,
            [message] nvarchar(max) NULL);
        CREATE INDEX [ix_upload_sessions_store] ON [dbo].[upload_sessions] ([partition], [channel_database], [job_id], [status]);
        CREATE INDEX [ix_upload_sessions_status] ON [dbo].[upload_sessions] ([status], [id]);
        CREATE TABLE [dbo].[upload_session_tables] (
            [session_id] bigint NOT NULL CONSTRAINT [fk_upload_session_tables_session] REFERENCES [dbo].[upload_sessions] ([id]) ON DELETE CASCADE,
            [subjob] nvarchar(100) NOT NULL,
            [channel_table] nvarchar(256) NOT NULL,
            [hq_table] nvarchar(256) NOT NULL,
            [from_counter] bigint NOT NULL,
            [to_counter] bigint NOT NULL,
            [row_count] bigint NOT NULL,
            CONSTRAINT [pk_upload_session_tables] PRIMARY KEY ([session_id], [subjob]));
        CREATE TABLE [dbo].[upload_counters] (
            [partition] nvarchar(100) NOT NULL,
            [channel_database] nvarchar(128) NOT NULL,
            [job_id] nvarchar(100) NOT NULL,
            [subjob] nvarchar(100) NOT NULL,
            [counter] bigint NOT NULL,
            [session_id] bigint NOT NULL,
            [updated_at] datetime2(7) NOT NULL,
            CONSTRAINT [pk_upload_counters] PRIMARY KEY ([partition], [channel_database], [job_id], [subjob]));
        ALTER TABLE [dbo].[status_messages] ADD [direction] nvarchar(10) NULL;
        """;

    /// <summary>Schema 1: sessions, targets, row versions, status messages, leases.</summary>
    public static string Migration1 =>
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
        """;

    public override string SchemaInfoTable => "[dbo].[schema_info]";

    public override string TableExists => "SELECT CASE WHEN OBJECT_ID(@table) IS NULL THEN 0 ELSE 1 END;";

    public override string ReadSchemaVersion => "SELECT [version] FROM [dbo].[schema_info] WHERE [id] = 1;";

    public override string WriteSchemaVersion => """
        UPDATE [dbo].[schema_info] SET [version] = @version, [updated_at] = @now WHERE [id] = 1;
        IF @@ROWCOUNT = 0 INSERT INTO [dbo].[schema_info] ([id], [version], [updated_at]) VALUES (1, @version, @now);
        """;

    /// <summary>
    /// Takes a transaction-owned application lock (parameters @lockResource, @lockMode, @lockOwner, @lockTimeout) and
    /// returns sp_getapplock's result: 0 or 1 when granted, negative when not. Serializes work on one lease (or on
    /// the schema) across every instance sharing the database, which row locks alone cannot do for a row that
    /// does not exist yet.
    /// </summary>
    public static string GetAppLock => """
        DECLARE @result int;
        EXEC @result = [sys].[sp_getapplock] @Resource = @lockResource, @LockMode = @lockMode, @LockOwner = @lockOwner, @LockTimeout = @lockTimeout;
        SELECT @result;
        """;

    /// <summary>The application lock of a resource; hashed so any resource name fits sp_getapplock's 255 characters.</summary>
    public static string AppLockName(string resource)
        => "asyncserver:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(resource))).ToLowerInvariant();

    /// <summary>
    /// Runs under the lease's application lock. The server's clock (SYSUTCDATETIME) decides expiry, never the instance's:
    /// an instance whose clock runs ahead cannot take over a live lease. @ttl is in milliseconds.
    /// </summary>
    public override string ClaimLease => """
        DECLARE @now datetime2(7) = SYSUTCDATETIME();
        UPDATE [dbo].[leases] SET [owner] = @o, [acquired_at] = @now, [expires_at] = DATEADD(MILLISECOND, @ttl, @now)
        WHERE [resource] = @r AND ([owner] = @o OR [expires_at] < @now);
        IF @@ROWCOUNT = 0 AND NOT EXISTS (SELECT 1 FROM [dbo].[leases] WITH (UPDLOCK, HOLDLOCK) WHERE [resource] = @r)
            INSERT INTO [dbo].[leases] ([resource], [owner], [acquired_at], [expires_at]) VALUES (@r, @o, @now, DATEADD(MILLISECOND, @ttl, @now));
        SELECT [owner], [expires_at] FROM [dbo].[leases] WHERE [resource] = @r;
        """;

    public override string RenewLease =>
        "UPDATE [dbo].[leases] SET [expires_at] = DATEADD(MILLISECOND, @ttl, SYSUTCDATETIME()) WHERE [resource] = @r AND [owner] = @o;";

    public override string ReleaseLease => "DELETE FROM [dbo].[leases] WHERE [resource] = @r AND [owner] = @o;";

    public override string LiveLeaseOwner =>
        "SELECT [owner] FROM [dbo].[leases] WITH (UPDLOCK, HOLDLOCK) WHERE [resource] = @r AND [expires_at] >= SYSUTCDATETIME();";

    public override string GetRowVersion => "SELECT [version] FROM [dbo].[row_versions] WHERE [partition] = @p AND [data_group] = @g AND [job_id] = @j;";

    public override string GetRowVersionLocked =>
        "SELECT [version] FROM [dbo].[row_versions] WITH (UPDLOCK, HOLDLOCK) WHERE [partition] = @p AND [data_group] = @g AND [job_id] = @j;";

    public override string WriteRowVersion => """
        UPDATE [dbo].[row_versions] SET [version] = @v, [session_id] = @s, [updated_at] = @now WHERE [partition] = @p AND [data_group] = @g AND [job_id] = @j;
        IF @@ROWCOUNT = 0 INSERT INTO [dbo].[row_versions] ([partition], [data_group], [job_id], [version], [session_id], [updated_at])
            VALUES (@p, @g, @j, @v, @s, @now);
        """;

    public override string InsertSession => """
        INSERT INTO [dbo].[download_sessions] ([partition], [job_id], [data_group], [kind], [delete_existing], [full_sync_reason], [from_version],
            [to_version], [part], [status], [row_count], [staged], [requested_channel_databases], [instance_id], [created_at], [finished_at], [message])
        VALUES (@p, @j, @g, @k, @d, @why, @from, @to, @part, @status, 0, 0, @req, @inst, @now, @fin, @msg);
        SELECT CONVERT(bigint, SCOPE_IDENTITY());
        """;

    public override string InsertStatusMessage =>
        "INSERT INTO [dbo].[status_messages] ([session_id], [channel_database], [status], [message], [created_at]) VALUES (@s, @c, @st, @m, @now);";

    public override string RecordPackage => """
        UPDATE [dbo].[download_sessions] SET [status] = @st, [row_count] = @rows, [package_file] = @file, [package_size] = @size, [package_sha256] = @sha,
            [staged] = @staged, [finished_at] = @now, [message] = @msg
        WHERE [id] = @id AND [status] = @started AND [staged] = 0;
        """;

    public override string InsertTarget =>
        "INSERT INTO [dbo].[session_targets] ([session_id], [channel_database], [status], [tries], [updated_at]) VALUES (@s, @c, @st, 0, @now);";

    public override string FailSession =>
        "UPDATE [dbo].[download_sessions] SET [status] = @st, [finished_at] = @now, [message] = @m WHERE [id] = @id AND [status] = @started;";

    public override string PublishStaged => """
        UPDATE [dbo].[download_sessions] SET [status] = @available, [staged] = 0, [package_file] = @file, [message] = NULL, [finished_at] = @now
        WHERE [id] = @id AND [status] = @started AND [staged] = 1;
        """;

    public override string UnfinishedSessions =>
        "SELECT " + SessionColumns + " FROM [dbo].[download_sessions] AS [s] " +
        "WHERE [s].[partition] = @p AND [s].[data_group] = @g AND [s].[job_id] = @j AND [s].[status] = @started AND [s].[staged] = 0 ORDER BY [s].[id];";

    protected override string C(string alias, string column) => $"[{alias}].[{column}]";
    protected override string From(string table, string alias) => $"[dbo].[{table}] AS [{alias}]";
    protected override string Top => "TOP (@limit) ";
    protected override string Limit => "";
    protected override string LockHint => " WITH (UPDLOCK, HOLDLOCK)";
    protected override string End => ";";

    /// <summary>Targets of <paramref name="count"/> sessions, parameters @t0...</summary>
    public string TargetsOf(int count) => TargetsOf(count, onlyChannelDatabase: false);

    public override string TargetsOf(int count, bool onlyChannelDatabase) =>
        "SELECT [session_id], [channel_database], [status], [tries], [updated_at], [message] FROM [dbo].[session_targets] " +
        $"WHERE [session_id] {In("t", count)}" + (onlyChannelDatabase ? " AND [channel_database] = @only" : "") + " ORDER BY [session_id], [channel_database];";

    protected override string In(string prefix, int count) => $"IN ({Names(prefix, count)})";
}
