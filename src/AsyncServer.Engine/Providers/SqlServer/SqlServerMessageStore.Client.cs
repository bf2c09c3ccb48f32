using AsyncServer.Diagnostics;
using AsyncServer.Messaging;
using Microsoft.Data.SqlClient;
using S = AsyncServer.Providers.SqlServer.SqlServerMessageStoreSql;

namespace AsyncServer.Providers.SqlServer;

/// <summary>The channel side and session lifecycle on SQL Server: targets, cancel and rerun, status messages, retention.</summary>
public sealed partial class SqlServerMessageStore
{
    private static (string, object?)[] Statuses(string prefix, IReadOnlyList<SessionStatus> statuses)
        => statuses.Select((st, i) => ($"@{prefix}{i}", (object?)st.ToString())).ToArray();

    public async Task<IReadOnlyList<DownloadSessionRecord>> GetPendingSessionsAsync(string channelDatabase, CancellationToken cancellationToken)
    {
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ReadSessionsAsync(conn, S.PendingSessions(TargetStatuses.Pending.Count),
            [("@db", channelDatabase), .. Statuses("st", TargetStatuses.Pending)], cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> UpdateTargetsAsync(TargetUpdate u, CancellationToken cancellationToken)
    {
        if (u.FromStatuses.Count == 0) return 0;
        var parameters = new List<(string, object?)>(Statuses("from", u.FromStatuses));
        if (u.ChannelDatabase is not null) parameters.Add(("@db", u.ChannelDatabase));
        if (u.SessionId is { } id) parameters.Add(("@id", id));
        if (u.AfterSessionId is { } after) parameters.Add(("@after", after));
        if (u.BeforeSessionId is { } before) parameters.Add(("@before", before));
        if (u.JobId is not null) parameters.Add(("@job", u.JobId));
        if (u.DataGroup is not null) parameters.Add(("@group", u.DataGroup));
        var select = S.SelectTargets(new S.TargetSelection(u.FromStatuses.Count, u.ChannelDatabase is not null, u.SessionId is not null,
            u.AfterSessionId is not null, u.BeforeSessionId is not null, u.JobId is not null, u.DataGroup is not null));

        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await BeginAsync(conn, cancellationToken).ConfigureAwait(false);
        var selected = new List<(long Session, string Db)>();
        await using (var cmd = SqlServerConnections.Command(conn, select, tx, [.. parameters]))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false)) selected.Add((r.GetInt64(0), r.GetString(1)));
        var update = S.UpdateTarget(u.Tries);
        foreach (var (session, db) in selected)
        {
            await SqlServerConnections.ExecuteAsync(conn, update, cancellationToken, tx,
                ("@to", u.ToStatus.ToString()), ("@now", Now), ("@m", u.Message), ("@s", session), ("@c", db)).ConfigureAwait(false);
            await AddStatusMessageAsync(conn, tx, session, db, u.ToStatus, u.Message, cancellationToken).ConfigureAwait(false);
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return selected.Count;
    }

    public async Task<bool> UpdateSessionStatusAsync(long sessionId, IReadOnlyList<SessionStatus> fromStatuses, SessionStatus toStatus, string? message, CancellationToken cancellationToken)
    {
        if (fromStatuses.Count == 0) return false;
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await BeginAsync(conn, cancellationToken).ConfigureAwait(false);
        var changed = await SqlServerConnections.ExecuteAsync(conn, S.UpdateSessionStatus(fromStatuses.Count), cancellationToken, tx,
            [("@to", toStatus.ToString()), ("@m", message), ("@id", sessionId), ("@now", Now), .. Statuses("from", fromStatuses)]).ConfigureAwait(false);
        if (changed == 1) await AddStatusMessageAsync(conn, tx, sessionId, null, toStatus, message, cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return changed == 1;
    }

    public async Task ReplacePackageAsync(CompletedPackage p, CancellationToken cancellationToken)
    {
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var changed = await SqlServerConnections.ExecuteAsync(conn, S.ReplacePackage, cancellationToken, null,
            ("@rows", p.RowCount), ("@file", p.PackageFile), ("@size", p.PackageSize), ("@sha", p.PackageSha256), ("@staged", p.Staged), ("@id", p.SessionId)).ConfigureAwait(false);
        if (changed != 1)
            throw new AsyncServerException(ErrorIds.SessionNotFound, ErrorKind.ObjectNotFound, $"Session {p.SessionId} does not exist.", p.SessionId);
    }

    public async Task<IReadOnlyList<string>> FindChannelDatabasesToSeedAsync(string partition, string dataGroup, string jobId, IReadOnlyList<string> channelDatabases, CancellationToken cancellationToken)
    {
        if (channelDatabases.Count == 0) return [];
        var joined = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (var cmd = SqlServerConnections.Command(conn, S.JoinedChannelDatabases, null, ("@p", partition), ("@g", dataGroup), ("@j", jobId)))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false)) joined.Add(r.GetString(0));
        return channelDatabases.Where(db => !joined.Contains(db)).ToList();
    }

    public async Task<IReadOnlyList<StatusMessageRecord>> GetUnmovedStatusMessagesAsync(int limit, CancellationToken cancellationToken)
    {
        var list = new List<StatusMessageRecord>();
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var cmd = SqlServerConnections.Command(conn, S.UnmovedStatusMessages, null, ("@limit", Math.Max(0, limit)));
        await using var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
            list.Add(new StatusMessageRecord(r.GetInt64(0), r.GetInt64(1), r.IsDBNull(2) ? null : r.GetString(2), Enum.Parse<SessionStatus>(r.GetString(3)),
                r.IsDBNull(4) ? null : r.GetString(4), FromStore(r.GetDateTime(5)),
                r.IsDBNull(6) ? null : r.GetString(6), r.IsDBNull(7) ? null : r.GetString(7), r.IsDBNull(8) ? null : r.GetString(8)));
        return list;
    }

    public async Task MarkStatusMessagesMovedAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0) return;
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await BeginAsync(conn, cancellationToken).ConfigureAwait(false);
        foreach (var chunk in ids.Chunk(S.TargetBatch))
            await SqlServerConnections.ExecuteAsync(conn, S.MarkMoved(chunk.Length), cancellationToken, tx,
                [("@now", Now), .. chunk.Select((id, i) => ($"@m{i}", (object?)id))]).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<PurgeResult> PurgeAsync(DateTimeOffset before, bool whatIf, CancellationToken cancellationToken)
    {
        var cutoff = before.UtcDateTime;
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await BeginAsync(conn, cancellationToken).ConfigureAwait(false);
        var sessions = new List<PurgedSession>();
        await using (var cmd = SqlServerConnections.Command(conn, S.ExpiredSessions(TargetStatuses.Pending.Count), tx,
            [("@cutoff", cutoff), ("@started", SessionStatus.Started.ToString()), .. Statuses("st", TargetStatuses.Pending)]))
        await using (var r = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
                sessions.Add(new PurgedSession(r.GetInt64(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetBoolean(2)));
        int messages;
        if (whatIf)
        {
            messages = Convert.ToInt32(await SqlServerConnections.ScalarAsync(conn, S.CountMovedMessages, cancellationToken, tx, ("@cutoff", cutoff)).ConfigureAwait(false));
            await tx.RollbackAsync(cancellationToken).ConfigureAwait(false);
            return new PurgeResult(sessions, messages);
        }
        foreach (var chunk in sessions.Select(s => s.Id).Chunk(S.TargetBatch))
            await SqlServerConnections.ExecuteAsync(conn, S.DeleteSessions(chunk.Length), cancellationToken, tx,
                chunk.Select((id, i) => ($"@i{i}", (object?)id)).ToArray()).ConfigureAwait(false);
        messages = await SqlServerConnections.ExecuteAsync(conn, S.DeleteMovedMessages, cancellationToken, tx, ("@cutoff", cutoff)).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new PurgeResult(sessions, messages);
    }
}
