using AsyncServer.Data;

namespace AsyncServer.Endpoint;

/// <summary>
/// The endpoint's SQL, one set of texts per provider (its tables are schema 3 in each provider's migrations), built by pure
/// functions (the SQL Server texts are parsed with ScriptDom in the tests). Every value is a parameter; the table names are constants. Parameters:
/// @db channel database, @id credential id, @s session id, @now the time, @r lease resource, @o lease owner.
/// </summary>
public sealed record EndpointSql
{
    /// <summary>id, salt, secret_hash, expires_at, last_used_at of the unrevoked credentials of @db, and its last_contact_at.</summary>
    public required string UnrevokedCredentials { get; init; }
    /// <summary>last_contact_at of @db (no row: never).</summary>
    public required string ContactAt { get; init; }
    /// <summary>
    /// Serializes credential creation for one channel database (@lock: its name), so two concurrent creations cannot both
    /// pass the "two active at most" count: SQLite's BEGIN IMMEDIATE already does (a no-op here), PostgreSQL takes a
    /// transaction advisory lock, SQL Server an application lock (returns sp_getapplock's result: negative when refused).
    /// </summary>
    public required string LockCredentials { get; init; }
    /// <summary>Counts unexpired, unrevoked credentials of @db (locking them on servers that can).</summary>
    public required string CountActiveCredentials { get; init; }
    /// <summary>@db, @salt, @hash, @now, @expires; returns the new id.</summary>
    public required string InsertCredential { get; init; }
    public required string TouchCredential { get; init; }
    /// <summary>@db, @now, @version, @address, @id: insert or update the channel database's last contact.</summary>
    public required string RecordContact { get; init; }
    /// <summary>Metadata of every credential (and the last contact of its channel database), by channel database then id.</summary>
    public required string ListCredentials { get; init; }
    /// <summary>The same, of @db only.</summary>
    public required string ListCredentialsOf { get; init; }
    public required string RevokeAll { get; init; }
    public required string RevokeOne { get; init; }
    /// <summary>status, tries of the target (@s, @db), locked until the transaction ends.</summary>
    public required string LockTarget { get; init; }
    /// <summary>Returns the owner of lease @r if it has not expired by the database server's clock (issue 12, point 9).</summary>
    public required string LiveLeaseOwner { get; init; }
    /// <summary>@to, @inc (0 or 1), @now, @m.</summary>
    public required string UpdateTarget { get; init; }
    /// <summary>@s, @db, @to, @m, @now.</summary>
    public required string InsertStatusMessage { get; init; }
    /// <summary>Status messages for the targets <see cref="SuspendLater"/> is about to change: @susp, @m, @now, @db, @s, @p0..@p2.</summary>
    public required string LogSuspendLater { get; init; }
    public required string SuspendLater { get; init; }

    public static EndpointSql For(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.Sqlite => Sqlite,
        DatabaseProvider.PostgreSql => PostgreSql,
        DatabaseProvider.SqlServer => SqlServer,
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "No endpoint SQL for this provider."),
    };

    /// <summary>SQLite and PostgreSQL share the ANSI texts; only the schema prefix, types and the lock differ.</summary>
    private static EndpointSql Ansi(string p, string insertCredential, string forUpdate, string serverNow, string lockCredentials) => new()
    {
        LockCredentials = lockCredentials,
        UnrevokedCredentials = "SELECT c.id, c.salt, c.secret_hash, c.expires_at, c.last_used_at, k.last_contact_at " +
            $"FROM {p}channel_credentials c LEFT JOIN {p}channel_contacts k ON k.channel_database = c.channel_database " +
            "WHERE c.channel_database = @db AND c.revoked_at IS NULL ORDER BY c.id",
        ContactAt = $"SELECT last_contact_at FROM {p}channel_contacts WHERE channel_database = @db",
        CountActiveCredentials = $"SELECT COUNT(*) FROM {p}channel_credentials " +
            "WHERE channel_database = @db AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > @now)",
        InsertCredential = insertCredential,
        TouchCredential = $"UPDATE {p}channel_credentials SET last_used_at = @now WHERE id = @id",
        RecordContact = $"""
            INSERT INTO {p}channel_contacts (channel_database, last_contact_at, client_version, remote_address, credential_id)
            VALUES (@db, @now, @version, @address, @id)
            ON CONFLICT (channel_database) DO UPDATE SET last_contact_at = excluded.last_contact_at, client_version = excluded.client_version,
                remote_address = excluded.remote_address, credential_id = excluded.credential_id
            """,
        ListCredentials = ListText(p, ""),
        ListCredentialsOf = ListText(p, "WHERE c.channel_database = @db "),
        RevokeAll = $"UPDATE {p}channel_credentials SET revoked_at = @now WHERE channel_database = @db AND revoked_at IS NULL",
        RevokeOne = $"UPDATE {p}channel_credentials SET revoked_at = @now WHERE channel_database = @db AND id = @id AND revoked_at IS NULL",
        LockTarget = $"SELECT status, tries FROM {p}session_targets WHERE session_id = @s AND channel_database = @db{forUpdate}",
        LiveLeaseOwner = $"SELECT owner FROM {p}leases WHERE resource = @r AND expires_at > {serverNow}",
        UpdateTarget = $"UPDATE {p}session_targets SET status = @to, tries = tries + @inc, updated_at = @now, message = @m " +
            "WHERE session_id = @s AND channel_database = @db",
        InsertStatusMessage = $"INSERT INTO {p}status_messages (session_id, channel_database, status, message, created_at) VALUES (@s, @db, @to, @m, @now)",
        LogSuspendLater = $"""
            INSERT INTO {p}status_messages (session_id, channel_database, status, message, created_at)
            SELECT session_id, channel_database, @susp, @m, @now FROM {p}session_targets
            WHERE channel_database = @db AND session_id > @s AND status IN (@p0, @p1, @p2) ORDER BY session_id
            """,
        SuspendLater = $"UPDATE {p}session_targets SET status = @susp, updated_at = @now, message = @m " +
            "WHERE channel_database = @db AND session_id > @s AND status IN (@p0, @p1, @p2)",
    };

    private static string ListText(string p, string where) =>
        "SELECT c.id, c.channel_database, c.created_at, c.expires_at, c.last_used_at, c.revoked_at, k.last_contact_at, k.client_version, k.remote_address " +
        $"FROM {p}channel_credentials c LEFT JOIN {p}channel_contacts k ON k.channel_database = c.channel_database {where}ORDER BY c.channel_database, c.id";

    public static readonly EndpointSql Sqlite = Ansi("",
        "INSERT INTO channel_credentials (channel_database, salt, secret_hash, created_at, expires_at) " +
        "VALUES (@db, @salt, @hash, @now, @expires); SELECT last_insert_rowid();",
        forUpdate: "", serverNow: "strftime('%Y-%m-%dT%H:%M:%f0000Z', 'now')", lockCredentials: "SELECT 0");

    private const string Pg = "asyncserver.";

    public static readonly EndpointSql PostgreSql = Ansi(Pg,
        $"INSERT INTO {Pg}channel_credentials (channel_database, salt, secret_hash, created_at, expires_at) " +
        "VALUES (@db, @salt, @hash, @now, @expires) RETURNING id",
        forUpdate: " FOR UPDATE", serverNow: "clock_timestamp()",
        lockCredentials: "SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended(@lock, 0))");

    private const string ListSqlServer =
        "SELECT [c].[id], [c].[channel_database], [c].[created_at], [c].[expires_at], [c].[last_used_at], [c].[revoked_at], " +
        "[k].[last_contact_at], [k].[client_version], [k].[remote_address] " +
        "FROM [dbo].[channel_credentials] AS [c] LEFT OUTER JOIN [dbo].[channel_contacts] AS [k] ON [k].[channel_database] = [c].[channel_database] ";

    public static readonly EndpointSql SqlServer = new()
    {
        LockCredentials = """
            DECLARE @result int;
            EXEC @result = [sys].[sp_getapplock] @Resource = @lock, @LockMode = @lockMode, @LockOwner = @lockOwner, @LockTimeout = @lockTimeout;
            SELECT @result;
            """,
        UnrevokedCredentials = "SELECT [c].[id], [c].[salt], [c].[secret_hash], [c].[expires_at], [c].[last_used_at], [k].[last_contact_at] " +
            "FROM [dbo].[channel_credentials] AS [c] LEFT OUTER JOIN [dbo].[channel_contacts] AS [k] ON [k].[channel_database] = [c].[channel_database] " +
            "WHERE [c].[channel_database] = @db AND [c].[revoked_at] IS NULL ORDER BY [c].[id];",
        ContactAt = "SELECT [last_contact_at] FROM [dbo].[channel_contacts] WHERE [channel_database] = @db;",
        CountActiveCredentials = "SELECT COUNT(*) FROM [dbo].[channel_credentials] WITH (UPDLOCK, HOLDLOCK) " +
            "WHERE [channel_database] = @db AND [revoked_at] IS NULL AND ([expires_at] IS NULL OR [expires_at] > @now);",
        InsertCredential = "INSERT INTO [dbo].[channel_credentials] ([channel_database], [salt], [secret_hash], [created_at], [expires_at]) " +
            "OUTPUT [inserted].[id] VALUES (@db, @salt, @hash, @now, @expires);",
        TouchCredential = "UPDATE [dbo].[channel_credentials] SET [last_used_at] = @now WHERE [id] = @id;",
        RecordContact = """
            UPDATE [dbo].[channel_contacts] WITH (UPDLOCK, HOLDLOCK)
            SET [last_contact_at] = @now, [client_version] = @version, [remote_address] = @address, [credential_id] = @id
            WHERE [channel_database] = @db;
            IF @@ROWCOUNT = 0
                INSERT INTO [dbo].[channel_contacts] ([channel_database], [last_contact_at], [client_version], [remote_address], [credential_id])
                VALUES (@db, @now, @version, @address, @id);
            """,
        ListCredentials = ListSqlServer + "ORDER BY [c].[channel_database], [c].[id];",
        ListCredentialsOf = ListSqlServer + "WHERE [c].[channel_database] = @db ORDER BY [c].[channel_database], [c].[id];",
        RevokeAll = "UPDATE [dbo].[channel_credentials] SET [revoked_at] = @now WHERE [channel_database] = @db AND [revoked_at] IS NULL;",
        RevokeOne = "UPDATE [dbo].[channel_credentials] SET [revoked_at] = @now WHERE [channel_database] = @db AND [id] = @id AND [revoked_at] IS NULL;",
        LockTarget = "SELECT [status], [tries] FROM [dbo].[session_targets] WITH (UPDLOCK, HOLDLOCK) WHERE [session_id] = @s AND [channel_database] = @db;",
        LiveLeaseOwner = "SELECT [owner] FROM [dbo].[leases] WHERE [resource] = @r AND [expires_at] > SYSUTCDATETIME();",
        UpdateTarget = "UPDATE [dbo].[session_targets] SET [status] = @to, [tries] = [tries] + @inc, [updated_at] = @now, [message] = @m " +
            "WHERE [session_id] = @s AND [channel_database] = @db;",
        InsertStatusMessage = "INSERT INTO [dbo].[status_messages] ([session_id], [channel_database], [status], [message], [created_at]) " +
            "VALUES (@s, @db, @to, @m, @now);",
        LogSuspendLater = """
            INSERT INTO [dbo].[status_messages] ([session_id], [channel_database], [status], [message], [created_at])
            SELECT [session_id], [channel_database], @susp, @m, @now FROM [dbo].[session_targets] WITH (UPDLOCK, HOLDLOCK)
            WHERE [channel_database] = @db AND [session_id] > @s AND [status] IN (@p0, @p1, @p2) ORDER BY [session_id];
            """,
        SuspendLater = "UPDATE [dbo].[session_targets] SET [status] = @susp, [updated_at] = @now, [message] = @m " +
            "WHERE [channel_database] = @db AND [session_id] > @s AND [status] IN (@p0, @p1, @p2);",
    };
}
