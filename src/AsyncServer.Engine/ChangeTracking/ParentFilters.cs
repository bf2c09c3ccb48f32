using AsyncServer.Configuration;
using AsyncServer.Data;
using AsyncServer.Filtering;

namespace AsyncServer.ChangeTracking;

/// <summary>
/// Subjobs filtered through a parent table (<c>EXISTS INVENTTABLE (PRODUCT = RECID AND DATAAREAID = @DataAreaId)</c>).
/// A child's filter result changes when the child changes or when a parent row it is correlated with changes:
/// the parent row as it is now (it may have entered the filter) or as it was before the change (it may have
/// left it: deleted, moved to another legal entity, pointed at another product). So an incremental read takes
/// as candidates the child's own changed keys, the children of the parents changed in the range as they are
/// now, and the children of their before-images logged in the range; each candidate is then an upsert when it
/// passes the filter now, else a delete by key. Every part is a join driven by the (small) set of changes, so
/// its cost follows the number of changes, not the table sizes, given the indexes
/// <see cref="Checks.ParentIndexChecker"/> asks for.
/// </summary>
public static class ParentFilters
{
    /// <summary>Every EXISTS in a filter, wherever it sits (under AND, OR, NOT). The grammar allows no EXISTS inside an EXISTS.</summary>
    public static IEnumerable<ExistsFilter> ExistsOf(FilterExpression? filter)
        => filter is null ? [] : FilterTree.Flatten(filter).OfType<ExistsFilter>();

    /// <summary>The parent columns a condition correlates with a child column (<c>PRODUCT = RECID</c>: PRODUCT).</summary>
    public static IEnumerable<ExistsCondition> Correlations(ExistsFilter exists) => exists.Conditions.Where(c => c.ChildColumn is not null);

    /// <summary>
    /// For every parent table of the configuration's filters, the correlated parent columns whose before-values the
    /// change tracking must keep (<see cref="ChangeTrackingOptions.BeforeImages"/>). Filters that do not parse are
    /// skipped: Test-AsyncConfiguration reports them.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> BeforeImageColumns(AsyncServerConfiguration config)
    {
        var result = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var subjob in config.Subjobs.Where(s => !string.IsNullOrWhiteSpace(s.Filter)))
        {
            FilterExpression filter;
            try { filter = FilterParser.Parse(subjob.Filter!); }
            catch (Diagnostics.AsyncServerException) { continue; }
            foreach (var exists in ExistsOf(filter))
            {
                if (!result.TryGetValue(exists.ParentTable, out var columns)) result[exists.ParentTable] = columns = [];
                foreach (var c in Correlations(exists))
                    if (!columns.Contains(c.ParentColumn, StringComparer.OrdinalIgnoreCase)) columns.Add(c.ParentColumn);
            }
        }
        return result.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)kv.Value, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Options for enabling change tracking under a configuration: its retention and its filters' before-images.</summary>
    public static ChangeTrackingOptions OptionsFor(AsyncServerConfiguration config, TimeSpan retention)
        => new(retention) { BeforeImages = BeforeImageColumns(config) };

    /// <summary>How one provider names its change-tracking objects and spells "changed in the run's range".</summary>
    /// <param name="Table">The quoted name of an HQ table.</param>
    /// <param name="SideTable">A FROM item of a table's changed keys (its side table, or SQL Server's CHANGETABLE).</param>
    /// <param name="BeforeTable">The quoted name of a parent table's before-image log.</param>
    /// <param name="InRange">The condition, on a FROM item of this (quoted) alias, that its change is in the range.</param>
    /// <param name="BeforeImagesByParentKey">
    /// The log has no versions (SQL Server, where a trigger cannot know its transaction's change-tracking version): it is
    /// read for the parent keys changed in the range instead, every before-image of those keys. That is a superset (older
    /// before-images add children that are sent again or deleted where they are absent anyway), never a miss.
    /// </param>
    public sealed record ChangeObjects(Func<TableSchema, string> Table, Func<TableSchema, string> SideTable, Func<TableSchema, string> BeforeTable,
        Func<string, string> InRange, bool BeforeImagesByParentKey = false);

    /// <summary>
    /// A SELECT of the child's key columns (named as in the child) for every candidate key of an incremental read:
    /// the child's changes, and for each EXISTS of its filter the children of the changed parents (now and before).
    /// Without a filter through a parent it is just the child's changes. UNION removes duplicates. Aliases are quoted
    /// like every identifier (the SQL Server tests check it).
    /// </summary>
    public static string ChangedKeysSql(ExtractionQuery query, SqlDialect d, ChangeObjects objects)
    {
        string ct = d.Quote("ct"), t = d.Quote("t"), ps = d.Quote("ps"), p = d.Quote("p"), pb = d.Quote("pb");
        string Keys(string alias) => string.Join(", ", query.KeyColumns.Select(k => $"{alias}.{d.Quote(k.Name)}"));
        var parts = new List<string> { $"SELECT {Keys(ct)} FROM {objects.SideTable(query.Table)} AS {ct} WHERE {objects.InRange(ct)}" };
        var child = objects.Table(query.Table);
        foreach (var exists in ExistsOf(query.Filter).DistinctBy(e => e.ToString()))
        {
            var parent = query.SchemaOf(exists.ParentTable);
            var correlations = Correlations(exists).ToList();
            if (correlations.Count == 0)
            {
                // No column ties a child to a parent row: any parent change may change every child's result.
                parts.Add($"SELECT {Keys(t)} FROM {child} AS {t} WHERE EXISTS (SELECT 1 FROM {objects.SideTable(parent)} AS {ps} WHERE {objects.InRange(ps)})");
                continue;
            }
            var direct = KeyFromParent(query, parent, correlations);
            // The children of the parent rows under parentAlias in source: the parent's correlated columns themselves when
            // they are the child's whole key (see KeyFromParent), else a join to the child by the correlations.
            string Tie(string parentAlias) => string.Join(" AND ", correlations.Select(c =>
                $"{t}.{d.Quote(query.Table.Find(c.ChildColumn!)!.Name)} = {parentAlias}.{d.Quote(parent.Find(c.ParentColumn)!.Name)}"));
            string Children(string parentAlias, string source, string inRange) => direct is null
                ? $"SELECT {Keys(t)} FROM {source} INNER JOIN {child} AS {t} ON {Tie(parentAlias)} WHERE {inRange}"
                : $"SELECT {string.Join(", ", direct.Select(c => $"{parentAlias}.{d.Quote(c)}"))} FROM {source} WHERE {inRange}"
                  + string.Concat(direct.Select(c => $" AND {parentAlias}.{d.Quote(c)} IS NOT NULL"));
            string ParentKey(string alias) => string.Join(" AND ", parent.PrimaryKey.Select(k => $"{alias}.{d.Quote(k.Name)} = {ps}.{d.Quote(k.Name)}"));
            var side = $"{objects.SideTable(parent)} AS {ps}";
            parts.Add(Children(p, $"{side} INNER JOIN {objects.Table(parent)} AS {p} ON {ParentKey(p)}", objects.InRange(ps)));
            parts.Add(objects.BeforeImagesByParentKey
                ? Children(pb, $"{side} INNER JOIN {objects.BeforeTable(parent)} AS {pb} ON {ParentKey(pb)}", objects.InRange(ps))
                : Children(pb, $"{objects.BeforeTable(parent)} AS {pb}", objects.InRange(pb)));
        }
        return string.Join(" UNION ", parts);
    }

    /// <summary>
    /// The parent columns, in the order of the child's key, when the correlations tie every key column of the child
    /// and nothing else (<c>PRODUCT = RECID</c>, RECID the child's key), each to a parent column of the same type: then
    /// a changed parent row names its child's key itself, and the candidate keys need no lookup in the child (one index
    /// search less per changed parent row and per before-image, which on a large child is a page read each). A key
    /// whose child does not exist becomes a delete by key that matches nothing, as any candidate that fails the filter.
    /// Null when the child must be joined.
    /// </summary>
    private static List<string>? KeyFromParent(ExtractionQuery query, TableSchema parent, IReadOnlyList<ExistsCondition> correlations)
    {
        var byChild = new Dictionary<string, ColumnSchema>(StringComparer.OrdinalIgnoreCase);
        foreach (var c in correlations)
        {
            var childColumn = query.Table.Find(c.ChildColumn!);
            var parentColumn = parent.Find(c.ParentColumn);
            var isKey = childColumn is not null && query.KeyColumns.Any(k => string.Equals(k.Name, childColumn.Name, StringComparison.OrdinalIgnoreCase));
            if (childColumn is null || parentColumn is null || !isKey || !byChild.TryAdd(childColumn.Name, parentColumn)
                || childColumn.Type != parentColumn.Type || !string.Equals(childColumn.NativeType, parentColumn.NativeType, StringComparison.OrdinalIgnoreCase))
                return null;
        }
        return query.KeyColumns.All(k => byChild.ContainsKey(k.Name)) ? query.KeyColumns.Select(k => byChild[k.Name].Name).ToList() : null;
    }

    /// <summary>The EXISTS parents of a query's filter, each once.</summary>
    public static IReadOnlyList<TableSchema> ParentsOf(ExtractionQuery query)
        => ExistsOf(query.Filter).Select(e => query.SchemaOf(e.ParentTable)).DistinctBy(t => t.DisplayName, StringComparer.OrdinalIgnoreCase).ToList();

    /// <summary>The correlated columns of <paramref name="parent"/> that the query's filter needs in its before-image log.</summary>
    public static IReadOnlyList<string> BeforeImageColumnsOf(ExtractionQuery query, TableSchema parent)
        => ExistsOf(query.Filter).Where(e => string.Equals(query.SchemaOf(e.ParentTable).DisplayName, parent.DisplayName, StringComparison.OrdinalIgnoreCase))
            .SelectMany(Correlations).Select(c => parent.Find(c.ParentColumn)!.Name).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
}
