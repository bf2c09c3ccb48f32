namespace AsyncServer.Providers.PostgreSql;

/// <summary>
/// The message database on PostgreSQL lives in schema <c>asyncserver</c>, with the same tables and columns as
/// on SQLite (docs/message-database.md), in native types. Migration n brings the schema from version n-1 to n.
/// </summary>
internal static class PostgresMessageSchema
{
    public const string Schema = "asyncserver";

    public static readonly string[] Migrations =
    [
        $"""
        CREATE SCHEMA IF NOT EXISTS {Schema};
        CREATE TABLE {Schema}.schema_info (id integer PRIMARY KEY CHECK (id = 1), version integer NOT NULL, updated_at timestamptz NOT NULL);
        CREATE TABLE {Schema}.download_sessions (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            partition text NOT NULL,
            job_id text NOT NULL,
            data_group text NOT NULL,
            kind text NOT NULL,
            delete_existing boolean NOT NULL DEFAULT false,
            full_sync_reason text,
            from_version bigint,
            to_version bigint NOT NULL,
            part integer NOT NULL DEFAULT 1,
            status text NOT NULL,
            row_count bigint NOT NULL DEFAULT 0,
            package_file text,
            package_size bigint,
            package_sha256 text,
            staged boolean NOT NULL DEFAULT false,
            requested_channel_databases text NOT NULL DEFAULT '',
            instance_id text NOT NULL,
            created_at timestamptz NOT NULL,
            finished_at timestamptz,
            message text);
        CREATE INDEX ix_download_sessions_group_job ON {Schema}.download_sessions (partition, data_group, job_id, status);
        CREATE INDEX ix_download_sessions_created ON {Schema}.download_sessions (created_at);
        CREATE TABLE {Schema}.session_targets (
            session_id bigint NOT NULL REFERENCES {Schema}.download_sessions (id) ON DELETE CASCADE,
            channel_database text NOT NULL,
            status text NOT NULL,
            tries integer NOT NULL DEFAULT 0,
            updated_at timestamptz NOT NULL,
            message text,
            PRIMARY KEY (session_id, channel_database));
        CREATE INDEX ix_session_targets_database ON {Schema}.session_targets (channel_database, status, session_id);
        CREATE TABLE {Schema}.row_versions (
            partition text NOT NULL,
            data_group text NOT NULL,
            job_id text NOT NULL,
            version bigint NOT NULL,
            session_id bigint,
            updated_at timestamptz NOT NULL,
            PRIMARY KEY (partition, data_group, job_id));
        CREATE TABLE {Schema}.status_messages (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            session_id bigint NOT NULL,
            channel_database text,
            status text NOT NULL,
            message text,
            created_at timestamptz NOT NULL,
            moved_at timestamptz);
        CREATE INDEX ix_status_messages_unmoved ON {Schema}.status_messages (moved_at, id);
        CREATE TABLE {Schema}.leases (
            resource text PRIMARY KEY,
            owner text NOT NULL,
            acquired_at timestamptz NOT NULL,
            expires_at timestamptz NOT NULL);
        """,
        // 2: the channel side (as on SQLite): which channel databases have joined a (data group, job).
        $"""
        CREATE TABLE {Schema}.channel_database_jobs (
            partition text NOT NULL,
            data_group text NOT NULL,
            job_id text NOT NULL,
            channel_database text NOT NULL,
            first_session_id bigint NOT NULL,
            joined_at timestamptz NOT NULL,
            PRIMARY KEY (partition, data_group, job_id, channel_database));
        INSERT INTO {Schema}.channel_database_jobs (partition, data_group, job_id, channel_database, first_session_id, joined_at)
            SELECT s.partition, s.data_group, s.job_id, t.channel_database, min(s.id), min(t.updated_at)
            FROM {Schema}.session_targets t JOIN {Schema}.download_sessions s ON s.id = t.session_id
            GROUP BY s.partition, s.data_group, s.job_id, t.channel_database;
        CREATE INDEX ix_status_messages_session ON {Schema}.status_messages (session_id);
        CREATE INDEX ix_session_targets_session ON {Schema}.session_targets (session_id, status);
        """,
        // 3: the endpoint's channel credentials and contacts (docs/endpoint.md)
        $"""
        CREATE TABLE {Schema}.channel_credentials (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            channel_database text NOT NULL,
            salt text NOT NULL,
            secret_hash text NOT NULL,
            created_at timestamptz NOT NULL,
            expires_at timestamptz,
            last_used_at timestamptz,
            revoked_at timestamptz);
        CREATE INDEX ix_channel_credentials_database ON {Schema}.channel_credentials (channel_database, revoked_at);
        CREATE TABLE {Schema}.channel_contacts (
            channel_database text PRIMARY KEY,
            last_contact_at timestamptz NOT NULL,
            client_version text,
            remote_address text,
            credential_id bigint);
        """,
        // 4: upload sessions (docs/message-database.md, docs/upload.md)
        $"""
        CREATE TABLE {Schema}.upload_sessions (
            id bigint GENERATED ALWAYS AS IDENTITY (START WITH 1000000000001) PRIMARY KEY,
            partition text NOT NULL,
            job_id text NOT NULL,
            data_group text NOT NULL,
            channel_database text NOT NULL,
            status text NOT NULL,
            tries integer NOT NULL DEFAULT 0,
            row_count bigint NOT NULL DEFAULT 0,
            package_file text,
            package_size bigint,
            package_sha256 text,
            instance_id text NOT NULL,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL,
            finished_at timestamptz,
            message text);
        CREATE INDEX ix_upload_sessions_store ON {Schema}.upload_sessions (partition, channel_database, job_id, status);
        CREATE INDEX ix_upload_sessions_status ON {Schema}.upload_sessions (status, id);
        CREATE TABLE {Schema}.upload_session_tables (
            session_id bigint NOT NULL REFERENCES {Schema}.upload_sessions (id) ON DELETE CASCADE,
            subjob text NOT NULL,
            channel_table text NOT NULL,
            hq_table text NOT NULL,
            from_counter bigint NOT NULL,
            to_counter bigint NOT NULL,
            row_count bigint NOT NULL,
            PRIMARY KEY (session_id, subjob));
        CREATE TABLE {Schema}.upload_counters (
            partition text NOT NULL,
            channel_database text NOT NULL,
            job_id text NOT NULL,
            subjob text NOT NULL,
            counter bigint NOT NULL,
            session_id bigint NOT NULL,
            updated_at timestamptz NOT NULL,
            PRIMARY KEY (partition, channel_database, job_id, subjob));
        ALTER TABLE {Schema}.status_messages ADD COLUMN direction text;
        """,
    ];

    /// <summary>Advisory lock key (per database) serializing Initialize-AsyncMessageDatabase runs.</summary>
    public const long MigrationLockKey = 0x4153_4D53_4749_4E49; // "ASMSGINI"
}
