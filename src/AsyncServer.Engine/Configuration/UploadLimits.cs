namespace AsyncServer.Configuration;

/// <summary>The printable-name rule of <see cref="ConfigurationLimits"/> for upload jobs and subjobs.</summary>
internal static class UploadLimits
{
    public static IEnumerable<ConfigurationProblem> Check(AsyncServerConfiguration config)
    {
        var names = new List<(string Path, string? Value)>();
        for (var i = 0; i < config.UploadSubjobs.Count; i++)
        {
            var s = config.UploadSubjobs[i];
            var path = $"$.uploadSubjobs[{i}]";
            names.Add(($"{path}.id", s.Id));
            names.Add(($"{path}.channelTable", s.ChannelTable));
            names.Add(($"{path}.hqTable", s.HqTable));
            names.Add(($"{path}.counterColumn", s.CounterColumn));
            foreach (var (hq, channel) in s.Fields)
            {
                names.Add(($"{path}.fields", hq));
                names.Add(($"{path}.fields.{Printable(hq)}", channel));
            }
            names.AddRange(s.KeyColumns.Select((k, n) => ($"{path}.keyColumns[{n}]", (string?)k)));
        }
        for (var i = 0; i < config.UploadJobs.Count; i++)
        {
            var j = config.UploadJobs[i];
            names.Add(($"$.uploadJobs[{i}].id", j.Id));
            names.Add(($"$.uploadJobs[{i}].name", j.Name));
            names.AddRange(j.Subjobs.Select((s, k) => ($"$.uploadJobs[{i}].subjobs[{k}]", (string?)s)));
        }
        foreach (var (path, value) in names)
            if (NameRules.Problem(value) is { } problem) yield return new ConfigurationProblem(path, problem);
    }

    private static string Printable(string name) => new(name.Select(c => NameRules.IsForbidden(c) ? '?' : c).ToArray());
}
