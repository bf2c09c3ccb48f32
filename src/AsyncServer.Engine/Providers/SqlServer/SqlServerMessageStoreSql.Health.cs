namespace AsyncServer.Providers.SqlServer;

/// <summary>The channel health query in T-SQL (docs/operations.md); parsed by the tests like every other text.</summary>
internal sealed partial class SqlServerMessageStoreSql
{
    private const string PendingStatuses = "@available, @requested, @downloaded, @downloadFailed, @applyFailed, @suspended";
    private const string ClientStatuses = "@requested, @downloaded, @applied, @downloadFailed, @applyFailed";

    public override string ChannelActivity => $"""
        WITH [st] AS (
            SELECT [channel_database], [status], COUNT(*) AS [n], MIN([session_id]) AS [first_id], MAX([session_id]) AS [last_id],
                MAX([updated_at]) AS [last_at]
            FROM [dbo].[session_targets] GROUP BY [channel_database], [status]),
        [agg] AS (
            SELECT [channel_database],
                SUM(CASE WHEN [status] IN ({PendingStatuses}) THEN [n] ELSE 0 END) AS [pending],
                MIN(CASE WHEN [status] IN ({PendingStatuses}) THEN [first_id] END) AS [oldest_pending],
                SUM(CASE WHEN [status] IN (@downloadFailed, @applyFailed) THEN [n] ELSE 0 END) AS [failed],
                SUM(CASE WHEN [status] = @suspended THEN [n] ELSE 0 END) AS [suspended],
                MIN(CASE WHEN [status] IN (@downloadFailed, @applyFailed) THEN [first_id] END) AS [blocking],
                MAX(CASE WHEN [status] = @applied THEN [last_id] END) AS [last_applied],
                MAX(CASE WHEN [status] IN ({ClientStatuses}) THEN [last_at] END) AS [last_action_at]
            FROM [st] GROUP BY [channel_database])
        SELECT [a].[channel_database], [a].[pending], [a].[oldest_pending], [o].[created_at], [a].[failed], [a].[suspended],
            [a].[blocking], [b].[status], [b].[message], [a].[last_applied], [l].[updated_at],
            [a].[last_action_at], [k].[last_contact_at], [k].[client_version]
        FROM [agg] AS [a]
        LEFT JOIN [dbo].[download_sessions] AS [o] ON [o].[id] = [a].[oldest_pending]
        LEFT JOIN [dbo].[session_targets] AS [b] ON [b].[session_id] = [a].[blocking] AND [b].[channel_database] = [a].[channel_database]
        LEFT JOIN [dbo].[session_targets] AS [l] ON [l].[session_id] = [a].[last_applied] AND [l].[channel_database] = [a].[channel_database]
        LEFT JOIN [dbo].[channel_contacts] AS [k] ON [k].[channel_database] = [a].[channel_database]
        UNION ALL
        SELECT [k].[channel_database], 0, NULL, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, [k].[last_contact_at], [k].[client_version]
        FROM [dbo].[channel_contacts] AS [k]
        WHERE NOT EXISTS (SELECT 1 FROM [dbo].[session_targets] AS [x] WHERE [x].[channel_database] = [k].[channel_database]);
        """;
}
