using AsyncServer.Data;

namespace AsyncServer.Configuration;

/// <summary>
/// An upload subjob checked against the HQ catalog: the HQ table, its columns in package order with the channel column
/// each is read from, the HQ key the rows are upserted by, and the channel's counter column (which is one of the
/// channel columns). Only names the HQ catalog spells reach SQL text at HQ.
/// </summary>
public sealed record ResolvedUploadSubjob(
    UploadSubjobSettings Settings, TableSchema HqTable, IReadOnlyList<ColumnSchema> HqColumns, IReadOnlyList<string> ChannelColumns,
    IReadOnlyList<ColumnSchema> Keys, string CounterChannelColumn)
{
    public string Id => Settings.Id;

    /// <summary>The index of the counter column in package order.</summary>
    public int CounterIndex => ChannelColumns.ToList().FindIndex(c => string.Equals(c, CounterChannelColumn, StringComparison.OrdinalIgnoreCase));
}
