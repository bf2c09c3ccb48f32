using AsyncServer.Messaging;
using AsyncServer.Scheduling;

namespace AsyncServer.Upload;

/// <summary>
/// An upload session as administrators see it (Get-AsyncSession -Direction Upload, Send-AsyncPackage, Start-AsyncDistribution
/// for an upload schedule): one object per session, named like <see cref="Messaging.DownloadSession"/> so the same pipelines bind.
/// </summary>
public sealed class UploadSession
{
    /// <summary>Upload session ids start here, so a session id names one session in either direction.</summary>
    public const long FirstId = UploadSessionRecord.FirstId;

    public static bool IsUploadId(long id) => id >= FirstId;

    public long Id { get; init; }
    /// <summary>Always Upload (a download session's rows have no Direction); a settable property so PowerShell shows it.</summary>
    public string Direction { get; init; } = "Upload";
    public string Job { get; init; } = "";
    public string DataGroup { get; init; } = "";
    public string ChannelDatabase { get; init; } = "";
    public UploadStatus Status { get; init; }
    public long RowCount { get; init; }
    /// <summary>Each table's counter range, as "SUBJOB (from..to] rows".</summary>
    public PrintableList<string> Tables { get; init; } = new([]);
    public string? PackagePath { get; init; }
    public long? PackageSize { get; init; }
    public string? PackageSha256 { get; init; }
    public int Tries { get; init; }
    public string Partition { get; init; } = "";
    public string InstanceId { get; init; } = "";
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }
    public TimeSpan? Duration => FinishedAt - CreatedAt;
    public string? Message { get; init; }

    public override string ToString() => $"Upload session {Id} ({Job}, {ChannelDatabase}): {Status}";

    public static UploadSession From(UploadSessionRecord r, string uploadFolder) => new()
    {
        Id = r.Id, Job = r.JobId, DataGroup = r.DataGroup, ChannelDatabase = r.ChannelDatabase, Status = r.Status, RowCount = r.RowCount,
        Tables = new(r.Tables.Select(t => string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{t.Subjob} ({t.FromCounter}..{t.ToCounter}] {t.RowCount}")).ToList()),
        PackagePath = r.PackageFile is null ? null : Path.Combine(uploadFolder, r.PackageFile), PackageSize = r.PackageSize,
        PackageSha256 = r.PackageSha256, Tries = r.Tries, Partition = r.Partition, InstanceId = r.InstanceId, CreatedAt = r.CreatedAt,
        FinishedAt = r.FinishedAt, UpdatedAt = r.UpdatedAt, Message = r.Message,
    };
}
