using AsyncServer.Client;
using AsyncServer.Messaging;

namespace AsyncServer.Tests.Client;

/// <summary>The receive planner without a database: skip, apply, block or wait, in session order.</summary>
public sealed class ReceivePlannerTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    private static DownloadSessionRecord Session(long id, string job = "1020", string group = "USRT", SessionKind kind = SessionKind.Incremental,
        bool deleteExisting = false, SessionStatus status = SessionStatus.Available, int tries = 0, DateTimeOffset? updated = null) => new()
    {
        Id = id, JobId = job, DataGroup = group, Kind = kind, DeleteExisting = deleteExisting, Part = 1, Status = SessionStatus.Available,
        Targets = [new SessionTargetRecord(id, "HOUSTON", status, tries, updated ?? Now, status == SessionStatus.Available ? null : "boom")],
    };

    private static IReadOnlyList<(long, ReceiveAction)> Plan(int tryCount, params DownloadSessionRecord[] pending)
        => ReceivePlanner.Plan(pending, "HOUSTON", "USRT", tryCount, Now).Select(s => (s.Session.Id, s.Action)).ToList();

    [Fact]
    public void Pending_sessions_are_applied_in_order()
        => Assert.Equal([(1L, ReceiveAction.Apply), (2L, ReceiveAction.Apply)], Plan(3, Session(1), Session(2)));

    [Fact]
    public void A_later_full_sync_that_deletes_existing_data_supersedes_the_sessions_before_it()
    {
        var steps = ReceivePlanner.Plan([Session(1), Session(2, job: "1040"), Session(3, kind: SessionKind.Full, deleteExisting: true), Session(4)],
            "HOUSTON", "USRT", 3, Now);
        Assert.Equal([ReceiveAction.Skip, ReceiveAction.Apply, ReceiveAction.Apply, ReceiveAction.Apply], steps.Select(s => s.Action));
        Assert.Contains("full sync session 3", steps[0].Message);
    }

    [Fact]
    public void Sessions_of_a_former_data_group_are_skipped()
    {
        var steps = ReceivePlanner.Plan([Session(1, group: "USMF"), Session(2)], "HOUSTON", "USRT", 3, Now);
        Assert.Equal([ReceiveAction.Skip, ReceiveAction.Apply], steps.Select(s => s.Action));
        Assert.Contains("now belongs to data group USRT, not USMF", steps[0].Message);
    }

    [Fact]
    public void A_session_that_failed_TryCount_times_blocks_the_ones_behind_it()
    {
        Assert.Equal([(1L, ReceiveAction.Apply), (2L, ReceiveAction.Apply)],
            Plan(3, Session(1, status: SessionStatus.DownloadFailed, tries: 2), Session(2)));
        Assert.Equal([(1L, ReceiveAction.Blocked), (2L, ReceiveAction.Blocked)],
            Plan(3, Session(1, status: SessionStatus.ApplyFailed, tries: 3), Session(2)));
    }

    [Theory]
    [InlineData(4, null)]
    [InlineData(5, 1)]
    [InlineData(6, 2)]
    [InlineData(8, 8)]
    [InlineData(11, 60)]
    [InlineData(1000, 60)]
    public void With_no_try_limit_retries_back_off_up_to_an_hour(int tries, int? minutes)
    {
        var target = new SessionTargetRecord(1, "HOUSTON", SessionStatus.DownloadFailed, tries, Now, "boom");
        Assert.Equal(minutes is null ? null : Now.AddMinutes(minutes.Value), ReceivePlanner.RetryAfter(target, tryCount: 0));
        Assert.Null(ReceivePlanner.RetryAfter(target, tryCount: 2000)); // a try limit bounds the retries itself
    }

    [Fact]
    public void A_session_waiting_for_its_retry_holds_the_ones_behind_it()
    {
        var waiting = Session(1, status: SessionStatus.DownloadFailed, tries: 6, updated: Now.AddMinutes(-1));
        Assert.Equal([(1L, ReceiveAction.Wait), (2L, ReceiveAction.Blocked)], Plan(0, waiting, Session(2)));
        var due = Session(1, status: SessionStatus.DownloadFailed, tries: 6, updated: Now.AddMinutes(-2));
        Assert.Equal([(1L, ReceiveAction.Apply), (2L, ReceiveAction.Apply)], Plan(0, due, Session(2)));
    }
}
