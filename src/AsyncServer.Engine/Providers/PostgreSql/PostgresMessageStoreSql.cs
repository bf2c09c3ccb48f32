using System.Text;
using AsyncServer.Messaging;
using AsyncServer.Messaging.Sql;
using static AsyncServer.Providers.PostgreSql.PostgresMessageSchema;

namespace AsyncServer.Providers.PostgreSql;

/// <summary>
/// Every SQL text of the message store on PostgreSQL, in schema <c>asyncserver</c> (DDL: <see cref="PostgresMessageSchema"/>).
/// Lists bind as one array (<c>= ANY(@p)</c>); leases are claimed with INSERT ... ON CONFLICT ... DO UPDATE ... WHERE
/// expired against the server's clock_timestamp(), and the rows a transaction will change are locked FOR UPDATE.
/// </summary>
internal sealed class PostgresMessageStoreSql : MessageStoreSql
{
    public static readonly PostgresMessageStoreSql Instance = new();

    public override IReadOnlyList<string> Migrations => PostgresMessageSchema.Migrations;

    public override string SchemaInfoTable => $"{Schema}.schema_info";

    public override string TableExists => "SELECT pg_catalog.to_regclass(@table) IS NOT NULL";

    public override string ReadSchemaVersion => $"SELECT version FROM {Schema}.schema_info WHERE id = 1";

    public override string WriteSchemaVersion =>
        $"INSERT INTO {Schema}.schema_info (id, version, updated_at) VALUES (1, @version, @now) ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, updated_at = EXCLUDED.updated_at";

    /// <summary>Serializes Initialize-AsyncMessageDatabase runs.</summary>
    public string LockSchema => $"SELECT pg_catalog.pg_advisory_xact_lock({MigrationLockKey})";

    /// <summary>
    /// One statement: either we insert or take over an expired (or our own) lease, or we read the holder. ON CONFLICT
    /// locks the existing row, so two instances racing for an expired lease cannot both win.
    /// </summary>
    public override string ClaimLease => $"""
        WITH claim AS (
            INSERT INTO {Schema}.leases AS l (resource, owner, acquired_at, expires_at)
            VALUES (@r, @o, clock_timestamp(), clock_timestamp() + @ttl)
            ON CONFLICT (resource) DO UPDATE SET owner = EXCLUDED.owner, acquired_at = EXCLUDED.acquired_at, expires_at = EXCLUDED.expires_at
            WHERE l.owner = EXCLUDED.owner OR l.expires_at < clock_timestamp()
            RETURNING owner, expires_at)
        SELECT owner, expires_at FROM claim
        UNION ALL
        SELECT owner, expires_at FROM {Schema}.leases WHERE resource = @r AND NOT EXISTS (SELECT 1 FROM claim)
        """;

    public override string RenewLease => $"UPDATE {Schema}.leases SET expires_at = clock_timestamp() + @ttl WHERE resource = @r AND owner = @o";

    public override string ReleaseLease => $"DELETE FROM {Schema}.leases WHERE resource = @r AND owner = @o";

    /// <summary>Locks the lease row: a takeover waits for us, or we see its result.</summary>
    public override string LiveLeaseOwner => $"SELECT owner FROM {Schema}.leases WHERE resource = @r AND expires_at >= clock_timestamp() FOR UPDATE";

    public override string GetRowVersion => $"SELECT version FROM {Schema}.row_versions WHERE partition = @p AND data_group = @g AND job_id = @j";

    public override string GetRowVersionLocked => GetRowVersion + " FOR UPDATE";

    public override string WriteRowVersion =>
        $"INSERT INTO {Schema}.row_versions (partition, data_group, job_id, version, session_id, updated_at) VALUES (@p, @g, @j, @v, @s, @now) " +
        "ON CONFLICT (partition, data_group, job_id) DO UPDATE SET version = EXCLUDED.version, session_id = EXCLUDED.session_id, updated_at = EXCLUDED.updated_at";

    public override string InsertSession =>
        $"INSERT INTO {Schema}.download_sessions (partition, job_id, data_group, kind, delete_existing, full_sync_reason, from_version, to_version, part, status, " +
        "requested_channel_databases, instance_id, created_at, finished_at, message) " +
        "VALUES (@p, @j, @g, @k, @d, @why, @from, @to, @part, @status, @req, @inst, @now, @fin, @msg) RETURNING id";

    public override string InsertStatusMessage =>
        $"INSERT INTO {Schema}.status_messages (session_id, channel_database, status, message, created_at) VALUES (@s, @c, @st, @m, @now)";

    public override string RecordPackage =>
        $"UPDATE {Schema}.download_sessions SET status = @st, row_count = @rows, package_file = @file, package_size = @size, package_sha256 = @sha, staged = @staged, " +
        "finished_at = @now, message = @msg WHERE id = @id AND status = @started AND NOT staged";

    public override string InsertTarget => $"INSERT INTO {Schema}.session_targets (session_id, channel_database, status, tries, updated_at) VALUES (@s, @c, @st, 0, @now)";

    public override string JoinChannelDatabase =>
        $"INSERT INTO {Schema}.channel_database_jobs (partition, data_group, job_id, channel_database, first_session_id, joined_at) " +
        $"SELECT partition, data_group, job_id, @c, id, @now FROM {Schema}.download_sessions WHERE id = @s ON CONFLICT DO NOTHING";

    // The fan-out: set-based over the array @dbs of channel databases, three statements per session instead of three
    // round trips per channel database (a 500-database fan-out registers thousands of targets). Rows go in array order.

    /// <summary>Parameters @s, @dbs, @st, @now.</summary>
    public string InsertTargets =>
        $"INSERT INTO {Schema}.session_targets (session_id, channel_database, status, tries, updated_at) " +
        "SELECT @s, u.c, @st, 0, @now FROM unnest(@dbs::text[]) WITH ORDINALITY AS u(c, n) ORDER BY u.n";

    /// <summary>Parameters @s, @dbs, @st, @now.</summary>
    public string InsertTargetMessages =>
        $"INSERT INTO {Schema}.status_messages (session_id, channel_database, status, message, created_at) " +
        "SELECT @s, u.c, @st, NULL, @now FROM unnest(@dbs::text[]) WITH ORDINALITY AS u(c, n) ORDER BY u.n";

    /// <summary>Parameters @s, @dbs, @now.</summary>
    public string JoinChannelDatabases =>
        $"INSERT INTO {Schema}.channel_database_jobs (partition, data_group, job_id, channel_database, first_session_id, joined_at) " +
        $"SELECT d.partition, d.data_group, d.job_id, u.c, d.id, @now FROM {Schema}.download_sessions d, unnest(@dbs::text[]) WITH ORDINALITY AS u(c, n) " +
        "WHERE d.id = @s ORDER BY u.n ON CONFLICT DO NOTHING";

    public override async Task InsertTargetsAsync(SqlWork work, long sessionId, IReadOnlyList<string> channelDatabases, DateTimeOffset now)
    {
        if (channelDatabases.Count == 0) return;
        var databases = channelDatabases.ToArray();
        var available = SessionStatus.Available.ToString();
        await work.ExecuteAsync(InsertTargets, ("@s", sessionId), ("@dbs", databases), ("@st", available), ("@now", now)).ConfigureAwait(false);
        await work.ExecuteAsync(InsertTargetMessages, ("@s", sessionId), ("@dbs", databases), ("@st", available), ("@now", now)).ConfigureAwait(false);
        await work.ExecuteAsync(JoinChannelDatabases, ("@s", sessionId), ("@dbs", databases), ("@now", now)).ConfigureAwait(false);
    }

    public override string FailSession => $"UPDATE {Schema}.download_sessions SET status = @st, finished_at = @now, message = @m WHERE id = @id AND status = @started";

    public override string PublishStaged =>
        $"UPDATE {Schema}.download_sessions SET status = @available, staged = false, package_file = @file, message = NULL, finished_at = @now " +
        "WHERE id = @id AND status = @started AND staged";

    private const string Sessions = "SELECT " + SessionRecordReader.Columns + $" FROM {Schema}.download_sessions s ";

    public override string UnfinishedSessions => Sessions + "WHERE s.partition = @p AND s.data_group = @g AND s.job_id = @j AND s.status = @started AND NOT s.staged ORDER BY s.id";

    public override string QuerySessions(SessionQueryShape shape)
    {
        var sql = new StringBuilder(Sessions).Append("WHERE true");
        if (shape.Ids > 0) sql.Append($" AND s.id {In("id", shape.Ids)}");
        if (shape.JobIds > 0) sql.Append($" AND s.job_id {In("job", shape.JobIds)}");
        if (shape.DataGroups > 0) sql.Append($" AND s.data_group {In("grp", shape.DataGroups)}");
        if (shape.Statuses > 0)
        {
            var list = In("st", shape.Statuses);
            sql.Append($" AND (s.status {list} OR EXISTS (SELECT 1 FROM {Schema}.session_targets x WHERE x.session_id = s.id AND x.status {list}))");
        }
        else if (shape.HideNoData)
            sql.Append(" AND s.status <> @noData");
        if (shape.ChannelDatabases > 0)
            sql.Append($" AND EXISTS (SELECT 1 FROM {Schema}.session_targets x WHERE x.session_id = s.id AND x.channel_database {In("cdb", shape.ChannelDatabases)})");
        if (shape.CreatedAfter) sql.Append(" AND s.created_at >= @after");
        if (shape.CreatedBefore) sql.Append(" AND s.created_at < @before");
        if (shape.AfterId) sql.Append(shape.NewestFirst ? " AND s.id < @afterId" : " AND s.id > @afterId");
        sql.Append(shape.NewestFirst ? " ORDER BY s.id DESC" : " ORDER BY s.id");
        return (shape.Limit ? sql.Append(" LIMIT @limit") : sql).ToString();
    }

    public override string TargetsOf(int count, bool onlyChannelDatabase) =>
        $"SELECT session_id, channel_database, status, tries, updated_at, message FROM {Schema}.session_targets WHERE session_id {In("t", count)}" +
        (onlyChannelDatabase ? " AND channel_database = @only" : "") + " ORDER BY session_id, channel_database";

    public override string ReplacePackage =>
        $"UPDATE {Schema}.download_sessions SET row_count = @rows, package_file = @file, package_size = @size, package_sha256 = @sha, staged = @staged WHERE id = @id";

    public override string UpdateSessionStatus(int fromStatuses) =>
        $"UPDATE {Schema}.download_sessions SET status = @to, message = @m, finished_at = COALESCE(finished_at, @now) WHERE id = @id AND status {In("from", fromStatuses)}";

    public override string PendingSessions(int statuses) =>
        Sessions + $"WHERE EXISTS (SELECT 1 FROM {Schema}.session_targets x WHERE x.session_id = s.id AND x.channel_database = @db AND x.status {In("st", statuses)}) ORDER BY s.id";

    public override string SelectTargets(TargetSelection s)
    {
        var sql = new StringBuilder($"SELECT t.session_id, t.channel_database FROM {Schema}.session_targets t JOIN {Schema}.download_sessions s ON s.id = t.session_id ")
            .Append($"WHERE t.status {In("from", s.FromStatuses)}");
        if (s.ChannelDatabase) sql.Append(" AND t.channel_database = @db");
        if (s.SessionId) sql.Append(" AND t.session_id = @id");
        if (s.AfterSessionId) sql.Append(" AND t.session_id > @after");
        if (s.BeforeSessionId) sql.Append(" AND t.session_id < @before");
        if (s.JobId) sql.Append(" AND s.job_id = @job");
        if (s.DataGroup) sql.Append(" AND s.data_group = @group");
        return sql.Append(" ORDER BY t.session_id, t.channel_database FOR UPDATE OF t").ToString();
    }

    public override string UpdateTarget(TriesChange tries) =>
        $"UPDATE {Schema}.session_targets SET status = @to, tries = {tries switch { TriesChange.Increment => "tries + 1", TriesChange.Reset => "0", _ => "tries" }}, " +
        "updated_at = @now, message = @m WHERE session_id = @s AND channel_database = @c";

    public override string JoinedChannelDatabases => $"SELECT channel_database FROM {Schema}.channel_database_jobs WHERE partition = @p AND data_group = @g AND job_id = @j";

    public override string ChannelDatabasesWithPendingTargets(int statuses) =>
        $"SELECT DISTINCT channel_database FROM {Schema}.session_targets WHERE status {In("st", statuses)} ORDER BY channel_database";

    public override string ForgetChannelDatabase => $"DELETE FROM {Schema}.channel_database_jobs WHERE channel_database = @c";

    public override string UnmovedStatusMessages =>
        "SELECT m.id, m.session_id, m.channel_database, m.status, m.message, m.created_at, s.job_id, s.data_group, s.partition " +
        $"FROM {Schema}.status_messages m LEFT JOIN {Schema}.download_sessions s ON s.id = m.session_id WHERE m.moved_at IS NULL ORDER BY m.id LIMIT @limit";

    public override string MarkMoved(int count) => $"UPDATE {Schema}.status_messages SET moved_at = @now WHERE moved_at IS NULL AND id {In("m", count)}";

    public override string ExpiredSessions(int pendingStatuses) =>
        $"SELECT s.id, s.package_file, s.staged FROM {Schema}.download_sessions s WHERE s.created_at < @cutoff AND s.status <> @started " +
        $"AND NOT EXISTS (SELECT 1 FROM {Schema}.session_targets x WHERE x.session_id = s.id AND x.status {In("st", pendingStatuses)}) ORDER BY s.id LIMIT @batch FOR UPDATE OF s";

    public override string CountMovedMessages => $"SELECT count(*) FROM {Schema}.status_messages WHERE moved_at IS NOT NULL AND created_at < @cutoff";

    public override string DeleteMovedMessages =>
        $"DELETE FROM {Schema}.status_messages WHERE id IN (SELECT id FROM {Schema}.status_messages WHERE moved_at IS NOT NULL AND created_at < @cutoff ORDER BY id LIMIT @batch)";

    public override string DeleteUnmovedMessages =>
        $"DELETE FROM {Schema}.status_messages WHERE id IN (SELECT id FROM {Schema}.status_messages WHERE moved_at IS NULL AND created_at < @cutoff ORDER BY id LIMIT @batch)";

    public override string DeleteSessions(int count)
    {
        var ids = In("i", count);
        return $"DELETE FROM {Schema}.session_targets WHERE session_id {ids}; UPDATE {Schema}.row_versions SET session_id = NULL WHERE session_id {ids}; " +
               $"DELETE FROM {Schema}.download_sessions WHERE id {ids};";
    }

    protected override string In(string prefix, int count) => $"= ANY(@{prefix})";
}
