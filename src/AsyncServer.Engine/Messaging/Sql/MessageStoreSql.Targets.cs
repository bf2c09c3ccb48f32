using System.Text;

namespace AsyncServer.Messaging.Sql;

/// <summary>The channel targets' texts: what a store has pending, target changes, joined channel databases.</summary>
public abstract partial class MessageStoreSql
{
    /// <summary>
    /// Sessions with a target at @db in one of @st0.. (the pending statuses), in session order, each row followed by that target's
    /// <see cref="PendingTargetColumns"/>: one statement per poll of a store, not one for the sessions and one for their targets.
    /// </summary>
    public string PendingSessions(int statuses) => Spell(
        $"SELECT {SessionRecordReader.Columns}, {PendingTargetColumns} FROM {Sessions} s " +
        $"JOIN {Targets} x ON x.session_id = s.id AND x.channel_database = @db WHERE x.status {In("st", statuses)} ORDER BY s.id");

    /// <summary>The target columns <see cref="PendingSessions"/> appends (alias x), in the order TargetsOf reads them.</summary>
    public const string PendingTargetColumns = "x.session_id, x.channel_database, x.status, x.tries, x.updated_at, x.message";

    /// <summary>The targets a <see cref="TargetSelection"/> selects, locked until the transaction ends.</summary>
    public string SelectTargets(TargetSelection s) => Spell(
        $"SELECT t.session_id, t.channel_database FROM {Targets} t{LockHint} JOIN {Sessions} s ON s.id = t.session_id " +
        $"WHERE {TargetFilter(s)} ORDER BY t.session_id, t.channel_database{ForUpdate("t")}");

    /// <summary>The condition of a target selection on targets t of sessions s.</summary>
    protected string TargetFilter(TargetSelection s)
    {
        var sql = new StringBuilder($"t.status {In("from", s.FromStatuses)}");
        if (s.ChannelDatabase) sql.Append(" AND t.channel_database = @db");
        if (s.SessionId) sql.Append(" AND t.session_id = @id");
        if (s.AfterSessionId) sql.Append(" AND t.session_id > @after");
        if (s.BeforeSessionId) sql.Append(" AND t.session_id < @before");
        if (s.JobId) sql.Append(" AND s.job_id = @job");
        if (s.DataGroup) sql.Append(" AND s.data_group = @group");
        return sql.ToString();
    }

    /// <summary>
    /// One statement that changes the selected targets and writes a status message each, returning how many changed
    /// (the parameters of <see cref="SelectTargets"/>, and @to, @m, @now); null where the store runs
    /// <see cref="SelectTargets"/>, then <see cref="UpdateTarget"/> and <see cref="InsertStatusMessage"/> per target.
    /// </summary>
    public virtual string? ChangeTargets(TargetSelection selection, TriesChange tries) => null;

    /// <summary>The new tries of a target (alias <paramref name="alias"/>, or none).</summary>
    protected static string NewTries(TriesChange tries, string alias = "") => tries switch
    {
        TriesChange.Increment => $"{alias}tries + 1",
        TriesChange.Reset => "0",
        _ => $"{alias}tries",
    };

    /// <summary>Parameters @to, @now, @m, @s, @c.</summary>
    public string UpdateTarget(TriesChange tries) => Spell(
        $"UPDATE {Targets} SET status = @to, tries = {NewTries(tries)}, updated_at = @now, message = @m WHERE session_id = @s AND channel_database = @c");

    /// <summary>Parameters @p, @g, @j.</summary>
    public string JoinedChannelDatabases =>
        Spell($"SELECT channel_database FROM {Prefix}channel_database_jobs WHERE partition = @p AND data_group = @g AND job_id = @j");

    /// <summary>Channel databases that still have a target in one of @st0.. (the pending statuses).</summary>
    public string ChannelDatabasesWithPendingTargets(int statuses) =>
        Spell($"SELECT DISTINCT channel_database FROM {Targets} WHERE status {In("st", statuses)} ORDER BY channel_database");

    /// <summary>Parameter @c: the channel database leaves every (data group, job) it joined.</summary>
    public string ForgetChannelDatabase => Spell($"DELETE FROM {Prefix}channel_database_jobs WHERE channel_database = @c");

    /// <summary>
    /// Adds the Available targets of a session at <paramref name="channelDatabases"/>, one status message each, and joins
    /// them to the session's (data group, job). A fan-out registers thousands: the default reuses three commands.
    /// </summary>
    public virtual async Task InsertTargetsAsync(SqlWork work, long sessionId, IReadOnlyList<string> channelDatabases, DateTimeOffset now)
    {
        if (channelDatabases.Count == 0) return;
        var available = SessionStatus.Available.ToString();
        await using var target = work.Command(InsertTarget);
        await using var status = work.Command(InsertStatusMessage);
        await using var joined = work.Command(JoinChannelDatabase);
        foreach (var db in channelDatabases)
        {
            await work.RunAsync(target, ("@s", sessionId), ("@c", db), ("@st", available), ("@now", now)).ConfigureAwait(false);
            await work.RunAsync(status, ("@s", sessionId), ("@c", db), ("@st", available), ("@m", null), ("@now", now)).ConfigureAwait(false);
            await work.RunAsync(joined, ("@s", sessionId), ("@c", db), ("@now", now)).ConfigureAwait(false);
        }
    }
}
