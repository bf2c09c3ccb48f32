using System.Text.Json;
using System.Text.Json.Serialization;

namespace AsyncServer.Packaging;

/// <summary>
/// manifest.json, the last entry of every package. docs/package-format.md is its specification;
/// bump <see cref="CurrentFormatVersion"/> for any change a reader of the previous version would misread.
/// </summary>
public sealed class PackageManifest
{
    public const int CurrentFormatVersion = 1;
    public const string EntryName = "manifest.json";

    public int FormatVersion { get; set; } = CurrentFormatVersion;
    /// <summary>Null (download, HQ to stores) or <c>Upload</c> (a store's rows for HQ; docs/upload.md).</summary>
    public string? Direction { get; set; }
    public long SessionId { get; set; }
    public string Partition { get; set; } = "";
    public string JobId { get; set; } = "";
    public string DataGroup { get; set; } = "";
    /// <summary>Incremental or Full.</summary>
    public string Kind { get; set; } = "Incremental";
    public bool DeleteExisting { get; set; }
    /// <summary>Channel tables to empty before applying (every table of the job, on part 1 of a full sync with delete-existing).</summary>
    public List<string> DeleteExistingTables { get; set; } = [];
    /// <summary>
    /// The channel databases a targeted full sync is for; empty when the package is for every channel database
    /// of the data group. A client refuses a package that names other channel databases only.
    /// </summary>
    public List<string> ChannelDatabases { get; set; } = [];
    public long? FromVersion { get; set; }
    public long ToVersion { get; set; }
    public int Part { get; set; } = 1;
    public string InstanceId { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public List<PackageTable> Tables { get; set; } = [];

    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };
}

public sealed class PackageTable
{
    public string Subjob { get; set; } = "";
    public string HqTable { get; set; } = "";
    public string ChannelTable { get; set; } = "";
    public List<PackageColumn> Columns { get; set; } = [];
    /// <summary>Channel names of the key columns, in key order.</summary>
    public List<string> KeyColumns { get; set; } = [];
    public long RowCount { get; set; }
    public long Upserts { get; set; }
    public long Deletes { get; set; }
    /// <summary>Zip entry holding the rows (JSON lines).</summary>
    public string DataFile { get; set; } = "";
    /// <summary>
    /// Size of the uncompressed data file in bytes. Readers stop at it (and at <see cref="PackageBounds"/>), so a
    /// crafted package cannot make them inflate without end. Absent in packages of older writers: the zip's own
    /// entry size is the bound then.
    /// </summary>
    public long? Bytes { get; set; }
    /// <summary>Upload: the channel's counter column (a column name of <see cref="Columns"/>) and the range (from, to] the rows carry.</summary>
    public string? CounterColumn { get; set; }
    public long? FromCounter { get; set; }
    public long? ToCounter { get; set; }
    /// <summary>Lower-case hex SHA-256 of the uncompressed data file.</summary>
    public string Sha256 { get; set; } = "";
}

public sealed class PackageColumn
{
    /// <summary>Channel column name.</summary>
    public string Name { get; set; } = "";
    /// <summary>HQ column it comes from.</summary>
    public string Source { get; set; } = "";
    public Data.LogicalType Type { get; set; }
    public bool Nullable { get; set; } = true;
    public bool Key { get; set; }
}
