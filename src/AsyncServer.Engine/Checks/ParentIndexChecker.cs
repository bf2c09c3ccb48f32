using AsyncServer.ChangeTracking;
using AsyncServer.Configuration;
using AsyncServer.Data;
using AsyncServer.Distribution;
using AsyncServer.Filtering;

namespace AsyncServer.Checks;

/// <summary>
/// Warnings for filters through a parent table (ChangeTracking/ParentFilters) whose lookups have no index to seek:
/// the filter finds a child's parents by the correlated parent columns, and a parent change finds its children by
/// the correlated child columns. Without an index each lookup scans the table, and an incremental read costs
/// (changes x table size) instead of following the number of changes. Also warns when a parent is not change-tracked.
/// These are warnings: the configuration works, only slowly or (untracked) not at all until tracking is enabled.
/// </summary>
public static class ParentIndexChecker
{
    public static async Task<IReadOnlyList<ConfigurationProblem>> CheckAsync(AsyncServerConfiguration config,
        IReadOnlyDictionary<string, ResolvedSubjob> resolved, IChangeSource hq, CancellationToken cancellationToken)
    {
        var problems = new List<ConfigurationProblem>();
        var indexes = new Dictionary<string, IReadOnlyList<IReadOnlyList<string>>>(StringComparer.OrdinalIgnoreCase);
        async Task<IReadOnlyList<IReadOnlyList<string>>> IndexesOf(TableSchema table)
        {
            if (!indexes.TryGetValue(table.DisplayName, out var found))
                indexes[table.DisplayName] = found = await hq.GetIndexesAsync(table, cancellationToken).ConfigureAwait(false);
            return found;
        }
        var tracked = new Dictionary<string, bool>(StringComparer.OrdinalIgnoreCase);

        for (var i = 0; i < config.Subjobs.Count; i++)
        {
            if (!resolved.TryGetValue(config.Subjobs[i].Id, out var subjob) || subjob.Filter is null) continue;
            var path = $"$.subjobs[{i}].filter";
            foreach (var exists in ParentFilters.ExistsOf(subjob.Filter).DistinctBy(e => e.ToString()))
            {
                if (!subjob.ParentTables.TryGetValue(exists.ParentTable, out var parent)) continue;
                if (exists.Conditions.Any(c => parent.Find(c.ParentColumn) is null || (c.ChildColumn is not null && subjob.Table.Find(c.ChildColumn) is null)))
                    continue;
                if (!tracked.TryGetValue(parent.DisplayName, out var isTracked))
                {
                    var states = await hq.GetChangeTrackingStateAsync([parent.DisplayName], cancellationToken).ConfigureAwait(false);
                    tracked[parent.DisplayName] = isTracked = states.All(s => s.Enabled);
                }
                if (!isTracked)
                    problems.Add(new(path, $"the filter goes through HQ table '{parent.DisplayName}', which is not change-tracked: " +
                        "incremental runs fail until " +
                        "Enable-AsyncChangeTracking enables it (it enables every filter's parent)", ProblemSeverity.Warning));

                var correlated = ParentFilters.Correlations(exists).Select(c => parent.Find(c.ParentColumn)!.Name).ToList();
                if (correlated.Count == 0) continue; // no lookup by a child's value: nothing an index could serve
                var equal = exists.Conditions.Select(c => parent.Find(c.ParentColumn)!.Name).ToList();
                if (!Serves(await IndexesOf(parent).ConfigureAwait(false), equal, correlated))
                    problems.Add(new(path, $"no index of HQ table '{parent.DisplayName}' starts with {string.Join(", ", correlated)}: " +
                        $"the filter's lookup of a row's parents scans '{parent.DisplayName}' once per changed row; " +
                        $"an index on {parent.DisplayName} ({string.Join(", ", equal.Distinct(StringComparer.OrdinalIgnoreCase))}) would serve",
                        ProblemSeverity.Warning));

                var children = ParentFilters.Correlations(exists).Select(c => subjob.Table.Find(c.ChildColumn!)!.Name)
                    .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
                if (!Serves(await IndexesOf(subjob.Table).ConfigureAwait(false), children, children))
                    problems.Add(new(path, $"no index of HQ table '{subjob.Table.DisplayName}' starts with {string.Join(", ", children)}: " +
                        $"finding the rows of a changed '{parent.DisplayName}' row scans '{subjob.Table.DisplayName}' once per change; " +
                        $"an index on {subjob.Table.DisplayName} ({string.Join(", ", children)}) would serve",
                        ProblemSeverity.Warning));
            }
        }
        return problems;
    }

    /// <summary>
    /// True when an index can seek by equality on <paramref name="equal"/>: its leading columns, as far as they are
    /// among them, include at least one of <paramref name="needed"/> (a lookup by only a legal entity is no seek).
    /// </summary>
    private static bool Serves(IReadOnlyList<IReadOnlyList<string>> indexes, IReadOnlyList<string> equal, IReadOnlyList<string> needed)
        => indexes.Any(index => index.TakeWhile(c => equal.Contains(c, StringComparer.OrdinalIgnoreCase))
            .Any(c => needed.Contains(c, StringComparer.OrdinalIgnoreCase)));
}
