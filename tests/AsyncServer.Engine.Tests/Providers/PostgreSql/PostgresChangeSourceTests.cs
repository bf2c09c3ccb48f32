using System.Data.Common;
using AsyncServer.ChangeTracking;
using AsyncServer.Configuration;
using AsyncServer.Data;
using AsyncServer.Distribution;
using AsyncServer.Packaging;
using AsyncServer.Providers;
using AsyncServer.Tests.Contracts;
using AsyncServer.Tests.Support;

namespace AsyncServer.Tests.PostgreSql;

/// <summary>What the PostgreSQL change source must get right beyond the shared contract.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresChangeSourceTests(PostgresFixture fixture) : IDisposable
{
    private readonly TempFolder _folder = new("pg-source");

    private async Task<(ResolvedConnection Db, IChangeSource Source, TableSchema Table)> TrackedAsync(string hint, string ddl, string table)
    {
        var db = await fixture.CreateDatabaseAsync(hint);
        await fixture.ExecuteAsync(db, ddl);
        var source = ProviderFactory.CreateChangeSource(db);
        await source.EnableChangeTrackingAsync([table], ChangeTrackingOptions.Default, default);
        return (db, source, (await source.DescribeTableAsync(table, default))!);
    }

    private static async Task<long> VersionAsync(IChangeSource source)
    {
        await using var s = await source.OpenSnapshotAsync(default);
        return s.CurrentVersion;
    }

    private static async Task<List<(bool Upsert, string Key)>> ChangesAsync(IChangeSource source, TableSchema table, long from)
    {
        await using var snapshot = await source.OpenSnapshotAsync(default);
        var query = new ExtractionQuery(table, table.Columns, table.PrimaryKey, null, new Dictionary<string, string>(), _ => throw new InvalidOperationException());
        var rows = new List<(bool, string)>();
        await using DbDataReader reader = await snapshot.ReadAsync(query, from, default);
        var keys = table.PrimaryKey.Select(k => table.Columns.ToList().IndexOf(k) + 1).ToList();
        while (await reader.ReadAsync())
            rows.Add((Convert.ToInt64(reader.GetValue(0)) != 0, string.Join("/", keys.Select(k => Convert.ToString(reader.GetValue(k))))));
        return rows.OrderBy(r => r.Item2, StringComparer.Ordinal).ToList();
    }

    [Fact]
    public async Task Truncate_is_delivered_as_deletes_and_a_key_change_as_delete_plus_upsert()
    {
        var (db, source, table) = await TrackedAsync("truncate", "CREATE TABLE t (a int, b text, v text, PRIMARY KEY (a, b))", "T");
        await fixture.ExecuteAsync(db, "INSERT INTO t VALUES (1, 'x', 'one'), (2, 'y', 'two'), (3, 'z', 'three')");
        var v1 = await VersionAsync(source);
        await fixture.ExecuteAsync(db, "UPDATE t SET a = 10 WHERE a = 1; UPDATE t SET v = 'TWO' WHERE a = 2");
        Assert.Equal([(false, "1/x"), (true, "10/x"), (true, "2/y")], await ChangesAsync(source, table, v1));
        var v2 = await VersionAsync(source);
        await fixture.ExecuteAsync(db, "TRUNCATE t");
        Assert.Equal([(false, "10/x"), (false, "2/y"), (false, "3/z")], await ChangesAsync(source, table, v2));
    }

    [Fact]
    public async Task One_statement_changing_many_rows_records_each_key_once()
    {
        var (db, source, table) = await TrackedAsync("bulk", "CREATE TABLE t (id bigint PRIMARY KEY, v int)", "t");
        await fixture.ExecuteAsync(db, "INSERT INTO t SELECT g, 0 FROM generate_series(1, 5000) g");
        var v1 = await VersionAsync(source);
        await fixture.ExecuteAsync(db, "UPDATE t SET v = v + 1; UPDATE t SET v = v + 1 WHERE id <= 100; DELETE FROM t WHERE id > 4000");
        var changes = await ChangesAsync(source, table, v1);
        Assert.Equal(5000, changes.Count);
        Assert.Equal(1000, changes.Count(c => !c.Upsert));
        Assert.Equal(5000L, await fixture.ScalarAsync(db, "SELECT count(*) FROM async_ct.ct_1"));
    }

    [Fact]
    public async Task A_schema_qualified_table_with_every_mapped_type_arrives_unchanged_in_a_postgresql_channel()
    {
        const string ddl = """
            CREATE SCHEMA sales;
            CREATE TABLE sales."Prices" (id uuid PRIMARY KEY, amount numeric(28,10), cash money, ratio real, precise double precision, qty smallint,
                n integer, big bigint, ok boolean, at timestamp, atz timestamptz, day date, t time, blob bytea, code varchar(10), fixed char(3),
                note text, doc jsonb);
            """;
        var (hq, source, _) = await TrackedAsync("types", ddl, "sales.Prices");
        await fixture.ExecuteAsync(hq, """
            INSERT INTO sales."Prices" VALUES
              ('5f0f7e0c-1111-4a4a-9b9b-000000000001', 12345678901234.0123456789, 12.34, 1.5, 2.718281828459045, -3, 42, 9007199254740993, true,
               '2024-02-29 23:59:59.999999', '2024-02-29 23:59:59.999999+05:30', '0001-01-01', '23:59:59.999999', '\x00ff10', 'ab''c"d', 'xy',
               'line1
            line2 ✓', '{"a": [1, 2]}'),
              ('5f0f7e0c-1111-4a4a-9b9b-000000000002', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
            """);
        var channel = await fixture.CreateDatabaseAsync("typeschannel");
        await fixture.ExecuteAsync(channel, ddl.Replace("CREATE SCHEMA sales;", "CREATE SCHEMA shop;").Replace("sales.", "shop."));
        var config = new AsyncServerConfiguration
        {
            Partition = "ps1",
            Hq = new ConnectionSettings { Provider = "postgresql", ConnectionString = hq.ConnectionString },
            MessageDatabase = new ConnectionSettings { Provider = "postgresql", ConnectionString = (await fixture.CreateDatabaseAsync("typesmsg")).ConnectionString },
            WorkingFolders = new WorkingFolderSettings { Download = _folder.File("download") },
            DataGroups = [new DataGroupSettings { Id = "ALL", ChannelDatabases = [new ChannelDatabaseSettings { Id = "SHOP" }] }],
            Subjobs = [new SubjobSettings { Id = "PRICES", HqTable = "sales.Prices", ChannelTable = "shop.Prices" }],
            Jobs = [new JobSettings { Id = "1020", Subjobs = ["PRICES"] }],
        };
        var context = new EngineContext(config, instanceId: "test:1");
        await using (var store = context.OpenMessageStore()) await store.InitializeAsync(default);
        var runner = new DistributionRunner(context);
        var full = await runner.RunAsync(new DistributionRequest { Jobs = ["1020"] }, null, default);
        await fixture.ExecuteAsync(hq, """UPDATE sales."Prices" SET note = 'changed', cash = 99.99 WHERE id = '5f0f7e0c-1111-4a4a-9b9b-000000000002'""");
        var delta = await runner.RunAsync(new DistributionRequest { Jobs = ["1020"] }, null, default);
        Assert.Equal(Messaging.SessionKind.Incremental, Assert.Single(delta).Kind);

        await using var target = ProviderFactory.CreateChannelTarget(ResolvedConnection.FromString(DatabaseProvider.PostgreSql, channel.ConnectionString));
        foreach (var session in full.Concat(delta))
        {
            using var package = PackageReader.Open(Path.Combine(config.DownloadFolder, session.PackageFile!));
            await package.VerifyAsync(default);
            await target.ApplyAsync(package, default);
        }
        const string all = """SELECT string_agg(p::text, E'\n' ORDER BY id) FROM {0}."Prices" p""";
        Assert.Equal(await fixture.ScalarAsync(hq, string.Format(all, "sales")), await fixture.ScalarAsync(channel, string.Format(all, "shop")));
    }

    public void Dispose() => _folder.Dispose();
}
