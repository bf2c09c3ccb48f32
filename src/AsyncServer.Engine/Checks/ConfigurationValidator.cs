using AsyncServer.ChangeTracking;
using AsyncServer.Configuration;
using AsyncServer.Data;
using AsyncServer.Diagnostics;
using AsyncServer.Filtering;
using AsyncServer.Scheduling;

namespace AsyncServer.Checks;

/// <summary>
/// Finds every problem of a configuration, each with its JSON path: the document's own consistency first,
/// then (when an HQ connection can be opened) the HQ catalog, then the working folders.
/// </summary>
public static class ConfigurationValidator
{
    public static async Task<IReadOnlyList<ConfigurationProblem>> ValidateAsync(EngineContext context, bool checkCatalog, CancellationToken cancellationToken)
    {
        var config = context.Configuration;
        var problems = new List<ConfigurationProblem>(ValidateDocument(config));
        CheckConnection(config.Hq, "$.hq", config, context, problems);
        CheckConnection(config.MessageDatabase, "$.messageDatabase", config, context, problems);
        problems.AddRange(WorkingFolders.Check(config));

        if (checkCatalog && config.MessageDatabase is not null && !problems.Any(p => p.Path.StartsWith("$.messageDatabase", StringComparison.Ordinal)))
            await CheckMessageDatabaseAsync(context, problems, cancellationToken).ConfigureAwait(false);
        if (checkCatalog && !problems.Any(p => p.Path.StartsWith("$.hq", StringComparison.Ordinal)))
        {
            try
            {
                await using var hq = context.OpenChangeSource();
                var (resolved, catalogProblems) = await CatalogChecker.ResolveAsync(config, hq, null, cancellationToken).ConfigureAwait(false);
                // The document checks already reported what needs no catalog (a filter's syntax, a missing HQ
                // table name): one report per cause.
                var duplicates = DuplicateEntries(config.Subjobs.Select(s => s.Id)).Select(i => $"$.subjobs[{i}].").ToList();
                problems.AddRange(catalogProblems.Where(p => !problems.Any(q => q.Path == p.Path && q.Message == p.Message)
                    && !duplicates.Any(d => p.Path.StartsWith(d, StringComparison.Ordinal))));
                problems.AddRange(await ParentIndexChecker.CheckAsync(config, resolved, hq, cancellationToken).ConfigureAwait(false));
                problems.AddRange(await UploadValidation.CheckAsync(context, hq, cancellationToken).ConfigureAwait(false));
            }
            catch (AsyncServerException ex)
            {
                problems.Add(new ConfigurationProblem("$.hq.connectionString", ex.Message));
            }
        }
        return problems;
    }

    /// <summary>Opens the message database and checks its schema version, changing nothing (issue 12, point 16).</summary>
    private static async Task CheckMessageDatabaseAsync(EngineContext context, List<ConfigurationProblem> problems, CancellationToken ct)
    {
        const string path = "$.messageDatabase.connectionString";
        try
        {
            await using var store = context.OpenMessageStore();
            await store.EnsureReadyAsync(ct).ConfigureAwait(false);
        }
        catch (AsyncServerException ex) when (ex.ErrorId == ErrorIds.MessageDatabaseNotInitialized)
        {
            problems.Add(new(path, ex.Message, ProblemSeverity.Warning));
        }
        catch (AsyncServerException ex)
        {
            problems.Add(new(path, $"the message database cannot be used: {ex.Message}"));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            problems.Add(new(path, $"the message database cannot be used: {context.MessageConnection.Scrub(ex.Message)}"));
        }
    }

    /// <summary>Checks that need nothing but the document.</summary>
    public static IReadOnlyList<ConfigurationProblem> ValidateDocument(AsyncServerConfiguration config)
    {
        var problems = new List<ConfigurationProblem>();
        void Add(string path, string message, ProblemSeverity severity = ProblemSeverity.Error) => problems.Add(new(path, message, severity));

        if (string.IsNullOrWhiteSpace(config.Partition)) Add("$.partition", "a partition is required");
        if (config.Hq is null) Add("$.hq", "the HQ connection is required");
        if (config.MessageDatabase is null) Add("$.messageDatabase", "the message database connection is required");
        problems.AddRange(ConfigurationLimits.Check(config));

        // An entry whose id repeats an earlier one is reported once, as a duplicate; its other checks would only
        // repeat the cause in other words, so they are skipped (DuplicateEntries).
        var duplicateGroups = CheckIds(config.DataGroups.Select(g => g.Id), i => $"$.dataGroups[{i}].id", "data group", Add);
        var duplicateSubjobs = CheckIds(config.Subjobs.Select(s => s.Id), i => $"$.subjobs[{i}].id", "subjob", Add);
        var duplicateJobs = CheckIds(config.Jobs.Select(j => j.Id), i => $"$.jobs[{i}].id", "job", Add);
        var duplicateSchedules = CheckIds(config.Schedules.Select(s => s.Name), i => $"$.schedules[{i}].name", "schedule", Add);
        var channelPaths = config.DataGroups
            .SelectMany((g, gi) => g.ChannelDatabases.Select((d, di) => (d.Id, Path: $"$.dataGroups[{gi}].channelDatabases[{di}].id")))
            .ToList();
        CheckIds(channelPaths.Select(c => c.Id), i => channelPaths[i].Path, "channel database", Add);

        for (var i = 0; i < config.Jobs.Count; i++)
        {
            if (duplicateJobs.Contains(i)) continue;
            var job = config.Jobs[i];
            if (job.Subjobs.Count == 0) Add($"$.jobs[{i}].subjobs", "a job needs at least one subjob");
            for (var k = 0; k < job.Subjobs.Count; k++)
                if (config.FindSubjob(job.Subjobs[k]) is null)
                    Add($"$.jobs[{i}].subjobs[{k}]", $"job '{job.Id}' names subjob '{job.Subjobs[k]}', which is not defined in $.subjobs");
        }

        CheckSchedules(config, duplicateSchedules, Add);
        problems.AddRange(UploadConfigurationCheck.CheckDocument(config));
        CheckFilterParameters(config, duplicateSubjobs, duplicateGroups, Add);
        return problems;
    }

    /// <summary>How the document checks report a problem (an error unless said otherwise).</summary>
    private delegate void AddProblem(string path, string message, ProblemSeverity severity = ProblemSeverity.Error);

    /// <summary>Each schedule's direction, jobs, data groups and recurrence (entries with a repeated name are skipped).</summary>
    private static void CheckSchedules(AsyncServerConfiguration config, HashSet<int> duplicateSchedules, AddProblem add)
    {
        for (var i = 0; i < config.Schedules.Count; i++)
        {
            if (duplicateSchedules.Contains(i)) continue;
            var s = config.Schedules[i];
            var path = $"$.schedules[{i}]";
            if (!string.Equals(s.Direction, "Download", StringComparison.OrdinalIgnoreCase) && !s.IsUpload)
                add($"{path}.direction", $"direction '{s.Direction}' is not known; use Download or Upload");
            if (s.Jobs.Count == 0) add($"{path}.jobs", "a schedule needs at least one job");
            if (s.DataGroups.Count == 0) add($"{path}.dataGroups", "a schedule needs at least one data group");
            for (var k = 0; k < s.Jobs.Count; k++)
                if (!s.IsUpload && config.FindJob(s.Jobs[k]) is null) add($"{path}.jobs[{k}]", $"job '{s.Jobs[k]}' is not defined in $.jobs");
            for (var k = 0; k < s.DataGroups.Count; k++)
                if (config.FindDataGroup(s.DataGroups[k]) is null)
                    add($"{path}.dataGroups[{k}]", $"data group '{s.DataGroups[k]}' is not defined in $.dataGroups");
            if (s.Recurrence is not null && Recurrence.Validate(s.Recurrence) is { } recurrenceProblem)
                add($"{path}.recurrence", recurrenceProblem);
        }
    }

    /// <summary>
    /// The subjobs' HQ tables and filters, and the data groups' channel databases. Filter parameters: one package serves
    /// a whole data group, so every channel database of the group must supply every parameter, with the same value.
    /// </summary>
    private static void CheckFilterParameters(
        AsyncServerConfiguration config, HashSet<int> duplicateSubjobs, HashSet<int> duplicateGroups, AddProblem add)
    {
        var parametersBySubjob = new List<(int Index, string Id, HashSet<string> Names)>();
        for (var i = 0; i < config.Subjobs.Count; i++)
        {
            if (duplicateSubjobs.Contains(i)) continue;
            var s = config.Subjobs[i];
            if (string.IsNullOrWhiteSpace(s.HqTable)) add($"$.subjobs[{i}].hqTable", "an HQ table is required");
            if (string.IsNullOrWhiteSpace(s.Filter)) continue;
            try { parametersBySubjob.Add((i, s.Id, FilterParser.Parse(s.Filter!).Parameters.ToHashSet(StringComparer.OrdinalIgnoreCase))); }
            catch (AsyncServerException ex) { add($"$.subjobs[{i}].filter", ex.Message); }
        }
        for (var gi = 0; gi < config.DataGroups.Count; gi++)
        {
            if (duplicateGroups.Contains(gi)) continue;
            var group = config.DataGroups[gi];
            if (group.ChannelDatabases.Count == 0)
                add($"$.dataGroups[{gi}].channelDatabases", $"data group '{group.Id}' has no channel databases; its packages reach nobody",
                    ProblemSeverity.Warning);
            for (var di = 0; di < group.ChannelDatabases.Count; di++)
            {
                var db = group.ChannelDatabases[di];
                foreach (var (si, sid, names) in parametersBySubjob)
                    foreach (var name in names.Where(n => !db.Parameters.ContainsKey(n)))
                        add($"$.dataGroups[{gi}].channelDatabases[{di}].parameters",
                            $"channel database '{db.Id}' lacks parameter '{name}' used by the filter of subjob '{sid}' ($.subjobs[{si}].filter)");
                if (di == 0) continue;
                var first = group.ChannelDatabases[0];
                foreach (var (name, value) in db.Parameters)
                    if (first.Parameters.TryGetValue(name, out var firstValue) && firstValue != value)
                        add($"$.dataGroups[{gi}].channelDatabases[{di}].parameters.{name}",
                            $"is '{value}' but '{firstValue}' in channel database '{first.Id}'; " +
                            "one package serves the whole data group, so filter parameters must agree");
            }
        }
    }

    /// <summary>The subjob entries that repeat an earlier id: the catalog checks skip them (one report per cause).</summary>
    internal static HashSet<int> DuplicateEntries(IEnumerable<string> ids)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var duplicates = new HashSet<int>();
        var i = 0;
        foreach (var id in ids)
        {
            if (!string.IsNullOrWhiteSpace(id) && !seen.Add(id)) duplicates.Add(i);
            i++;
        }
        return duplicates;
    }

    /// <returns>The indexes of entries that repeat an earlier id.</returns>
    private static HashSet<int> CheckIds(IEnumerable<string> ids, Func<int, string> pathOf, string what, Action<string, string, ProblemSeverity> add)
    {
        var duplicates = new HashSet<int>();
        var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var i = 0;
        foreach (var id in ids)
        {
            if (string.IsNullOrWhiteSpace(id)) add(pathOf(i), $"every {what} needs a non-empty id", ProblemSeverity.Error);
            else if (seen.TryGetValue(id, out var first))
            {
                add(pathOf(i), $"duplicate {what} id '{id}' (first defined at {pathOf(first)})", ProblemSeverity.Error);
                duplicates.Add(i);
            }
            else seen[id] = i;
            i++;
        }
        return duplicates;
    }

    private static void CheckConnection(ConnectionSettings? settings, string path, AsyncServerConfiguration config, EngineContext context,
        List<ConfigurationProblem> problems)
    {
        if (settings is null) return;
        if (!DatabaseProviderNames.TryParse(settings.Provider, out _))
        {
            problems.Add(new($"{path}.provider", $"unknown provider '{settings.Provider}'; use sqlite, postgresql or sqlserver"));
            return;
        }
        try { ResolvedConnection.Resolve(settings, path, config.BaseDirectory, context.Credential); }
        catch (AsyncServerException ex)
        {
            var where = $"{path}.connectionString";
            problems.Add(new(where, ex.Message.StartsWith(where + ": ", StringComparison.Ordinal) ? ex.Message[(where.Length + 2)..] : ex.Message));
        }
    }
}
