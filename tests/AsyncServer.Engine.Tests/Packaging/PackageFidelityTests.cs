using System.IO.Compression;
using AsyncServer.Configuration;
using AsyncServer.Distribution;
using AsyncServer.Packaging;
using AsyncServer.Tests.Support;

namespace AsyncServer.Tests.Packaging;

/// <summary>Values survive HQ -> package exactly: nulls, decimals, dates, GUIDs, binary, Unicode.</summary>
public sealed class PackageFidelityTests
{
    /// <summary>
    /// SQLite stores a DECIMAL column's values as REAL (15 significant digits): that is HQ's own precision.
    /// A column whose declared type also contains TEXT (here DECIMALTEXT) keeps decimals as exact text,
    /// and the package must carry them exactly, scale included.
    /// </summary>
    [Fact]
    public async Task Every_type_round_trips_exactly()
    {
        await using var ws = await Workspace.CreateAsync(products: 2);
        await ws.HqAsync("""
            CREATE TABLE FIDELITY (ID BIGINT NOT NULL PRIMARY KEY, TXT NVARCHAR(100), DEC DECIMALTEXT(38,10), DBL REAL, FLAG BOOLEAN,
              WHEN_ DATETIME, WHENTZ DATETIMEOFFSET, G UNIQUEIDENTIFIER, BIN VARBINARY(100), SMALL SMALLINT, NUM INT)
            """);
        var guid = Guid.Parse("8f6a2c1e-0b9d-4e57-9c3a-2d1f0e6b7a55");
        var rows = new (long Id, string? Txt, decimal? Dec, double? Dbl, bool? Flag, DateTime? When, DateTimeOffset? WhenTz, Guid? G, byte[]? Bin)[]
        {
            (1, "plain", 12.3400m, 0.1, true, new DateTime(2024, 2, 29, 23, 59, 59).AddTicks(1234567), new DateTimeOffset(2024, 1, 1, 8, 0, 0, TimeSpan.FromHours(-5)), guid, [0, 1, 2, 255]),
            (2, "Größe 寿司 😀 \"quoted\" \\ back\nline\ttab", -79228162514264337593543950335m, -1.7976931348623157E+308, false, DateTime.MinValue, DateTimeOffset.MaxValue, Guid.Empty, []),
            (3, null, null, null, null, null, null, null, null),
            (4, "", 0.0000000001m, 5e-324, true, new DateTime(9999, 12, 31, 23, 59, 59, 999), new DateTimeOffset(2000, 6, 15, 12, 30, 0, TimeSpan.FromHours(14)), guid, new byte[1000]),
        };
        foreach (var r in rows)
        {
            await using var conn = await Providers.Sqlite.SqliteConnections.OpenAsync(Data.ResolvedConnection.FromString(Data.DatabaseProvider.Sqlite, $"Data Source={ws.Info.HqDatabase}"), false, default);
            await Providers.Sqlite.SqliteConnections.ExecuteAsync(conn, "INSERT INTO FIDELITY VALUES (@id, @t, @d, @dbl, @f, @w, @wtz, @g, @b, 7, -2147483648)", default, null,
                ("@id", r.Id), ("@t", r.Txt), ("@d", r.Dec?.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("@dbl", r.Dbl), ("@f", r.Flag), ("@w", r.When), ("@wtz", r.WhenTz), ("@g", r.G), ("@b", r.Bin));
        }
        ws.Configure(c =>
        {
            c.Subjobs.Add(new SubjobSettings { Id = "FIDELITY", HqTable = "FIDELITY" });
            c.Jobs.Add(new JobSettings { Id = "9000", Subjobs = ["FIDELITY"] });
        });

        var s = Assert.Single(await ws.RunAsync(new DistributionRequest { Jobs = ["9000"], DataGroups = ["USRT-Stores"] }));
        var (manifest, packageRows) = await ws.ReadPackageAsync(s);
        var table = manifest.Tables.Single();
        Assert.Equal([Data.LogicalType.Int64, Data.LogicalType.String, Data.LogicalType.Decimal, Data.LogicalType.Double, Data.LogicalType.Boolean,
            Data.LogicalType.DateTime, Data.LogicalType.DateTimeOffset, Data.LogicalType.Guid, Data.LogicalType.Binary, Data.LogicalType.Int16, Data.LogicalType.Int32],
            table.Columns.Select(c => c.Type));
        var got = packageRows["FIDELITY"].OrderBy(r => (long)r.Values[0]!).ToList();
        Assert.Equal(rows.Length, got.Count);
        for (var i = 0; i < rows.Length; i++)
        {
            var e = rows[i];
            var v = got[i].Values;
            Assert.Equal(e.Id, v[0]);
            Assert.Equal(e.Txt, v[1]);
            Assert.Equal(e.Dec, (decimal?)v[2]);
            if (e.Dec is { } d) Assert.Equal(d.ToString(System.Globalization.CultureInfo.InvariantCulture), ((decimal)v[2]!).ToString(System.Globalization.CultureInfo.InvariantCulture)); // scale too
            Assert.Equal(e.Dbl, (double?)v[3]);
            Assert.Equal(e.Flag, (bool?)v[4]);
            Assert.Equal(e.When, (DateTime?)v[5]);
            Assert.Equal(e.WhenTz, (DateTimeOffset?)v[6]);
            if (e.WhenTz is { } tz) Assert.Equal(tz.Offset, ((DateTimeOffset)v[6]!).Offset);
            Assert.Equal(e.G, (Guid?)v[7]);
            Assert.Equal(e.Bin, (byte[]?)v[8]);
            Assert.Equal((short)7, v[9]);
            Assert.Equal(int.MinValue, v[10]);
        }
    }

    [Fact]
    public async Task The_manifest_describes_the_package_and_the_session_row_holds_its_hash()
    {
        await using var ws = await Workspace.CreateAsync();
        var s = (await ws.RunJobsAsync("1010")).First();
        var path = ws.PackagePath(s);
        Assert.Equal(new FileInfo(path).Length, s.PackageSize);
        Assert.Equal(await FileHash.Sha256Async(path, default), s.PackageSha256);
        var (manifest, rows) = await ws.ReadPackageAsync(s);
        Assert.Equal(PackageManifest.CurrentFormatVersion, manifest.FormatVersion);
        Assert.Equal(("ps1", "1010", s.DataGroup, "Full"), (manifest.Partition, manifest.JobId, manifest.DataGroup, manifest.Kind));
        Assert.Equal(s.ToVersion, manifest.ToVersion);
        Assert.Equal(["DIRPARTYTABLE", "CUSTTABLE"], manifest.Tables.Select(t => t.ChannelTable));
        Assert.All(manifest.Tables, t => Assert.Equal(t.RowCount, rows[t.ChannelTable].Count));
        Assert.All(manifest.Tables, t => Assert.Matches("^[0-9a-f]{64}$", t.Sha256));
        Assert.Equal(["ACCOUNTNUM", "DATAAREAID"], manifest.Tables[1].KeyColumns);
    }

    [Theory]
    [InlineData("../evil.jsonl")]
    [InlineData("data/../../evil.jsonl")]
    [InlineData("/etc/passwd")]
    [InlineData("C:/windows/evil.dll")]
    [InlineData("data\\..\\evil.jsonl")]
    public void Entries_whose_paths_could_escape_are_rejected(string entryName)
    {
        using var folder = new TempFolder("zipslip");
        var path = folder.File("evil.zip");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            using (var w = new StreamWriter(zip.CreateEntry(entryName).Open())) w.Write("[\"U\",1]\n");
            using (var w = new StreamWriter(zip.CreateEntry(PackageManifest.EntryName).Open())) w.Write("{\"formatVersion\":1,\"tables\":[]}");
        }
        var ex = Assert.Throws<PackageFormatException>(() => PackageReader.Open(path));
        Assert.Contains("escape", ex.Message);
    }

    [Fact]
    public void A_file_that_is_not_a_zip_is_rejected_with_a_clear_message()
    {
        using var folder = new TempFolder("notzip");
        var path = folder.File("x.zip");
        File.WriteAllText(path, "hello");
        Assert.Contains("not a readable zip", Assert.Throws<PackageFormatException>(() => PackageReader.Open(path)).Message);
    }
}
