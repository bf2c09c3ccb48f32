using AsyncServer.Tests.Support;
using System.Data.Common;
using AsyncServer.ChangeTracking;
using AsyncServer.Data;
using AsyncServer.Providers;

namespace AsyncServer.Tests.Contracts;

/// <summary>SQLite-only regressions of the trigger-based change tracking (found by the convergence property test).</summary>
public sealed class SqliteChangeTrackingTests(SqliteFixture fixture) : IClassFixture<SqliteFixture>
{
    [Fact]
    public async Task A_key_change_by_UPDATE_OR_IGNORE_still_records_the_old_key_as_deleted()
    {
        // Statements inside a trigger inherit the conflict policy of the statement that fired it: with the old
        // INSERT OR REPLACE triggers, UPDATE OR IGNORE kept a stale side row for the old key, so channels never
        // learned that the old key was gone.
        var db = await fixture.CreateDatabaseAsync("orignore");
        await fixture.ExecuteAsync(db, "CREATE TABLE BARCODES (CODE TEXT NOT NULL, DATAAREAID TEXT NOT NULL, ITEM TEXT, PRIMARY KEY (CODE, DATAAREAID))");
        var source = ProviderFactory.CreateChangeSource(db);
        await source.EnableChangeTrackingAsync(["BARCODES"], ChangeTrackingOptions.Default, default);
        await fixture.ExecuteAsync(db, "INSERT INTO BARCODES VALUES ('111', 'usrt', 'A')");
        long start;
        await using (var s = await source.OpenSnapshotAsync(default)) start = s.CurrentVersion;
        await fixture.ExecuteAsync(db, "UPDATE OR IGNORE BARCODES SET DATAAREAID = 'usmf' WHERE CODE = '111'");

        var table = (await source.DescribeTableAsync("BARCODES", default))!;
        await using var snapshot = await source.OpenSnapshotAsync(default);
        var query = new ExtractionQuery(table, table.Columns, table.PrimaryKey, null, new Dictionary<string, string>(), _ => throw new InvalidOperationException());
        var rows = new List<string>();
        await using (DbDataReader r = await snapshot.ReadAsync(query, start, default))
            while (await r.ReadAsync()) rows.Add($"{(Convert.ToInt64(r.GetValue(0)) == 1 ? "U" : "D")}:{r.GetString(1)}:{r.GetString(2)}");
        rows.Sort(StringComparer.Ordinal);
        Assert.Equal(["D:111:usrt", "U:111:usmf"], rows);
    }
}
