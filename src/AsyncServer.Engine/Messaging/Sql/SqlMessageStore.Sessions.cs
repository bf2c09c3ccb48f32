using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using AsyncServer.Diagnostics;

namespace AsyncServer.Messaging.Sql;

/// <summary>The session ledger: sessions, their packages and the row versions (architecture rule 1).</summary>
public sealed partial class SqlMessageStore
{
    public Task<long?> GetRowVersionAsync(string partition, string dataGroup, string jobId, CancellationToken cancellationToken)
        => RunAsync(async w => ToLong(await w.ScalarAsync(Sql.GetRowVersion, ("@p", partition), ("@g", dataGroup), ("@j", jobId)).ConfigureAwait(false)),
            cancellationToken, transaction: false);

    public Task<long> CreateStartedSessionAsync(NewSession session, CancellationToken cancellationToken)
        => RunAsync(w => InsertSessionAsync(w, session, SessionStatus.Started, null), cancellationToken);

    private async Task<long> InsertSessionAsync(SqlWork w, NewSession s, SessionStatus status, string? message)
    {
        var now = Now;
        var id = Convert.ToInt64(await w.ScalarAsync(Sql.InsertSession,
            ("@p", s.Partition), ("@j", s.JobId), ("@g", s.DataGroup), ("@k", s.Kind.ToString()), ("@d", s.DeleteExisting),
            ("@why", s.FullSyncReason), ("@from", s.FromVersion), ("@to", s.ToVersion), ("@part", s.Part), ("@status", status.ToString()),
            ("@req", string.Join(",", s.RequestedChannelDatabases)), ("@inst", s.InstanceId), ("@now", now),
            ("@fin", status == SessionStatus.Started ? null : now), ("@msg", message)).ConfigureAwait(false), CultureInfo.InvariantCulture);
        await AddStatusMessageAsync(w, id, null, status, message).ConfigureAwait(false);
        return id;
    }

    /// <summary>Every status change writes one status message, in the transaction of the change.</summary>
    private Task<int> AddStatusMessageAsync(SqlWork w, long sessionId, string? channelDatabase, SessionStatus status, string? message)
        => w.ExecuteAsync(Sql.InsertStatusMessage, ("@s", sessionId), ("@c", channelDatabase), ("@st", status.ToString()), ("@m", message), ("@now", Now));

    public Task<IReadOnlyList<long>> CompleteRunAsync(RunCompletion completion, CancellationToken cancellationToken)
        => RunAsync<IReadOnlyList<long>>(async w =>
        {
            // Fencing: the lease's lock (so no instance can take it over while we record), then only the live holder
            // may record, and only if nobody advanced the row version meanwhile.
            await LockAsync(w, "lease:" + completion.LeaseResource).ConfigureAwait(false);
            var holder = (string?)await w.ScalarAsync(Sql.LiveLeaseOwner, ("@r", completion.LeaseResource)).ConfigureAwait(false);
            if (!string.Equals(holder, completion.Owner, StringComparison.Ordinal))
                throw Conflict($"the lease on {completion.LeaseResource} is no longer held by {completion.Owner}" + (holder is null ? "" : $" (now {holder})"));
            var current = ToLong(await w.ScalarAsync(Sql.GetRowVersionLocked,
                ("@p", completion.Partition), ("@g", completion.DataGroup), ("@j", completion.JobId)).ConfigureAwait(false));
            if (current != completion.ExpectedRowVersion)
                throw Conflict($"the row version of ({completion.DataGroup}, {completion.JobId}) moved from " +
                    $"{completion.ExpectedRowVersion?.ToString(CultureInfo.CurrentCulture) ?? "none"} to {current}");

            var ids = new List<long>();
            foreach (var p in completion.Packages)
            {
                await RecordPackageAsync(w, p, completion.ChannelDatabases).ConfigureAwait(false);
                ids.Add(p.SessionId);
            }
            if (completion.NoDataSession is not null)
                ids.Add(await InsertSessionAsync(w, completion.NoDataSession, SessionStatus.NoData, "No changes since the last distribution.")
                    .ConfigureAwait(false));
            if (completion.NewRowVersion is { } version)
                await w.ExecuteAsync(Sql.WriteRowVersion, ("@p", completion.Partition), ("@g", completion.DataGroup), ("@j", completion.JobId), ("@v", version),
                    ("@s", ids.Count == 0 ? null : ids[^1]), ("@now", Now)).ConfigureAwait(false);
            return ids;
        }, cancellationToken);

    private async Task RecordPackageAsync(SqlWork w, CompletedPackage p, IReadOnlyList<string> channelDatabases)
    {
        var status = p.Staged ? SessionStatus.Started : SessionStatus.Available;
        var message = p.Staged ? "Staged: run Publish-AsyncPackage to make it available." : null;
        var changed = await w.ExecuteAsync(Sql.RecordPackage,
            ("@st", status.ToString()), ("@rows", p.RowCount), ("@file", p.PackageFile), ("@size", p.PackageSize), ("@sha", p.PackageSha256),
            ("@staged", p.Staged), ("@now", Now), ("@msg", message), ("@id", p.SessionId), ("@started", nameof(SessionStatus.Started))).ConfigureAwait(false);
        if (changed != 1)
            throw new AsyncServerException(ErrorIds.SessionCanceled, ErrorKind.OperationStopped,
                $"Session {p.SessionId} is no longer being created (it was canceled); nothing of this run was recorded.", p.SessionId);
        if (p.Staged) return;
        await AddStatusMessageAsync(w, p.SessionId, null, status, message).ConfigureAwait(false);
        await Sql.InsertTargetsAsync(w, p.SessionId, channelDatabases, Now).ConfigureAwait(false);
    }

    public Task FailSessionsAsync(IReadOnlyList<long> sessionIds, SessionStatus status, string message, CancellationToken cancellationToken)
    {
        if (sessionIds.Count == 0) return Task.CompletedTask;
        return RunAsync(async w =>
        {
            foreach (var id in sessionIds)
            {
                var changed = await w.ExecuteAsync(Sql.FailSession, ("@st", status.ToString()), ("@now", Now), ("@m", message), ("@id", id),
                    ("@started", nameof(SessionStatus.Started))).ConfigureAwait(false);
                if (changed == 1) await AddStatusMessageAsync(w, id, null, status, message).ConfigureAwait(false);
            }
        }, cancellationToken);
    }

    public Task PublishStagedSessionAsync(long sessionId, string packageFile, IReadOnlyList<string> channelDatabases, CancellationToken cancellationToken)
        => RunAsync(async w =>
        {
            var changed = await w.ExecuteAsync(Sql.PublishStaged, ("@file", packageFile), ("@now", Now), ("@id", sessionId),
                ("@available", nameof(SessionStatus.Available)), ("@started", nameof(SessionStatus.Started))).ConfigureAwait(false);
            if (changed != 1)
                throw new AsyncServerException(ErrorIds.SessionStateInvalid, ErrorKind.InvalidOperation,
                    $"Session {sessionId} is not a staged session waiting to be published.", sessionId);
            await AddStatusMessageAsync(w, sessionId, null, SessionStatus.Available, null).ConfigureAwait(false);
            await Sql.InsertTargetsAsync(w, sessionId, channelDatabases, Now).ConfigureAwait(false);
        }, cancellationToken);

    public Task<bool> UpdateSessionStatusAsync(
        long sessionId, IReadOnlyList<SessionStatus> fromStatuses, SessionStatus toStatus, string? message, CancellationToken cancellationToken)
    {
        if (fromStatuses.Count == 0) return Task.FromResult(false);
        return RunAsync(async w =>
        {
            var changed = await w.ExecuteAsync(Sql.UpdateSessionStatus(fromStatuses.Count),
                [("@to", toStatus.ToString()), ("@m", message), ("@id", sessionId), ("@now", Now), .. List("from", Names(fromStatuses))]).ConfigureAwait(false);
            if (changed == 1) await AddStatusMessageAsync(w, sessionId, null, toStatus, message).ConfigureAwait(false);
            return changed == 1;
        }, cancellationToken);
    }

    public Task ReplacePackageAsync(CompletedPackage package, CancellationToken cancellationToken)
        => RunAsync(async w =>
        {
            var changed = await w.ExecuteAsync(Sql.ReplacePackage, ("@rows", package.RowCount), ("@file", package.PackageFile), ("@size", package.PackageSize),
                ("@sha", package.PackageSha256), ("@staged", package.Staged), ("@id", package.SessionId)).ConfigureAwait(false);
            if (changed != 1)
                throw new AsyncServerException(ErrorIds.SessionNotFound, ErrorKind.ObjectNotFound,
                    $"Session {package.SessionId} does not exist.", package.SessionId);
        }, cancellationToken, transaction: false);

    public Task<IReadOnlyList<DownloadSessionRecord>> GetUnfinishedSessionsAsync(
        string partition, string dataGroup, string jobId, CancellationToken cancellationToken)
        => RunAsync(w => ReadSessionsAsync(w, Sql.UnfinishedSessions,
            [("@p", partition), ("@g", dataGroup), ("@j", jobId), ("@started", nameof(SessionStatus.Started))]), cancellationToken, transaction: false);

    public Task<IReadOnlyList<DownloadSessionRecord>> QuerySessionsAsync(SessionQuery query, CancellationToken cancellationToken)
        => RunAsync(w => QueryPageAsync(w, query, query.Limit, afterId: null), cancellationToken, transaction: false);

    public async IAsyncEnumerable<DownloadSessionRecord> StreamSessionsAsync(SessionQuery query, [EnumeratorCancellation] CancellationToken cancellationToken,
        int pageSize = 500)
    {
        var remaining = query.Limit ?? int.MaxValue;
        long? afterId = null;
        while (remaining > 0)
        {
            var size = Math.Min(remaining, Math.Max(1, pageSize));
            var page = await RunAsync(w => QueryPageAsync(w, query, size, afterId), cancellationToken, transaction: false).ConfigureAwait(false);
            foreach (var session in page) yield return session;
            if (page.Count < size) yield break;
            remaining -= page.Count;
            afterId = page[^1].Id;
        }
    }

    /// <summary>One page of a session query: at most <paramref name="limit"/> sessions after <paramref name="afterId"/> in its order.</summary>
    private Task<IReadOnlyList<DownloadSessionRecord>> QueryPageAsync(SqlWork w, SessionQuery q, int? limit, long? afterId)
    {
        var hideNoData = q.Statuses is not { Count: > 0 } && !q.IncludeNoData && q.Ids is null;
        var parameters = new List<(string, object?)>();
        parameters.AddRange(List("id", q.Ids ?? []));
        parameters.AddRange(List("job", q.JobIds ?? []));
        parameters.AddRange(List("grp", q.DataGroups ?? []));
        parameters.AddRange(List("st", Names(q.Statuses ?? [])));
        parameters.AddRange(List("cdb", q.ChannelDatabases ?? []));
        if (hideNoData) parameters.Add(("@noData", nameof(SessionStatus.NoData)));
        if (q.CreatedAfter is { } after) parameters.Add(("@after", after));
        if (q.CreatedBefore is { } before) parameters.Add(("@before", before));
        if (afterId is { } last) parameters.Add(("@afterId", last));
        if (limit is { } n) parameters.Add(("@limit", Math.Max(0, n)));
        var sql = Sql.QuerySessions(new SessionQueryShape(q.Ids?.Count ?? 0, q.JobIds?.Count ?? 0, q.DataGroups?.Count ?? 0, q.Statuses?.Count ?? 0,
            q.ChannelDatabases?.Count ?? 0, hideNoData, q.CreatedAfter is not null, q.CreatedBefore is not null, limit is not null)
            { NewestFirst = q.NewestFirst, AfterId = afterId is not null });
        return ReadSessionsAsync(w, sql, parameters);
    }

    /// <param name="onlyChannelDatabase">When set, only the targets at this channel database are read (a group may have hundreds).</param>
    private async Task<IReadOnlyList<DownloadSessionRecord>> ReadSessionsAsync(SqlWork w, string sql, IEnumerable<(string, object?)> parameters,
        string? onlyChannelDatabase = null)
    {
        var sessions = await w.ReadAsync(sql, r => SessionRecordReader.Read(r, connector.ReadTime), parameters).ConfigureAwait(false);
        if (sessions.Count == 0) return sessions;
        var targets = new Dictionary<long, List<SessionTargetRecord>>();
        foreach (var chunk in sessions.Select(s => s.Id).Chunk(MessageStoreSql.TargetBatch))
        {
            (string, object?)[] only = onlyChannelDatabase is null ? [] : [("@only", onlyChannelDatabase)];
            var targetsOf = Sql.TargetsOf(chunk.Length, onlyChannelDatabase is not null);
            foreach (var t in await w.ReadAsync(targetsOf, ReadTarget, [.. List("t", chunk), .. only]).ConfigureAwait(false))
            {
                if (!targets.TryGetValue(t.SessionId, out var list)) targets[t.SessionId] = list = [];
                list.Add(t);
            }
        }
        return sessions.Select(s => targets.TryGetValue(s.Id, out var list) ? s with { Targets = list } : s).ToList();
    }

    /// <summary>A target's six columns (TargetsOf, or after the session's in PendingSessions), starting at <paramref name="at"/>.</summary>
    private SessionTargetRecord ReadTarget(DbDataReader r, int at) => new(r.GetInt64(at), r.GetString(at + 1), Enum.Parse<SessionStatus>(r.GetString(at + 2)),
        Convert.ToInt32(r.GetValue(at + 3), CultureInfo.InvariantCulture), connector.ReadTime(r, at + 4), r.IsDBNull(at + 5) ? null : r.GetString(at + 5));

    private SessionTargetRecord ReadTarget(DbDataReader r) => ReadTarget(r, 0);
}
