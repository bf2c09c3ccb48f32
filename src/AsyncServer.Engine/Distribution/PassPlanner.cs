using AsyncServer.Messaging;

namespace AsyncServer.Distribution;

/// <summary>A table whose change tracking starts after the row version: the changes in between are lost.</summary>
public sealed record HistoryGap(string Table, long MinValidVersion);

/// <summary>What the pass planner needs to know about one (job, data group) run; everything is read before it is called.</summary>
/// <param name="Seed">Channel databases that never joined this (data group, job); looked up only when <see cref="PassPlanner.NeedsSeedLookup"/>.</param>
public sealed record PassInputs(DistributionRequest Request, PlannedRun Run, long? RowVersion, long CurrentVersion, HistoryGap? Gap,
    IReadOnlyList<string> Seed);

/// <summary>One pass of a run: the packages for some channel databases at one snapshot, recorded together.</summary>
/// <param name="ExpectedRowVersion">The row version the run read; recording fails if it moved meanwhile.</param>
/// <param name="NewRowVersion">The row version recorded with the pass; null leaves it where it is (targeted full syncs).</param>
public sealed record Pass(PlannedRun Run, SessionKind Kind, string? Reason, long? FromVersion, long ToVersion, bool DeleteExisting,
    long? ExpectedRowVersion, long? NewRowVersion)
{
    /// <summary>An incremental pass at the version already recorded: a NoData session and no package.</summary>
    public bool IsNoData => Kind == SessionKind.Incremental && ExpectedRowVersion == ToVersion;

    /// <summary>The pass as -WhatIf shows it.</summary>
    public DistributionPlanItem Describe() => new(Run.Job.Id, Run.DataGroup.Id, IsNoData ? "NoData" : Kind.ToString(),
        FromVersion, ToVersion, Reason, Run.ChannelDatabases);
}

/// <summary>The decision for one run: its kind, why, and its passes.</summary>
/// <param name="GapWarning">The reason is a history gap: change history was lost before it was delivered, so operators must hear about it.</param>
public sealed record RunPlan(SessionKind Kind, string? Reason, bool GapWarning, IReadOnlyList<string> Seed, IReadOnlyList<Pass> Passes);

/// <summary>
/// Decides what one (job, data group) run does, without a database: incremental or full and why, which new
/// channel databases are seeded with a full package instead of the history, and the passes that follow.
/// Both -WhatIf (DistributionRunner.PlanAsync) and the run itself call it, so they cannot disagree.
/// </summary>
public static class PassPlanner
{
    /// <summary>Whether the kind depends on HQ's change history (an incremental run that has a row version).</summary>
    public static bool NeedsHistoryCheck(DistributionRequest request, long? rowVersion) => !request.FullSync && rowVersion is not null;

    /// <summary>Whether new channel databases must be looked up: only an untargeted incremental run seeds.</summary>
    public static bool NeedsSeedLookup(PlannedRun run, SessionKind kind) => !run.Targeted && kind == SessionKind.Incremental;

    public static (SessionKind Kind, string? Reason) DecideKind(DistributionRequest request, PlannedRun run, long? rowVersion, HistoryGap? gap)
    {
        if (request.FullSync)
            return (SessionKind.Full, run.Targeted ? $"Full sync requested for {string.Join(", ", run.ChannelDatabases)}." : "Full sync requested.");
        if (rowVersion is null)
            return (SessionKind.Full, $"First distribution of job {run.Job.Id} to data group {run.DataGroup.Id}.");
        if (gap is not null)
            return (SessionKind.Full, $"History gap: change tracking of {gap.Table} now starts at version {gap.MinValidVersion}, after the row version " +
                $"{rowVersion}; the changes in between cannot be computed, so every row is sent.");
        return (SessionKind.Incremental, null);
    }

    public static RunPlan Plan(PassInputs inputs)
    {
        var (request, run, rowVersion, current) = (inputs.Request, inputs.Run, inputs.RowVersion, inputs.CurrentVersion);
        var (kind, reason) = DecideKind(request, run, rowVersion, inputs.Gap);
        // Seeding: a channel database that has never joined this (data group, job) gets one full package at
        // this snapshot instead of the incremental, and never the history before it (docs/client.md).
        var seed = NeedsSeedLookup(run, kind) ? inputs.Seed : [];
        var newRowVersion = run.Targeted ? (long?)null : current;
        var passes = new List<Pass>();
        if (seed.Count > 0 && seed.Count == run.ChannelDatabases.Count)
        {
            passes.Add(new Pass(run, SessionKind.Full, $"Seeding new channel database(s) {string.Join(", ", seed)} with a full package.",
                null, current, true, rowVersion, newRowVersion));
        }
        else
        {
            var main = seed.Count == 0 ? run : run with { ChannelDatabases = run.ChannelDatabases.Except(seed, StringComparer.OrdinalIgnoreCase).ToList() };
            // A full sync the engine decides on (first distribution, history gap) replaces the channel's data
            // outright: without delete-existing, rows that left HQ or the filter before it would stay for ever.
            var deleteExisting = request.DeleteExistingData || (kind == SessionKind.Full && !request.FullSync);
            passes.Add(new Pass(main, kind, reason, kind == SessionKind.Full ? null : rowVersion, current, deleteExisting, rowVersion, newRowVersion));
            if (seed.Count > 0)
                passes.Add(new Pass(run with { ChannelDatabases = seed, Targeted = true }, SessionKind.Full,
                    $"Seeding new channel database(s) {string.Join(", ", seed)}: one full package instead of the history before it.",
                    null, current, true, newRowVersion ?? rowVersion, null));
        }
        return new RunPlan(kind, reason, inputs.Gap is not null && kind == SessionKind.Full && !request.FullSync, seed, passes);
    }
}
