using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AsyncServer.Distribution;
using AsyncServer.Messaging;
using AsyncServer.Packaging;
using AsyncServer.Samples;
using AsyncServer.Providers.Sqlite;
using AsyncServer.Tests.Support;

namespace AsyncServer.Tests.Client;

/// <summary>
/// Every kind of bad package ends as a failed session with the reason, and the channel database exactly as it
/// was. Each test lets HOUSTON apply a first session, then damages the second one's package (recording the
/// damaged file's SHA-256 where the damage must get past the download check).
/// </summary>
public sealed class BadPackageTests
{
    private sealed record Setup(ClientHarness H, DownloadSessionRecord Victim, string Before) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => H.DisposeAsync();
    }

    private static async Task<Setup> SetUpAsync()
    {
        var h = await ClientHarness.CreateAsync(products: 12);
        await h.DistributeAsync(new DistributionRequest { Jobs = ["1020"], DataGroups = ["USRT-Stores"] });
        await h.ReceiveAsync("HOUSTON");
        await SampleData.ChangeAsync(h.HqFile, seed: 21, inserts: 2, updates: 8, deletes: 2);
        var victim = (await h.DistributeAsync(new DistributionRequest { Jobs = ["1020"], DataGroups = ["USRT-Stores"] })).Single();
        return new Setup(h, victim, await DumpAsync(h, "HOUSTON"));
    }

    /// <summary>Every table of a channel database, every row, as sorted text.</summary>
    private static async Task<string> DumpAsync(ClientHarness h, string db)
    {
        var connection = Data.ResolvedConnection.FromString(Data.DatabaseProvider.Sqlite, $"Data Source={h.ChannelFile(db)}");
        await using var conn = await SqliteConnections.OpenAsync(connection, false, default);
        var tables = new List<string>();
        await using (var cmd = conn.CreateCommand())
        {
            cmd.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name";
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync()) tables.Add(r.GetString(0));
        }
        var sb = new StringBuilder();
        foreach (var t in tables)
        {
            var rows = new List<string>();
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = $"SELECT * FROM \"{t}\"";
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync()) rows.Add(string.Join("|", Enumerable.Range(0, r.FieldCount).Select(i => r.IsDBNull(i) ? "∅" : Convert.ToString(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
            rows.Sort(StringComparer.Ordinal);
            sb.Append(t).Append(':').AppendJoin(';', rows).AppendLine();
        }
        return sb.ToString();
    }

    /// <summary>Replaces the victim's package and records the new file as the session's, as if it had been produced bad.</summary>
    private static async Task RecordAsync(Setup s, Action<string> damage)
    {
        var path = s.H.PackagePath(s.Victim);
        damage(path);
        await using var store = s.H.Context.OpenMessageStore();
        await store.ReplacePackageAsync(new CompletedPackage(s.Victim.Id, s.Victim.RowCount, s.Victim.PackageFile!, new FileInfo(path).Length,
            await FileHash.Sha256Async(path, default), false), default);
    }

    private static void EditManifest(string path, Action<JsonObject> edit)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Update);
        var entry = zip.GetEntry(PackageManifest.EntryName)!;
        JsonObject manifest;
        using (var s = entry.Open()) manifest = JsonNode.Parse(s)!.AsObject();
        edit(manifest);
        entry.Delete();
        using var w = new StreamWriter(zip.CreateEntry(PackageManifest.EntryName).Open());
        w.Write(manifest.ToJsonString());
    }

    private static async Task AssertFailedAsync(Setup s, SessionStatus status, params string[] reasonParts)
    {
        var result = await s.H.ReceiveAsync("HOUSTON");
        var target = ClientHarness.Target(await s.H.SessionAsync(s.Victim.Id), "HOUSTON");
        Assert.Equal(status, target.Status);
        Assert.Equal(1, target.Tries);
        foreach (var part in reasonParts) Assert.Contains(part, target.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(result, r => r.Id == s.Victim.Id && r.Status == status);
        Assert.Equal(s.Before, await DumpAsync(s.H, "HOUSTON"));
        Assert.Empty(Directory.EnumerateFiles(s.H.Config.ResolvePath("client/HOUSTON")));
    }

    [Fact]
    public async Task A_package_changed_after_it_was_recorded_fails_the_download()
    {
        await using var s = await SetUpAsync();
        var path = s.H.PackagePath(s.Victim);
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[bytes.Length / 2] ^= 0xFF;
        await File.WriteAllBytesAsync(path, bytes);
        await AssertFailedAsync(s, SessionStatus.DownloadFailed, "SHA-256", "session records");
    }

    [Fact]
    public async Task A_corrupted_data_file_fails_the_apply()
    {
        await using var s = await SetUpAsync();
        await RecordAsync(s, path =>
        {
            using var zip = ZipFile.Open(path, ZipArchiveMode.Update);
            var data = zip.Entries.First(e => e.FullName.StartsWith("data/", StringComparison.Ordinal));
            var name = data.FullName;
            string text;
            using (var r = new StreamReader(data.Open())) text = r.ReadToEnd();
            data.Delete();
            using var w = new StreamWriter(zip.CreateEntry(name).Open());
            w.Write(text.Replace("\"U\"", "\"D\""));
        });
        await AssertFailedAsync(s, SessionStatus.ApplyFailed, "invalid", "SHA-256");
    }

    [Fact]
    public async Task A_truncated_zip_fails_the_apply()
    {
        await using var s = await SetUpAsync();
        await RecordAsync(s, path =>
        {
            var bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        });
        await AssertFailedAsync(s, SessionStatus.ApplyFailed, "not a readable zip");
    }

    [Fact]
    public async Task Zip_entries_escaping_the_folder_fail_the_apply_and_write_nothing_outside()
    {
        await using var s = await SetUpAsync();
        await RecordAsync(s, path =>
        {
            using var zip = ZipFile.Open(path, ZipArchiveMode.Update);
            using var w = new StreamWriter(zip.CreateEntry("../../escaped.txt").Open());
            w.Write("gotcha");
        });
        await AssertFailedAsync(s, SessionStatus.ApplyFailed, "escape");
        Assert.Empty(Directory.EnumerateFiles(s.H.Folder, "escaped.txt", SearchOption.AllDirectories));
        Assert.False(File.Exists(Path.Combine(s.H.Folder, "..", "escaped.txt")));
    }

    [Fact]
    public async Task A_package_for_another_channel_database_fails_the_apply()
    {
        await using var s = await SetUpAsync();
        await RecordAsync(s, path => EditManifest(path, m => m["channelDatabases"] = new JsonArray("SEATTLE")));
        await AssertFailedAsync(s, SessionStatus.ApplyFailed, "SEATTLE", "not HOUSTON");
    }

    [Fact]
    public async Task A_package_of_another_data_group_fails_the_apply()
    {
        await using var s = await SetUpAsync();
        var other = (await s.H.DistributeAsync(new DistributionRequest { Jobs = ["1020"], DataGroups = ["USMF-Stores"] })).First();
        await RecordAsync(s, path => File.Copy(s.H.PackagePath(other), path, overwrite: true));
        await AssertFailedAsync(s, SessionStatus.ApplyFailed, "USMF-Stores", $"session {other.Id}");
    }

    [Fact]
    public async Task A_manifest_that_disagrees_with_its_session_fails_the_apply()
    {
        await using var s = await SetUpAsync();
        await RecordAsync(s, path => EditManifest(path, m => m["toVersion"] = (long)m["toVersion"]! + 1000));
        await AssertFailedAsync(s, SessionStatus.ApplyFailed, "versions", "does not match its session");
    }

    [Fact]
    public async Task A_package_with_columns_the_channel_table_lacks_fails_the_apply()
    {
        await using var s = await SetUpAsync();
        // An administrator rebuilt the channel table without the AMOUNT column.
        var connection = Data.ResolvedConnection.FromString(Data.DatabaseProvider.Sqlite, $"Data Source={s.H.ChannelFile("HOUSTON")}");
        await using (var conn = await SqliteConnections.OpenAsync(connection, false, default))
            await SqliteConnections.ExecuteAsync(conn, "ALTER TABLE PRICEDISCTABLE DROP COLUMN AMOUNT", default);
        var before = await DumpAsync(s.H, "HOUSTON");
        var fixedUp = s with { Before = before };
        await AssertFailedAsync(fixedUp, SessionStatus.ApplyFailed, "lacks column", "AMOUNT");
    }
}
