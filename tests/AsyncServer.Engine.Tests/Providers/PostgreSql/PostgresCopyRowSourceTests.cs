using AsyncServer.Tests.Support;
using System.Text;
using AsyncServer.ChangeTracking;
using AsyncServer.Data;
using AsyncServer.Diagnostics;
using AsyncServer.Filtering;
using AsyncServer.Packaging;
using AsyncServer.Providers;
using AsyncServer.Tests.Contracts;

namespace AsyncServer.Tests.PostgreSql;

/// <summary>
/// The PostgreSQL change source packages rows read by binary COPY and encoded from their wire bytes. Its lines
/// must be byte for byte what RowCodec writes from the values Npgsql reads for the same rows (the data reader
/// path every other provider uses): every mapped type, edge values, escapes, filters with parameters of several
/// types, incremental reads with deletes, values larger than the read buffer.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresCopyRowSourceTests(PostgresFixture fixture)
{
    private const string EveryType = """
        CREATE TABLE every (id bigint NOT NULL, area varchar(4) NOT NULL, txt text, vc varchar(50), bp char(5), i2 smallint, i4 integer,
            i8 bigint, flag boolean, dec numeric(38,10), num numeric, cash money, f8 double precision, f4 real, ts timestamp, tstz timestamptz,
            d date, tm time, ttz timetz, iv interval, u uuid, bin bytea, doc jsonb, arr integer[], PRIMARY KEY (id, area))
        """;

    private const string Rows = """
        INSERT INTO every VALUES
          (1, 'usrt', 'plain', 'varchar', 'ab', 7, 42, 5637144576, true, 12.3400000000, 0.0000000001, 12.34, 0.1, 1.5,
           '2024-02-29 23:59:59.123456', '2024-01-01 08:00:00-05', '2024-02-29', '13:45:00', '13:45:00+02', '1 day 02:03:04',
           '8f6a2c1e-0b9d-4e57-9c3a-2d1f0e6b7a55', '\x0001ff', '{"a": [1, 2]}', '{1,2,3}'),
          (2, 'usrt', E'Größe 寿司 😀 "quoted" \\ back\nline\ttab\x01 \x7f end', '', 'x', -32768, -2147483648, -9223372036854775808, false,
           -999999999999999999.9999999999, 1.2345678901234567890123456789, -92233720368547758.08, 5e-324, 3.4e38,
           '0001-01-01 00:00:00', '9999-12-31 23:59:59.999999+00', '0001-01-01', '24:00:00', '00:00:00-14', '-1 year', '00000000-0000-0000-0000-000000000000',
           '\x', '"just a string"', '{}'),
          (3, 'usrt', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
          (4, 'usrt', 'zeros', 'v', 'z', 0, 0, 0, true, 0, 0.00, 0, -0.0, 0, '2000-01-01', '2000-01-01 00:00:00+00', '2000-01-01', '00:00:00.000001', '23:59:59.999999+14',
           '0', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '\xdeadbeef', 'null', '{NULL}'),
          (5, 'usrt', 'numbers', 'v', 'z', 32767, 2147483647, 9223372036854775807, false, 0.5, 100000000000000000000, 0.01, 1.7976931348623157e308, -1.17549435e-38,
           '1999-12-31 23:59:59.999999', '1969-07-20 20:17:40.5+00', '1999-12-31', '23:59:59.999999', '12:00:00-07', '3 months', 'a1b965f4-9e6a-6e78-d1ed-e8b462ff3464',
           '\x00', '[]', '{-1,0,1}'),
          (6, 'xxxx', 'other area', 'v', 'z', 1, 1, 1, true, -0.5, 12345678901234567890123456.78, 1, -2.5, -0.1, '2024-06-01 12:00:00', '2024-06-01 12:00:00+00',
           '2024-06-01', '12:00:00', '12:00:00+00', '1 second', '00000000-0000-0000-0000-000000000001', '\x01', '{}', '{}')
        """;

    private async Task<(ResolvedConnection Db, IChangeSource Source, TableSchema Table)> TrackedAsync(string hint)
    {
        var db = await fixture.CreateDatabaseAsync(hint);
        await fixture.ExecuteAsync(db, EveryType);
        var source = ProviderFactory.CreateChangeSource(db);
        await source.EnableChangeTrackingAsync(["every"], ChangeTrackingOptions.Default, default);
        return (db, source, (await source.DescribeTableAsync("every", default))!);
    }

    private static ExtractionQuery Query(TableSchema table, string? filter = null, Dictionary<string, string>? parameters = null)
        => new(table, table.Columns, table.PrimaryKey, filter is null ? null : FilterParser.Parse(filter),
            parameters ?? new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase), _ => throw new InvalidOperationException());

    private static async Task<List<string>> LinesAsync(IPackageRowSource rows)
    {
        var lines = new List<string>();
        await using (rows)
            while (await rows.ReadAsync(default))
            {
                var line = new System.Buffers.ArrayBufferWriter<byte>();
                var upsert = rows.WriteLine(line);
                Assert.Equal(line.WrittenSpan[2] == (byte)'U', upsert);
                lines.Add(Encoding.UTF8.GetString(line.WrittenSpan));
            }
        return lines;
    }

    /// <summary>Both paths in the same snapshot, one after the other (so the COPY also leaves the connection usable).</summary>
    private static async Task<(List<string> Copy, List<string> Reader)> BothAsync(IChangeSource source, ExtractionQuery query, long? from)
    {
        await using var snapshot = await source.OpenSnapshotAsync(default);
        var copy = await LinesAsync(await snapshot.ReadPackageRowsAsync(query, from, default));
        var reader = await LinesAsync(new DataReaderRowSource(await snapshot.ReadAsync(query, from, default), query));
        copy.Sort(StringComparer.Ordinal);
        reader.Sort(StringComparer.Ordinal);
        return (copy, reader);
    }

    [Fact]
    public async Task A_full_read_gives_the_lines_rowcodec_writes_for_every_type_and_edge_value()
    {
        var (db, source, table) = await TrackedAsync("copy-full");
        await fixture.ExecuteAsync(db, Rows);
        var (copy, reader) = await BothAsync(source, Query(table), null);
        Assert.Equal(6, copy.Count);
        Assert.Equal(reader, copy);
        // The escapes went through the JSON writer, the rest was copied: spot-check both kinds.
        Assert.Contains(copy, l => l.Contains("\"Größe 寿司 \\uD83D\\uDE00 \\\"quoted\\\" \\\\ back\\nline\\ttab\\u0001"));
        Assert.Contains(copy, l => l.Contains("\"2024-02-29T23:59:59.1234560\""));
    }

    [Fact]
    public async Task An_incremental_read_with_updates_and_deletes_gives_the_same_lines()
    {
        var (db, source, table) = await TrackedAsync("copy-incremental");
        await fixture.ExecuteAsync(db, Rows);
        long from;
        await using (var s = await source.OpenSnapshotAsync(default)) from = s.CurrentVersion;
        await fixture.ExecuteAsync(db, "UPDATE every SET txt = 'changed', dec = dec + 1 WHERE id IN (1, 4); DELETE FROM every WHERE id IN (2, 5); " +
                                       "INSERT INTO every (id, area, txt) VALUES (7, 'usrt', 'new')");
        var (copy, reader) = await BothAsync(source, Query(table), from);
        Assert.Equal(5, copy.Count);
        Assert.Equal(2, copy.Count(l => l.StartsWith("[\"D\",", StringComparison.Ordinal)));
        Assert.Equal(reader, copy);
    }

    [Fact]
    public async Task Filter_parameters_of_several_types_select_the_same_rows_in_both_paths()
    {
        var (db, source, table) = await TrackedAsync("copy-filter");
        await fixture.ExecuteAsync(db, Rows);
        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["Area"] = "usrt", ["MinDec"] = "-1.5", ["Since"] = "1999-01-01T00:00:00.0000000", ["Flag"] = "true", ["Ratio"] = "0.1",
            ["Id"] = "8f6a2c1e-0b9d-4e57-9c3a-2d1f0e6b7a55", ["Quote"] = "it's \"x\" \\",
        };
        var query = Query(table, "AREA = @Area AND DEC >= @MinDec AND TS > @Since AND (FLAG = @Flag OR F8 = @Ratio OR U = @Id) AND TXT <> @Quote", parameters);
        var (copy, reader) = await BothAsync(source, query, null);
        Assert.Equal(reader, copy);
        // Rows 1 (flag, ratio, id) and 4 (flag) pass; 2 fails on DEC and TS, 3 on NULLs, 5 on FLAG/F8/U, 6 on AREA.
        Assert.Equal(["1", "4"], copy.Select(l => l.Split(',')[1]).Order().ToList());

        long from;
        await using (var s = await source.OpenSnapshotAsync(default)) from = s.CurrentVersion;
        await fixture.ExecuteAsync(db, "UPDATE every SET flag = false, f8 = 2, u = NULL WHERE id = 1; UPDATE every SET txt = 'still in' WHERE id = 4");
        var (copyDelta, readerDelta) = await BothAsync(source, query, from);
        Assert.Equal(readerDelta, copyDelta);
        Assert.Equal(["[\"D\",1,\"usrt\"]"], copyDelta.Where(l => l.StartsWith("[\"D\"", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Values_larger_than_the_read_buffer_and_many_rows_come_through_whole()
    {
        var (db, source, table) = await TrackedAsync("copy-large");
        await fixture.ExecuteAsync(db, "INSERT INTO every (id, area, txt, bin) VALUES (1, 'usrt', repeat('ü€x', 200000), decode(repeat('00ff', 400000), 'hex'))");
        await fixture.ExecuteAsync(db, "INSERT INTO every (id, area, txt, i4) SELECT g, 'usrt', 'row ' || g, g FROM generate_series(2, 20000) g");
        var (copy, reader) = await BothAsync(source, Query(table), null);
        Assert.Equal(20000, copy.Count);
        Assert.Equal(reader, copy);
        Assert.Contains(copy, l => l.Length > 1_000_000);
    }

    [Fact]
    public async Task A_row_source_abandoned_midway_leaves_the_snapshot_usable()
    {
        var (db, source, table) = await TrackedAsync("copy-abandon");
        await fixture.ExecuteAsync(db, "INSERT INTO every (id, area, txt) SELECT g, 'usrt', repeat('x', 100) FROM generate_series(1, 50000) g");
        await using var snapshot = await source.OpenSnapshotAsync(default);
        await using (var rows = await snapshot.ReadPackageRowsAsync(Query(table), null, default))
            for (var i = 0; i < 10; i++) Assert.True(await rows.ReadAsync(default));
        Assert.Equal(50000, (await LinesAsync(await snapshot.ReadPackageRowsAsync(Query(table), null, default))).Count);
    }

    [Fact]
    public async Task Cancelling_stops_the_copy_and_the_snapshot_still_rolls_back()
    {
        var (db, source, table) = await TrackedAsync("copy-cancel");
        await fixture.ExecuteAsync(db, "INSERT INTO every (id, area, txt) SELECT g, 'usrt', repeat('x', 200) FROM generate_series(1, 50000) g");
        using var cancel = new CancellationTokenSource();
        var snapshot = await source.OpenSnapshotAsync(default);
        var rows = await snapshot.ReadPackageRowsAsync(Query(table), null, cancel.Token);
        for (var i = 0; i < 10; i++) Assert.True(await rows.ReadAsync(cancel.Token));
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => { while (await rows.ReadAsync(cancel.Token)) { } });
        await rows.DisposeAsync();
        await snapshot.DisposeAsync();
    }

    [Theory]
    [InlineData("num", "'NaN'", "NaN")]
    [InlineData("ts", "'infinity'", "infinity")]
    [InlineData("d", "'-infinity'", "-infinity")]
    [InlineData("num", "1e40", "10000000000000000000000000000000000000000")]
    [InlineData("dec", "-9999999999999999999999999999.9999999999", "-9999999999999999999999999999.9999999999")]
    public async Task A_value_a_package_cannot_carry_fails_the_read_naming_table_column_and_value(string column, string value, string shown)
    {
        var (db, source, table) = await TrackedAsync("copy-bad-" + column);
        await fixture.ExecuteAsync(db, $"INSERT INTO every (id, area, {column}) VALUES (1, 'usrt', {value})");
        await using var snapshot = await source.OpenSnapshotAsync(default);
        var ex = await Assert.ThrowsAsync<AsyncServerException>(() => LinesAsync(snapshot.ReadPackageRowsAsync(Query(table), null, default).Result));
        Assert.Equal(ErrorIds.ValueNotRepresentable, ex.ErrorId);
        Assert.Contains("every", ex.Message);
        Assert.Contains($"column {column}", ex.Message);
        Assert.Contains(shown, ex.Message);
    }
}
