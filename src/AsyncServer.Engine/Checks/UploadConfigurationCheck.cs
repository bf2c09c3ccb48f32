using AsyncServer.Configuration;

namespace AsyncServer.Checks;

/// <summary>
/// The document checks of upload jobs, upload subjobs and upload schedules (no database needed). Upload ids live
/// beside the download ids, so a name says which list it belongs to: a download job in an upload schedule is refused.
/// </summary>
internal static class UploadConfigurationCheck
{
    public static IEnumerable<ConfigurationProblem> CheckDocument(AsyncServerConfiguration config)
    {
        var problems = new List<ConfigurationProblem>();
        var duplicateSubjobs = Duplicates(config.UploadSubjobs.Select(s => s.Id), i => $"$.uploadSubjobs[{i}].id", "upload subjob", problems);
        var duplicateJobs = Duplicates(config.UploadJobs.Select(j => j.Id), i => $"$.uploadJobs[{i}].id", "upload job", problems);
        for (var i = 0; i < config.UploadSubjobs.Count; i++)
        {
            if (duplicateSubjobs.Contains(i)) continue;
            var s = config.UploadSubjobs[i];
            if (string.IsNullOrWhiteSpace(s.ChannelTable)) problems.Add(new($"$.uploadSubjobs[{i}].channelTable", "a channel table is required"));
            if (s.Fields.Count > 0 && !s.Fields.Values.Contains(s.EffectiveCounterColumn, StringComparer.OrdinalIgnoreCase))
                problems.Add(new($"$.uploadSubjobs[{i}].fields",
                    $"the counter column '{s.EffectiveCounterColumn}' must be in the field map: HQ keeps each store's counter with its rows"));
            foreach (var key in s.KeyColumns.Where(k => s.Fields.Count > 0 && !s.Fields.ContainsKey(k)))
                problems.Add(new($"$.uploadSubjobs[{i}].keyColumns", $"key column '{key}' must be an HQ column of the field map"));
        }
        for (var i = 0; i < config.UploadJobs.Count; i++)
        {
            if (duplicateJobs.Contains(i)) continue;
            var job = config.UploadJobs[i];
            if (config.FindJob(job.Id) is not null)
                problems.Add(new($"$.uploadJobs[{i}].id", $"'{job.Id}' is also a download job in $.jobs; a job id names one direction"));
            if (job.Subjobs.Count == 0) problems.Add(new($"$.uploadJobs[{i}].subjobs", "an upload job needs at least one upload subjob"));
            for (var k = 0; k < job.Subjobs.Count; k++)
                if (config.FindUploadSubjob(job.Subjobs[k]) is null)
                    problems.Add(new($"$.uploadJobs[{i}].subjobs[{k}]",
                        $"upload job '{job.Id}' names subjob '{job.Subjobs[k]}', which is not defined in $.uploadSubjobs"));
        }
        for (var i = 0; i < config.Schedules.Count; i++)
        {
            var s = config.Schedules[i];
            if (!s.IsUpload) continue;
            for (var k = 0; k < s.Jobs.Count; k++)
                if (config.FindUploadJob(s.Jobs[k]) is null)
                    problems.Add(new($"$.schedules[{i}].jobs[{k}]", $"upload job '{s.Jobs[k]}' is not defined in $.uploadJobs"));
        }
        return problems;
    }

    private static HashSet<int> Duplicates(IEnumerable<string> ids, Func<int, string> pathOf, string what, List<ConfigurationProblem> problems)
    {
        var duplicates = new HashSet<int>();
        var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var i = 0;
        foreach (var id in ids)
        {
            if (string.IsNullOrWhiteSpace(id)) problems.Add(new(pathOf(i), $"every {what} needs a non-empty id"));
            else if (seen.TryGetValue(id, out var first))
            {
                problems.Add(new(pathOf(i), $"duplicate {what} id '{id}' (first defined at {pathOf(first)})"));
                duplicates.Add(i);
            }
            else seen[id] = i;
            i++;
        }
        return duplicates;
    }
}
