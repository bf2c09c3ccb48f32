using AsyncServer.ChangeTracking;
using AsyncServer.Data;
using AsyncServer.Diagnostics;
using AsyncServer.Filtering;
using AsyncServer.Providers.SqlServer;
using AsyncServer.Tests.Support;

namespace AsyncServer.Tests.SqlServer;

/// <summary>What only SQL Server's change source has: the snapshot isolation requirement, the database retention, and awkward names on a real catalog.</summary>
[RequiresEnvironment(SqlServerTestServer.Variable, SqlServerTestServer.SkipReason)]
public sealed class SqlServerChangeSourceTests(SqlServerFixture fixture) : IClassFixture<SqlServerFixture>
{
    private static async Task<object?> ScalarAsync(ResolvedConnection db, string sql)
    {
        await using var conn = await SqlServerConnections.OpenAsync(db, default);
        return await SqlServerConnections.ScalarAsync(conn, sql, default);
    }

    [Fact]
    public async Task Without_snapshot_isolation_the_error_names_the_statement_that_enables_it()
    {
        var db = await fixture.CreateDatabaseAsync("nosnapshot");
        var name = (string)(await ScalarAsync(db, "SELECT DB_NAME()"))!;
        await fixture.ExecuteAsync(db, $"ALTER DATABASE {SqlDialect.SqlServer.Quote(name)} SET ALLOW_SNAPSHOT_ISOLATION OFF");
        await fixture.ExecuteAsync(db, fixture.CreateItemsTableSql);
        var source = new SqlServerChangeSource(db);
        await source.EnableChangeTrackingAsync(["ITEMS"], ChangeTrackingOptions.Default, default);
        var ex = await Assert.ThrowsAsync<AsyncServerException>(() => source.OpenSnapshotAsync(default));
        Assert.Equal(ErrorIds.SnapshotIsolationNotEnabled, ex.ErrorId);
        Assert.Contains($"ALTER DATABASE {SqlDialect.SqlServer.Quote(name)} SET ALLOW_SNAPSHOT_ISOLATION ON", ex.Message);
    }

    [Fact]
    public async Task Enabling_sets_the_database_retention_and_enabling_again_changes_it()
    {
        var db = await fixture.CreateDatabaseAsync("retention");
        await fixture.ExecuteAsync(db, fixture.CreateItemsTableSql);
        var source = new SqlServerChangeSource(db);
        const string retention = "SELECT CONCAT([retention_period], ' ', [retention_period_units_desc]) FROM [sys].[change_tracking_databases] WHERE [database_id] = DB_ID()";
        await source.EnableChangeTrackingAsync(["ITEMS"], new ChangeTrackingOptions(TimeSpan.FromDays(3)), default);
        Assert.Equal("3 DAYS", await ScalarAsync(db, retention));
        await source.EnableChangeTrackingAsync(["ITEMS"], new ChangeTrackingOptions(TimeSpan.FromHours(36)), default);
        Assert.Equal("36 HOURS", await ScalarAsync(db, retention));
    }

    [Fact]
    public async Task Awkward_names_work_on_a_real_catalog()
    {
        var db = await fixture.CreateDatabaseAsync("awkward");
        await fixture.ExecuteAsync(db, "CREATE SCHEMA [my schema]]]");
        await fixture.ExecuteAsync(db, "CREATE TABLE [my schema]]].[Odd ]]Table ä 名前] ([Key ]]Col] BIGINT NOT NULL PRIMARY KEY, [Wert ä ü] NVARCHAR(4) NOT NULL, [名前] NVARCHAR(60) NULL, [x]]]]y] REAL NULL)");
        var source = new SqlServerChangeSource(db);
        const string table = "my schema].Odd ]Table ä 名前";
        var state = await source.EnableChangeTrackingAsync([table], ChangeTrackingOptions.Default, default);
        Assert.True(Assert.Single(state).Enabled);
        var schema = (await source.DescribeTableAsync(table, default))!;
        Assert.Equal(["Key ]Col"], schema.PrimaryKey.Select(c => c.Name));
        long start;
        await using (var s = await source.OpenSnapshotAsync(default)) start = s.CurrentVersion;
        await fixture.ExecuteAsync(db, "INSERT INTO [my schema]]].[Odd ]]Table ä 名前] VALUES (1, N'usrt', N'寿司', 1.5), (2, N'usmf', N'Café', NULL)");
        var query = new ExtractionQuery(schema, schema.Columns, schema.PrimaryKey, FilterParser.Parse("\"Wert ä ü\" = @DataAreaId"),
            new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["DataAreaId"] = "usrt" }, _ => throw new InvalidOperationException());
        await using var snapshot = await source.OpenSnapshotAsync(default);
        await using var reader = await snapshot.ReadAsync(query, start, default);
        var rows = new List<string>();
        while (await reader.ReadAsync())
            rows.Add(Convert.ToInt32(reader.GetValue(0)) == 0
                ? $"delete {reader.GetInt64(1)}" // a row outside the filter is a delete by key; only the key counts
                : $"upsert {reader.GetInt64(1)}:{reader.GetString(2)}:{reader.GetString(3)}:{reader.GetDouble(4).ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        Assert.Equal(["delete 2", "upsert 1:usrt:寿司:1.5"], rows.Order(StringComparer.Ordinal));
    }
}
