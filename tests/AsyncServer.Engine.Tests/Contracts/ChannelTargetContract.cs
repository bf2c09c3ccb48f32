using AsyncServer.Client;
using AsyncServer.Data;
using AsyncServer.Diagnostics;
using AsyncServer.Packaging;
using AsyncServer.Providers;
using AsyncServer.Tests.Support;
using static AsyncServer.Tests.Support.TestRow;

namespace AsyncServer.Tests.Contracts;

/// <summary>
/// The behaviour every channel target must have: one transaction per package, upsert and delete by key,
/// tables created from the manifest, delete-existing, idempotence, and nothing half-applied on failure.
/// Checks read the channel database with plain SQL through the fixture (identifiers quoted by the dialect).
/// </summary>
public abstract class ChannelTargetContract : IDisposable
{
    private readonly TempFolder _files = new("channel-contract");
    protected abstract IProviderFixture Fixture { get; }

    private string Q(string identifier) => SqlDialect.For(Fixture.Provider).Quote(identifier);

    private async Task<(ResolvedConnection Db, IChannelTarget Target)> NewTargetAsync(string hint)
    {
        var db = await Fixture.CreateDatabaseAsync(hint);
        return (db, ProviderFactory.CreateChannelTarget(db));
    }

    private async Task<ApplyResult> ApplyAsync(IChannelTarget target, PackageManifest manifest, params (PackageTable, TestRow[])[] tables)
    {
        var path = _files.File($"{Guid.NewGuid():N}.zip");
        await TestPackages.WriteAsync(path, manifest, tables);
        using var reader = PackageReader.Open(path);
        await reader.VerifyAsync(default);
        return await target.ApplyAsync(reader, default);
    }

    private async Task<long> CountAsync(ResolvedConnection db, string table = "ITEMS", string? where = null)
        => Convert.ToInt64(await Fixture.ScalarAsync(db, $"SELECT COUNT(*) FROM {Q(table)}{(where is null ? "" : " WHERE " + where)}"));

    private async Task<string?> NameAsync(ResolvedConnection db, long id)
        => await Fixture.ScalarAsync(db, $"SELECT {Q("NAME")} FROM {Q("ITEMS")} WHERE {Q("ID")} = {id}") as string;

    /// <summary>Every row as text, ordered by key: equal fingerprints mean equal contents.</summary>
    private async Task<string> FingerprintAsync(ResolvedConnection db)
    {
        var parts = new List<string>();
        var count = await CountAsync(db);
        for (var id = 1; id <= 20; id++)
            if (await CountAsync(db, where: $"{Q("ID")} = {id}") == 1)
                parts.Add($"{id}:{await NameAsync(db, id)}:{Convert.ToDecimal(await Fixture.ScalarAsync(db, $"SELECT {Q("AMOUNT")} FROM {Q("ITEMS")} WHERE {Q("ID")} = {id}") ?? 0m) / 1.000000000000000000000000000000000m}");
        return $"{count}|{string.Join(";", parts)}";
    }

    [Fact]
    public async Task A_missing_table_is_created_from_the_manifest_with_its_key()
    {
        var (db, target) = await NewTargetAsync("create");
        Assert.Null(await target.DescribeTableAsync("ITEMS", default));
        var result = await ApplyAsync(target, TestPackages.Manifest(1), (TestPackages.Items(), [U(TestPackages.Item(1, "one", 1.5m)), U(TestPackages.Item(2, "zwei €", null))]));
        Assert.Equal((1L, 2L, 0L), (result.SessionId, result.Upserted, result.Deleted));
        var schema = await target.DescribeTableAsync("ITEMS", default);
        Assert.NotNull(schema);
        Assert.Equal(["ID"], schema!.PrimaryKey.Select(c => c.Name.ToUpperInvariant()));
        Assert.Equal(7, schema.Columns.Count);
        Assert.Equal(LogicalType.Decimal, schema.Find("AMOUNT")!.Type);
        Assert.Equal(LogicalType.Guid, schema.Find("G")!.Type);
        Assert.Equal(LogicalType.Binary, schema.Find("DATA")!.Type);
        Assert.Equal("zwei €", await NameAsync(db, 2));
        Assert.Equal(1.5m, Convert.ToDecimal(await Fixture.ScalarAsync(db, $"SELECT {Q("AMOUNT")} FROM {Q("ITEMS")} WHERE {Q("ID")} = 1")));
    }

    [Fact]
    public async Task Every_logical_type_arrives_with_its_value()
    {
        var (db, target) = await NewTargetAsync("types");
        var changed = new DateTime(2025, 3, 4, 5, 6, 7).AddTicks(1234560);
        var guid = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
        await ApplyAsync(target, TestPackages.Manifest(1),
            (TestPackages.Items(), [U(1L, "usmf", "Größe 寿司 ✓ 'quoted'", 12345.678901m, changed, guid, new byte[] { 0, 1, 254, 255 }), U(2L, "usrt", null, null, null, null, null)]));
        async Task<object?> Get(string column, long id) => await Fixture.ScalarAsync(db, $"SELECT {Q(column)} FROM {Q("ITEMS")} WHERE {Q("ID")} = {id}");
        Assert.Equal("usmf", await Get("DATAAREAID", 1) as string);
        Assert.Equal("Größe 寿司 ✓ 'quoted'", await Get("NAME", 1) as string);
        Assert.Equal(12345.678901m, Convert.ToDecimal(await Get("AMOUNT", 1), System.Globalization.CultureInfo.InvariantCulture));
        var storedTime = await Get("CHANGED", 1);
        Assert.Equal(changed, storedTime is string text ? DateTime.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : Convert.ToDateTime(storedTime));
        var storedGuid = await Get("G", 1);
        Assert.Equal(guid, storedGuid switch { Guid g => g, string guidText => Guid.Parse(guidText), byte[] bytes => new Guid(bytes), _ => Guid.Empty });
        Assert.Equal(new byte[] { 0, 1, 254, 255 }, await Get("DATA", 1) as byte[]);
        foreach (var column in new[] { "NAME", "AMOUNT", "CHANGED", "G", "DATA" })
            Assert.Null(await Get(column, 2));
    }

    [Fact]
    public async Task Upserts_update_by_key_and_deletes_remove_by_key()
    {
        var (db, target) = await NewTargetAsync("upsert");
        await ApplyAsync(target, TestPackages.Manifest(1), (TestPackages.Items(), [U(TestPackages.Item(1, "one")), U(TestPackages.Item(2, "two")), U(TestPackages.Item(3, "three"))]));
        var result = await ApplyAsync(target, TestPackages.Manifest(2),
            (TestPackages.Items(), [U(TestPackages.Item(2, "TWO")), D(3L), D(99L), U(TestPackages.Item(4, null))]));
        Assert.Equal((2L, 2L), (result.Upserted, result.Deleted));
        Assert.Equal(3, await CountAsync(db));
        Assert.Equal("one", await NameAsync(db, 1));
        Assert.Equal("TWO", await NameAsync(db, 2));
        Assert.Equal(0, await CountAsync(db, where: $"{Q("ID")} = 3"));
        Assert.Null(await NameAsync(db, 4));
    }

    [Fact]
    public async Task Applying_a_package_twice_changes_nothing()
    {
        var (db, target) = await NewTargetAsync("twice");
        await ApplyAsync(target, TestPackages.Manifest(1), (TestPackages.Items(), [U(TestPackages.Item(1, "one", 1m)), U(TestPackages.Item(2, "two", 2m))]));
        var path = _files.File("same.zip");
        await TestPackages.WriteAsync(path, TestPackages.Manifest(2), (TestPackages.Items(), [U(TestPackages.Item(2, "deux", 2.25m)), D(1L), U(TestPackages.Item(5, "five", 5m))]));
        using (var reader = PackageReader.Open(path)) await target.ApplyAsync(reader, default);
        var once = await FingerprintAsync(db);
        using (var reader = PackageReader.Open(path)) await target.ApplyAsync(reader, default);
        Assert.Equal(once, await FingerprintAsync(db));
        Assert.Equal("2|2:deux:2.25;5:five:5", once);
    }

    [Fact]
    public async Task Delete_existing_empties_the_tables_first()
    {
        var (db, target) = await NewTargetAsync("deleteexisting");
        await ApplyAsync(target, TestPackages.Manifest(1), (TestPackages.Items(), [U(TestPackages.Item(1, "stale")), U(TestPackages.Item(2, "old"))]));
        var manifest = TestPackages.Manifest(2, from: null);
        manifest.DeleteExisting = true;
        manifest.DeleteExistingTables = ["ITEMS", "NOT_THERE_YET"];
        await ApplyAsync(target, manifest, (TestPackages.Items(), [U(TestPackages.Item(2, "new"))]));
        Assert.Equal(1, await CountAsync(db));
        Assert.Equal("new", await NameAsync(db, 2));
    }

    [Fact]
    public async Task A_key_repeated_in_one_package_ends_as_its_last_row()
    {
        var (db, target) = await NewTargetAsync("repeat");
        await ApplyAsync(target, TestPackages.Manifest(1), (TestPackages.Items(), [U(TestPackages.Item(1, "one")), U(TestPackages.Item(2, "two"))]));
        var result = await ApplyAsync(target, TestPackages.Manifest(2), (TestPackages.Items(),
            [U(TestPackages.Item(1, "first")), U(TestPackages.Item(1, "last")), U(TestPackages.Item(2, "back")), D(2L), D(3L), U(TestPackages.Item(3, "three"))]));
        Assert.Equal((4L, 2L), (result.Upserted, result.Deleted));
        Assert.Equal(2, await CountAsync(db));
        Assert.Equal("last", await NameAsync(db, 1));
        Assert.Equal(0, await CountAsync(db, where: $"{Q("ID")} = 2"));
        Assert.Equal("three", await NameAsync(db, 3));
    }

    [Fact]
    public async Task A_package_seeding_an_empty_table_keeps_the_last_row_of_a_repeated_key()
    {
        var (repeated, target) = await NewTargetAsync("seedrepeat");
        var result = await ApplyAsync(target, TestPackages.Manifest(1), (TestPackages.Items(),
            [U(TestPackages.Item(1, "first")), U(TestPackages.Item(2, "two")), U(TestPackages.Item(1, "last"))]));
        Assert.Equal((3L, 0L), (result.Upserted, result.Deleted));
        Assert.Equal(2, await CountAsync(repeated));
        Assert.Equal("last", await NameAsync(repeated, 1));

        var (deleted, other) = await NewTargetAsync("seeddelete");
        result = await ApplyAsync(other, TestPackages.Manifest(1), (TestPackages.Items(),
            [U(TestPackages.Item(1, "one")), U(TestPackages.Item(2, "two")), D(1L), D(9L)]));
        Assert.Equal((2L, 2L), (result.Upserted, result.Deleted));
        Assert.Equal(1, await CountAsync(deleted));
        Assert.Equal("two", await NameAsync(deleted, 2));
    }

    [Fact]
    public async Task Parts_of_a_full_sync_into_a_filled_table_upsert_keys_it_holds_and_keep_channel_only_columns()
    {
        // A full sync's later parts may go by a direct bulk load into the filled table (PostgreSQL): keys already
        // there, repeated keys and deletes must still end as applied row by row.
        var (db, target) = await NewTargetAsync("fullparts");
        await Fixture.ExecuteAsync(db, $"CREATE TABLE {Q("ITEMS")} ({Q("ID")} BIGINT NOT NULL PRIMARY KEY, {Q("DATAAREAID")} VARCHAR(4) NOT NULL, {Q("NAME")} VARCHAR(100), " +
            $"{Q("AMOUNT")} DECIMAL(20,6), {Q("CHANGED")} {DateTimeType}, {Q("G")} {GuidType}, {Q("DATA")} {BinaryType}, {Q("LOCALNOTE")} VARCHAR(20))");
        await ApplyAsync(target, TestPackages.Manifest(1, from: null), (TestPackages.Items(), [U(TestPackages.Item(1, "one", 1m)), U(TestPackages.Item(2, "two", 2m))]));
        await Fixture.ExecuteAsync(db, $"UPDATE {Q("ITEMS")} SET {Q("LOCALNOTE")} = 'keep me' WHERE {Q("ID")} = 2");

        var result = await ApplyAsync(target, TestPackages.Manifest(2, from: null), (TestPackages.Items(), [U(TestPackages.Item(3, "three", 3m)), U(TestPackages.Item(4, "four", 4m))]));
        Assert.Equal((2L, 0L), (result.Upserted, result.Deleted));
        Assert.Equal("4|1:one:1;2:two:2;3:three:3;4:four:4", await FingerprintAsync(db));

        // First key new, a later one already there, one repeated: upserted, the last row of the key wins.
        result = await ApplyAsync(target, TestPackages.Manifest(3, from: null), (TestPackages.Items(),
            [U(TestPackages.Item(5, "five", 5m)), U(TestPackages.Item(2, "TWO", 2.5m)), U(TestPackages.Item(6, "first", 6m)), U(TestPackages.Item(6, "last", 6.5m))]));
        Assert.Equal((4L, 0L), (result.Upserted, result.Deleted));
        Assert.Equal("6|1:one:1;2:TWO:2.5;3:three:3;4:four:4;5:five:5;6:last:6.5", await FingerprintAsync(db));
        Assert.Equal("keep me", await Fixture.ScalarAsync(db, $"SELECT {Q("LOCALNOTE")} FROM {Q("ITEMS")} WHERE {Q("ID")} = 2") as string);

        // First key already there; then a part holding a delete.
        await ApplyAsync(target, TestPackages.Manifest(4, from: null), (TestPackages.Items(), [U(TestPackages.Item(1, "ONE", 1m)), U(TestPackages.Item(7, "seven", 7m))]));
        result = await ApplyAsync(target, TestPackages.Manifest(5, from: null), (TestPackages.Items(), [U(TestPackages.Item(8, "eight", 8m)), D(3L)]));
        Assert.Equal((1L, 1L), (result.Upserted, result.Deleted));
        Assert.Equal("7|1:ONE:1;2:TWO:2.5;4:four:4;5:five:5;6:last:6.5;7:seven:7;8:eight:8", await FingerprintAsync(db));
        Assert.Equal("keep me", await Fixture.ScalarAsync(db, $"SELECT {Q("LOCALNOTE")} FROM {Q("ITEMS")} WHERE {Q("ID")} = 2") as string);
    }

    [Fact]
    public async Task A_channel_table_keyed_otherwise_is_still_upserted_by_the_package_key()
    {
        var (db, target) = await NewTargetAsync("otherkey");
        await Fixture.ExecuteAsync(db, $"CREATE TABLE {Q("ITEMS")} ({Q("ROWNO")} INTEGER NOT NULL PRIMARY KEY, {Q("ID")} BIGINT NOT NULL, {Q("DATAAREAID")} VARCHAR(4) NOT NULL, " +
            $"{Q("NAME")} VARCHAR(100), {Q("AMOUNT")} DECIMAL(20,6), {Q("CHANGED")} {DateTimeType}, {Q("G")} {GuidType}, {Q("DATA")} {BinaryType})");
        await Fixture.ExecuteAsync(db, $"INSERT INTO {Q("ITEMS")} ({Q("ROWNO")}, {Q("ID")}, {Q("DATAAREAID")}, {Q("NAME")}) VALUES (7, 1, 'usrt', 'old')");
        await ApplyAsync(target, TestPackages.Manifest(1), (TestPackages.Items(), [U(TestPackages.Item(1, "new"))]));
        Assert.Equal(1, await CountAsync(db));
        Assert.Equal("new", await NameAsync(db, 1));
        Assert.Equal(7L, Convert.ToInt64(await Fixture.ScalarAsync(db, $"SELECT {Q("ROWNO")} FROM {Q("ITEMS")} WHERE {Q("ID")} = 1")));
    }

    [Fact]
    public async Task Channel_only_columns_are_kept_and_extra_tables_are_untouched()
    {
        var (db, target) = await NewTargetAsync("extra");
        await Fixture.ExecuteAsync(db, $"CREATE TABLE {Q("ITEMS")} ({Q("ID")} BIGINT NOT NULL PRIMARY KEY, {Q("DATAAREAID")} VARCHAR(4) NOT NULL, {Q("NAME")} VARCHAR(100), " +
            $"{Q("AMOUNT")} DECIMAL(20,6), {Q("CHANGED")} {DateTimeType}, {Q("G")} {GuidType}, {Q("DATA")} {BinaryType}, {Q("LOCALNOTE")} VARCHAR(20))");
        await Fixture.ExecuteAsync(db, $"INSERT INTO {Q("ITEMS")} ({Q("ID")}, {Q("DATAAREAID")}, {Q("LOCALNOTE")}) VALUES (1, 'usrt', 'keep me')");
        await ApplyAsync(target, TestPackages.Manifest(1), (TestPackages.Items(), [U(TestPackages.Item(1, "one"))]));
        Assert.Equal("one", await NameAsync(db, 1));
        Assert.Equal("keep me", await Fixture.ScalarAsync(db, $"SELECT {Q("LOCALNOTE")} FROM {Q("ITEMS")} WHERE {Q("ID")} = 1") as string);
    }

    [Fact]
    public async Task A_table_lacking_a_manifest_column_fails_and_nothing_is_applied()
    {
        var (db, target) = await NewTargetAsync("lacking");
        await ApplyAsync(target, TestPackages.Manifest(1), (TestPackages.Items("OTHER"), [U(TestPackages.Item(7, "seven"))]));
        await Fixture.ExecuteAsync(db, $"CREATE TABLE {Q("ITEMS")} ({Q("ID")} BIGINT NOT NULL PRIMARY KEY, {Q("DATAAREAID")} VARCHAR(4) NOT NULL)");
        var manifest = TestPackages.Manifest(2, from: null);
        manifest.DeleteExistingTables = ["OTHER"];
        var ex = await Assert.ThrowsAsync<AsyncServerException>(() => ApplyAsync(target, manifest,
            (TestPackages.Items("OTHER"), [U(TestPackages.Item(8, "eight"))]), (TestPackages.Items(), [U(TestPackages.Item(1, "one"))])));
        Assert.Equal(ErrorIds.ChannelTableMismatch, ex.ErrorId);
        Assert.Contains("NAME", ex.Message);
        Assert.Equal(1, await CountAsync(db, "OTHER"));
        Assert.Equal(0, await CountAsync(db, "ITEMS"));
    }

    [Fact]
    public async Task A_failure_in_the_middle_rolls_back_the_whole_package()
    {
        var (db, target) = await NewTargetAsync("rollback");
        await ApplyAsync(target, TestPackages.Manifest(1), (TestPackages.Items(), [U(TestPackages.Item(1, "one"))]));
        // A channel table whose extra NOT NULL column has no default: the first insert of a new key fails.
        await Fixture.ExecuteAsync(db, $"CREATE TABLE {Q("STRICT")} ({Q("ID")} BIGINT NOT NULL PRIMARY KEY, {Q("DATAAREAID")} VARCHAR(4) NOT NULL, {Q("NAME")} VARCHAR(100), " +
            $"{Q("AMOUNT")} DECIMAL(20,6), {Q("CHANGED")} {DateTimeType}, {Q("G")} {GuidType}, {Q("DATA")} {BinaryType}, {Q("REQUIRED")} VARCHAR(5) NOT NULL)");
        await Assert.ThrowsAnyAsync<Exception>(() => ApplyAsync(target, TestPackages.Manifest(2),
            (TestPackages.Items(), [U(TestPackages.Item(1, "changed")), D(1L)]), (TestPackages.Items("STRICT"), [U(TestPackages.Item(5, "five"))])));
        Assert.Equal("one", await NameAsync(db, 1));
        Assert.Equal(0, await CountAsync(db, "STRICT"));
    }

    /// <summary>Column types for tables the tests create themselves, in the provider's dialect.</summary>
    protected virtual string DateTimeType => "TIMESTAMP";
    protected virtual string GuidType => "VARCHAR(36)";
    protected virtual string BinaryType => "BLOB";

    public void Dispose() => _files.Dispose();
}
