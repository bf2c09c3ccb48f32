using AsyncServer.Diagnostics;
using AsyncServer.Messaging;
using AsyncServer.Samples;
using AsyncServer.Tests.Support;
using AsyncServer.Upload;
using static AsyncServer.Tests.Upload.UploadSupport;

namespace AsyncServer.Tests.Upload;

/// <summary>
/// A send and an apply hold their lease for the whole run (renewed in the background, leaseSeconds 2 here): paused at a checkpoint
/// for several leases, a second claimant is refused all along; when the lease is taken over, the run stops with
/// WorkClaimedElsewhere and records nothing more, and the next run takes its work over.
/// </summary>
public sealed class UploadLeaseTests
{
    private const string Intruder = "intruder:1";
    // Three and a half leases. A lease of 1 s (renewed every third of it) was lost in a CI run when a renewal came more than
    // 0.7 s late, two seconds into a suite that keeps both cores busy: the product stops such a run, the test must not depend on it.
    private static readonly TimeSpan Pause = TimeSpan.FromSeconds(7);

    private static async Task<Workspace> CreateAsync()
    {
        var ws = await Workspace.CreateAsync(products: 5);
        ws.Configure(c => c.LeaseSeconds = 2);
        await SellAsync(ws, "HOUSTON", 3);
        return ws;
    }

    /// <summary>
    /// A hook that signals when the run reaches <paramref name="at"/> (Reached), waits there (for <paramref name="wait"/>, or until its
    /// token is canceled), and signals when it goes on (Left).
    /// </summary>
    private static (Func<string, CancellationToken, Task> Hook, Task Reached, Task Left) PauseAt(string at, TimeSpan wait)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var left = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return (async (point, ct) =>
        {
            if (point != at) return;
            reached.TrySetResult();
            try { await Task.Delay(wait, ct); }
            finally { left.TrySetResult(); }
        }, reached.Task, left.Task);
    }

    /// <summary>
    /// Tries to take <paramref name="resource"/> every 200 ms while the run is paused: every try must be refused. Once the run goes
    /// on it finishes and releases the lease; a try that gets it then ends the loop (given back at once).
    /// </summary>
    private static async Task<int> AssertHeldAsync(Workspace ws, string resource, Task reached, Task left)
    {
        await reached.WaitAsync(TimeSpan.FromSeconds(30));
        await using var store = ws.Context(Intruder).OpenMessageStore();
        var tries = 0;
        while (!left.IsCompleted)
        {
            var claim = await store.TryAcquireLeaseAsync(resource, Intruder, TimeSpan.FromSeconds(1), default);
            if (claim.Acquired)
            {
                await store.ReleaseLeaseAsync(resource, Intruder, default);
                Assert.True(left.IsCompleted, $"the lease on {resource} was free after {tries} refused tries while the run was paused");
                break;
            }
            tries++;
            await Task.WhenAny(left, Task.Delay(200));
        }
        return tries;
    }

    /// <summary>Takes the lease from under the run: its holder's row released, the intruder's claim taken for a minute.</summary>
    private static async Task TakeOverAsync(Workspace ws, string resource, Task reached)
    {
        await reached.WaitAsync(TimeSpan.FromSeconds(30));
        await using var store = ws.Context(Intruder).OpenMessageStore();
        await store.ReleaseLeaseAsync(resource, "test:1", default);
        Assert.True((await store.TryAcquireLeaseAsync(resource, Intruder, TimeSpan.FromMinutes(1), default)).Acquired);
    }

    private static async Task GiveBackAsync(Workspace ws, string resource)
    {
        await using var store = ws.Context(Intruder).OpenMessageStore();
        await store.ReleaseLeaseAsync(resource, Intruder, default);
    }

    private static async Task<int> StatusMessagesAsync(Workspace ws, long session)
    {
        await using var store = ws.Context().OpenMessageStore();
        return (await store.GetUnmovedStatusMessagesAsync(100_000, default)).Count(m => m.SessionId == session);
    }

    [Fact]
    public async Task A_send_paused_for_several_leases_still_holds_its_lease()
    {
        await using var ws = await CreateAsync();
        var (hook, reached, left) = PauseAt(UploadCheckpoints.SendWritten, Pause);
        var send = new UploadSender(ws.Context(), FolderUploadTransport.Of(ws.Config)) { Checkpoint = hook }.SendAsync("HOUSTON", null, default);
        var tries = await AssertHeldAsync(ws, UploadLease.Resource(ws.Config.Partition, "HOUSTON"), reached, left);
        Assert.True(tries >= 10, $"only {tries} tries");
        Assert.Equal(UploadStatus.Uploaded, Assert.Single(await send).Status);
    }

    [Fact]
    public async Task A_send_whose_lease_is_taken_over_stops_and_records_nothing_more()
    {
        await using var ws = await CreateAsync();
        var resource = UploadLease.Resource(ws.Config.Partition, "HOUSTON");
        var (hook, reached, _) = PauseAt(UploadCheckpoints.SendWritten, Timeout.InfiniteTimeSpan);
        var send = new UploadSender(ws.Context(), FolderUploadTransport.Of(ws.Config)) { Checkpoint = hook }.SendAsync("HOUSTON", null, default);
        await TakeOverAsync(ws, resource, reached);
        var session = Assert.Single(await UploadsAsync(ws));
        var messages = await StatusMessagesAsync(ws, session.Id);

        var ex = await Assert.ThrowsAsync<AsyncServerException>(() => send.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(ErrorIds.WorkClaimedElsewhere, ex.ErrorId);
        Assert.Contains("lease was lost", ex.Message, StringComparison.Ordinal);
        // Nothing more: the session stays Started (no package recorded, no failure written), no package in HQ's folder.
        var after = Assert.Single(await UploadsAsync(ws));
        Assert.Equal(UploadStatus.Started, after.Status);
        Assert.Null(after.PackageFile);
        Assert.Equal(messages, await StatusMessagesAsync(ws, session.Id));
        Assert.Empty(Directory.Exists(ws.Config.UploadFolder) ? Directory.GetFiles(ws.Config.UploadFolder, "*.zip") : []);

        // The new holder's run takes the work over: the stopped session swept, its rows sent again, HQ holds each sale once.
        await GiveBackAsync(ws, resource);
        Assert.Equal(UploadStatus.Uploaded, Assert.Single(await SendAsync(ws, "HOUSTON")).Status);
        Assert.Equal(UploadStatus.UploadFailed, (await UploadsAsync(ws))[0].Status);
        await ApplyAsync(ws);
        Assert.Equal(3, await HqCountAsync(ws, SampleSales.Header, "HOUSTON"));
    }

    [Fact]
    public async Task An_apply_paused_for_several_leases_inside_HQs_transaction_still_holds_its_lease()
    {
        await using var ws = await CreateAsync();
        await SendAsync(ws, "HOUSTON");
        var (hook, reached, left) = PauseAt(UploadCheckpoints.ApplyInTransaction, Pause);
        var apply = new UploadApplier(ws.Context()) { Checkpoint = hook }.ApplyAsync(null, null, plan: false, default);
        var tries = await AssertHeldAsync(ws, $"upload-apply/{ws.Config.Partition}", reached, left);
        Assert.True(tries >= 10, $"only {tries} tries");
        Assert.Equal(UploadStatus.Applied, Assert.Single(await apply).Status);
        Assert.Equal(3, await HqCountAsync(ws, SampleSales.Header, "HOUSTON"));
    }

    [Fact]
    public async Task An_apply_whose_lease_is_taken_over_rolls_back_and_records_nothing_more()
    {
        await using var ws = await CreateAsync();
        var sent = Assert.Single(await SendAsync(ws, "HOUSTON"));
        var resource = $"upload-apply/{ws.Config.Partition}";
        var messages = await StatusMessagesAsync(ws, sent.SessionId!.Value);
        var (hook, reached, _) = PauseAt(UploadCheckpoints.ApplyInTransaction, Timeout.InfiniteTimeSpan);
        var apply = new UploadApplier(ws.Context()) { Checkpoint = hook }.ApplyAsync(null, null, plan: false, default);
        await TakeOverAsync(ws, resource, reached);

        var ex = await Assert.ThrowsAsync<AsyncServerException>(() => apply.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(ErrorIds.WorkClaimedElsewhere, ex.ErrorId);
        Assert.Equal(0, await HqCountAsync(ws, SampleSales.Header)); // HQ's transaction rolled back
        var session = Assert.Single(await UploadsAsync(ws));
        Assert.Equal(UploadStatus.Uploaded, session.Status);
        Assert.Equal(0, session.Tries);
        Assert.Equal(messages, await StatusMessagesAsync(ws, session.Id));

        await GiveBackAsync(ws, resource);
        Assert.Equal(UploadStatus.Applied, Assert.Single(await ApplyAsync(ws)).Status);
        Assert.Equal(3, await HqCountAsync(ws, SampleSales.Header, "HOUSTON"));
    }
}
