using AsyncServer.Configuration;
using AsyncServer.Distribution;
using AsyncServer.Messaging;
using AsyncServer.Packaging;
using AsyncServer.Providers;
using AsyncServer.Tests.Contracts;
using AsyncServer.Tests.Support;

namespace AsyncServer.Tests.PostgreSql;

/// <summary>
/// Architecture rule 5 on PostgreSQL: several server processes run the same schedule against one message
/// database while HQ keeps changing, and one of them is killed with SIGKILL in the middle of a run.
/// Afterwards every (data group, job) has one unbroken chain of version ranges (no overlap, no gap), the
/// killed instance's unrecorded session and package were swept, and every channel database equals its
/// slice of HQ after applying its packages in order: every change delivered exactly once.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresManyInstancesTests(PostgresFixture fixture) : IDisposable
{
    private readonly TempFolder _folder = new("pg-instances");
    private readonly List<InstanceProcess> _processes = [];

    [Fact]
    public async Task Concurrent_instances_and_a_killed_one_leave_contiguous_version_ranges_and_converged_channels()
    {
        var setup = await PostgresDistributionSetup.CreateAsync(fixture, "many", _folder.Path);
        await fixture.ExecuteAsync(setup.Hq, "INSERT INTO ITEMS SELECT g, CASE WHEN g % 2 = 0 THEN 'usrt' ELSE 'usmf' END, 'item ' || g, g FROM generate_series(1, 200) g");
        var configPath = Path.Combine(_folder.Path, "asyncserver.json");
        ConfigurationLoader.Save(setup.Configuration, configPath);
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(3)); // a hung process fails the test instead of hanging CI

        // The victim writes its first package, then is killed before recording it, holding its lease.
        var victim = Start(configPath, "victim", rounds: 1, pauseMs: 0, hang: true);
        var victimFiles = (await victim.PackagesWritten.WaitAsync(guard.Token)).Split(';');
        victim.Kill();

        // Three instances share the schedule while HQ changes. Their rounds are at least 300 ms apart, so the
        // last rounds start after the victim's 1 s lease has expired and one of them takes its work over.
        var workers = Enumerable.Range(1, 3).Select(i => Start(configPath, $"worker{i}", rounds: 6, pauseMs: 300)).ToList();
        var writes = 0;
        while (workers.Any(w => !w.WaitForExitAsync(CancellationToken.None).IsCompleted))
        {
            guard.Token.ThrowIfCancellationRequested();
            writes++;
            await fixture.ExecuteAsync(setup.Hq,
                $"INSERT INTO ITEMS VALUES ({1000 + writes}, '{(writes % 2 == 0 ? "usrt" : "usmf")}', 'new {writes}', {writes}); " +
                $"UPDATE ITEMS SET NAME = 'changed {writes}', AMOUNT = AMOUNT + 1 WHERE ID = {writes % 200 + 1}; " +
                $"DELETE FROM ITEMS WHERE ID = {(writes * 7) % 200 + 1}; " +
                // a row moving between data groups: a delete for one, an upsert for the other
                $"UPDATE ITEMS SET DATAAREAID = CASE DATAAREAID WHEN 'usrt' THEN 'usmf' ELSE 'usrt' END WHERE ID = {(writes * 13) % 200 + 1}");
            await Task.Delay(50, guard.Token);
        }
        foreach (var w in workers)
            Assert.True(await w.WaitForExitAsync(guard.Token) == 0, $"{w.Id} failed:\n{w.Output}");
        Assert.True(writes > 0);

        // One last run in this process delivers what the workers' last rounds did not see.
        await new DistributionRunner(new EngineContext(setup.Configuration, instanceId: "final"), new DistributionOptions { LeaseDuration = TimeSpan.FromSeconds(1) })
            .RunAsync(new DistributionRequest { Schedules = ["Products"] }, null, guard.Token);

        await using var store = ProviderFactory.CreateMessageStore(setup.Message);
        var all = await store.QuerySessionsAsync(new SessionQuery { IncludeNoData = true }, default);
        var victimSessions = all.Where(s => s.InstanceId == "victim").ToList();
        var swept = Assert.Single(victimSessions);
        Assert.Equal(SessionStatus.CreateFailed, swept.Status);
        Assert.Contains("victim", swept.Message);
        Assert.Contains("swept by worker", swept.Message); // taken over by one of the other processes, not only by the final run
        Assert.All(victimFiles, f => Assert.False(File.Exists(f), $"the killed instance's package {f} was not swept"));
        Assert.DoesNotContain(all, s => s.Status == SessionStatus.Started);

        foreach (var (group, channel, area) in new[] { ("USRT", "HOUSTON", "usrt"), ("USMF", "CHICAGO", "usmf") })
        {
            var chain = await setup.RecordedSessionsAsync(group);
            Assert.NotEmpty(chain);
            Assert.Null(chain[0].FromVersion);
            for (var i = 1; i < chain.Count; i++)
            {
                Assert.Equal(1, chain[i].Part);
                Assert.True(chain[i].FromVersion == chain[i - 1].ToVersion,
                    $"{group}: session {chain[i].Id} covers ({chain[i].FromVersion}, {chain[i].ToVersion}] but the previous one ended at {chain[i - 1].ToVersion}");
            }
            Assert.Equal(await store.GetRowVersionAsync("ps1", group, "1040", default), chain[^1].ToVersion);

            await using var target = ProviderFactory.CreateChannelTarget(setup.Channels[channel]);
            foreach (var s in chain.Where(s => s.PackageFile is not null))
            {
                using var package = PackageReader.Open(Path.Combine(setup.Configuration.DownloadFolder, s.PackageFile!));
                await package.VerifyAsync(default);
                await target.ApplyAsync(package, default);
            }
            const string rows = "SELECT coalesce(string_agg(ID || ':' || NAME || ':' || AMOUNT, ',' ORDER BY ID), '') FROM ITEMS";
            Assert.Equal(await fixture.ScalarAsync(setup.Hq, rows + $" WHERE DATAAREAID = '{area}'"), await fixture.ScalarAsync(setup.Channels[channel], rows));
        }
    }

    private InstanceProcess Start(string configPath, string id, int rounds, int pauseMs, bool hang = false)
    {
        var p = new InstanceProcess(configPath, id, "Products", rounds, pauseMs, leaseMs: 1000, hang);
        _processes.Add(p);
        return p;
    }

    public void Dispose()
    {
        foreach (var p in _processes) p.Dispose();
        _folder.Dispose();
    }
}
