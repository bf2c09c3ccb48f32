using System.Globalization;

namespace AsyncServer.Messaging.Sql;

/// <summary>The DDL, written once in each dialect's column types (<see cref="ColumnTypes"/>); sizes are SQL Server's.</summary>
public abstract partial class MessageStoreSql
{
    private IReadOnlyList<string>? _migrations;

    /// <summary>Migration n brings the schema from version n-1 to n; each runs in the initializing transaction.</summary>
    public IReadOnlyList<string> Migrations => _migrations ??= [Spell(Migration1), Spell(Migration2), Spell(Migration3), Spell(Migration4)];

    private ColumnTypes T => Types;

    /// <summary>Schema 1: sessions, targets, row versions, status messages, leases.</summary>
    private string Migration1 => $"""
        {T.Preamble}CREATE TABLE {Prefix}schema_info (
            id {T.Int} PRIMARY KEY CHECK (id = 1),
            version {T.Int} NOT NULL,
            updated_at {T.Time} NOT NULL);
        CREATE TABLE {Prefix}download_sessions (
            id {T.Identity},
            partition {T.Text(100)} NOT NULL,
            job_id {T.Text(100)} NOT NULL,
            data_group {T.Text(100)} NOT NULL,
            kind {T.Text(20)} NOT NULL,
            delete_existing {T.Bool} NOT NULL DEFAULT {T.False},
            full_sync_reason {T.Text()},
            from_version {T.BigInt},
            to_version {T.BigInt} NOT NULL,
            part {T.Int} NOT NULL DEFAULT 1,
            status {T.Text(20)} NOT NULL,
            row_count {T.BigInt} NOT NULL DEFAULT 0,
            package_file {T.Text(400)},
            package_size {T.BigInt},
            package_sha256 {T.Text(64)},
            staged {T.Bool} NOT NULL DEFAULT {T.False},
            requested_channel_databases {T.Text()} NOT NULL{T.EmptyTextDefault},
            instance_id {T.Text(200)} NOT NULL,
            created_at {T.Time} NOT NULL,
            finished_at {T.Time},
            message {T.Text()});
        CREATE INDEX ix_download_sessions_group_job ON {Prefix}download_sessions (partition, data_group, job_id, status);
        CREATE INDEX ix_download_sessions_created ON {Prefix}download_sessions (created_at);
        CREATE TABLE {Prefix}session_targets (
            session_id {T.BigInt} NOT NULL REFERENCES {Prefix}download_sessions (id) ON DELETE CASCADE,
            channel_database {T.Text(128)} NOT NULL,
            status {T.Text(20)} NOT NULL,
            tries {T.Int} NOT NULL DEFAULT 0,
            updated_at {T.Time} NOT NULL,
            message {T.Text()},
            PRIMARY KEY (session_id, channel_database));
        CREATE INDEX ix_session_targets_database ON {Prefix}session_targets (channel_database, status, session_id);
        CREATE TABLE {Prefix}row_versions (
            partition {T.Text(100)} NOT NULL,
            data_group {T.Text(100)} NOT NULL,
            job_id {T.Text(100)} NOT NULL,
            version {T.BigInt} NOT NULL,
            session_id {T.BigInt},
            updated_at {T.Time} NOT NULL,
            PRIMARY KEY (partition, data_group, job_id));
        CREATE TABLE {Prefix}status_messages (
            id {T.Identity},
            session_id {T.BigInt} NOT NULL,
            channel_database {T.Text(128)},
            status {T.Text(20)} NOT NULL,
            message {T.Text()},
            created_at {T.Time} NOT NULL,
            moved_at {T.Time});
        CREATE INDEX ix_status_messages_unmoved ON {Prefix}status_messages (moved_at, id);
        CREATE TABLE {Prefix}leases (
            resource {T.Text(400)} PRIMARY KEY,
            owner {T.Text(200)} NOT NULL,
            acquired_at {T.Time} NOT NULL,
            expires_at {T.Time} NOT NULL);
        """;

    /// <summary>
    /// Schema 2: the channel side. channel_database_jobs remembers which channel databases have joined a (data group, job), so a
    /// new one is seeded with a full package instead of replaying history; existing targets count as joined.
    /// </summary>
    private string Migration2 => $"""
        CREATE TABLE {Prefix}channel_database_jobs (
            partition {T.Text(100)} NOT NULL,
            data_group {T.Text(100)} NOT NULL,
            job_id {T.Text(100)} NOT NULL,
            channel_database {T.Text(128)} NOT NULL,
            first_session_id {T.BigInt} NOT NULL,
            joined_at {T.Time} NOT NULL,
            PRIMARY KEY (partition, data_group, job_id, channel_database));
        INSERT INTO {Prefix}channel_database_jobs (partition, data_group, job_id, channel_database, first_session_id, joined_at)
            SELECT s.partition, s.data_group, s.job_id, t.channel_database, MIN(s.id), MIN(t.updated_at)
            FROM {Prefix}session_targets t JOIN {Prefix}download_sessions s ON s.id = t.session_id
            GROUP BY s.partition, s.data_group, s.job_id, t.channel_database;
        CREATE INDEX ix_status_messages_session ON {Prefix}status_messages (session_id);
        CREATE INDEX ix_session_targets_session ON {Prefix}session_targets (session_id, status);
        """;

    /// <summary>Schema 3: the endpoint's channel credentials and contacts (docs/endpoint.md).</summary>
    private string Migration3 => $"""
        CREATE TABLE {Prefix}channel_credentials (
            id {T.Identity},
            channel_database {T.Text(128)} NOT NULL,
            salt {T.Text(64)} NOT NULL,
            secret_hash {T.Text(128)} NOT NULL,
            created_at {T.Time} NOT NULL,
            expires_at {T.Time},
            last_used_at {T.Time},
            revoked_at {T.Time});
        CREATE INDEX ix_channel_credentials_database ON {Prefix}channel_credentials (channel_database, revoked_at);
        CREATE TABLE {Prefix}channel_contacts (
            channel_database {T.Text(128)} PRIMARY KEY,
            last_contact_at {T.Time} NOT NULL,
            client_version {T.Text(100)},
            remote_address {T.Text(100)},
            credential_id {T.BigInt});
        """;

    /// <summary>
    /// Schema 4: upload sessions (docs/upload.md). Their ids start at 10^12 (<see cref="ColumnTypes.UploadIdentity"/>), so a
    /// session id names one session in either direction; status messages say which direction theirs is.
    /// </summary>
    private string Migration4 => $"""
        CREATE TABLE {Prefix}upload_sessions (
            id {T.UploadIdentity},
            partition {T.Text(100)} NOT NULL,
            job_id {T.Text(100)} NOT NULL,
            data_group {T.Text(100)} NOT NULL,
            channel_database {T.Text(128)} NOT NULL,
            status {T.Text(20)} NOT NULL,
            tries {T.Int} NOT NULL DEFAULT 0,
            row_count {T.BigInt} NOT NULL DEFAULT 0,
            package_file {T.Text(400)},
            package_size {T.BigInt},
            package_sha256 {T.Text(64)},
            instance_id {T.Text(200)} NOT NULL,
            created_at {T.Time} NOT NULL,
            updated_at {T.Time} NOT NULL,
            finished_at {T.Time},
            message {T.Text()});
        CREATE INDEX ix_upload_sessions_store ON {Prefix}upload_sessions (partition, channel_database, job_id, status);
        CREATE INDEX ix_upload_sessions_status ON {Prefix}upload_sessions (status, id);
        CREATE TABLE {Prefix}upload_session_tables (
            session_id {T.BigInt} NOT NULL REFERENCES {Prefix}upload_sessions (id) ON DELETE CASCADE,
            subjob {T.Text(100)} NOT NULL,
            channel_table {T.Text(256)} NOT NULL,
            hq_table {T.Text(256)} NOT NULL,
            from_counter {T.BigInt} NOT NULL,
            to_counter {T.BigInt} NOT NULL,
            row_count {T.BigInt} NOT NULL,
            PRIMARY KEY (session_id, subjob));
        CREATE TABLE {Prefix}upload_counters (
            partition {T.Text(100)} NOT NULL,
            channel_database {T.Text(128)} NOT NULL,
            job_id {T.Text(100)} NOT NULL,
            subjob {T.Text(100)} NOT NULL,
            counter {T.BigInt} NOT NULL,
            session_id {T.BigInt} NOT NULL,
            updated_at {T.Time} NOT NULL,
            PRIMARY KEY (partition, channel_database, job_id, subjob));
        ALTER TABLE {Prefix}status_messages {T.AddColumn} direction {T.Text(10)};
        {T.UploadIdSeed}
        """;
}

/// <summary>
/// How a provider spells the column types of the message tables: <paramref name="Identity"/> is a whole column
/// definition after the name (a generated bigint primary key), <paramref name="UploadIdentity"/> the upload sessions'
/// (numbered from 10^12); <paramref name="SizedText"/> formats a size into a text type where the provider sizes them;
/// <paramref name="Preamble"/> comes before the first table (with its own line end), <paramref name="UploadIdSeed"/> after
/// the upload tables; <paramref name="EmptyTextDefault"/> is "" where a text may not hold a value (SQL Server's rule).
/// </summary>
public sealed record ColumnTypes(string Identity, string UploadIdentity, string BigInt, string Int, string Bool, string False, string True,
    string Time, string UnboundedText, string SizedText, string UploadIdSeed = "", string Preamble = "", string AddColumn = "ADD COLUMN",
    string EmptyTextDefault = " DEFAULT ''")
{
    /// <summary>A text column of at most <paramref name="size"/> characters; 0: unbounded.</summary>
    public string Text(int size = 0) => size == 0 ? UnboundedText : string.Format(CultureInfo.InvariantCulture, SizedText, size);
}
