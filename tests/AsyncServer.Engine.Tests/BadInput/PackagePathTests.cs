using AsyncServer.Distribution;
using AsyncServer.Messaging;
using AsyncServer.Packaging;
using AsyncServer.Providers.Sqlite;
using AsyncServer.Tests.Support;

namespace AsyncServer.Tests.BadInput;

/// <summary>
/// A session row's package_file is written by whoever can write the message database: it is trusted only as
/// a bare package file name, inside the folder it belongs to (issue 12 point 1). Each hostile name points at a
/// "victim" file outside the working folders, which must survive the client, the purge and the operator's
/// session commands.
/// </summary>
public sealed class PackagePathTests
{
    [Theory]
    [InlineData("PS1_1020_USMF-Stores_00000001.zip", true)]
    [InlineData("ps1_1020_USRT-Stores_123456789.zip", true)]
    [InlineData("../victim.zip", false)]
    [InlineData("..\\victim_00000001.zip", false)]
    [InlineData("/etc/victim_00000001.zip", false)]
    [InlineData("sub/ps1_1020_G_00000001.zip", false)]
    [InlineData(".ps1_1020_G_00000001.zip", false)]
    [InlineData("ps1_1020_G_1.zip", false)]
    [InlineData("ps1_1020_G_00000001.zip.tmp", false)]
    [InlineData("ps1_1020_G_00000001.zip\n", false)]
    [InlineData("C:ps1_1020_G_00000001.zip", false)]
    [InlineData("", false)]
    public void Only_bare_package_file_names_resolve_inside_their_folder(string name, bool accepted)
    {
        using var folder = new TempFolder("names");
        var path = PackageFiles.TryPathIn(folder.Path, name);
        Assert.Equal(accepted, path is not null);
        if (path is not null) Assert.Equal(Path.Combine(Path.GetFullPath(folder.Path), name), path);
    }

    [Fact]
    public void Every_name_the_engine_makes_is_accepted()
    {
        using var folder = new TempFolder("names");
        foreach (var (p, j, g) in new[] { ("ps1", "1020", "USRT-Stores"), ("P S.1", "a/b", "..\\up"), ("x:y", "..", "ü*?") })
            Assert.NotNull(PackageFiles.TryPathIn(folder.Path, PackageFiles.Name(p, j, g, 42)));
    }

    /// <summary>The hostile names: relative escapes from the download folder and from the client's local folder, and an absolute path.</summary>
    public static TheoryData<string> HostileNames => new() { "../victim.zip", "sub/../../victim.zip", "ABSOLUTE" };

    [Theory]
    [MemberData(nameof(HostileNames))]
    public async Task The_client_copies_and_deletes_nothing_a_tampered_row_names(string hostile)
    {
        await using var h = await ClientHarness.CreateAsync(products: 8);
        var s = (await h.DistributeAsync(new DistributionRequest { Jobs = ["1020"], DataGroups = ["USMF-Stores"] })).Single();
        var name = hostile == "ABSOLUTE" ? Path.Combine(h.Folder, "outside", "victim.zip") : hostile;
        // Plant files where the name resolves, from the download folder (the source) and from the local folder
        // (where the copy goes and is deleted after a hash mismatch).
        var local = h.Config.ResolvePath(Path.Combine("client", "CHICAGO"));
        var victims = new[] { Path.GetFullPath(Path.Combine(h.Config.DownloadFolder, name)), Path.GetFullPath(Path.Combine(local, name)) };
        foreach (var v in victims.Distinct())
        {
            Directory.CreateDirectory(Path.GetDirectoryName(v)!);
            await File.WriteAllTextAsync(v, "precious " + v);
        }
        await SetPackageFileAsync(h, s.Id, name);

        await h.ReceiveAsync("CHICAGO");

        foreach (var v in victims.Distinct())
            Assert.Equal("precious " + v, await File.ReadAllTextAsync(v));
        var target = ClientHarness.Target(await h.SessionAsync(s.Id), "CHICAGO");
        Assert.Equal(SessionStatus.DownloadFailed, target.Status);
        Assert.Contains("not a package file name", target.Message);
    }

    [Theory]
    [MemberData(nameof(HostileNames))]
    public async Task The_retention_purge_deletes_nothing_a_tampered_row_names(string hostile)
    {
        await using var h = await ClientHarness.CreateAsync(products: 8);
        var s = (await h.DistributeAsync(new DistributionRequest { Jobs = ["1020"], DataGroups = ["USMF-Stores"] })).Single();
        await new SessionLifecycle(h.Context).CancelAsync(s.Id, null, default); // finished everywhere: purgeable
        var name = hostile == "ABSOLUTE" ? Path.Combine(h.Folder, "outside", "victim.zip") : hostile;
        var victim = Path.GetFullPath(Path.Combine(h.Config.DownloadFolder, name));
        Directory.CreateDirectory(Path.GetDirectoryName(victim)!);
        await File.WriteAllTextAsync(victim, "precious");
        await SetPackageFileAsync(h, s.Id, name);

        // Forty days later, past the retention period.
        var later = new EngineContext(h.Config, instanceId: "test:1", time: new ManualTime(DateTimeOffset.UtcNow.AddDays(40)));
        var summary = await new StatusMessageMover(later).RunAsync(whatIf: false, null, default);

        Assert.True(summary.SessionsPurged >= 1);
        Assert.Equal(0, summary.PackageFilesDeleted);
        Assert.Equal("precious", await File.ReadAllTextAsync(victim));
    }

    [Fact]
    public async Task Canceling_a_staged_session_deletes_nothing_outside_the_staging_folder()
    {
        await using var h = await ClientHarness.CreateAsync(products: 8);
        var staged = (await h.DistributeAsync(new DistributionRequest { Jobs = ["1020"], DataGroups = ["USMF-Stores"], NoPublish = true })).Single();
        var victim = Path.Combine(h.Folder, "outside", "victim.zip");
        Directory.CreateDirectory(Path.GetDirectoryName(victim)!);
        await File.WriteAllTextAsync(victim, "precious");
        await SetPackageFileAsync(h, staged.Id, victim);

        var after = await new SessionLifecycle(h.Context).CancelAsync(staged.Id, null, default);

        Assert.Equal(SessionStatus.Canceled, after.Status);
        Assert.Equal("precious", await File.ReadAllTextAsync(victim));
    }

    /// <summary>
    /// A row naming a copy of its package outside the download folder (the hash matches) is not taken as intact:
    /// Restart-AsyncSession packages the session again under its proper name, and the client applies that.
    /// </summary>
    [Fact]
    public async Task Restart_repackages_a_session_whose_row_names_a_file_outside_its_folder()
    {
        await using var h = await ClientHarness.CreateAsync(products: 8);
        var s = (await h.DistributeAsync(new DistributionRequest { Jobs = ["1020"], DataGroups = ["USMF-Stores"] })).Single();
        var outside = Path.Combine(h.Folder, "outside", s.PackageFile!);
        Directory.CreateDirectory(Path.GetDirectoryName(outside)!);
        File.Copy(h.PackagePath(s), outside);
        await new SessionLifecycle(h.Context).CancelAsync(s.Id, "CHICAGO", default);
        await SetPackageFileAsync(h, s.Id, outside);

        var restarted = await new SessionLifecycle(h.Context).RestartAsync(s.Id, "CHICAGO", default);

        Assert.Equal(PackageFiles.Name(s.Partition, s.JobId, s.DataGroup, s.Id), restarted.PackageFile);
        await h.ReceiveAsync("CHICAGO");
        Assert.Equal(SessionStatus.Applied, ClientHarness.Target(await h.SessionAsync(s.Id), "CHICAGO").Status);
        Assert.Empty(await h.DifferencesAsync("CHICAGO", "1020"));
    }

    /// <summary>What someone with write access to the message database can do: point a session at any file.</summary>
    internal static async Task SetPackageFileAsync(ClientHarness h, long sessionId, string packageFile)
    {
        await using var conn = await SqliteConnections.OpenAsync(h.Context.MessageConnection, false, default);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "UPDATE download_sessions SET package_file = @f WHERE id = @id";
        cmd.Parameters.AddWithValue("@f", packageFile);
        cmd.Parameters.AddWithValue("@id", sessionId);
        Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
    }
}

/// <summary>A clock that stands still where a test puts it (timers still run on the system clock).</summary>
public sealed class ManualTime(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
