using AsyncServer.ChangeTracking;
using AsyncServer.Configuration;
using AsyncServer.Diagnostics;
using AsyncServer.Messaging;
using AsyncServer.Packaging;
using Microsoft.Extensions.Logging;

namespace AsyncServer.Distribution;

/// <summary>
/// The download pipeline behind Start-AsyncDistribution. For each (job, data group): claim it with a lease,
/// sweep what a crashed run left, read the row version, open one HQ snapshot, decide incremental or full,
/// stream every subjob's rows into package files, then record sessions and the new row version in one
/// message-database transaction (architecture rules 1, 3 and 5).
/// </summary>
public sealed class DistributionRunner
{
    private readonly EngineContext _context;
    private readonly DistributionOptions _options;
    private readonly ILogger _log;

    public DistributionRunner(EngineContext context, DistributionOptions? options = null)
    {
        _context = context;
        _options = options ?? new DistributionOptions();
        _log = context.CreateLogger<DistributionRunner>();
    }

    private AsyncServerConfiguration Config => _context.Configuration;

    private TimeSpan LeaseDuration => _options.LeaseDuration ?? TimeSpan.FromSeconds(Config.LeaseSeconds);

    private static string LeaseResource(string partition, string group, string job) => $"download/{partition}/{group}/{job}";

    /// <summary>What the request would do, reading but never writing (for -WhatIf).</summary>
    public async Task<IReadOnlyList<DistributionPlanItem>> PlanAsync(DistributionRequest request, CancellationToken cancellationToken)
    {
        var runs = DistributionPlanner.Expand(Config, request);
        await using var store = _context.OpenMessageStore();
        await store.EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
        await using var hq = _context.OpenChangeSource();
        var subjobs = await ResolveSubjobsAsync(hq, runs, cancellationToken).ConfigureAwait(false);
        await using var snapshot = await hq.OpenSnapshotAsync(cancellationToken).ConfigureAwait(false);
        var plan = new List<DistributionPlanItem>();
        foreach (var run in runs)
        {
            var rowVersion = await store.GetRowVersionAsync(Config.Partition, run.DataGroup.Id, run.Job.Id, cancellationToken).ConfigureAwait(false);
            var (kind, reason) = await DecideKindAsync(request, run, rowVersion, snapshot, subjobs, cancellationToken).ConfigureAwait(false);
            var noData = kind == SessionKind.Incremental && rowVersion == snapshot.CurrentVersion;
            IReadOnlyList<string> seed = !run.Targeted && kind == SessionKind.Incremental
                ? await store.FindChannelDatabasesToSeedAsync(Config.Partition, run.DataGroup.Id, run.Job.Id, run.ChannelDatabases, cancellationToken).ConfigureAwait(false)
                : [];
            var others = run.ChannelDatabases.Except(seed, StringComparer.OrdinalIgnoreCase).ToList();
            if (others.Count > 0)
                plan.Add(new DistributionPlanItem(run.Job.Id, run.DataGroup.Id, noData ? "NoData" : kind.ToString(),
                    kind == SessionKind.Full ? null : rowVersion, snapshot.CurrentVersion, reason, others));
            if (seed.Count > 0)
                plan.Add(new DistributionPlanItem(run.Job.Id, run.DataGroup.Id, "Full", null, snapshot.CurrentVersion,
                    $"Seeding new channel database(s) {string.Join(", ", seed)} with one full package (delete existing data).", seed));
        }
        return plan;
    }

    /// <summary>Runs the request; returns the sessions it recorded. Work claimed by another instance is skipped with a warning.</summary>
    public async Task<IReadOnlyList<DownloadSessionRecord>> RunAsync(DistributionRequest request, IProgress<DistributionProgress>? progress, CancellationToken cancellationToken)
    {
        var runs = DistributionPlanner.Expand(Config, request);
        WorkingFolders.Prepare(Config, request.NoPublish); // the checks Test-AsyncConfiguration makes, before any work
        // Like "Run now" in AX: naming a schedule runs it even when inactive; only the scheduler skips inactive ones.
        foreach (var inactive in request.Schedules.Select(Config.FindSchedule).Where(sc => sc is { Active: false }))
            _log.LogWarning("Schedule {Schedule} is inactive; running it because it was named; the service does not run it.", inactive!.Name);
        await using var store = _context.OpenMessageStore();
        await store.EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
        await using var hq = _context.OpenChangeSource();
        var subjobs = await ResolveSubjobsAsync(hq, runs, cancellationToken).ConfigureAwait(false);

        var recorded = new List<long>();
        for (var i = 0; i < runs.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var tracker = new ProgressTracker(progress, runs[i], i, runs.Count);
            recorded.AddRange(await RunOneAsync(request, runs[i], store, hq, subjobs, tracker, cancellationToken).ConfigureAwait(false));
        }
        progress?.Report(new DistributionProgress("Distribution", "Completed", 100, 0));
        return recorded.Count == 0 ? [] : await store.QuerySessionsAsync(new SessionQuery { Ids = recorded }, cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyDictionary<string, ResolvedSubjob>> ResolveSubjobsAsync(IChangeSource hq, IReadOnlyList<PlannedRun> runs, CancellationToken ct)
    {
        var needed = runs.SelectMany(r => r.Job.Subjobs).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var problems = ConfigurationValidator.ValidateDocument(Config).Where(p => p.Severity == ProblemSeverity.Error).ToList();
        var (resolved, catalogProblems) = await CatalogChecker.ResolveAsync(Config, hq, needed, ct).ConfigureAwait(false);
        problems.AddRange(catalogProblems);
        if (problems.Count > 0)
            throw new AsyncServerException(ErrorIds.ConfigurationInvalid, ErrorKind.InvalidData,
                "The configuration has problems; nothing was distributed:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  " + p)),
                problems);
        return resolved;
    }

    private static async Task<(SessionKind Kind, string? Reason)> DecideKindAsync(DistributionRequest request, PlannedRun run, long? rowVersion,
        IChangeSnapshot snapshot, IReadOnlyDictionary<string, ResolvedSubjob> subjobs, CancellationToken ct)
    {
        if (request.FullSync)
            return (SessionKind.Full, run.Targeted ? $"Full sync requested for {string.Join(", ", run.ChannelDatabases)}." : "Full sync requested.");
        if (rowVersion is null)
            return (SessionKind.Full, $"First distribution of job {run.Job.Id} to data group {run.DataGroup.Id}.");
        foreach (var id in run.Job.Subjobs)
        {
            var subjob = subjobs[id];
            // A filter through a parent reads the parent's changes too (ChangeTracking/ParentFilters): its history counts as well.
            foreach (var table in subjob.ParentTables.Values.Prepend(subjob.Table))
            {
                var min = await snapshot.GetMinValidVersionAsync(table, ct).ConfigureAwait(false);
                if (min > rowVersion)
                    return (SessionKind.Full, $"History gap: change tracking of {table.Name} now starts at version {min}, after the row version {rowVersion}; the changes in between cannot be computed, so every row is sent.");
            }
        }
        return (SessionKind.Incremental, null);
    }

    /// <summary>One pass of a run: the packages for some channel databases at one snapshot, recorded together.</summary>
    private sealed record Pass(PlannedRun Run, SessionKind Kind, string? Reason, long? FromVersion, bool DeleteExisting, long? ExpectedRowVersion, long? NewRowVersion);

    private async Task<IReadOnlyList<long>> RunOneAsync(DistributionRequest request, PlannedRun run, IMessageStore store, IChangeSource hq,
        IReadOnlyDictionary<string, ResolvedSubjob> subjobs, ProgressTracker progress, CancellationToken cancellationToken)
    {
        var partition = Config.Partition;
        var resource = LeaseResource(partition, run.DataGroup.Id, run.Job.Id);
        var lease = await store.TryAcquireLeaseAsync(resource, _context.InstanceId, LeaseDuration, cancellationToken).ConfigureAwait(false);
        if (!lease.Acquired)
        {
            _log.LogWarning("Job {Job} for data group {Group} is being distributed by instance {Holder} (claimed until {Until:u}); skipped.",
                run.Job.Id, run.DataGroup.Id, lease.Holder, lease.ExpiresAt);
            return [];
        }

        // Keep the claim alive while we work; if it is lost, or an operator cancels a session being created, stop.
        using var stopped = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var stopRenewal = new CancellationTokenSource();
        var started = new List<long>();
        var written = new List<string>();
        var watch = new RunWatch();
        var renewal = RenewLeaseAsync(store, resource, stopped, watch, started, stopRenewal.Token);
        try
        {
            var ct = stopped.Token;
            await SweepAsync(store, run, ct).ConfigureAwait(false);
            var rowVersion = await store.GetRowVersionAsync(partition, run.DataGroup.Id, run.Job.Id, ct).ConfigureAwait(false);
            await using var snapshot = await hq.OpenSnapshotAsync(ct).ConfigureAwait(false);
            var current = snapshot.CurrentVersion;
            var (kind, reason) = await DecideKindAsync(request, run, rowVersion, snapshot, subjobs, ct).ConfigureAwait(false);
            if (reason is not null)
            {
                // A history gap means change history was lost before it was delivered: operators must hear about it.
                var level = rowVersion is not null && !request.FullSync ? LogLevel.Warning : LogLevel.Information;
                _log.Log(level, "Job {Job}, data group {Group}: {Reason}", run.Job.Id, run.DataGroup.Id, reason);
            }

            // Seeding: a channel database that has never joined this (data group, job) gets one full package at
            // this snapshot instead of the incremental, and never the history before it (docs/client.md).
            IReadOnlyList<string> seed = [];
            if (!run.Targeted && kind == SessionKind.Incremental)
                seed = await store.FindChannelDatabasesToSeedAsync(partition, run.DataGroup.Id, run.Job.Id, run.ChannelDatabases, ct).ConfigureAwait(false);
            var passes = new List<Pass>();
            var newRowVersion = run.Targeted ? (long?)null : current;
            if (seed.Count > 0 && seed.Count == run.ChannelDatabases.Count)
            {
                passes.Add(new Pass(run, SessionKind.Full, $"Seeding new channel database(s) {string.Join(", ", seed)} with a full package.", null, true, rowVersion, newRowVersion));
            }
            else
            {
                var main = seed.Count == 0 ? run : run with { ChannelDatabases = run.ChannelDatabases.Except(seed, StringComparer.OrdinalIgnoreCase).ToList() };
                // A full sync the engine decides on (first distribution, history gap) replaces the channel's data
                // outright: without delete-existing, rows that left HQ or the filter before it would stay for ever.
                var deleteExisting = request.DeleteExistingData || (kind == SessionKind.Full && !request.FullSync);
                passes.Add(new Pass(main, kind, reason, kind == SessionKind.Full ? null : rowVersion, deleteExisting, rowVersion, newRowVersion));
                if (seed.Count > 0)
                    passes.Add(new Pass(run with { ChannelDatabases = seed, Targeted = true }, SessionKind.Full,
                        $"Seeding new channel database(s) {string.Join(", ", seed)}: one full package instead of the history before it.", null, true,
                        newRowVersion ?? rowVersion, null));
            }
            if (seed.Count > 0)
                _log.LogInformation("Job {Job}, data group {Group}: seeding {Databases} with a full package at version {Version}.", run.Job.Id, run.DataGroup.Id, string.Join(", ", seed), current);

            var ids = new List<long>();
            foreach (var pass in passes)
                ids.AddRange(await PackAndRecordAsync(request, pass, store, snapshot, subjobs, progress, resource, started, written, ct).ConfigureAwait(false));
            return ids;
        }
        catch (Exception ex)
        {
            var canceledByOperator = watch.CanceledSession is not null || ex is AsyncServerException { ErrorId: ErrorIds.SessionCanceled };
            var canceled = ex is OperationCanceledException;
            var why = canceledByOperator ? $"Canceled by the operator (session {watch.CanceledSession?.ToString() ?? (ex as AsyncServerException)?.Target}); this run stopped and recorded nothing."
                : canceled ? (cancellationToken.IsCancellationRequested ? "Canceled by the operator." : "The lease was lost to another instance; this run stopped.")
                : ex.Message;
            await AbandonAsync(store, started, written, canceled || canceledByOperator ? SessionStatus.Canceled : SessionStatus.CreateFailed, why).ConfigureAwait(false);
            if (canceledByOperator && !cancellationToken.IsCancellationRequested)
            {
                _log.LogWarning("Job {Job}, data group {Group}: {Why}", run.Job.Id, run.DataGroup.Id, why);
                return [];
            }
            if (ex is AsyncServerException || canceled && cancellationToken.IsCancellationRequested) throw;
            if (canceled)
                throw new AsyncServerException(ErrorIds.WorkClaimedElsewhere, ErrorKind.ResourceBusy, $"Job {run.Job.Id}, data group {run.DataGroup.Id}: {why}", resource, ex);
            throw new AsyncServerException(ErrorIds.DistributionFailed, ErrorKind.InvalidOperation,
                $"Job {run.Job.Id}, data group {run.DataGroup.Id}: distribution failed: {ex.Message}", resource, ex);
        }
        finally
        {
            stopRenewal.Cancel();
            await renewal.ConfigureAwait(false);
            try { await store.ReleaseLeaseAsync(resource, _context.InstanceId, CancellationToken.None).ConfigureAwait(false); }
            catch (Exception ex) { _log.LogWarning("Could not release lease {Resource}: {Message}; it expires by itself.", resource, ex.Message); }
        }
    }

    /// <summary>Streams every subjob of one pass into package parts and records them in one message-database transaction.</summary>
    private async Task<IReadOnlyList<long>> PackAndRecordAsync(DistributionRequest request, Pass pass, IMessageStore store, IChangeSnapshot snapshot,
        IReadOnlyDictionary<string, ResolvedSubjob> subjobs, ProgressTracker progress, string resource, List<long> started, List<string> written, CancellationToken ct)
    {
        var partition = Config.Partition;
        var run = pass.Run;
        var kind = pass.Kind;
        var current = snapshot.CurrentVersion;
        var fromVersion = pass.FromVersion;

        NewSession SessionFor(int part) => new(partition, run.Job.Id, run.DataGroup.Id, kind, pass.DeleteExisting && part == 1, pass.Reason,
            fromVersion, current, part, _context.InstanceId, run.Targeted ? run.ChannelDatabases : []);

        if (kind == SessionKind.Incremental && pass.ExpectedRowVersion == current)
        {
            _log.LogInformation("Job {Job}, data group {Group}: no changes since version {Version}.", run.Job.Id, run.DataGroup.Id, current);
            return await CompleteAsync(store, run, resource, pass.ExpectedRowVersion, pass.NewRowVersion, [], SessionFor(1), ct).ConfigureAwait(false);
        }

        var jobSubjobs = run.Job.Subjobs.Select(id => subjobs[id]).ToList();
        var parameters = run.DataGroup.ChannelDatabases.FirstOrDefault()?.Parameters ?? new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var folder = request.NoPublish ? Config.StagingFolder : Config.DownloadFolder;
        var packages = new List<CompletedPackage>();
        PackageWriter? writer = null;
        var part = 0;

        async Task StartPartAsync()
        {
            part++;
            var id = await store.CreateStartedSessionAsync(SessionFor(part), ct).ConfigureAwait(false);
            lock (started) started.Add(id);
            var manifest = new PackageManifest
            {
                SessionId = id, Partition = partition, JobId = run.Job.Id, DataGroup = run.DataGroup.Id, Kind = kind.ToString(),
                DeleteExisting = pass.DeleteExisting && part == 1,
                DeleteExistingTables = pass.DeleteExisting && part == 1 ? jobSubjobs.Select(s => s.ChannelTable).Distinct().ToList() : [],
                ChannelDatabases = run.Targeted ? run.ChannelDatabases.ToList() : [],
                FromVersion = fromVersion, ToVersion = current, Part = part, InstanceId = _context.InstanceId, CreatedAt = _context.Time.GetUtcNow(),
            };
            var path = Path.Combine(folder, PackageFileName(partition, run.Job.Id, run.DataGroup.Id, id));
            writer = PackageWriter.Create(manifest, path);
            written.Add(writer.TempPath);
            written.Add(path);
        }

        async Task FinishPartAsync()
        {
            var info = await writer!.CompleteAsync(ct).ConfigureAwait(false);
            await writer.DisposeAsync().ConfigureAwait(false);
            packages.Add(new CompletedPackage(info.Manifest.SessionId, info.RowCount, Path.GetFileName(info.Path), info.Size, info.Sha256, request.NoPublish));
            _log.LogInformation("Package {File}: {Rows} rows, {Bytes} bytes.", Path.GetFileName(info.Path), info.RowCount, info.Size);
            writer = null;
        }

        try
        {
            for (var s = 0; s < jobSubjobs.Count; s++)
            {
                var subjob = jobSubjobs[s];
                progress.Subjob(s, jobSubjobs.Count, subjob.Table.Name);
                var query = new ExtractionQuery(subjob.Table, subjob.Columns, subjob.KeyColumns, subjob.Filter, parameters,
                    name => subjob.ParentTables[name]);
                await using var rows = await snapshot.ReadPackageRowsAsync(query, fromVersion, ct).ConfigureAwait(false);
                while (await rows.ReadAsync(ct).ConfigureAwait(false))
                {
                    if (writer is null) await StartPartAsync().ConfigureAwait(false);
                    else if (writer.RowCount >= Config.PackageLimits.MaxRows || writer.CompressedBytes >= Config.PackageLimits.MaxBytes)
                    {
                        await FinishPartAsync().ConfigureAwait(false);
                        await StartPartAsync().ConfigureAwait(false);
                    }
                    if (!writer!.HasOpenTable) writer.BeginTable(subjob.DescribeForPackage());
                    writer.WriteRow(rows);
                    progress.Row();
                }
                writer?.EndTable();
            }
            // A full sync that deletes existing data must reach the channel even with no rows, to empty its tables.
            if (writer is null && packages.Count == 0 && kind == SessionKind.Full && pass.DeleteExisting)
                await StartPartAsync().ConfigureAwait(false);
            if (writer is not null) await FinishPartAsync().ConfigureAwait(false);
        }
        finally
        {
            if (writer is not null) await writer.DisposeAsync().ConfigureAwait(false);
        }

        if (_options.AfterPackagesWritten is { } hook)
            await hook(packages.Select(p => Path.Combine(folder, p.PackageFile)).ToList(), ct).ConfigureAwait(false);

        var noData = packages.Count == 0 ? SessionFor(1) : null;
        if (noData is not null)
            _log.LogInformation("Job {Job}, data group {Group}: the changes up to version {Version} hold no rows for this data group.", run.Job.Id, run.DataGroup.Id, current);
        var ids = await CompleteAsync(store, run, resource, pass.ExpectedRowVersion, pass.NewRowVersion, packages, noData, ct).ConfigureAwait(false);
        lock (started) started.Clear();
        written.Clear();
        return ids;
    }

    private async Task<IReadOnlyList<long>> CompleteAsync(IMessageStore store, PlannedRun run, string resource, long? expected, long? newVersion,
        IReadOnlyList<CompletedPackage> packages, NewSession? noData, CancellationToken ct)
    {
        var completion = new RunCompletion(Config.Partition, run.DataGroup.Id, run.Job.Id, resource, _context.InstanceId,
            expected, newVersion, packages, noData, run.ChannelDatabases);
        return await store.CompleteRunAsync(completion, ct).ConfigureAwait(false);
    }

    /// <summary>Marks sessions of a failed run and deletes its unrecorded files. Never throws: the original error matters more.</summary>
    private async Task AbandonAsync(IMessageStore store, IReadOnlyList<long> sessions, IReadOnlyList<string> files, SessionStatus status, string why)
    {
        foreach (var file in files) TryDelete(file);
        try { await store.FailSessionsAsync(sessions, status, why, CancellationToken.None).ConfigureAwait(false); }
        catch (Exception ex) { _log.LogWarning("Could not mark sessions {Ids} as {Status}: {Message}; the next run sweeps them.", string.Join(",", sessions), status, ex.Message); }
    }

    /// <summary>
    /// Sessions left in Started by a run that died: their packages were never recorded, so their files are
    /// deleted and the sessions marked CreateFailed. Only called while holding the lease, so the run that
    /// created them is gone (its lease expired).
    /// </summary>
    private async Task SweepAsync(IMessageStore store, PlannedRun run, CancellationToken ct)
    {
        var leftovers = await store.GetUnfinishedSessionsAsync(Config.Partition, run.DataGroup.Id, run.Job.Id, ct).ConfigureAwait(false);
        if (leftovers.Count == 0) return;
        foreach (var s in leftovers)
        {
            var name = PackageFileName(s.Partition, s.JobId, s.DataGroup, s.Id);
            foreach (var folder in new[] { Config.DownloadFolder, Config.StagingFolder })
            {
                var path = Path.Combine(folder, name);
                TryDelete(PackageWriter.TempPathFor(path));
                TryDelete(path);
            }
        }
        var message = $"Abandoned by instance {string.Join(", ", leftovers.Select(s => s.InstanceId).Distinct())} before it was recorded; swept by {_context.InstanceId}.";
        await store.FailSessionsAsync(leftovers.Select(s => s.Id).ToList(), SessionStatus.CreateFailed, message, ct).ConfigureAwait(false);
        _log.LogWarning("Swept {Count} unfinished session(s) of job {Job}, data group {Group}: {Message}", leftovers.Count, run.Job.Id, run.DataGroup.Id, message);
    }

    /// <summary>What the lease keeper saw while a run worked.</summary>
    private sealed class RunWatch
    {
        public long? CanceledSession;
    }

    /// <summary>
    /// Renews the lease while a run works, and watches the sessions it is creating: if the lease is lost, or an
    /// operator cancels one of them (Stop-AsyncSession), the run is stopped through <paramref name="onStop"/>.
    /// </summary>
    private async Task RenewLeaseAsync(IMessageStore store, string resource, CancellationTokenSource onStop, RunWatch watch, List<long> started, CancellationToken stop)
    {
        var interval = TimeSpan.FromTicks(Math.Max(LeaseDuration.Ticks / 3, TimeSpan.FromMilliseconds(100).Ticks));
        var watchInterval = _options.CancellationPollInterval < interval ? _options.CancellationPollInterval : interval;
        var lastRenewal = _context.Time.GetUtcNow();
        try
        {
            while (true)
            {
                await Task.Delay(watchInterval, _context.Time, stop).ConfigureAwait(false);
                long[] ids;
                lock (started) ids = started.ToArray();
                if (ids.Length > 0)
                {
                    var sessions = await store.QuerySessionsAsync(new SessionQuery { Ids = ids }, stop).ConfigureAwait(false);
                    if (sessions.FirstOrDefault(s => s.Status == SessionStatus.Canceled) is { } canceled)
                    {
                        _log.LogWarning("Session {Id} was canceled while it was being created; stopping this run.", canceled.Id);
                        watch.CanceledSession = canceled.Id;
                        onStop.Cancel();
                        return;
                    }
                }
                if (_context.Time.GetUtcNow() - lastRenewal < interval) continue;
                lastRenewal = _context.Time.GetUtcNow();
                if (!await store.RenewLeaseAsync(resource, _context.InstanceId, LeaseDuration, stop).ConfigureAwait(false))
                {
                    _log.LogError("Lost the lease on {Resource}; stopping this run.", resource);
                    onStop.Cancel();
                    return;
                }
            }
        }
        catch (OperationCanceledException) { }
        catch (Exception ex) { _log.LogWarning("Lease renewal failed: {Message}", ex.Message); }
    }

    /// <summary><c>PARTITION_JOB_GROUP_SESSION.zip</c>, with characters unsafe in file names replaced.</summary>
    public static string PackageFileName(string partition, string job, string group, long sessionId)
        => $"{PackageWriter.SafeName(partition)}_{PackageWriter.SafeName(job)}_{PackageWriter.SafeName(group)}_{sessionId:D8}.zip";

    private static void TryDelete(string path)
    {
        try { if (File.Exists(path)) File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>
    /// Turns row and subjob counts into progress reports: every 500 rows or every second, whichever comes first,
    /// and a heartbeat every two seconds while a read yields no row (a database still computing its first rows),
    /// so that no run is silent for more than a few seconds. Reports may come from the heartbeat's thread; the
    /// cmdlet layer queues them onto the pipeline thread.
    /// </summary>
    private sealed class ProgressTracker : IDisposable
    {
        private readonly IProgress<DistributionProgress>? _progress;
        private readonly PlannedRun _run;
        private readonly int _runIndex, _runCount;
        private readonly Timer? _heartbeat;
        private long _rows, _lastReport = Environment.TickCount64, _subjobStarted = Environment.TickCount64;
        private int _subjob, _subjobs = 1;
        private string _table = "";

        public ProgressTracker(IProgress<DistributionProgress>? progress, PlannedRun run, int runIndex, int runCount)
        {
            (_progress, _run, _runIndex, _runCount) = (progress, run, runIndex, runCount);
            if (progress is not null) _heartbeat = new Timer(_ => Beat(), null, HeartbeatMs, HeartbeatMs);
        }

        private const int HeartbeatMs = 2000;

        public void Subjob(int index, int count, string table)
        {
            _subjob = index;
            _subjobs = count;
            _table = table;
            Interlocked.Exchange(ref _subjobStarted, Environment.TickCount64);
            Report();
        }

        public void Row()
        {
            if (++_rows % 500 == 0 || Environment.TickCount64 - Interlocked.Read(ref _lastReport) >= 1000) Report();
        }

        private void Beat()
        {
            if (Environment.TickCount64 - Interlocked.Read(ref _lastReport) >= HeartbeatMs) Report();
        }

        private void Report()
        {
            if (_progress is null) return;
            Interlocked.Exchange(ref _lastReport, Environment.TickCount64);
            var percent = (int)(100.0 * (_runIndex + (double)_subjob / _subjobs) / _runCount);
            var rows = Interlocked.Read(ref _rows);
            var seconds = (Environment.TickCount64 - Interlocked.Read(ref _subjobStarted)) / 1000;
            _progress.Report(new DistributionProgress($"Distributing job {_run.Job.Id} to data group {_run.DataGroup.Id}",
                $"{_table}: {rows:N0} rows packaged so far" + (seconds >= 2 ? $", reading for {seconds:N0} s" : ""), Math.Clamp(percent, 0, 99), rows));
        }

        public void Dispose() => _heartbeat?.Dispose();
    }
}
