using System.Data.Common;
using System.Globalization;

namespace AsyncServer.Messaging;

/// <summary>Upload session statuses, named as in AX/Commerce (docs/upload.md has the state machine).</summary>
public enum UploadStatus
{
    /// <summary>The store is reading its rows and writing the package.</summary>
    Started,
    /// <summary>The package is in the upload folder, waiting for HQ to apply it (or held behind a gap).</summary>
    Uploaded,
    Applied,
    UploadFailed,
    ApplyFailed,
    Canceled,
}

/// <summary>One table of an upload session: the counter range (from, to] it carries and how many rows.</summary>
public sealed record UploadTableRange(string Subjob, string ChannelTable, string HqTable, long FromCounter, long ToCounter, long RowCount);

/// <summary>What a store's upload run records when it starts.</summary>
public sealed record UploadDraft(string Partition, string JobId, string DataGroup, string ChannelDatabase, string InstanceId,
    IReadOnlyList<UploadTableRange> Tables);

/// <summary>An upload_sessions row with its tables.</summary>
public sealed record UploadSessionRecord
{
    /// <summary>Upload session ids start here, so a session id names one session in either direction (status messages, HQ status tables, -Id).</summary>
    public const long FirstId = 1_000_000_000_001;

    public long Id { get; init; }
    public string Partition { get; init; } = "";
    public string JobId { get; init; } = "";
    public string DataGroup { get; init; } = "";
    public string ChannelDatabase { get; init; } = "";
    public UploadStatus Status { get; init; }
    public int Tries { get; init; }
    public long RowCount { get; init; }
    public string? PackageFile { get; init; }
    public long? PackageSize { get; init; }
    public string? PackageSha256 { get; init; }
    public string InstanceId { get; init; } = "";
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public string? Message { get; init; }
    public IReadOnlyList<UploadTableRange> Tables { get; init; } = [];

    /// <summary>The columns every upload query selects, in <see cref="Read"/>'s order.</summary>
    public const string Columns = "id, partition, job_id, data_group, channel_database, status, tries, row_count, package_file, package_size, " +
        "package_sha256, instance_id, created_at, updated_at, finished_at, message";

    internal static UploadSessionRecord Read(DbDataReader r, Func<DbDataReader, int, DateTimeOffset> timeAt) => new()
    {
        Id = r.GetInt64(0),
        Partition = r.GetString(1),
        JobId = r.GetString(2),
        DataGroup = r.GetString(3),
        ChannelDatabase = r.GetString(4),
        Status = Enum.Parse<UploadStatus>(r.GetString(5)),
        Tries = Convert.ToInt32(r.GetValue(6), CultureInfo.InvariantCulture),
        RowCount = r.GetInt64(7),
        PackageFile = r.IsDBNull(8) ? null : r.GetString(8),
        PackageSize = r.IsDBNull(9) ? null : r.GetInt64(9),
        PackageSha256 = r.IsDBNull(10) ? null : r.GetString(10),
        InstanceId = r.GetString(11),
        CreatedAt = timeAt(r, 12),
        UpdatedAt = timeAt(r, 13),
        FinishedAt = r.IsDBNull(14) ? null : timeAt(r, 14),
        Message = r.IsDBNull(15) ? null : r.GetString(15),
    };

    internal static UploadTableRange ReadTable(DbDataReader r) => new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.GetInt64(4),
        r.GetInt64(5));
}

/// <summary>Which upload sessions a query returns; null means any.</summary>
public sealed record UploadQuery(long? Id = null, string? ChannelDatabase = null, string? JobId = null, UploadStatus? Status = null, int Limit = 1000);

/// <summary>
/// Upload sessions in the message database (schema 4): what stores sent, and what HQ applied. Every change of status
/// writes a status message (direction Upload) in the same transaction.
/// </summary>
public interface IUploadLedger
{
    /// <summary>Records a new session, Started, with its tables; returns its id.</summary>
    Task<long> StartUploadAsync(UploadDraft draft, CancellationToken cancellationToken);

    /// <summary>Started -> Uploaded with the package's file name, size and SHA-256; false when the session is no longer Started.</summary>
    Task<bool> MarkUploadedAsync(long id, string packageFile, long size, string sha256, long rows, CancellationToken cancellationToken);

    /// <summary>Moves a session from one of <paramref name="from"/> to <paramref name="to"/>; false when it was in none of them.</summary>
    Task<bool> ChangeUploadAsync(long id, IReadOnlyList<UploadStatus> from, UploadStatus to, string? message, TriesChange tries,
        CancellationToken cancellationToken);

    /// <summary>Uploaded/ApplyFailed -> Applied; the store's acknowledged counter of each table advances (never back).</summary>
    Task<bool> MarkAppliedAsync(long id, string? message, CancellationToken cancellationToken);

    /// <summary>Newest first, at most <see cref="UploadQuery.Limit"/>, with their tables.</summary>
    Task<IReadOnlyList<UploadSessionRecord>> QueryUploadsAsync(UploadQuery query, CancellationToken cancellationToken);

    /// <summary>A store's sessions of one job, oldest first (the store's send cursor).</summary>
    Task<IReadOnlyList<UploadSessionRecord>> StoreUploadsAsync(string partition, string channelDatabase, string jobId, CancellationToken cancellationToken);

    /// <summary>The counters HQ acknowledged from a store for a job, by subjob.</summary>
    Task<IReadOnlyDictionary<string, long>> AcknowledgedCountersAsync(string partition, string channelDatabase, string jobId,
        CancellationToken cancellationToken);

    /// <summary>Sessions of a status (Uploaded: waiting to be applied), oldest first, with their tables.</summary>
    Task<IReadOnlyList<UploadSessionRecord>> UploadsInStatusAsync(string partition, UploadStatus status, CancellationToken cancellationToken);

    /// <summary>Deletes at most <paramref name="batch"/> finished sessions created before <paramref name="cutoff"/>; returns them.</summary>
    Task<IReadOnlyList<UploadSessionRecord>> PurgeUploadsAsync(DateTimeOffset cutoff, int batch, CancellationToken cancellationToken);
}

