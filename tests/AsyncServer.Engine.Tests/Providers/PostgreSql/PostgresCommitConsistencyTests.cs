using System.Data.Common;
using AsyncServer.ChangeTracking;
using AsyncServer.Distribution;
using AsyncServer.Packaging;
using AsyncServer.Providers;
using AsyncServer.Tests.Contracts;
using AsyncServer.Tests.Support;
using Npgsql;

namespace AsyncServer.Tests.PostgreSql;

/// <summary>
/// Architecture rule 2 on PostgreSQL: a transaction that began (and took its transaction id) before a run and
/// commits after it is delivered by the next run, exactly once, even though a later transaction committed first.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresCommitConsistencyTests(PostgresFixture fixture) : IDisposable
{
    private readonly TempFolder _folder = new("pg-consistency");

    private static async Task<List<(bool Upsert, long Id)>> ChangesAsync(IChangeSnapshot snapshot, Data.TableSchema items, long from)
    {
        var query = new ExtractionQuery(items, items.Columns, items.PrimaryKey, null, new Dictionary<string, string>(), _ => throw new InvalidOperationException());
        var rows = new List<(bool, long)>();
        await using DbDataReader reader = await snapshot.ReadAsync(query, from, default);
        while (await reader.ReadAsync()) rows.Add((Convert.ToInt64(reader.GetValue(0)) != 0, Convert.ToInt64(reader.GetValue(1))));
        return rows.OrderBy(r => r.Item2).ToList();
    }

    [Fact]
    public async Task A_change_committed_after_a_run_by_a_transaction_that_began_before_it_is_read_by_the_next_run_once()
    {
        var db = await fixture.CreateDatabaseAsync("commitorder");
        await fixture.ExecuteAsync(db, "CREATE TABLE ITEMS (ID BIGINT PRIMARY KEY, DATAAREAID VARCHAR(4) NOT NULL, NAME TEXT)");
        await using var source = ProviderFactory.CreateChangeSource(db);
        await source.EnableChangeTrackingAsync(["ITEMS"], ChangeTrackingOptions.Default, default);
        var items = (await source.DescribeTableAsync("ITEMS", default))!;
        long v0;
        await using (var s0 = await source.OpenSnapshotAsync(default)) v0 = s0.CurrentVersion;

        // T1 begins and writes first (lower transaction id), T2 writes and commits while T1 is still open.
        await using var t1 = new NpgsqlConnection(db.ConnectionString);
        await t1.OpenAsync();
        await using var tx1 = await t1.BeginTransactionAsync();
        await using (var cmd = new NpgsqlCommand("INSERT INTO ITEMS VALUES (1, 'usrt', 'early')", t1, tx1)) await cmd.ExecuteNonQueryAsync();
        await fixture.ExecuteAsync(db, "INSERT INTO ITEMS VALUES (2, 'usrt', 'late')");

        long v1;
        await using (var run1 = await source.OpenSnapshotAsync(default))
        {
            v1 = run1.CurrentVersion;
            Assert.Equal([(true, 2L)], await ChangesAsync(run1, items, v0));
        }
        await tx1.CommitAsync();

        long v2;
        await using (var run2 = await source.OpenSnapshotAsync(default))
        {
            v2 = run2.CurrentVersion;
            Assert.True(v2 > v1);
            Assert.Equal([(true, 1L)], await ChangesAsync(run2, items, v1));
            // Together, the two runs cover (v0, v2] exactly: each change once.
            Assert.Equal([(true, 1L), (true, 2L)], await ChangesAsync(run2, items, v0));
        }
        await using (var run3 = await source.OpenSnapshotAsync(default))
            Assert.Empty(await ChangesAsync(run3, items, v2));
    }

    [Fact]
    public async Task Runs_interleaved_with_concurrent_writers_deliver_every_change_once_and_converge()
    {
        var db = await fixture.CreateDatabaseAsync("interleaved");
        await fixture.ExecuteAsync(db, "CREATE TABLE ITEMS (ID BIGINT PRIMARY KEY, DATAAREAID VARCHAR(4) NOT NULL, V BIGINT NOT NULL)");
        await using var source = ProviderFactory.CreateChangeSource(db);
        await source.EnableChangeTrackingAsync(["ITEMS"], ChangeTrackingOptions.Default, default);
        var items = (await source.DescribeTableAsync("ITEMS", default))!;
        var query = new ExtractionQuery(items, items.Columns, items.PrimaryKey, null, new Dictionary<string, string>(), _ => throw new InvalidOperationException());
        long version;
        await using (var s = await source.OpenSnapshotAsync(default)) version = s.CurrentVersion;

        // Writers: transactions of one to three keys, each write a value never used before, commits held
        // open for a random moment so transaction ids and commit order disagree all the time.
        long nextValue = 0;
        async Task WriterAsync(int seed)
        {
            var rng = new Random(seed);
            await using var conn = new NpgsqlConnection(db.ConnectionString);
            await conn.OpenAsync();
            for (var t = 0; t < 25; t++)
            {
                await using var tx = await conn.BeginTransactionAsync();
                // Keys in ascending order within a transaction: writers never deadlock on each other.
                foreach (var id in Enumerable.Range(0, rng.Next(1, 4)).Select(_ => rng.Next(1, 21)).Distinct().Order().ToList())
                {
                    var sql = rng.Next(6) == 0
                        ? $"DELETE FROM ITEMS WHERE ID = {id}"
                        : $"INSERT INTO ITEMS VALUES ({id}, 'usrt', {Interlocked.Increment(ref nextValue)}) ON CONFLICT (ID) DO UPDATE SET V = EXCLUDED.V";
                    await using var cmd = new NpgsqlCommand(sql, conn, tx);
                    await cmd.ExecuteNonQueryAsync();
                }
                await Task.Delay(rng.Next(0, 15));
                await tx.CommitAsync();
            }
        }

        var replayed = new Dictionary<long, long>();
        var delivered = new Dictionary<long, long>();
        async Task RunAsync()
        {
            await using var snapshot = await source.OpenSnapshotAsync(default);
            await using (var reader = await snapshot.ReadAsync(query, version, default))
            {
                while (await reader.ReadAsync())
                {
                    var id = reader.GetInt64(1);
                    if (Convert.ToInt64(reader.GetValue(0)) == 0) { replayed.Remove(id); continue; }
                    var v = reader.GetInt64(3);
                    Assert.False(delivered.TryGetValue(id, out var last) && last == v, $"key {id} value {v} was delivered twice");
                    delivered[id] = v;
                    replayed[id] = v;
                }
            }
            version = snapshot.CurrentVersion;
        }

        var writers = Enumerable.Range(1, 4).Select(seed => Task.Run(() => WriterAsync(seed))).ToList();
        while (!writers.All(w => w.IsCompleted)) await RunAsync();
        await Task.WhenAll(writers);
        await RunAsync();

        await using var conn = new NpgsqlConnection(db.ConnectionString);
        await conn.OpenAsync();
        var hq = new Dictionary<long, long>();
        await using (var cmd = new NpgsqlCommand("SELECT ID, V FROM ITEMS", conn))
        await using (var reader = await cmd.ExecuteReaderAsync())
            while (await reader.ReadAsync()) hq[reader.GetInt64(0)] = reader.GetInt64(1);
        Assert.Equal(hq.OrderBy(p => p.Key), replayed.OrderBy(p => p.Key));
    }

    [Fact]
    public async Task Cleanup_keeps_changes_of_open_transactions_and_raises_the_minimum_valid_version_only_as_far_as_it_removed()
    {
        var db = await fixture.CreateDatabaseAsync("cleanuporder");
        await fixture.ExecuteAsync(db, "CREATE TABLE ITEMS (ID BIGINT PRIMARY KEY, DATAAREAID VARCHAR(4) NOT NULL, NAME TEXT)");
        await using var source = ProviderFactory.CreateChangeSource(db);
        await source.EnableChangeTrackingAsync(["ITEMS"], ChangeTrackingOptions.Default, default);
        var items = (await source.DescribeTableAsync("ITEMS", default))!;
        long v0, v1;
        await using (var s = await source.OpenSnapshotAsync(default)) v0 = s.CurrentVersion;
        await fixture.ExecuteAsync(db, "INSERT INTO ITEMS VALUES (1, 'usrt', 'old')");
        await using (var s = await source.OpenSnapshotAsync(default)) v1 = s.CurrentVersion;

        await using var t1 = new NpgsqlConnection(db.ConnectionString);
        await t1.OpenAsync();
        await using var tx1 = await t1.BeginTransactionAsync();
        await using (var cmd = new NpgsqlCommand("INSERT INTO ITEMS VALUES (2, 'usrt', 'open')", t1, tx1)) await cmd.ExecuteNonQueryAsync();

        // Everything is "expired", but only the committed change may go; T1's is still open.
        await source.CleanupChangeTrackingAsync(TimeSpan.FromSeconds(-5), default);
        await tx1.CommitAsync();

        await using var after = await source.OpenSnapshotAsync(default);
        var min = await after.GetMinValidVersionAsync(items, default);
        Assert.True(min > v0, "a reader at the enable tick can no longer compute its delta and must get a full sync");
        Assert.True(min <= v1, "a reader that already has the removed change keeps its incremental delta");
        Assert.Equal([(true, 2L)], await ChangesAsync(after, items, v1));
    }

    [Fact]
    public async Task Distribution_runs_on_postgresql_deliver_an_in_flight_transaction_in_the_next_package_and_channels_converge()
    {
        var setup = await PostgresDistributionSetup.CreateAsync(fixture, "runner", _folder.Path);
        await fixture.ExecuteAsync(setup.Hq, "INSERT INTO ITEMS VALUES (1, 'usrt', 'a', 1), (2, 'usmf', 'b', 2), (3, 'usrt', 'c', 3)");
        var runner = new DistributionRunner(new EngineContext(setup.Configuration, instanceId: "test:1"));
        var request = new DistributionRequest { Schedules = ["Products"] };
        Assert.Equal(2, (await runner.RunAsync(request, null, default)).Count); // first run: a full package per data group

        await using var t1 = new NpgsqlConnection(setup.Hq.ConnectionString);
        await t1.OpenAsync();
        await using var tx1 = await t1.BeginTransactionAsync();
        await using (var cmd = new NpgsqlCommand("UPDATE ITEMS SET NAME = 'A' WHERE ID = 1; INSERT INTO ITEMS VALUES (4, 'usrt', 'd', 4)", t1, tx1)) await cmd.ExecuteNonQueryAsync();
        await fixture.ExecuteAsync(setup.Hq, "DELETE FROM ITEMS WHERE ID = 3");

        var second = await runner.RunAsync(request, null, default);
        await tx1.CommitAsync();
        var third = await runner.RunAsync(request, null, default);
        var fourth = await runner.RunAsync(request, null, default);

        var usrt = await setup.RecordedSessionsAsync("USRT");
        Assert.Equal(4, usrt.Count);
        Assert.Equal([null, usrt[0].ToVersion, usrt[1].ToVersion, usrt[2].ToVersion], usrt.Select(s => s.FromVersion));
        Assert.Equal([(false, 3L)], await PackageRowsAsync(usrt[1]));
        Assert.Equal([(true, 1L), (true, 4L)], await PackageRowsAsync(usrt[2]));
        Assert.Equal(Messaging.SessionStatus.NoData, usrt[3].Status);

        // Apply every package in session order to its channel database: each ends up equal to its slice of HQ.
        foreach (var (group, channel, area) in new[] { ("USRT", "HOUSTON", "usrt"), ("USMF", "CHICAGO", "usmf") })
        {
            await using var target = ProviderFactory.CreateChannelTarget(setup.Channels[channel]);
            foreach (var s in await setup.RecordedSessionsAsync(group))
            {
                if (s.PackageFile is null) continue;
                using var package = PackageReader.Open(Path.Combine(setup.Configuration.DownloadFolder, s.PackageFile));
                await package.VerifyAsync(default);
                await target.ApplyAsync(package, default);
            }
            const string rows = "SELECT coalesce(string_agg(ID || ':' || NAME || ':' || AMOUNT, ',' ORDER BY ID), '') FROM ITEMS";
            Assert.Equal(await fixture.ScalarAsync(setup.Hq, rows.Replace("FROM ITEMS", $"FROM ITEMS WHERE DATAAREAID = '{area}'")),
                await fixture.ScalarAsync(setup.Channels[channel], rows));
        }
    }

    private async Task<List<(bool Upsert, long Id)>> PackageRowsAsync(Messaging.DownloadSessionRecord session)
    {
        using var package = PackageReader.Open(Path.Combine(_folder.Path, "download", session.PackageFile!));
        var rows = new List<(bool, long)>();
        foreach (var table in package.Manifest.Tables)
            await foreach (var row in package.ReadRowsAsync(table))
                rows.Add((row.Upsert, Convert.ToInt64(row.Values[table.Columns.FindIndex(c => c.Name.Equals("ID", StringComparison.OrdinalIgnoreCase))])));
        return rows.OrderBy(r => r.Item2).ToList();
    }

    public void Dispose() => _folder.Dispose();
}
