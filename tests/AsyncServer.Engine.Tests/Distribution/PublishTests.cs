using System.IO.Compression;
using AsyncServer.Distribution;
using AsyncServer.Messaging;
using AsyncServer.Tests.Support;

namespace AsyncServer.Tests.Distribution;

/// <summary>-NoPublish stages packages; Publish-AsyncPackage proves and places them.</summary>
public sealed class PublishTests
{
    private static async Task<(Workspace Ws, DownloadSessionRecord Staged)> StageAsync()
    {
        var ws = await Workspace.CreateAsync();
        var staged = Assert.Single(await ws.RunAsync(new DistributionRequest { Jobs = ["1070"], DataGroups = ["USRT-Stores"], NoPublish = true }));
        return (ws, staged);
    }

    [Fact]
    public async Task NoPublish_stages_the_package_and_advances_the_row_version_without_targets()
    {
        var (ws, staged) = await StageAsync();
        await using var _ = ws;
        Assert.True(staged.Staged);
        Assert.Equal(SessionStatus.Started, staged.Status);
        Assert.Empty(staged.Targets);
        Assert.True(File.Exists(Path.Combine(ws.Config.StagingFolder, staged.PackageFile!)));
        Assert.Empty(Directory.GetFiles(ws.Config.DownloadFolder));
        Assert.Equal(staged.ToVersion, await ws.RowVersionAsync("USRT-Stores", "1070"));
        // A later run does not sweep a staged session as abandoned.
        await ws.HqAsync("UPDATE RETAILSTORETABLE SET TAXGROUP = 'CA'");
        await ws.RunAsync(new DistributionRequest { Jobs = ["1070"], DataGroups = ["USRT-Stores"] });
        Assert.Equal(SessionStatus.Started, (await ws.SessionsAsync(new SessionQuery { Ids = [staged.Id] })).Single().Status);
    }

    [Fact]
    public async Task Publish_moves_the_package_into_the_download_folder_and_makes_it_Available()
    {
        var (ws, staged) = await StageAsync();
        await using var _ = ws;
        var path = ws.PackagePath(staged);
        var published = await new PackagePublisher(ws.Context()).PublishAsync(path, default);
        Assert.Equal(SessionStatus.Available, published.Status);
        Assert.False(published.Staged);
        Assert.Equal(["HOUSTON", "SEATTLE"], published.Targets.Select(t => t.ChannelDatabase));
        Assert.False(File.Exists(path));
        var placed = Path.Combine(ws.Config.DownloadFolder, published.PackageFile!);
        Assert.Equal(staged.PackageSha256, await AsyncServer.Packaging.FileHash.Sha256Async(placed, default));
        Assert.Empty(Directory.GetFiles(ws.Config.DownloadFolder, "*.tmp"));
    }

    [Fact]
    public async Task Publish_refuses_a_package_that_is_not_the_recorded_one()
    {
        var (ws, staged) = await StageAsync();
        await using var _ = ws;
        var path = ws.PackagePath(staged);
        // Re-zip the same entries: the content checks pass, but the file's SHA-256 differs from the session row.
        var copy = Path.Combine(ws.Folder, "copy.zip");
        using (var source = ZipFile.OpenRead(path))
        using (var target = ZipFile.Open(copy, ZipArchiveMode.Create))
            foreach (var entry in source.Entries)
            {
                using var from = entry.Open();
                using var to = target.CreateEntry(entry.FullName, CompressionLevel.SmallestSize).Open();
                from.CopyTo(to);
            }
        var ex = await Assert.ThrowsAsync<Diagnostics.AsyncServerException>(() => new PackagePublisher(ws.Context()).PublishAsync(copy, default));
        Assert.Equal("PackageMismatch", ex.ErrorId);
        Assert.Equal(SessionStatus.Started, (await ws.SessionsAsync(new SessionQuery { Ids = [staged.Id] })).Single().Status);
    }

    [Fact]
    public async Task Publish_refuses_a_corrupt_package_and_one_whose_job_is_unknown()
    {
        var (ws, staged) = await StageAsync();
        await using var _ = ws;
        var path = ws.PackagePath(staged);
        var bytes = await File.ReadAllBytesAsync(path);
        var truncated = Path.Combine(ws.Folder, "truncated.zip");
        await File.WriteAllBytesAsync(truncated, bytes[..(bytes.Length / 2)]);
        Assert.Equal("PackageInvalid", (await Assert.ThrowsAsync<Diagnostics.AsyncServerException>(() => new PackagePublisher(ws.Context()).PublishAsync(truncated, default))).ErrorId);

        ws.Configure(c => c.Jobs.RemoveAll(j => j.Id == "1070"));
        var ex = await Assert.ThrowsAsync<Diagnostics.AsyncServerException>(() => new PackagePublisher(ws.Context()).PublishAsync(path, default));
        Assert.Equal("PackageInvalid", ex.ErrorId);
        Assert.Contains("1070", ex.Message);
        Assert.True(File.Exists(path));
    }

    [Fact]
    public async Task Publish_of_a_missing_file_names_it()
    {
        await using var ws = await Workspace.CreateAsync();
        var ex = await Assert.ThrowsAsync<Diagnostics.AsyncServerException>(() => new PackagePublisher(ws.Context()).PublishAsync(Path.Combine(ws.Folder, "nope.zip"), default));
        Assert.Equal("PackageNotFound", ex.ErrorId);
        Assert.Contains("nope.zip", ex.Message);
    }
}
