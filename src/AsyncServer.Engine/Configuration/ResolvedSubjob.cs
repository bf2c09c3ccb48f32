using AsyncServer.Data;
using AsyncServer.Filtering;

namespace AsyncServer.Configuration;

/// <summary>
/// A subjob checked against the HQ catalog (CatalogChecker): real column names and types, keys, parsed filter.
/// It lives beside the checker that makes it, so Configuration never needs Distribution.
/// </summary>
public sealed record ResolvedSubjob(
    SubjobSettings Settings,
    TableSchema Table,
    IReadOnlyList<ColumnSchema> Columns,
    IReadOnlyList<string> ChannelColumns,
    IReadOnlyList<ColumnSchema> KeyColumns,
    FilterExpression? Filter,
    IReadOnlyDictionary<string, TableSchema> ParentTables)
{
    public string ChannelTable => Settings.EffectiveChannelTable;

    public Packaging.PackageTable DescribeForPackage()
    {
        var keySet = KeyColumns.Select(k => k.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return new Packaging.PackageTable
        {
            Subjob = Settings.Id,
            HqTable = Table.Name,
            ChannelTable = ChannelTable,
            Columns = Columns.Select((c, i) => new Packaging.PackageColumn
            {
                Name = ChannelColumns[i], Source = c.Name, Type = c.Type, Nullable = c.Nullable, Key = keySet.Contains(c.Name),
            }).ToList(),
            KeyColumns = KeyColumns.Select(k => ChannelColumns[Columns.ToList().FindIndex(c => c.Name == k.Name)]).ToList(),
        };
    }
}
