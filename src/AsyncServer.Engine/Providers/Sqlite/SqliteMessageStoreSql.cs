using System.Text;
using AsyncServer.Messaging;
using AsyncServer.Messaging.Sql;

namespace AsyncServer.Providers.Sqlite;

/// <summary>
/// Every SQL text of the message store on SQLite (docs/message-database.md), and its DDL. Times are fixed-width UTC
/// text (<see cref="StoreTime"/>) so they sort and compare as text. Lease times are SQLite's own clock ('now'): one
/// machine holds the file, so its clock is every instance's, whatever clock an instance was given.
/// </summary>
internal sealed class SqliteMessageStoreSql : MessageStoreSql
{
    public static readonly SqliteMessageStoreSql Instance = new();

    /// <summary>Now on SQLite's clock, in <see cref="StoreTime"/>'s format (milliseconds, padded to seven digits).</summary>
    private const string ServerNow = "strftime('%Y-%m-%dT%H:%M:%f0000Z', 'now')";

    /// <summary>Now + @ttl (a modifier such as '+300.000 seconds') on SQLite's clock.</summary>
    private const string ServerExpiry = "strftime('%Y-%m-%dT%H:%M:%f0000Z', 'now', @ttl)";

    public override IReadOnlyList<string> Migrations { get; } =
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
    ];

    public override string SchemaInfoTable => "schema_info";

    public override string TableExists => "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = @table";

    public override string ReadSchemaVersion => "SELECT version FROM schema_info WHERE id = 1";

    public override string WriteSchemaVersion =>
        "INSERT INTO schema_info (id, version, updated_at) VALUES (1, @version, @now) ON CONFLICT (id) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at";

    public override string ClaimLease => $"""
        INSERT INTO leases (resource, owner, acquired_at, expires_at) VALUES (@r, @o, {ServerNow}, {ServerExpiry})
        ON CONFLICT (resource) DO UPDATE SET owner = excluded.owner, acquired_at = excluded.acquired_at, expires_at = excluded.expires_at
        WHERE leases.owner = excluded.owner OR leases.expires_at < excluded.acquired_at;
        SELECT owner, expires_at FROM leases WHERE resource = @r;
        """;

    public override string RenewLease => $"UPDATE leases SET expires_at = {ServerExpiry} WHERE resource = @r AND owner = @o";

    public override string ReleaseLease => "DELETE FROM leases WHERE resource = @r AND owner = @o";

    public override string LiveLeaseOwner => $"SELECT owner FROM leases WHERE resource = @r AND expires_at >= {ServerNow}";

    public override string GetRowVersion => "SELECT version FROM row_versions WHERE partition = @p AND data_group = @g AND job_id = @j";

    /// <summary>BEGIN IMMEDIATE already holds the only write lock.</summary>
    public override string GetRowVersionLocked => GetRowVersion;

    public override string WriteRowVersion =>
        "INSERT INTO row_versions (partition, data_group, job_id, version, session_id, updated_at) VALUES (@p, @g, @j, @v, @s, @now) " +
        "ON CONFLICT (partition, data_group, job_id) DO UPDATE SET version = excluded.version, session_id = excluded.session_id, updated_at = excluded.updated_at";

    public override string InsertSession =>
        "INSERT INTO download_sessions (partition, job_id, data_group, kind, delete_existing, full_sync_reason, from_version, to_version, part, status, " +
        "requested_channel_databases, instance_id, created_at, finished_at, message) " +
        "VALUES (@p, @j, @g, @k, @d, @why, @from, @to, @part, @status, @req, @inst, @now, @fin, @msg) RETURNING id";

    public override string InsertStatusMessage =>
        "INSERT INTO status_messages (session_id, channel_database, status, message, created_at) VALUES (@s, @c, @st, @m, @now)";

    public override string RecordPackage =>
        "UPDATE download_sessions SET status = @st, row_count = @rows, package_file = @file, package_size = @size, package_sha256 = @sha, staged = @staged, " +
        "finished_at = @now, message = @msg WHERE id = @id AND status = @started AND staged = 0";

    public override string InsertTarget => "INSERT INTO session_targets (session_id, channel_database, status, tries, updated_at) VALUES (@s, @c, @st, 0, @now)";

    public override string JoinChannelDatabase =>
        "INSERT INTO channel_database_jobs (partition, data_group, job_id, channel_database, first_session_id, joined_at) " +
        "SELECT partition, data_group, job_id, @c, id, @now FROM download_sessions WHERE id = @s ON CONFLICT DO NOTHING";

    public override string FailSession => "UPDATE download_sessions SET status = @st, finished_at = @now, message = @m WHERE id = @id AND status = @started";

    public override string PublishStaged =>
        "UPDATE download_sessions SET status = @available, staged = 0, package_file = @file, message = NULL, finished_at = @now WHERE id = @id AND status = @started AND staged = 1";

    private const string Sessions = "SELECT " + SessionRecordReader.Columns + " FROM download_sessions s ";

    public override string UnfinishedSessions => Sessions + "WHERE s.partition = @p AND s.data_group = @g AND s.job_id = @j AND s.status = @started AND s.staged = 0 ORDER BY s.id";

    public override string QuerySessions(SessionQueryShape shape)
    {
        var sql = new StringBuilder(Sessions).Append("WHERE 1 = 1");
        if (shape.Ids > 0) sql.Append($" AND s.id {In("id", shape.Ids)}");
        if (shape.JobIds > 0) sql.Append($" AND s.job_id {In("job", shape.JobIds)}");
        if (shape.DataGroups > 0) sql.Append($" AND s.data_group {In("grp", shape.DataGroups)}");
        if (shape.Statuses > 0)
        {
            var list = In("st", shape.Statuses);
            sql.Append($" AND (s.status {list} OR EXISTS (SELECT 1 FROM session_targets x WHERE x.session_id = s.id AND x.status {list}))");
        }
        else if (shape.HideNoData)
            sql.Append(" AND s.status <> @noData");
        if (shape.ChannelDatabases > 0)
            sql.Append($" AND EXISTS (SELECT 1 FROM session_targets x WHERE x.session_id = s.id AND x.channel_database {In("cdb", shape.ChannelDatabases)})");
        if (shape.CreatedAfter) sql.Append(" AND s.created_at >= @after");
        if (shape.CreatedBefore) sql.Append(" AND s.created_at < @before");
        if (shape.AfterId) sql.Append(shape.NewestFirst ? " AND s.id < @afterId" : " AND s.id > @afterId");
        sql.Append(shape.NewestFirst ? " ORDER BY s.id DESC" : " ORDER BY s.id");
        return (shape.Limit ? sql.Append(" LIMIT @limit") : sql).ToString();
    }

    public override string TargetsOf(int count, bool onlyChannelDatabase) =>
        $"SELECT session_id, channel_database, status, tries, updated_at, message FROM session_targets WHERE session_id {In("t", count)}" +
        (onlyChannelDatabase ? " AND channel_database = @only" : "") + " ORDER BY session_id, channel_database";

    public override string ReplacePackage =>
        "UPDATE download_sessions SET row_count = @rows, package_file = @file, package_size = @size, package_sha256 = @sha, staged = @staged WHERE id = @id";

    public override string UpdateSessionStatus(int fromStatuses) =>
        $"UPDATE download_sessions SET status = @to, message = @m, finished_at = COALESCE(finished_at, @now) WHERE id = @id AND status {In("from", fromStatuses)}";

    public override string PendingSessions(int statuses) =>
        Sessions + $"WHERE EXISTS (SELECT 1 FROM session_targets x WHERE x.session_id = s.id AND x.channel_database = @db AND x.status {In("st", statuses)}) ORDER BY s.id";

    public override string SelectTargets(TargetSelection s)
    {
        var sql = new StringBuilder("SELECT t.session_id, t.channel_database FROM session_targets t JOIN download_sessions s ON s.id = t.session_id ")
            .Append($"WHERE t.status {In("from", s.FromStatuses)}");
        if (s.ChannelDatabase) sql.Append(" AND t.channel_database = @db");
        if (s.SessionId) sql.Append(" AND t.session_id = @id");
        if (s.AfterSessionId) sql.Append(" AND t.session_id > @after");
        if (s.BeforeSessionId) sql.Append(" AND t.session_id < @before");
        if (s.JobId) sql.Append(" AND s.job_id = @job");
        if (s.DataGroup) sql.Append(" AND s.data_group = @group");
        return sql.Append(" ORDER BY t.session_id, t.channel_database").ToString();
    }

    public override string UpdateTarget(TriesChange tries) =>
        $"UPDATE session_targets SET status = @to, tries = {tries switch { TriesChange.Increment => "tries + 1", TriesChange.Reset => "0", _ => "tries" }}, " +
        "updated_at = @now, message = @m WHERE session_id = @s AND channel_database = @c";

    public override string JoinedChannelDatabases => "SELECT channel_database FROM channel_database_jobs WHERE partition = @p AND data_group = @g AND job_id = @j";

    public override string ChannelDatabasesWithPendingTargets(int statuses) =>
        $"SELECT DISTINCT channel_database FROM session_targets WHERE status {In("st", statuses)} ORDER BY channel_database";

    public override string ForgetChannelDatabase => "DELETE FROM channel_database_jobs WHERE channel_database = @c";

    public override string UnmovedStatusMessages =>
        "SELECT m.id, m.session_id, m.channel_database, m.status, m.message, m.created_at, s.job_id, s.data_group, s.partition " +
        "FROM status_messages m LEFT JOIN download_sessions s ON s.id = m.session_id WHERE m.moved_at IS NULL ORDER BY m.id LIMIT @limit";

    public override string MarkMoved(int count) => $"UPDATE status_messages SET moved_at = @now WHERE moved_at IS NULL AND id {In("m", count)}";

    public override string ExpiredSessions(int pendingStatuses) =>
        "SELECT s.id, s.package_file, s.staged FROM download_sessions s WHERE s.created_at < @cutoff AND s.status <> @started " +
        $"AND NOT EXISTS (SELECT 1 FROM session_targets x WHERE x.session_id = s.id AND x.status {In("st", pendingStatuses)}) ORDER BY s.id LIMIT @batch";

    public override string CountMovedMessages => "SELECT count(*) FROM status_messages WHERE moved_at IS NOT NULL AND created_at < @cutoff";

    public override string DeleteMovedMessages =>
        "DELETE FROM status_messages WHERE id IN (SELECT id FROM status_messages WHERE moved_at IS NOT NULL AND created_at < @cutoff ORDER BY id LIMIT @batch)";

    public override string DeleteUnmovedMessages =>
        "DELETE FROM status_messages WHERE id IN (SELECT id FROM status_messages WHERE moved_at IS NULL AND created_at < @cutoff ORDER BY id LIMIT @batch)";

    public override string DeleteSessions(int count)
    {
        var ids = In("i", count);
        return $"DELETE FROM session_targets WHERE session_id {ids}; UPDATE row_versions SET session_id = NULL WHERE session_id {ids}; DELETE FROM download_sessions WHERE id {ids};";
    }

    protected override string In(string prefix, int count) => $"IN ({Names(prefix, count)})";
}
