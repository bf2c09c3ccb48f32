using AsyncServer.Configuration;
using AsyncServer.Diagnostics;
using AsyncServer.Messaging;
using AsyncServer.Packaging;
using Microsoft.Extensions.Logging;

namespace AsyncServer.Distribution;

/// <summary>
/// Cleans up after a run that died: its sessions are still Started with no recorded package, so their files
/// (finished or temporary, in the download or the staging folder) are deleted and the sessions marked
/// CreateFailed. Only called while holding the lease of that (data group, job), so the run that created them
/// is gone (its lease expired).
/// </summary>
public static class RunSweeper
{
    public static async Task SweepAsync(IMessageStore store, AsyncServerConfiguration config, string instanceId, PlannedRun run, ILogger log,
        CancellationToken ct)
    {
        var leftovers = await store.GetUnfinishedSessionsAsync(config.Partition, run.DataGroup.Id, run.Job.Id, ct).ConfigureAwait(false);
        if (leftovers.Count == 0) return;
        foreach (var s in leftovers)
        {
            var name = PackageFiles.Name(s.Partition, s.JobId, s.DataGroup, s.Id);
            foreach (var folder in new[] { config.DownloadFolder, config.StagingFolder })
            {
                var path = Path.Combine(folder, name);
                PackageFiles.TryDelete(PackageWriter.TempPathFor(path));
                PackageFiles.TryDelete(path);
            }
        }
        var instances = string.Join(", ", leftovers.Select(s => s.InstanceId).Distinct());
        var message = $"Abandoned by instance {instances} before it was recorded; swept by {instanceId}.";
        await store.FailSessionsAsync(leftovers.Select(s => s.Id).ToList(), SessionStatus.CreateFailed, message, ct).ConfigureAwait(false);
        AsyncServerMetrics.TookOver("download", leftovers.Count);
        log.LogWarning("Swept {Count} unfinished session(s) of job {Job}, data group {Group}: {Message}",
            leftovers.Count, run.Job.Id, run.DataGroup.Id, message);
    }
}
