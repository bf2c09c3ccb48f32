using System.Text;
using AsyncServer.Diagnostics;
using AsyncServer.Messaging;
using Microsoft.Data.Sqlite;

namespace AsyncServer.Providers.Sqlite;

/// <summary>The channel side and session lifecycle on SQLite: targets, cancel and rerun, status messages, retention.</summary>
public sealed partial class SqliteMessageStore
{
    private static string InList(IReadOnlyList<SessionStatus> statuses, List<(string, object?)> parameters, string prefix)
    {
        var names = statuses.Select((st, i) => { var n = $"@{prefix}{i}"; parameters.Add((n, st.ToString())); return n; });
        return string.Join(", ", names);
    }

    public async Task<IReadOnlyList<DownloadSessionRecord>> GetPendingSessionsAsync(string channelDatabase, CancellationToken cancellationToken)
    {
        var parameters = new List<(string, object?)> { ("@db", channelDatabase) };
        var list = InList(TargetStatuses.Pending, parameters, "st");
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ReadSessionsAsync(conn,
            $"WHERE EXISTS (SELECT 1 FROM session_targets x WHERE x.session_id = s.id AND x.channel_database = @db AND x.status IN ({list})) ORDER BY s.id",
            parameters, cancellationToken, onlyChannelDatabase: channelDatabase).ConfigureAwait(false);
    }

    public async Task<int> UpdateTargetsAsync(TargetUpdate u, CancellationToken cancellationToken)
    {
        if (u.FromStatuses.Count == 0) return 0;
        var parameters = new List<(string, object?)>();
        var where = new StringBuilder($"t.status IN ({InList(u.FromStatuses, parameters, "from")})");
        if (u.ChannelDatabase is not null) { where.Append(" AND t.channel_database = @db"); parameters.Add(("@db", u.ChannelDatabase)); }
        if (u.SessionId is { } id) { where.Append(" AND t.session_id = @id"); parameters.Add(("@id", id)); }
        if (u.AfterSessionId is { } after) { where.Append(" AND t.session_id > @after"); parameters.Add(("@after", after)); }
        if (u.BeforeSessionId is { } before) { where.Append(" AND t.session_id < @before"); parameters.Add(("@before", before)); }
        if (u.JobId is not null) { where.Append(" AND s.job_id = @job"); parameters.Add(("@job", u.JobId)); }
        if (u.DataGroup is not null) { where.Append(" AND s.data_group = @group"); parameters.Add(("@group", u.DataGroup)); }

        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = (SqliteTransaction)await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var selected = new List<(long Session, string Db)>();
        await using (var cmd = conn.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = $"SELECT t.session_id, t.channel_database FROM session_targets t JOIN download_sessions s ON s.id = t.session_id WHERE {where} ORDER BY t.session_id, t.channel_database";
            foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false)) selected.Add((r.GetInt64(0), r.GetString(1)));
        }
        var tries = u.Tries switch { TriesChange.Increment => "tries + 1", TriesChange.Reset => "0", _ => "tries" };
        var now = StoreTime.ToText(Now);
        foreach (var (session, db) in selected)
        {
            await SqliteConnections.ExecuteAsync(conn,
                $"UPDATE session_targets SET status = @to, tries = {tries}, updated_at = @now, message = @m WHERE session_id = @s AND channel_database = @c",
                cancellationToken, tx, ("@to", u.ToStatus.ToString()), ("@now", now), ("@m", u.Message), ("@s", session), ("@c", db)).ConfigureAwait(false);
            await AddStatusMessageAsync(conn, tx, session, db, u.ToStatus, u.Message, cancellationToken).ConfigureAwait(false);
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return selected.Count;
    }

    public async Task<bool> UpdateSessionStatusAsync(long sessionId, IReadOnlyList<SessionStatus> fromStatuses, SessionStatus toStatus, string? message, CancellationToken cancellationToken)
    {
        if (fromStatuses.Count == 0) return false;
        var parameters = new List<(string, object?)>();
        var list = InList(fromStatuses, parameters, "from");
        parameters.AddRange([("@to", toStatus.ToString()), ("@m", message), ("@id", sessionId), ("@now", StoreTime.ToText(Now))]);
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = (SqliteTransaction)await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var changed = await SqliteConnections.ExecuteAsync(conn,
            $"UPDATE download_sessions SET status = @to, message = @m, finished_at = COALESCE(finished_at, @now) WHERE id = @id AND status IN ({list})",
            cancellationToken, tx, parameters.ToArray()).ConfigureAwait(false);
        if (changed == 1) await AddStatusMessageAsync(conn, tx, sessionId, null, toStatus, message, cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return changed == 1;
    }

    public async Task ReplacePackageAsync(CompletedPackage p, CancellationToken cancellationToken)
    {
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var changed = await SqliteConnections.ExecuteAsync(conn,
            "UPDATE download_sessions SET row_count = @rows, package_file = @file, package_size = @size, package_sha256 = @sha, staged = @staged WHERE id = @id",
            cancellationToken, null, ("@rows", p.RowCount), ("@file", p.PackageFile), ("@size", p.PackageSize), ("@sha", p.PackageSha256),
            ("@staged", p.Staged ? 1 : 0), ("@id", p.SessionId)).ConfigureAwait(false);
        if (changed != 1)
            throw new AsyncServerException(ErrorIds.SessionNotFound, ErrorKind.ObjectNotFound, $"Session {p.SessionId} does not exist.", p.SessionId);
    }

    public async Task<IReadOnlyList<string>> FindChannelDatabasesToSeedAsync(string partition, string dataGroup, string jobId, IReadOnlyList<string> channelDatabases, CancellationToken cancellationToken)
    {
        if (channelDatabases.Count == 0) return [];
        var joined = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (var cmd = conn.CreateCommand())
        {
            cmd.CommandText = "SELECT channel_database FROM channel_database_jobs WHERE partition = @p AND data_group = @g AND job_id = @j";
            cmd.Parameters.AddWithValue("@p", partition);
            cmd.Parameters.AddWithValue("@g", dataGroup);
            cmd.Parameters.AddWithValue("@j", jobId);
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false)) joined.Add(r.GetString(0));
        }
        return channelDatabases.Where(db => !joined.Contains(db)).ToList();
    }

    public async Task<IReadOnlyList<StatusMessageRecord>> GetUnmovedStatusMessagesAsync(int limit, CancellationToken cancellationToken)
    {
        var list = new List<StatusMessageRecord>();
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT m.id, m.session_id, m.channel_database, m.status, m.message, m.created_at, s.job_id, s.data_group, s.partition " +
                          "FROM status_messages m LEFT JOIN download_sessions s ON s.id = m.session_id WHERE m.moved_at IS NULL ORDER BY m.id LIMIT @limit";
        cmd.Parameters.AddWithValue("@limit", limit);
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            list.Add(new StatusMessageRecord(r.GetInt64(0), r.GetInt64(1), r.IsDBNull(2) ? null : r.GetString(2), Enum.Parse<SessionStatus>(r.GetString(3)),
                r.IsDBNull(4) ? null : r.GetString(4), StoreTime.FromText(r.GetString(5)),
                r.IsDBNull(6) ? null : r.GetString(6), r.IsDBNull(7) ? null : r.GetString(7), r.IsDBNull(8) ? null : r.GetString(8)));
        return list;
    }

    public async Task MarkStatusMessagesMovedAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0) return;
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = (SqliteTransaction)await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var chunk in ids.Chunk(500))
            await SqliteConnections.ExecuteAsync(conn,
                $"UPDATE status_messages SET moved_at = @now WHERE moved_at IS NULL AND id IN ({string.Join(", ", chunk)})",
                cancellationToken, tx, ("@now", StoreTime.ToText(Now))).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<PurgeResult> PurgeAsync(DateTimeOffset before, bool whatIf, CancellationToken cancellationToken)
    {
        var cutoff = StoreTime.ToText(before);
        var parameters = new List<(string, object?)> { ("@cutoff", cutoff) };
        var pending = InList(TargetStatuses.Pending, parameters, "st");
        // Finished everywhere: not being created and no channel database still has work in it.
        var expired = "s.created_at < @cutoff AND s.status <> 'Started' " +
                      $"AND NOT EXISTS (SELECT 1 FROM session_targets x WHERE x.session_id = s.id AND x.status IN ({pending}))";
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = (SqliteTransaction)await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var sessions = new List<PurgedSession>();
        await using (var cmd = conn.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = $"SELECT s.id, s.package_file, s.staged FROM download_sessions s WHERE {expired} ORDER BY s.id";
            foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
            await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
                sessions.Add(new PurgedSession(r.GetInt64(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetInt64(2) != 0));
        }
        int messages;
        if (whatIf)
        {
            messages = Convert.ToInt32(await SqliteConnections.ScalarAsync(conn,
                "SELECT COUNT(*) FROM status_messages WHERE moved_at IS NOT NULL AND created_at < @cutoff", cancellationToken, tx, ("@cutoff", cutoff)).ConfigureAwait(false));
            await tx.RollbackAsync(cancellationToken).ConfigureAwait(false);
            return new PurgeResult(sessions, messages);
        }
        foreach (var chunk in sessions.Select(s => s.Id).Chunk(500))
        {
            var ids = string.Join(", ", chunk);
            await SqliteConnections.ExecuteAsync(conn, $"DELETE FROM session_targets WHERE session_id IN ({ids})", cancellationToken, tx).ConfigureAwait(false);
            await SqliteConnections.ExecuteAsync(conn, $"UPDATE row_versions SET session_id = NULL WHERE session_id IN ({ids})", cancellationToken, tx).ConfigureAwait(false);
            await SqliteConnections.ExecuteAsync(conn, $"DELETE FROM download_sessions WHERE id IN ({ids})", cancellationToken, tx).ConfigureAwait(false);
        }
        messages = await SqliteConnections.ExecuteAsync(conn,
            "DELETE FROM status_messages WHERE moved_at IS NOT NULL AND created_at < @cutoff", cancellationToken, tx, ("@cutoff", cutoff)).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new PurgeResult(sessions, messages);
    }
}
