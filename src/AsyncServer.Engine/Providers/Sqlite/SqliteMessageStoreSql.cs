using AsyncServer.Messaging.Sql;

namespace AsyncServer.Providers.Sqlite;

/// <summary>
/// Every SQL text of the message store on SQLite (docs/message-database.md), and its DDL. Times are fixed-width UTC
/// text (<see cref="StoreTime"/>) so they sort and compare as text. Lease times are SQLite's own clock ('now'): one
/// machine holds the file, so its clock is every instance's, whatever clock an instance was given.
/// </summary>
internal sealed class SqliteMessageStoreSql : PortableMessageStoreSql
{
    public static readonly SqliteMessageStoreSql Instance = new();

    /// <summary>Now on SQLite's clock, in <see cref="StoreTime"/>'s format (milliseconds, padded to seven digits).</summary>
    protected override string ServerNow => "strftime('%Y-%m-%dT%H:%M:%f0000Z', 'now')";

    /// <summary>Now + @ttl (a modifier such as '+300.000 seconds') on SQLite's clock.</summary>
    protected override string ServerExpiry => "strftime('%Y-%m-%dT%H:%M:%f0000Z', 'now', @ttl)";

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
        // 3: the endpoint's channel credentials and contacts (docs/endpoint.md)
        """
        CREATE TABLE channel_credentials (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            channel_database TEXT NOT NULL,
            salt TEXT NOT NULL,
            secret_hash TEXT NOT NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT,
            last_used_at TEXT,
            revoked_at TEXT);
        CREATE INDEX ix_channel_credentials_database ON channel_credentials (channel_database, revoked_at);
        CREATE TABLE channel_contacts (
            channel_database TEXT PRIMARY KEY,
            last_contact_at TEXT NOT NULL,
            client_version TEXT,
            remote_address TEXT,
            credential_id INTEGER);
        """,
        // 4: upload sessions (docs/message-database.md, docs/upload.md)
        """
        CREATE TABLE upload_sessions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            partition TEXT NOT NULL,
            job_id TEXT NOT NULL,
            data_group TEXT NOT NULL,
            channel_database TEXT NOT NULL,
            status TEXT NOT NULL,
            tries INTEGER NOT NULL DEFAULT 0,
            row_count INTEGER NOT NULL DEFAULT 0,
            package_file TEXT,
            package_size INTEGER,
            package_sha256 TEXT,
            instance_id TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            finished_at TEXT,
            message TEXT);
        CREATE INDEX ix_upload_sessions_store ON upload_sessions (partition, channel_database, job_id, status);
        CREATE INDEX ix_upload_sessions_status ON upload_sessions (status, id);
        CREATE TABLE upload_session_tables (
            session_id INTEGER NOT NULL REFERENCES upload_sessions (id) ON DELETE CASCADE,
            subjob TEXT NOT NULL,
            channel_table TEXT NOT NULL,
            hq_table TEXT NOT NULL,
            from_counter INTEGER NOT NULL,
            to_counter INTEGER NOT NULL,
            row_count INTEGER NOT NULL,
            PRIMARY KEY (session_id, subjob));
        CREATE TABLE upload_counters (
            partition TEXT NOT NULL,
            channel_database TEXT NOT NULL,
            job_id TEXT NOT NULL,
            subjob TEXT NOT NULL,
            counter INTEGER NOT NULL,
            session_id INTEGER NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (partition, channel_database, job_id, subjob));
        ALTER TABLE status_messages ADD COLUMN direction TEXT;
        INSERT INTO sqlite_sequence (name, seq) VALUES ('upload_sessions', 1000000000000);
        """,
    ];

    public override string SchemaInfoTable => "schema_info";

    public override string TableExists => "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = @table";

    public override string ClaimLease => $"""
        INSERT INTO leases (resource, owner, acquired_at, expires_at) VALUES (@r, @o, {ServerNow}, {ServerExpiry})
        ON CONFLICT (resource) DO UPDATE SET owner = excluded.owner, acquired_at = excluded.acquired_at, expires_at = excluded.expires_at
        WHERE leases.owner = excluded.owner OR leases.expires_at < excluded.acquired_at;
        SELECT owner, expires_at FROM leases WHERE resource = @r;
        """;

    protected override string Prefix => "";

    protected override string In(string prefix, int count) => $"IN ({Names(prefix, count)})";
}
