using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AsyncServer.Data;
using AsyncServer.Diagnostics;
using AsyncServer.Packaging;
using AsyncServer.Providers;
using AsyncServer.Providers.PostgreSql;
using AsyncServer.Tests.Contracts;
using AsyncServer.Tests.Support;
using Npgsql;
using static AsyncServer.Tests.Support.TestRow;

namespace AsyncServer.Tests.PostgreSql;

/// <summary>
/// The PostgreSQL channel target writes package lines straight into binary COPY tuples (PostgresCopyEncoder).
/// These tests hold it to the path it replaced: PackageReader's decoded rows written value by value through
/// Npgsql's NpgsqlBinaryImporter (kept here, small, as the oracle). The same package, with every logical type and
/// its edge values, applied both ways to a real PostgreSQL server, must leave identical table contents, through
/// the direct COPY and through the staging table alike; and bad values must fail as PackageReader fails on them.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresCopyEncoderTests(PostgresFixture fixture) : IDisposable
{
    private readonly TempFolder _folder = new("pg-encoder");

    private static readonly (string Name, LogicalType Type)[] Columns =
    [
        ("id", LogicalType.Int64), ("s", LogicalType.String), ("i16", LogicalType.Int16), ("i32", LogicalType.Int32), ("i64", LogicalType.Int64),
        ("b", LogicalType.Boolean), ("dec", LogicalType.Decimal), ("dbl", LogicalType.Double), ("dt", LogicalType.DateTime), ("d", LogicalType.Date),
        ("tm", LogicalType.Time), ("dto", LogicalType.DateTimeOffset), ("g", LogicalType.Guid), ("bin", LogicalType.Binary),
    ];

    /// <summary>Unconstrained column types: nothing is rounded or cut, so any difference in what was sent shows.</summary>
    private static string CreateTable(string name) =>
        $"CREATE TABLE {name} (id bigint PRIMARY KEY, s text, i16 smallint, i32 integer, i64 bigint, b boolean, dec numeric, dbl double precision, " +
        "dt timestamp, d date, tm time, dto timestamptz, g uuid, bin bytea)";

    private static PackageTable Table(string channelTable) => new()
    {
        Subjob = "T", HqTable = "T", ChannelTable = channelTable, KeyColumns = ["id"],
        Columns = Columns.Select(c => new PackageColumn { Name = c.Name, Source = c.Name, Type = c.Type, Key = c.Name == "id", Nullable = c.Name != "id" }).ToList(),
    };

    /// <summary>Edge values per column (after the key); row n takes value n modulo the column's count, and the last row is all nulls.</summary>
    private static readonly object[][] EdgeValues =
    [
        ["", "plain", "quote \" backslash \\ slash / apostrophe '", "tab\tnewline\nreturn\rformfeed\fbackspace\b", "\u0001\u0002\u0010\u001f\u007f controls",
         "Größe 寿司 ✓ ñ ø", "😀 𝄞 surrogate pairs 👍🏽", "<html>&amp;</html>", new string('x', 70_000), string.Concat(Enumerable.Repeat("寿司😀", 9_000)), "\u2028\u2029 line separators"],
        [short.MinValue, short.MaxValue, (short)0, (short)-1],
        [int.MinValue, int.MaxValue, 0, -42],
        [long.MinValue, long.MaxValue, 0L, 1L],
        [true, false],
        [0m, 1.50m, -1.1m, decimal.MaxValue, decimal.MinValue, 0.0000000000000000000000000001m, 7.9228162514264337593543950335m, -0.00m, 0.000m,
         12345678901234567890.12345678m, -99999999999999999999.99999999m, 0.0001m, 10000m, 100000000m, 0.00000001m, 123.4500000000000000m,
         -0.0000000000000000000000000001m, 1234.5678m, 99990000m, 0.1000m, 5m, 9999999999999999999999999999m, 1000000000000000000000000000m],
        [0.1 + 0.2, double.MaxValue, double.MinValue, double.Epsilon, -0.0, 1e300, -123.456, double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1.0 / 3],
        [DateTime.MinValue, DateTime.MaxValue, new DateTime(2024, 5, 6, 7, 8, 9).AddTicks(1234567), new DateTime(1999, 12, 31, 23, 59, 59).AddTicks(9999995),
         new DateTime(1900, 1, 1).AddTicks(1), new DateTime(2000, 1, 1), new DateTime(2000, 1, 1).AddTicks(-1), new DateTime(1970, 1, 1).AddTicks(15)],
        [DateTime.MinValue.Date, DateTime.MaxValue.Date, new DateTime(2024, 2, 29), new DateTime(1999, 12, 31), new DateTime(2000, 1, 1)],
        [TimeSpan.Zero, new TimeSpan(TimeSpan.TicksPerDay - 1), new TimeSpan(0, 13, 14, 15, 500), TimeSpan.FromTicks(9)],
        [new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.FromHours(2)).AddTicks(1234567), new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.FromHours(14)),
         new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.FromHours(-12)), new DateTimeOffset(1, 1, 2, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(9999, 12, 31, 0, 0, 0, TimeSpan.Zero),
         new DateTimeOffset(1999, 12, 31, 23, 59, 59, TimeSpan.FromMinutes(-330)).AddTicks(9999995)],
        [Guid.Empty, Guid.Parse("ffffffff-ffff-ffff-ffff-ffffffffffff"), Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"), Guid.Parse("00112233-4455-6677-8899-aabbccddeeff")],
        [Array.Empty<byte>(), Enumerable.Range(0, 256).Select(i => (byte)i).ToArray(), Enumerable.Range(0, 100_000).Select(i => (byte)(i * 7)).ToArray(), new byte[] { 0 }],
    ];

    private static TestRow[] EdgeRows()
    {
        var count = EdgeValues.Max(v => v.Length);
        var rows = new List<TestRow>();
        for (var n = 0; n < count; n++)
            rows.Add(U([(long)n, .. EdgeValues.Select(values => values[n % values.Length])]));
        rows.Add(U([(long)count, .. EdgeValues.Select(_ => (object?)null)]));
        return [.. rows];
    }

    [Fact]
    public async Task Every_type_and_edge_value_is_stored_exactly_as_the_per_value_path_stores_it()
    {
        var db = await fixture.CreateDatabaseAsync("encoder");
        await fixture.ExecuteAsync(db, $"{CreateTable("oracle")}; {CreateTable("direct")}; {CreateTable("staged")}; INSERT INTO staged (id) VALUES (-1)");
        var rows = EdgeRows();

        await using (var conn = new NpgsqlConnection(db.ConnectionString))
        {
            await conn.OpenAsync();
            await ApplyValueByValueAsync(conn, "oracle", await WriteAsync(1, "oracle", rows));
        }
        var target = ProviderFactory.CreateChannelTarget(db);
        // An empty table takes the direct COPY; a filled one, with an incremental package, the staging table.
        await ApplyAsync(target, await WriteAsync(2, "direct", rows));
        await ApplyAsync(target, await WriteAsync(3, "staged", rows, incremental: true));

        var expected = await DumpAsync(db, "oracle");
        Assert.Equal((long)rows.Length, await fixture.ScalarAsync(db, "SELECT count(*) FROM oracle"));
        Assert.Contains("-79228162514264337593543950335", expected); // the oracle did store the edge values
        Assert.Equal(expected, await DumpAsync(db, "direct"));
        Assert.Equal(expected, await DumpAsync(db, "staged"));
    }

    [Fact]
    public void Plain_decimal_text_becomes_the_same_numeric_as_the_parsed_decimal()
    {
        // The encoder reads the package's own decimal form straight into base-10000 digits; any other form goes
        // through decimal. Both must give the same bytes for every value the plain form can hold.
        var random = new Random(20261127);
        var values = new List<decimal> { 0m, -0.00m, 1m, -1m, 0.0001m, 10000m, 9999.9999m, 123.4500000000000000m, 1000000000000000000000000000m };
        for (var i = 0; i < 20_000; i++)
        {
            var scale = (byte)random.Next(0, 29);
            values.Add(new decimal(random.Next(), random.Next(), random.Next(0, 1 << random.Next(1, 31)), random.Next(2) == 0, scale));
        }
        Span<byte> fromText = stackalloc byte[64], fromDecimal = stackalloc byte[64];
        var viaText = 0;
        foreach (var value in values)
        {
            var text = Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture));
            var expected = PostgresBinaryFormat.Numeric(fromDecimal, value);
            if (!PostgresBinaryFormat.TryNumericFromText(fromText, text, out var written)) continue;
            viaText++;
            Assert.True(fromDecimal[..expected].SequenceEqual(fromText[..written]), $"{value}: {Convert.ToHexString(fromText[..written])} != {Convert.ToHexString(fromDecimal[..expected])}");
        }
        Assert.True(viaText > values.Count / 2, $"only {viaText} of {values.Count} took the text path");
        Assert.False(PostgresBinaryFormat.TryNumericFromText(fromText, "1e5"u8, out _));
        Assert.False(PostgresBinaryFormat.TryNumericFromText(fromText, "12345678901234567890123456789"u8, out _)); // 29 digits: decimal rounds, so decimal decides
        Assert.False(PostgresBinaryFormat.TryNumericFromText(fromText, " 1"u8, out _));
    }

    [Theory]
    [InlineData("[\"U\",1,\"abc\"]", "a Decimal value is malformed")]
    [InlineData("[\"U\",\"1\",\"2.5\"]", "a Int64 value is malformed")]
    [InlineData("[\"U\",1]", "row has 1 values, expected 2")]
    [InlineData("[\"U\",1,\"2.5\",3]", "row has more than 2 values")]
    [InlineData("[\"X\",1,\"2.5\"]", "unknown row operation 'X'")]
    [InlineData("[\"U\",1,2.5]", "a Decimal value is malformed")]
    [InlineData("[\"U\",1,\"2.5\"", "the row is not valid JSON")]
    [InlineData("[\"U\",1,tru]", "the row is not valid JSON")]
    [InlineData("[\"U\",1,\"2.5\"]x", "the row is not valid JSON")]
    public async Task A_bad_value_fails_the_package_naming_file_and_line_and_changes_nothing(string badLine, string reason)
    {
        var db = await fixture.CreateDatabaseAsync("encoderbad");
        await fixture.ExecuteAsync(db, "CREATE TABLE empty_t (id bigint PRIMARY KEY, amount numeric); CREATE TABLE filled_t (id bigint PRIMARY KEY, amount numeric); INSERT INTO filled_t VALUES (0, 0)");
        var target = ProviderFactory.CreateChannelTarget(db);
        foreach (var table in new[] { "empty_t", "filled_t" }) // the direct COPY, then the staging table
        {
            var path = WriteRawPackage(table, ["[\"U\",1,\"1.5\"]", badLine, "[\"U\",3,\"3.5\"]"]);
            using var package = PackageReader.Open(path);
            await package.VerifyAsync(default);
            var ex = await Assert.ThrowsAsync<AsyncServerException>(() => target.ApplyAsync(package, default));
            Assert.Equal(ErrorIds.PackageInvalid, ex.ErrorId);
            Assert.Contains($"data/{table}.jsonl line 2: {reason}", ex.Message);
            // PackageReader's own decoding says the same of the line.
            var readerError = await Assert.ThrowsAsync<PackageFormatException>(async () => { await foreach (var _ in package.ReadRowsAsync(package.Manifest.Tables[0])) { } });
            Assert.Contains($"line 2: {reason}", readerError.Message);
        }
        Assert.Equal(0L, await fixture.ScalarAsync(db, "SELECT count(*) FROM empty_t"));
        Assert.Equal("0", await fixture.ScalarAsync(db, "SELECT string_agg(id::text, ',') FROM filled_t"));
    }

    [Fact]
    public async Task Invalid_utf8_in_a_string_fails_the_package_naming_the_line()
    {
        var db = await fixture.CreateDatabaseAsync("encoderutf8");
        await fixture.ExecuteAsync(db, "CREATE TABLE t (id bigint PRIMARY KEY, amount text)");
        var line = Encoding.UTF8.GetString("[\"U\",1,\"ok\"]"u8) + "\n";
        var bad = new byte[] { (byte)'[', (byte)'"', (byte)'U', (byte)'"', (byte)',', (byte)'2', (byte)',', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)']' };
        var path = WriteRawPackage("t", null, Encoding.UTF8.GetBytes(line).Concat(bad).Append((byte)'\n').ToArray(), 2, LogicalType.String);
        using var package = PackageReader.Open(path);
        var ex = await Assert.ThrowsAsync<AsyncServerException>(() => ProviderFactory.CreateChannelTarget(db).ApplyAsync(package, default));
        Assert.Equal(ErrorIds.PackageInvalid, ex.ErrorId);
        Assert.Contains("data/t.jsonl line 2: a String value is malformed", ex.Message);
        Assert.Equal(0L, await fixture.ScalarAsync(db, "SELECT count(*) FROM t"));
    }

    /// <summary>The path the encoder replaced: PackageReader's rows, each value written through Npgsql's importer.</summary>
    private static async Task ApplyValueByValueAsync(NpgsqlConnection conn, string table, string path)
    {
        using var package = PackageReader.Open(path);
        await package.VerifyAsync(default);
        var packageTable = package.Manifest.Tables[0];
        var types = packageTable.Columns.Select(c => c.Type).ToArray();
        await using var importer = await conn.BeginBinaryImportAsync($"COPY {table} ({string.Join(", ", packageTable.Columns.Select(c => c.Name))}) FROM STDIN (FORMAT BINARY)");
        await foreach (var row in package.ReadRowsAsync(packageTable))
        {
            Assert.True(row.Upsert);
            importer.StartRow();
            for (var c = 0; c < types.Length; c++)
                if (row.Values[c] is null) importer.WriteNull();
                else importer.Write(PostgresTypes.ToProviderValue(row.Values[c], types[c]), PostgresTypes.ToNpgsql(types[c]));
        }
        await importer.CompleteAsync();
    }

    private async Task<string> WriteAsync(long session, string table, TestRow[] rows, bool incremental = false)
    {
        var path = _folder.File($"{table}-{session}.zip");
        await TestPackages.WriteAsync(path, TestPackages.Manifest(session, from: incremental ? 1 : null), (Table(table), rows));
        return path;
    }

    private static async Task ApplyAsync(AsyncServer.Client.IChannelTarget target, string path)
    {
        using var package = PackageReader.Open(path);
        await package.VerifyAsync(default);
        await target.ApplyAsync(package, default);
    }

    /// <summary>Every row as PostgreSQL's own text form of the row, by key (the staging table's extra row left out).</summary>
    private static async Task<string> DumpAsync(ResolvedConnection db, string table)
    {
        await using var conn = new NpgsqlConnection(db.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"SELECT string_agg(t::text, E'\\n' ORDER BY id) FROM {table} t WHERE id >= 0", conn);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>A package of one table (id bigint key, amount decimal) whose data file holds the given lines as they are.</summary>
    private string WriteRawPackage(string table, IReadOnlyList<string> lines)
        => WriteRawPackage(table, lines, Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n"))), lines.Count, LogicalType.Decimal);

    private string WriteRawPackage(string table, IReadOnlyList<string>? _, byte[] data, long rowCount, LogicalType secondType)
    {
        var path = _folder.File($"raw-{Guid.NewGuid():N}.zip");
        var manifest = TestPackages.Manifest(7, from: null);
        manifest.Tables.Add(new PackageTable
        {
            Subjob = table, HqTable = table, ChannelTable = table, KeyColumns = ["id"], RowCount = rowCount, Upserts = rowCount,
            DataFile = $"data/{table}.jsonl", Sha256 = Convert.ToHexString(SHA256.HashData(data)).ToLowerInvariant(),
            Columns =
            [
                new PackageColumn { Name = "id", Source = "id", Type = LogicalType.Int64, Key = true, Nullable = false },
                new PackageColumn { Name = "amount", Source = "amount", Type = secondType },
            ],
        });
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            using (var s = zip.CreateEntry($"data/{table}.jsonl").Open()) s.Write(data);
            using (var s = zip.CreateEntry(PackageManifest.EntryName).Open()) JsonSerializer.Serialize(s, manifest, PackageManifest.JsonOptions);
        }
        return path;
    }

    public void Dispose() => _folder.Dispose();
}
