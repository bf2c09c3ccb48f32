using System.Text;
using AsyncServer.Data;
using AsyncServer.Diagnostics;
using AsyncServer.Messaging;
using Microsoft.Data.Sqlite;

namespace AsyncServer.Providers.Sqlite;

/// <summary>
/// The message database on SQLite. Several processes may share the file: writes use BEGIN IMMEDIATE (one
/// writer at a time, others wait on the busy timeout) and the journal is WAL so readers never block.
/// </summary>
public sealed partial class SqliteMessageStore : IMessageStore
{
    private readonly ResolvedConnection _connection;
    private readonly TimeProvider _time;

    public SqliteMessageStore(ResolvedConnection connection, TimeProvider? time = null)
    {
        _connection = connection;
        _time = time ?? TimeProvider.System;
    }

    public string Provider => "sqlite";

    private DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>Migration n brings the schema from version n-1 to n.</summary>
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE schema_info (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL, updated_at TEXT NOT NULL);
        CREATE TABLE download_sessions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            partition TEXT NOT NULL,
            job_id TEXT NOT NULL,
            data_group TEXT NOT NULL,
            kind TEXT NOT NULL,
            delete_existing INTEGER NOT NULL DEFAULT 0,
            full_sync_reason TEXT,
            from_version INTEGER,
            to_version INTEGER NOT NULL,
            part INTEGER NOT NULL DEFAULT 1,
            status TEXT NOT NULL,
            row_count INTEGER NOT NULL DEFAULT 0,
            package_file TEXT,
            package_size INTEGER,
            package_sha256 TEXT,
            staged INTEGER NOT NULL DEFAULT 0,
            requested_channel_databases TEXT NOT NULL DEFAULT '',
            instance_id TEXT NOT NULL,
            created_at TEXT NOT NULL,
            finished_at TEXT,
            message TEXT);
        CREATE INDEX ix_download_sessions_group_job ON download_sessions (partition, data_group, job_id, status);
        CREATE INDEX ix_download_sessions_created ON download_sessions (created_at);
        CREATE TABLE session_targets (
            session_id INTEGER NOT NULL REFERENCES download_sessions (id) ON DELETE CASCADE,
            channel_database TEXT NOT NULL,
            status TEXT NOT NULL,
            tries INTEGER NOT NULL DEFAULT 0,
            updated_at TEXT NOT NULL,
            message TEXT,
            PRIMARY KEY (session_id, channel_database));
        CREATE INDEX ix_session_targets_database ON session_targets (channel_database, status, session_id);
        CREATE TABLE row_versions (
            partition TEXT NOT NULL,
            data_group TEXT NOT NULL,
            job_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            session_id INTEGER,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (partition, data_group, job_id));
        CREATE TABLE status_messages (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            session_id INTEGER NOT NULL,
            channel_database TEXT,
            status TEXT NOT NULL,
            message TEXT,
            created_at TEXT NOT NULL,
            moved_at TEXT);
        CREATE INDEX ix_status_messages_unmoved ON status_messages (moved_at, id);
        CREATE TABLE leases (
            resource TEXT PRIMARY KEY,
            owner TEXT NOT NULL,
            acquired_at TEXT NOT NULL,
            expires_at TEXT NOT NULL);
        """,
        // 2: the channel side. channel_database_jobs remembers which channel databases have joined a
        // (data group, job), so a new one is seeded with a full package instead of replaying history;
        // existing targets count as joined.
        """
        CREATE TABLE channel_database_jobs (
            partition TEXT NOT NULL,
            data_group TEXT NOT NULL,
            job_id TEXT NOT NULL,
            channel_database TEXT NOT NULL,
            first_session_id INTEGER NOT NULL,
            joined_at TEXT NOT NULL,
            PRIMARY KEY (partition, data_group, job_id, channel_database));
        INSERT INTO channel_database_jobs (partition, data_group, job_id, channel_database, first_session_id, joined_at)
            SELECT s.partition, s.data_group, s.job_id, t.channel_database, MIN(s.id), MIN(t.updated_at)
            FROM session_targets t JOIN download_sessions s ON s.id = t.session_id
            GROUP BY s.partition, s.data_group, s.job_id, t.channel_database;
        CREATE INDEX ix_status_messages_session ON status_messages (session_id);
        CREATE INDEX ix_session_targets_session ON session_targets (session_id, status);
        """,
        Endpoint.EndpointSql.Sqlite.Migration3, // 3: the endpoint's channel credentials and contacts
    ];

    // One idle connection held for the store's lifetime. SQLite checkpoints the WAL into the database file
    // whenever the last connection to it closes; with a connection per operation (no pooling, so files are
    // never left locked) that was a checkpoint per operation, the largest cost of a 500-database fan-out.
    // Held open, the other closes are not the last; the store's own DisposeAsync does the final checkpoint.
    private SqliteConnection? _keepAlive;

    private async Task<SqliteConnection> OpenAsync(CancellationToken ct, bool create = false)
    {
        var conn = await SqliteConnections.OpenAsync(_connection, create, ct).ConfigureAwait(false);
        if (Volatile.Read(ref _keepAlive) is null)
        {
            var keeper = await SqliteConnections.OpenAsync(_connection, create: false, ct).ConfigureAwait(false);
            // A read attaches it to the WAL index; a connection that never read does not count as open.
            await SqliteConnections.ScalarAsync(keeper, "SELECT count(*) FROM sqlite_master", ct).ConfigureAwait(false);
            if (Interlocked.CompareExchange(ref _keepAlive, keeper, null) is not null) await keeper.DisposeAsync().ConfigureAwait(false);
        }
        return conn;
    }

    public async Task<MessageDatabaseInfo> InitializeAsync(CancellationToken cancellationToken)
    {
        var file = _connection.SqliteFile;
        var existed = file is not null && file != ":memory:" && File.Exists(file);
        await using var conn = await OpenAsync(cancellationToken, create: true).ConfigureAwait(false);
        await SqliteConnections.ExecuteAsync(conn, "PRAGMA journal_mode = WAL;", cancellationToken).ConfigureAwait(false);
        await using var tx = (SqliteTransaction)await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var previous = await ReadVersionAsync(conn, tx, cancellationToken).ConfigureAwait(false);
        if (previous > MessageSchema.CurrentVersion)
            throw MessageSchema.TooNew(previous, _connection.Display);
        for (var v = previous; v < MessageSchema.CurrentVersion; v++)
            await SqliteConnections.ExecuteAsync(conn, Migrations[v], cancellationToken, tx).ConfigureAwait(false);
        await SqliteConnections.ExecuteAsync(conn,
            "INSERT INTO schema_info (id, version, updated_at) VALUES (1, @v, @now) ON CONFLICT (id) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at",
            cancellationToken, tx, ("@v", MessageSchema.CurrentVersion), ("@now", StoreTime.ToText(Now))).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new MessageDatabaseInfo(Provider, _connection.Display, MessageSchema.CurrentVersion, previous, !existed || previous == 0);
    }

    private static async Task<int> ReadVersionAsync(SqliteConnection conn, SqliteTransaction? tx, CancellationToken ct)
    {
        var hasTable = await SqliteConnections.ScalarAsync(conn, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_info'", ct, tx).ConfigureAwait(false);
        if (hasTable is null) return 0;
        var v = await SqliteConnections.ScalarAsync(conn, "SELECT version FROM schema_info WHERE id = 1", ct, tx).ConfigureAwait(false);
        return v is null ? 0 : Convert.ToInt32(v);
    }


    public async Task EnsureReadyAsync(CancellationToken cancellationToken)
    {
        var file = _connection.SqliteFile;
        if (file is not null && file != ":memory:" && !File.Exists(file))
            throw MessageSchema.NotInitialized(_connection.Display);
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var version = await ReadVersionAsync(conn, null, cancellationToken).ConfigureAwait(false);
        MessageSchema.EnsureCurrent(version, _connection.Display);
    }


    public async Task<long?> GetRowVersionAsync(string partition, string dataGroup, string jobId, CancellationToken cancellationToken)
    {
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var v = await SqliteConnections.ScalarAsync(conn, "SELECT version FROM row_versions WHERE partition = @p AND data_group = @g AND job_id = @j",
            cancellationToken, null, ("@p", partition), ("@g", dataGroup), ("@j", jobId)).ConfigureAwait(false);
        return v is null ? null : Convert.ToInt64(v);
    }

    public async Task<LeaseResult> TryAcquireLeaseAsync(string resource, string owner, TimeSpan ttl, CancellationToken cancellationToken)
    {
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = (SqliteTransaction)await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var now = Now;
        var changed = await SqliteConnections.ExecuteAsync(conn,
            "INSERT INTO leases (resource, owner, acquired_at, expires_at) VALUES (@r, @o, @now, @exp) " +
            "ON CONFLICT (resource) DO UPDATE SET owner = excluded.owner, acquired_at = excluded.acquired_at, expires_at = excluded.expires_at " +
            "WHERE leases.owner = excluded.owner OR leases.expires_at < @now",
            cancellationToken, tx, ("@r", resource), ("@o", owner), ("@now", StoreTime.ToText(now)), ("@exp", StoreTime.ToText(now + ttl))).ConfigureAwait(false);
        LeaseResult result;
        if (changed == 1) result = new LeaseResult(true, owner, now + ttl);
        else
        {
            await using var cmd = conn.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "SELECT owner, expires_at FROM leases WHERE resource = @r";
            cmd.Parameters.AddWithValue("@r", resource);
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
                ? new LeaseResult(false, reader.GetString(0), StoreTime.FromText(reader.GetString(1)))
                : new LeaseResult(false, null, null);
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    public async Task<bool> RenewLeaseAsync(string resource, string owner, TimeSpan ttl, CancellationToken cancellationToken)
    {
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await SqliteConnections.ExecuteAsync(conn, "UPDATE leases SET expires_at = @exp WHERE resource = @r AND owner = @o",
            cancellationToken, null, ("@exp", StoreTime.ToText(Now + ttl)), ("@r", resource), ("@o", owner)).ConfigureAwait(false) == 1;
    }

    public async Task ReleaseLeaseAsync(string resource, string owner, CancellationToken cancellationToken)
    {
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await SqliteConnections.ExecuteAsync(conn, "DELETE FROM leases WHERE resource = @r AND owner = @o",
            cancellationToken, null, ("@r", resource), ("@o", owner)).ConfigureAwait(false);
    }

    public async Task<long> CreateStartedSessionAsync(NewSession session, CancellationToken cancellationToken)
    {
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = (SqliteTransaction)await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var id = await InsertSessionAsync(conn, tx, session, SessionStatus.Started, null, cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return id;
    }

    private async Task<long> InsertSessionAsync(SqliteConnection conn, SqliteTransaction tx, NewSession s, SessionStatus status, string? message, CancellationToken ct)
    {
        var now = StoreTime.ToText(Now);
        var id = Convert.ToInt64(await SqliteConnections.ScalarAsync(conn,
            "INSERT INTO download_sessions (partition, job_id, data_group, kind, delete_existing, full_sync_reason, from_version, to_version, part, status, " +
            "requested_channel_databases, instance_id, created_at, finished_at, message) " +
            "VALUES (@p, @j, @g, @k, @d, @why, @from, @to, @part, @status, @req, @inst, @now, @fin, @msg) RETURNING id",
            ct, tx, ("@p", s.Partition), ("@j", s.JobId), ("@g", s.DataGroup), ("@k", s.Kind.ToString()), ("@d", s.DeleteExisting ? 1 : 0),
            ("@why", s.FullSyncReason), ("@from", s.FromVersion), ("@to", s.ToVersion), ("@part", s.Part), ("@status", status.ToString()),
            ("@req", string.Join(",", s.RequestedChannelDatabases)), ("@inst", s.InstanceId), ("@now", now),
            ("@fin", status == SessionStatus.Started ? null : now), ("@msg", message)).ConfigureAwait(false));
        await AddStatusMessageAsync(conn, tx, id, null, status, message, ct).ConfigureAwait(false);
        return id;
    }

    internal async Task AddStatusMessageAsync(SqliteConnection conn, SqliteTransaction tx, long sessionId, string? channelDatabase, SessionStatus status, string? message, CancellationToken ct)
        => await SqliteConnections.ExecuteAsync(conn,
            "INSERT INTO status_messages (session_id, channel_database, status, message, created_at) VALUES (@s, @c, @st, @m, @now)",
            ct, tx, ("@s", sessionId), ("@c", channelDatabase), ("@st", status.ToString()), ("@m", message), ("@now", StoreTime.ToText(Now))).ConfigureAwait(false);

    public async Task<IReadOnlyList<long>> CompleteRunAsync(RunCompletion c, CancellationToken cancellationToken)
    {
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = (SqliteTransaction)await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var nowText = StoreTime.ToText(Now);

        // Fencing: only the lease holder may record, and only if nobody advanced the row version meanwhile.
        var holder = (string?)await SqliteConnections.ScalarAsync(conn, "SELECT owner FROM leases WHERE resource = @r AND expires_at >= @now",
            cancellationToken, tx, ("@r", c.LeaseResource), ("@now", nowText)).ConfigureAwait(false);
        if (holder != c.Owner)
            throw Conflict($"the lease on {c.LeaseResource} is no longer held by {c.Owner}" + (holder is null ? "" : $" (now {holder})"));
        var current = await SqliteConnections.ScalarAsync(conn, "SELECT version FROM row_versions WHERE partition = @p AND data_group = @g AND job_id = @j",
            cancellationToken, tx, ("@p", c.Partition), ("@g", c.DataGroup), ("@j", c.JobId)).ConfigureAwait(false);
        var currentVersion = current is null ? (long?)null : Convert.ToInt64(current);
        if (currentVersion != c.ExpectedRowVersion)
            throw Conflict($"the row version of ({c.DataGroup}, {c.JobId}) moved from {c.ExpectedRowVersion?.ToString() ?? "none"} to {currentVersion}");

        var ids = new List<long>();
        foreach (var p in c.Packages)
        {
            var status = p.Staged ? SessionStatus.Started : SessionStatus.Available;
            var message = p.Staged ? "Staged: run Publish-AsyncPackage to make it available." : null;
            // Only a session still being created may be recorded: an operator may have canceled it meanwhile.
            var changed = await SqliteConnections.ExecuteAsync(conn,
                "UPDATE download_sessions SET status = @st, row_count = @rows, package_file = @file, package_size = @size, package_sha256 = @sha, staged = @staged, finished_at = @now, message = @msg WHERE id = @id AND status = 'Started' AND staged = 0",
                cancellationToken, tx, ("@st", status.ToString()), ("@rows", p.RowCount), ("@file", p.PackageFile), ("@size", p.PackageSize), ("@sha", p.PackageSha256),
                ("@staged", p.Staged ? 1 : 0), ("@now", nowText), ("@msg", message), ("@id", p.SessionId)).ConfigureAwait(false);
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
            await SqliteConnections.ExecuteAsync(conn,
                "INSERT INTO row_versions (partition, data_group, job_id, version, session_id, updated_at) VALUES (@p, @g, @j, @v, @s, @now) " +
                "ON CONFLICT (partition, data_group, job_id) DO UPDATE SET version = excluded.version, session_id = excluded.session_id, updated_at = excluded.updated_at",
                cancellationToken, tx, ("@p", c.Partition), ("@g", c.DataGroup), ("@j", c.JobId), ("@v", newVersion), ("@s", ids.LastOrDefault()), ("@now", nowText)).ConfigureAwait(false);
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        return ids;
    }

    private async Task InsertTargetsAsync(SqliteConnection conn, SqliteTransaction tx, long sessionId, IReadOnlyList<string> channelDatabases, CancellationToken ct)
    {
        if (channelDatabases.Count == 0) return;
        // A fan-out registers hundreds of targets: the three statements are prepared once and rebound per
        // channel database instead of being compiled again for every row.
        var now = StoreTime.ToText(Now);
        await using var target = Prepared(conn, tx, "INSERT INTO session_targets (session_id, channel_database, status, tries, updated_at) VALUES (@s, @c, @st, 0, @now)");
        await using var status = Prepared(conn, tx, "INSERT INTO status_messages (session_id, channel_database, status, message, created_at) VALUES (@s, @c, @st, NULL, @now)");
        await using var joined = Prepared(conn, tx,
            "INSERT INTO channel_database_jobs (partition, data_group, job_id, channel_database, first_session_id, joined_at) " +
            "SELECT partition, data_group, job_id, @c, id, @now FROM download_sessions WHERE id = @s ON CONFLICT DO NOTHING");
        foreach (var db in channelDatabases)
        {
            foreach (var cmd in new[] { target, status, joined })
            {
                cmd.Parameters["@s"].Value = sessionId;
                cmd.Parameters["@c"].Value = db;
                cmd.Parameters["@now"].Value = now;
                if (cmd.Parameters.Contains("@st")) cmd.Parameters["@st"].Value = SessionStatus.Available.ToString();
                await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
        }
    }

    private static SqliteCommand Prepared(SqliteConnection conn, SqliteTransaction tx, string sql)
    {
        var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        foreach (var name in new[] { "@s", "@c", "@st", "@now" })
            if (sql.Contains(name, StringComparison.Ordinal)) cmd.Parameters.Add(new SqliteParameter(name, null));
        cmd.Prepare();
        return cmd;
    }

    private static AsyncServerException Conflict(string why) => new(ErrorIds.ConcurrentRun, ErrorKind.ResourceBusy,
        $"Another instance distributed this work first: {why}. Nothing was recorded by this run.", why);

    public async Task FailSessionsAsync(IReadOnlyList<long> sessionIds, SessionStatus status, string message, CancellationToken cancellationToken)
    {
        if (sessionIds.Count == 0) return;
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = (SqliteTransaction)await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var id in sessionIds)
        {
            var changed = await SqliteConnections.ExecuteAsync(conn,
                "UPDATE download_sessions SET status = @st, finished_at = @now, message = @m WHERE id = @id AND status = 'Started'",
                cancellationToken, tx, ("@st", status.ToString()), ("@now", StoreTime.ToText(Now)), ("@m", message), ("@id", id)).ConfigureAwait(false);
            if (changed == 1) await AddStatusMessageAsync(conn, tx, id, null, status, message, cancellationToken).ConfigureAwait(false);
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<DownloadSessionRecord>> GetUnfinishedSessionsAsync(string partition, string dataGroup, string jobId, CancellationToken cancellationToken)
    {
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ReadSessionsAsync(conn,
            "WHERE s.partition = @p AND s.data_group = @g AND s.job_id = @j AND s.status = 'Started' AND s.staged = 0",
            [("@p", partition), ("@g", dataGroup), ("@j", jobId)], cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<DownloadSessionRecord>> QuerySessionsAsync(SessionQuery q, CancellationToken cancellationToken)
    {
        var where = new StringBuilder("WHERE 1 = 1");
        var parameters = new List<(string, object?)>();
        void In<T>(string column, IReadOnlyList<T>? values, Func<T, object> map)
        {
            if (values is null || values.Count == 0) return;
            var names = values.Select((v, i) => { var n = $"@{column.Replace(".", "_")}{i}"; parameters.Add((n, map(v))); return n; });
            where.Append($" AND {column} IN ({string.Join(", ", names)})");
        }
        In("s.id", q.Ids, v => v);
        In("s.job_id", q.JobIds, v => v);
        In("s.data_group", q.DataGroups, v => v);
        if (q.Statuses is { Count: > 0 })
        {
            var names = q.Statuses.Select((v, i) => { var n = $"@st{i}"; parameters.Add((n, v.ToString())); return n; }).ToList();
            var list = string.Join(", ", names);
            where.Append($" AND (s.status IN ({list}) OR EXISTS (SELECT 1 FROM session_targets x WHERE x.session_id = s.id AND x.status IN ({list})))");
        }
        else if (!q.IncludeNoData && q.Ids is null)
            where.Append(" AND s.status <> 'NoData'");
        if (q.ChannelDatabases is { Count: > 0 })
        {
            var names = q.ChannelDatabases.Select((v, i) => { var n = $"@cdb{i}"; parameters.Add((n, v)); return n; }).ToList();
            where.Append($" AND EXISTS (SELECT 1 FROM session_targets x WHERE x.session_id = s.id AND x.channel_database IN ({string.Join(", ", names)}))");
        }
        if (q.CreatedAfter is { } after) { where.Append(" AND s.created_at >= @after"); parameters.Add(("@after", StoreTime.ToText(after))); }
        if (q.CreatedBefore is { } before) { where.Append(" AND s.created_at < @before"); parameters.Add(("@before", StoreTime.ToText(before))); }
        where.Append(q.NewestFirst ? " ORDER BY s.id DESC" : " ORDER BY s.id");
        if (q.Limit is { } limit) where.Append($" LIMIT {limit}");
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await ReadSessionsAsync(conn, where.ToString(), parameters, cancellationToken).ConfigureAwait(false);
    }

    /// <param name="onlyChannelDatabase">When set, only the targets at this channel database are read (a group may have hundreds).</param>
    internal static async Task<IReadOnlyList<DownloadSessionRecord>> ReadSessionsAsync(SqliteConnection conn, string whereAndOrder, IEnumerable<(string, object?)> parameters, CancellationToken ct,
        string? onlyChannelDatabase = null)
    {
        var sessions = new List<DownloadSessionRecord>();
        await using (var cmd = conn.CreateCommand())
        {
            cmd.CommandText = $"SELECT {SessionRecordReader.Columns} FROM download_sessions s " + whereAndOrder;
            foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
            await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
                sessions.Add(SessionRecordReader.Read(r, (reader, i) => StoreTime.FromText(reader.GetString(i))));
            }
        }
        if (sessions.Count == 0) return sessions;
        var targets = new Dictionary<long, List<SessionTargetRecord>>();
        // Targets are read per batch of ids to keep the parameter count within SQLite's limit.
        foreach (var chunk in sessions.Select(s => s.Id).Chunk(500))
        {
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = $"SELECT session_id, channel_database, status, tries, updated_at, message FROM session_targets WHERE session_id IN ({string.Join(", ", chunk)})" +
                              (onlyChannelDatabase is null ? "" : " AND channel_database = @only") + " ORDER BY session_id, channel_database";
            if (onlyChannelDatabase is not null) cmd.Parameters.AddWithValue("@only", onlyChannelDatabase);
            await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await r.ReadAsync(ct).ConfigureAwait(false))
            {
                var t = new SessionTargetRecord(r.GetInt64(0), r.GetString(1), Enum.Parse<SessionStatus>(r.GetString(2)), (int)r.GetInt64(3),
                    StoreTime.FromText(r.GetString(4)), r.IsDBNull(5) ? null : r.GetString(5));
                if (!targets.TryGetValue(t.SessionId, out var list)) targets[t.SessionId] = list = [];
                list.Add(t);
            }
        }
        return sessions.Select(s => targets.TryGetValue(s.Id, out var list) ? s with { Targets = list } : s).ToList();
    }

    public async Task PublishStagedSessionAsync(long sessionId, string packageFile, IReadOnlyList<string> channelDatabases, CancellationToken cancellationToken)
    {
        await using var conn = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = (SqliteTransaction)await conn.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var changed = await SqliteConnections.ExecuteAsync(conn,
            "UPDATE download_sessions SET status = 'Available', staged = 0, package_file = @file, message = NULL, finished_at = @now WHERE id = @id AND status = 'Started' AND staged = 1",
            cancellationToken, tx, ("@file", packageFile), ("@now", StoreTime.ToText(Now)), ("@id", sessionId)).ConfigureAwait(false);
        if (changed != 1)
            throw new AsyncServerException(ErrorIds.SessionStateInvalid, ErrorKind.InvalidOperation,
                $"Session {sessionId} is not a staged session waiting to be published.", sessionId);
        await AddStatusMessageAsync(conn, tx, sessionId, null, SessionStatus.Available, null, cancellationToken).ConfigureAwait(false);
        await InsertTargetsAsync(conn, tx, sessionId, channelDatabases, cancellationToken).ConfigureAwait(false);
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _keepAlive, null) is { } keeper) await keeper.DisposeAsync().ConfigureAwait(false);
    }
}
