using AsyncServer.Messaging;
using AsyncServer.Messaging.Sql;
using static AsyncServer.Providers.PostgreSql.PostgresMessageSchema;

namespace AsyncServer.Providers.PostgreSql;

/// <summary>
/// Every SQL text of the message store on PostgreSQL, in schema <c>asyncserver</c> (the DDL: <see cref="MessageStoreSql"/>).
/// Lists bind as one array (<c>= ANY(@p)</c>); leases are claimed with INSERT ... ON CONFLICT ... DO UPDATE ... WHERE
/// expired against the server's clock_timestamp(), and the rows a transaction will change are locked FOR UPDATE.
/// </summary>
internal sealed class PostgresMessageStoreSql : PortableMessageStoreSql
{
    public static readonly PostgresMessageStoreSql Instance = new();

    /// <summary>The DDL in native types, in schema <see cref="Schema"/>.</summary>
    protected override ColumnTypes Types { get; } = new(Identity: "bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
        UploadIdentity: "bigint GENERATED ALWAYS AS IDENTITY (START WITH 1000000000001) PRIMARY KEY", BigInt: "bigint", Int: "integer",
        Bool: "boolean", False: "false", True: "true", Time: "timestamptz", UnboundedText: "text", SizedText: "text",
        Preamble: $"CREATE SCHEMA IF NOT EXISTS {Schema};\n");

    public override string TableExists => "SELECT pg_catalog.to_regclass(@table) IS NOT NULL";

    /// <summary>Serializes Initialize-AsyncMessageDatabase runs.</summary>
    public static string LockSchema => $"SELECT pg_catalog.pg_advisory_xact_lock({MigrationLockKey})";

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

    protected internal override string Prefix => $"{Schema}.";

    /// <summary>Rows a transaction will change are locked as it reads them; SQLite needs none (BEGIN IMMEDIATE holds the only write lock).</summary>
    protected internal override string ForUpdate(string? alias = null) => alias is null ? " FOR UPDATE" : $" FOR UPDATE OF {alias}";

    protected override string ServerNow => "clock_timestamp()";

    protected override string ServerExpiry => "clock_timestamp() + @ttl";

    // The fan-out: set-based over the array @dbs of channel databases, three statements per session instead of three
    // round trips per channel database (a 500-database fan-out registers thousands of targets). Rows go in array order.

    /// <summary>Parameters @s, @dbs, @st, @now.</summary>
    public static string InsertTargets =>
        $"INSERT INTO {Schema}.session_targets (session_id, channel_database, status, tries, updated_at) " +
        "SELECT @s, u.c, @st, 0, @now FROM unnest(@dbs::text[]) WITH ORDINALITY AS u(c, n) ORDER BY u.n";

    /// <summary>Parameters @s, @dbs, @st, @now.</summary>
    public static string InsertTargetMessages =>
        $"INSERT INTO {Schema}.status_messages (session_id, channel_database, status, message, created_at) " +
        "SELECT @s, u.c, @st, NULL, @now FROM unnest(@dbs::text[]) WITH ORDINALITY AS u(c, n) ORDER BY u.n";

    /// <summary>Parameters @s, @dbs, @now.</summary>
    public static string JoinChannelDatabases =>
        $"INSERT INTO {Schema}.channel_database_jobs (partition, data_group, job_id, channel_database, first_session_id, joined_at) " +
        $"SELECT d.partition, d.data_group, d.job_id, u.c, d.id, @now " +
        $"FROM {Schema}.download_sessions d, unnest(@dbs::text[]) WITH ORDINALITY AS u(c, n) " +
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

    /// <summary>Set-based: the selected targets are updated (and so locked) and logged in one statement.</summary>
    public override string ChangeTargets(TargetSelection selection, TriesChange tries) => $"""
        WITH changed AS (
            UPDATE {Schema}.session_targets t
                SET status = @to, tries = {NewTries(tries, "t.")},
                updated_at = @now, message = @m
            FROM {Schema}.download_sessions s
            WHERE s.id = t.session_id AND {TargetFilter(selection)}
            RETURNING t.session_id, t.channel_database),
        logged AS (
            INSERT INTO {Schema}.status_messages (session_id, channel_database, status, message, created_at)
            SELECT session_id, channel_database, @to, @m, @now FROM changed ORDER BY session_id, channel_database)
        SELECT count(*) FROM changed
        """;

    protected internal override string In(string prefix, int count) => $"= ANY(@{prefix})";
}
