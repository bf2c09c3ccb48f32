using AsyncServer.Configuration;
using AsyncServer.Diagnostics;

namespace AsyncServer.Distribution;

/// <summary>Expands a request into (job, data group) runs, checking every name against the configuration.</summary>
public static class DistributionPlanner
{
    public static IReadOnlyList<PlannedRun> Expand(AsyncServerConfiguration config, DistributionRequest request)
    {
        var pairs = new List<(JobSettings Job, DataGroupSettings Group)>();
        foreach (var name in request.Schedules)
        {
            var schedule = config.FindSchedule(name) ?? throw new AsyncServerException(ErrorIds.ScheduleNotFound, ErrorKind.ObjectNotFound,
                $"Schedule '{name}' is not defined in the configuration's $.schedules.", name);
            if (schedule.IsUpload) continue; // applied by UploadApplier (docs/upload.md)
            foreach (var job in schedule.Jobs.Select(j => Job(config, j)))
                foreach (var group in schedule.DataGroups.Select(g => Group(config, g)))
                    pairs.Add((job, group));
        }

        var targetedGroups = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var id in request.ChannelDatabases)
        {
            var found = config.FindChannelDatabase(id) ?? throw new AsyncServerException(ErrorIds.ChannelDatabaseNotFound, ErrorKind.ObjectNotFound,
                $"Channel database '{id}' is not defined in any data group of the configuration.", id);
            if (!targetedGroups.TryGetValue(found.Group.Id, out var list)) targetedGroups[found.Group.Id] = list = [];
            list.Add(found.Database.Id);
        }

        if (request.Jobs.Count > 0)
        {
            var groups = request.DataGroups.Count > 0 ? request.DataGroups.Select(g => Group(config, g)).ToList()
                : targetedGroups.Count > 0 ? targetedGroups.Keys.Select(g => Group(config, g)).ToList()
                : config.DataGroups;
            foreach (var job in request.Jobs.Select(j => Job(config, j)))
                foreach (var group in groups)
                    pairs.Add((job, group));
        }
        else if (request.Schedules.Count == 0)
        {
            throw new AsyncServerException(ErrorIds.NothingToDistribute, ErrorKind.InvalidArgument,
                "Name a schedule (-Schedule) or one or more jobs (-Job) to distribute.", null);
        }

        if (targetedGroups.Count > 0 && !request.FullSync)
            throw new AsyncServerException(ErrorIds.NothingToDistribute, ErrorKind.InvalidArgument,
                "-ChannelDatabase chooses channel databases for a full sync; add -FullSync.", request.ChannelDatabases);
        if (request.DeleteExistingData && !request.FullSync)
            throw new AsyncServerException(ErrorIds.NothingToDistribute, ErrorKind.InvalidArgument,
                "-DeleteExistingData only applies to a full sync; add -FullSync.", null);

        var runs = new List<PlannedRun>();
        foreach (var (job, group) in pairs.DistinctBy(p => (p.Job.Id.ToUpperInvariant(), p.Group.Id.ToUpperInvariant())))
        {
            if (targetedGroups.Count > 0)
            {
                if (targetedGroups.TryGetValue(group.Id, out var dbs)) runs.Add(new PlannedRun(job, group, dbs, Targeted: true));
                continue;
            }
            runs.Add(new PlannedRun(job, group, group.ChannelDatabases.Select(d => d.Id).ToList(), Targeted: false));
        }
        if (request.OnlyRuns is { } only)
            runs = runs.Where(r => only.Contains($"{r.Job.Id}|{r.DataGroup.Id}", StringComparer.OrdinalIgnoreCase)).ToList();
        return runs;
    }

    private static JobSettings Job(AsyncServerConfiguration config, string id) => config.FindJob(id)
        ?? throw new AsyncServerException(ErrorIds.JobNotFound, ErrorKind.ObjectNotFound, $"Job '{id}' is not defined in the configuration's $.jobs.", id);

    private static DataGroupSettings Group(AsyncServerConfiguration config, string id) => config.FindDataGroup(id)
        ?? throw new AsyncServerException(ErrorIds.DataGroupNotFound, ErrorKind.ObjectNotFound,
            $"Data group '{id}' is not defined in the configuration's $.dataGroups.", id);
}
