using AsyncServer.Diagnostics;
using AsyncServer.Distribution;
using AsyncServer.Messaging;
using AsyncServer.Samples;
using AsyncServer.Tests.Support;

namespace AsyncServer.Tests.Client;

public sealed class LifecycleTests
{
    [Fact]
    public async Task Canceling_a_session_being_created_stops_the_run_which_records_nothing_and_leaves_no_file()
    {
        await using var h = await ClientHarness.CreateAsync(products: 10);
        var lifecycle = new SessionLifecycle(h.Context);
        long? canceled = null;
        var options = new DistributionOptions
        {
            AfterPackagesWritten = async (files, ct) =>
            {
                Assert.All(files, f => Assert.True(File.Exists(f)));
                var started = (await h.SessionsAsync(new SessionQuery { Statuses = [SessionStatus.Started] })).Single();
                canceled = started.Id;
                var result = await lifecycle.CancelAsync(started.Id, null, ct);
                Assert.Equal(SessionStatus.Canceled, result.Status);
            },
        };
        var recorded = await h.DistributeAsync(new DistributionRequest { Jobs = ["1020"], DataGroups = ["USRT-Stores"] }, options);
        Assert.Empty(recorded);
        var s = await h.SessionAsync(canceled!.Value);
        Assert.Equal(SessionStatus.Canceled, s.Status);
        Assert.Empty(s.Targets);
        Assert.Null(s.PackageFile);
        Assert.Empty(Directory.EnumerateFiles(h.Config.DownloadFolder, "*", SearchOption.AllDirectories));
        await using (var store = h.Context.OpenMessageStore())
            Assert.Null(await store.GetRowVersionAsync(h.Config.Partition, "USRT-Stores", "1020", default));

        // The next run packages the same changes again, normally.
        var again = Assert.Single(await h.DistributeAsync(new DistributionRequest { Jobs = ["1020"], DataGroups = ["USRT-Stores"] }));
        Assert.Equal(SessionStatus.Available, again.Status);
        Assert.True(File.Exists(h.PackagePath(again)));
    }

    [Fact]
    public async Task A_running_distribution_notices_a_cancel_by_itself_and_stops()
    {
        await using var h = await ClientHarness.CreateAsync(products: 10);
        var lifecycle = new SessionLifecycle(h.Context);
        var noticed = false;
        var options = new DistributionOptions
        {
            CancellationPollInterval = TimeSpan.FromMilliseconds(50),
            AfterPackagesWritten = async (files, ct) =>
            {
                var started = (await h.SessionsAsync(new SessionQuery { Statuses = [SessionStatus.Started] })).Single();
                await lifecycle.CancelAsync(started.Id, null, CancellationToken.None);
                // Work that would go on for ever unless the run's own watcher stops it (the guard only keeps a broken build from hanging).
                using var guard = CancellationTokenSource.CreateLinkedTokenSource(ct);
                guard.CancelAfter(TimeSpan.FromMinutes(2));
                try { await Task.Delay(Timeout.Infinite, guard.Token); }
                catch (OperationCanceledException) { noticed = ct.IsCancellationRequested; throw; }
            },
        };
        Assert.Empty(await h.DistributeAsync(new DistributionRequest { Jobs = ["1070"], DataGroups = ["USMF-Stores"] }, options));
        Assert.True(noticed);
        Assert.Empty(Directory.EnumerateFiles(h.Config.DownloadFolder, "*", SearchOption.AllDirectories));
        Assert.All(await h.SessionsAsync(), s => Assert.Equal(SessionStatus.Canceled, s.Status));
    }

    [Fact]
    public async Task Canceling_a_blocking_session_releases_the_suspended_ones()
    {
        await using var h = await ClientHarness.CreateAsync(products: 10, configure: c => c.TryCount = 1);
        var first = (await h.DistributeAsync(new DistributionRequest { Jobs = ["1070"], DataGroups = ["USMF-Stores"] })).Single();
        await SampleData.ChangeAsync(h.HqFile, seed: 3, inserts: 0, updates: 8, deletes: 0);
        var second = (await h.DistributeAsync(new DistributionRequest { Jobs = ["1020"], DataGroups = ["USMF-Stores"] })).Single();
        File.Delete(h.PackagePath(first));
        await h.ReceiveAsync("DETROIT");
        Assert.Equal(SessionStatus.Suspended, ClientHarness.Target(await h.SessionAsync(second.Id), "DETROIT").Status);

        var lifecycle = new SessionLifecycle(h.Context);
        var after = await lifecycle.CancelAsync(first.Id, "DETROIT", default);
        Assert.Equal(SessionStatus.Canceled, ClientHarness.Target(after, "DETROIT").Status);
        Assert.Equal(SessionStatus.Available, ClientHarness.Target(after, "CHICAGO").Status);
        Assert.Equal(SessionStatus.Available, ClientHarness.Target(await h.SessionAsync(second.Id), "DETROIT").Status);
        await h.ReceiveAsync("DETROIT");
        Assert.Equal(SessionStatus.Applied, ClientHarness.Target(await h.SessionAsync(second.Id), "DETROIT").Status);

        // Applied cannot be canceled; canceling twice is harmless; unknown ids and channel databases are named.
        var applied = await Assert.ThrowsAsync<AsyncServerException>(() => lifecycle.CancelAsync(second.Id, "DETROIT", default));
        Assert.Equal(ErrorIds.SessionStateInvalid, applied.ErrorId);
        await lifecycle.CancelAsync(first.Id, "DETROIT", default);
        Assert.Equal(ErrorIds.SessionNotFound, (await Assert.ThrowsAsync<AsyncServerException>(() => lifecycle.CancelAsync(999999, null, default))).ErrorId);
        Assert.Equal(ErrorIds.SessionNotFound, (await Assert.ThrowsAsync<AsyncServerException>(() => lifecycle.CancelAsync(first.Id, "HOUSTON", default))).ErrorId);
    }

    [Fact]
    public async Task Canceling_a_whole_session_cancels_it_everywhere()
    {
        await using var h = await ClientHarness.CreateAsync(products: 10);
        var s = (await h.DistributeAsync(new DistributionRequest { Jobs = ["1020"], DataGroups = ["USRT-Stores"] })).Single();
        var after = await new SessionLifecycle(h.Context).CancelAsync(s.Id, null, default);
        Assert.Equal(SessionStatus.Canceled, after.Status);
        Assert.All(after.Targets, t => Assert.Equal(SessionStatus.Canceled, t.Status));
        Assert.Empty(await h.PendingAsync("HOUSTON"));
    }

    [Fact]
    public async Task Rerunning_a_session_whose_file_is_gone_packages_it_again()
    {
        await using var h = await ClientHarness.CreateAsync(products: 15);
        await h.DistributeAsync(new DistributionRequest { Jobs = ["1020", "1010"] });
        await h.ReceiveAsync("HOUSTON");
        await SampleData.ChangeAsync(h.HqFile, seed: 4, inserts: 2, updates: 10, deletes: 3);
        var delta = (await h.DistributeAsync(new DistributionRequest { Jobs = ["1020"], DataGroups = ["USRT-Stores"] })).Single();
        var lifecycle = new SessionLifecycle(h.Context);
        await lifecycle.CancelAsync(delta.Id, "HOUSTON", default);
        File.Delete(h.PackagePath(delta));
        // More changes after the session: the new package carries the current state of everything since its from version.
        await SampleData.ChangeAsync(h.HqFile, seed: 5, inserts: 1, updates: 10, deletes: 3);

        var rerun = await lifecycle.RestartAsync(delta.Id, "HOUSTON", default);
        Assert.Equal((SessionStatus.Available, 0), (ClientHarness.Target(rerun, "HOUSTON").Status, ClientHarness.Target(rerun, "HOUSTON").Tries));
        Assert.True(File.Exists(h.PackagePath(rerun)));
        Assert.NotEqual(delta.PackageSha256, rerun.PackageSha256);
        await h.ReceiveAsync("HOUSTON");
        Assert.Equal(SessionStatus.Applied, ClientHarness.Target(await h.SessionAsync(delta.Id), "HOUSTON").Status);
        var next = await h.DistributeAsync(new DistributionRequest { Jobs = ["1020"], DataGroups = ["USRT-Stores"] });
        await h.ReceiveAsync("HOUSTON");
        Assert.Empty(await h.DifferencesAsync("HOUSTON", "1020"));
        Assert.NotEmpty(next);
    }

    [Fact]
    public async Task Sessions_that_were_never_packaged_or_are_pending_cannot_be_rerun()
    {
        await using var h = await ClientHarness.CreateAsync(products: 10);
        var s = (await h.DistributeAsync(new DistributionRequest { Jobs = ["1020"], DataGroups = ["USRT-Stores"] })).Single();
        var lifecycle = new SessionLifecycle(h.Context);
        Assert.Equal(ErrorIds.SessionStateInvalid, (await Assert.ThrowsAsync<AsyncServerException>(() => lifecycle.RestartAsync(s.Id, "HOUSTON", default))).ErrorId);
        var noData = (await h.DistributeAsync(new DistributionRequest { Jobs = ["1020"], DataGroups = ["USRT-Stores"] })).Single();
        Assert.Equal(SessionStatus.NoData, noData.Status);
        var ex = await Assert.ThrowsAsync<AsyncServerException>(() => lifecycle.RestartAsync(noData.Id, null, default));
        Assert.Equal(ErrorIds.SessionStateInvalid, ex.ErrorId);
        Assert.Contains("nothing to rerun", ex.Message);
    }
}
