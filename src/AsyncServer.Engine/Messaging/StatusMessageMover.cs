using AsyncServer.Configuration;
using AsyncServer.Packaging;
using Microsoft.Extensions.Logging;

namespace AsyncServer.Messaging;

/// <summary>What Move-AsyncStatusMessage did (or, with -WhatIf, would do).</summary>
public sealed record StatusMoveSummary
{
    public bool WhatIf { get; init; }
    public int MessagesMoved { get; init; }
    public int SessionsPurged { get; init; }
    public int StatusMessagesPurged { get; init; }
    public int PackageFilesDeleted { get; init; }
    /// <summary>Channel databases removed from the configuration whose pending targets this run canceled.</summary>
    public int ChannelDatabasesRetired { get; init; }
    public int TempFilesDeleted { get; init; }
    public long BytesFreed { get; init; }
    public int RetentionDays { get; init; }
    public DateTimeOffset PurgedBefore { get; init; }
    public string HqDatabase { get; init; } = "";
}

/// <summary>Progress of a move, reported through IProgress.</summary>
public sealed record StatusMoveProgress(string Status, int PercentComplete);

/// <summary>
/// The "process status messages" job: copies status messages into the HQ status tables and marks them moved
/// (safe to interrupt: the HQ table is keyed by message id, so a message written but not yet marked is simply
/// skipped on the next run), then applies the retention settings: finished sessions and moved messages older
/// than RetentionDays go, with their package files (a batch per transaction), messages never moved go after twice that,
/// channel databases removed from the configuration have their pending targets canceled, and orphan temporary files
/// (.NAME.tmp) are swept.
/// </summary>
public sealed class StatusMessageMover(EngineContext context)
{
    private readonly ILogger _log = context.CreateLogger<StatusMessageMover>();
    private AsyncServerConfiguration Config => context.Configuration;

    /// <summary>Messages per HQ transaction.</summary>
    public int BatchSize { get; init; } = 1000;

    /// <summary>Sessions (and status messages) purged per message-database transaction.</summary>
    public int PurgeBatchSize { get; init; } = 1000;

    /// <summary>-WhatIf counts at most this many waiting messages.</summary>
    public const int WhatIfCountLimit = 100_000;

    /// <summary>Temporary files younger than this may belong to a package being written now; they are left alone.</summary>
    public TimeSpan TempFileMinimumAge { get; init; } = TimeSpan.FromHours(1);

    public async Task<StatusMoveSummary> RunAsync(bool whatIf, IProgress<StatusMoveProgress>? progress, CancellationToken ct)
    {
        await using var store = context.OpenMessageStore();
        await store.EnsureReadyAsync(ct).ConfigureAwait(false);
        var hq = context.HqConnection;
        // First, so the cancellations reach HQ with this run's messages.
        var retired = whatIf ? 0 : await RetireRemovedChannelDatabasesAsync(store, ct).ConfigureAwait(false);
        var moved = 0;
        if (whatIf)
        {
            // Count what is waiting, without writing anything anywhere (up to a bound, to keep memory bounded).
            moved = (await store.GetUnmovedStatusMessagesAsync(WhatIfCountLimit, ct).ConfigureAwait(false)).Count;
        }
        else
        {
            await using var archive = context.OpenStatusArchive();
            await archive.EnsureCreatedAsync(ct).ConfigureAwait(false);
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                var batch = await store.GetUnmovedStatusMessagesAsync(BatchSize, ct).ConfigureAwait(false);
                if (batch.Count == 0) break;
                await archive.WriteAsync(batch, ct).ConfigureAwait(false);
                await store.MarkStatusMessagesMovedAsync(batch.Select(m => m.Id).ToList(), ct).ConfigureAwait(false);
                moved += batch.Count;
                progress?.Report(new StatusMoveProgress($"{moved:N0} status message(s) moved to HQ", 50));
            }
        }

        var cutoff = context.Time.GetUtcNow() - TimeSpan.FromDays(Config.RetentionDays);
        progress?.Report(new StatusMoveProgress($"Purging sessions created before {cutoff:u}", 60));
        int files = 0, temps = 0, sessionsPurged = 0, messagesPurged = 0;
        long bytes = 0;
        void DeletePackages(IEnumerable<PurgedSession> sessions)
        {
            foreach (var s in sessions.Where(s => s.PackageFile is not null))
            {
                var path = Path.Combine(s.Staged ? Config.StagingFolder : Config.DownloadFolder, s.PackageFile!);
                if (!File.Exists(path)) continue;
                bytes += new FileInfo(path).Length;
                files++;
                if (!whatIf) TryDelete(path);
            }
        }
        if (whatIf)
        {
            var preview = await store.PurgeAsync(cutoff, whatIf: true, ct).ConfigureAwait(false);
            (sessionsPurged, messagesPurged) = (preview.Sessions.Count, preview.StatusMessages);
            DeletePackages(preview.Sessions);
        }
        else
        {
            // A batch per transaction, its files deleted before the next: memory and lock time stay bounded (issue 12, point 10).
            while (true)
            {
                var batch = await store.PurgeBatchAsync(cutoff, PurgeBatchSize, ct).ConfigureAwait(false);
                sessionsPurged += batch.Sessions.Count;
                messagesPurged += batch.StatusMessages;
                DeletePackages(batch.Sessions);
                if (batch.Sessions.Count < PurgeBatchSize && batch.StatusMessages < PurgeBatchSize) break;
            }
            // Messages that could not be moved for twice the retention period are dropped: the outbox stays bounded.
            var unmoved = await store.PurgeUnmovedStatusMessagesAsync(cutoff - TimeSpan.FromDays(Config.RetentionDays), PurgeBatchSize, ct).ConfigureAwait(false);
            if (unmoved > 0)
                _log.LogWarning("{Count} status message(s) never moved to HQ in {Days} days were purged.", unmoved, 2 * Config.RetentionDays);
            messagesPurged += unmoved;
        }
        progress?.Report(new StatusMoveProgress("Sweeping orphan temporary files", 90));
        foreach (var folder in WorkingFolders())
        {
            if (!Directory.Exists(folder)) continue;
            foreach (var file in Directory.EnumerateFiles(folder, ".*.tmp", SearchOption.AllDirectories))
            {
                var info = new FileInfo(file);
                if (context.Time.GetUtcNow() - info.LastWriteTimeUtc < TempFileMinimumAge) continue;
                bytes += info.Length;
                temps++;
                if (!whatIf) TryDelete(file);
            }
        }
        progress?.Report(new StatusMoveProgress("Completed", 100));
        var summary = new StatusMoveSummary
        {
            WhatIf = whatIf, MessagesMoved = moved, SessionsPurged = sessionsPurged, StatusMessagesPurged = messagesPurged, ChannelDatabasesRetired = retired,
            PackageFilesDeleted = files, TempFilesDeleted = temps, BytesFreed = bytes, RetentionDays = Config.RetentionDays, PurgedBefore = cutoff,
            HqDatabase = hq.Display,
        };
        _log.LogInformation("Status messages: {Moved} moved to HQ; purged {Sessions} session(s), {Messages} message(s), {Files} package file(s), {Temps} temporary file(s).",
            moved, summary.SessionsPurged, summary.StatusMessagesPurged, files, temps);
        return summary;
    }

    /// <summary>
    /// A channel database removed from the configuration gets a defined end: its pending targets are canceled with a
    /// reason, so its sessions and package files can be purged, and it is seeded afresh if it comes back.
    /// </summary>
    private async Task<int> RetireRemovedChannelDatabasesAsync(IMessageStore store, CancellationToken ct)
    {
        var retired = 0;
        foreach (var db in await store.GetChannelDatabasesWithPendingTargetsAsync(ct).ConfigureAwait(false))
        {
            if (Config.FindChannelDatabase(db) is not null) continue;
            var canceled = await store.RetireChannelDatabaseAsync(db, $"Channel database '{db}' was removed from the configuration.", ct).ConfigureAwait(false);
            _log.LogWarning("Channel database {Database} is no longer configured: {Count} pending target(s) canceled.", db, canceled);
            retired++;
        }
        return retired;
    }

    /// <summary>The download, staging and upload folders and the reference client's local folders.</summary>
    private IEnumerable<string> WorkingFolders()
    {
        var client = Config.ResolvePath("client");
        // The staging folder usually sits inside the download folder; enumerate each tree once.
        var roots = new[] { Config.DownloadFolder, Config.StagingFolder, Config.UploadFolder, client }.Distinct(StringComparer.Ordinal).ToList();
        return roots.Where(r => !roots.Any(o => o != r && r.StartsWith(o.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal)));
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
