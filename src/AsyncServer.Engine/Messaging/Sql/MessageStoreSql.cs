using System.Globalization;
using System.Text;
namespace AsyncServer.Messaging.Sql;

/// <summary>
/// Every SQL text of the message store, as pure functions of their shape: one subclass per provider
/// (SqliteMessageStoreSql, PostgresMessageStoreSql, SqlServerMessageStoreSql), which tests read and parse without a
/// database. No value is ever part of a text, not even a status name: all are parameters, named in each summary and
/// bound by <see cref="SqlMessageStore"/> the same way for every provider. Lease times are the database server's
/// clock, never an instance's (issue 12, point 9). Adding a message table means one migration here and one text per
/// operation in each subclass.
/// </summary>
public abstract class MessageStoreSql
{
    // ---- schema --------------------------------------------------------------------------------------------------

    /// <summary>Migration n brings the schema from version n-1 to n; each runs in the initializing transaction.</summary>
    public abstract IReadOnlyList<string> Migrations { get; }

    /// <summary>The schema version table's name, as the value of @table for <see cref="TableExists"/>.</summary>
    public abstract string SchemaInfoTable { get; }

    /// <summary>Parameter @table. Non-zero when the table exists.</summary>
    public abstract string TableExists { get; }

    public abstract string ReadSchemaVersion { get; }

    /// <summary>Parameters @version, @now. Runs under the schema lock.</summary>
    public abstract string WriteSchemaVersion { get; }

    /// <summary>The upload ledger's texts (schema 4).</summary>
    public abstract UploadStoreSql Uploads { get; }

    // ---- leases (the database server's clock) ---------------------------------------------------------------------

    /// <summary>
    /// Parameters @r, @o, @ttl. Takes the lease when it is free, expired or already @o's (until the server's now + @ttl),
    /// then returns the lease row as it stands: owner, expires_at. The claim succeeded when the owner is @o.
    /// </summary>
    public abstract string ClaimLease { get; }

    /// <summary>Parameters @r, @o, @ttl. Extends @o's lease to the server's now + @ttl.</summary>
    public abstract string RenewLease { get; }

    /// <summary>Parameters @r, @o.</summary>
    public abstract string ReleaseLease { get; }

    /// <summary>The live holder of lease @r by the server's clock, read under lock for fencing.</summary>
    public abstract string LiveLeaseOwner { get; }

    // ---- the session ledger ---------------------------------------------------------------------------------------

    /// <summary>Parameters @p, @g, @j.</summary>
    public abstract string GetRowVersion { get; }

    /// <summary>Same as <see cref="GetRowVersion"/>, keeping the row (or the gap where it would be) locked until commit.</summary>
    public abstract string GetRowVersionLocked { get; }

    /// <summary>Runs after <see cref="GetRowVersionLocked"/> in the same transaction. Parameters @p, @g, @j, @v, @s, @now.</summary>
    public abstract string WriteRowVersion { get; }

    /// <summary>Returns the new id. Parameters @p, @j, @g, @k, @d, @why, @from, @to, @part, @status, @req, @inst, @now, @fin, @msg.</summary>
    public abstract string InsertSession { get; }

    /// <summary>Parameters @s, @c, @st, @m, @now.</summary>
    public abstract string InsertStatusMessage { get; }

    /// <summary>Only a session still being created (@started, not staged) is recorded: an operator may have canceled it meanwhile.
    /// Parameters @st, @rows, @file, @size, @sha, @staged, @now, @msg, @id, @started.</summary>
    public abstract string RecordPackage { get; }

    /// <summary>Parameters @s, @c, @st, @now.</summary>
    public abstract string InsertTarget { get; }

    /// <summary>Parameters @s (session), @c (channel database), @now. The channel database joins the session's (data group, job) unless it has.</summary>
    public abstract string JoinChannelDatabase { get; }

    /// <summary>Parameters @st (new status), @now, @m, @id, @started.</summary>
    public abstract string FailSession { get; }

    /// <summary>Parameters @file, @now, @id, @available, @started.</summary>
    public abstract string PublishStaged { get; }

    /// <summary>Parameters @p, @g, @j, @started.</summary>
    public abstract string UnfinishedSessions { get; }

    /// <summary>
    /// The session query for a shape. Parameters: @id0.., @job0.., @grp0.., @st0.., @cdb0.. (one array each on PostgreSQL),
    /// @noData, @after, @before, @afterId (the last id of the previous page), @limit.
    /// </summary>
    public virtual string QuerySessions(SessionQueryShape shape)
    {
        var sql = new StringBuilder("SELECT ").Append(shape.Limit ? Top : "").Append(SessionColumns)
            .Append(CultureInfo.InvariantCulture, $" FROM {From("download_sessions", "s")} WHERE 1 = 1");
        string Targets(string condition) =>
            $"EXISTS (SELECT 1 FROM {From("session_targets", "x")} WHERE {C("x", "session_id")} = {C("s", "id")} AND {condition})";
        if (shape.Ids > 0) sql.Append(CultureInfo.InvariantCulture, $" AND {C("s", "id")} {In("id", shape.Ids)}");
        if (shape.JobIds > 0) sql.Append(CultureInfo.InvariantCulture, $" AND {C("s", "job_id")} {In("job", shape.JobIds)}");
        if (shape.DataGroups > 0) sql.Append(CultureInfo.InvariantCulture, $" AND {C("s", "data_group")} {In("grp", shape.DataGroups)}");
        if (shape.Statuses > 0)
            sql.Append(CultureInfo.InvariantCulture,
                $" AND ({C("s", "status")} {In("st", shape.Statuses)} OR {Targets($"{C("x", "status")} {In("st", shape.Statuses)}")})");
        else if (shape.HideNoData)
            sql.Append(CultureInfo.InvariantCulture, $" AND {C("s", "status")} <> @noData");
        if (shape.ChannelDatabases > 0)
            sql.Append(CultureInfo.InvariantCulture, $" AND {Targets($"{C("x", "channel_database")} {In("cdb", shape.ChannelDatabases)}")}");
        if (shape.CreatedAfter) sql.Append(CultureInfo.InvariantCulture, $" AND {C("s", "created_at")} >= @after");
        if (shape.CreatedBefore) sql.Append(CultureInfo.InvariantCulture, $" AND {C("s", "created_at")} < @before");
        if (shape.AfterId) sql.Append(CultureInfo.InvariantCulture, $" AND {C("s", "id")} {(shape.NewestFirst ? "<" : ">")} @afterId");
        sql.Append(CultureInfo.InvariantCulture, $" ORDER BY {C("s", "id")}{(shape.NewestFirst ? " DESC" : "")}");
        return sql.Append(shape.Limit ? Limit : "").Append(End).ToString();
    }

    /// <summary>Most ids bound in one statement (SQL Server allows 2100 parameters).</summary>
    public const int TargetBatch = 500;

    /// <summary>Targets of <paramref name="count"/> sessions, parameters @t0..; with <paramref name="onlyChannelDatabase"/> only those at @only.</summary>
    public abstract string TargetsOf(int count, bool onlyChannelDatabase);

    /// <summary>Parameters @rows, @file, @size, @sha, @staged, @id.</summary>
    public abstract string ReplacePackage { get; }

    /// <summary>Parameters @to, @m, @id, @now, @from0...</summary>
    public abstract string UpdateSessionStatus(int fromStatuses);

    // ---- channel targets ------------------------------------------------------------------------------------------

    /// <summary>
    /// Sessions with a target at @db in one of @st0.. (the pending statuses), in session order, each row followed by that target's
    /// <see cref="PendingTargetColumns"/>: one statement per poll of a store, not one for the sessions and one for their targets.
    /// </summary>
    public abstract string PendingSessions(int statuses);

    /// <summary>The target columns <see cref="PendingSessions"/> appends (alias x), in the order TargetsOf reads them.</summary>
    public const string PendingTargetColumns = "x.session_id, x.channel_database, x.status, x.tries, x.updated_at, x.message";

    /// <summary>The targets a <see cref="TargetUpdate"/> selects, locked until the transaction ends.</summary>
    public virtual string SelectTargets(TargetSelection s)
    {
        var sql = new StringBuilder($"SELECT {C("t", "session_id")}, {C("t", "channel_database")} FROM {From("session_targets", "t")}{LockHint} ")
            .Append(CultureInfo.InvariantCulture,
                $"INNER JOIN {From("download_sessions", "s")} ON {C("s", "id")} = {C("t", "session_id")} WHERE {TargetFilter(s)}");
        return sql.Append(CultureInfo.InvariantCulture, $" ORDER BY {C("t", "session_id")}, {C("t", "channel_database")}{ForUpdate("t")}{End}").ToString();
    }

    /// <summary>The condition of a target selection on targets t of sessions s.</summary>
    protected string TargetFilter(TargetSelection s)
    {
        var sql = new StringBuilder($"{C("t", "status")} {In("from", s.FromStatuses)}");
        if (s.ChannelDatabase) sql.Append(CultureInfo.InvariantCulture, $" AND {C("t", "channel_database")} = @db");
        if (s.SessionId) sql.Append(CultureInfo.InvariantCulture, $" AND {C("t", "session_id")} = @id");
        if (s.AfterSessionId) sql.Append(CultureInfo.InvariantCulture, $" AND {C("t", "session_id")} > @after");
        if (s.BeforeSessionId) sql.Append(CultureInfo.InvariantCulture, $" AND {C("t", "session_id")} < @before");
        if (s.JobId) sql.Append(CultureInfo.InvariantCulture, $" AND {C("s", "job_id")} = @job");
        if (s.DataGroup) sql.Append(CultureInfo.InvariantCulture, $" AND {C("s", "data_group")} = @group");
        return sql.ToString();
    }

    /// <summary>
    /// One statement that changes the selected targets and writes a status message each, returning how many changed
    /// (the parameters of <see cref="SelectTargets"/>, and @to, @m, @now); null where the store runs
    /// <see cref="SelectTargets"/>, then <see cref="UpdateTarget"/> and <see cref="InsertStatusMessage"/> per target.
    /// </summary>
    public virtual string? ChangeTargets(TargetSelection selection, TriesChange tries) => null;

    /// <summary>Parameters @to, @now, @m, @s, @c.</summary>
    public abstract string UpdateTarget(TriesChange tries);

    /// <summary>Parameters @p, @g, @j.</summary>
    public abstract string JoinedChannelDatabases { get; }

    /// <summary>Channel databases that still have a target in one of @st0.. (the pending statuses).</summary>
    public abstract string ChannelDatabasesWithPendingTargets(int statuses);

    /// <summary>Parameter @c: the channel database leaves every (data group, job) it joined.</summary>
    public abstract string ForgetChannelDatabase { get; }

    /// <summary>
    /// Every channel database's activity in one statement (<see cref="ChannelActivityColumns"/> in order): the targets
    /// aggregated per channel database, joined to the oldest pending session, the first failed target, the last applied
    /// target and the endpoint's last contact; plus the channel databases with a contact and no target. Parameters
    /// @available, @requested, @downloaded, @applied, @downloadFailed, @applyFailed, @suspended (the status names).
    /// </summary>
    public abstract string ChannelActivity { get; }

    /// <summary>The columns <see cref="ChannelActivity"/> returns, in order.</summary>
    public const string ChannelActivityColumns =
        "channel_database, pending, oldest_pending, oldest_pending_created_at, failed, suspended, blocking, blocking_status, blocking_message, " +
        "last_applied, last_applied_at, last_action_at, last_contact_at, client_version";

    // ---- status messages --------------------------------------------------------------------------------------------

    /// <summary>Parameter @limit.</summary>
    public abstract string UnmovedStatusMessages { get; }

    /// <summary>Parameters @now, @m0...</summary>
    public abstract string MarkMoved(int count);

    // ---- retention ------------------------------------------------------------------------------------------------

    /// <summary>
    /// At most @batch sessions created before @cutoff, not @started, with no target in a pending status @st0.., oldest
    /// first; locked until the purge batch commits.
    /// </summary>
    public abstract string ExpiredSessions(int pendingStatuses);

    /// <summary>Parameter @cutoff.</summary>
    public abstract string CountMovedMessages { get; }

    /// <summary>At most @batch moved messages created before @cutoff.</summary>
    public abstract string DeleteMovedMessages { get; }

    /// <summary>At most @batch messages never moved, created before @cutoff.</summary>
    public abstract string DeleteUnmovedMessages { get; }

    /// <summary>Removes sessions @i0.. with their targets; the row versions that named them keep their version.</summary>
    public abstract string DeleteSessions(int count);

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

    // ---- how the built queries are spelled ------------------------------------------------------------------------

    /// <summary>A column of a table alias, quoted the provider's way.</summary>
    protected abstract string C(string alias, string column);

    /// <summary>A message table with an alias.</summary>
    protected abstract string From(string table, string alias);

    /// <summary>The download_sessions columns of alias s, <see cref="SessionRecordReader.Columns"/> spelled the provider's way.</summary>
    protected string SessionColumns => string.Join(", ", SessionRecordReader.Columns.Split(", ").Select(c => C("s", c[2..])));

    /// <summary>A limit before the select list (SQL Server's TOP (@limit)), or "".</summary>
    protected virtual string Top => "";

    /// <summary>A limit after ORDER BY (LIMIT @limit), or "".</summary>
    protected virtual string Limit => " LIMIT @limit";

    /// <summary>The table hint that locks the rows a select reads until commit, or "".</summary>
    protected virtual string LockHint => "";

    /// <summary>The clause that locks the rows a select reads (of <paramref name="alias"/>) until commit, or "".</summary>
    protected virtual string ForUpdate(string? alias = null) => "";

    /// <summary>What ends a statement.</summary>
    protected virtual string End => "";

    /// <summary>A list condition on a column: <c>IN (@p0, @p1, ...)</c>, or <c>= ANY(@p)</c> where lists bind as one array.</summary>
    protected abstract string In(string prefix, int count);

    /// <summary>The <c>@p0, @p1, ...</c> list most providers bind.</summary>
    protected static string Names(string prefix, int count) => string.Join(", ", Enumerable.Range(0, count).Select(i => $"@{prefix}{i}"));
}

/// <summary>The shape of a session query: how many values each list filter has, and which optional filters are present.</summary>
public sealed record SessionQueryShape(int Ids, int JobIds, int DataGroups, int Statuses, int ChannelDatabases,
    bool HideNoData, bool CreatedAfter, bool CreatedBefore, bool Limit)
{
    /// <summary>Newest first (id descending).</summary>
    public bool NewestFirst { get; init; }

    /// <summary>Only ids after @afterId in the query's order: the next page.</summary>
    public bool AfterId { get; init; }
}

/// <summary>Which filters a target update has; parameters @from0.., @db, @id, @after, @before, @job, @group.</summary>
public sealed record TargetSelection(
    int FromStatuses, bool ChannelDatabase, bool SessionId, bool AfterSessionId, bool BeforeSessionId, bool JobId, bool DataGroup);
