using System.Diagnostics;
using System.Globalization;
using AsyncServer.ChangeTracking;
using AsyncServer.Checks;
using AsyncServer.Configuration;
using AsyncServer.Diagnostics;
using AsyncServer.Messaging;
using Microsoft.Extensions.Logging;

namespace AsyncServer.Distribution;

/// <summary>
/// The download pipeline behind Start-AsyncDistribution, as the story of one run per (job, data group):
/// claim it (LeaseKeeper), sweep what a crashed run left (RunSweeper), read the row version and open one HQ
/// snapshot, decide the passes (PassPlanner), stream each pass into package files (PackageSink), then record
/// its sessions and the new row version in one message-database transaction (architecture rules 1, 3 and 5).
/// A failure is sorted once (<see cref="Stopped"/>) into what the sessions become and what the caller sees.
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

    private LeaseTiming Timing => new(_options.LeaseDuration ?? TimeSpan.FromSeconds(Config.LeaseSeconds), _options.CancellationPollInterval);

    private static string LeaseResource(string partition, string group, string job) => $"download/{partition}/{group}/{job}";

    /// <summary><c>PARTITION_JOB_GROUP_SESSION.zip</c>; see <see cref="Packaging.PackageFiles.Name"/>.</summary>
    public static string PackageFileName(string partition, string job, string group, long sessionId)
        => Packaging.PackageFiles.Name(partition, job, group, sessionId);

    /// <summary>What the request would do, reading but never writing (for -WhatIf): the passes the run would make.</summary>
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
            var decided = await PlanRunAsync(store, snapshot, request, run, subjobs, cancellationToken).ConfigureAwait(false);
            plan.AddRange(decided.Passes.Select(p => p.Describe()));
        }
        return plan;
    }

    /// <summary>Runs the request; returns the sessions it recorded. Work claimed by another instance is skipped with a warning.</summary>
    public async Task<IReadOnlyList<DownloadSessionRecord>> RunAsync(DistributionRequest request, IProgress<DistributionProgress>? progress,
        CancellationToken cancellationToken)
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
                "The configuration has problems; nothing was distributed:" + Environment.NewLine +
                string.Join(Environment.NewLine, problems.Select(p => "  " + p)), problems);
        return resolved;
    }

    /// <summary>Reads what the pass planner needs (row version, history gap, channel databases to seed) and lets it decide.</summary>
    private async Task<RunPlan> PlanRunAsync(IMessageStore store, IChangeSnapshot snapshot, DistributionRequest request, PlannedRun run,
        IReadOnlyDictionary<string, ResolvedSubjob> subjobs, CancellationToken ct)
    {
        var rowVersion = await store.GetRowVersionAsync(Config.Partition, run.DataGroup.Id, run.Job.Id, ct).ConfigureAwait(false);
        HistoryGap? gap = null;
        if (PassPlanner.NeedsHistoryCheck(request, rowVersion))
            // A filter through a parent reads the parent's changes too (ChangeTracking/ParentFilters): its history counts as well.
            foreach (var table in run.Job.Subjobs.Select(id => subjobs[id]).SelectMany(s => s.ParentTables.Values.Prepend(s.Table)))
            {
                var min = await snapshot.GetMinValidVersionAsync(table, ct).ConfigureAwait(false);
                if (min > rowVersion) { gap = new HistoryGap(table.Name, min); break; }
            }
        var (kind, _) = PassPlanner.DecideKind(request, run, rowVersion, gap);
        IReadOnlyList<string> seed = PassPlanner.NeedsSeedLookup(run, kind)
            ? await store.FindChannelDatabasesToSeedAsync(Config.Partition, run.DataGroup.Id, run.Job.Id, run.ChannelDatabases, ct).ConfigureAwait(false)
            : [];
        return PassPlanner.Plan(new PassInputs(request, run, rowVersion, snapshot.CurrentVersion, gap, seed));
    }

    /// <summary>One (job, data group): claimed, distributed, and on failure its sessions and files cleaned up.</summary>
    private async Task<IReadOnlyList<long>> RunOneAsync(DistributionRequest request, PlannedRun run, IMessageStore store, IChangeSource hq,
        IReadOnlyDictionary<string, ResolvedSubjob> subjobs, ProgressTracker progress, CancellationToken cancellationToken)
    {
        var resource = LeaseResource(Config.Partition, run.DataGroup.Id, run.Job.Id);
        var (keeper, claim) = await LeaseKeeper.ClaimAsync(store, resource, _context.InstanceId, Timing, _context.Time, _log, cancellationToken)
            .ConfigureAwait(false);
        if (keeper is null)
        {
            _log.LogWarning("Job {Job} for data group {Group} is being distributed by instance {Holder} (claimed until {Until:u}); skipped.",
                run.Job.Id, run.DataGroup.Id, claim.Holder, claim.ExpiresAt);
            return [];
        }
        await using (keeper)
        {
            var written = new List<string>();
            var startedAt = Stopwatch.GetTimestamp();
            try
            {
                return await DistributeAsync(request, run, store, hq, subjobs, progress, keeper, written).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                AsyncServerMetrics.RunFailed(run.Job.Id, run.DataGroup.Id, startedAt);
                var stop = Stopped.Sort(ex, keeper, cancellationToken);
                AsyncServerMetrics.Recorded(run.Job.Id, run.DataGroup.Id, stop.SessionStatus.ToString(), keeper.Watched.Count);
                await AbandonAsync(store, keeper.Watched, written, stop.SessionStatus, stop.Why).ConfigureAwait(false);
                if (stop.Quiet)
                {
                    _log.LogWarning("Job {Job}, data group {Group}: {Why}", run.Job.Id, run.DataGroup.Id, stop.Why);
                    return [];
                }
                if (stop.Wrap is null) throw;
                throw stop.Wrap(run, resource);
            }
        }
    }

    /// <summary>The story of one claimed run: sweep, snapshot, plan, then each pass packed and recorded.</summary>
    private async Task<IReadOnlyList<long>> DistributeAsync(DistributionRequest request, PlannedRun run, IMessageStore store, IChangeSource hq,
        IReadOnlyDictionary<string, ResolvedSubjob> subjobs, ProgressTracker progress, LeaseKeeper keeper, List<string> written)
    {
        var ct = keeper.Token;
        await RunSweeper.SweepAsync(store, Config, _context.InstanceId, run, _log, ct).ConfigureAwait(false);
        await using var snapshot = await hq.OpenSnapshotAsync(ct).ConfigureAwait(false);
        var plan = await PlanRunAsync(store, snapshot, request, run, subjobs, ct).ConfigureAwait(false);
        if (plan.Reason is not null)
            _log.Log(plan.GapWarning ? LogLevel.Warning : LogLevel.Information, "Job {Job}, data group {Group}: {Reason}",
                run.Job.Id, run.DataGroup.Id, plan.Reason);
        if (plan.Seed.Count > 0)
            _log.LogInformation("Job {Job}, data group {Group}: seeding {Databases} with a full package at version {Version}.",
                run.Job.Id, run.DataGroup.Id, string.Join(", ", plan.Seed), snapshot.CurrentVersion);
        var ids = new List<long>();
        foreach (var pass in plan.Passes)
        {
            var startedAt = Stopwatch.GetTimestamp();
            ids.AddRange(await PackAndRecordAsync(request, pass, store, snapshot, subjobs, progress, keeper, written).ConfigureAwait(false));
            AsyncServerMetrics.PassCompleted(run.Job.Id, run.DataGroup.Id, pass.Kind.ToString(), startedAt);
        }
        return ids;
    }

    /// <summary>Streams every subjob of one pass into package parts and records them in one message-database transaction.</summary>
    private async Task<IReadOnlyList<long>> PackAndRecordAsync(DistributionRequest request, Pass pass, IMessageStore store, IChangeSnapshot snapshot,
        IReadOnlyDictionary<string, ResolvedSubjob> subjobs, ProgressTracker progress, LeaseKeeper keeper, List<string> written)
    {
        var ct = keeper.Token;
        var run = pass.Run;
        NewSession SessionFor(int part) => new(Config.Partition, run.Job.Id, run.DataGroup.Id, pass.Kind, pass.DeleteExisting && part == 1, pass.Reason,
            pass.FromVersion, pass.ToVersion, part, _context.InstanceId, run.Targeted ? run.ChannelDatabases : []);
        if (pass.IsNoData)
        {
            _log.LogInformation("Job {Job}, data group {Group}: no changes since version {Version}.", run.Job.Id, run.DataGroup.Id, pass.ToVersion);
            return await CompleteAsync(store, pass, keeper.Resource, [], SessionFor(1), ct).ConfigureAwait(false);
        }

        var jobSubjobs = run.Job.Subjobs.Select(id => subjobs[id]).ToList();
        var folder = request.NoPublish ? Config.StagingFolder : Config.DownloadFolder;
        var header = new PackageHeader(Config.Partition, run.Job.Id, run.DataGroup.Id, pass.Kind.ToString(), pass.DeleteExisting,
            jobSubjobs.Select(s => s.ChannelTable).Distinct().ToList(), run.Targeted ? run.ChannelDatabases : [], pass.FromVersion, pass.ToVersion,
            _context.InstanceId);
        async Task<long> StartSessionAsync(int part, CancellationToken token)
        {
            var id = await store.CreateStartedSessionAsync(SessionFor(part), token).ConfigureAwait(false);
            keeper.Watch(id);
            return id;
        }
        await using var sink = new PackageSink(folder, header, Config.PackageLimits, _context.Time, StartSessionAsync);
        try
        {
            await sink.WriteAsync(snapshot, jobSubjobs, FilterParameters(run), pass.FromVersion, progress, ct).ConfigureAwait(false);
            var files = await sink.CompleteAsync(pass.Kind == SessionKind.Full && pass.DeleteExisting, ct).ConfigureAwait(false);
            foreach (var f in files) _log.LogInformation("Package {File}: {Rows} rows, {Bytes} bytes.", Path.GetFileName(f.Path), f.RowCount, f.Size);
            AsyncServerMetrics.Packaged(run.Job.Id, run.DataGroup.Id, files.Sum(f => f.RowCount), files.Sum(f => f.Size));
            if (_options.AfterPackagesWritten is { } hook) await hook(files.Select(f => f.Path).ToList(), ct).ConfigureAwait(false);
            var packages = files
                .Select(f => new CompletedPackage(f.Manifest.SessionId, f.RowCount, Path.GetFileName(f.Path), f.Size, f.Sha256, request.NoPublish))
                .ToList();
            if (packages.Count == 0)
                _log.LogInformation("Job {Job}, data group {Group}: the changes up to version {Version} hold no rows for this data group.",
                    run.Job.Id, run.DataGroup.Id, pass.ToVersion);
            var ids = await CompleteAsync(store, pass, keeper.Resource, packages, packages.Count == 0 ? SessionFor(1) : null, ct).ConfigureAwait(false);
            keeper.ClearWatched();
            return ids;
        }
        catch
        {
            written.AddRange(sink.WrittenFiles);
            throw;
        }
    }

    /// <summary>The filter parameters of a data group's packages (its first channel database's; they share one data area).</summary>
    private static Dictionary<string, string> FilterParameters(PlannedRun run)
        => run.DataGroup.ChannelDatabases.FirstOrDefault()?.Parameters ?? new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    private async Task<IReadOnlyList<long>> CompleteAsync(IMessageStore store, Pass pass, string resource, IReadOnlyList<CompletedPackage> packages,
        NewSession? noData, CancellationToken ct)
    {
        var run = pass.Run;
        var completion = new RunCompletion(Config.Partition, run.DataGroup.Id, run.Job.Id, resource, _context.InstanceId,
            pass.ExpectedRowVersion, pass.NewRowVersion, packages, noData, run.ChannelDatabases);
        var ids = await store.CompleteRunAsync(completion, ct).ConfigureAwait(false);
        var recorded = noData is not null ? SessionStatus.NoData : packages.Any(p => p.Staged) ? SessionStatus.Started : SessionStatus.Available;
        AsyncServerMetrics.Recorded(run.Job.Id, run.DataGroup.Id, recorded.ToString(), ids.Count);
        return ids;
    }

    /// <summary>Marks sessions of a failed run and deletes its unrecorded files. Never throws: the original error matters more.</summary>
    private async Task AbandonAsync(IMessageStore store, IReadOnlyList<long> sessions, IReadOnlyList<string> files, SessionStatus status, string why)
    {
        foreach (var file in files) Packaging.PackageFiles.TryDelete(file);
        try { await store.FailSessionsAsync(sessions, status, why, CancellationToken.None).ConfigureAwait(false); }
        catch (Exception ex)
        {
            _log.LogWarning("Could not mark sessions {Ids} as {Status}: {Message}; the next run sweeps them.", string.Join(",", sessions), status, ex.Message);
        }
    }

    /// <summary>
    /// How a run that threw ends: what its unrecorded sessions become, why, and what the caller gets. An operator's
    /// cancel of a session being created ends the run quietly; the caller's cancel and failures that already speak
    /// the engine's language are rethrown; a lost lease and anything else are wrapped (<see cref="Wrap"/>).
    /// </summary>
    private sealed record Stopped(SessionStatus SessionStatus, string Why, bool Quiet = false, Func<PlannedRun, string, Exception>? Wrap = null)
    {
        private const string LeaseLost = "The lease was lost to another instance; this run stopped.";

        public static Stopped Sort(Exception ex, LeaseKeeper keeper, CancellationToken caller)
        {
            if (ex is OperationCanceledException && caller.IsCancellationRequested)
                return new(SessionStatus.Canceled, "Canceled by the operator.");
            if (keeper.Stop == LeaseStop.SessionCanceled || ex is AsyncServerException { ErrorId: ErrorIds.SessionCanceled })
            {
                var session = keeper.CanceledSession?.ToString(CultureInfo.InvariantCulture) ?? (ex as AsyncServerException)?.Target?.ToString();
                return new(SessionStatus.Canceled, $"Canceled by the operator (session {session}); this run stopped and recorded nothing.", Quiet: true);
            }
            // A lost lease first surfaces as whatever broke when the other instance took over (a swept temp file, a
            // canceled read): the keeper's word decides, so such a run is reported as claimed elsewhere, not failed.
            if (ex is OperationCanceledException || keeper.Stop == LeaseStop.LeaseLost)
                return new(SessionStatus.Canceled, LeaseLost, Wrap: (run, resource) => new AsyncServerException(ErrorIds.WorkClaimedElsewhere,
                    ErrorKind.ResourceBusy, $"Job {run.Job.Id}, data group {run.DataGroup.Id}: {LeaseLost}", resource, ex));
            if (ex is AsyncServerException) return new(SessionStatus.CreateFailed, ex.Message);
            return new(SessionStatus.CreateFailed, ex.Message, Wrap: (run, resource) => new AsyncServerException(ErrorIds.DistributionFailed,
                ErrorKind.InvalidOperation, $"Job {run.Job.Id}, data group {run.DataGroup.Id}: distribution failed: {ex.Message}", resource, ex));
        }
    }
}
