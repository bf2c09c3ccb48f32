using System.Text.Json.Serialization;

namespace AsyncServer.Configuration;

/// <summary>
/// One table a store sends back to HQ (a P-job's subjob): rows of <see cref="ChannelTable"/> whose replication counter
/// is above what HQ has acknowledged from that store go into <see cref="HqTable"/>, upserted by <see cref="KeyColumns"/>.
/// </summary>
public sealed class UploadSubjobSettings
{
    public const string DefaultCounterColumn = "REPLICATIONCOUNTERFROMORIGIN";

    public string Id { get; set; } = "";
    public string ChannelTable { get; set; } = "";
    /// <summary>Defaults to the channel table's name.</summary>
    public string? HqTable { get; set; }
    /// <summary>HQ column to channel column, in package order. Empty means every channel column under its own name.</summary>
    public Dictionary<string, string> Fields { get; set; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>HQ key columns the rows are upserted by; empty means the HQ table's primary key.</summary>
    public List<string> KeyColumns { get; set; } = [];
    /// <summary>The channel table's counter column (an identity): increasing, assigned when the store writes the row.</summary>
    public string? CounterColumn { get; set; }

    [JsonIgnore] public string EffectiveHqTable => string.IsNullOrWhiteSpace(HqTable) ? ChannelTable : HqTable!;
    [JsonIgnore] public string EffectiveCounterColumn => string.IsNullOrWhiteSpace(CounterColumn) ? DefaultCounterColumn : CounterColumn!;
}

/// <summary>An upload job (the original's P-job, P-0001 being the sales transactions): the tables one package carries.</summary>
public sealed class UploadJobSettings
{
    public string Id { get; set; } = "";
    public string? Name { get; set; }
    public List<string> Subjobs { get; set; } = [];
}
