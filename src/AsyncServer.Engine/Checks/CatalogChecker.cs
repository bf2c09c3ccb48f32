using AsyncServer.ChangeTracking;
using AsyncServer.Configuration;
using AsyncServer.Data;
using AsyncServer.Diagnostics;
using AsyncServer.Filtering;

namespace AsyncServer.Checks;

/// <summary>
/// Checks subjobs against the HQ catalog and resolves them: tables and columns must exist, keys must be
/// mapped, filters must parse and name real columns. Every problem carries its JSON path.
/// </summary>
public static class CatalogChecker
{
    public static async Task<(IReadOnlyDictionary<string, ResolvedSubjob> Subjobs, IReadOnlyList<ConfigurationProblem> Problems)> ResolveAsync(
        AsyncServerConfiguration config, IChangeSource hq, IEnumerable<string>? onlySubjobs, CancellationToken cancellationToken)
    {
        var wanted = onlySubjobs?.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var problems = new List<ConfigurationProblem>();
        var resolved = new Dictionary<string, ResolvedSubjob>(StringComparer.OrdinalIgnoreCase);
        var schemas = new Dictionary<string, TableSchema?>(StringComparer.OrdinalIgnoreCase);

        async Task<TableSchema?> Describe(string table)
        {
            if (!schemas.TryGetValue(table, out var schema))
                schemas[table] = schema = await hq.DescribeTableAsync(table, cancellationToken).ConfigureAwait(false);
            return schema;
        }

        for (var i = 0; i < config.Subjobs.Count; i++)
        {
            var s = config.Subjobs[i];
            if (wanted is not null && !wanted.Contains(s.Id)) continue;
            var path = $"$.subjobs[{i}]";
            if (string.IsNullOrWhiteSpace(s.HqTable)) { problems.Add(new($"{path}.hqTable", "an HQ table is required")); continue; }
            var table = await Describe(s.HqTable).ConfigureAwait(false);
            if (table is null) { problems.Add(new($"{path}.hqTable", $"HQ table '{s.HqTable}' does not exist in the HQ database")); continue; }

            var (columns, channelColumns) = MapFields(s, table, path, problems);
            var keys = table.PrimaryKey;
            if (keys.Count == 0)
                problems.Add(new($"{path}.hqTable", $"HQ table '{table.Name}' has no primary key; rows are delivered and deleted by key"));
            foreach (var key in keys.Where(k => !columns.Any(c => c.Name == k.Name)))
                problems.Add(new($"{path}.fields", $"key column '{key.Name}' of HQ table '{table.Name}' must be in the field map"));

            var (filter, parents) = await ResolveFilterAsync(s, table, path, problems, Describe).ConfigureAwait(false);
            resolved[s.Id] = new ResolvedSubjob(s, table, columns, channelColumns, keys, filter, parents);
        }
        return (resolved, problems);
    }

    /// <summary>The subjob's HQ columns and the channel column of each (every column when it maps no fields).</summary>
    private static (List<ColumnSchema> Columns, List<string> ChannelColumns) MapFields(
        SubjobSettings s, TableSchema table, string path, List<ConfigurationProblem> problems)
    {
        var columns = new List<ColumnSchema>();
        var channelColumns = new List<string>();
        if (s.Fields.Count == 0)
        {
            columns.AddRange(table.Columns);
            channelColumns.AddRange(table.Columns.Select(c => c.Name));
        }
        else
        {
            foreach (var (hqColumn, channelColumn) in s.Fields)
            {
                var column = table.Find(hqColumn);
                if (column is null)
                {
                    problems.Add(new($"{path}.fields.{hqColumn}", $"column '{hqColumn}' does not exist in HQ table '{table.Name}'"));
                    continue;
                }
                if (string.IsNullOrWhiteSpace(channelColumn))
                {
                    problems.Add(new($"{path}.fields.{hqColumn}", "the channel column name is empty"));
                    continue;
                }
                columns.Add(column);
                channelColumns.Add(channelColumn);
            }
        }
        foreach (var dup in channelColumns.GroupBy(c => c, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
            problems.Add(new($"{path}.fields", $"channel column '{dup.Key}' is mapped more than once"));
        return (columns, channelColumns);
    }

    /// <summary>The subjob's filter, parsed, with the HQ tables its EXISTS conditions name; every column it names must exist.</summary>
    private static async Task<(FilterExpression? Filter, Dictionary<string, TableSchema> Parents)> ResolveFilterAsync(
        SubjobSettings s, TableSchema table, string path, List<ConfigurationProblem> problems, Func<string, Task<TableSchema?>> describe)
    {
        FilterExpression? filter = null;
        var parents = new Dictionary<string, TableSchema>(StringComparer.OrdinalIgnoreCase);
        if (!string.IsNullOrWhiteSpace(s.Filter))
        {
            try { filter = FilterParser.Parse(s.Filter!); }
            catch (AsyncServerException ex) { problems.Add(new($"{path}.filter", ex.Message)); }
            if (filter is not null)
            {
                foreach (var col in filter.Columns.Distinct(StringComparer.OrdinalIgnoreCase).Where(c => table.Find(c) is null))
                    problems.Add(new($"{path}.filter", $"column '{col}' does not exist in HQ table '{table.Name}'"));
                foreach (var exists in FilterTree.Flatten(filter).OfType<ExistsFilter>())
                {
                    var parent = await describe(exists.ParentTable).ConfigureAwait(false);
                    if (parent is null)
                    {
                        problems.Add(new($"{path}.filter", $"EXISTS table '{exists.ParentTable}' does not exist in the HQ database"));
                        continue;
                    }
                    parents[exists.ParentTable] = parent;
                    foreach (var c in exists.Conditions.Where(c => parent.Find(c.ParentColumn) is null))
                        problems.Add(new($"{path}.filter", $"column '{c.ParentColumn}' does not exist in HQ table '{parent.Name}'"));
                }
            }
        }
        return (filter, parents);
    }
}
