namespace AsyncServer.Messaging;

/// <summary>One download session row of the message database.</summary>
public sealed record DownloadSessionRecord
{
    public long Id { get; init; }
    public string Partition { get; init; } = "";
    public string JobId { get; init; } = "";
    public string DataGroup { get; init; } = "";
    public SessionKind Kind { get; init; }
    public bool DeleteExisting { get; init; }
    public string? FullSyncReason { get; init; }
    public long? FromVersion { get; init; }
    public long ToVersion { get; init; }
    public int Part { get; init; } = 1;
    public SessionStatus Status { get; init; }
    public long RowCount { get; init; }
    /// <summary>File name of the package, relative to the download (or staging) folder.</summary>
    public string? PackageFile { get; init; }
    public long? PackageSize { get; init; }
    public string? PackageSha256 { get; init; }
    /// <summary>True while the package waits in the staging folder for Publish-AsyncPackage.</summary>
    public bool Staged { get; init; }
    public string InstanceId { get; init; } = "";
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public string? Message { get; init; }
    /// <summary>Channel databases this full sync was asked for; empty for the whole data group.</summary>
    public IReadOnlyList<string> RequestedChannelDatabases { get; init; } = [];
    public IReadOnlyList<SessionTargetRecord> Targets { get; init; } = [];
}

/// <summary>A session's progress at one channel database.</summary>
public sealed record SessionTargetRecord(long SessionId, string ChannelDatabase, SessionStatus Status, int Tries, DateTimeOffset UpdatedAt, string? Message);

/// <summary>What a run asks the store to create before it writes a package (status Started).</summary>
public sealed record NewSession(
    string Partition, string JobId, string DataGroup, SessionKind Kind, bool DeleteExisting, string? FullSyncReason,
    long? FromVersion, long ToVersion, int Part, string InstanceId, IReadOnlyList<string> RequestedChannelDatabases);

/// <summary>A package the run finished writing, to record with its session.</summary>
public sealed record CompletedPackage(long SessionId, long RowCount, string PackageFile, long PackageSize, string PackageSha256, bool Staged);

/// <summary>
/// Everything one (data group, job) run records in one message-database transaction: its packages become
/// Available (or stay staged), their targets are added, and the row version advances (architecture rule 1).
/// </summary>
public sealed record RunCompletion(
    string Partition, string DataGroup, string JobId,
    string LeaseResource, string Owner,
    long? ExpectedRowVersion, long? NewRowVersion,
    IReadOnlyList<CompletedPackage> Packages,
    NewSession? NoDataSession,
    IReadOnlyList<string> ChannelDatabases);

/// <summary>Filters for Get-AsyncSession; null members do not filter.</summary>
public sealed record SessionQuery
{
    public IReadOnlyList<long>? Ids { get; init; }
    public IReadOnlyList<SessionStatus>? Statuses { get; init; }
    public IReadOnlyList<string>? JobIds { get; init; }
    public IReadOnlyList<string>? DataGroups { get; init; }
    public IReadOnlyList<string>? ChannelDatabases { get; init; }
    public DateTimeOffset? CreatedAfter { get; init; }
    public DateTimeOffset? CreatedBefore { get; init; }
    public bool IncludeNoData { get; init; }
    public int? Limit { get; init; }
    /// <summary>Order by session id descending, so Limit takes the newest sessions (Get-AsyncSchedule's last run).</summary>
    public bool NewestFirst { get; init; }
}

/// <summary>The message database's state after Initialize-AsyncMessageDatabase.</summary>
public sealed record MessageDatabaseInfo(string Provider, string Database, int SchemaVersion, int PreviousSchemaVersion, bool Created);
