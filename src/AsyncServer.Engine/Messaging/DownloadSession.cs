namespace AsyncServer.Messaging;

/// <summary>
/// A download session as administrators see it: one object per session and channel database, like the
/// AX download sessions form (sessions with no target yet, such as NoData or Started, appear once).
/// This is the object Get-AsyncSession and Start-AsyncDistribution write to the pipeline.
/// </summary>
public sealed class DownloadSession
{
    public long Id { get; init; }
    /// <summary>The job's id (named Job, like DataGroup and ChannelDatabase: every name property is the bare noun).</summary>
    public string Job { get; init; } = "";
    public string DataGroup { get; init; } = "";
    /// <summary>Empty while the session has no target (Started, NoData, CreateFailed, staged).</summary>
    public string ChannelDatabase { get; init; } = "";
    /// <summary>The status of this row: the session at this channel database, or the session itself while it has no target.</summary>
    public SessionStatus Status { get; init; }
    /// <summary>
    /// How creating the session's package went (Started, Available, CreateFailed, NoData, Canceled): the same on
    /// every row of the session, unlike <see cref="Status"/>, which is per channel database.
    /// </summary>
    public SessionStatus PackageStatus { get; init; }
    public long RowCount { get; init; }
    public SessionKind Kind { get; init; }
    public bool DeleteExisting { get; init; }
    public string? FullSyncReason { get; init; }
    public long? FromVersion { get; init; }
    public long ToVersion { get; init; }
    public int Part { get; init; }
    public string? PackagePath { get; init; }
    public long? PackageSize { get; init; }
    public string? PackageSha256 { get; init; }
    public bool Staged { get; init; }
    public int Tries { get; init; }
    public string Partition { get; init; } = "";
    public string InstanceId { get; init; } = "";
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }
    public TimeSpan? Duration => FinishedAt - CreatedAt;
    public string? Message { get; init; }

    public override string ToString() => $"Session {Id} ({Job}, {DataGroup}{(ChannelDatabase.Length > 0 ? ", " + ChannelDatabase : "")}): {Status}";

    /// <summary>Expands a record into one object per target (or one, if it has none).</summary>
    public static IEnumerable<DownloadSession> From(
        DownloadSessionRecord r, string downloadFolder, string stagingFolder, IReadOnlyCollection<string>? onlyChannelDatabases = null)
    {
        var path = r.PackageFile is null ? null : Path.Combine(r.Staged ? stagingFolder : downloadFolder, r.PackageFile);
        DownloadSession Make(SessionTargetRecord? t) => new()
        {
            Id = r.Id, Job = r.JobId, DataGroup = r.DataGroup, ChannelDatabase = t?.ChannelDatabase ?? "",
            Status = t?.Status ?? r.Status, PackageStatus = r.Status, RowCount = r.RowCount, Kind = r.Kind, DeleteExisting = r.DeleteExisting,
            FullSyncReason = r.FullSyncReason, FromVersion = r.FromVersion, ToVersion = r.ToVersion, Part = r.Part,
            PackagePath = path, PackageSize = r.PackageSize, PackageSha256 = r.PackageSha256, Staged = r.Staged,
            Tries = t?.Tries ?? 0, Partition = r.Partition, InstanceId = r.InstanceId, CreatedAt = r.CreatedAt, FinishedAt = r.FinishedAt,
            UpdatedAt = t?.UpdatedAt ?? r.FinishedAt, Message = t?.Message ?? r.Message,
        };
        var targets = onlyChannelDatabases is { Count: > 0 }
            ? r.Targets.Where(t => onlyChannelDatabases.Contains(t.ChannelDatabase, StringComparer.OrdinalIgnoreCase)).ToList()
            : r.Targets;
        if (targets.Count == 0) { yield return Make(null); yield break; }
        foreach (var t in targets) yield return Make(t);
    }
}
