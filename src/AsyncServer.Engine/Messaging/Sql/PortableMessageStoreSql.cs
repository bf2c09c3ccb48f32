namespace AsyncServer.Messaging.Sql;

/// <summary>
/// The texts SQLite and PostgreSQL spell alike and SQL Server does not: the upserts, with INSERT ... ON CONFLICT, and
/// the upload insert, numbered by an identity column.
/// </summary>
public abstract class PortableMessageStoreSql : MessageStoreSql
{
    public override string WriteSchemaVersion =>
        $"INSERT INTO {Prefix}schema_info (id, version, updated_at) VALUES (1, @version, @now) " +
        "ON CONFLICT (id) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at";

    public override string WriteRowVersion =>
        $"INSERT INTO {Prefix}row_versions (partition, data_group, job_id, version, session_id, updated_at) VALUES (@p, @g, @j, @v, @s, @now) " +
        "ON CONFLICT (partition, data_group, job_id) " +
        "DO UPDATE SET version = excluded.version, session_id = excluded.session_id, updated_at = excluded.updated_at";

    public override string JoinChannelDatabase =>
        $"INSERT INTO {Prefix}channel_database_jobs (partition, data_group, job_id, channel_database, first_session_id, joined_at) " +
        $"SELECT partition, data_group, job_id, @c, id, @now FROM {Prefix}download_sessions WHERE id = @s ON CONFLICT DO NOTHING";

    /// <summary>Upload ids come from the identity column.</summary>
    protected internal override string InsertUpload =>
        $"INSERT INTO {Prefix}upload_sessions (partition, job_id, data_group, channel_database, status, tries, row_count, instance_id, " +
        "created_at, updated_at) VALUES (@p, @j, @g, @c, @st, 0, 0, @inst, @now, @now) RETURNING id";

    /// <summary>The acknowledged counter never moves back.</summary>
    protected internal override string UpsertCounter =>
        $"INSERT INTO {Prefix}upload_counters AS u (partition, channel_database, job_id, subjob, counter, session_id, updated_at) " +
        "VALUES (@p, @c, @j, @sub, @counter, @s, @now) ON CONFLICT (partition, channel_database, job_id, subjob) DO UPDATE SET " +
        "counter = CASE WHEN excluded.counter > u.counter THEN excluded.counter ELSE u.counter END, " +
        "session_id = excluded.session_id, updated_at = excluded.updated_at";
}
