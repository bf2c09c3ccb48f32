using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using AsyncServer.Checks;
using AsyncServer.Configuration;
using AsyncServer.Messaging;
using AsyncServer.Packaging;
using AsyncServer.Samples;
using AsyncServer.Tests.Support;
using static AsyncServer.Tests.Upload.UploadSupport;

namespace AsyncServer.Tests.BadInput;

/// <summary>
/// Issue 15: upload packages and configurations that must not reach HQ. Each is a clear ApplyFailed naming the cause,
/// HQ untouched, and the session applies once the cause is fixed (Restart-AsyncSession's rerun).
/// </summary>
public sealed class HostileUploadTests
{
    private static async Task<(Workspace Ws, long Session)> SentAsync(int sales = 3)
    {
        var ws = await Workspace.CreateAsync(products: 5);
        await SellAsync(ws, "HOUSTON", sales);
        return (ws, Assert.Single(await SendAsync(ws, "HOUSTON")).SessionId!.Value);
    }

    private static async Task<UploadSessionRecord> ApplyOnceAsync(Workspace ws, long id)
    {
        await ApplyAsync(ws);
        return (await UploadsAsync(ws)).Single(s => s.Id == id);
    }

    private static async Task RerunAsync(Workspace ws, long id)
    {
        await new AsyncServer.Upload.UploadLifecycle(ws.Context()).RerunAsync(id, default);
    }

    [Fact]
    public async Task A_package_of_a_store_the_configuration_does_not_know_fails_and_applies_once_the_store_is_added()
    {
        var (ws, id) = await SentAsync();
        await using var _ = ws;
        var houston = ws.Config.DataGroups[0].ChannelDatabases[0];
        ws.Configure(c => c.DataGroups[0].ChannelDatabases.RemoveAt(0));
        var s = await ApplyOnceAsync(ws, id);
        Assert.Equal(UploadStatus.ApplyFailed, s.Status);
        Assert.Contains("'HOUSTON' is not defined", s.Message, StringComparison.Ordinal);
        Assert.Equal(0, await HqCountAsync(ws, SampleSales.Header));
        ws.Configure(c => c.DataGroups[0].ChannelDatabases.Insert(0, houston));
        await RerunAsync(ws, id);
        Assert.Equal(UploadStatus.Applied, (await ApplyOnceAsync(ws, id)).Status);
        Assert.Equal(3, await HqCountAsync(ws, SampleSales.Header));
    }

    [Theory]
    [InlineData("DROP TABLE RETAILTRANSACTIONPAYMENTTRANS", "does not exist in the HQ database")]
    [InlineData("ALTER TABLE RETAILTRANSACTIONSALESTRANS DROP COLUMN PRICE", "lacks column(s) PRICE")]
    public async Task A_table_or_column_HQ_lacks_fails_naming_it_and_HQ_is_untouched(string breakHq, string cause)
    {
        var (ws, id) = await SentAsync();
        await using var _ = ws;
        // The configuration maps what HQ had when it was written; HQ changed since.
        if (breakHq.Contains("PRICE", StringComparison.Ordinal)) ws.Configure(c => c.UploadSubjobs[1].Fields = new(StringComparer.OrdinalIgnoreCase));
        await ws.HqAsync(breakHq);
        var s = await ApplyOnceAsync(ws, id);
        Assert.Equal(UploadStatus.ApplyFailed, s.Status);
        Assert.Contains(cause, s.Message, StringComparison.Ordinal);
        Assert.Equal(0, await HqCountAsync(ws, SampleSales.Header));
        Assert.Equal(0, await HqCountAsync(ws, SampleSales.Lines));
    }

    [Fact]
    public async Task A_forged_package_with_checksums_recomputed_to_match_its_manifest_fails_and_HQ_is_untouched()
    {
        var (ws, id) = await SentAsync();
        await using var _ = ws;
        var path = Path.Combine(ws.Config.UploadFolder, (await UploadsAsync(ws)).Single().PackageFile!);
        var original = await File.ReadAllBytesAsync(path);
        await ForgeAsync(path, line => line.Replace("\"CASH\"", "\"GIFT\"", StringComparison.Ordinal).Replace("\"CARD\"", "\"GIFT\"", StringComparison.Ordinal));
        var s = await ApplyOnceAsync(ws, id);
        Assert.Equal(UploadStatus.ApplyFailed, s.Status);
        Assert.Contains("changed after the store sent it", s.Message, StringComparison.Ordinal);
        Assert.Equal(0, await HqCountAsync(ws, SampleSales.Payments));
        // The real package back in place: the rerun applies it.
        await File.WriteAllBytesAsync(path, original);
        await RerunAsync(ws, id);
        Assert.Equal(UploadStatus.Applied, (await ApplyOnceAsync(ws, id)).Status);
        Assert.Equal(0L, Convert.ToInt64(await ws.HqScalarAsync("SELECT COUNT(*) FROM RETAILTRANSACTIONPAYMENTTRANS WHERE TENDERTYPE = 'GIFT'")));
    }

    [Fact]
    public async Task A_package_whose_rows_leave_their_counter_range_is_refused_even_when_its_file_checksum_was_recorded()
    {
        var (ws, id) = await SentAsync();
        await using var _ = ws;
        var session = (await UploadsAsync(ws)).Single();
        var path = Path.Combine(ws.Config.UploadFolder, session.PackageFile!);
        // A forger who could also write the message database: rows with counters far outside the range.
        await ForgeAsync(path, line => line.Replace(",1]", ",999]", StringComparison.Ordinal));
        await using (var store = ws.Context().OpenMessageStore())
        {
            await store.ChangeUploadAsync(id, [UploadStatus.Uploaded], UploadStatus.Started, null, TriesChange.Keep, default);
            await store.MarkUploadedAsync(id, session.PackageFile!, new FileInfo(path).Length, await FileHash.Sha256Async(path, default), session.RowCount, default);
        }
        var s = await ApplyOnceAsync(ws, id);
        Assert.Equal(UploadStatus.ApplyFailed, s.Status);
        Assert.Contains("outside the package's range", s.Message, StringComparison.Ordinal);
        Assert.Equal(0, await HqCountAsync(ws, SampleSales.Header));
    }

    /// <summary>Rewrites every data file's lines, and the manifest's per-table SHA-256 and size to match.</summary>
    private static async Task ForgeAsync(string path, Func<string, string> change)
    {
        var entries = new Dictionary<string, byte[]>();
        using (var zip = ZipFile.OpenRead(path))
            foreach (var e in zip.Entries)
            {
                await using var s = e.Open();
                using var m = new MemoryStream();
                await s.CopyToAsync(m);
                entries[e.FullName] = m.ToArray();
            }
        var manifest = System.Text.Json.JsonSerializer.Deserialize<PackageManifest>(entries[PackageManifest.EntryName], PackageManifest.JsonOptions)!;
        foreach (var t in manifest.Tables)
        {
            var text = string.Join("\n", Encoding.UTF8.GetString(entries[t.DataFile]).Split('\n').Select(l => l.Length == 0 ? l : change(l)));
            entries[t.DataFile] = Encoding.UTF8.GetBytes(text);
            t.Sha256 = Convert.ToHexString(SHA256.HashData(entries[t.DataFile])).ToLowerInvariant();
            t.Bytes = entries[t.DataFile].Length;
        }
        entries[PackageManifest.EntryName] = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(manifest, PackageManifest.JsonOptions);
        File.Delete(path);
        using var output = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (name, bytes) in entries)
        {
            await using var s = output.CreateEntry(name).Open();
            await s.WriteAsync(bytes);
        }
    }

    public static TheoryData<string, string> BadConfigurations() => new()
    {
        { "direction", "$.schedules[2].direction" },
        { "upload job in a download schedule", "$.schedules[0].jobs[2]" },
        { "download job in an upload schedule", "$.schedules[2].jobs[1]" },
        { "missing upload subjob", "$.uploadJobs[0].subjobs[3]" },
        { "duplicate upload job", "$.uploadJobs[1].id" },
        { "control character", "$.uploadSubjobs[0].counterColumn" },
        { "counter not mapped", "$.uploadSubjobs[1].fields" },
        { "HQ table missing", "$.uploadSubjobs[2].hqTable" },
    };

    [Theory]
    [MemberData(nameof(BadConfigurations))]
    public async Task A_bad_upload_configuration_is_reported_at_its_path(string what, string path)
    {
        await using var ws = await Workspace.CreateAsync(products: 5);
        ws.Configure(c =>
        {
            switch (what)
            {
                case "direction": c.Schedules[2].Direction = "Sideways"; break;
                case "upload job in a download schedule": c.Schedules[0].Jobs.Add(SampleSales.JobId); break;
                case "download job in an upload schedule": c.Schedules[2].Jobs.Add("1040"); break;
                case "missing upload subjob": c.UploadJobs[0].Subjobs.Add("NOSUCH"); break;
                case "duplicate upload job": c.UploadJobs.Add(new UploadJobSettings { Id = SampleSales.JobId, Subjobs = [SampleSales.Header] }); break;
                case "control character": c.UploadSubjobs[0].CounterColumn = "COUNTER\n"; break;
                case "counter not mapped": c.UploadSubjobs[1].Fields = new(StringComparer.OrdinalIgnoreCase) { ["TRANSACTIONID"] = "TRANSACTIONID" }; break;
                case "HQ table missing": c.UploadSubjobs[2].HqTable = "NOSUCHTABLE"; break;
            }
        });
        var problems = await ConfigurationValidator.ValidateAsync(ws.Context(), checkCatalog: true, default);
        Assert.True(problems.Any(p => p.Path == path && p.Severity == ProblemSeverity.Error), $"{what}: no error at {path}; got:\n{string.Join("\n", problems)}");
    }
}
