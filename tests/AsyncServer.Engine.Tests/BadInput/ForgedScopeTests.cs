using System.IO.Compression;
using System.Text.Json.Nodes;
using AsyncServer.Data;
using AsyncServer.Distribution;
using AsyncServer.Messaging;
using AsyncServer.Packaging;
using AsyncServer.Providers.Sqlite;
using AsyncServer.Tests.Support;

namespace AsyncServer.Tests.BadInput;

/// <summary>
/// Issue 12, point 2: a package's manifest alone must not decide which channel tables are created, emptied or
/// written. Each test forges a real package's manifest (and records the forged file's hash, as if it had been
/// produced so), then shows the client refuses it before touching the channel database.
/// </summary>
public sealed class ForgedScopeTests
{
    private static async Task ForgeAsync(ClientHarness h, DownloadSessionRecord s, Action<JsonObject> edit)
    {
        var path = h.PackagePath(s);
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            var entry = zip.GetEntry(PackageManifest.EntryName)!;
            JsonObject manifest;
            using (var stream = entry.Open()) manifest = JsonNode.Parse(stream)!.AsObject();
            edit(manifest);
            entry.Delete();
            using var w = new StreamWriter(zip.CreateEntry(PackageManifest.EntryName).Open());
            w.Write(manifest.ToJsonString());
        }
        await using var store = h.Context.OpenMessageStore();
        await store.ReplacePackageAsync(new CompletedPackage(s.Id, s.RowCount, s.PackageFile!, new FileInfo(path).Length, await FileHash.Sha256Async(path, default), false), default);
    }

    private static async Task<object?> ChannelScalarAsync(ClientHarness h, string sql)
    {
        await using var conn = await SqliteConnections.OpenAsync(ResolvedConnection.FromString(DatabaseProvider.Sqlite, $"Data Source={h.ChannelFile("HOUSTON")}"), false, default);
        return await SqliteConnections.ScalarAsync(conn, sql, default);
    }

    private static async Task AssertRefusedAsync(ClientHarness h, DownloadSessionRecord s, string reason)
    {
        await h.ReceiveAsync("HOUSTON");
        var target = ClientHarness.Target(await h.SessionAsync(s.Id), "HOUSTON");
        Assert.Equal(SessionStatus.ApplyFailed, target.Status);
        Assert.Contains(reason, target.Message);
    }

    public static TheoryData<string> ForeignTables => new() { "VICTIM", "CUSTTABLE", "sqlite_master", "__async_ct_version" };

    [Theory]
    [MemberData(nameof(ForeignTables))]
    public async Task A_table_the_job_does_not_write_is_refused_before_it_is_created_or_written(string table)
    {
        await using var h = await ClientHarness.CreateAsync(products: 8);
        await h.DistributeAsync(new DistributionRequest { Jobs = ["1010"], DataGroups = ["USRT-Stores"] });
        await h.ReceiveAsync("HOUSTON");
        var customers = await ChannelScalarAsync(h, "SELECT count(*) FROM CUSTTABLE");
        var s = (await h.DistributeAsync(new DistributionRequest { Jobs = ["1020"], DataGroups = ["USRT-Stores"] })).Single();
        await ForgeAsync(h, s, m => m["tables"]![0]!["channelTable"] = table);
        await AssertRefusedAsync(h, s, "which job 1020 does not write");
        Assert.Equal(0L, await ChannelScalarAsync(h, "SELECT count(*) FROM sqlite_master WHERE name = 'VICTIM'"));
        Assert.Equal(customers, await ChannelScalarAsync(h, "SELECT count(*) FROM CUSTTABLE"));
    }

    [Fact]
    public async Task A_delete_existing_list_naming_another_jobs_table_is_refused_before_anything_is_emptied()
    {
        await using var h = await ClientHarness.CreateAsync(products: 8);
        await h.DistributeAsync(new DistributionRequest { Jobs = ["1010"], DataGroups = ["USRT-Stores"] });
        await h.ReceiveAsync("HOUSTON");
        var customers = (long)(await ChannelScalarAsync(h, "SELECT count(*) FROM CUSTTABLE"))!;
        Assert.True(customers > 0);
        var s = (await h.DistributeAsync(new DistributionRequest { Jobs = ["1020"], DataGroups = ["USRT-Stores"], FullSync = true, DeleteExistingData = true })).Single();
        await ForgeAsync(h, s, m => m["deleteExistingTables"]!.AsArray().Add("CUSTTABLE"));
        await AssertRefusedAsync(h, s, "it would empty table 'CUSTTABLE'");
        Assert.Equal(customers, await ChannelScalarAsync(h, "SELECT count(*) FROM CUSTTABLE"));
    }

    [Fact]
    public async Task A_column_the_subjob_does_not_map_is_refused()
    {
        await using var h = await ClientHarness.CreateAsync(products: 8);
        var s = (await h.DistributeAsync(new DistributionRequest { Jobs = ["1040"], DataGroups = ["USRT-Stores"] })).Single();
        await ForgeAsync(h, s, m =>
        {
            var table = m["tables"]!.AsArray().First(t => t!["channelTable"]!.GetValue<string>() == "INVENTTABLE")!;
            table["columns"]!.AsArray().First(c => c!["name"]!.GetValue<string>() == "SEARCHALIAS")!["name"] = "PRICE";
        });
        await AssertRefusedAsync(h, s, "column 'PRICE' of table 'INVENTTABLE'");
        Assert.True(!File.Exists(h.ChannelFile("HOUSTON")) || 0L.Equals(await ChannelScalarAsync(h, "SELECT count(*) FROM sqlite_master WHERE name = 'INVENTTABLE'")));
    }
}
