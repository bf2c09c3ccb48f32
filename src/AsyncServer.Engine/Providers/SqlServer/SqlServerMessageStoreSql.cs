using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using AsyncServer.Messaging.Sql;

namespace AsyncServer.Providers.SqlServer;

/// <summary>
/// The message store's texts in T-SQL: the texts written once (<see cref="MessageStoreSql"/>) in SQL Server's spelling, in
/// schema dbo, with every identifier bracket-quoted by <see cref="Spell"/>; and SQL Server's own upserts, lease claim and
/// application lock. Tests parse each text with ScriptDom (SqlServerSqlTests, SqlServerClientSqlTests).
/// </summary>
internal sealed partial class SqlServerMessageStoreSql : MessageStoreSql
{
    public static readonly SqlServerMessageStoreSql Instance = new();

    protected internal override string Prefix => "dbo.";

    /// <summary>Sizes as the old T-SQL DDL had them; ids of upload sessions are numbered by <c>InsertUpload</c>, not by IDENTITY.</summary>
    protected override ColumnTypes Types { get; } = new(Identity: "BIGINT IDENTITY(1, 1) PRIMARY KEY", UploadIdentity: "BIGINT PRIMARY KEY",
        BigInt: "BIGINT", Int: "INT", Bool: "BIT", False: "0", True: "1", Time: "DATETIME2(7)", UnboundedText: "NVARCHAR(MAX)",
        SizedText: "NVARCHAR({0})", AddColumn: "ADD", EmptyTextDefault: "");

    protected override string ServerNow => "SYSUTCDATETIME()";

    /// <summary>@ttl is in milliseconds.</summary>
    protected override string ServerExpiry => "DATEADD(MILLISECOND, @ttl, SYSUTCDATETIME())";

    protected internal override string Top(string rows) => $"TOP ({rows}) ";

    protected internal override string Limit(string rows) => "";

    protected internal override string LockHint => " WITH (UPDLOCK, HOLDLOCK)";

    protected override string OutputId => " OUTPUT inserted.id";

    protected override string ReturningId => "";

    /// <summary>
    /// Brackets every lowercase word that is not a parameter (@name) or inside a string literal: the texts spell identifiers in
    /// lowercase and keywords, functions and types in capitals. Ends the last statement.
    /// </summary>
    /// <remarks>
    /// Every statement passes here, so the result is kept: the texts are a few dozen shapes (lists vary in length, up to
    /// <see cref="MessageStoreSql.TargetBatch"/>), and the cache stops growing at <see cref="SpelledLimit"/> whatever comes.
    /// </remarks>
    protected internal override string Spell(string sql)
    {
        if (_spelled.TryGetValue(sql, out var spelled)) return spelled;
        spelled = Identifier().Replace(sql, m => m.Value[0] == '\'' ? m.Value : $"[{m.Value}]").TrimEnd().TrimEnd(';') + ";";
        if (_spelled.Count < SpelledLimit) _spelled.TryAdd(sql, spelled);
        return spelled;
    }

    private const int SpelledLimit = 4096;
    private readonly ConcurrentDictionary<string, string> _spelled = new(StringComparer.Ordinal);

    [GeneratedRegex(@"'[^']*'|(?<![@\w\[])[a-z_][a-z0-9_]*(?!\w)")]
    private static partial Regex Identifier();

    public override string TableExists => "SELECT CASE WHEN OBJECT_ID(@table) IS NULL THEN 0 ELSE 1 END;";

    public override string WriteSchemaVersion => Spell("""
        UPDATE dbo.schema_info SET version = @version, updated_at = @now WHERE id = 1;
        IF @@ROWCOUNT = 0 INSERT INTO dbo.schema_info (id, version, updated_at) VALUES (1, @version, @now)
        """);

    /// <summary>
    /// Takes a transaction-owned application lock (parameters @lockResource, @lockMode, @lockOwner, @lockTimeout) and
    /// returns sp_getapplock's result: 0 or 1 when granted, negative when not. Serializes work on one lease (or on
    /// the schema) across every instance sharing the database, which row locks alone cannot do for a row that
    /// does not exist yet.
    /// </summary>
    public static string GetAppLock => """
        DECLARE @result int;
        EXEC @result = [sys].[sp_getapplock] @Resource = @lockResource, @LockMode = @lockMode, @LockOwner = @lockOwner, @LockTimeout = @lockTimeout;
        SELECT @result;
        """;

    /// <summary>The application lock of a resource; hashed so any resource name fits sp_getapplock's 255 characters.</summary>
    public static string AppLockName(string resource)
        => "asyncserver:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(resource))).ToLowerInvariant();

    /// <summary>
    /// Runs under the lease's application lock. The server's clock (SYSUTCDATETIME) decides expiry, never the instance's:
    /// an instance whose clock runs ahead cannot take over a live lease. @ttl is in milliseconds.
    /// </summary>
    public override string ClaimLease => Spell("""
        DECLARE @now DATETIME2(7) = SYSUTCDATETIME();
        UPDATE dbo.leases SET owner = @o, acquired_at = @now, expires_at = DATEADD(MILLISECOND, @ttl, @now)
        WHERE resource = @r AND (owner = @o OR expires_at < @now);
        IF @@ROWCOUNT = 0 AND NOT EXISTS (SELECT 1 FROM dbo.leases WITH (UPDLOCK, HOLDLOCK) WHERE resource = @r)
            INSERT INTO dbo.leases (resource, owner, acquired_at, expires_at) VALUES (@r, @o, @now, DATEADD(MILLISECOND, @ttl, @now));
        SELECT owner, expires_at FROM dbo.leases WHERE resource = @r
        """);

    public override string WriteRowVersion => Spell("""
        UPDATE dbo.row_versions SET version = @v, session_id = @s, updated_at = @now WHERE partition = @p AND data_group = @g AND job_id = @j;
        IF @@ROWCOUNT = 0 INSERT INTO dbo.row_versions (partition, data_group, job_id, version, session_id, updated_at)
            VALUES (@p, @g, @j, @v, @s, @now)
        """);

    public override string JoinChannelDatabase => Spell("""
        INSERT INTO dbo.channel_database_jobs (partition, data_group, job_id, channel_database, first_session_id, joined_at)
        SELECT s.partition, s.data_group, s.job_id, @c, s.id, @now FROM dbo.download_sessions s
        WHERE s.id = @s AND NOT EXISTS (SELECT 1 FROM dbo.channel_database_jobs j WITH (UPDLOCK, HOLDLOCK)
            WHERE j.partition = s.partition AND j.data_group = s.data_group AND j.job_id = s.job_id AND j.channel_database = @c)
        """);

    /// <summary>
    /// Upload session ids are numbered by the insert (after @first, under a range lock) rather than by an identity seed, so no
    /// text holds a value.
    /// </summary>
    protected internal override string InsertUpload => Spell("""
        INSERT INTO dbo.upload_sessions (id, partition, job_id, data_group, channel_database, status, tries, row_count, instance_id, created_at,
            updated_at) OUTPUT inserted.id
        SELECT COALESCE(MAX(id), @first) + 1, @p, @j, @g, @c, @st, 0, 0, @inst, @now, @now FROM dbo.upload_sessions WITH (UPDLOCK, HOLDLOCK)
        """);

    /// <summary>The acknowledged counter never moves back.</summary>
    protected internal override string UpsertCounter => Spell("""
        UPDATE dbo.upload_counters WITH (UPDLOCK, HOLDLOCK)
        SET counter = CASE WHEN @counter > counter THEN @counter ELSE counter END, session_id = @s, updated_at = @now
        WHERE partition = @p AND channel_database = @c AND job_id = @j AND subjob = @sub;
        IF @@ROWCOUNT = 0
            INSERT INTO dbo.upload_counters (partition, channel_database, job_id, subjob, counter, session_id, updated_at)
            VALUES (@p, @c, @j, @sub, @counter, @s, @now)
        """);

    /// <summary>Targets of <paramref name="count"/> sessions, parameters @t0...</summary>
    public string TargetsOf(int count) => TargetsOf(count, onlyChannelDatabase: false);
}
