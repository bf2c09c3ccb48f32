using AsyncServer.Data;
using System.Text.Json.Serialization;

namespace AsyncServer.Configuration;

/// <summary>
/// The whole configuration document (one JSON file). Property names are the JSON names in camelCase;
/// docs/configuration.md describes each one. Paths in it are relative to the file's folder.
/// </summary>
public sealed class AsyncServerConfiguration
{
    public string Partition { get; set; } = "default";
    public ConnectionSettings? Hq { get; set; }
    public ConnectionSettings? MessageDatabase { get; set; }
    public WorkingFolderSettings? WorkingFolders { get; set; }
    public PackageLimitSettings PackageLimits { get; set; } = new();
    /// <summary>How often a failed stage is tried before its session is given up; 0 means unlimited.</summary>
    public int TryCount { get; set; } = 3;
    /// <summary>Days to keep sessions, status messages and package files.</summary>
    public int RetentionDays { get; set; } = 14;
    /// <summary>
    /// How long an instance's claim on a (data group, job) lasts without renewal. A crashed instance's work
    /// is taken over by another instance after this; running instances renew every third of it.
    /// </summary>
    public int LeaseSeconds { get; set; } = 300;
    public List<DataGroupSettings> DataGroups { get; set; } = [];
    public List<SubjobSettings> Subjobs { get; set; } = [];
    public List<JobSettings> Jobs { get; set; } = [];
    public List<ScheduleSettings> Schedules { get; set; } = [];
    /// <summary>When a store counts as Silent (Get-AsyncChannelHealth, the service's alerts and status page).</summary>
    public HealthSettings Health { get; set; } = new();
    /// <summary>What stores send back to HQ (P-jobs): channel table to HQ table, with a replication counter. docs/upload.md.</summary>
    public List<UploadSubjobSettings> UploadSubjobs { get; set; } = [];
    public List<UploadJobSettings> UploadJobs { get; set; } = [];

    /// <summary>The file this configuration was read from, if any.</summary>
    [JsonIgnore] public string? SourcePath { get; set; }

    /// <summary>The folder relative paths are resolved against.</summary>
    [JsonIgnore] public string BaseDirectory { get; set; } = Directory.GetCurrentDirectory();

    public JobSettings? FindJob(string id) => Jobs.FirstOrDefault(j => string.Equals(j.Id, id, StringComparison.OrdinalIgnoreCase));
    public SubjobSettings? FindSubjob(string id) => Subjobs.FirstOrDefault(s => string.Equals(s.Id, id, StringComparison.OrdinalIgnoreCase));
    public DataGroupSettings? FindDataGroup(string id) => DataGroups.FirstOrDefault(g => string.Equals(g.Id, id, StringComparison.OrdinalIgnoreCase));
    public UploadJobSettings? FindUploadJob(string id) => UploadJobs.FirstOrDefault(j => string.Equals(j.Id, id, StringComparison.OrdinalIgnoreCase));
    public UploadSubjobSettings? FindUploadSubjob(string id)
        => UploadSubjobs.FirstOrDefault(s => string.Equals(s.Id, id, StringComparison.OrdinalIgnoreCase));
    public ScheduleSettings? FindSchedule(string name) => Schedules.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));

    public (DataGroupSettings Group, ChannelDatabaseSettings Database)? FindChannelDatabase(string id)
    {
        foreach (var group in DataGroups)
            foreach (var db in group.ChannelDatabases)
                if (string.Equals(db.Id, id, StringComparison.OrdinalIgnoreCase))
                    return (group, db);
        return null;
    }

    /// <summary>Resolves a path from the configuration against <see cref="BaseDirectory"/>.</summary>
    public string ResolvePath(string path) => Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(BaseDirectory, path));

    [JsonIgnore] public string DownloadFolder => ResolvePath(WorkingFolders?.Download ?? "download");
    [JsonIgnore] public string UploadFolder => ResolvePath(WorkingFolders?.Upload ?? "upload");
    /// <summary>Where <c>Start-AsyncDistribution -NoPublish</c> leaves packages for Publish-AsyncPackage.</summary>
    [JsonIgnore] public string StagingFolder => ResolvePath(WorkingFolders?.Staging ?? Path.Combine(WorkingFolders?.Download ?? "download", ".staging"));
}

public sealed class WorkingFolderSettings
{
    public string? Download { get; set; }
    public string? Upload { get; set; }
    public string? Staging { get; set; }
    /// <summary>
    /// Create a working folder whose parent does not exist either. Off by default, so a mistyped or unmounted
    /// share path fails instead of quietly collecting packages on a local disk.
    /// </summary>
    public bool CreateFolders { get; set; }
}

public sealed class PackageLimitSettings
{
    /// <summary>A package file is closed and a new one started once it holds this many rows.</summary>
    public long MaxRows { get; set; } = 500_000;
    /// <summary>... or once its compressed size reaches this many bytes.</summary>
    public long MaxBytes { get; set; } = 256L * 1024 * 1024;
}

public sealed class DataGroupSettings
{
    public string Id { get; set; } = "";
    public string? Name { get; set; }
    public List<ChannelDatabaseSettings> ChannelDatabases { get; set; } = [];
}

public sealed class ChannelDatabaseSettings
{
    public string Id { get; set; } = "";
    /// <summary>Values for the @parameters of subjob filters (for example DataAreaId).</summary>
    public Dictionary<string, string> Parameters { get; set; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>The channel database itself, used by the reference client (Receive-AsyncPackage).</summary>
    public ConnectionSettings? Connection { get; set; }
}

public sealed class SubjobSettings
{
    public string Id { get; set; } = "";
    public string HqTable { get; set; } = "";
    /// <summary>Defaults to the HQ table name.</summary>
    public string? ChannelTable { get; set; }
    /// <summary>HQ column to channel column, in package order. Empty means every HQ column under its own name.</summary>
    public Dictionary<string, string> Fields { get; set; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>Row filter, for example <c>DATAAREAID = @DataAreaId</c>. See docs/configuration.md.</summary>
    public string? Filter { get; set; }

    [JsonIgnore] public string EffectiveChannelTable => string.IsNullOrWhiteSpace(ChannelTable) ? HqTable : ChannelTable!;
}

public sealed class JobSettings
{
    public string Id { get; set; } = "";
    public string? Name { get; set; }
    public List<string> Subjobs { get; set; } = [];
}

public sealed class ScheduleSettings
{
    public string Name { get; set; } = "";
    public bool Active { get; set; } = true;
    /// <summary><c>Download</c> (jobs of $.jobs) or <c>Upload</c> (jobs of $.uploadJobs: applies what stores sent).</summary>
    public string Direction { get; set; } = "Download";

    [JsonIgnore] public bool IsUpload => string.Equals(Direction, "Upload", StringComparison.OrdinalIgnoreCase);
    public List<string> Jobs { get; set; } = [];
    public List<string> DataGroups { get; set; } = [];
    public RecurrenceSettings? Recurrence { get; set; }
}

public sealed class RecurrenceSettings
{
    /// <summary>A fixed interval such as <c>00:15:00</c>.</summary>
    public string? Interval { get; set; }
    /// <summary>A cron expression (five fields, or six with seconds).</summary>
    public string? Cron { get; set; }
    /// <summary>IANA or Windows time zone for <see cref="Cron"/>; UTC when empty.</summary>
    public string? TimeZone { get; set; }
}
