using System.Globalization;
using System.Text;

namespace AsyncServer.Messaging.Sql;

/// <summary>
/// The SQL texts of the upload ledger (schema 4), written once in <see cref="Create"/> through a dialect's spelling;
/// <see cref="InsertUpload"/> and <see cref="UpsertCounter"/> are each dialect's own (abstract on <see cref="MessageStoreSql"/>). Every value is a parameter,
/// status names included. The SQL Server texts are parsed by ScriptDom in the tests (SqlServerSqlTests).
/// </summary>
public sealed record UploadStoreSql
{
    private readonly MessageStoreSql _dialect;

    private UploadStoreSql(MessageStoreSql dialect) => _dialect = dialect;

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

    /// <summary>Newest first, at most @limit; filters @id, @c, @j, @st where present.</summary>
    public string QueryUploads(bool id, bool channelDatabase, bool job, bool status)
    {
        var d = _dialect;
        var sql = new StringBuilder().Append(CultureInfo.InvariantCulture,
            $"SELECT {d.Top("@limit")}{UploadSessionRecord.Columns} FROM {d.Prefix}upload_sessions WHERE 1 = 1");
        if (id) sql.Append(" AND id = @id");
        if (channelDatabase) sql.Append(" AND channel_database = @c");
        if (job) sql.Append(" AND job_id = @j");
        if (status) sql.Append(" AND status = @st");
        return d.Spell(sql.Append(" ORDER BY id DESC").Append(d.Limit("@limit")).ToString());
    }

    /// <summary>The texts every dialect shares, spelled by <paramref name="d"/>.</summary>
    internal static UploadStoreSql Create(MessageStoreSql d)
    {
        var p = d.Prefix;
        var select = $"SELECT {UploadSessionRecord.Columns} FROM {p}upload_sessions";
        return new(d)
        {
            InsertUpload = d.InsertUpload,
            UpsertCounter = d.UpsertCounter,
            InsertUploadTable = d.Spell($"INSERT INTO {p}upload_session_tables (session_id, subjob, channel_table, hq_table, from_counter, to_counter, " +
                "row_count) VALUES (@s, @sub, @ct, @ht, @from, @to, @rows)"),
            InsertStatusMessage = d.Spell($"INSERT INTO {p}status_messages (session_id, channel_database, status, message, created_at, direction) " +
                "VALUES (@s, @c, @st, @m, @now, @dir)"),
            MarkUploaded = d.Spell($"UPDATE {p}upload_sessions SET status = @to, package_file = @file, package_size = @size, package_sha256 = @sha, " +
                "row_count = @rows, updated_at = @now, message = NULL WHERE id = @id AND status = @from"),
            ChangeStatus = d.Spell($"UPDATE {p}upload_sessions SET status = @to, message = @m, updated_at = @now, " +
                "finished_at = CASE WHEN @fin = 1 THEN @now ELSE finished_at END, " +
                "tries = CASE WHEN @inc = 1 THEN tries + 1 WHEN @reset = 1 THEN 0 ELSE tries END " +
                "WHERE id = @id AND status IN (@f0, @f1, @f2, @f3, @f4, @f5)"),
            ChannelDatabaseOf = d.Spell($"SELECT channel_database FROM {p}upload_sessions{d.LockHint} WHERE id = @id{d.ForUpdate()}"),
            StoreUploads = d.Spell($"{select} WHERE partition = @p AND channel_database = @c AND job_id = @j ORDER BY id"),
            UploadsInStatus = d.Spell($"{select} WHERE partition = @p AND status = @st ORDER BY id"),
            TablesOf = d.Spell($"SELECT subjob, channel_table, hq_table, from_counter, to_counter, row_count FROM {p}upload_session_tables " +
                "WHERE session_id = @s ORDER BY subjob"),
            AcknowledgedCounters = d.Spell($"SELECT subjob, counter FROM {p}upload_counters WHERE partition = @p AND channel_database = @c AND job_id = @j"),
            ExpiredUploads = d.Spell($"SELECT {d.Top("@batch")}{UploadSessionRecord.Columns} FROM {p}upload_sessions " +
                $"WHERE created_at < @cutoff AND status IN (@a, @x, @u) ORDER BY id{d.Limit("@batch")}"),
            DeleteUpload = d.Spell($"DELETE FROM {p}upload_session_tables WHERE session_id = @id; DELETE FROM {p}upload_sessions WHERE id = @id"),
        };
    }
}
