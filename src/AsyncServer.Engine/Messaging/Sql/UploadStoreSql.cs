using System.Globalization;
using System.Text;

namespace AsyncServer.Messaging.Sql;

/// <summary>
/// The SQL texts of the upload ledger (schema 4), one set per provider: SQLite and PostgreSQL share
/// <see cref="Portable"/> (naming only their schema prefix); SQL Server has <see cref="SqlServer"/>. Every value is a
/// parameter, status names included. The SQL Server texts are parsed by ScriptDom in the tests (SqlServerSqlTests).
/// </summary>
public sealed record UploadStoreSql
{
    /// <summary>@p, @j, @g, @c, @st, @inst, @now, @first (the id before the first: SQL Server numbers upload sessions itself); returns the new id.</summary>
    public required string InsertUpload { get; init; }
    /// <summary>@s, @sub, @ct, @ht, @from, @to, @rows.</summary>
    public required string InsertUploadTable { get; init; }
    /// <summary>@s, @c, @st, @m, @now, @dir.</summary>
    public required string InsertStatusMessage { get; init; }
    /// <summary>@file, @size, @sha, @rows, @to, @now, @id, @from: only a session still in @from changes.</summary>
    public required string MarkUploaded { get; init; }
    /// <summary>@to, @m, @now, @fin (1: set finished_at), @inc (1: tries + 1), @reset (1: tries = 0), @id, @f0..@f5 (the from statuses).</summary>
    public required string ChangeStatus { get; init; }
    /// <summary>@id: the session's channel database (locked where the provider can).</summary>
    public required string ChannelDatabaseOf { get; init; }
    /// <summary>@p, @c, @j, @sub, @counter, @s, @now: the acknowledged counter, which never moves back.</summary>
    public required string UpsertCounter { get; init; }
    /// <summary>@p, @c, @j.</summary>
    public required string StoreUploads { get; init; }
    /// <summary>@p, @st.</summary>
    public required string UploadsInStatus { get; init; }
    /// <summary>@s.</summary>
    public required string TablesOf { get; init; }
    /// <summary>@p, @c, @j.</summary>
    public required string AcknowledgedCounters { get; init; }
    /// <summary>@cutoff, @batch, @a, @x, @u (the final statuses).</summary>
    public required string ExpiredUploads { get; init; }
    /// <summary>@id.</summary>
    public required string DeleteUpload { get; init; }
    // How a limit is spelled (before the select list on SQL Server, after ORDER BY elsewhere) and the tables' prefix: parts of
    // texts, not texts, so not public (the tests parse every public string property as a statement).
    internal string Top { get; init; } = "";
    internal string Limit { get; init; } = "";
    internal string Prefix { get; init; } = "";
    internal string Columns { get; init; } = UploadSessionRecord.Columns;

    /// <summary>Newest first, at most @limit; filters @id, @c, @j, @st where present.</summary>
    public string QueryUploads(bool id, bool channelDatabase, bool job, bool status)
    {
        var q = Prefix.Length > 0 && Prefix[0] == '[';
        string C(string name) => q ? $"[{name}]" : name;
        var sql = new StringBuilder().Append(CultureInfo.InvariantCulture, $"SELECT {Top}{Columns} FROM {Prefix}{C("upload_sessions")} WHERE 1 = 1");
        if (id) sql.Append(CultureInfo.InvariantCulture, $" AND {C("id")} = @id");
        if (channelDatabase) sql.Append(CultureInfo.InvariantCulture, $" AND {C("channel_database")} = @c");
        if (job) sql.Append(CultureInfo.InvariantCulture, $" AND {C("job_id")} = @j");
        if (status) sql.Append(CultureInfo.InvariantCulture, $" AND {C("status")} = @st");
        return sql.Append(CultureInfo.InvariantCulture, $" ORDER BY {C("id")} DESC").Append(Limit).ToString();
    }

    private const string From6 = "(@f0, @f1, @f2, @f3, @f4, @f5)";

    /// <summary>SQLite ("" prefix) and PostgreSQL ("asyncserver." prefix).</summary>
    public static UploadStoreSql Portable(string p, string forUpdate) => new()
    {
        Prefix = p,
        Top = "",
        Limit = " LIMIT @limit",
        InsertUpload = $"INSERT INTO {p}upload_sessions (partition, job_id, data_group, channel_database, status, tries, row_count, instance_id, " +
            "created_at, updated_at) VALUES (@p, @j, @g, @c, @st, 0, 0, @inst, @now, @now) RETURNING id",
        InsertUploadTable = $"INSERT INTO {p}upload_session_tables (session_id, subjob, channel_table, hq_table, from_counter, to_counter, row_count) " +
            "VALUES (@s, @sub, @ct, @ht, @from, @to, @rows)",
        InsertStatusMessage = $"INSERT INTO {p}status_messages (session_id, channel_database, status, message, created_at, direction) " +
            "VALUES (@s, @c, @st, @m, @now, @dir)",
        MarkUploaded = $"UPDATE {p}upload_sessions SET status = @to, package_file = @file, package_size = @size, package_sha256 = @sha, " +
            "row_count = @rows, updated_at = @now, message = NULL WHERE id = @id AND status = @from",
        ChangeStatus = $"UPDATE {p}upload_sessions SET status = @to, message = @m, updated_at = @now, " +
            "finished_at = CASE WHEN @fin = 1 THEN @now ELSE finished_at END, " +
            $"tries = CASE WHEN @inc = 1 THEN tries + 1 WHEN @reset = 1 THEN 0 ELSE tries END WHERE id = @id AND status IN {From6}",
        ChannelDatabaseOf = $"SELECT channel_database FROM {p}upload_sessions WHERE id = @id{forUpdate}",
        UpsertCounter = $"INSERT INTO {p}upload_counters AS u (partition, channel_database, job_id, subjob, counter, session_id, updated_at) " +
            "VALUES (@p, @c, @j, @sub, @counter, @s, @now) ON CONFLICT (partition, channel_database, job_id, subjob) DO UPDATE SET " +
            "counter = CASE WHEN excluded.counter > u.counter THEN excluded.counter ELSE u.counter END, " +
            "session_id = excluded.session_id, updated_at = excluded.updated_at",
        StoreUploads = $"SELECT {UploadSessionRecord.Columns} FROM {p}upload_sessions WHERE partition = @p AND channel_database = @c AND job_id = @j " +
            "ORDER BY id",
        UploadsInStatus = $"SELECT {UploadSessionRecord.Columns} FROM {p}upload_sessions WHERE partition = @p AND status = @st ORDER BY id",
        TablesOf = $"SELECT subjob, channel_table, hq_table, from_counter, to_counter, row_count FROM {p}upload_session_tables " +
            "WHERE session_id = @s ORDER BY subjob",
        AcknowledgedCounters = $"SELECT subjob, counter FROM {p}upload_counters WHERE partition = @p AND channel_database = @c AND job_id = @j",
        ExpiredUploads = $"SELECT {UploadSessionRecord.Columns} FROM {p}upload_sessions WHERE created_at < @cutoff AND status IN (@a, @x, @u) " +
            "ORDER BY id LIMIT @batch",
        DeleteUpload = $"DELETE FROM {p}upload_session_tables WHERE session_id = @id; DELETE FROM {p}upload_sessions WHERE id = @id;",
    };

    private const string SqlServerColumns = "[id], [partition], [job_id], [data_group], [channel_database], [status], [tries], [row_count], " +
        "[package_file], [package_size], [package_sha256], [instance_id], [created_at], [updated_at], [finished_at], [message]";

    /// <summary>
    /// SQL Server, schema dbo, bracket-quoted. Upload session ids are numbered by the insert (after @first, under a range
    /// lock) rather than by an identity seed, so no text holds a value.
    /// </summary>
    public static readonly UploadStoreSql SqlServer = new()
    {
        Prefix = "[dbo].",
        Columns = SqlServerColumns,
        Top = "TOP (@limit) ",
        Limit = "",
        InsertUpload = "INSERT INTO [dbo].[upload_sessions] ([id], [partition], [job_id], [data_group], [channel_database], [status], [tries], " +
            "[row_count], [instance_id], [created_at], [updated_at]) OUTPUT [inserted].[id] " +
            "SELECT COALESCE(MAX([id]), @first) + 1, @p, @j, @g, @c, @st, 0, 0, @inst, @now, @now FROM [dbo].[upload_sessions] WITH (UPDLOCK, HOLDLOCK);",
        InsertUploadTable = "INSERT INTO [dbo].[upload_session_tables] ([session_id], [subjob], [channel_table], [hq_table], [from_counter], " +
            "[to_counter], [row_count]) VALUES (@s, @sub, @ct, @ht, @from, @to, @rows);",
        InsertStatusMessage = "INSERT INTO [dbo].[status_messages] ([session_id], [channel_database], [status], [message], [created_at], [direction]) " +
            "VALUES (@s, @c, @st, @m, @now, @dir);",
        MarkUploaded = "UPDATE [dbo].[upload_sessions] SET [status] = @to, [package_file] = @file, [package_size] = @size, [package_sha256] = @sha, " +
            "[row_count] = @rows, [updated_at] = @now, [message] = NULL WHERE [id] = @id AND [status] = @from;",
        ChangeStatus = "UPDATE [dbo].[upload_sessions] SET [status] = @to, [message] = @m, [updated_at] = @now, " +
            "[finished_at] = CASE WHEN @fin = 1 THEN @now ELSE [finished_at] END, " +
            $"[tries] = CASE WHEN @inc = 1 THEN [tries] + 1 WHEN @reset = 1 THEN 0 ELSE [tries] END WHERE [id] = @id AND [status] IN {From6};",
        ChannelDatabaseOf = "SELECT [channel_database] FROM [dbo].[upload_sessions] WITH (UPDLOCK, HOLDLOCK) WHERE [id] = @id;",
        UpsertCounter = """
            UPDATE [dbo].[upload_counters] WITH (UPDLOCK, HOLDLOCK)
            SET [counter] = CASE WHEN @counter > [counter] THEN @counter ELSE [counter] END, [session_id] = @s, [updated_at] = @now
            WHERE [partition] = @p AND [channel_database] = @c AND [job_id] = @j AND [subjob] = @sub;
            IF @@ROWCOUNT = 0
                INSERT INTO [dbo].[upload_counters] ([partition], [channel_database], [job_id], [subjob], [counter], [session_id], [updated_at])
                VALUES (@p, @c, @j, @sub, @counter, @s, @now);
            """,
        StoreUploads = $"SELECT {SqlServerColumns} FROM [dbo].[upload_sessions] " +
            "WHERE [partition] = @p AND [channel_database] = @c AND [job_id] = @j ORDER BY [id];",
        UploadsInStatus = $"SELECT {SqlServerColumns} FROM [dbo].[upload_sessions] WHERE [partition] = @p AND [status] = @st ORDER BY [id];",
        TablesOf = "SELECT [subjob], [channel_table], [hq_table], [from_counter], [to_counter], [row_count] FROM [dbo].[upload_session_tables] " +
            "WHERE [session_id] = @s ORDER BY [subjob];",
        AcknowledgedCounters = "SELECT [subjob], [counter] FROM [dbo].[upload_counters] WHERE [partition] = @p AND [channel_database] = @c AND [job_id] = @j;",
        ExpiredUploads = $"SELECT TOP (@batch) {SqlServerColumns} FROM [dbo].[upload_sessions] " +
            "WHERE [created_at] < @cutoff AND [status] IN (@a, @x, @u) ORDER BY [id];",
        DeleteUpload = "DELETE FROM [dbo].[upload_session_tables] WHERE [session_id] = @id; DELETE FROM [dbo].[upload_sessions] WHERE [id] = @id;",
    };
}
