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
        // -WhatIf counts what is waiting, without writing anything anywhere (up to a bound, to keep memory bounded).
        var moved = whatIf
            ? (await store.GetUnmovedStatusMessagesAsync(WhatIfCountLimit, ct).ConfigureAwait(false)).Count
            : await MoveToHqAsync(store, progress, ct).ConfigureAwait(false);

        var cutoff = context.Time.GetUtcNow() - TimeSpan.FromDays(Config.RetentionDays);
        progress?.Report(new StatusMoveProgress($"Purging sessions created before {cutoff:u}", 60));
        var (sessionsPurged, messagesPurged, files, packageBytes) = await PurgeAsync(store, cutoff, whatIf, ct).ConfigureAwait(false);
        progress?.Report(new StatusMoveProgress("Sweeping orphan temporary files", 90));
        var (temps, tempBytes) = SweepTempFiles(whatIf);
        var (partials, partialBytes) = SweepPartials(cutoff, whatIf);
        (temps, tempBytes) = (temps + partials, tempBytes + partialBytes);
        progress?.Report(new StatusMoveProgress("Completed", 100));
        var summary = new StatusMoveSummary
        {
            WhatIf = whatIf, MessagesMoved = moved, SessionsPurged = sessionsPurged, StatusMessagesPurged = messagesPurged,
            ChannelDatabasesRetired = retired, PackageFilesDeleted = files, TempFilesDeleted = temps, BytesFreed = packageBytes + tempBytes,
            RetentionDays = Config.RetentionDays, PurgedBefore = cutoff, HqDatabase = hq.Display,
        };
        // The -WhatIf preview logs nothing: a log line says what happened, after it happened.
        if (!whatIf)
            _log.LogInformation(
                "Status messages: {Moved} moved to HQ; purged {Sessions} session(s), {Messages} message(s), " +
                "{Files} package file(s), {Temps} temporary file(s).",
                moved, summary.SessionsPurged, summary.StatusMessagesPurged, files, temps);
        return summary;
    }

    /// <summary>Copies waiting status messages to HQ batch by batch, marking each batch moved after it is written.</summary>
    private async Task<int> MoveToHqAsync(IMessageStore store, IProgress<StatusMoveProgress>? progress, CancellationToken ct)
    {
        await using var archive = context.OpenStatusArchive();
        await archive.EnsureCreatedAsync(ct).ConfigureAwait(false);
        var moved = 0;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var batch = await store.GetUnmovedStatusMessagesAsync(BatchSize, ct).ConfigureAwait(false);
            if (batch.Count == 0) return moved;
            await archive.WriteAsync(batch, ct).ConfigureAwait(false);
            await store.MarkStatusMessagesMovedAsync(batch.Select(m => m.Id).ToList(), ct).ConfigureAwait(false);
            moved += batch.Count;
            progress?.Report(new StatusMoveProgress($"{moved:N0} status message(s) moved to HQ", 50));
        }
    }

    /// <summary>
    /// The package files of purged sessions. A package_file that is not a bare package file name inside its
    /// folder (a tampered row) is never touched: only logged (issue 12 point 1).
    /// </summary>
    private (int Files, long Bytes) DeletePackageFiles(IReadOnlyList<PurgedSession> purged, bool whatIf)
    {
        int files = 0;
        long bytes = 0;
        foreach (var s in purged.Where(s => s.PackageFile is not null))
        {
            var folder = s.Staged ? Config.StagingFolder : Config.DownloadFolder;
            if (PackageFiles.TryPathIn(folder, s.PackageFile) is not { } path)
            {
                _log.LogWarning("Session {Id} names package file '{File}', which is not a package file name in {Folder}; it was not deleted.",
                    s.Id, s.PackageFile, folder);
                continue;
            }
            if (!File.Exists(path)) continue;
            bytes += new FileInfo(path).Length;
            files++;
            if (!whatIf) PackageFiles.TryDelete(path);
        }
        return (files, bytes);
    }

    /// <summary>
    /// Partial files of HTTPS uploads (.NAME.partial in the upload folder) not written to for the retention period: their session
    /// was purged, or never got a status that deleted them (a crash between the two); a live upload writes to its file far more often.
    /// Never younger than <see cref="TempFileMinimumAge"/>, so retentionDays 0 cannot delete an upload that is arriving now.
    /// </summary>
    private (int Files, long Bytes) SweepPartials(DateTimeOffset retentionCutoff, bool whatIf)
    {
        var youngest = context.Time.GetUtcNow() - TempFileMinimumAge;
        var cutoff = retentionCutoff < youngest ? retentionCutoff : youngest;
        int files = 0;
        long bytes = 0;
        foreach (var info in PackageFiles.FilesWithin(Config.UploadFolder, ".*.partial"))
        {
            if (info.LastWriteTimeUtc >= cutoff) continue;
            bytes += info.Length;
            files++;
            if (!whatIf) PackageFiles.TryDelete(info.FullName);
        }
        return (files, bytes);
    }

    /// <summary>Orphan temporary files (.NAME.tmp) older than <see cref="TempFileMinimumAge"/>; links are never followed.</summary>
    private (int Files, long Bytes) SweepTempFiles(bool whatIf)
    {
        int temps = 0;
        long bytes = 0;
        foreach (var folder in WorkingFolders())
            foreach (var info in PackageFiles.FilesWithin(folder, ".*.tmp"))
            {
                if (context.Time.GetUtcNow() - info.LastWriteTimeUtc < TempFileMinimumAge) continue;
                bytes += info.Length;
                temps++;
                if (!whatIf) PackageFiles.TryDelete(info.FullName);
            }
        return (temps, bytes);
    }

    /// <summary>
    /// Purges what is older than <paramref name="cutoff"/>: a batch per transaction, its package files deleted before
    /// the next, so memory and lock time stay bounded (issue 12, point 10). Returns sessions, status messages, files
    /// and bytes (what would go, under -WhatIf).
    /// </summary>
    private async Task<(int Sessions, int Messages, int Files, long Bytes)> PurgeAsync(IMessageStore store, DateTimeOffset cutoff, bool whatIf,
        CancellationToken ct)
    {
        if (whatIf)
        {
            var preview = await store.PurgeAsync(cutoff, whatIf: true, ct).ConfigureAwait(false);
            var (previewFiles, previewBytes) = DeletePackageFiles(preview.Sessions, whatIf: true);
            return (preview.Sessions.Count, preview.StatusMessages, previewFiles, previewBytes);
        }
        int sessions = 0, messages = 0, files = 0;
        long bytes = 0;
        while (true)
        {
            var batch = await store.PurgeBatchAsync(cutoff, PurgeBatchSize, ct).ConfigureAwait(false);
            sessions += batch.Sessions.Count;
            messages += batch.StatusMessages;
            var (batchFiles, batchBytes) = DeletePackageFiles(batch.Sessions, whatIf: false);
            (files, bytes) = (files + batchFiles, bytes + batchBytes);
            if (batch.Sessions.Count < PurgeBatchSize && batch.StatusMessages < PurgeBatchSize) break;
        }
        var (uploads, uploadFiles, uploadBytes) = await PurgeUploadsAsync(store, cutoff, ct).ConfigureAwait(false);
        (sessions, files, bytes) = (sessions + uploads, files + uploadFiles, bytes + uploadBytes);
        // Messages that could not be moved for twice the retention period are dropped: the outbox stays bounded.
        var unmoved = await store.PurgeUnmovedStatusMessagesAsync(cutoff - TimeSpan.FromDays(Config.RetentionDays), PurgeBatchSize, ct)
            .ConfigureAwait(false);
        if (unmoved > 0)
            _log.LogWarning("{Count} status message(s) never moved to HQ in {Days} days were purged.", unmoved, 2 * Config.RetentionDays);
        return (sessions, messages + unmoved, files, bytes);
    }

    /// <summary>Finished upload sessions (Applied, Canceled, UploadFailed) older than the cutoff, a batch per transaction, with their packages.</summary>
    private async Task<(int Sessions, int Files, long Bytes)> PurgeUploadsAsync(IMessageStore store, DateTimeOffset cutoff, CancellationToken ct)
    {
        int sessions = 0, files = 0;
        long bytes = 0;
        while (true)
        {
            var batch = await store.PurgeUploadsAsync(cutoff, PurgeBatchSize, ct).ConfigureAwait(false);
            sessions += batch.Count;
            // The package, and the partial file an HTTPS upload left (named from the row as the endpoint names it, only inside the folder).
            var paths = batch.Select(s => PackageFiles.TryPathIn(Config.UploadFolder, s.PackageFile))
                .Concat(batch.Select(s => PackageFiles.PartialPathIn(Config.UploadFolder, PackageFiles.Name(s.Partition, s.JobId, s.ChannelDatabase, s.Id))));
            foreach (var path in paths.OfType<string>())
            {
                var size = File.Exists(path) ? new FileInfo(path).Length : 0;
                if (PackageFiles.TryDelete(path) && size > 0) (files, bytes) = (files + 1, bytes + size);
            }
            if (batch.Count < PurgeBatchSize) return (sessions, files, bytes);
        }
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
        return roots.Where(r => !roots.Any(o => o != r
            && r.StartsWith(o.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal)));
    }
}
