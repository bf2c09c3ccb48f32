namespace AsyncServer.Messaging.Sql;

/// <summary>The status messages' and retention's texts.</summary>
public abstract partial class MessageStoreSql
{
    private string Messages => Prefix + "status_messages";

    /// <summary>Parameter @limit.</summary>
    public string UnmovedStatusMessages => Spell(
        $"SELECT {Top("@limit")}m.id, m.session_id, m.channel_database, m.status, m.message, m.created_at, " +
        "COALESCE(s.job_id, u.job_id), COALESCE(s.data_group, u.data_group), COALESCE(s.partition, u.partition) " +
        $"FROM {Messages} m LEFT JOIN {Sessions} s ON s.id = m.session_id LEFT JOIN {Prefix}upload_sessions u ON u.id = m.session_id " +
        $"WHERE m.moved_at IS NULL ORDER BY m.id{Limit("@limit")}");

    /// <summary>Parameters @now, @m0...</summary>
    public string MarkMoved(int count) => Spell($"UPDATE {Messages} SET moved_at = @now WHERE moved_at IS NULL AND id {In("m", count)}");

    /// <summary>
    /// At most @batch sessions created before @cutoff, not @started, with no target in a pending status @st0.., oldest
    /// first; locked until the purge batch commits.
    /// </summary>
    public string ExpiredSessions(int pendingStatuses) => Spell(
        $"SELECT {Top("@batch")}s.id, s.package_file, s.staged FROM {Sessions} s{LockHint} WHERE s.created_at < @cutoff AND s.status <> @started " +
        $"AND NOT EXISTS (SELECT 1 FROM {Targets} x WHERE x.session_id = s.id AND x.status {In("st", pendingStatuses)}) " +
        $"ORDER BY s.id{Limit("@batch")}{ForUpdate("s")}");

    /// <summary>Parameter @cutoff.</summary>
    public string CountMovedMessages => Spell($"SELECT COUNT(*) FROM {Messages} WHERE moved_at IS NOT NULL AND created_at < @cutoff");

    /// <summary>At most @batch moved messages created before @cutoff.</summary>
    public string DeleteMovedMessages => DeleteMessages("moved_at IS NOT NULL");

    /// <summary>At most @batch messages never moved, created before @cutoff.</summary>
    public string DeleteUnmovedMessages => DeleteMessages("moved_at IS NULL");

    private string DeleteMessages(string condition) => Spell($"DELETE FROM {Messages} WHERE id IN " +
        $"(SELECT {Top("@batch")}id FROM {Messages} WHERE {condition} AND created_at < @cutoff ORDER BY id{Limit("@batch")})");

    /// <summary>Removes sessions @i0.. with their targets; the row versions that named them keep their version.</summary>
    public string DeleteSessions(int count)
    {
        var ids = In("i", count);
        return Spell($"DELETE FROM {Targets} WHERE session_id {ids}; UPDATE {Prefix}row_versions SET session_id = NULL WHERE session_id {ids}; " +
            $"DELETE FROM {Sessions} WHERE id {ids}");
    }
}
