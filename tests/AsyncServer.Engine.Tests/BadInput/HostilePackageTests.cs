using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using AsyncServer.Packaging;
using AsyncServer.Tests.Support;

namespace AsyncServer.Tests.BadInput;

/// <summary>
/// Issue 12, point 3, and the corrupt, truncated, oversized and forged packages of the bad-input suite: whatever
/// the file holds, reading it ends in a <see cref="PackageFormatException"/> (PackageInvalid), never in another
/// exception, and never inflates without bound.
/// </summary>
public sealed class HostilePackageTests : IDisposable
{
    private readonly TempFolder _folder = new("hostilepkg");

    public void Dispose() => _folder.Dispose();

    private async Task<string> GoodPackageAsync(string name = "good.zip")
    {
        var path = _folder.File(name);
        await TestPackages.WriteAsync(path, TestPackages.Manifest(7), (TestPackages.Items(),
            Enumerable.Range(1, 200).Select(i => TestRow.U(TestPackages.Item(i, $"item {i}", i * 1.5m))).Concat([TestRow.D(999L)]).ToArray()));
        return path;
    }

    /// <summary>Open, verify and read every row: what the client does with a package.</summary>
    private static async Task ReadAllAsync(string path)
    {
        using var reader = PackageReader.Open(path);
        await reader.VerifyAsync(default);
        foreach (var table in reader.Manifest.Tables)
            await foreach (var _ in reader.ReadRowsAsync(table)) { }
    }

    /// <summary>Replaces the data file (and optionally edits the manifest) of a good package.</summary>
    private static void Rewrite(string path, Action<Stream>? writeData, Action<JsonObject>? editManifest = null, CompressionLevel level = CompressionLevel.Fastest)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Update);
        var manifestEntry = zip.GetEntry(PackageManifest.EntryName)!;
        JsonObject manifest;
        using (var s = manifestEntry.Open()) manifest = JsonNode.Parse(s)!.AsObject();
        var dataFile = manifest["tables"]![0]!["dataFile"]!.GetValue<string>();
        if (writeData is not null)
        {
            zip.GetEntry(dataFile)!.Delete();
            using var data = zip.CreateEntry(dataFile, level).Open();
            writeData(data);
        }
        editManifest?.Invoke(manifest);
        manifestEntry.Delete();
        using var w = new StreamWriter(zip.CreateEntry(PackageManifest.EntryName).Open());
        w.Write(manifest.ToJsonString());
    }

    [Fact]
    public async Task A_package_declaring_more_than_the_ceiling_is_refused_before_inflating()
    {
        var path = await GoodPackageAsync();
        Rewrite(path, null, m => m["tables"]![0]!["bytes"] = PackageBounds.MaxUncompressedBytes + 1);
        var ex = await Assert.ThrowsAsync<PackageFormatException>(() => ReadAllAsync(path));
        Assert.Contains("GiB", ex.Message);
    }

    [Fact]
    public async Task A_data_file_larger_than_its_declared_size_is_refused()
    {
        var path = await GoodPackageAsync();
        Rewrite(path, s => s.Write(new byte[5 << 20]), m => m["tables"]![0]!["bytes"] = 1000);
        var ex = await Assert.ThrowsAsync<PackageFormatException>(() => ReadAllAsync(path));
        Assert.Contains("manifest says 1000", ex.Message);
    }

    [Fact]
    public async Task A_decompression_bomb_is_stopped_by_its_ratio()
    {
        var path = await GoodPackageAsync();
        const int size = 64 << 20; // 64 MiB of zeros deflate to about 64 KiB
        Rewrite(path, s => { var zeros = new byte[1 << 20]; for (var i = 0; i < size >> 20; i++) s.Write(zeros); },
            m => m["tables"]![0]!["bytes"] = size, CompressionLevel.SmallestSize);
        var ex = await Assert.ThrowsAsync<PackageFormatException>(() => ReadAllAsync(path));
        Assert.Contains("decompression bomb", ex.Message);
        // Reading rows without verifying first hits the same bound.
        using var reader = PackageReader.Open(path);
        await Assert.ThrowsAsync<PackageFormatException>(async () => { await foreach (var _ in reader.ReadRowsAsync(reader.Manifest.Tables[0])) { } });
    }

    [Fact]
    public async Task One_endless_line_is_refused_at_the_line_bound()
    {
        var path = await GoodPackageAsync();
        var size = PackageBounds.MaxLineBytes + (1 << 20);
        var line = new byte[size];
        var random = new Random(12);
        for (var i = 0; i < line.Length; i++) line[i] = (byte)('A' + random.Next(26)); // barely compressible: not a bomb
        Rewrite(path, s => s.Write(line), m => m["tables"]![0]!["bytes"] = size);
        using var reader = PackageReader.Open(path);
        var ex = await Assert.ThrowsAsync<PackageFormatException>(async () => { await foreach (var _ in reader.ReadRowsAsync(reader.Manifest.Tables[0])) { } });
        Assert.Contains("longer than", ex.Message);
    }

    [Fact]
    public async Task An_oversized_manifest_is_refused()
    {
        var path = await GoodPackageAsync();
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            zip.GetEntry(PackageManifest.EntryName)!.Delete();
            using var s = zip.CreateEntry(PackageManifest.EntryName).Open();
            s.Write(Encoding.ASCII.GetBytes("{\"formatVersion\": 1, \"partition\": \""));
            for (var i = 0; i < 20; i++) s.Write(Encoding.ASCII.GetBytes(new string('x', 1 << 20)));
            s.Write(Encoding.ASCII.GetBytes("\"}"));
        }
        await Assert.ThrowsAsync<PackageFormatException>(() => ReadAllAsync(path));
    }

    public static TheoryData<int> TruncationPoints() => new() { 0, 1, 4, 22, 30, 100, 400, 1000, -1, -22, -23, -60, -200 };

    [Theory]
    [MemberData(nameof(TruncationPoints))]
    public async Task A_truncated_package_is_invalid(int keep)
    {
        var path = await GoodPackageAsync();
        var bytes = await File.ReadAllBytesAsync(path);
        var length = keep >= 0 ? Math.Min(keep, bytes.Length - 1) : bytes.Length + keep;
        await File.WriteAllBytesAsync(path, bytes[..length]);
        await Assert.ThrowsAsync<PackageFormatException>(() => ReadAllAsync(path));
    }

    public static TheoryData<int> CorruptionSeeds() => new() { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

    [Theory]
    [MemberData(nameof(CorruptionSeeds))]
    public async Task A_package_with_flipped_bytes_is_invalid_or_unchanged(int seed)
    {
        var path = await GoodPackageAsync();
        var bytes = await File.ReadAllBytesAsync(path);
        var random = new Random(seed);
        for (var i = 0; i < 4; i++) bytes[random.Next(bytes.Length)] ^= (byte)(1 + random.Next(255));
        await File.WriteAllBytesAsync(path, bytes);
        try { await ReadAllAsync(path); }
        catch (PackageFormatException) { return; }
        // A flip in a part no reader looks at (a timestamp, an extra field) changes nothing; the rows still verify.
    }

    public static TheoryData<string, string> ForgedManifests() => new()
    {
        { "formatVersion", "99" },
        { "tables.0.dataFile", "\"../../etc/passwd\"" },
        { "tables.0.dataFile", "\"nosuch.jsonl\"" },
        { "tables.0.rowCount", "5" },
        { "tables.0.sha256", "\"00\"" },
        { "tables.0.keyColumns", "[]" },
        { "tables.0.keyColumns", "[\"NOSUCH\"]" },
        { "tables.0.columns", "[]" },
        { "tables.0.bytes", "-1" },
        { "tables.0.bytes", "12" },
        { "tables", "{}" },
    };

    [Theory]
    [MemberData(nameof(ForgedManifests))]
    public async Task A_forged_manifest_is_invalid(string property, string json)
    {
        var path = await GoodPackageAsync();
        Rewrite(path, null, m =>
        {
            var parts = property.Split('.');
            JsonNode node = m;
            for (var i = 0; i < parts.Length - 1; i++) node = int.TryParse(parts[i], out var index) ? node[index]! : node[parts[i]]!;
            node[parts[^1]] = JsonNode.Parse(json);
        });
        await Assert.ThrowsAsync<PackageFormatException>(() => ReadAllAsync(path));
    }
}
