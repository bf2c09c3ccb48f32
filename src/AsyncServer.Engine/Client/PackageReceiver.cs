using AsyncServer.Diagnostics;
using AsyncServer.Messaging;
using AsyncServer.Packaging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AsyncServer.Client;

/// <summary>
/// The reference Async Client behind Receive-AsyncPackage, written once for both ways of reaching HQ (an
/// <see cref="IReceiveTransport"/>: the message database and download folder directly, or the HTTPS endpoint). For one
/// channel database it takes the pending sessions in session order and moves each target through Requested,
/// Downloaded (the package in the local folder, size and SHA-256 checked before it is opened) and Applied (one channel
/// transaction), or DownloadFailed / ApplyFailed with the reason. A failure stops the run and suspends the later
/// sessions of this channel database (architecture rule 4); the failed stage is retried on the next run until the
/// configuration's TryCount is used up (0 = no limit, with a backoff). A pending full sync that deletes existing data
/// supersedes the older pending sessions of its job (they become Canceled), so a seeded channel database never replays
/// history. What to do with each session is decided by <see cref="ReceivePlanner"/>; the manifest check is
/// <see cref="PackageManifestCheck"/>'s.
/// </summary>
public sealed class PackageReceiver
{
    private readonly EngineContext? _context;
    private readonly ReceiveOptions _options;
    private readonly ILogger _log;

    /// <summary>A receiver for the direct path (<see cref="RunAsync(ReceiveRequest, IProgress{ReceiveProgress}?, CancellationToken)"/>).</summary>
    public PackageReceiver(EngineContext context, ReceiveOptions? options = null)
        : this(context.CreateLogger<PackageReceiver>(), options) => _context = context;

    public PackageReceiver(ILogger? log, ReceiveOptions? options = null)
    {
        _options = options ?? new ReceiveOptions();
        _log = log ?? NullLogger.Instance;
    }

    /// <summary>For front ends in another load context (the module): logging through a plain callback.</summary>
    public static PackageReceiver Create(Action<EngineLogLevel, string, string>? log, ReceiveOptions? options = null)
        => new(log is null ? null : EngineLogging.ToCallback(log).CreateLogger<PackageReceiver>(), options);

    private DirectReceiveTransport Direct(ReceiveRequest request) => new(
        _context ?? throw new InvalidOperationException("This receiver was made without an engine context; give it a transport."), request, _options);

    /// <summary>What a direct run would do, without changing anything (for -WhatIf).</summary>
    public async Task<IReadOnlyList<ReceivePlanItem>> PlanAsync(ReceiveRequest request, CancellationToken cancellationToken)
    {
        await using var transport = Direct(request);
        return await PlanAsync(transport, request.MaxSessions, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Receives over the message database and the download folder; see
    /// <see cref="RunAsync(IReceiveTransport, int, IProgress{ReceiveProgress}?, CancellationToken)"/>.
    /// </summary>
    public async Task<IReadOnlyList<DownloadSession>> RunAsync(ReceiveRequest request, IProgress<ReceiveProgress>? progress,
        CancellationToken cancellationToken)
    {
        await using var transport = Direct(request);
        return await RunAsync(transport, request.MaxSessions, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What a run would do, without changing anything (for -WhatIf).</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822:Mark members as static",
        Justification = "Public API beside RunAsync; Receive-AsyncPackage calls both on the receiver instance.")]
    public async Task<IReadOnlyList<ReceivePlanItem>> PlanAsync(IReceiveTransport transport, int maxSessions, CancellationToken ct)
    {
        var work = await transport.ListAsync(ct).ConfigureAwait(false);
        var db = transport.Channel.Id;
        var plan = Plan(work, db).Select(step => new ReceivePlanItem(step.Session.Id, step.Session.JobId, step.Session.DataGroup, db,
            step.Action == ReceiveAction.Wait ? "Blocked" : step.Action.ToString(), step.Reason)).ToList();
        return maxSessions > 0 ? plan.Take(maxSessions).ToList() : plan;
    }

    private static IReadOnlyList<ReceiveStep> Plan(PendingWork work, string db)
        => ReceivePlanner.Plan(work.Sessions, db, work.DataGroup, work.TryCount, work.ListedAt);

    /// <summary>
    /// Receives and applies every pending session of the transport's channel database in order (at most
    /// <paramref name="maxSessions"/>, 0 = all). Returns the sessions it touched, as seen at this channel database. One
    /// client per channel database at a time: the claim is renewed in the background; if it is lost, the session being
    /// applied is rolled back and the run stops.
    /// </summary>
    public async Task<IReadOnlyList<DownloadSession>> RunAsync(IReceiveTransport transport, int maxSessions, IProgress<ReceiveProgress>? progress,
        CancellationToken cancellationToken)
    {
        var db = transport.Channel.Id;
        var outcomes = new List<ReceiveOutcome>();
        var claim = await transport.ClaimAsync(cancellationToken).ConfigureAwait(false);
        await using (claim)
        {
            try
            {
                await ReceiveAllAsync(transport, maxSessions, outcomes, progress, claim.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (claim.Lost && !cancellationToken.IsCancellationRequested)
            {
                throw new AsyncServerException(ErrorIds.WorkClaimedElsewhere, ErrorKind.ResourceBusy,
                    $"Channel database {db}: the claim on it was lost (renewal failed or another client took it over); the session being " +
                    "applied was rolled back and this run stopped.", db, ex);
            }
            finally
            {
                progress?.Report(new ReceiveProgress(transport.Activity, "Completed", 100));
            }
        }
        return outcomes.Count == 0 ? [] : await transport.DescribeAsync(outcomes, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The run, as the planner decided it: skips recorded, then sessions applied in order until one fails or must wait.</summary>
    private async Task ReceiveAllAsync(IReceiveTransport transport, int maxSessions, List<ReceiveOutcome> outcomes, IProgress<ReceiveProgress>? progress,
        CancellationToken ct)
    {
        var db = transport.Channel.Id;
        var work = await transport.ListAsync(ct).ConfigureAwait(false);
        var steps = Plan(work, db);
        await SkipAsync(transport, steps.Where(x => x.Action == ReceiveAction.Skip), outcomes, ct).ConfigureAwait(false);
        var todo = steps.Where(x => x.Action != ReceiveAction.Skip).ToList();
        var count = maxSessions > 0 ? Math.Min(maxSessions, todo.Count) : todo.Count;
        if (count == 0) return;
        PrivateFiles.CreateFolder(transport.Channel.LocalFolder); // owner only: the local copies hold customer data
        await using var target = EngineContext.OpenChannelTarget(transport.Channel.Connection);
        var run = new Run(transport, target, work, outcomes);
        for (var i = 0; i < count; i++)
        {
            ct.ThrowIfCancellationRequested();
            var (s, action) = (todo[i].Session, todo[i].Action);
            if (action != ReceiveAction.Apply)
            {
                await StopAtAsync(transport, todo[i], work.TryCount, ct).ConfigureAwait(false);
                break;
            }
            var index = i;
            void Report(string stage) => progress?.Report(new ReceiveProgress(transport.Activity,
                $"Session {s.Id} (job {s.JobId}, {index + 1} of {count}): {stage}", (int)(100.0 * index / Math.Max(count, 1))));
            if (!await ProcessAsync(run, s, Report, ct).ConfigureAwait(false)) break;
        }
    }

    /// <summary>What every step of one run needs.</summary>
    private sealed record Run(IReceiveTransport Transport, IChannelTarget Target, PendingWork Work, List<ReceiveOutcome> Outcomes)
    {
        public string Db => Transport.Channel.Id;
    }

    private async Task SkipAsync(IReceiveTransport transport, IEnumerable<ReceiveStep> skips, List<ReceiveOutcome> outcomes, CancellationToken ct)
    {
        var db = transport.Channel.Id;
        foreach (var skip in skips)
        {
            if (!await transport.SkipAsync(skip, ct).ConfigureAwait(false))
            {
                _log.LogWarning("Session {Id} at {Db} was to be skipped ({Reason}), but it was no longer pending or HQ refused; left as it is.",
                    skip.Session.Id, db, skip.Reason);
                continue;
            }
            outcomes.Add(new ReceiveOutcome(skip.Session, SessionStatus.Canceled, skip.Message));
            _log.LogInformation("Session {Id} skipped at {Db}: {Reason}.", skip.Session.Id, db, skip.Reason);
        }
    }

    /// <summary>A session that failed too often suspends the ones behind it; one waiting for its retry just stops the run.</summary>
    private async Task StopAtAsync(IReceiveTransport transport, ReceiveStep step, int tryCount, CancellationToken ct)
    {
        var (s, db) = (step.Session, transport.Channel.Id);
        if (step.Action == ReceiveAction.Wait)
        {
            _log.LogInformation("Session {Id} at {Db} {Reason}; later sessions wait (TryCount 0: retries back off).", s.Id, db, step.Reason);
            return;
        }
        await transport.SuspendBehindAsync(step, ct).ConfigureAwait(false);
        _log.LogWarning("Session {Id} at {Db} {Reason} and is not retried (TryCount {TryCount}); run Restart-AsyncSession or Stop-AsyncSession. " +
            "Later sessions stay Suspended.", s.Id, db, step.Reason, tryCount);
    }

    /// <summary>
    /// One session through Requested, Downloaded and Applied; every move is checked, so a session canceled by an
    /// operator at any point is not applied. False when it failed (the run stops).
    /// </summary>
    private async Task<bool> ProcessAsync(Run run, DownloadSessionRecord s, Action<string> report, CancellationToken ct)
    {
        if (!await run.Transport.MoveAsync(s, SessionStatus.Requested, "Requested by the client.", ct).ConfigureAwait(false))
        {
            run.Outcomes.Add(new ReceiveOutcome(s, SessionStatus.Canceled, "No longer pending here."));
            return true; // canceled or applied by someone else meanwhile: nothing to do here
        }
        report("downloading");
        string? local;
        try
        {
            local = await run.Transport.DownloadAsync(s, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return await FailAsync(run, s, SessionStatus.DownloadFailed, ex).ConfigureAwait(false);
        }
        if (local is null)
        {
            _log.LogWarning("Session {Id} at {Db} is no longer pending at HQ (canceled?); it was not applied.", s.Id, run.Db);
            run.Outcomes.Add(new ReceiveOutcome(s, SessionStatus.Canceled, "No longer pending at HQ."));
            return true;
        }
        try
        {
            return await DownloadedAsync(run, s, local, report, ct).ConfigureAwait(false);
        }
        finally
        {
            PackageFiles.TryDelete(local);
        }
    }

    private async Task<bool> DownloadedAsync(Run run, DownloadSessionRecord s, string local, Action<string> report, CancellationToken ct)
    {
        if (_options.AfterDownload is { } afterDownload) await afterDownload(s.Id, ct).ConfigureAwait(false);
        if (!await run.Transport.MoveAsync(s, SessionStatus.Downloaded, "Downloaded; size and SHA-256 verified.", ct).ConfigureAwait(false))
        {
            _log.LogWarning("Session {Id} at {Db} changed while it was downloaded (canceled?); it was not applied.", s.Id, run.Db);
            run.Outcomes.Add(new ReceiveOutcome(s, SessionStatus.Canceled, "Changed while it was downloaded."));
            return true;
        }
        report("applying");
        return await ApplyAsync(run, s, local, ct).ConfigureAwait(false);
    }

    private async Task<bool> ApplyAsync(Run run, DownloadSessionRecord s, string local, CancellationToken ct)
    {
        ApplyResult result;
        try
        {
            using var reader = OpenVerified(run, local, s);
            await reader.VerifyAsync(ct).ConfigureAwait(false);
            if (_options.BeforeApply is { } beforeApply) await beforeApply(s.Id, ct).ConfigureAwait(false);
            result = await run.Target.ApplyAsync(reader, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return await FailAsync(run, s, SessionStatus.ApplyFailed, ex).ConfigureAwait(false);
        }
        var message = $"Applied: {result.Upserted} upserted, {result.Deleted} deleted ({string.Join(", ", result.Tables)}).";
        run.Outcomes.Add(new ReceiveOutcome(s, SessionStatus.Applied, message));
        if (!await run.Transport.MoveAsync(s, SessionStatus.Applied, message, CancellationToken.None).ConfigureAwait(false))
        {
            // The channel transaction has committed: the data is there, whatever the session row now says.
            _log.LogError("Session {Id} was applied at {Db}, but its target had changed meanwhile and was not marked Applied: {Message}",
                s.Id, run.Db, message);
            return true;
        }
        _log.LogInformation("Session {Id} applied at {Db}: {Message}", s.Id, run.Db, message);
        return true;
    }

    private async Task<bool> FailAsync(Run run, DownloadSessionRecord s, SessionStatus status, Exception ex)
    {
        // The reason is stored in session_targets and status_messages and copied to HQ: no secret of the channel
        // connection may be in it, whatever a driver's message repeated (issue 12, point 6).
        var reason = run.Transport.Channel.Connection.Scrub(ex is PackageFormatException ? $"The package is invalid: {ex.Message}." : ex.Message);
        run.Outcomes.Add(new ReceiveOutcome(s, status, reason));
        if (!await run.Transport.MoveAsync(s, status, reason, CancellationToken.None).ConfigureAwait(false))
        {
            _log.LogWarning("Session {Id} at {Db}: {Status} ({Reason}), but its target had changed meanwhile (canceled?); later sessions are not suspended.",
                s.Id, run.Db, status, reason);
            return false;
        }
        _log.LogError("Session {Id} at {Db}: {Status}: {Reason}", s.Id, run.Db, status, reason);
        return false;
    }

    /// <summary>Opens the local copy and proves its manifest belongs to this session and this channel database (PackageManifestCheck).</summary>
    private static PackageReader OpenVerified(Run run, string local, DownloadSessionRecord s)
    {
        var reader = PackageReader.Open(local);
        try
        {
            var expected = new ExpectedPackage(s.Id, s.Partition, s.JobId, s.DataGroup, s.FromVersion, s.ToVersion, s.Part, s.Kind.ToString(),
                s.DeleteExisting, s.RequestedChannelDatabases, run.Work.Partition, run.Db, run.Work.DataGroup);
            // The manifest must belong to this session, and name only tables and columns its job may write here.
            var problems = PackageManifestCheck.Problems(reader.Manifest, expected).Concat(run.Transport.ScopeProblems(reader.Manifest)).ToList();
            if (problems.Count > 0)
                throw new AsyncServerException(ErrorIds.PackageMismatch, ErrorKind.InvalidData,
                    $"The package of session {s.Id} does not match its session: {string.Join("; ", problems)}. Nothing was applied.", s.Id);
            return reader;
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }
}
