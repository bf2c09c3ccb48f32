using AsyncServer.Diagnostics;

namespace AsyncServer.Configuration;

/// <summary>
/// The range of every number in the configuration, and the check that every id and name is printable. A number
/// out of range used to pass and fail later in arithmetic (retentionDays 2147483647 made Move-AsyncStatusMessage
/// fail with "TimeSpan overflowed"); these checks run before any work. docs/configuration.md lists the ranges.
/// </summary>
public static class ConfigurationLimits
{
    public const int MaxTryCount = 1000;
    public const int MaxRetentionDays = 3650;
    public const int MaxLeaseSeconds = 86_400;
    public const long MaxPackageRows = 1_000_000_000;
    public const long MinPackageBytes = 1024;
    public const long MaxPackageBytes = 4L * 1024 * 1024 * 1024;

    /// <summary>Every number out of range and every id or name with a control character, each with its JSON path.</summary>
    public static IReadOnlyList<ConfigurationProblem> Check(AsyncServerConfiguration config)
    {
        var problems = new List<ConfigurationProblem>();
        void Range(string path, long value, long min, long max, string? zeroMeans = null)
        {
            if (value < min || value > max)
                problems.Add(new(path, $"is {value}; it must be between {min} and {max}{(zeroMeans is null ? "" : $" (0 means {zeroMeans})")}"));
        }
        Range("$.packageLimits.maxRows", config.PackageLimits.MaxRows, 1, MaxPackageRows);
        Range("$.packageLimits.maxBytes", config.PackageLimits.MaxBytes, MinPackageBytes, MaxPackageBytes);
        Range("$.tryCount", config.TryCount, 0, MaxTryCount, "no limit");
        Range("$.retentionDays", config.RetentionDays, 0, MaxRetentionDays);
        Range("$.leaseSeconds", config.LeaseSeconds, 1, MaxLeaseSeconds);
        Range("$.health.contactIntervalSeconds", config.Health.ContactIntervalSeconds, 1, HealthSettings.MaxContactIntervalSeconds);
        Range("$.health.silentAfterIntervals", config.Health.SilentAfterIntervals, 1, HealthSettings.MaxSilentAfterIntervals);

        void Name(string path, string? value)
        {
            if (NameRules.Problem(value) is { } problem) problems.Add(new(path, problem));
        }
        Name("$.partition", config.Partition);
        Name("$.workingFolders.download", config.WorkingFolders?.Download);
        Name("$.workingFolders.upload", config.WorkingFolders?.Upload);
        Name("$.workingFolders.staging", config.WorkingFolders?.Staging);
        CheckDataGroupNames(config, Name);
        CheckSubjobNames(config, Name);
        for (var i = 0; i < config.Jobs.Count; i++)
        {
            Name($"$.jobs[{i}].id", config.Jobs[i].Id);
            Name($"$.jobs[{i}].name", config.Jobs[i].Name);
            for (var k = 0; k < config.Jobs[i].Subjobs.Count; k++) Name($"$.jobs[{i}].subjobs[{k}]", config.Jobs[i].Subjobs[k]);
        }
        for (var i = 0; i < config.Schedules.Count; i++)
        {
            var s = config.Schedules[i];
            Name($"$.schedules[{i}].name", s.Name);
            for (var k = 0; k < s.Jobs.Count; k++) Name($"$.schedules[{i}].jobs[{k}]", s.Jobs[k]);
            for (var k = 0; k < s.DataGroups.Count; k++) Name($"$.schedules[{i}].dataGroups[{k}]", s.DataGroups[k]);
            Name($"$.schedules[{i}].recurrence.timeZone", s.Recurrence?.TimeZone);
        }
        problems.AddRange(UploadLimits.Check(config));
        return problems;
    }

    /// <summary>The ids and names of the data groups and their channel databases, and the channel databases' parameters.</summary>
    private static void CheckDataGroupNames(AsyncServerConfiguration config, Action<string, string?> checkName)
    {
        for (var i = 0; i < config.DataGroups.Count; i++)
        {
            var g = config.DataGroups[i];
            checkName($"$.dataGroups[{i}].id", g.Id);
            checkName($"$.dataGroups[{i}].name", g.Name);
            for (var k = 0; k < g.ChannelDatabases.Count; k++)
            {
                var db = g.ChannelDatabases[k];
                var path = $"$.dataGroups[{i}].channelDatabases[{k}]";
                checkName($"{path}.id", db.Id);
                foreach (var (name, value) in db.Parameters)
                {
                    checkName($"{path}.parameters", name);
                    checkName($"{path}.parameters.{Printable(name)}", value);
                }
            }
        }
    }

    /// <summary>The subjobs' ids, tables and field names.</summary>
    private static void CheckSubjobNames(AsyncServerConfiguration config, Action<string, string?> checkName)
    {
        for (var i = 0; i < config.Subjobs.Count; i++)
        {
            var s = config.Subjobs[i];
            checkName($"$.subjobs[{i}].id", s.Id);
            checkName($"$.subjobs[{i}].hqTable", s.HqTable);
            checkName($"$.subjobs[{i}].channelTable", s.ChannelTable);
            foreach (var (hq, channel) in s.Fields)
            {
                checkName($"$.subjobs[{i}].fields", hq);
                checkName($"$.subjobs[{i}].fields.{Printable(hq)}", channel);
            }
        }
    }

    /// <summary>
    /// For every command but Test-AsyncConfiguration: refuses a configuration with a number out of range or a
    /// name with a control character before anything is done with it.
    /// </summary>
    public static void ThrowIfViolated(AsyncServerConfiguration config)
    {
        var problems = Check(config);
        if (problems.Count == 0) return;
        throw new AsyncServerException(ErrorIds.ConfigurationInvalid, ErrorKind.InvalidData,
            $"{config.SourcePath ?? "The configuration"} has values out of range or names with control characters; nothing was done:"
            + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  " + p)) + Environment.NewLine
            + "Run Test-AsyncConfiguration for every problem of the file.", problems);
    }

    private static string Printable(string name) => new(name.Select(c => NameRules.IsForbidden(c) ? '?' : c).ToArray());
}
