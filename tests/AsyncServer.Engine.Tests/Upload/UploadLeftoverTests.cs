using System.Diagnostics;
using AsyncServer.Messaging;
using AsyncServer.Samples;
using AsyncServer.Tests.Support;
using AsyncServer.Upload;
using static AsyncServer.Tests.Upload.UploadSupport;

namespace AsyncServer.Tests.Upload;

/// <summary>
/// What a stopped upload leaves behind is removed: the partial file of an HTTPS upload once its session can no longer be
/// resumed (swept, canceled, purged, or older than the retention period), and the temporary folder of a killed send.
/// </summary>
public sealed class UploadLeftoverTests
{
    private static async Task<UploadSessionRecord> StartedAsync(Workspace ws, string store = "HOUSTON")
    {
        await using var messages = ws.Context().OpenMessageStore();
        var (group, _) = ws.Config.FindChannelDatabase(store)!.Value;
        var id = await messages.StartUploadAsync(new UploadDraft(ws.Config.Partition, "P-0001", group.Id, store, "endpoint:test",
            [new UploadTableRange(SampleSales.Header, SampleSales.Header, SampleSales.Header, 0, 5, 5)]), default);
        return (await messages.QueryUploadsAsync(new UploadQuery(Id: id), default)).Single();
    }

    /// <summary>A partial file as the endpoint leaves it when a store's upload stops halfway.</summary>
    private static string Partial(Workspace ws, UploadSessionRecord s)
    {
        var path = UploadLease.PartialPath(ws.Config.UploadFolder, s)!;
        Directory.CreateDirectory(ws.Config.UploadFolder);
        File.WriteAllBytes(path, new byte[100]);
        return path;
    }

    [Fact]
    public async Task A_partial_upload_is_deleted_when_its_session_is_swept_or_canceled()
    {
        await using var ws = await Workspace.CreateAsync(products: 5);
        await SellAsync(ws, "HOUSTON", 2);
        var swept = await StartedAsync(ws);
        var sweptPartial = Partial(ws, swept);
        Assert.StartsWith(Path.GetFullPath(ws.Config.UploadFolder), sweptPartial, StringComparison.Ordinal);
        Assert.EndsWith(".partial", sweptPartial, StringComparison.Ordinal);

        Assert.Equal(UploadStatus.Uploaded, Assert.Single(await SendAsync(ws, "HOUSTON")).Status); // its sweep makes the session UploadFailed
        Assert.Equal(UploadStatus.UploadFailed, (await UploadsAsync(ws)).Single(s => s.Id == swept.Id).Status);
        Assert.False(File.Exists(sweptPartial));

        var canceled = await StartedAsync(ws, "SEATTLE");
        var canceledPartial = Partial(ws, canceled);
        Assert.Equal(UploadStatus.Canceled, (await new UploadLifecycle(ws.Context()).CancelAsync(canceled.Id, default)).Status);
        Assert.False(File.Exists(canceledPartial));
    }

    [Fact]
    public async Task Retention_deletes_the_partial_of_a_purged_session_and_partials_older_than_the_retention_period()
    {
        await using var ws = await Workspace.CreateAsync(products: 5);
        var failed = await StartedAsync(ws);
        var failedPartial = Partial(ws, failed);
        await using (var messages = ws.Context().OpenMessageStore()) // failed without deleting it: a crash between the two, or an older version
            Assert.True(await messages.ChangeUploadAsync(failed.Id, [UploadStatus.Started], UploadStatus.UploadFailed, "x", TriesChange.Keep, default));
        var stale = Path.Combine(ws.Config.UploadFolder, ".P_P-0001_GONE_1000000000099.zip.partial");
        var fresh = Path.Combine(ws.Config.UploadFolder, ".P_P-0001_LIVE_1000000000098.zip.partial");
        File.WriteAllBytes(stale, new byte[10]);
        File.WriteAllBytes(fresh, new byte[10]);
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddDays(-3));

        ws.Configure(c => c.RetentionDays = 2);
        await new StatusMessageMover(ws.Context()).RunAsync(whatIf: false, null, default);
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(fresh));
        Assert.True(File.Exists(failedPartial)); // its session is younger than the retention period

        ws.Configure(c => c.RetentionDays = 0);
        await new StatusMessageMover(ws.Context()).RunAsync(whatIf: false, null, default);
        Assert.Empty(await UploadsAsync(ws));
        Assert.False(File.Exists(failedPartial));
        Assert.True(File.Exists(fresh)); // retentionDays 0 still spares a partial file written within the last hour: an upload arriving now
    }

    private static long StartTicks(Process p) => p.StartTime.ToUniversalTime().Ticks;

    [Fact]
    public async Task A_send_removes_the_temp_folders_its_store_s_dead_sends_left_and_no_other()
    {
        await using var ws = await Workspace.CreateAsync(products: 5);
        await SellAsync(ws, "HOUSTON", 2);
        using var gone = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        await gone.WaitForExitAsync();
        var self = Process.GetCurrentProcess();
        string Folder(string store, int pid, long start)
        {
            var path = Path.Combine(Path.GetTempPath(), $"asyncserver-upload-{store}.{pid}.{start}.{Guid.NewGuid():N}");
            Directory.CreateDirectory(path);
            File.WriteAllText(Path.Combine(path, "package.zip"), "rows");
            return path;
        }
        var dead = Folder("HOUSTON", gone.Id, DateTime.UtcNow.Ticks);
        var reused = Folder("HOUSTON", self.Id, StartTicks(self) - TimeSpan.TicksPerHour); // this process's id, another start: a reused id
        var live = Folder("HOUSTON", self.Id, StartTicks(self));
        var otherStore = Folder("NOSUCHSTORE", gone.Id, DateTime.UtcNow.Ticks);
        try
        {
            Assert.Equal(UploadStatus.Uploaded, Assert.Single(await SendAsync(ws, "HOUSTON")).Status);
            Assert.False(Directory.Exists(dead));
            Assert.False(Directory.Exists(reused));
            Assert.True(Directory.Exists(live));
            Assert.True(Directory.Exists(otherStore));
        }
        finally
        {
            foreach (var f in new[] { dead, reused, live, otherStore }.Where(Directory.Exists)) Directory.Delete(f, recursive: true);
        }
    }

    [Fact]
    public async Task The_temp_folder_of_a_send_killed_with_SIGKILL_is_removed_by_the_next_send()
    {
        await using var ws = await Workspace.CreateAsync(products: 5);
        ws.Configure(c => c.LeaseSeconds = 1);
        await SellAsync(ws, "DETROIT", 2);
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var child = InstanceProcess.Upload(ws.Config.SourcePath!, "child1", "send", "DETROIT", UploadCheckpoints.SendWritten);
        await child.PackagesWritten.WaitAsync(guard.Token);
        var pid = child.ProcessId;
        child.Kill();
        var left = Directory.GetDirectories(Path.GetTempPath(), $"asyncserver-upload-DETROIT.{pid}.*");
        Assert.Single(left);
        Assert.NotEmpty(Directory.GetFiles(left[0])); // the package it wrote

        await Task.Delay(1500); // the killed send's lease runs out
        Assert.Equal(UploadStatus.Uploaded, Assert.Single(await SendAsync(ws, "DETROIT")).Status);
        Assert.False(Directory.Exists(left[0]));
    }
}
