using System.Text;
using AsyncServer.Diagnostics;
using AsyncServer.Messaging;
using Npgsql;
using static AsyncServer.Providers.PostgreSql.PostgresMessageSchema;

namespace AsyncServer.Providers.PostgreSql;

/// <summary>The channel side and session lifecycle on PostgreSQL: targets, cancel and rerun, status messages, retention.</summary>
public sealed partial class PostgresMessageStore
{
    private static string[] Names(IReadOnlyList<SessionStatus> statuses) => statuses.Select(s => s.ToString()).ToArray();

    public async Task<IReadOnlyList<DownloadSessionRecord>> GetPendingSessionsAsync(string channelDatabase, CancellationToken cancellationToken)
    {
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ReadSessionsAsync(conn,
            $"WHERE EXISTS (SELECT 1 FROM {Schema}.session_targets x WHERE x.session_id = s.id AND x.channel_database = @db AND x.status = ANY(@pending)) ORDER BY s.id",
            [("db", channelDatabase), ("pending", Names(TargetStatuses.Pending))], cancellationToken, onlyChannelDatabase: channelDatabase).ConfigureAwait(false);
    }

    public async Task<int> UpdateTargetsAsync(TargetUpdate u, CancellationToken cancellationToken)
    {
        if (u.FromStatuses.Count == 0) return 0;
        var parameters = new List<(string, object?)> { ("from", Names(u.FromStatuses)) };
        var where = new StringBuilder("t.status = ANY(@from)");
        if (u.ChannelDatabase is not null) { where.Append(" AND t.channel_database = @db"); parameters.Add(("db", u.ChannelDatabase)); }
        if (u.SessionId is { } id) { where.Append(" AND t.session_id = @id"); parameters.Add(("id", id)); }
        if (u.AfterSessionId is { } after) { where.Append(" AND t.session_id > @after"); parameters.Add(("after", after)); }
        if (u.BeforeSessionId is { } before) { where.Append(" AND t.session_id < @before"); parameters.Add(("before", before)); }
        if (u.JobId is not null) { where.Append(" AND s.job_id = @job"); parameters.Add(("job", u.JobId)); }
        if (u.DataGroup is not null) { where.Append(" AND s.data_group = @group"); parameters.Add(("group", u.DataGroup)); }
        var tries = u.Tries switch { TriesChange.Increment => "t.tries + 1", TriesChange.Reset => "0", _ => "t.tries" };
        parameters.AddRange([("to", u.ToStatus.ToString()), ("now", Now), ("m", u.Message)]);

        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // One statement updates the selected targets (locking them, so concurrent updates serialize) and writes
        // one status message per changed target.
        var changed = Convert.ToInt32(await PostgresConnections.ScalarAsync(conn, $"""
            WITH changed AS (
                UPDATE {Schema}.session_targets t SET status = @to, tries = {tries}, updated_at = @now, message = @m
                FROM {Schema}.download_sessions s
                WHERE s.id = t.session_id AND {where}
                RETURNING t.session_id, t.channel_database),
            logged AS (
                INSERT INTO {Schema}.status_messages (session_id, channel_database, status, message, created_at)
                SELECT session_id, channel_database, @to, @m, @now FROM changed ORDER BY session_id, channel_database)
            SELECT count(*) FROM changed
            """, cancellationToken, tx, parameters.ToArray()).ConfigureAwait(false));
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return changed;
    }

    public async Task<bool> UpdateSessionStatusAsync(long sessionId, IReadOnlyList<SessionStatus> fromStatuses, SessionStatus toStatus, string? message, CancellationToken cancellationToken)
    {
        if (fromStatuses.Count == 0) return false;
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var changed = await PostgresConnections.ExecuteAsync(conn,
            $"UPDATE {Schema}.download_sessions SET status = @to, message = @m, finished_at = COALESCE(finished_at, @now) WHERE id = @id AND status = ANY(@from)",
            cancellationToken, tx, ("to", toStatus.ToString()), ("m", message), ("now", Now), ("id", sessionId), ("from", Names(fromStatuses))).ConfigureAwait(false);
        if (changed == 1) await AddStatusMessageAsync(conn, tx, sessionId, null, toStatus, message, cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return changed == 1;
    }

    public async Task ReplacePackageAsync(CompletedPackage p, CancellationToken cancellationToken)
    {
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var changed = await PostgresConnections.ExecuteAsync(conn,
            $"UPDATE {Schema}.download_sessions SET row_count = @rows, package_file = @file, package_size = @size, package_sha256 = @sha, staged = @staged WHERE id = @id",
            cancellationToken, null, ("rows", p.RowCount), ("file", p.PackageFile), ("size", p.PackageSize), ("sha", p.PackageSha256),
            ("staged", p.Staged), ("id", p.SessionId)).ConfigureAwait(false);
        if (changed != 1)
            throw new AsyncServerException(ErrorIds.SessionNotFound, ErrorKind.ObjectNotFound, $"Session {p.SessionId} does not exist.", p.SessionId);
    }

    public async Task<IReadOnlyList<string>> FindChannelDatabasesToSeedAsync(string partition, string dataGroup, string jobId, IReadOnlyList<string> channelDatabases, CancellationToken cancellationToken)
    {
        if (channelDatabases.Count == 0) return [];
        var joined = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (var cmd = PostgresConnections.Command(conn,
            $"SELECT channel_database FROM {Schema}.channel_database_jobs WHERE partition = @p AND data_group = @g AND job_id = @j",
            null, ("p", partition), ("g", dataGroup), ("j", jobId)))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false)) joined.Add(r.GetString(0));
        return channelDatabases.Where(db => !joined.Contains(db)).ToList();
    }

    public async Task<IReadOnlyList<StatusMessageRecord>> GetUnmovedStatusMessagesAsync(int limit, CancellationToken cancellationToken)
    {
        var list = new List<StatusMessageRecord>();
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = PostgresConnections.Command(conn,
            "SELECT m.id, m.session_id, m.channel_database, m.status, m.message, m.created_at, s.job_id, s.data_group, s.partition " +
            $"FROM {Schema}.status_messages m LEFT JOIN {Schema}.download_sessions s ON s.id = m.session_id WHERE m.moved_at IS NULL ORDER BY m.id LIMIT @limit",
            null, ("limit", limit));
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            list.Add(new StatusMessageRecord(r.GetInt64(0), r.GetInt64(1), r.IsDBNull(2) ? null : r.GetString(2), Enum.Parse<SessionStatus>(r.GetString(3)),
                r.IsDBNull(4) ? null : r.GetString(4), r.GetFieldValue<DateTimeOffset>(5),
                r.IsDBNull(6) ? null : r.GetString(6), r.IsDBNull(7) ? null : r.GetString(7), r.IsDBNull(8) ? null : r.GetString(8)));
        return list;
    }

    public async Task MarkStatusMessagesMovedAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0) return;
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await PostgresConnections.ExecuteAsync(conn, $"UPDATE {Schema}.status_messages SET moved_at = @now WHERE moved_at IS NULL AND id = ANY(@ids)",
            cancellationToken, null, ("now", Now), ("ids", ids.ToArray())).ConfigureAwait(false);
    }

    public async Task<PurgeResult> PurgeAsync(DateTimeOffset before, bool whatIf, CancellationToken cancellationToken)
    {
        // Finished everywhere: not being created and no channel database still has work in it.
        var expired = "s.created_at < @cutoff AND s.status <> 'Started' " +
                      $"AND NOT EXISTS (SELECT 1 FROM {Schema}.session_targets x WHERE x.session_id = s.id AND x.status = ANY(@pending))";
        (string, object?)[] parameters = [("cutoff", before), ("pending", Names(TargetStatuses.Pending))];
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var sessions = new List<PurgedSession>();
        await using (var cmd = PostgresConnections.Command(conn, $"SELECT s.id, s.package_file, s.staged FROM {Schema}.download_sessions s WHERE {expired} ORDER BY s.id FOR UPDATE", tx, parameters))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
                sessions.Add(new PurgedSession(r.GetInt64(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetBoolean(2)));
        int messages;
        if (whatIf)
        {
            messages = Convert.ToInt32(await PostgresConnections.ScalarAsync(conn,
                $"SELECT count(*) FROM {Schema}.status_messages WHERE moved_at IS NOT NULL AND created_at < @cutoff", cancellationToken, tx, ("cutoff", before)).ConfigureAwait(false));
            await tx.RollbackAsync(cancellationToken).ConfigureAwait(false);
            return new PurgeResult(sessions, messages);
        }
        var ids = sessions.Select(s => s.Id).ToArray();
        await PostgresConnections.ExecuteAsync(conn, $"DELETE FROM {Schema}.session_targets WHERE session_id = ANY(@ids)", cancellationToken, tx, ("ids", ids)).ConfigureAwait(false);
        await PostgresConnections.ExecuteAsync(conn, $"UPDATE {Schema}.row_versions SET session_id = NULL WHERE session_id = ANY(@ids)", cancellationToken, tx, ("ids", ids)).ConfigureAwait(false);
        await PostgresConnections.ExecuteAsync(conn, $"DELETE FROM {Schema}.download_sessions WHERE id = ANY(@ids)", cancellationToken, tx, ("ids", ids)).ConfigureAwait(false);
        messages = await PostgresConnections.ExecuteAsync(conn,
            $"DELETE FROM {Schema}.status_messages WHERE moved_at IS NOT NULL AND created_at < @cutoff", cancellationToken, tx, ("cutoff", before)).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new PurgeResult(sessions, messages);
    }
}
