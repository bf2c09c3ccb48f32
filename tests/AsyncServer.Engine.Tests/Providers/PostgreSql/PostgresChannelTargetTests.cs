using AsyncServer.Client;
using AsyncServer.Data;
using AsyncServer.Diagnostics;
using AsyncServer.Packaging;
using AsyncServer.Providers;
using AsyncServer.Tests.Contracts;
using AsyncServer.Tests.Support;
using static AsyncServer.Tests.Support.RowPackages;

namespace AsyncServer.Tests.PostgreSql;

/// <summary>Applying real packages to a real PostgreSQL channel database.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresChannelTargetTests(PostgresFixture fixture) : IDisposable
{
    private readonly TempFolder _folder = new("pg-channel");

    private static readonly Column[] ItemColumns =
    [
        new("ID", LogicalType.Int64, Key: true), new("DATAAREAID", LogicalType.String, Key: true), new("NAME", LogicalType.String),
        new("AMOUNT", LogicalType.Decimal), new("CHANGED", LogicalType.DateTime), new("G", LogicalType.Guid), new("DATA", LogicalType.Binary),
        new("QTY", LogicalType.Int32), new("SMALL", LogicalType.Int16), new("RATE", LogicalType.Double), new("ACTIVE", LogicalType.Boolean),
        new("AT", LogicalType.DateTimeOffset), new("DAY", LogicalType.Date), new("TIMEOFDAY", LogicalType.Time),
    ];

    private const string CreateItems = """
        CREATE SCHEMA store;
        CREATE TABLE store.items (id bigint NOT NULL, dataareaid varchar(4) NOT NULL, name text, amount numeric(20,6), changed timestamp,
            g uuid, data bytea, qty integer, small smallint, rate double precision, active boolean, at timestamptz, day date, timeofday time,
            PRIMARY KEY (id, dataareaid));
        """;

    private async Task<(ResolvedConnection Db, IChannelTarget Target)> SetUpAsync(string hint)
    {
        var db = await fixture.CreateDatabaseAsync(hint);
        await fixture.ExecuteAsync(db, CreateItems);
        return (db, ProviderFactory.CreateChannelTarget(db));
    }

    private static object?[] Item(long id, string name, decimal amount) =>
    [
        id, "usrt", name, amount, new DateTime(2024, 5, 6, 7, 8, 9, 123).AddTicks(40), Guid.Parse("7d3c1f7e-55a2-4c1e-9d52-0e8f2a8b9c01"), new byte[] { 0, 1, 254 },
        42, (short)7, 0.1 + 0.2, true, new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.FromHours(2)), new DateTime(2024, 2, 29), new TimeSpan(0, 13, 14, 15, 500),
    ];

    private async Task<ApplyResult> ApplyAsync(IChannelTarget target, string path)
    {
        using var package = PackageReader.Open(path);
        await package.VerifyAsync(default);
        return await target.ApplyAsync(package, default);
    }

    [Fact]
    public async Task A_package_is_bulk_applied_with_every_type_and_reapplying_it_changes_nothing()
    {
        var (db, target) = await SetUpAsync("apply");
        var path = await WriteAsync(_folder.Path, 1, "store.ITEMS", ItemColumns, [(true, Item(1, "one", 1.5m)), (true, Item(2, "two", 123456789.123456m))]);
        var first = await ApplyAsync(target, path);
        Assert.Equal((2L, 0L), (first.Upserted, first.Deleted));
        Assert.Equal(["store.items"], first.Tables);

        const string check = "SELECT string_agg(concat_ws('|', id, dataareaid, name, amount, changed, g, encode(data, 'hex'), qty, small, rate, active, " +
                             "at AT TIME ZONE 'UTC', day, timeofday), ';' ORDER BY id) FROM store.items";
        var expected = "1|usrt|one|1.500000|2024-05-06 07:08:09.123004|7d3c1f7e-55a2-4c1e-9d52-0e8f2a8b9c01|0001fe|42|7|0.30000000000000004|t|2024-05-06 05:08:09|2024-02-29|13:14:15.5;" +
                       "2|usrt|two|123456789.123456|2024-05-06 07:08:09.123004|7d3c1f7e-55a2-4c1e-9d52-0e8f2a8b9c01|0001fe|42|7|0.30000000000000004|t|2024-05-06 05:08:09|2024-02-29|13:14:15.5";
        Assert.Equal(expected, await fixture.ScalarAsync(db, check));

        await ApplyAsync(target, path);
        Assert.Equal(expected, await fixture.ScalarAsync(db, check));
        Assert.Equal(2L, await fixture.ScalarAsync(db, "SELECT count(*) FROM store.items"));
    }

    [Fact]
    public async Task Upserts_update_by_key_deletes_remove_by_key_and_the_last_row_of_a_key_wins()
    {
        var (db, target) = await SetUpAsync("upsertdelete");
        await ApplyAsync(target, await WriteAsync(_folder.Path, 1, "store.items", ItemColumns,
            [(true, Item(1, "one", 1m)), (true, Item(2, "two", 2m)), (true, Item(3, "three", 3m))]));
        var result = await ApplyAsync(target, await WriteAsync(_folder.Path, 2, "store.items", ItemColumns,
        [
            (true, Item(1, "ONE", 10m)),
            (false, [2L, "usrt", null, null, null, null, null, null, null, null, null, null, null, null]),
            (true, Item(4, "four", 4m)),
            (true, Item(3, "gone soon", 3m)),
            (false, [3L, "usrt", null, null, null, null, null, null, null, null, null, null, null, null]),
        ]));
        Assert.Equal((3L, 2L), (result.Upserted, result.Deleted)); // package rows, as applied one by one
        Assert.Equal("1:ONE:10.000000,4:four:4.000000", await fixture.ScalarAsync(db, "SELECT string_agg(id || ':' || name || ':' || amount, ',' ORDER BY id) FROM store.items"));
    }

    [Fact]
    public async Task A_failing_package_rolls_back_everything_including_deleting_existing_data()
    {
        var (db, target) = await SetUpAsync("rollback");
        await ApplyAsync(target, await WriteAsync(_folder.Path, 1, "store.items", ItemColumns, [(true, Item(1, "one", 1m))]));
        // The second row's DATAAREAID does not fit varchar(4): the whole package must leave no trace.
        var bad = Item(3, "three", 3m);
        bad[1] = "toolong";
        var path = await WriteAsync(_folder.Path, 2, "store.items", ItemColumns, [(true, Item(2, "two", 2m)), (true, bad)], deleteExistingTables: ["store.items"]);
        var ex = await Assert.ThrowsAsync<AsyncServerException>(() => ApplyAsync(target, path));
        Assert.Equal(ErrorIds.ApplyFailed, ex.ErrorId);
        Assert.Contains("store.items", ex.Message);
        Assert.Equal("1", await fixture.ScalarAsync(db, "SELECT string_agg(id::text, ',') FROM store.items"));
    }

    [Fact]
    public async Task A_full_sync_part_failing_in_its_direct_load_into_a_filled_table_changes_nothing()
    {
        // Part 2 of a full sync goes by COPY straight into the filled table: a value that does not fit fails the
        // package there, and neither the part's good rows nor anything else stays.
        var (db, target) = await SetUpAsync("fullpartfail");
        await ApplyAsync(target, await WriteAsync(_folder.Path, 1, "store.items", ItemColumns, [(true, Item(1, "one", 1m))], kind: "Full"));
        var bad = Item(3, "three", 3m);
        bad[1] = "toolong";
        var part2 = await WriteAsync(_folder.Path, 2, "store.items", ItemColumns, [(true, Item(2, "two", 2m)), (true, bad)], kind: "Full");
        var ex = await Assert.ThrowsAsync<AsyncServerException>(() => ApplyAsync(target, part2));
        Assert.Equal(ErrorIds.ApplyFailed, ex.ErrorId);
        Assert.Contains("store.items", ex.Message);
        Assert.Equal("1", await fixture.ScalarAsync(db, "SELECT string_agg(id::text, ',') FROM store.items"));
    }

    [Fact]
    public async Task Values_are_fitted_to_the_column_alike_whether_the_table_was_empty_or_not()
    {
        // An empty table is loaded by COPY straight into it, a filled one through the staging table: a numeric(20,6)
        // rounds the same either way.
        var (db, target) = await SetUpAsync("fitted");
        await ApplyAsync(target, await WriteAsync(_folder.Path, 1, "store.items", ItemColumns, [(true, Item(1, "one", 1.12345678m))]));
        await ApplyAsync(target, await WriteAsync(_folder.Path, 2, "store.items", ItemColumns, [(true, Item(2, "two", 1.12345678m))]));
        Assert.Equal("1:1.123457,2:1.123457", await fixture.ScalarAsync(db, "SELECT string_agg(id || ':' || amount, ',' ORDER BY id) FROM store.items"));
    }

    [Fact]
    public async Task Delete_existing_data_empties_the_table_before_applying()
    {
        var (db, target) = await SetUpAsync("deleteexisting");
        await ApplyAsync(target, await WriteAsync(_folder.Path, 1, "store.items", ItemColumns, [(true, Item(1, "one", 1m)), (true, Item(2, "two", 2m))]));
        await ApplyAsync(target, await WriteAsync(_folder.Path, 2, "store.items", ItemColumns, [(true, Item(5, "five", 5m))], deleteExistingTables: ["store.items"]));
        Assert.Equal("5", await fixture.ScalarAsync(db, "SELECT string_agg(id::text, ',') FROM store.items"));
    }

    [Fact]
    public async Task A_missing_table_is_created_from_the_manifest_and_a_missing_column_fails_naming_it()
    {
        var (db, target) = await SetUpAsync("missing");
        var created = await ApplyAsync(target, await WriteAsync(_folder.Path, 1, "store.NEWITEMS", ItemColumns, [(true, Item(1, "one", 1m))]));
        Assert.Equal(["store.NEWITEMS"], created.Tables);
        var schema = (await target.DescribeTableAsync("store.NEWITEMS", default))!;
        Assert.Equal(["ID", "DATAAREAID"], schema.PrimaryKey.Select(c => c.Name));
        Assert.Equal(ItemColumns.Select(c => c.Type), schema.Columns.Select(c => c.Type));
        Assert.Equal("one", await fixture.ScalarAsync(db, "SELECT \"NAME\" FROM store.\"NEWITEMS\""));

        var noColumn = await WriteAsync(_folder.Path, 2, "store.items", [.. ItemColumns, new Column("NOPE", LogicalType.String)], [(true, [.. Item(1, "one", 1m), "x"])]);
        var ex = await Assert.ThrowsAsync<AsyncServerException>(() => ApplyAsync(target, noColumn));
        Assert.Equal(ErrorIds.ChannelTableMismatch, ex.ErrorId);
        Assert.Contains("NOPE", ex.Message);
        Assert.Equal(0L, await fixture.ScalarAsync(db, "SELECT count(*) FROM store.items"));
    }

    [Fact]
    public async Task Describe_maps_postgresql_types_to_logical_types()
    {
        var (_, target) = await SetUpAsync("describe");
        var t = (await target.DescribeTableAsync("STORE.ITEMS", default))!;
        Assert.Equal("store", t.Schema);
        Assert.Equal(["id", "dataareaid"], t.PrimaryKey.Select(c => c.Name));
        Assert.Equal(
            [LogicalType.Int64, LogicalType.String, LogicalType.String, LogicalType.Decimal, LogicalType.DateTime, LogicalType.Guid, LogicalType.Binary,
             LogicalType.Int32, LogicalType.Int16, LogicalType.Double, LogicalType.Boolean, LogicalType.DateTimeOffset, LogicalType.Date, LogicalType.Time],
            t.Columns.Select(c => c.Type));
        Assert.Null(await target.DescribeTableAsync("items", default)); // not on the search_path
    }

    public void Dispose() => _folder.Dispose();
}
