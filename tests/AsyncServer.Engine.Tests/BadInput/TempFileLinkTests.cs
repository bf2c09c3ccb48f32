using AsyncServer.Distribution;
using AsyncServer.Messaging;
using AsyncServer.Packaging;
using AsyncServer.Tests.Support;

namespace AsyncServer.Tests.BadInput;

/// <summary>
/// Temporary files are created exclusively under names nobody can guess, so a symbolic link planted where a
/// temporary file used to go is never written through; the purge of orphan temporary files never follows a
/// link out of a working folder (issue 12 point 4).
/// </summary>
public sealed class TempFileLinkTests
{
    [Fact]
    public async Task The_client_never_writes_through_a_link_planted_at_the_temporary_name()
    {
        await using var h = await ClientHarness.CreateAsync(products: 8);
        var s = (await h.DistributeAsync(new DistributionRequest { Jobs = ["1020"], DataGroups = ["USMF-Stores"] })).Single();
        var victim = Path.Combine(h.Folder, "outside", "victim.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(victim)!);
        await File.WriteAllTextAsync(victim, "precious");
        var local = h.Config.ResolvePath(Path.Combine("client", "CHICAGO"));
        Directory.CreateDirectory(local);
        // The name the client used to copy to: .NAME.tmp beside the local copy.
        File.CreateSymbolicLink(Path.Combine(local, "." + s.PackageFile + ".tmp"), victim);

        await h.ReceiveAsync("CHICAGO");

        Assert.Equal("precious", await File.ReadAllTextAsync(victim));
        Assert.Equal(SessionStatus.Applied, ClientHarness.Target(await h.SessionAsync(s.Id), "CHICAGO").Status);
    }

    [Fact]
    public async Task Publishing_never_writes_through_a_link_planted_at_the_temporary_name()
    {
        await using var h = await ClientHarness.CreateAsync(products: 8);
        var staged = (await h.DistributeAsync(new DistributionRequest { Jobs = ["1020"], DataGroups = ["USMF-Stores"], NoPublish = true })).Single();
        var victim = Path.Combine(h.Folder, "outside", "victim.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(victim)!);
        await File.WriteAllTextAsync(victim, "precious");
        File.CreateSymbolicLink(Path.Combine(h.Config.DownloadFolder, "." + staged.PackageFile + ".tmp"), victim);

        var published = await new PackagePublisher(h.Context).PublishAsync(Path.Combine(h.Config.StagingFolder, staged.PackageFile!), default);

        Assert.Equal(SessionStatus.Available, published.Status);
        Assert.Equal("precious", await File.ReadAllTextAsync(victim));
        Assert.True(await PackageTransfer.IsIntactAsync(h.PackagePath(published), published.PackageSize, published.PackageSha256, default));
    }

    [Fact]
    public async Task The_purge_never_follows_a_directory_link_out_of_a_working_folder()
    {
        await using var h = await ClientHarness.CreateAsync(products: 8);
        await h.DistributeAsync(new DistributionRequest { Jobs = ["1020"], DataGroups = ["USMF-Stores"] });
        var outside = Path.Combine(h.Folder, "outside");
        Directory.CreateDirectory(outside);
        var foreign = Path.Combine(outside, ".someone-elses.tmp");
        await File.WriteAllTextAsync(foreign, "not ours");
        File.SetLastWriteTimeUtc(foreign, DateTime.UtcNow.AddDays(-2));
        Directory.CreateSymbolicLink(Path.Combine(h.Config.DownloadFolder, "linked"), outside);
        // An orphan of our own, for contrast: it goes.
        var orphan = Path.Combine(h.Config.DownloadFolder, ".orphan.zip.tmp");
        await File.WriteAllTextAsync(orphan, "left by a crash");
        File.SetLastWriteTimeUtc(orphan, DateTime.UtcNow.AddDays(-2));

        var summary = await new StatusMessageMover(h.Context).RunAsync(whatIf: false, null, default);

        Assert.True(File.Exists(foreign));
        Assert.False(File.Exists(orphan));
        Assert.Equal(1, summary.TempFilesDeleted);
    }

    [Fact]
    public async Task A_transfer_whose_copy_does_not_match_leaves_no_file_behind()
    {
        using var folder = new TempFolder("transfer");
        var source = Path.Combine(folder.Path, "source.bin");
        await File.WriteAllBytesAsync(source, [1, 2, 3]);
        var target = Path.Combine(folder.Path, "to", "ps1_1_G_00000001.zip");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);

        var copy = await PackageTransfer.CopyAsync(source, target, 3, new string('0', 64), default);

        Assert.False(copy.Matches);
        Assert.Empty(Directory.GetFileSystemEntries(Path.GetDirectoryName(target)!));
        var good = await PackageTransfer.CopyAsync(source, target, 3, copy.Sha256, default);
        Assert.True(good.Matches);
        Assert.Equal([1, 2, 3], await File.ReadAllBytesAsync(target));
        Assert.Single(Directory.GetFileSystemEntries(Path.GetDirectoryName(target)!));
    }
}
