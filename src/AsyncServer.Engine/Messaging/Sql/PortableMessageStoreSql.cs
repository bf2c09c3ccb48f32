namespace AsyncServer.Messaging.Sql;

/// <summary>
/// The message-store texts that SQLite and PostgreSQL both speak (INSERT ... ON CONFLICT, RETURNING, LIMIT, boolean
/// NOT), written once. A subclass names its schema prefix, its list condition, its row locks, its clock and the lease
/// claim; SQL Server's T-SQL has its own <see cref="MessageStoreSql"/>.
/// </summary>
public abstract partial class PortableMessageStoreSql : MessageStoreSql
{
    /// <summary>What goes before every table name: "" on SQLite, the schema and a dot on PostgreSQL.</summary>
    protected abstract string Prefix { get; }

    /// <summary>The database server's now, as the lease columns store it.</summary>
    protected abstract string ServerNow { get; }

    /// <summary>The server's now + @ttl.</summary>
    protected abstract string ServerExpiry { get; }

    /// <summary>The column types of the DDL, and what comes before the first table (PostgreSQL: its schema).</summary>
    protected abstract PortableColumnTypes Types { get; }

    /// <summary>The DDL, one shape for both providers in their column types (<see cref="Types"/>).</summary>
    public override IReadOnlyList<string> Migrations => [Migration1, Migration2, Migration3, Migration4];

    /// <summary>Schema 1: sessions, targets, row versions, status messages, leases.</summary>
    private string Migration1 => $"""
        {Types.Preamble}CREATE TABLE {Prefix}schema_info (
            id {Types.Int} PRIMARY KEY CHECK (id = 1),
            version {Types.Int} NOT NULL,
            updated_at {Types.Time} NOT NULL);
        CREATE TABLE {Sessions} (
            id {Types.Identity},
            partition {Types.Text} NOT NULL,
            job_id {Types.Text} NOT NULL,
            data_group {Types.Text} NOT NULL,
            kind {Types.Text} NOT NULL,
            delete_existing {Types.Bool} NOT NULL DEFAULT {Types.False},
            full_sync_reason {Types.Text},
            from_version {Types.BigInt},
            to_version {Types.BigInt} NOT NULL,
            part {Types.Int} NOT NULL DEFAULT 1,
            status {Types.Text} NOT NULL,
            row_count {Types.BigInt} NOT NULL DEFAULT 0,
            package_file {Types.Text},
            package_size {Types.BigInt},
            package_sha256 {Types.Text},
            staged {Types.Bool} NOT NULL DEFAULT {Types.False},
            requested_channel_databases {Types.Text} NOT NULL DEFAULT '',
            instance_id {Types.Text} NOT NULL,
            created_at {Types.Time} NOT NULL,
            finished_at {Types.Time},
            message {Types.Text});
        CREATE INDEX ix_download_sessions_group_job ON {Sessions} (partition, data_group, job_id, status);
        CREATE INDEX ix_download_sessions_created ON {Sessions} (created_at);
        CREATE TABLE {Targets} (
            session_id {Types.BigInt} NOT NULL REFERENCES {Sessions} (id) ON DELETE CASCADE,
            channel_database {Types.Text} NOT NULL,
            status {Types.Text} NOT NULL,
            tries {Types.Int} NOT NULL DEFAULT 0,
            updated_at {Types.Time} NOT NULL,
            message {Types.Text},
            PRIMARY KEY (session_id, channel_database));
        CREATE INDEX ix_session_targets_database ON {Targets} (channel_database, status, session_id);
        CREATE TABLE {RowVersions} (
            partition {Types.Text} NOT NULL,
            data_group {Types.Text} NOT NULL,
            job_id {Types.Text} NOT NULL,
            version {Types.BigInt} NOT NULL,
            session_id {Types.BigInt},
            updated_at {Types.Time} NOT NULL,
            PRIMARY KEY (partition, data_group, job_id));
        CREATE TABLE {Messages} (
            id {Types.Identity},
            session_id {Types.BigInt} NOT NULL,
            channel_database {Types.Text},
            status {Types.Text} NOT NULL,
            message {Types.Text},
            created_at {Types.Time} NOT NULL,
            moved_at {Types.Time});
        CREATE INDEX ix_status_messages_unmoved ON {Messages} (moved_at, id);
        CREATE TABLE {Leases} (
            resource {Types.Text} PRIMARY KEY,
            owner {Types.Text} NOT NULL,
            acquired_at {Types.Time} NOT NULL,
            expires_at {Types.Time} NOT NULL);
        """;

    /// <summary>
    /// Schema 2: the channel side. channel_database_jobs remembers which channel databases have joined a (data group, job), so a
    /// new one is seeded with a full package instead of replaying history; existing targets count as joined.
    /// </summary>
    private string Migration2 => $"""
        CREATE TABLE {Joined} (
            partition {Types.Text} NOT NULL,
            data_group {Types.Text} NOT NULL,
            job_id {Types.Text} NOT NULL,
            channel_database {Types.Text} NOT NULL,
            first_session_id {Types.BigInt} NOT NULL,
            joined_at {Types.Time} NOT NULL,
            PRIMARY KEY (partition, data_group, job_id, channel_database));
        INSERT INTO {Joined} (partition, data_group, job_id, channel_database, first_session_id, joined_at)
            SELECT s.partition, s.data_group, s.job_id, t.channel_database, MIN(s.id), MIN(t.updated_at)
            FROM {Targets} t JOIN {Sessions} s ON s.id = t.session_id
            GROUP BY s.partition, s.data_group, s.job_id, t.channel_database;
        CREATE INDEX ix_status_messages_session ON {Messages} (session_id);
        CREATE INDEX ix_session_targets_session ON {Targets} (session_id, status);
        """;

    /// <summary>Schema 3: the endpoint's channel credentials and contacts (docs/endpoint.md).</summary>
    private string Migration3 => $"""
        CREATE TABLE {Prefix}channel_credentials (
            id {Types.Identity},
            channel_database {Types.Text} NOT NULL,
            salt {Types.Text} NOT NULL,
            secret_hash {Types.Text} NOT NULL,
            created_at {Types.Time} NOT NULL,
            expires_at {Types.Time},
            last_used_at {Types.Time},
            revoked_at {Types.Time});
        CREATE INDEX ix_channel_credentials_database ON {Prefix}channel_credentials (channel_database, revoked_at);
        CREATE TABLE {Prefix}channel_contacts (
            channel_database {Types.Text} PRIMARY KEY,
            last_contact_at {Types.Time} NOT NULL,
            client_version {Types.Text},
            remote_address {Types.Text},
            credential_id {Types.BigInt});
        """;

    /// <summary>
    /// Schema 4: upload sessions (docs/upload.md). Their ids start at 10^12 (<see cref="Types"/>' UploadIdentity), so a
    /// session id names one session in either direction; status messages say which direction theirs is.
    /// </summary>
    private string Migration4 => $"""
        CREATE TABLE {Prefix}upload_sessions (
            id {Types.UploadIdentity},
            partition {Types.Text} NOT NULL,
            job_id {Types.Text} NOT NULL,
            data_group {Types.Text} NOT NULL,
            channel_database {Types.Text} NOT NULL,
            status {Types.Text} NOT NULL,
            tries {Types.Int} NOT NULL DEFAULT 0,
            row_count {Types.BigInt} NOT NULL DEFAULT 0,
            package_file {Types.Text},
            package_size {Types.BigInt},
            package_sha256 {Types.Text},
            instance_id {Types.Text} NOT NULL,
            created_at {Types.Time} NOT NULL,
            updated_at {Types.Time} NOT NULL,
            finished_at {Types.Time},
            message {Types.Text});
        CREATE INDEX ix_upload_sessions_store ON {Prefix}upload_sessions (partition, channel_database, job_id, status);
        CREATE INDEX ix_upload_sessions_status ON {Prefix}upload_sessions (status, id);
        CREATE TABLE {Prefix}upload_session_tables (
            session_id {Types.BigInt} NOT NULL REFERENCES {Prefix}upload_sessions (id) ON DELETE CASCADE,
            subjob {Types.Text} NOT NULL,
            channel_table {Types.Text} NOT NULL,
            hq_table {Types.Text} NOT NULL,
            from_counter {Types.BigInt} NOT NULL,
            to_counter {Types.BigInt} NOT NULL,
            row_count {Types.BigInt} NOT NULL,
            PRIMARY KEY (session_id, subjob));
        CREATE TABLE {Prefix}upload_counters (
            partition {Types.Text} NOT NULL,
            channel_database {Types.Text} NOT NULL,
            job_id {Types.Text} NOT NULL,
            subjob {Types.Text} NOT NULL,
            counter {Types.BigInt} NOT NULL,
            session_id {Types.BigInt} NOT NULL,
            updated_at {Types.Time} NOT NULL,
            PRIMARY KEY (partition, channel_database, job_id, subjob));
        ALTER TABLE {Messages} ADD COLUMN direction {Types.Text};
        {Types.UploadIdSeed}
        """;

    private UploadStoreSql? _uploads;

    public override UploadStoreSql Uploads => _uploads ??= UploadStoreSql.Portable(Prefix, ForUpdate());

    private string Sessions => Prefix + "download_sessions";
    private string Targets => Prefix + "session_targets";
    private string RowVersions => Prefix + "row_versions";
    private string Messages => Prefix + "status_messages";
    private string Leases => Prefix + "leases";
    private string Joined => Prefix + "channel_database_jobs";
    protected override string C(string alias, string column) => $"{alias}.{column}";
    protected override string From(string table, string alias) => $"{Prefix}{table} {alias}";

    private string SelectSessions => $"SELECT {SessionRecordReader.Columns} FROM {Sessions} s ";

    public override string ReadSchemaVersion => $"SELECT version FROM {Prefix}schema_info WHERE id = 1";

    public override string WriteSchemaVersion =>
        $"INSERT INTO {Prefix}schema_info (id, version, updated_at) VALUES (1, @version, @now) " +
        "ON CONFLICT (id) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at";

    public override string RenewLease => $"UPDATE {Leases} SET expires_at = {ServerExpiry} WHERE resource = @r AND owner = @o";

    public override string ReleaseLease => $"DELETE FROM {Leases} WHERE resource = @r AND owner = @o";

    public override string LiveLeaseOwner => $"SELECT owner FROM {Leases} WHERE resource = @r AND expires_at >= {ServerNow}{ForUpdate()}";

    public override string GetRowVersion => $"SELECT version FROM {RowVersions} WHERE partition = @p AND data_group = @g AND job_id = @j";

    public override string GetRowVersionLocked => GetRowVersion + ForUpdate();

    public override string WriteRowVersion =>
        $"INSERT INTO {RowVersions} (partition, data_group, job_id, version, session_id, updated_at) VALUES (@p, @g, @j, @v, @s, @now) " +
        "ON CONFLICT (partition, data_group, job_id) " +
        "DO UPDATE SET version = excluded.version, session_id = excluded.session_id, updated_at = excluded.updated_at";

    public override string InsertSession =>
        $"INSERT INTO {Sessions} (partition, job_id, data_group, kind, delete_existing, full_sync_reason, from_version, to_version, part, status, " +
        "requested_channel_databases, instance_id, created_at, finished_at, message) " +
        "VALUES (@p, @j, @g, @k, @d, @why, @from, @to, @part, @status, @req, @inst, @now, @fin, @msg) RETURNING id";

    public override string InsertStatusMessage =>
        $"INSERT INTO {Messages} (session_id, channel_database, status, message, created_at) VALUES (@s, @c, @st, @m, @now)";

    public override string RecordPackage =>
        $"UPDATE {Sessions} SET status = @st, row_count = @rows, package_file = @file, package_size = @size, package_sha256 = @sha, staged = @staged, " +
        "finished_at = @now, message = @msg WHERE id = @id AND status = @started AND NOT staged";

    public override string InsertTarget => $"INSERT INTO {Targets} (session_id, channel_database, status, tries, updated_at) VALUES (@s, @c, @st, 0, @now)";

    public override string JoinChannelDatabase =>
        $"INSERT INTO {Joined} (partition, data_group, job_id, channel_database, first_session_id, joined_at) " +
        $"SELECT partition, data_group, job_id, @c, id, @now FROM {Sessions} WHERE id = @s ON CONFLICT DO NOTHING";

    public override string FailSession => $"UPDATE {Sessions} SET status = @st, finished_at = @now, message = @m WHERE id = @id AND status = @started";

    public override string PublishStaged =>
        $"UPDATE {Sessions} SET status = @available, staged = false, package_file = @file, message = NULL, finished_at = @now " +
        "WHERE id = @id AND status = @started AND staged";

    public override string UnfinishedSessions =>
        SelectSessions + "WHERE s.partition = @p AND s.data_group = @g AND s.job_id = @j AND s.status = @started AND NOT s.staged ORDER BY s.id";

    public override string TargetsOf(int count, bool onlyChannelDatabase) =>
        $"SELECT session_id, channel_database, status, tries, updated_at, message FROM {Targets} WHERE session_id {In("t", count)}" +
        (onlyChannelDatabase ? " AND channel_database = @only" : "") + " ORDER BY session_id, channel_database";

    public override string ReplacePackage =>
        $"UPDATE {Sessions} SET row_count = @rows, package_file = @file, package_size = @size, package_sha256 = @sha, staged = @staged WHERE id = @id";

    public override string UpdateSessionStatus(int fromStatuses) =>
        $"UPDATE {Sessions} SET status = @to, message = @m, finished_at = COALESCE(finished_at, @now) WHERE id = @id AND status {In("from", fromStatuses)}";

    public override string PendingSessions(int statuses) =>
        $"SELECT {SessionRecordReader.Columns}, {PendingTargetColumns} FROM {Sessions} s " +
        $"JOIN {Targets} x ON x.session_id = s.id AND x.channel_database = @db WHERE x.status {In("st", statuses)} ORDER BY s.id";

    public override string UpdateTarget(TriesChange tries) =>
        $"UPDATE {Targets} SET status = @to, tries = {tries switch { TriesChange.Increment => "tries + 1", TriesChange.Reset => "0", _ => "tries" }}, " +
        "updated_at = @now, message = @m WHERE session_id = @s AND channel_database = @c";

    public override string JoinedChannelDatabases => $"SELECT channel_database FROM {Joined} WHERE partition = @p AND data_group = @g AND job_id = @j";

    public override string ChannelDatabasesWithPendingTargets(int statuses) =>
        $"SELECT DISTINCT channel_database FROM {Targets} WHERE status {In("st", statuses)} ORDER BY channel_database";

    public override string ForgetChannelDatabase => $"DELETE FROM {Joined} WHERE channel_database = @c";

    public override string UnmovedStatusMessages =>
        "SELECT m.id, m.session_id, m.channel_database, m.status, m.message, m.created_at, " +
        "COALESCE(s.job_id, u.job_id), COALESCE(s.data_group, u.data_group), COALESCE(s.partition, u.partition) " +
        $"FROM {Messages} m LEFT JOIN {Sessions} s ON s.id = m.session_id LEFT JOIN {Prefix}upload_sessions u ON u.id = m.session_id " +
        "WHERE m.moved_at IS NULL ORDER BY m.id LIMIT @limit";

    public override string MarkMoved(int count) => $"UPDATE {Messages} SET moved_at = @now WHERE moved_at IS NULL AND id {In("m", count)}";

    public override string ExpiredSessions(int pendingStatuses) =>
        $"SELECT s.id, s.package_file, s.staged FROM {Sessions} s WHERE s.created_at < @cutoff AND s.status <> @started " +
        $"AND NOT EXISTS (SELECT 1 FROM {Targets} x WHERE x.session_id = s.id AND x.status {In("st", pendingStatuses)}) " +
        $"ORDER BY s.id LIMIT @batch{ForUpdate("s")}";

    public override string CountMovedMessages => $"SELECT count(*) FROM {Messages} WHERE moved_at IS NOT NULL AND created_at < @cutoff";

    public override string DeleteMovedMessages =>
        $"DELETE FROM {Messages} WHERE id IN (SELECT id FROM {Messages} WHERE moved_at IS NOT NULL AND created_at < @cutoff ORDER BY id LIMIT @batch)";

    public override string DeleteUnmovedMessages =>
        $"DELETE FROM {Messages} WHERE id IN (SELECT id FROM {Messages} WHERE moved_at IS NULL AND created_at < @cutoff ORDER BY id LIMIT @batch)";

    public override string DeleteSessions(int count)
    {
        var ids = In("i", count);
        return $"DELETE FROM {Targets} WHERE session_id {ids}; " +
            $"UPDATE {RowVersions} SET session_id = NULL WHERE session_id {ids}; " +
            $"DELETE FROM {Sessions} WHERE id {ids};";
    }
}

/// <summary>
/// How a portable provider spells the column types of the message tables: <paramref name="Identity"/> is a whole
/// column definition after the name (a generated bigint primary key); <paramref name="False"/> is the default of a
/// boolean column; <paramref name="Preamble"/> comes before the first table (with its own line end).
/// </summary>
public sealed record PortableColumnTypes(string Identity, string BigInt, string Int, string Text, string Bool, string False, string Time,
    string UploadIdentity, string UploadIdSeed = "", string Preamble = "");
