using AsyncServer.Configuration;
using AsyncServer.Distribution;
using AsyncServer.Messaging;

namespace AsyncServer.Tests.Distribution;

/// <summary>The pass planner without a database: what one (job, data group) run sends, to whom, from which version.</summary>
public sealed class PassPlannerTests
{
    private static readonly JobSettings Job = new() { Id = "1020", Subjobs = ["INVENTTABLE"] };
    private static readonly DataGroupSettings Group = new()
    {
        Id = "USRT", ChannelDatabases = [new() { Id = "HOUSTON" }, new() { Id = "SEATTLE" }, new() { Id = "AUSTIN" }],
    };
    private static readonly PlannedRun Run = new(Job, Group, ["HOUSTON", "SEATTLE", "AUSTIN"], Targeted: false);
    private static readonly DistributionRequest Plain = new() { Jobs = ["1020"] };

    private static RunPlan Plan(DistributionRequest request, long? rowVersion, long current, HistoryGap? gap = null, PlannedRun? run = null,
        params string[] seed) => PassPlanner.Plan(new PassInputs(request, run ?? Run, rowVersion, current, gap, seed));

    [Fact]
    public void The_first_distribution_is_one_full_pass_that_replaces_the_channels_data()
    {
        var plan = Plan(Plain, rowVersion: null, current: 50);
        var pass = Assert.Single(plan.Passes);
        Assert.Equal((SessionKind.Full, true, null, 50L, 50L), (pass.Kind, pass.DeleteExisting, pass.FromVersion, pass.ToVersion, pass.NewRowVersion));
        Assert.Contains("First distribution", pass.Reason);
        Assert.False(plan.GapWarning);
    }

    [Fact]
    public void An_incremental_pass_sends_the_changes_since_the_row_version()
    {
        var pass = Assert.Single(Plan(Plain, rowVersion: 40, current: 50).Passes);
        Assert.Equal((SessionKind.Incremental, false, 40L, 50L, 40L, 50L),
            (pass.Kind, pass.DeleteExisting, pass.FromVersion, pass.ToVersion, pass.ExpectedRowVersion, pass.NewRowVersion));
        Assert.False(pass.IsNoData);
        Assert.Equal("Incremental", pass.Describe().Kind);
    }

    [Fact]
    public void No_change_since_the_row_version_is_NoData()
    {
        var pass = Assert.Single(Plan(Plain, rowVersion: 50, current: 50).Passes);
        Assert.True(pass.IsNoData);
        Assert.Equal("NoData", pass.Describe().Kind);
    }

    [Fact]
    public void A_history_gap_forces_a_full_pass_and_a_warning()
    {
        var plan = Plan(Plain, rowVersion: 40, current: 50, gap: new HistoryGap("INVENTTABLE", 45), seed: ["AUSTIN"]);
        var pass = Assert.Single(plan.Passes); // a full pass seeds everyone: no separate seed pass
        Assert.Equal((SessionKind.Full, true, null), (pass.Kind, pass.DeleteExisting, pass.FromVersion));
        Assert.Contains("History gap", pass.Reason);
        Assert.True(plan.GapWarning);
        Assert.Empty(plan.Seed);
    }

    [Fact]
    public void A_new_channel_database_is_seeded_with_its_own_full_pass()
    {
        var plan = Plan(Plain, rowVersion: 40, current: 50, seed: ["AUSTIN"]);
        Assert.Equal(2, plan.Passes.Count);
        var (main, seed) = (plan.Passes[0], plan.Passes[1]);
        Assert.Equal(["HOUSTON", "SEATTLE"], main.Run.ChannelDatabases);
        Assert.Equal((SessionKind.Incremental, 40L, 50L), (main.Kind, main.ExpectedRowVersion, main.NewRowVersion));
        Assert.Equal(["AUSTIN"], seed.Run.ChannelDatabases);
        Assert.True(seed.Run.Targeted);
        // Recorded after the main pass moved the row version to 50, and it leaves the row version there.
        Assert.Equal((SessionKind.Full, true, null, 50L, (long?)null),
            (seed.Kind, seed.DeleteExisting, seed.FromVersion, seed.ExpectedRowVersion, seed.NewRowVersion));
        Assert.Contains("Seeding", seed.Describe().Reason);
    }

    [Fact]
    public void When_every_channel_database_is_new_one_full_pass_seeds_them_all()
    {
        var pass = Assert.Single(Plan(Plain, rowVersion: 40, current: 50, seed: ["HOUSTON", "SEATTLE", "AUSTIN"]).Passes);
        Assert.Equal((SessionKind.Full, true, 40L, 50L), (pass.Kind, pass.DeleteExisting, pass.ExpectedRowVersion, pass.NewRowVersion));
        Assert.False(pass.Run.Targeted);
    }

    [Fact]
    public void A_requested_full_sync_deletes_existing_data_only_when_asked()
    {
        var keep = Assert.Single(Plan(Plain with { FullSync = true }, rowVersion: 40, current: 50).Passes);
        Assert.Equal((SessionKind.Full, false, "Full sync requested."), (keep.Kind, keep.DeleteExisting, keep.Reason));
        var replace = Assert.Single(Plan(Plain with { FullSync = true, DeleteExistingData = true }, rowVersion: 40, current: 50).Passes);
        Assert.True(replace.DeleteExisting);
    }

    [Fact]
    public void A_targeted_full_sync_leaves_the_row_version_and_seeds_nobody()
    {
        var targeted = Run with { ChannelDatabases = ["SEATTLE"], Targeted = true };
        var pass = Assert.Single(Plan(Plain with { FullSync = true }, rowVersion: 40, current: 50, run: targeted, seed: ["AUSTIN"]).Passes);
        Assert.Equal((40L, (long?)null), (pass.ExpectedRowVersion, pass.NewRowVersion));
        Assert.Equal(["SEATTLE"], pass.Run.ChannelDatabases);
        Assert.Contains("SEATTLE", pass.Reason);
    }

    [Fact]
    public void Only_untargeted_incremental_runs_look_for_new_channel_databases()
    {
        Assert.True(PassPlanner.NeedsSeedLookup(Run, SessionKind.Incremental));
        Assert.False(PassPlanner.NeedsSeedLookup(Run, SessionKind.Full));
        Assert.False(PassPlanner.NeedsSeedLookup(Run with { Targeted = true }, SessionKind.Incremental));
        Assert.False(PassPlanner.NeedsHistoryCheck(Plain, null));
        Assert.False(PassPlanner.NeedsHistoryCheck(Plain with { FullSync = true }, 40));
        Assert.True(PassPlanner.NeedsHistoryCheck(Plain, 40));
    }
}
