using AsyncServer.Messaging;
using AsyncServer.Messaging.Sql;

namespace AsyncServer.Providers.SqlServer;

/// <summary>The channel side, status messages and retention (schema version 2): SQL texts, parsed by the tests like the others.</summary>
internal sealed partial class SqlServerMessageStoreSql
{
    /// <summary>
    /// Schema 2: channel_database_jobs remembers which channel databases have joined a (data group, job), so a new one
    /// is seeded with a full package instead of replaying history; existing targets count as joined.
    /// </summary>
    public static string Migration2 => """
        CREATE TABLE [dbo].[channel_database_jobs] (
            [partition] nvarchar(100) NOT NULL,
            [data_group] nvarchar(100) NOT NULL,
            [job_id] nvarchar(100) NOT NULL,
            [channel_database] nvarchar(128) NOT NULL,
            [first_session_id] bigint NOT NULL,
            [joined_at] datetime2(7) NOT NULL,
            CONSTRAINT [pk_channel_database_jobs] PRIMARY KEY ([partition], [data_group], [job_id], [channel_database]));
        INSERT INTO [dbo].[channel_database_jobs] ([partition], [data_group], [job_id], [channel_database], [first_session_id], [joined_at])
            SELECT [s].[partition], [s].[data_group], [s].[job_id], [t].[channel_database], MIN([s].[id]), MIN([t].[updated_at])
            FROM [dbo].[session_targets] AS [t] INNER JOIN [dbo].[download_sessions] AS [s] ON [s].[id] = [t].[session_id]
            GROUP BY [s].[partition], [s].[data_group], [s].[job_id], [t].[channel_database];
        CREATE INDEX [ix_status_messages_session] ON [dbo].[status_messages] ([session_id]);
        CREATE INDEX [ix_session_targets_session] ON [dbo].[session_targets] ([session_id], [status]);
        """;

    public override string JoinChannelDatabase => """
        INSERT INTO [dbo].[channel_database_jobs] ([partition], [data_group], [job_id], [channel_database], [first_session_id], [joined_at])
        SELECT [s].[partition], [s].[data_group], [s].[job_id], @c, [s].[id], @now FROM [dbo].[download_sessions] AS [s]
        WHERE [s].[id] = @s AND NOT EXISTS (SELECT 1 FROM [dbo].[channel_database_jobs] AS [j] WITH (UPDLOCK, HOLDLOCK)
            WHERE [j].[partition] = [s].[partition] AND [j].[data_group] = [s].[data_group] AND [j].[job_id] = [s].[job_id] AND [j].[channel_database] = @c);
        """;

    public override string PendingSessions(int statuses) =>
        "SELECT " + SessionColumns + ", [x].[session_id], [x].[channel_database], [x].[status], [x].[tries], [x].[updated_at], [x].[message] " +
        "FROM [dbo].[download_sessions] AS [s] INNER JOIN [dbo].[session_targets] AS [x] " +
        "ON [x].[session_id] = [s].[id] AND [x].[channel_database] = @db " +
        $"WHERE [x].[status] {In("st", statuses)} ORDER BY [s].[id];";

    public override string UpdateTarget(TriesChange tries) =>
        "UPDATE [dbo].[session_targets] SET [status] = @to, " +
        $"[tries] = {tries switch { TriesChange.Increment => "[tries] + 1", TriesChange.Reset => "0", _ => "[tries]" }}, " +
        "[updated_at] = @now, [message] = @m WHERE [session_id] = @s AND [channel_database] = @c;";

    public override string UpdateSessionStatus(int fromStatuses) =>
        "UPDATE [dbo].[download_sessions] SET [status] = @to, [message] = @m, [finished_at] = COALESCE([finished_at], @now) " +
        $"WHERE [id] = @id AND [status] {In("from", fromStatuses)};";

    public override string ReplacePackage => """
        UPDATE [dbo].[download_sessions] SET [row_count] = @rows, [package_file] = @file, [package_size] = @size, [package_sha256] = @sha, [staged] = @staged
        WHERE [id] = @id;
        """;

    public override string JoinedChannelDatabases =>
        "SELECT [channel_database] FROM [dbo].[channel_database_jobs] WHERE [partition] = @p AND [data_group] = @g AND [job_id] = @j;";

    public override string ChannelDatabasesWithPendingTargets(int statuses) =>
        $"SELECT DISTINCT [channel_database] FROM [dbo].[session_targets] WHERE [status] {In("st", statuses)} ORDER BY [channel_database];";

    public override string ForgetChannelDatabase => "DELETE FROM [dbo].[channel_database_jobs] WHERE [channel_database] = @c;";

    public override string UnmovedStatusMessages => """
        SELECT TOP (@limit) [m].[id], [m].[session_id], [m].[channel_database], [m].[status], [m].[message], [m].[created_at],
            COALESCE([s].[job_id], [u].[job_id]), COALESCE([s].[data_group], [u].[data_group]), COALESCE([s].[partition], [u].[partition])
        FROM [dbo].[status_messages] AS [m] LEFT JOIN [dbo].[download_sessions] AS [s] ON [s].[id] = [m].[session_id]
            LEFT JOIN [dbo].[upload_sessions] AS [u] ON [u].[id] = [m].[session_id]
        WHERE [m].[moved_at] IS NULL ORDER BY [m].[id];
        """;

    public override string MarkMoved(int count) =>
        $"UPDATE [dbo].[status_messages] SET [moved_at] = @now WHERE [moved_at] IS NULL AND [id] {In("m", count)};";

    public override string ExpiredSessions(int pendingStatuses) =>
        "SELECT TOP (@batch) [s].[id], [s].[package_file], [s].[staged] FROM [dbo].[download_sessions] AS [s] WITH (UPDLOCK, HOLDLOCK) " +
        "WHERE [s].[created_at] < @cutoff AND [s].[status] <> @started " +
        $"AND NOT EXISTS (SELECT 1 FROM [dbo].[session_targets] AS [x] WHERE [x].[session_id] = [s].[id] AND [x].[status] {In("st", pendingStatuses)}) " +
        "ORDER BY [s].[id];";

    public override string CountMovedMessages => "SELECT COUNT(*) FROM [dbo].[status_messages] WHERE [moved_at] IS NOT NULL AND [created_at] < @cutoff;";

    public override string DeleteMovedMessages => "DELETE TOP (@batch) FROM [dbo].[status_messages] WHERE [moved_at] IS NOT NULL AND [created_at] < @cutoff;";

    public override string DeleteUnmovedMessages => "DELETE TOP (@batch) FROM [dbo].[status_messages] WHERE [moved_at] IS NULL AND [created_at] < @cutoff;";

    public override string DeleteSessions(int count)
    {
        var ids = In("i", count);
        return $"DELETE FROM [dbo].[session_targets] WHERE [session_id] {ids}; " +
               $"UPDATE [dbo].[row_versions] SET [session_id] = NULL WHERE [session_id] {ids}; " +
               $"DELETE FROM [dbo].[download_sessions] WHERE [id] {ids};";
    }
}
