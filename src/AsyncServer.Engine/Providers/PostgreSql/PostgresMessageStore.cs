using System.Text;
using AsyncServer.Data;
using AsyncServer.Diagnostics;
using AsyncServer.Messaging;
using Npgsql;
using static AsyncServer.Providers.PostgreSql.PostgresMessageSchema;

namespace AsyncServer.Providers.PostgreSql;

/// <summary>
/// The message database on PostgreSQL, shared by any number of server instances. Leases are claimed with
/// INSERT ... ON CONFLICT ... DO UPDATE ... WHERE expired, against the database server's clock (instances on
/// different hosts need not agree on the time). CompleteRunAsync locks the lease row and the row version
/// row, so a takeover and a late completion cannot both succeed.
/// </summary>
public sealed partial class PostgresMessageStore : IMessageStore
{
    private readonly ResolvedConnection _connection;
    private readonly TimeProvider _time;

    public PostgresMessageStore(ResolvedConnection connection, TimeProvider? time = null)
    {
        _connection = connection;
        _time = time ?? TimeProvider.System;
    }

    public string Provider => "postgresql";

    /// <summary>Session timestamps follow the engine's clock, like every provider; lease expiry uses the server's.</summary>
    private DateTimeOffset Now => _time.GetUtcNow();

    private Task<NpgsqlConnection> OpenAsync(CancellationToken ct) => PostgresConnections.OpenAsync(_connection, ct);

    public async Task<MessageDatabaseInfo> InitializeAsync(CancellationToken cancellationToken)
    {
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await PostgresConnections.ExecuteAsync(conn, $"SELECT pg_catalog.pg_advisory_xact_lock({MigrationLockKey})", cancellationToken, tx).ConfigureAwait(false);
        var previous = await ReadVersionAsync(conn, tx, cancellationToken).ConfigureAwait(false);
        if (previous > MessageSchema.CurrentVersion) throw MessageSchema.TooNew(previous, _connection.Display);
        for (var v = previous; v < MessageSchema.CurrentVersion; v++)
            await PostgresConnections.ExecuteAsync(conn, Migrations[v], cancellationToken, tx).ConfigureAwait(false);
        await PostgresConnections.ExecuteAsync(conn,
            $"INSERT INTO {Schema}.schema_info (id, version, updated_at) VALUES (1, @v, @now) ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, updated_at = EXCLUDED.updated_at",
            cancellationToken, tx, ("v", MessageSchema.CurrentVersion), ("now", Now)).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new MessageDatabaseInfo(Provider, _connection.Display, MessageSchema.CurrentVersion, previous, previous == 0);
    }

    private static async Task<int> ReadVersionAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, CancellationToken ct)
    {
        var exists = await PostgresConnections.ScalarAsync(conn, "SELECT pg_catalog.to_regclass(@t) IS NOT NULL", ct, tx, ("t", $"{Schema}.schema_info")).ConfigureAwait(false);
        if (exists is not true) return 0;
        var v = await PostgresConnections.ScalarAsync(conn, $"SELECT version FROM {Schema}.schema_info WHERE id = 1", ct, tx).ConfigureAwait(false);
        return v is null ? 0 : Convert.ToInt32(v);
    }


    public async Task EnsureReadyAsync(CancellationToken cancellationToken)
    {
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var version = await ReadVersionAsync(conn, null, cancellationToken).ConfigureAwait(false);
        MessageSchema.EnsureCurrent(version, _connection.Display);
    }

    public async Task<long?> GetRowVersionAsync(string partition, string dataGroup, string jobId, CancellationToken cancellationToken)
    {
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var v = await PostgresConnections.ScalarAsync(conn, $"SELECT version FROM {Schema}.row_versions WHERE partition = @p AND data_group = @g AND job_id = @j",
            cancellationToken, null, ("p", partition), ("g", dataGroup), ("j", jobId)).ConfigureAwait(false);
        return v is null ? null : Convert.ToInt64(v);
    }

    public async Task<LeaseResult> TryAcquireLeaseAsync(string resource, string owner, TimeSpan ttl, CancellationToken cancellationToken)
    {
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        // One statement: either we insert or take over an expired (or our own) lease, or we read the holder.
        // ON CONFLICT locks the existing row, so two instances racing for an expired lease cannot both win.
        await using var cmd = PostgresConnections.Command(conn, $"""
            WITH claim AS (
                INSERT INTO {Schema}.leases AS l (resource, owner, acquired_at, expires_at)
                VALUES (@r, @o, clock_timestamp(), clock_timestamp() + @ttl)
                ON CONFLICT (resource) DO UPDATE SET owner = EXCLUDED.owner, acquired_at = EXCLUDED.acquired_at, expires_at = EXCLUDED.expires_at
                WHERE l.owner = EXCLUDED.owner OR l.expires_at < clock_timestamp()
                RETURNING owner, expires_at)
            SELECT true, owner, expires_at FROM claim
            UNION ALL
            SELECT false, owner, expires_at FROM {Schema}.leases WHERE resource = @r AND NOT EXISTS (SELECT 1 FROM claim)
            """, null, ("r", resource), ("o", owner), ("ttl", ttl));
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return new LeaseResult(false, null, null);
        return new LeaseResult(reader.GetBoolean(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2));
    }

    public async Task<bool> RenewLeaseAsync(string resource, string owner, TimeSpan ttl, CancellationToken cancellationToken)
    {
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await PostgresConnections.ExecuteAsync(conn, $"UPDATE {Schema}.leases SET expires_at = clock_timestamp() + @ttl WHERE resource = @r AND owner = @o",
            cancellationToken, null, ("ttl", ttl), ("r", resource), ("o", owner)).ConfigureAwait(false) == 1;
    }

    public async Task ReleaseLeaseAsync(string resource, string owner, CancellationToken cancellationToken)
    {
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await PostgresConnections.ExecuteAsync(conn, $"DELETE FROM {Schema}.leases WHERE resource = @r AND owner = @o",
            cancellationToken, null, ("r", resource), ("o", owner)).ConfigureAwait(false);
    }

    public async Task<long> CreateStartedSessionAsync(NewSession session, CancellationToken cancellationToken)
    {
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var id = await InsertSessionAsync(conn, tx, session, SessionStatus.Started, null, cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return id;
    }

    private async Task<long> InsertSessionAsync(NpgsqlConnection conn, NpgsqlTransaction tx, NewSession s, SessionStatus status, string? message, CancellationToken ct)
    {
        var now = Now;
        var id = Convert.ToInt64(await PostgresConnections.ScalarAsync(conn,
            $"INSERT INTO {Schema}.download_sessions (partition, job_id, data_group, kind, delete_existing, full_sync_reason, from_version, to_version, part, status, " +
            "requested_channel_databases, instance_id, created_at, finished_at, message) " +
            "VALUES (@p, @j, @g, @k, @d, @why, @from, @to, @part, @status, @req, @inst, @now, @fin, @msg) RETURNING id",
            ct, tx, ("p", s.Partition), ("j", s.JobId), ("g", s.DataGroup), ("k", s.Kind.ToString()), ("d", s.DeleteExisting),
            ("why", s.FullSyncReason), ("from", s.FromVersion), ("to", s.ToVersion), ("part", s.Part), ("status", status.ToString()),
            ("req", string.Join(",", s.RequestedChannelDatabases)), ("inst", s.InstanceId), ("now", now),
            ("fin", status == SessionStatus.Started ? null : now), ("msg", message)).ConfigureAwait(false));
        await AddStatusMessageAsync(conn, tx, id, null, status, message, ct).ConfigureAwait(false);
        return id;
    }

    private async Task AddStatusMessageAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long sessionId, string? channelDatabase, SessionStatus status, string? message, CancellationToken ct)
        => await PostgresConnections.ExecuteAsync(conn,
            $"INSERT INTO {Schema}.status_messages (session_id, channel_database, status, message, created_at) VALUES (@s, @c, @st, @m, @now)",
            ct, tx, ("s", sessionId), ("c", channelDatabase), ("st", status.ToString()), ("m", message), ("now", Now)).ConfigureAwait(false);

    public async Task<IReadOnlyList<long>> CompleteRunAsync(RunCompletion c, CancellationToken cancellationToken)
    {
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var now = Now;

        // Fencing: lock the lease row (a takeover waits for us, or we see its result), then the row version.
        var holder = (string?)await PostgresConnections.ScalarAsync(conn,
            $"SELECT owner FROM {Schema}.leases WHERE resource = @r AND expires_at >= clock_timestamp() FOR UPDATE",
            cancellationToken, tx, ("r", c.LeaseResource)).ConfigureAwait(false);
        if (holder != c.Owner)
            throw Conflict($"the lease on {c.LeaseResource} is no longer held by {c.Owner}" + (holder is null ? "" : $" (now {holder})"));
        var current = await PostgresConnections.ScalarAsync(conn,
            $"SELECT version FROM {Schema}.row_versions WHERE partition = @p AND data_group = @g AND job_id = @j FOR UPDATE",
            cancellationToken, tx, ("p", c.Partition), ("g", c.DataGroup), ("j", c.JobId)).ConfigureAwait(false);
        var currentVersion = current is null ? (long?)null : Convert.ToInt64(current);
        if (currentVersion != c.ExpectedRowVersion)
            throw Conflict($"the row version of ({c.DataGroup}, {c.JobId}) moved from {c.ExpectedRowVersion?.ToString() ?? "none"} to {currentVersion}");

        var ids = new List<long>();
        foreach (var p in c.Packages)
        {
            var status = p.Staged ? SessionStatus.Started : SessionStatus.Available;
            var message = p.Staged ? "Staged: run Publish-AsyncPackage to make it available." : null;
            // Only a session still being created may be recorded: an operator may have canceled it meanwhile.
            var changed = await PostgresConnections.ExecuteAsync(conn,
                $"UPDATE {Schema}.download_sessions SET status = @st, row_count = @rows, package_file = @file, package_size = @size, package_sha256 = @sha, staged = @staged, finished_at = @now, message = @msg " +
                "WHERE id = @id AND status = 'Started' AND NOT staged",
                cancellationToken, tx, ("st", status.ToString()), ("rows", p.RowCount), ("file", p.PackageFile), ("size", p.PackageSize), ("sha", p.PackageSha256),
                ("staged", p.Staged), ("now", now), ("msg", message), ("id", p.SessionId)).ConfigureAwait(false);
            if (changed != 1)
                throw new AsyncServerException(ErrorIds.SessionCanceled, ErrorKind.OperationStopped,
                    $"Session {p.SessionId} is no longer being created (it was canceled); nothing of this run was recorded.", p.SessionId);
            if (!p.Staged)
            {
                await AddStatusMessageAsync(conn, tx, p.SessionId, null, status, message, cancellationToken).ConfigureAwait(false);
                await InsertTargetsAsync(conn, tx, p.SessionId, c.ChannelDatabases, cancellationToken).ConfigureAwait(false);
            }
            ids.Add(p.SessionId);
        }
        if (c.NoDataSession is not null)
            ids.Add(await InsertSessionAsync(conn, tx, c.NoDataSession, SessionStatus.NoData, "No changes since the last distribution.", cancellationToken).ConfigureAwait(false));

        if (c.NewRowVersion is { } newVersion)
        {
            await PostgresConnections.ExecuteAsync(conn,
                $"INSERT INTO {Schema}.row_versions (partition, data_group, job_id, version, session_id, updated_at) VALUES (@p, @g, @j, @v, @s, @now) " +
                "ON CONFLICT (partition, data_group, job_id) DO UPDATE SET version = EXCLUDED.version, session_id = EXCLUDED.session_id, updated_at = EXCLUDED.updated_at",
                cancellationToken, tx, ("p", c.Partition), ("g", c.DataGroup), ("j", c.JobId), ("v", newVersion), ("s", ids.Count == 0 ? null : ids[^1]), ("now", now)).ConfigureAwait(false);
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return ids;
    }

    private async Task InsertTargetsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long sessionId, IReadOnlyList<string> channelDatabases, CancellationToken ct)
    {
        if (channelDatabases.Count == 0) return;
        // Set-based over the array of channel databases: three statements per session, not three round trips
        // per channel database (a 500-database fan-out registers thousands of targets). Rows go in array order.
        var databases = channelDatabases.ToArray();
        var status = SessionStatus.Available.ToString();
        await PostgresConnections.ExecuteAsync(conn,
            $"INSERT INTO {Schema}.session_targets (session_id, channel_database, status, tries, updated_at) " +
            "SELECT @s, u.c, @st, 0, @now FROM unnest(@dbs::text[]) WITH ORDINALITY AS u(c, n) ORDER BY u.n",
            ct, tx, ("s", sessionId), ("dbs", databases), ("st", status), ("now", Now)).ConfigureAwait(false);
        await PostgresConnections.ExecuteAsync(conn,
            $"INSERT INTO {Schema}.status_messages (session_id, channel_database, status, message, created_at) " +
            "SELECT @s, u.c, @st, NULL, @now FROM unnest(@dbs::text[]) WITH ORDINALITY AS u(c, n) ORDER BY u.n",
            ct, tx, ("s", sessionId), ("dbs", databases), ("st", status), ("now", Now)).ConfigureAwait(false);
        // The channel databases have joined this (data group, job): they are never seeded again.
        await PostgresConnections.ExecuteAsync(conn,
            $"INSERT INTO {Schema}.channel_database_jobs (partition, data_group, job_id, channel_database, first_session_id, joined_at) " +
            $"SELECT d.partition, d.data_group, d.job_id, u.c, d.id, @now FROM {Schema}.download_sessions d, unnest(@dbs::text[]) WITH ORDINALITY AS u(c, n) " +
            "WHERE d.id = @s ORDER BY u.n ON CONFLICT DO NOTHING",
            ct, tx, ("s", sessionId), ("dbs", databases), ("now", Now)).ConfigureAwait(false);
    }

    private static AsyncServerException Conflict(string why) => new(ErrorIds.ConcurrentRun, ErrorKind.ResourceBusy,
        $"Another instance distributed this work first: {why}. Nothing was recorded by this run.", why);

    public async Task FailSessionsAsync(IReadOnlyList<long> sessionIds, SessionStatus status, string message, CancellationToken cancellationToken)
    {
        if (sessionIds.Count == 0) return;
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var id in sessionIds)
        {
            var changed = await PostgresConnections.ExecuteAsync(conn,
                $"UPDATE {Schema}.download_sessions SET status = @st, finished_at = @now, message = @m WHERE id = @id AND status = 'Started'",
                cancellationToken, tx, ("st", status.ToString()), ("now", Now), ("m", message), ("id", id)).ConfigureAwait(false);
            if (changed == 1) await AddStatusMessageAsync(conn, tx, id, null, status, message, cancellationToken).ConfigureAwait(false);
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<DownloadSessionRecord>> GetUnfinishedSessionsAsync(string partition, string dataGroup, string jobId, CancellationToken cancellationToken)
    {
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ReadSessionsAsync(conn,
            "WHERE s.partition = @p AND s.data_group = @g AND s.job_id = @j AND s.status = 'Started' AND NOT s.staged ORDER BY s.id",
            [("p", partition), ("g", dataGroup), ("j", jobId)], cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<DownloadSessionRecord>> QuerySessionsAsync(SessionQuery q, CancellationToken cancellationToken)
    {
        var where = new StringBuilder("WHERE true");
        var parameters = new List<(string, object?)>();
        void Any(string column, string name, object? values)
        {
            where.Append($" AND {column} = ANY(@{name})");
            parameters.Add((name, values));
        }
        if (q.Ids is { Count: > 0 }) Any("s.id", "ids", q.Ids.ToArray());
        if (q.JobIds is { Count: > 0 }) Any("s.job_id", "jobs", q.JobIds.ToArray());
        if (q.DataGroups is { Count: > 0 }) Any("s.data_group", "groups", q.DataGroups.ToArray());
        if (q.Statuses is { Count: > 0 })
        {
            parameters.Add(("statuses", q.Statuses.Select(v => v.ToString()).ToArray()));
            where.Append($" AND (s.status = ANY(@statuses) OR EXISTS (SELECT 1 FROM {Schema}.session_targets x WHERE x.session_id = s.id AND x.status = ANY(@statuses)))");
        }
        else if (!q.IncludeNoData && q.Ids is null)
            where.Append(" AND s.status <> 'NoData'");
        if (q.ChannelDatabases is { Count: > 0 })
        {
            parameters.Add(("dbs", q.ChannelDatabases.ToArray()));
            where.Append($" AND EXISTS (SELECT 1 FROM {Schema}.session_targets x WHERE x.session_id = s.id AND x.channel_database = ANY(@dbs))");
        }
        if (q.CreatedAfter is { } after) { where.Append(" AND s.created_at >= @after"); parameters.Add(("after", after)); }
        if (q.CreatedBefore is { } before) { where.Append(" AND s.created_at < @before"); parameters.Add(("before", before)); }
        where.Append(q.NewestFirst ? " ORDER BY s.id DESC" : " ORDER BY s.id");
        if (q.Limit is { } limit) { where.Append(" LIMIT @limit"); parameters.Add(("limit", limit)); }
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ReadSessionsAsync(conn, where.ToString(), parameters, cancellationToken).ConfigureAwait(false);
    }

    /// <param name="onlyChannelDatabase">When set, only the targets at this channel database are read (a group may have hundreds).</param>
    private static async Task<IReadOnlyList<DownloadSessionRecord>> ReadSessionsAsync(NpgsqlConnection conn, string whereAndOrder, IEnumerable<(string, object?)> parameters, CancellationToken ct,
        string? onlyChannelDatabase = null)
    {
        var sessions = new List<DownloadSessionRecord>();
        await using (var cmd = PostgresConnections.Command(conn,
            $"SELECT {SessionRecordReader.Columns} FROM {Schema}.download_sessions s " + whereAndOrder, null, parameters.ToArray()))
        await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
                sessions.Add(SessionRecordReader.Read(r, (reader, i) => reader.GetFieldValue<DateTimeOffset>(i)));
            }
        }
        if (sessions.Count == 0) return sessions;
        var targets = new Dictionary<long, List<SessionTargetRecord>>();
        await using (var cmd = PostgresConnections.Command(conn,
            $"SELECT session_id, channel_database, status, tries, updated_at, message FROM {Schema}.session_targets WHERE session_id = ANY(@ids)" +
            (onlyChannelDatabase is null ? "" : " AND channel_database = @only") + " ORDER BY session_id, channel_database",
            null, ("ids", sessions.Select(s => s.Id).ToArray()), ("only", onlyChannelDatabase)))
        await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
                var t = new SessionTargetRecord(r.GetInt64(0), r.GetString(1), Enum.Parse<SessionStatus>(r.GetString(2)), r.GetInt32(3),
                    r.GetFieldValue<DateTimeOffset>(4), r.IsDBNull(5) ? null : r.GetString(5));
                if (!targets.TryGetValue(t.SessionId, out var list)) targets[t.SessionId] = list = [];
                list.Add(t);
            }
        }
        return sessions.Select(s => targets.TryGetValue(s.Id, out var list) ? s with { Targets = list } : s).ToList();
    }

    public async Task PublishStagedSessionAsync(long sessionId, string packageFile, IReadOnlyList<string> channelDatabases, CancellationToken cancellationToken)
    {
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var changed = await PostgresConnections.ExecuteAsync(conn,
            $"UPDATE {Schema}.download_sessions SET status = 'Available', staged = false, package_file = @file, message = NULL, finished_at = @now WHERE id = @id AND status = 'Started' AND staged",
            cancellationToken, tx, ("file", packageFile), ("now", Now), ("id", sessionId)).ConfigureAwait(false);
        if (changed != 1)
            throw new AsyncServerException(ErrorIds.SessionStateInvalid, ErrorKind.InvalidOperation,
                $"Session {sessionId} is not a staged session waiting to be published.", sessionId);
        await AddStatusMessageAsync(conn, tx, sessionId, null, SessionStatus.Available, null, cancellationToken).ConfigureAwait(false);
        await InsertTargetsAsync(conn, tx, sessionId, channelDatabases, cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
