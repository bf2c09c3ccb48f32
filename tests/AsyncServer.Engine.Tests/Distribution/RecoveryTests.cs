using AsyncServer.Distribution;
using AsyncServer.Messaging;
using AsyncServer.Packaging;
using AsyncServer.Tests.Support;

namespace AsyncServer.Tests.Distribution;

/// <summary>Crashes, cancellation and concurrent instances: the row version moves only with a recorded session.</summary>
public sealed class RecoveryTests
{
    /// <summary>
    /// Reproduces exactly what a process killed after writing its package and before recording it leaves:
    /// a Started session, a complete package file (and a temp file) nobody recorded, and its lease still
    /// in the table until it expires.
    /// </summary>
    [Fact]
    public async Task A_crash_between_writing_and_recording_leaves_the_row_version_and_the_next_run_sweeps_and_delivers()
    {
        await using var ws = await Workspace.CreateAsync();
        ws.Configure(c => c.LeaseSeconds = 1);
        await ws.RunAsync(new DistributionRequest { Jobs = ["1020"], DataGroups = ["USRT-Stores"] });
        var version = await ws.RowVersionAsync("USRT-Stores", "1020");
        await ws.HqAsync("UPDATE PRICEDISCTABLE SET AMOUNT = 1.5 WHERE DATAAREAID = 'usrt' AND RECID IN (SELECT RECID FROM PRICEDISCTABLE WHERE DATAAREAID = 'usrt' LIMIT 2)");

        // The dead instance: it claimed the work, created its session, wrote its package, and died.
        long deadSession;
        string deadPackage, deadTemp;
        await using (var store = ws.Context("dead:1").OpenMessageStore())
        {
            Assert.True((await store.TryAcquireLeaseAsync("download/ps1/USRT-Stores/1020", "dead:1", TimeSpan.FromSeconds(1), default)).Acquired);
            deadSession = await store.CreateStartedSessionAsync(new NewSession("ps1", "1020", "USRT-Stores", SessionKind.Incremental, false, null, version, version!.Value + 2, 1, "dead:1", []), default);
            deadPackage = Path.Combine(ws.Config.DownloadFolder, DistributionRunner.PackageFileName("ps1", "1020", "USRT-Stores", deadSession));
            await using (var writer = PackageWriter.Create(new PackageManifest { SessionId = deadSession }, deadPackage))
                await writer.CompleteAsync(default);
            deadTemp = PackageWriter.TempPathFor(Path.Combine(ws.Config.DownloadFolder, DistributionRunner.PackageFileName("ps1", "1020", "USRT-Stores", deadSession)));
            await File.WriteAllTextAsync(deadTemp, "half a package");
        }
        Assert.Equal(version, await ws.RowVersionAsync("USRT-Stores", "1020"));

        // While the dead instance's lease lasts, another instance leaves the work alone.
        Assert.Empty(await ws.RunAsync(new DistributionRequest { Jobs = ["1020"], DataGroups = ["USRT-Stores"] }, instance: "other:2"));
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        var sessions = await ws.RunAsync(new DistributionRequest { Jobs = ["1020"], DataGroups = ["USRT-Stores"] }, instance: "other:2");
        var s = Assert.Single(sessions);
        Assert.Equal(SessionKind.Incremental, s.Kind);
        Assert.Equal(version, s.FromVersion);
        Assert.Equal(2, s.RowCount);
        Assert.Equal(s.ToVersion, await ws.RowVersionAsync("USRT-Stores", "1020"));
        Assert.False(File.Exists(deadPackage));
        Assert.False(File.Exists(deadTemp));
        var dead = (await ws.SessionsAsync(new SessionQuery { Ids = [deadSession] })).Single();
        Assert.Equal(SessionStatus.CreateFailed, dead.Status);
        Assert.Contains("dead:1", dead.Message);
        Assert.Contains("other:2", dead.Message);
    }

    [Fact]
    public async Task A_failure_after_packaging_records_nothing_and_removes_the_files()
    {
        await using var ws = await Workspace.CreateAsync();
        var options = new DistributionOptions { AfterPackagesWritten = (_, _) => throw new IOException("disk pulled") };
        var ex = await Assert.ThrowsAsync<Diagnostics.AsyncServerException>(() => ws.RunAsync(new DistributionRequest { Jobs = ["1020"], DataGroups = ["USRT-Stores"] }, options));
        Assert.Equal("DistributionFailed", ex.ErrorId);
        Assert.Contains("disk pulled", ex.Message);
        Assert.Null(await ws.RowVersionAsync("USRT-Stores", "1020"));
        Assert.Empty(ws.FilesInWorkingFolders());
        var s = Assert.Single(await ws.SessionsAsync());
        Assert.Equal(SessionStatus.CreateFailed, s.Status);
        Assert.Contains("disk pulled", s.Message);
        // The next run delivers everything.
        var next = Assert.Single(await ws.RunAsync(new DistributionRequest { Jobs = ["1020"], DataGroups = ["USRT-Stores"] }));
        Assert.Equal(SessionStatus.Available, next.Status);
        Assert.Equal(SessionKind.Full, next.Kind);
    }

    [Fact]
    public async Task Cancel_during_a_run_marks_its_sessions_Canceled_and_leaves_nothing()
    {
        await using var ws = await Workspace.CreateAsync();
        using var cts = new CancellationTokenSource();
        var options = new DistributionOptions
        {
            AfterPackagesWritten = async (_, ct) => { cts.Cancel(); await Task.Delay(Timeout.Infinite, ct); },
        };
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ws.RunAsync(new DistributionRequest { Jobs = ["1040"], DataGroups = ["USRT-Stores"] }, options, ct: cts.Token));
        Assert.Null(await ws.RowVersionAsync("USRT-Stores", "1040"));
        Assert.Empty(ws.FilesInWorkingFolders());
        var s = Assert.Single(await ws.SessionsAsync());
        Assert.Equal(SessionStatus.Canceled, s.Status);
        Assert.Contains("Canceled", s.Message);
    }

    [Fact]
    public async Task Two_instances_at_once_package_each_range_once()
    {
        await using var ws = await Workspace.CreateAsync();
        var entered = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var slow = new DistributionOptions { AfterPackagesWritten = async (_, _) => { entered.TrySetResult(); await release.Task; } };
        var first = ws.RunAsync(new DistributionRequest { Jobs = ["1020"], DataGroups = ["USRT-Stores"] }, slow, instance: "a:1");
        await entered.Task;
        var second = await ws.RunAsync(new DistributionRequest { Jobs = ["1020"], DataGroups = ["USRT-Stores"] }, instance: "b:2");
        Assert.Empty(second);
        release.SetResult();
        var s = Assert.Single(await first);
        Assert.Equal("a:1", s.InstanceId);
        var all = await ws.SessionsAsync();
        Assert.Single(all);
        Assert.Equal(s.ToVersion, await ws.RowVersionAsync("USRT-Stores", "1020"));
    }

    [Fact]
    public async Task A_run_that_lost_its_lease_records_nothing()
    {
        await using var ws = await Workspace.CreateAsync();
        var options = new DistributionOptions
        {
            LeaseDuration = TimeSpan.FromMilliseconds(300),
            AfterPackagesWritten = async (_, _) =>
            {
                // Another instance takes the claim over, as it would after this one stalled past its lease.
                await using var store = ws.Context("thief:9").OpenMessageStore();
                await store.ReleaseLeaseAsync("download/ps1/USRT-Stores/1020", "test:1", default);
                Assert.True((await store.TryAcquireLeaseAsync("download/ps1/USRT-Stores/1020", "thief:9", TimeSpan.FromMinutes(5), default)).Acquired);
                await Task.Delay(500);
            },
        };
        var ex = await Assert.ThrowsAsync<Diagnostics.AsyncServerException>(() => ws.RunAsync(new DistributionRequest { Jobs = ["1020"], DataGroups = ["USRT-Stores"] }, options));
        Assert.Contains(ex.ErrorId, new[] { "WorkClaimedElsewhere", "ConcurrentRun" });
        Assert.Null(await ws.RowVersionAsync("USRT-Stores", "1020"));
        Assert.Empty(ws.FilesInWorkingFolders());
    }
}
