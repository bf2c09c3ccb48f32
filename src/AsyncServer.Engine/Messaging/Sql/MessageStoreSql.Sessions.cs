using System.Globalization;
using System.Text;

namespace AsyncServer.Messaging.Sql;

/// <summary>The session ledger's texts: row versions, sessions, their packages and targets.</summary>
public abstract partial class MessageStoreSql
{
    private string Sessions => Prefix + "download_sessions";
    private string Targets => Prefix + "session_targets";

    /// <summary>Parameters @p, @g, @j.</summary>
    public string GetRowVersion => Spell($"SELECT version FROM {Prefix}row_versions WHERE partition = @p AND data_group = @g AND job_id = @j");

    /// <summary>Same as <see cref="GetRowVersion"/>, keeping the row (or the gap where it would be) locked until commit.</summary>
    public string GetRowVersionLocked =>
        Spell($"SELECT version FROM {Prefix}row_versions{LockHint} WHERE partition = @p AND data_group = @g AND job_id = @j{ForUpdate()}");

    /// <summary>Runs after <see cref="GetRowVersionLocked"/> in the same transaction. Parameters @p, @g, @j, @v, @s, @now.</summary>
    public abstract string WriteRowVersion { get; }

    /// <summary>Returns the new id. Parameters @p, @j, @g, @k, @d, @why, @from, @to, @part, @status, @req, @inst, @now, @fin, @msg.</summary>
    public string InsertSession => Spell(
        $"INSERT INTO {Sessions} (partition, job_id, data_group, kind, delete_existing, full_sync_reason, from_version, to_version, part, status, " +
        $"row_count, staged, requested_channel_databases, instance_id, created_at, finished_at, message){OutputId} " +
        $"VALUES (@p, @j, @g, @k, @d, @why, @from, @to, @part, @status, 0, {Types.False}, @req, @inst, @now, @fin, @msg){ReturningId}");

    /// <summary>Parameters @s, @c, @st, @m, @now.</summary>
    public string InsertStatusMessage =>
        Spell($"INSERT INTO {Prefix}status_messages (session_id, channel_database, status, message, created_at) VALUES (@s, @c, @st, @m, @now)");

    /// <summary>Only a session still being created (@started, not staged) is recorded: an operator may have canceled it meanwhile.
    /// Parameters @st, @rows, @file, @size, @sha, @staged, @now, @msg, @id, @started.</summary>
    public string RecordPackage => Spell(
        $"UPDATE {Sessions} SET status = @st, row_count = @rows, package_file = @file, package_size = @size, package_sha256 = @sha, staged = @staged, " +
        $"finished_at = @now, message = @msg WHERE id = @id AND status = @started AND staged = {Types.False}");

    /// <summary>Parameters @s, @c, @st, @now.</summary>
    public string InsertTarget =>
        Spell($"INSERT INTO {Targets} (session_id, channel_database, status, tries, updated_at) VALUES (@s, @c, @st, 0, @now)");

    /// <summary>Parameters @s (session), @c (channel database), @now. The channel database joins the session's (data group, job) unless it has.</summary>
    public abstract string JoinChannelDatabase { get; }

    /// <summary>Parameters @st (new status), @now, @m, @id, @started.</summary>
    public string FailSession => Spell($"UPDATE {Sessions} SET status = @st, finished_at = @now, message = @m WHERE id = @id AND status = @started");

    /// <summary>Parameters @file, @now, @id, @available, @started.</summary>
    public string PublishStaged => Spell(
        $"UPDATE {Sessions} SET status = @available, staged = {Types.False}, package_file = @file, message = NULL, finished_at = @now " +
        $"WHERE id = @id AND status = @started AND staged = {Types.True}");

    /// <summary>Parameters @p, @g, @j, @started.</summary>
    public string UnfinishedSessions => Spell($"SELECT {SessionRecordReader.Columns} FROM {Sessions} s " +
        $"WHERE s.partition = @p AND s.data_group = @g AND s.job_id = @j AND s.status = @started AND s.staged = {Types.False} ORDER BY s.id");

    /// <summary>
    /// The session query for a shape. Parameters: @id0.., @job0.., @grp0.., @st0.., @cdb0.. (one array each on PostgreSQL),
    /// @noData, @after, @before, @afterId (the last id of the previous page), @limit.
    /// </summary>
    public string QuerySessions(SessionQueryShape shape)
    {
        var sql = new StringBuilder("SELECT ").Append(shape.Limit ? Top("@limit") : "")
            .Append(CultureInfo.InvariantCulture, $"{SessionRecordReader.Columns} FROM {Sessions} s WHERE 1 = 1");
        string AnyTarget(string condition) => $"EXISTS (SELECT 1 FROM {Targets} x WHERE x.session_id = s.id AND {condition})";
        if (shape.Ids > 0) sql.Append(CultureInfo.InvariantCulture, $" AND s.id {In("id", shape.Ids)}");
        if (shape.JobIds > 0) sql.Append(CultureInfo.InvariantCulture, $" AND s.job_id {In("job", shape.JobIds)}");
        if (shape.DataGroups > 0) sql.Append(CultureInfo.InvariantCulture, $" AND s.data_group {In("grp", shape.DataGroups)}");
        if (shape.Statuses > 0)
            sql.Append(CultureInfo.InvariantCulture, $" AND (s.status {In("st", shape.Statuses)} OR {AnyTarget($"x.status {In("st", shape.Statuses)}")})");
        else if (shape.HideNoData)
            sql.Append(" AND s.status <> @noData");
        if (shape.ChannelDatabases > 0)
            sql.Append(CultureInfo.InvariantCulture, $" AND {AnyTarget($"x.channel_database {In("cdb", shape.ChannelDatabases)}")}");
        if (shape.CreatedAfter) sql.Append(" AND s.created_at >= @after");
        if (shape.CreatedBefore) sql.Append(" AND s.created_at < @before");
        if (shape.AfterId) sql.Append(shape.NewestFirst ? " AND s.id < @afterId" : " AND s.id > @afterId");
        sql.Append(shape.NewestFirst ? " ORDER BY s.id DESC" : " ORDER BY s.id");
        return Spell(sql.Append(shape.Limit ? Limit("@limit") : "").ToString());
    }

    /// <summary>Targets of <paramref name="count"/> sessions, parameters @t0..; with <paramref name="onlyChannelDatabase"/> only those at @only.</summary>
    public string TargetsOf(int count, bool onlyChannelDatabase) => Spell(
        $"SELECT session_id, channel_database, status, tries, updated_at, message FROM {Targets} WHERE session_id {In("t", count)}" +
        (onlyChannelDatabase ? " AND channel_database = @only" : "") + " ORDER BY session_id, channel_database");

    /// <summary>Parameters @rows, @file, @size, @sha, @staged, @id.</summary>
    public string ReplacePackage => Spell(
        $"UPDATE {Sessions} SET row_count = @rows, package_file = @file, package_size = @size, package_sha256 = @sha, staged = @staged WHERE id = @id");

    /// <summary>Parameters @to, @m, @id, @now, @from0...</summary>
    public string UpdateSessionStatus(int fromStatuses) => Spell(
        $"UPDATE {Sessions} SET status = @to, message = @m, finished_at = COALESCE(finished_at, @now) WHERE id = @id AND status {In("from", fromStatuses)}");
}
