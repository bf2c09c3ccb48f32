using AsyncServer.Configuration;
using AsyncServer.Distribution;
using AsyncServer.Messaging;
using AsyncServer.Samples;
using AsyncServer.Tests.Support;
using Xunit.Abstractions;

namespace AsyncServer.Tests.Client;

/// <summary>
/// The end-to-end property: whatever HQ does and in whatever order distributions and receives happen, once
/// every session has been applied every store equals the filtered, field-mapped projection of HQ for its data
/// group. Random but replayable: the seed is printed and named in every failure; set ASYNCSERVER_TEST_SEED to
/// replay one. ECORESPRODUCT is filtered through its parent INVENTTABLE (EXISTS), and the rounds also move items
/// between legal entities, delete and insert them again and point them at other products, so that products enter
/// and leave each store's assortment through parent changes alone (ChangeTracking/ParentFilters).
/// </summary>
public sealed class ConvergencePropertyTests(ITestOutputHelper output)
{
    private const int Rounds = 10;

    [Fact]
    public Task After_every_round_with_all_sessions_applied_every_store_equals_its_projection_of_HQ() => RunAsync(output, postgres: null);

    /// <param name="postgres">Message and channel databases on this PostgreSQL server instead of SQLite files.</param>
    /// <param name="postgresHq">HQ too on that server, with long HQ transactions left open across distribution runs.</param>
    /// <param name="overEndpoint">Every store receives over HTTPS from two endpoint instances (EndpointReceiving), one of
    /// them SIGKILLed and restarted in the middle of a download.</param>
    internal static async Task RunAsync(ITestOutputHelper output, PostgresServer? postgres, bool postgresHq = false, bool overEndpoint = false,
        int rounds = Rounds)
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("ASYNCSERVER_TEST_SEED"), out var fixedSeed) ? fixedSeed : Random.Shared.Next(1, int.MaxValue);
        output.WriteLine($"Seed {seed} (replay with ASYNCSERVER_TEST_SEED={seed})");
        var rng = new Random(seed);
        // Small package limits so that runs split into several parts; no try limit (nothing fails here).
        await using var h = await ClientHarness.CreateAsync(products: 30, withExistsSubjob: true, configure: c =>
        {
            c.TryCount = 0;
            c.PackageLimits.MaxRows = 25;
        }, postgres: postgres, postgresHq: postgresHq);
        await using var endpoint = overEndpoint ? await EndpointReceiving.StartAsync(h) : null;
        if (endpoint is not null) h.Receiver = endpoint.ReceiveAsync;
        var jobs = h.Config.Jobs.Select(j => j.Id).ToList();
        var groups = h.Config.DataGroups.Select(g => g.Id).ToList();
        var log = new List<string>();
        PostgresSampleHq.LongTransaction? open = null;
        var longTransactions = 0;

        for (var round = 1; round <= rounds; round++)
        {
            if (round == rounds / 2)
            {
                // A store opens mid-way: it must be seeded, not flooded.
                var dallas = await h.NewChannelConnectionAsync("DALLAS");
                h.Reconfigure(c => c.FindDataGroup("USMF-Stores")!.ChannelDatabases.Add(new ChannelDatabaseSettings
                {
                    Id = "DALLAS",
                    Parameters = new(StringComparer.OrdinalIgnoreCase) { ["DataAreaId"] = "usmf" },
                    Connection = dallas,
                }));
                log.Add($"round {round}: DALLAS joins USMF-Stores");
                if (endpoint is not null) await endpoint.ChannelDatabaseAddedAsync("DALLAS");
            }
            var stores = h.ChannelDatabases.ToList();
            var steps = rng.Next(3, 9);
            for (var step = 0; step < steps; step++)
            {
                switch (rng.Next(10))
                {
                    case < 4:
                        var changeSeed = rng.Next();
                        var summary = await h.ChangeHqAsync(changeSeed, inserts: rng.Next(0, 3), updates: rng.Next(0, 10), deletes: rng.Next(0, 4), churn: rng.Next(0, 4));
                        log.Add($"round {round}: HQ change (seed {changeSeed}): {summary}");
                        var parentSeed = rng.Next();
                        log.Add($"round {round}: parent changes (seed {parentSeed}): {await h.ChangeParentsAsync(parentSeed, rng.Next(0, 5))}");
                        if (h.PostgresHq is not null && open is null && (longTransactions == 0 || rng.Next(2) == 0))
                        {
                            // A long HQ transaction: it writes now, stays open across the distribution runs that
                            // follow, and commits later in this round; a later run must deliver it exactly once.
                            open = await PostgresSampleHq.BeginLongTransactionAsync(h.PostgresHq, rng.Next(), ++longTransactions);
                            log.Add($"round {round}: {open.Description}");
                            var during = await h.DistributeAsync();
                            log.Add($"round {round}: distribute all while the long transaction is open: sessions {string.Join(",", during.Select(s => s.Id))}");
                        }
                        else if (open is not null && rng.Next(2) == 0)
                        {
                            await open.CommitAsync();
                            await open.DisposeAsync();
                            open = null;
                            log.Add($"round {round}: long transaction {longTransactions} committed");
                        }
                        break;
                    case < 7:
                        var someJobs = jobs.Where(_ => rng.Next(2) == 0).DefaultIfEmpty(jobs[rng.Next(jobs.Count)]).ToList();
                        var someGroups = rng.Next(3) == 0 ? [groups[rng.Next(groups.Count)]] : groups;
                        var made = await h.DistributeAsync(new DistributionRequest { Jobs = someJobs, DataGroups = someGroups });
                        log.Add($"round {round}: distribute {string.Join(",", someJobs)} to {string.Join(",", someGroups)}: sessions {string.Join(",", made.Select(s => s.Id))}");
                        break;
                    case < 9:
                        var db = stores[rng.Next(stores.Count)];
                        var max = rng.Next(0, 3);
                        var got = await h.ReceiveAsync(db, max);
                        log.Add($"round {round}: receive {db} (at most {max}): {string.Join(",", got.Select(s => $"{s.Id}:{s.Status}"))}");
                        break;
                    case 9 when rng.Next(2) == 0:
                        // A package file is lost: the store fails to download it, and the operator reruns the session,
                        // which packages it again from HQ.
                        var unlucky = stores[rng.Next(stores.Count)];
                        var waiting = await h.PendingAsync(unlucky);
                        if (waiting.Count == 0) break;
                        var victim = waiting[rng.Next(waiting.Count)];
                        File.Delete(h.PackagePath(victim));
                        await h.ReceiveAsync(unlucky);
                        var status = ClientHarness.Target(await h.SessionAsync(victim.Id), unlucky).Status;
                        if (status == SessionStatus.DownloadFailed)
                            await new SessionLifecycle(h.Context).RestartAsync(victim.Id, unlucky, default);
                        else if (!File.Exists(h.PackagePath(victim)))
                            await new SessionLifecycle(h.Context).RestartAsync(victim.Id, null, default).ContinueWith(_ => { }); // superseded everywhere: nothing to rerun
                        log.Add($"round {round}: package of session {victim.Id} lost at {unlucky} ({status}); rerun");
                        break;
                    default:
                        var target = stores[rng.Next(stores.Count)];
                        var full = await h.DistributeAsync(new DistributionRequest { Jobs = jobs, FullSync = true, DeleteExistingData = rng.Next(2) == 0, ChannelDatabases = [target] });
                        log.Add($"round {round}: full sync for {target}: sessions {string.Join(",", full.Select(s => s.Id))}");
                        break;
                }
            }

            if (open is not null)
            {
                // One more run with the transaction still open, then it commits before the drain.
                var before = await h.DistributeAsync();
                await open.CommitAsync();
                await open.DisposeAsync();
                open = null;
                log.Add($"round {round}: distribute all (sessions {string.Join(",", before.Select(s => s.Id))}), then long transaction {longTransactions} committed");
            }

            // Drain: distribute what is left and let every store receive everything, in random order.
            await h.DistributeAsync();
            if (endpoint is not null && round == 2)
            {
                // A package of several TLS records (no row limit), so that instance A can be killed after its first bytes.
                var big = stores[rng.Next(stores.Count)];
                h.Reconfigure(c => c.PackageLimits.MaxRows = 1_000_000);
                var made = await h.DistributeAsync(new DistributionRequest { Jobs = jobs, FullSync = true, ChannelDatabases = [big] });
                h.Reconfigure(c => c.PackageLimits.MaxRows = 25);
                log.Add($"round {round}: full sync for {big} in one package per job: sessions {string.Join(",", made.Select(s => $"{s.Id}:{s.PackageSize}"))}");
                endpoint.KillDuringNextDownload();
            }
            foreach (var db in stores.OrderBy(_ => rng.Next())) await h.ReceiveAsync(db);

            foreach (var db in stores)
            {
                var pending = await h.PendingAsync(db);
                Assert.True(pending.Count == 0, $"Seed {seed}, round {round}: {db} still has pending sessions {string.Join(",", pending.Select(p => p.Id))}.{Environment.NewLine}{string.Join(Environment.NewLine, log)}");
                var differences = await h.DifferencesAsync(db);
                if (differences.Count > 0 && Environment.GetEnvironmentVariable("ASYNCSERVER_TEST_KEEP") is { Length: > 0 } keep)
                    CopyFolder(h.Folder, keep);
                Assert.True(differences.Count == 0, $"Seed {seed}, round {round}: {string.Join("; ", differences)}{Environment.NewLine}{string.Join(Environment.NewLine, log)}");
            }
            foreach (var line in log.Where(l => l.StartsWith($"round {round}:", StringComparison.Ordinal))) output.WriteLine(line);
            output.WriteLine($"round {round}: {stores.Count} stores equal their projection of HQ");
        }
        if (endpoint is not null)
        {
            // The restarted instance serves again: after it is up, every store polls once more through the balancer.
            await endpoint.RestartedAsync();
            foreach (var db in h.ChannelDatabases) Assert.Empty(await h.ReceiveAsync(db));
            foreach (var e in endpoint.Events) output.WriteLine(e);
            Assert.True(endpoint.ServedAfterRestart > 0, $"Seed {seed}: the restarted endpoint instance served nothing.");
            Assert.True(endpoint.Kills > 0, $"Seed {seed}: no endpoint instance was killed mid-download; the test did not exercise it.");
            Assert.True(endpoint.Resumes > 0, $"Seed {seed}: no download resumed with a range after the kill.");
        }
        if (postgresHq)
            Assert.True(longTransactions > 0, $"Seed {seed}: no long HQ transaction was opened; the test did not exercise them.");
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }
}

/// <summary>
/// The same property with every store receiving over HTTPS (two endpoint instances on the message database behind a
/// load balancer, one SIGKILLed and restarted mid-download), on SQLite and PostgreSQL. Fewer rounds: about half a minute each.
/// </summary>
public sealed class EndpointConvergencePropertyTests(ITestOutputHelper output)
{
    [Fact]
    public Task Over_https_with_an_instance_killed_mid_download_every_store_equals_its_projection_of_HQ()
        => ConvergencePropertyTests.RunAsync(output, postgres: null, overEndpoint: true, rounds: 3);
}

[Collection(Contracts.PostgresCollection.Name)]
public sealed class PostgresEndpointConvergencePropertyTests(Contracts.PostgresFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public Task Over_https_on_postgresql_with_an_instance_killed_mid_download_every_store_equals_its_projection_of_HQ()
        => ConvergencePropertyTests.RunAsync(output, fixture.Server, overEndpoint: true, rounds: 3);
}

/// <summary>The same property with the message database and every channel database on PostgreSQL.</summary>
[Collection(Contracts.PostgresCollection.Name)]
public sealed class PostgresConvergencePropertyTests(Contracts.PostgresFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public Task After_every_round_every_postgresql_store_equals_its_projection_of_HQ() => ConvergencePropertyTests.RunAsync(output, fixture.Server);
}

/// <summary>
/// The same property with HQ, the message database and every channel database on PostgreSQL, and long HQ
/// transactions that begin and write before a distribution run and commit after one or more runs.
/// </summary>
[Collection(Contracts.PostgresCollection.Name)]
public sealed class PostgresHqConvergencePropertyTests(Contracts.PostgresFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public Task With_HQ_on_postgresql_and_long_HQ_transactions_every_store_equals_its_projection_of_HQ()
        => ConvergencePropertyTests.RunAsync(output, fixture.Server, postgresHq: true);
}
