using AsyncServer.Tests.Support;
using System.Data.Common;
using AsyncServer.ChangeTracking;
using AsyncServer.Data;
using AsyncServer.Filtering;
using AsyncServer.Providers;

namespace AsyncServer.Tests.Contracts;

/// <summary>
/// The behaviour every HQ change source must have. A provider joins by deriving a class that supplies its
/// fixture; every test here then runs against it.
/// </summary>
public abstract class ChangeSourceContract
{
    protected abstract IProviderFixture Fixture { get; }

    private async Task<(ResolvedConnection Db, IChangeSource Source, TableSchema Items)> SetUpAsync(string name)
    {
        var db = await Fixture.CreateDatabaseAsync(name);
        await Fixture.ExecuteAsync(db, Fixture.CreateItemsTableSql);
        var source = ProviderFactory.CreateChangeSource(db);
        await source.EnableChangeTrackingAsync(["ITEMS"], ChangeTrackingOptions.Default, default);
        var items = (await source.DescribeTableAsync("ITEMS", default))!;
        return (db, source, items);
    }

    private static ExtractionQuery Query(TableSchema items, string? filter = null, string dataAreaId = "usrt")
        => new(items, items.Columns, items.PrimaryKey, filter is null ? null : FilterParser.Parse(filter),
            new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["DataAreaId"] = dataAreaId }, _ => throw new InvalidOperationException());

    private static async Task<List<(bool Upsert, long Id, string? Name)>> ReadAsync(IChangeSnapshot snapshot, ExtractionQuery query, long? from)
    {
        var rows = new List<(bool, long, string?)>();
        await using DbDataReader reader = await snapshot.ReadAsync(query, from, default);
        var id = query.Columns.ToList().FindIndex(c => c.Name.Equals("ID", StringComparison.OrdinalIgnoreCase)) + 1;
        var name = query.Columns.ToList().FindIndex(c => c.Name.Equals("NAME", StringComparison.OrdinalIgnoreCase)) + 1;
        while (await reader.ReadAsync())
        {
            var upsert = Convert.ToInt64(reader.GetValue(0)) != 0;
            rows.Add((upsert, Convert.ToInt64(reader.GetValue(id)), upsert && !reader.IsDBNull(name) ? reader.GetString(name) : null));
        }
        return rows.OrderBy(r => r.Item2).ToList();
    }

    private static async Task<List<string>> LinesAsync(AsyncServer.Packaging.IPackageRowSource rows)
    {
        var lines = new List<string>();
        await using (rows)
            while (await rows.ReadAsync(default))
            {
                var line = new System.Buffers.ArrayBufferWriter<byte>();
                var upsert = rows.WriteLine(line);
                lines.Add(System.Text.Encoding.UTF8.GetString(line.WrittenSpan) + (upsert ? "" : " (delete)"));
            }
        return lines.Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The runner packages ReadPackageRowsAsync's lines: they must be RowCodec's lines of ReadAsync's rows, whatever the provider reads them with.</summary>
    [Fact]
    public async Task Package_rows_are_the_encoded_rows_of_the_change_reader()
    {
        var (db, source, items) = await SetUpAsync("packagerows");
        await Fixture.ExecuteAsync(db, "INSERT INTO ITEMS (ID, DATAAREAID, NAME, AMOUNT, CHANGED) VALUES (1, 'usrt', 'one \"1\"', 12.5, '2024-02-29 23:59:59.123')");
        await Fixture.ExecuteAsync(db, "INSERT INTO ITEMS (ID, DATAAREAID, NAME, AMOUNT) VALUES (2, 'usrt', 'Größe', -0.000001)");
        await Fixture.ExecuteAsync(db, "INSERT INTO ITEMS (ID, DATAAREAID, NAME) VALUES (3, 'xxxx', 'other')");
        long start;
        await using (var s0 = await source.OpenSnapshotAsync(default)) start = s0.CurrentVersion;
        await Fixture.ExecuteAsync(db, "UPDATE ITEMS SET NAME = 'ONE' WHERE ID = 1");
        await Fixture.ExecuteAsync(db, "DELETE FROM ITEMS WHERE ID = 2");

        await using var snapshot = await source.OpenSnapshotAsync(default);
        foreach (var from in new long?[] { null, start })
        {
            var query = Query(items, "DATAAREAID = @DataAreaId");
            var lines = await LinesAsync(await snapshot.ReadPackageRowsAsync(query, from, default));
            Assert.Equal(await LinesAsync(new AsyncServer.ChangeTracking.DataReaderRowSource(await snapshot.ReadAsync(query, from, default), query)), lines);
            Assert.Equal(from is null ? 1 : 2, lines.Count);
            Assert.Contains(lines, l => l.StartsWith("[\"U\",1,\"usrt\",\"ONE\"", StringComparison.Ordinal));
            if (from is not null) Assert.Contains("[\"D\",2] (delete)", lines);
        }
    }

    [Fact]
    public async Task Describe_table_reports_columns_types_and_primary_key()
    {
        var (_, source, items) = await SetUpAsync("describe");
        Assert.Equal(["ID"], items.PrimaryKey.Select(k => k.Name.ToUpperInvariant()));
        Assert.Equal(LogicalType.Decimal, items.Find("AMOUNT")!.Type);
        Assert.Equal(LogicalType.Guid, items.Find("G")!.Type);
        Assert.Equal(LogicalType.Binary, items.Find("DATA")!.Type);
        Assert.Null(await source.DescribeTableAsync("NO_SUCH_TABLE", default));
    }

    [Fact]
    public async Task Inserts_updates_and_deletes_come_back_as_net_changes_by_key()
    {
        var (db, source, items) = await SetUpAsync("changes");
        long start;
        await using (var s0 = await source.OpenSnapshotAsync(default)) start = s0.CurrentVersion;

        await Fixture.ExecuteAsync(db, "INSERT INTO ITEMS (ID, DATAAREAID, NAME) VALUES (1, 'usrt', 'one')");
        await Fixture.ExecuteAsync(db, "INSERT INTO ITEMS (ID, DATAAREAID, NAME) VALUES (2, 'usrt', 'two')");
        await Fixture.ExecuteAsync(db, "INSERT INTO ITEMS (ID, DATAAREAID, NAME) VALUES (3, 'usrt', 'three')");
        await Fixture.ExecuteAsync(db, "UPDATE ITEMS SET NAME = 'TWO' WHERE ID = 2");
        await Fixture.ExecuteAsync(db, "DELETE FROM ITEMS WHERE ID = 3");

        await using var snapshot = await source.OpenSnapshotAsync(default);
        Assert.True(snapshot.CurrentVersion > start);
        var rows = await ReadAsync(snapshot, Query(items), start);
        Assert.Equal([(true, 1L, "one"), (true, 2L, "TWO"), (false, 3L, null)], rows);
        Assert.Empty(await ReadAsync(snapshot, Query(items), snapshot.CurrentVersion));
    }

    [Fact]
    public async Task A_filter_turns_rows_leaving_it_into_deletes()
    {
        var (db, source, items) = await SetUpAsync("filter");
        await Fixture.ExecuteAsync(db, "INSERT INTO ITEMS (ID, DATAAREAID, NAME) VALUES (1, 'usrt', 'stays')");
        await Fixture.ExecuteAsync(db, "INSERT INTO ITEMS (ID, DATAAREAID, NAME) VALUES (2, 'usrt', 'leaves')");
        await Fixture.ExecuteAsync(db, "INSERT INTO ITEMS (ID, DATAAREAID, NAME) VALUES (3, 'usmf', 'other')");
        long v1;
        await using (var s1 = await source.OpenSnapshotAsync(default))
        {
            v1 = s1.CurrentVersion;
            var full = await ReadAsync(s1, Query(items, "DATAAREAID = @DataAreaId"), null);
            Assert.Equal([1L, 2L], full.Select(r => r.Id));
            Assert.All(full, r => Assert.True(r.Upsert));
        }
        await Fixture.ExecuteAsync(db, "UPDATE ITEMS SET DATAAREAID = 'usmf' WHERE ID = 2");
        await using var s2 = await source.OpenSnapshotAsync(default);
        var delta = await ReadAsync(s2, Query(items, "DATAAREAID = @DataAreaId"), v1);
        Assert.Equal([(false, 2L, null)], delta);
        var other = await ReadAsync(s2, Query(items, "DATAAREAID = @DataAreaId", "usmf"), v1);
        Assert.Equal([(true, 2L, "leaves")], other);
    }

    [Fact]
    public async Task A_snapshot_does_not_see_later_commits_and_the_next_one_does()
    {
        var (db, source, items) = await SetUpAsync("snapshot");
        await Fixture.ExecuteAsync(db, "INSERT INTO ITEMS (ID, DATAAREAID) VALUES (1, 'usrt')");
        await using var first = await source.OpenSnapshotAsync(default);
        var before = first.CurrentVersion;
        Assert.Single(await ReadAsync(first, Query(items), null));
        await Fixture.ExecuteAsync(db, "INSERT INTO ITEMS (ID, DATAAREAID) VALUES (2, 'usrt')");
        Assert.Single(await ReadAsync(first, Query(items), null));
        Assert.Equal(before, first.CurrentVersion);
        await using var second = await source.OpenSnapshotAsync(default);
        Assert.True(second.CurrentVersion > before);
        Assert.Equal([2L], (await ReadAsync(second, Query(items), before)).Select(r => r.Id));
    }

    [Fact]
    public async Task Cleanup_moves_the_minimum_valid_version_past_removed_history()
    {
        var (db, source, items) = await SetUpAsync("cleanup");
        long start;
        await using (var s = await source.OpenSnapshotAsync(default)) start = s.CurrentVersion;
        await Fixture.ExecuteAsync(db, "INSERT INTO ITEMS (ID, DATAAREAID) VALUES (1, 'usrt')");
        await using (var s = await source.OpenSnapshotAsync(default))
            Assert.True(await s.GetMinValidVersionAsync(items, default) <= start);
        await source.CleanupChangeTrackingAsync(TimeSpan.Zero - TimeSpan.FromSeconds(5), default);
        await using (var s = await source.OpenSnapshotAsync(default))
            Assert.True(await s.GetMinValidVersionAsync(items, default) > start);
    }

    [Fact]
    public async Task Enabling_twice_keeps_history_and_state_is_reported()
    {
        var (db, source, _) = await SetUpAsync("twice");
        await Fixture.ExecuteAsync(db, "INSERT INTO ITEMS (ID, DATAAREAID) VALUES (1, 'usrt')");
        var again = await source.EnableChangeTrackingAsync(["ITEMS"], ChangeTrackingOptions.Default, default);
        Assert.True(again.Single().Enabled);
        Assert.Equal(1, again.Single().TrackedRows);
    }

    [Fact]
    public async Task Reading_before_enabling_fails_with_ChangeTrackingNotEnabled()
    {
        var db = await Fixture.CreateDatabaseAsync("notenabled");
        await Fixture.ExecuteAsync(db, Fixture.CreateItemsTableSql);
        var source = ProviderFactory.CreateChangeSource(db);
        var ex = await Assert.ThrowsAsync<Diagnostics.AsyncServerException>(async () =>
        {
            await using var s = await source.OpenSnapshotAsync(default);
            await s.GetMinValidVersionAsync((await source.DescribeTableAsync("ITEMS", default))!, default);
        });
        Assert.Equal(Diagnostics.ErrorIds.ChangeTrackingNotEnabled, ex.ErrorId);
    }

    [Fact]
    public async Task Cleanup_before_tracking_was_ever_enabled_has_nothing_to_do()
    {
        var db = await Fixture.CreateDatabaseAsync("cleanupnone");
        await Fixture.ExecuteAsync(db, Fixture.CreateItemsTableSql);
        await using var source = ProviderFactory.CreateChangeSource(db);
        Assert.Empty(await source.CleanupChangeTrackingAsync(TimeSpan.FromDays(1), default));
    }
}
