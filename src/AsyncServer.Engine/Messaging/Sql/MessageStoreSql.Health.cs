namespace AsyncServer.Messaging.Sql;

/// <summary>The channel health query (docs/operations.md).</summary>
public abstract partial class MessageStoreSql
{
    private const string PendingStatuses = "@available, @requested, @downloaded, @downloadFailed, @applyFailed, @suspended";
    private const string ClientStatuses = "@requested, @downloaded, @applied, @downloadFailed, @applyFailed";

    /// <summary>
    /// One pass over session_targets grouped by (channel database, status) with plain aggregates (the cheapest work per
    /// row), folded per channel database, then one lookup per channel database for the oldest pending session, the first
    /// failure and the last applied target (by key); contacts without targets are added.
    /// </summary>
    public string ChannelActivity => Spell($"""
        WITH st AS (
            SELECT channel_database, status, COUNT(*) AS n, MIN(session_id) AS first_id, MAX(session_id) AS last_id, MAX(updated_at) AS last_at
            FROM {Prefix}session_targets GROUP BY channel_database, status),
        agg AS (
            SELECT channel_database,
                SUM(CASE WHEN status IN ({PendingStatuses}) THEN n ELSE 0 END) AS pending,
                MIN(CASE WHEN status IN ({PendingStatuses}) THEN first_id END) AS oldest_pending,
                SUM(CASE WHEN status IN (@downloadFailed, @applyFailed) THEN n ELSE 0 END) AS failed,
                SUM(CASE WHEN status = @suspended THEN n ELSE 0 END) AS suspended,
                MIN(CASE WHEN status IN (@downloadFailed, @applyFailed) THEN first_id END) AS blocking,
                MAX(CASE WHEN status = @applied THEN last_id END) AS last_applied,
                MAX(CASE WHEN status IN ({ClientStatuses}) THEN last_at END) AS last_action_at
            FROM st GROUP BY channel_database)
        SELECT a.channel_database, a.pending, a.oldest_pending, o.created_at AS oldest_pending_created_at, a.failed, a.suspended,
            a.blocking, b.status AS blocking_status, b.message AS blocking_message, a.last_applied, l.updated_at AS last_applied_at,
            a.last_action_at, k.last_contact_at, k.client_version
        FROM agg a
        LEFT JOIN {Prefix}download_sessions o ON o.id = a.oldest_pending
        LEFT JOIN {Prefix}session_targets b ON b.session_id = a.blocking AND b.channel_database = a.channel_database
        LEFT JOIN {Prefix}session_targets l ON l.session_id = a.last_applied AND l.channel_database = a.channel_database
        LEFT JOIN {Prefix}channel_contacts k ON k.channel_database = a.channel_database
        UNION ALL
        SELECT k.channel_database, 0, NULL, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, k.last_contact_at, k.client_version
        FROM {Prefix}channel_contacts k
        WHERE NOT EXISTS (SELECT 1 FROM {Prefix}session_targets x WHERE x.channel_database = k.channel_database)
        """);

    /// <summary>The columns <see cref="ChannelActivity"/> returns, in order.</summary>
    public const string ChannelActivityColumns =
        "channel_database, pending, oldest_pending, oldest_pending_created_at, failed, suspended, blocking, blocking_status, blocking_message, " +
        "last_applied, last_applied_at, last_action_at, last_contact_at, client_version";
}
