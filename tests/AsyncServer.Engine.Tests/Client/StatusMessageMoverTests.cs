using AsyncServer.Configuration;
using AsyncServer.Data;
using AsyncServer.Distribution;
using AsyncServer.Messaging;
using AsyncServer.Providers;
using AsyncServer.Providers.Sqlite;
using AsyncServer.Tests.Support;

namespace AsyncServer.Tests.Client;

public sealed class StatusMessageMoverTests
{
    private static async Task<long> HqScalarAsync(ClientHarness h, string sql)
    {
        await using var conn = await SqliteConnections.OpenAsync(ResolvedConnection.FromString(DatabaseProvider.Sqlite, $"Data Source={h.HqFile}"), false, default);
        return Convert.ToInt64(await SqliteConnections.ScalarAsync(conn, sql, default));
    }

    [Fact]
    public async Task Messages_land_in_HQ_exactly_once_even_when_a_move_was_interrupted()
    {
        await using var h = await ClientHarness.CreateAsync(products: 10);
        await h.DistributeAsync(new DistributionRequest { Jobs = ["1020", "1070"] });
        await h.ReceiveAsync("HOUSTON");
        await using var store = h.Context.OpenMessageStore();
        var all = await store.GetUnmovedStatusMessagesAsync(10_000, default);

        // An earlier move wrote a batch to HQ and died before marking it moved.
        await using (var archive = ProviderFactory.CreateStatusArchive(h.Context.HqConnection))
        {
            await archive.EnsureCreatedAsync(default);
            Assert.Equal(5, await archive.WriteAsync(all.Take(5).ToList(), default));
        }
        var mover = new StatusMessageMover(h.Context) { BatchSize = 7 };
        var summary = await mover.RunAsync(whatIf: false, null, default);
        Assert.Equal(all.Count, summary.MessagesMoved);
        Assert.Equal(all.Count, await HqScalarAsync(h, "SELECT COUNT(*) FROM ASYNCSTATUSMESSAGE"));
        Assert.Equal(all.Count, await HqScalarAsync(h, "SELECT COUNT(DISTINCT MESSAGEID) FROM ASYNCSTATUSMESSAGE"));
        Assert.Empty(await store.GetUnmovedStatusMessagesAsync(10, default));

        // The session status table holds the latest status of each session at each channel database.
        var applied = (await h.SessionsAsync()).SelectMany(s => s.Targets).Count(t => t.Status == SessionStatus.Applied);
        Assert.Equal(applied, await HqScalarAsync(h, "SELECT COUNT(*) FROM ASYNCSESSIONSTATUS WHERE STATUS = 'Applied'"));

        var again = await mover.RunAsync(whatIf: false, null, default);
        Assert.Equal(0, again.MessagesMoved);
        Assert.Equal(all.Count, await HqScalarAsync(h, "SELECT COUNT(*) FROM ASYNCSTATUSMESSAGE"));
    }

    [Fact]
    public async Task Retention_purges_finished_sessions_their_files_and_orphan_temporary_files_and_whatif_only_counts()
    {
        await using var h = await ClientHarness.CreateAsync(products: 10, configure: c => c.RetentionDays = 0);
        var sessions = await h.DistributeAsync(new DistributionRequest { Jobs = ["1020"] });
        foreach (var db in h.ChannelDatabases.Where(d => d != "DETROIT")) await h.ReceiveAsync(db);
        var finished = sessions.Single(s => s.DataGroup == "USRT-Stores");
        var pending = sessions.Single(s => s.DataGroup == "USMF-Stores"); // DETROIT has not applied it
        var oldTemp = Path.Combine(h.Config.DownloadFolder, ".crashed.zip.tmp");
        var youngTemp = Path.Combine(h.Config.DownloadFolder, ".writing-now.zip.tmp");
        var clientTemp = Path.Combine(h.Config.ResolvePath("client/HOUSTON"), ".copy.zip.tmp");
        foreach (var f in new[] { oldTemp, youngTemp, clientTemp }) await File.WriteAllTextAsync(f, "partial");
        File.SetLastWriteTimeUtc(oldTemp, DateTime.UtcNow.AddDays(-2));
        File.SetLastWriteTimeUtc(clientTemp, DateTime.UtcNow.AddHours(-3));

        var mover = new StatusMessageMover(h.Context);
        var preview = await mover.RunAsync(whatIf: true, null, default);
        Assert.True(preview.WhatIf);
        Assert.True(preview.MessagesMoved > 0);
        Assert.Equal(1, preview.SessionsPurged);
        Assert.Equal(1, preview.PackageFilesDeleted);
        Assert.Equal(2, preview.TempFilesDeleted);
        Assert.True(File.Exists(h.PackagePath(finished)) && File.Exists(oldTemp) && File.Exists(clientTemp));
        await using (var store = h.Context.OpenMessageStore())
            Assert.Equal(preview.MessagesMoved, (await store.GetUnmovedStatusMessagesAsync(10_000, default)).Count);
        Assert.Equal(0, await HqScalarAsync(h, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'ASYNCSTATUSMESSAGE'"));

        var first = await mover.RunAsync(whatIf: false, null, default);
        // Messages are purged only once moved; this run moves them first, so with zero retention days it purges them too.
        Assert.Equal(1, first.SessionsPurged);
        Assert.Equal(preview.MessagesMoved, first.MessagesMoved);
        Assert.True(first.StatusMessagesPurged >= first.MessagesMoved);
        Assert.False(File.Exists(h.PackagePath(finished)));
        Assert.True(File.Exists(h.PackagePath(pending)));
        Assert.False(File.Exists(oldTemp));
        Assert.False(File.Exists(clientTemp));
        Assert.True(File.Exists(youngTemp));
        Assert.Equal([pending.Id], (await h.SessionsAsync()).Select(s => s.Id));
        var second = await mover.RunAsync(whatIf: false, null, default);
        Assert.Equal((0, 0, 0), (second.MessagesMoved, second.SessionsPurged, second.StatusMessagesPurged));
        // HQ keeps the history.
        Assert.True(await HqScalarAsync(h, $"SELECT COUNT(*) FROM ASYNCSTATUSMESSAGE WHERE SESSIONID = {finished.Id}") > 0);
    }

    [Fact]
    public async Task A_channel_database_removed_from_the_configuration_gets_a_defined_end_and_its_sessions_are_purged()
    {
        await using var h = await ClientHarness.CreateAsync(products: 10, configure: c => c.RetentionDays = 0);
        var sessions = await h.DistributeAsync(new DistributionRequest { Jobs = ["1020"] });
        foreach (var db in h.ChannelDatabases.Where(d => d != "DETROIT")) await h.ReceiveAsync(db);
        var pending = sessions.Single(s => s.DataGroup == "USMF-Stores"); // only DETROIT still has work in it
        var mover = new StatusMessageMover(h.Context);
        Assert.Equal(0, (await mover.RunAsync(whatIf: false, null, default)).ChannelDatabasesRetired);
        Assert.True(File.Exists(h.PackagePath(pending)));

        // DETROIT leaves the configuration: its targets would stay pending forever, and keep the session and its file.
        foreach (var group in h.Config.DataGroups) group.ChannelDatabases.RemoveAll(d => d.Id == "DETROIT");
        var run = await mover.RunAsync(whatIf: false, null, default);
        Assert.Equal(1, run.ChannelDatabasesRetired);
        Assert.Equal(1, run.SessionsPurged);
        Assert.False(File.Exists(h.PackagePath(pending)));
        Assert.Empty(await h.SessionsAsync());
        Assert.True(await HqScalarAsync(h, $"SELECT COUNT(*) FROM ASYNCSESSIONSTATUS WHERE SESSIONID = {pending.Id} AND CHANNELDATABASE = 'DETROIT' AND STATUS = 'Canceled' " +
            "AND MESSAGE LIKE '%removed from the configuration%'") == 1);
    }
}
