using AsyncServer.Configuration;
using AsyncServer.Data;
using AsyncServer.Diagnostics;
using AsyncServer.Packaging;

namespace AsyncServer.Upload;

/// <summary>
/// An upload subjob as the store's channel catalog describes it: the channel table, the columns in package order (each
/// with the HQ column it goes to) and the counter. Only names the channel catalog spells reach SQL text at the store.
/// </summary>
public sealed record UploadChannelTable(UploadSubjobSettings Subjob, TableSchema Table, IReadOnlyList<(ColumnSchema Channel, string HqColumn)> Columns,
    ColumnSchema Counter)
{
    /// <summary>Checks a subjob against the channel table; a missing table or column is UploadFailed naming it.</summary>
    public static UploadChannelTable Resolve(UploadSubjobSettings subjob, TableSchema? table, string channelDatabase)
    {
        if (table is null)
            throw Failed($"channel table '{subjob.ChannelTable}' does not exist in channel database '{channelDatabase}'", subjob.Id);
        var map = subjob.Fields.Count > 0 ? subjob.Fields.Select(f => (Hq: f.Key, Channel: f.Value)).ToList()
            : table.Columns.Select(c => (Hq: c.Name, Channel: c.Name)).ToList();
        var columns = new List<(ColumnSchema, string)>();
        foreach (var (hq, channel) in map)
            columns.Add((table.Find(channel) ?? throw Failed(
                $"column '{channel}' of upload subjob '{subjob.Id}' does not exist in channel table '{table.Name}' of '{channelDatabase}'", subjob.Id), hq));
        var counter = columns.Select(c => c.Item1).FirstOrDefault(c => string.Equals(c.Name, subjob.EffectiveCounterColumn, StringComparison.OrdinalIgnoreCase))
            ?? throw Failed($"counter column '{subjob.EffectiveCounterColumn}' is not among the columns of upload subjob '{subjob.Id}' " +
                $"in channel table '{table.Name}'", subjob.Id);
        if (counter.Type is not (LogicalType.Int16 or LogicalType.Int32 or LogicalType.Int64))
            throw Failed($"counter column '{counter.Name}' of channel table '{table.Name}' is not an integer column", subjob.Id);
        return new UploadChannelTable(subjob, table, columns, counter);
    }

    /// <summary>The package table this subjob writes (HQ column names, channel types); the rows follow.</summary>
    public PackageTable ToPackageTable(long from, long to)
    {
        var counter = Columns.First(c => ReferenceEquals(c.Channel, Counter)).HqColumn;
        // The key a row has at the store is its counter, unless the subjob names HQ's key; HQ upserts by its own key.
        var keys = Subjob.KeyColumns.Count > 0 ? Subjob.KeyColumns.ToList() : [counter];
        var table = NewTable(from, to, counter);
        table.KeyColumns = keys.Select(k => table.Columns.First(c => string.Equals(c.Name, k, StringComparison.OrdinalIgnoreCase)).Name).ToList();
        foreach (var c in table.Columns) c.Key = table.KeyColumns.Contains(c.Name);
        return table;
    }

    private PackageTable NewTable(long from, long to, string counter) => new()
    {
        Subjob = Subjob.Id,
        HqTable = Subjob.EffectiveHqTable,
        ChannelTable = Table.Name,
        Columns = Columns.Select(c => new PackageColumn
        {
            Name = c.HqColumn, Source = c.Channel.Name, Type = c.Channel.Type, Nullable = c.Channel.Nullable,
        }).ToList(),
        CounterColumn = counter,
        FromCounter = from,
        ToCounter = to,
    };

    private static AsyncServerException Failed(string message, string subjob)
        => new(ErrorIds.UploadFailed, ErrorKind.InvalidData, message + ". Nothing was sent.", subjob);
}
