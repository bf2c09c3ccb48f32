using AsyncServer.Checks;
using AsyncServer.Configuration;
using AsyncServer.Diagnostics;
using AsyncServer.Distribution;
using AsyncServer.Tests.Support;

namespace AsyncServer.Tests.BadInput;

/// <summary>
/// Issue 12, points 5 and 14: working folders and packages are owner-only on Unix (group-readable only in a
/// set-group-ID folder), and Start-AsyncDistribution refuses unusable folders with their JSON path before any work,
/// creating a missing folder only one level deep unless $.workingFolders.createFolders says otherwise.
/// </summary>
public sealed class WorkingFolderTests
{
    private const UnixFileMode Group = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute;
    private const UnixFileMode Others = UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    [Fact]
    public async Task Folders_and_packages_are_created_owner_only()
    {
        if (OperatingSystem.IsWindows()) return; // the folder's ACL decides there (docs/security.md)
        await using var ws = await Workspace.CreateAsync(products: 8);
        ws.Configure(c => c.WorkingFolders = new WorkingFolderSettings { Download = "out", Upload = "upload" });
        var sessions = await ws.RunJobsAsync("1020");
        Assert.NotEmpty(sessions);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(ws.Config.DownloadFolder));
        foreach (var s in sessions.Where(s => s.PackageFile is not null))
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(ws.PackagePath(s)));

        // Staged packages too, in the default staging folder inside the download folder.
        var staged = await ws.RunAsync(new DistributionRequest { Jobs = ["1040"], FullSync = true, NoPublish = true });
        Assert.Equal(0, (int)(File.GetUnixFileMode(ws.Config.StagingFolder) & (Group | Others)));
        foreach (var s in staged.Where(s => s.PackageFile is not null))
            Assert.Equal(0, (int)(File.GetUnixFileMode(ws.PackagePath(s)) & (Group | Others)));
    }

    [Fact]
    public async Task A_set_group_ID_folder_shares_packages_read_only_with_its_group()
    {
        if (OperatingSystem.IsWindows()) return;
        await using var ws = await Workspace.CreateAsync(products: 8);
        File.SetUnixFileMode(ws.Config.DownloadFolder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.SetGroup);
        var sessions = await ws.RunJobsAsync("1020");
        foreach (var s in sessions.Where(s => s.PackageFile is not null))
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(ws.PackagePath(s)));
    }

    public static TheoryData<string, string> Unusable() => new()
    {
        { "download", "$.workingFolders.download" },
        { "upload", "$.workingFolders.upload" },
    };

    [Theory]
    [MemberData(nameof(Unusable))]
    public async Task A_working_folder_under_a_file_stops_the_run_before_any_work(string which, string path)
    {
        await using var ws = await Workspace.CreateAsync(products: 8);
        File.WriteAllText(Path.Combine(ws.Folder, "blocker"), "");
        ws.Configure(c => c.WorkingFolders = which == "download"
            ? new WorkingFolderSettings { Download = "blocker/download", Upload = "upload" }
            : new WorkingFolderSettings { Download = "download", Upload = "blocker/upload" });
        var ex = await Assert.ThrowsAsync<AsyncServerException>(() => ws.RunJobsAsync("1020"));
        Assert.Equal(ErrorIds.WorkingFolderUnavailable, ex.ErrorId);
        Assert.Contains(path, ex.Message);
        Assert.Contains("is a file", ex.Message);
        Assert.Empty(await ws.SessionsAsync());
        Assert.Contains(await ConfigurationValidator.ValidateAsync(ws.Context(), checkCatalog: false, default), p => p.Path == path);
    }

    [Fact]
    public async Task A_missing_folder_two_levels_deep_is_created_only_when_asked()
    {
        await using var ws = await Workspace.CreateAsync(products: 8);
        ws.Configure(c => c.WorkingFolders = new WorkingFolderSettings { Download = "mnt/share/download", Upload = "upload" });
        var ex = await Assert.ThrowsAsync<AsyncServerException>(() => ws.RunJobsAsync("1020"));
        Assert.Equal(ErrorIds.WorkingFolderUnavailable, ex.ErrorId);
        Assert.Contains("$.workingFolders.download", ex.Message);
        Assert.Contains("createFolders", ex.Message);
        Assert.False(Directory.Exists(Path.Combine(ws.Folder, "mnt")));
        Assert.Empty(await ws.SessionsAsync());

        ws.Configure(c => c.WorkingFolders!.CreateFolders = true);
        Assert.NotEmpty(await ws.RunJobsAsync("1020"));
        Assert.True(Directory.Exists(Path.Combine(ws.Folder, "mnt", "share", "download")));
    }

    [Fact]
    public async Task A_missing_folder_whose_parent_exists_is_created()
    {
        await using var ws = await Workspace.CreateAsync(products: 8);
        ws.Configure(c => c.WorkingFolders = new WorkingFolderSettings { Download = "fresh", Upload = "upload" });
        Assert.NotEmpty(await ws.RunJobsAsync("1020"));
        Assert.True(Directory.Exists(Path.Combine(ws.Folder, "fresh")));
    }
}
