using AsyncServer.Checks;
using AsyncServer.Configuration;
using AsyncServer.Diagnostics;
using AsyncServer.Messaging;
using AsyncServer.Packaging;
using Microsoft.Extensions.Logging;

namespace AsyncServer.Upload;

/// <summary>
/// The HQ side of upload (Start-AsyncDistribution -Schedule for an upload schedule, and the service's schedule worker):
/// applies the upload sessions that have arrived, oldest first, each in one HQ transaction with the store's counters
/// (<see cref="UploadApplyGuard"/>). One applier per partition at a time (a lease).
/// </summary>
public sealed class UploadApplier(EngineContext context)
{
    private readonly ILogger _log = context.CreateLogger<UploadApplier>();
    private AsyncServerConfiguration Config => context.Configuration;

    /// <summary>Called at each <see cref="UploadCheckpoints"/> point of an apply (tests stop the process there).</summary>
    internal Func<string, CancellationToken, Task>? Checkpoint { get; init; }

    /// <param name="jobs">Upload jobs to apply (null: all).</param>
    /// <param name="dataGroups">Data groups whose stores' sessions to apply (null: all); sessions of unknown stores fail in any run.</param>
    /// <param name="plan">-WhatIf: the sessions that would be tried, changing nothing.</param>
    public async Task<IReadOnlyList<UploadApplyResult>> ApplyAsync(IReadOnlyList<string>? jobs, IReadOnlyList<string>? dataGroups, bool plan,
        CancellationToken ct)
    {
        await using var store = context.OpenMessageStore();
        await store.EnsureReadyAsync(ct).ConfigureAwait(false);
        var pending = await PendingAsync(store, jobs, dataGroups, ct).ConfigureAwait(false);
        if (plan) return pending.Select(s => new UploadApplyResult(s.Id, s.ChannelDatabase, s.JobId, s.Status, s.RowCount, "would be applied")).ToList();
        var duration = TimeSpan.FromSeconds(Config.LeaseSeconds);
        var (keeper, claim) = await LeaseKeeper.ClaimAsync(store, $"upload-apply/{Config.Partition}", context.InstanceId,
            // Its own log category: Start-AsyncDistribution reports the applier's errors one per failed session, and a lost lease is
            // reported once, by the exception below.
            new LeaseTiming(duration, duration), context.Time, context.CreateLogger<LeaseKeeper>(), ct).ConfigureAwait(false);
        if (keeper is null)
        {
            _log.LogWarning("Upload sessions of partition {Partition} are being applied by {Holder}; skipped.", Config.Partition, claim.Holder);
            return [];
        }
        await using (keeper)
        {
            try
            {
                return await ApplyPendingAsync(store, pending, keeper, keeper.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (keeper.Lost && !ct.IsCancellationRequested)
            {
                // The session being applied was rolled back at HQ (its transaction saw the token) and stays Uploaded: the new holder applies it.
                throw UploadLease.Lost($"Applying the upload sessions of partition {Config.Partition}", Config.Partition, ex);
            }
        }
    }

    /// <summary>Every pending session in turn under the held lease; <paramref name="ct"/> is the lease's token.</summary>
    private async Task<IReadOnlyList<UploadApplyResult>> ApplyPendingAsync(IMessageStore store, List<UploadSessionRecord> pending, LeaseKeeper keeper,
        CancellationToken ct)
    {
        var (resolved, problems) = await ResolveAsync(ct).ConfigureAwait(false);
        var counters = HqCounterSql.For(context.HqConnection.Provider);
        await CreateCounterTableAsync(counters, ct).ConfigureAwait(false);
        await UploadCheckpoints.PassAsync(Checkpoint, UploadCheckpoints.ApplyClaimed, ct).ConfigureAwait(false);
        var results = new List<UploadApplyResult>();
        var apply = new UploadSessionApply(context, store, counters, resolved, problems, _log) { Checkpoint = Checkpoint, Keeper = keeper };
        foreach (var session in pending)
        {
            results.Add(await apply.ApplyAsync(session, ct).ConfigureAwait(false));
            await UploadCheckpoints.PassAsync(Checkpoint, UploadCheckpoints.ApplyRecorded, ct).ConfigureAwait(false);
        }
        return results;
    }

    private async Task<List<UploadSessionRecord>> PendingAsync(IMessageStore store, IReadOnlyList<string>? jobs, IReadOnlyList<string>? groups,
        CancellationToken ct)
    {
        var uploaded = await store.UploadsInStatusAsync(Config.Partition, UploadStatus.Uploaded, ct).ConfigureAwait(false);
        var failed = await store.UploadsInStatusAsync(Config.Partition, UploadStatus.ApplyFailed, ct).ConfigureAwait(false);
        bool Wanted(UploadSessionRecord s)
        {
            if (jobs is { Count: > 0 } && !jobs.Contains(s.JobId, StringComparer.OrdinalIgnoreCase)) return false;
            var found = Config.FindChannelDatabase(s.ChannelDatabase);
            return found is null || groups is not { Count: > 0 } || groups.Contains(found.Value.Group.Id, StringComparer.OrdinalIgnoreCase);
        }
        // A failed apply is tried again up to tryCount (0: always); past it, it waits for Restart-AsyncSession.
        return uploaded.Concat(failed.Where(s => Config.TryCount == 0 || s.Tries < Config.TryCount)).Where(Wanted).OrderBy(s => s.Id).ToList();
    }

    private async Task<(IReadOnlyDictionary<string, ResolvedUploadSubjob>, IReadOnlyDictionary<string, string>)> ResolveAsync(CancellationToken ct)
    {
        await using var hq = context.OpenChangeSource();
        var (resolved, problems) = await UploadCatalogChecker.ResolveAsync(Config, t => hq.DescribeTableAsync(t, ct)).ConfigureAwait(false);
        var bySubjob = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in problems)
        {
            var index = int.Parse(p.Path.AsSpan("$.uploadSubjobs[".Length, p.Path.IndexOf(']', StringComparison.Ordinal) - "$.uploadSubjobs[".Length),
                System.Globalization.CultureInfo.InvariantCulture);
            bySubjob.TryAdd(Config.UploadSubjobs[index].Id, p.Message);
        }
        return (resolved, bySubjob);
    }

    private async Task CreateCounterTableAsync(HqCounterSql sql, CancellationToken ct)
    {
        await using var connector = EngineContext.ProviderOf(context.HqConnection).OpenConnector(context.HqConnection);
        await using var conn = await connector.OpenAsync(create: false, ct).ConfigureAwait(false);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = sql.Create;
        foreach (var (name, value) in new[] { ("@table", "ASYNCUPLOADCOUNTER"), ("@schema", "dbo") }) cmd.Parameters.Add(connector.Parameter(name, value));
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }
}

/// <summary>One upload session at HQ: every check, then the apply, then its status.</summary>
internal sealed class UploadSessionApply(EngineContext context, IMessageStore store, HqCounterSql counters,
    IReadOnlyDictionary<string, ResolvedUploadSubjob> resolved, IReadOnlyDictionary<string, string> problems, ILogger log)
{
    private AsyncServerConfiguration Config => context.Configuration;

    public Func<string, CancellationToken, Task>? Checkpoint { get; init; }

    /// <summary>The applier's lease: renewed before each status write (a fence), so a run that lost it records nothing.</summary>
    public LeaseKeeper? Keeper { get; init; }

    private async Task HoldingAsync(CancellationToken ct)
    {
        if (Keeper is not null) await Keeper.ConfirmAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Applies and records one session. When <paramref name="ct"/> is canceled (the lease lost, or the caller) nothing is recorded:
    /// HQ's transaction rolled back, or, if it committed, the next run finds the session already applied.
    /// </summary>
    public async Task<UploadApplyResult> ApplyAsync(UploadSessionRecord s, CancellationToken ct)
    {
        try
        {
            var rows = await ApplyCheckedAsync(s, ct).ConfigureAwait(false);
            AsyncServerMetrics.Uploaded(s.JobId, s.DataGroup, rows); // counted once HQ's transaction has committed
            var message = $"{rows} row(s) applied at HQ.";
            await HoldingAsync(ct).ConfigureAwait(false);
            await store.MarkAppliedAsync(s.Id, message, ct).ConfigureAwait(false);
            log.LogInformation("Upload session {Id} of {Db}: {Rows} row(s) applied at HQ.", s.Id, s.ChannelDatabase, rows);
            return new UploadApplyResult(s.Id, s.ChannelDatabase, s.JobId, UploadStatus.Applied, rows, message);
        }
        catch (UploadNotAppliedException ex) when (ex.Verdict == UploadVerdict.AlreadyApplied && !ct.IsCancellationRequested)
        {
            await HoldingAsync(ct).ConfigureAwait(false);
            await store.MarkAppliedAsync(s.Id, ex.Message, ct).ConfigureAwait(false);
            return new UploadApplyResult(s.Id, s.ChannelDatabase, s.JobId, UploadStatus.Applied, 0, ex.Message);
        }
        catch (UploadNotAppliedException ex) when (!ct.IsCancellationRequested)
        {
            await HoldingAsync(ct).ConfigureAwait(false);
            await store.ChangeUploadAsync(s.Id, [UploadStatus.Uploaded, UploadStatus.ApplyFailed], UploadStatus.Uploaded, ex.Message, TriesChange.Keep, ct)
                .ConfigureAwait(false);
            log.LogInformation("Upload session {Id} of {Db}: {Message}", s.Id, s.ChannelDatabase, ex.Message);
            return new UploadApplyResult(s.Id, s.ChannelDatabase, s.JobId, UploadStatus.Uploaded, 0, ex.Message);
        }
        catch (AsyncServerException ex) when (!ct.IsCancellationRequested)
        {
            await HoldingAsync(ct).ConfigureAwait(false);
            await store.ChangeUploadAsync(s.Id, [UploadStatus.Uploaded, UploadStatus.ApplyFailed], UploadStatus.ApplyFailed, ex.Message,
                TriesChange.Increment, ct).ConfigureAwait(false);
            log.LogError("{Message}", ex.Message);
            return new UploadApplyResult(s.Id, s.ChannelDatabase, s.JobId, UploadStatus.ApplyFailed, 0, ex.Message);
        }
    }

    private async Task<long> ApplyCheckedAsync(UploadSessionRecord s, CancellationToken ct)
    {
        if (Config.FindChannelDatabase(s.ChannelDatabase) is null)
            throw UploadPackageCheck.Failed(s, $"channel database '{s.ChannelDatabase}' is not defined in any data group of the configuration " +
                "(an unknown store); add it, then Restart-AsyncSession, or Stop-AsyncSession");
        if (Config.FindUploadJob(s.JobId) is null) throw UploadPackageCheck.Failed(s, $"upload job '{s.JobId}' is not defined in $.uploadJobs");
        var path = PackageFiles.TryPathIn(Config.UploadFolder, s.PackageFile)
            ?? throw UploadPackageCheck.Failed(s, $"its package name {PackageFiles.Printable(s.PackageFile)} is not a package file name");
        await UploadPackageCheck.VerifyFileAsync(path, s, ct).ConfigureAwait(false);
        using var package = OpenVerified(path, s);
        await VerifyContentAsync(package, s, ct).ConfigureAwait(false);
        UploadPackageCheck.CheckManifest(package.Manifest, s, Config.Partition);
        UploadPackageCheck.Retarget(package.Manifest, s, resolved, problems);
        await UploadPackageCheck.CheckCountersAsync(package, s, ct).ConfigureAwait(false);
        await using var hq = EngineContext.OpenChannelTarget(context.HqConnection);
        var result = await hq.ApplyAsync(package, new UploadApplyGuard(counters, s) { Checkpoint = Checkpoint }, ct).ConfigureAwait(false);
        await UploadCheckpoints.PassAsync(Checkpoint, UploadCheckpoints.ApplyCommitted, ct).ConfigureAwait(false);
        return result.Upserted;
    }

    private static PackageReader OpenVerified(string path, UploadSessionRecord s)
    {
        try { return PackageReader.Open(path); }
        catch (Exception ex) when (ex is PackageFormatException or InvalidDataException or IOException or System.Text.Json.JsonException)
        {
            throw UploadPackageCheck.Failed(s, $"its package cannot be read: {ex.Message}", ErrorIds.PackageInvalid);
        }
    }

    private static async Task VerifyContentAsync(PackageReader package, UploadSessionRecord s, CancellationToken ct)
    {
        try { await package.VerifyAsync(ct).ConfigureAwait(false); }
        catch (PackageFormatException ex) { throw UploadPackageCheck.Failed(s, $"its package is invalid: {ex.Message}", ErrorIds.PackageInvalid); }
    }
}
