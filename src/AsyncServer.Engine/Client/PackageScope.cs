using AsyncServer.Configuration;
using AsyncServer.Packaging;

namespace AsyncServer.Client;

/// <summary>
/// What a package may touch at a channel database (issue 12, point 2). The manifest comes from a file on a share:
/// on its own word a forged package could create, empty or write any table of the channel database. So before
/// anything is created, emptied or written, every table and column it names is checked against what this
/// configuration's job may write: the channel tables of the job's subjobs and, where a subjob maps its fields, the
/// mapped channel columns only (a subjob without a field map sends every HQ column under its own name, which the
/// client cannot list without HQ: there only the table is checked).
/// </summary>
public static class PackageScope
{
    /// <summary>Everything the manifest names beyond what its job may write; empty when it stays in scope.</summary>
    public static IReadOnlyList<string> Problems(AsyncServerConfiguration config, PackageManifest manifest)
    {
        var job = config.FindJob(manifest.JobId);
        if (job is null) return [$"its job '{manifest.JobId}' is not defined in this configuration, so nothing it names may be written"];

        // Channel table -> the subjobs of the job that write it (a table may be fed by more than one subjob).
        var subjobsByTable = new Dictionary<string, List<SubjobSettings>>(StringComparer.OrdinalIgnoreCase);
        foreach (var id in job.Subjobs)
            if (config.FindSubjob(id) is { } subjob)
            {
                if (!subjobsByTable.TryGetValue(subjob.EffectiveChannelTable, out var list)) subjobsByTable[subjob.EffectiveChannelTable] = list = [];
                list.Add(subjob);
            }
        var allowedTables = string.Join(", ", subjobsByTable.Keys.Order(StringComparer.OrdinalIgnoreCase));

        var problems = new List<string>();
        foreach (var table in manifest.DeleteExistingTables.Where(t => !subjobsByTable.ContainsKey(t)))
            problems.Add($"it would empty table '{table}', which job {job.Id} does not write (it writes {allowedTables})");
        foreach (var table in manifest.Tables)
        {
            if (!subjobsByTable.TryGetValue(table.ChannelTable, out var writers))
            {
                problems.Add($"it writes table '{table.ChannelTable}', which job {job.Id} does not write (it writes {allowedTables})");
                continue;
            }
            var subjob = writers.FirstOrDefault(s => string.Equals(s.Id, table.Subjob, StringComparison.OrdinalIgnoreCase));
            if (subjob is null)
            {
                problems.Add($"its table '{table.ChannelTable}' claims subjob '{table.Subjob}', which is not a subjob of job {job.Id} writing that table");
                continue;
            }
            if (subjob.Fields.Count == 0) continue;
            var allowedColumns = subjob.Fields.Values.ToHashSet(StringComparer.OrdinalIgnoreCase);
            foreach (var column in table.Columns.Where(c => !allowedColumns.Contains(c.Name)))
                problems.Add($"it writes column '{column.Name}' of table '{table.ChannelTable}', which subjob {subjob.Id} does not map");
        }
        return problems;
    }
}
