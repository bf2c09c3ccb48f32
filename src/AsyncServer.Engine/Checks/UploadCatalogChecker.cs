using AsyncServer.Configuration;
using AsyncServer.Data;

namespace AsyncServer.Checks;

/// <summary>
/// Checks upload subjobs against the HQ catalog (every HQ table and column must exist, the key must be mapped) and
/// resolves them; and, when a store's channel database is reachable, its channel tables against the channel catalog.
/// Every problem carries its JSON path.
/// </summary>
public static class UploadCatalogChecker
{
    /// <param name="describeHq">The HQ catalog: a table, or null when it does not exist.</param>
    public static async Task<(IReadOnlyDictionary<string, ResolvedUploadSubjob> Subjobs, IReadOnlyList<ConfigurationProblem> Problems)> ResolveAsync(
        AsyncServerConfiguration config, Func<string, Task<TableSchema?>> describeHq)
    {
        var problems = new List<ConfigurationProblem>();
        var resolved = new Dictionary<string, ResolvedUploadSubjob>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < config.UploadSubjobs.Count; i++)
        {
            var s = config.UploadSubjobs[i];
            if (string.IsNullOrWhiteSpace(s.ChannelTable) || resolved.ContainsKey(s.Id)) continue;
            var path = $"$.uploadSubjobs[{i}]";
            var table = await describeHq(s.EffectiveHqTable).ConfigureAwait(false);
            if (table is null)
            {
                problems.Add(new($"{path}.hqTable", $"HQ table '{s.EffectiveHqTable}' does not exist in the HQ database"));
                continue;
            }
            if (Resolve(s, table, path, problems) is { } r) resolved[s.Id] = r;
        }
        return (resolved, problems);
    }

    private static ResolvedUploadSubjob? Resolve(UploadSubjobSettings s, TableSchema table, string path, List<ConfigurationProblem> problems)
    {
        var count = problems.Count;
        var map = s.Fields.Count > 0 ? s.Fields.ToList() : table.Columns.Select(c => KeyValuePair.Create(c.Name, c.Name)).ToList();
        var columns = new List<ColumnSchema>();
        var channel = new List<string>();
        foreach (var (hq, ch) in map)
        {
            if (table.Find(hq) is not { } column)
                problems.Add(new($"{path}.fields.{hq}", $"column '{hq}' does not exist in HQ table '{table.Name}'"));
            else if (string.IsNullOrWhiteSpace(ch)) problems.Add(new($"{path}.fields.{hq}", "the channel column name is empty"));
            else { columns.Add(column); channel.Add(ch); }
        }
        var keys = s.KeyColumns.Count > 0 ? s.KeyColumns.Select(k => table.Find(k)).ToList() : table.PrimaryKey.Cast<ColumnSchema?>().ToList();
        if (keys.Count == 0)
            problems.Add(new($"{path}.keyColumns", $"HQ table '{table.Name}' has no primary key; name the key columns rows are upserted by"));
        foreach (var (key, n) in keys.Select((k, n) => (k, n)))
        {
            if (key is null) problems.Add(new($"{path}.keyColumns[{n}]", $"column '{s.KeyColumns[n]}' does not exist in HQ table '{table.Name}'"));
            else if (!columns.Contains(key)) problems.Add(new($"{path}.fields", $"key column '{key.Name}' of HQ table '{table.Name}' must be mapped"));
        }
        var counter = channel.FirstOrDefault(c => string.Equals(c, s.EffectiveCounterColumn, StringComparison.OrdinalIgnoreCase));
        if (counter is null)
            problems.Add(new($"{path}.counterColumn", $"counter column '{s.EffectiveCounterColumn}' is not mapped to a column of HQ table '{table.Name}'"));
        else if (columns[channel.IndexOf(counter)].Type is not (LogicalType.Int32 or LogicalType.Int64))
            problems.Add(new($"{path}.counterColumn", $"counter column '{counter}' must be an integer column at HQ"));
        return problems.Count > count ? null : new ResolvedUploadSubjob(s, table, columns, channel, keys.Cast<ColumnSchema>().ToList(), counter!);
    }

    /// <summary>Checks a store's channel tables: each must exist with every mapped column and the counter.</summary>
    /// <param name="describeChannel">The channel catalog: a table, or null when it does not exist.</param>
    public static async Task<IReadOnlyList<ConfigurationProblem>> CheckChannelAsync(AsyncServerConfiguration config, string channelDatabase,
        IReadOnlyDictionary<string, ResolvedUploadSubjob> resolved, Func<string, Task<TableSchema?>> describeChannel)
    {
        var problems = new List<ConfigurationProblem>();
        var missing = new List<ConfigurationProblem>();
        var found = 0;
        for (var i = 0; i < config.UploadSubjobs.Count; i++)
        {
            if (!resolved.TryGetValue(config.UploadSubjobs[i].Id, out var r) || !ReferenceEquals(r.Settings, config.UploadSubjobs[i])) continue;
            var path = $"$.uploadSubjobs[{i}]";
            var table = await describeChannel(r.Settings.ChannelTable).ConfigureAwait(false);
            if (table is not null) found++;
            if (table is null)
            {
                missing.Add(new($"{path}.channelTable", $"channel table '{r.Settings.ChannelTable}' does not exist in channel database '{channelDatabase}'"));
                continue;
            }
            foreach (var column in r.ChannelColumns.Where(c => table.Find(c) is null))
                problems.Add(new($"{path}.fields",
                    $"column '{column}' does not exist in channel table '{table.Name}' of channel database '{channelDatabase}'"));
        }
        // A store with none of the upload tables has not set up its point of sale yet (the sample's stores, until a sale):
        // only a store that has some of them is missing the others.
        if (found > 0) problems.AddRange(missing);
        return problems;
    }
}

/// <summary>The upload part of Test-AsyncConfiguration: the HQ catalog, then every channel database that has a connection.</summary>
public static class UploadValidation
{
    public static async Task<IReadOnlyList<ConfigurationProblem>> CheckAsync(EngineContext context, ChangeTracking.IChangeSource hq, CancellationToken ct)
    {
        var config = context.Configuration;
        if (config.UploadSubjobs.Count == 0) return [];
        var (resolved, problems) = await UploadCatalogChecker.ResolveAsync(config, t => hq.DescribeTableAsync(t, ct)).ConfigureAwait(false);
        var all = problems.ToList();
        foreach (var (group, gi) in config.DataGroups.Select((g, i) => (g, i)))
            foreach (var (db, di) in group.ChannelDatabases.Select((d, i) => (d, i)))
            {
                if (db.Connection is null) continue;
                try
                {
                    var connection = ResolvedConnection.Resolve(db.Connection, $"$.dataGroups[{gi}].channelDatabases[{di}].connection",
                        config.BaseDirectory, context.Credential);
                    // A store's database not created yet (a SQLite file) is not reachable: nothing to check.
                    if (EngineContext.ProviderOf(connection).DatabaseFile(connection) is { } file && !File.Exists(file)) continue;
                    await using var target = EngineContext.OpenChannelTarget(connection);
                    var channel = await UploadCatalogChecker.CheckChannelAsync(config, db.Id, resolved,
                        t => target.DescribeTableAsync(t, ct)).ConfigureAwait(false);
                    // The store's database may not be set up yet, or be another machine's: its problems are warnings.
                    all.AddRange(channel.Select(p => p with { Severity = ProblemSeverity.Warning }));
                }
                catch (Diagnostics.AsyncServerException ex)
                {
                    all.Add(new($"$.dataGroups[{gi}].channelDatabases[{di}].connection", $"not reachable: {ex.Message}", ProblemSeverity.Warning));
                }
            }
        return all;
    }
}
