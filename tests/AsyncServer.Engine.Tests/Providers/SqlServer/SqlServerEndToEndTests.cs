using AsyncServer.ChangeTracking;
using AsyncServer.Client;
using AsyncServer.Configuration;
using AsyncServer.Data;
using AsyncServer.Distribution;
using AsyncServer.Messaging;
using AsyncServer.Packaging;
using AsyncServer.Providers;
using AsyncServer.Providers.SqlServer;
using AsyncServer.Samples;
using AsyncServer.Tests.Support;

namespace AsyncServer.Tests.SqlServer;

/// <summary>
/// The whole download path on SQL Server: an AX-like HQ database with native change tracking, the message database
/// and a channel database all on the server named by ASYNCSERVER_TEST_SQLSERVER. Job 1010 (customers) and 1040
/// (products) of the demo configuration are distributed to data group USRT-Stores, applied to HOUSTON's channel
/// database by the reference client, changed at HQ, distributed incrementally and received again.
/// </summary>
[RequiresEnvironment(SqlServerTestServer.Variable, SqlServerTestServer.SkipReason)]
public sealed class SqlServerEndToEndTests(SqlServerFixture fixture) : IClassFixture<SqlServerFixture>, IDisposable
{
    private readonly TempFolder _folder = new("sqlserver-e2e");

    public void Dispose() => _folder.Dispose();

    /// <summary>The channel keeps fewer INVENTTABLE columns, one renamed (the demo's field map).</summary>
    internal const string ChannelInventTable = """
        DROP TABLE INVENTTABLE;
        CREATE TABLE INVENTTABLE (ITEMID NVARCHAR(20) NOT NULL, DATAAREAID NVARCHAR(4) NOT NULL, PRODUCT BIGINT NOT NULL, SEARCHALIAS NVARCHAR(20),
            ITEMTYPE INT NOT NULL, NETWEIGHT DECIMAL(32,16), CREATEDDATETIME DATETIME NOT NULL, PRIMARY KEY (ITEMID, DATAAREAID));
        """;

    private static async Task ExecAsync(ResolvedConnection db, string sql, params (string, object?)[] parameters)
    {
        await using var conn = await SqlServerConnections.OpenAsync(db, default);
        await SqlServerConnections.ExecuteAsync(conn, sql, default, null, parameters);
    }

    private static async Task<List<string>> RowsAsync(ResolvedConnection db, string sql)
    {
        await using var conn = await SqlServerConnections.OpenAsync(db, default);
        await using var cmd = SqlServerConnections.Command(conn, sql, null);
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
            rows.Add(string.Join("|", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        return rows;
    }

    private static async Task SeedAsync(ResolvedConnection hq)
    {
        for (var i = 1; i <= 6; i++)
        {
            var area = i % 2 == 0 ? "usmf" : "usrt";
            await ExecAsync(hq, "INSERT INTO ECORESPRODUCT VALUES (@r, @n, @s, 1, NEWID(), NULL, 5637144576)", ("@r", 100L + i), ("@n", $"P{i:000}"), ("@s", $"Größe {i} 寿司"));
            await ExecAsync(hq, "INSERT INTO INVENTTABLE VALUES (@id, @da, @p, @alias, 0, @w, SYSUTCDATETIME(), @r, 5637144576)",
                ("@id", $"I{i:000}"), ("@da", area), ("@p", 100L + i), ("@alias", $"alias {i}"), ("@w", 1.25m * i), ("@r", 200L + i));
            await ExecAsync(hq, "INSERT INTO DIRPARTYTABLE VALUES (@r, @n, N'en-us', @pn, 5637144576)", ("@r", 300L + i), ("@n", $"Party {i} Café"), ("@pn", $"PN{i}"));
            await ExecAsync(hq, "INSERT INTO CUSTTABLE VALUES (@a, @da, N'RETAIL', N'USD', @party, 0, @cm, @r, 5637144576)",
                ("@a", $"C{i:000}"), ("@da", area), ("@party", 300L + i), ("@cm", 1000.5m * i), ("@r", 400L + i));
        }
    }

    [Fact]
    public async Task Customers_and_products_reach_a_channel_database_in_full_then_incrementally()
    {
        var hq = await fixture.CreateDatabaseAsync("e2e_hq");
        var message = await fixture.CreateDatabaseAsync("e2e_msg");
        var channel = await fixture.CreateDatabaseAsync("e2e_houston");
        await ExecAsync(hq, SampleSchema.Ddl);
        await ExecAsync(channel, SampleSchema.Ddl);
        await ExecAsync(channel, ChannelInventTable);
        await SeedAsync(hq);

        var config = SampleConfiguration.Create();
        config.Hq = new ConnectionSettings { Provider = "sqlserver", ConnectionString = SqlServerTestConnection(hq) };
        config.MessageDatabase = new ConnectionSettings { Provider = "sqlserver", ConnectionString = SqlServerTestConnection(message) };
        config.BaseDirectory = _folder.Path;
        var context = new EngineContext(config, instanceId: "e2e:1");

        await using (var source = context.OpenChangeSource())
        {
            var state = await source.EnableChangeTrackingAsync(SampleSchema.Tables, new ChangeTrackingOptions(TimeSpan.FromDays(3)), default);
            Assert.All(state, t => Assert.True(t.Enabled, t.Table));
        }
        await using (var store = context.OpenMessageStore()) await store.InitializeAsync(default);

        var request = new DistributionRequest { Jobs = ["1010", "1040"], DataGroups = ["USRT-Stores"] };
        var first = await new DistributionRunner(context).RunAsync(request, null, default);
        Assert.All(first, s => Assert.Equal(SessionKind.Full, s.Kind));
        await ReceiveAsync(context, channel, first);

        const string customers = "SELECT ACCOUNTNUM, DATAAREAID, CUSTGROUP, PARTY, CREDITMAX FROM CUSTTABLE ORDER BY ACCOUNTNUM";
        Assert.Equal(await RowsAsync(hq, "SELECT ACCOUNTNUM, DATAAREAID, CUSTGROUP, PARTY, CREDITMAX FROM CUSTTABLE WHERE DATAAREAID = N'usrt' ORDER BY ACCOUNTNUM"),
            await RowsAsync(channel, customers));
        Assert.Equal(["I001|usrt|101|alias 1|1.2500000000000000", "I003|usrt|103|alias 3|3.7500000000000000", "I005|usrt|105|alias 5|6.2500000000000000"],
            await RowsAsync(channel, "SELECT ITEMID, DATAAREAID, PRODUCT, SEARCHALIAS, NETWEIGHT FROM INVENTTABLE ORDER BY ITEMID"));
        // ECORESPRODUCT is shared, restricted through INVENTTABLE of the data group's legal entity (EXISTS filter).
        Assert.Equal(["101", "103", "105"], await RowsAsync(channel, "SELECT RECID FROM ECORESPRODUCT ORDER BY RECID"));
        Assert.Equal(6, (await RowsAsync(channel, "SELECT RECID FROM DIRPARTYTABLE")).Count);

        // Changes at HQ: an update, a delete, a row that leaves the data group's filter, a new row.
        await ExecAsync(hq, "UPDATE CUSTTABLE SET CUSTGROUP = N'VIP' WHERE ACCOUNTNUM = N'C001'");
        await ExecAsync(hq, "DELETE FROM CUSTTABLE WHERE ACCOUNTNUM = N'C003'");
        await ExecAsync(hq, "UPDATE CUSTTABLE SET DATAAREAID = N'usmf' WHERE ACCOUNTNUM = N'C005'");
        await ExecAsync(hq, "INSERT INTO CUSTTABLE VALUES (N'C007', N'usrt', N'NEW', N'USD', 301, 0, 7, 407, 5637144576)");

        var second = await new DistributionRunner(context).RunAsync(request, null, default);
        var customerSession = Assert.Single(second, s => s.JobId == "1010");
        Assert.Equal(SessionKind.Incremental, customerSession.Kind);
        Assert.Equal(first.Single(s => s.JobId == "1010").ToVersion, customerSession.FromVersion);
        await ReceiveAsync(context, channel, second);
        Assert.Equal(["C001|usrt|VIP", "C007|usrt|NEW"], await RowsAsync(channel, "SELECT ACCOUNTNUM, DATAAREAID, CUSTGROUP FROM CUSTTABLE ORDER BY ACCOUNTNUM"));

        // Applying the same packages again (directly through the channel target) changes nothing.
        await ApplyAsync(context, channel, second);
        Assert.Equal(["C001|usrt|VIP", "C007|usrt|NEW"], await RowsAsync(channel, "SELECT ACCOUNTNUM, DATAAREAID, CUSTGROUP FROM CUSTTABLE ORDER BY ACCOUNTNUM"));
    }

    [Fact]
    public async Task A_history_gap_turns_the_next_run_into_a_full_sync()
    {
        var hq = await fixture.CreateDatabaseAsync("gap_hq");
        var message = await fixture.CreateDatabaseAsync("gap_msg");
        await ExecAsync(hq, SampleSchema.Ddl);
        await SeedAsync(hq);
        var config = SampleConfiguration.Create();
        config.Hq = new ConnectionSettings { Provider = "sqlserver", ConnectionString = SqlServerTestConnection(hq) };
        config.MessageDatabase = new ConnectionSettings { Provider = "sqlserver", ConnectionString = SqlServerTestConnection(message) };
        config.BaseDirectory = _folder.Path;
        var context = new EngineContext(config, instanceId: "gap:1");
        await using (var source = context.OpenChangeSource())
            await source.EnableChangeTrackingAsync(SampleSchema.Tables, ChangeTrackingOptions.Default, default);
        await using (var store = context.OpenMessageStore()) await store.InitializeAsync(default);
        var request = new DistributionRequest { Jobs = ["1010"], DataGroups = ["USRT-Stores"] };
        await new DistributionRunner(context).RunAsync(request, null, default);

        await ExecAsync(hq, "UPDATE CUSTTABLE SET CUSTGROUP = N'X' WHERE ACCOUNTNUM = N'C001'");
        await using (var source = context.OpenChangeSource())
            await source.CleanupChangeTrackingAsync(TimeSpan.Zero, default);
        var after = Assert.Single(await new DistributionRunner(context).RunAsync(request, null, default));
        Assert.Equal(SessionKind.Full, after.Kind);
        Assert.Contains("History gap", after.FullSyncReason);
    }

    private static string SqlServerTestConnection(ResolvedConnection db) => db.ConnectionString;

    /// <summary>The reference client (Receive-AsyncPackage) applies HOUSTON's pending sessions: every session with a package ends Applied there.</summary>
    private static async Task ReceiveAsync(EngineContext context, ResolvedConnection channel, IReadOnlyList<DownloadSessionRecord> sessions)
    {
        var received = await new PackageReceiver(context).RunAsync(
            new ReceiveRequest("HOUSTON") { ChannelConnectionString = channel.ConnectionString, ChannelProvider = "sqlserver" }, null, default);
        foreach (var session in sessions.Where(s => s.PackageFile is not null))
            Assert.Contains(received, r => r.Id == session.Id && r.ChannelDatabase == "HOUSTON" && r.Status == SessionStatus.Applied);
        await using var store = context.OpenMessageStore();
        Assert.Empty(await store.GetPendingSessionsAsync("HOUSTON", default));
    }

    private static async Task ApplyAsync(EngineContext context, ResolvedConnection channel, IReadOnlyList<DownloadSessionRecord> sessions)
    {
        await using var target = ProviderFactory.CreateChannelTarget(channel);
        foreach (var session in sessions.Where(s => s.PackageFile is not null).OrderBy(s => s.Id))
        {
            using var package = PackageReader.Open(Path.Combine(context.Configuration.DownloadFolder, session.PackageFile!));
            await package.VerifyAsync(default);
            var result = await target.ApplyAsync(package, default);
            Assert.Equal(session.Id, result.SessionId);
            Assert.Equal(session.RowCount, result.Upserted + result.Deleted);
        }
    }
}
