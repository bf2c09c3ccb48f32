namespace AsyncServer.Messaging.Sql;

/// <summary>
/// Every SQL text of the message store, written once, as pure functions of their shape that tests read and parse
/// without a database. A provider's subclass (SqliteMessageStoreSql, PostgresMessageStoreSql, SqlServerMessageStoreSql)
/// brings only how its dialect spells what differs: the schema prefix, the column types, the limit, the row locks, the
/// server clock, list binding, and a handful of its own texts (upserts, the lease claim); SQL Server's pass in
/// <see cref="Spell"/> brackets every identifier. No value is ever part of a text, not even a status name: all are
/// parameters, named in each summary and bound by <see cref="SqlMessageStore"/> the same way for every provider. Lease
/// times are the database server's clock, never an instance's (issue 12, point 9). Adding a message table means one
/// migration and one text per operation here, whatever the provider. The partial files hold one role each.
/// </summary>
public abstract partial class MessageStoreSql
{
    // ---- how a dialect spells what differs ------------------------------------------------------------------------

    /// <summary>What goes before every table name: "", "asyncserver." or "dbo.".</summary>
    protected internal abstract string Prefix { get; }

    /// <summary>The column types of the DDL, and the boolean literals.</summary>
    protected abstract ColumnTypes Types { get; }

    /// <summary>The database server's now, as the lease columns store it.</summary>
    protected abstract string ServerNow { get; }

    /// <summary>The server's now + @ttl.</summary>
    protected abstract string ServerExpiry { get; }

    /// <summary>A list condition on a column: <c>IN (@p0, @p1, ...)</c>, or <c>= ANY(@p)</c> where lists bind as one array.</summary>
    protected internal virtual string In(string prefix, int count)
        => $"IN ({string.Join(", ", Enumerable.Range(0, count).Select(i => $"@{prefix}{i}"))})";

    /// <summary>A limit of <paramref name="rows"/> before the select list (SQL Server's TOP), or "".</summary>
    protected internal virtual string Top(string rows) => "";

    /// <summary>A limit of <paramref name="rows"/> after ORDER BY, or "".</summary>
    protected internal virtual string Limit(string rows) => $" LIMIT {rows}";

    /// <summary>The table hint, after a table and its alias, that locks the rows a select reads until commit, or "".</summary>
    protected internal virtual string LockHint => "";

    /// <summary>The clause, at the end of a select, that locks the rows it reads (of <paramref name="alias"/>) until commit, or "".</summary>
    protected internal virtual string ForUpdate(string? alias = null) => "";

    /// <summary>Before VALUES in an insert, what returns the new id (SQL Server's OUTPUT), or "".</summary>
    protected virtual string OutputId => "";

    /// <summary>After an insert, what returns the new id (RETURNING id), or "".</summary>
    protected virtual string ReturningId => " RETURNING id";

    /// <summary>The dialect's last pass over every text (SQL Server: brackets identifiers, ends the statement).</summary>
    protected internal virtual string Spell(string sql) => sql;

    // ---- schema ---------------------------------------------------------------------------------------------------

    /// <summary>The schema version table's name, as the value of @table for <see cref="TableExists"/>.</summary>
    public string SchemaInfoTable => Prefix + "schema_info";

    /// <summary>Parameter @table. Non-zero when the table exists.</summary>
    public abstract string TableExists { get; }

    public string ReadSchemaVersion => Spell($"SELECT version FROM {Prefix}schema_info WHERE id = 1");

    /// <summary>Parameters @version, @now. Runs under the schema lock.</summary>
    public abstract string WriteSchemaVersion { get; }

    private UploadStoreSql? _uploads;

    /// <summary>The upload ledger's texts (schema 4).</summary>
    public UploadStoreSql Uploads => _uploads ??= UploadStoreSql.Create(this);

    /// <summary>The dialect's own upload insert (<see cref="UploadStoreSql.InsertUpload"/>): how it numbers upload sessions.</summary>
    protected internal abstract string InsertUpload { get; }

    /// <summary>The dialect's own counter upsert (<see cref="UploadStoreSql.UpsertCounter"/>).</summary>
    protected internal abstract string UpsertCounter { get; }

    // ---- leases (the database server's clock) ---------------------------------------------------------------------

    /// <summary>
    /// Parameters @r, @o, @ttl. Takes the lease when it is free, expired or already @o's (until the server's now + @ttl),
    /// then returns the lease row as it stands: owner, expires_at. The claim succeeded when the owner is @o.
    /// </summary>
    public abstract string ClaimLease { get; }

    /// <summary>Parameters @r, @o, @ttl. Extends @o's lease to the server's now + @ttl.</summary>
    public string RenewLease => Spell($"UPDATE {Prefix}leases SET expires_at = {ServerExpiry} WHERE resource = @r AND owner = @o");

    /// <summary>Parameters @r, @o.</summary>
    public string ReleaseLease => Spell($"DELETE FROM {Prefix}leases WHERE resource = @r AND owner = @o");

    /// <summary>The live holder of lease @r by the server's clock, read under lock for fencing.</summary>
    public string LiveLeaseOwner =>
        Spell($"SELECT owner FROM {Prefix}leases{LockHint} WHERE resource = @r AND expires_at >= {ServerNow}{ForUpdate()}");

    /// <summary>Most ids bound in one statement (SQL Server allows 2100 parameters).</summary>
    public const int TargetBatch = 500;
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
