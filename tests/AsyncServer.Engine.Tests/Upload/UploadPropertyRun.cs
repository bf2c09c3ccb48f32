using System.Data.Common;
using System.Globalization;
using AsyncServer.Configuration;
using AsyncServer.Data;
using AsyncServer.Diagnostics;
using AsyncServer.Messaging;
using AsyncServer.Samples;
using AsyncServer.Tests.Support;
using AsyncServer.Upload;
using Xunit.Abstractions;

namespace AsyncServer.Tests.Upload;

/// <summary>
/// One seeded run of the upload property (issue 15) on a <see cref="ClientHarness"/> of any providers. Four stores sell
/// concurrently (their points of sale run all along) for twelve rounds; in each round random stores send, HQ applies with a
/// random Uploaded package held back (the later ones arrive first), and an Applied session may be delivered again (a lost
/// acknowledgement). At two seeded rounds a send runs in a child process (tests/AsyncServer.TestInstance) and is killed with
/// SIGKILL at a seeded checkpoint (UploadCheckpoints), at two others an apply; the next run recovers after the killed one's
/// lease expires (the sweep makes its Started session UploadFailed, its rows are sent again). One store is backed up at a
/// seeded round and restored from that backup later: every send from it is then a counter regression, and HQ keeps exactly
/// what it had. The seed is in the output, so a failure can be replayed.
/// </summary>
/// <param name="restore">The store to restore from a backup (null: one the seed picks).</param>
internal sealed class UploadPropertyRun(ClientHarness h, int seed, ITestOutputHelper output, string? restore = null)
{
    private static readonly string[] Stores = ["HOUSTON", "SEATTLE", "CHICAGO", "DETROIT"];
    private const int Rounds = 12;
    private readonly Random _random = new(seed);
    private readonly Dictionary<string, (CancellationTokenSource Stop, Task Loop)> _sellers = [];
    private readonly List<string> _kills = [];
    private int _children;
    private string? _restored;
    private int _regressions;

    private enum Sent { Package, Nothing, Busy, Regression }

    private sealed record Sale(string Id, long Lines, long Payments, decimal Total);

    /// <summary>A killed run's lease expires after a second, so the next run takes its work over quickly.</summary>
    public static void Configure(AsyncServerConfiguration c) => c.LeaseSeconds = 1;

    /// <summary>
    /// On the thread pool, not on xunit's synchronization context: SQLite's calls are synchronous (a seller waiting for a
    /// store's write lock blocks its thread), and xunit's context has as many threads as cores, so sellers on it could
    /// starve the continuation of the send that holds the lock. A run that hangs anyway fails with what it did so far.
    /// </summary>
    public Task RunAsync() => Task.Run(RunRoundsAsync).WaitAsync(TimeSpan.FromMinutes(2));

    private async Task RunRoundsAsync()
    {
        output.WriteLine($"seed {seed}");
        var picked = Stores[_random.Next(Stores.Length)];
        var reset = restore ?? picked;
        var (backupRound, restoreRound) = (_random.Next(1, 4), _random.Next(6, 9));
        var sendKills = Enumerable.Range(0, 2).Select(_ => (Round: _random.Next(Rounds), Store: Stores[_random.Next(Stores.Length)],
            At: UploadCheckpoints.Send[_random.Next(UploadCheckpoints.Send.Length)])).ToList();
        var applyKills = Enumerable.Range(0, 2).Select(_ => (Round: _random.Next(Rounds), At: UploadCheckpoints.Apply[_random.Next(UploadCheckpoints.Apply.Length)]))
            .ToList();
        output.WriteLine($"restore {reset}: backup in round {backupRound}, restored in round {restoreRound}");
        foreach (var store in Stores)
        {
            await SampleSales.CreateTablesAsync(Store(store), channel: true, default);
            await SellAsync(store, 1, seed);
        }
        foreach (var (store, i) in Stores.Select((s, i) => (s, i))) StartSeller(store, seed * 10 + i);
        output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} selling");
        Dictionary<string, long>? backup = null;
        List<Sale>? hqBeforeRestore = null;
        try
        {
            for (var round = 0; round < Rounds; round++)
            {
                output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} round {round}");
                if (round == backupRound) backup = await CountersAsync(reset);
                if (round == restoreRound) hqBeforeRestore = await RestoreFromBackupAsync(reset, backup!);
                foreach (var store in Stores.Where(_ => _random.Next(3) > 0)) await TrySendAsync(store);
                foreach (var k in sendKills.Where(k => k.Round == round)) await KillAsync("send", k.Store, k.At);
                foreach (var k in applyKills.Where(k => k.Round == round)) await KillAsync("apply", null, k.At);
                var away = await HoldBackAsync();
                await ApplyAsync();
                foreach (var (from, to) in away) File.Move(from, to);
                if (_random.Next(4) == 0) await LoseAnAcknowledgementAsync();
            }
        }
        finally
        {
            foreach (var s in _sellers.Values) await s.Stop.CancelAsync();
            await Task.WhenAll(_sellers.Values.Select(s => s.Loop));
        }
        output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} settling");
        await SettleAsync(Stores);
        await CheckAsync(reset, hqBeforeRestore!);
    }

    private async Task CheckAsync(string restored, List<Sale> hqBeforeRestore)
    {
        foreach (var store in Stores.Where(s => s != restored))
            Assert.Equal((await StoreSalesAsync(store)).OrderBy(t => t.Id), (await HqSalesAsync(store)).OrderBy(t => t.Id));
        // The restored store: a clear error on every send, and HQ holds exactly what it held before the restore.
        Assert.True(_regressions > 0, "the restored store was never refused");
        Assert.Equal(hqBeforeRestore.OrderBy(t => t.Id), (await HqSalesAsync(restored)).OrderBy(t => t.Id));
        var last = (await UploadsAsync()).Last(s => s.ChannelDatabase == restored);
        Assert.Equal(UploadStatus.UploadFailed, last.Status);
        Assert.Contains("restored from a backup", last.Message, StringComparison.Ordinal);
        // No line or payment at HQ without its header.
        Assert.Equal(0L, await ScalarAsync(h.Context.HqConnection, Orphans(SampleSales.Lines) + " + " + Orphans(SampleSales.Payments)));
        Assert.All(await UploadsAsync(), s => Assert.True(s.Status is UploadStatus.Applied || (s.Status is UploadStatus.UploadFailed &&
            (s.Message!.Contains("stopped before delivering", StringComparison.Ordinal) || s.ChannelDatabase == restored)),
            $"session {s.Id} of {s.ChannelDatabase} by {s.InstanceId}: {s.Status} {s.Message}"));
        output.WriteLine($"{_kills.Count} kill(s), {_regressions} refused send(s) of {restored}");
        Assert.True(_kills.Count(k => k.Contains(" send ", StringComparison.Ordinal)) > 0, "no send was killed: the test did not exercise it");
        Assert.True(_kills.Count(k => k.Contains(" apply ", StringComparison.Ordinal)) > 0, "no apply was killed: the test did not exercise it");
    }

    private static string Orphans(string table) => $"(SELECT COUNT(*) FROM \"{table}\" x WHERE NOT EXISTS " +
        $"(SELECT 1 FROM \"{SampleSales.Header}\" h WHERE h.\"TRANSACTIONID\" = x.\"TRANSACTIONID\"))";

    /// <summary>
    /// The store's point of sale stops and everything it sold reaches HQ; then the store is restored from the backup (the rows
    /// above the backup's counters are gone and each counter starts again from there) and sells once more.
    /// </summary>
    private async Task<List<Sale>> RestoreFromBackupAsync(string store, Dictionary<string, long> backup)
    {
        var (stop, loop) = _sellers[store];
        await stop.CancelAsync();
        await loop;
        _sellers.Remove(store);
        await SellAsync(store, 6, seed + 77); // so that the sale after the restore stays below every counter HQ holds
        await SettleAsync([store]);
        var atHq = await HqSalesAsync(store);
        Assert.Equal((await StoreSalesAsync(store)).OrderBy(t => t.Id), atHq.OrderBy(t => t.Id));
        var connection = Store(store);
        await ExecuteAsync(connection, string.Concat(backup.Select(b => $"DELETE FROM \"{b.Key}\" WHERE \"{SampleSales.Counter}\" > {b.Value}; " +
            (connection.Provider == DatabaseProvider.Sqlite
                ? $"UPDATE sqlite_sequence SET seq = {b.Value} WHERE name = '{b.Key}'; "
                : $"ALTER TABLE \"{b.Key}\" ALTER COLUMN \"{SampleSales.Counter}\" RESTART WITH {b.Value + 1}; "))));
        await SellAsync(store, 1, seed + 78);
        _restored = store;
        output.WriteLine($"{store} restored from its backup ({string.Join(", ", backup.Select(b => $"{b.Key} {b.Value}"))}); HQ holds {atHq.Count} sale(s)");
        return atHq;
    }

    /// <summary>Sends and applies until every store's rows are at HQ: nothing left to send, no session on its way.</summary>
    private async Task SettleAsync(IReadOnlyCollection<string> stores)
    {
        for (var attempt = 0; ; attempt++)
        {
            var quiet = true;
            foreach (var store in stores) quiet &= await TrySendAsync(store) is Sent.Nothing or Sent.Regression;
            await ApplyAsync();
            var open = (await UploadsAsync()).Where(s => stores.Contains(s.ChannelDatabase)
                && s.Status is not (UploadStatus.Applied or UploadStatus.UploadFailed or UploadStatus.Canceled)).ToList();
            if (quiet && open.Count == 0) return;
            Assert.True(attempt < 100, $"seed {seed}: not settled: {string.Join("; ", open.Select(s => $"{s.Id} {s.ChannelDatabase} {s.Status} {s.Message}"))}");
            await Task.Delay(100); // a killed run's lease runs out
        }
    }

    private async Task<Sent> TrySendAsync(string store)
    {
        try
        {
            var sent = await new UploadSender(h.Context, FolderUploadTransport.Of(h.Config)).SendAsync(store, null, default);
            return sent.Any(s => s.SessionId is not null) ? Sent.Package : Sent.Nothing;
        }
        catch (AsyncServerException ex) when (ex.ErrorId is ErrorIds.ConcurrentRun or ErrorIds.WorkClaimedElsewhere)
        {
            return Sent.Busy; // a killed send's lease until it expires, or ours lost (1-second leases on a loaded machine): sent again
        }
        catch (AsyncServerException ex) when (ex.ErrorId == ErrorIds.CounterRegression && store == _restored)
        {
            Assert.Contains("restored from a backup", ex.Message, StringComparison.Ordinal);
            _regressions++;
            return Sent.Regression;
        }
    }

    private async Task<IReadOnlyList<UploadApplyResult>> ApplyAsync()
    {
        try
        {
            return await new UploadApplier(h.Context).ApplyAsync(null, null, plan: false, default);
        }
        catch (AsyncServerException ex) when (ex.ErrorId == ErrorIds.WorkClaimedElsewhere)
        {
            return []; // our 1-second lease lapsed on a loaded machine: the sessions stay Uploaded for the next apply
        }
    }

    /// <summary>One send or apply in a child process, killed with SIGKILL when it reaches the checkpoint.</summary>
    private async Task KillAsync(string step, string? store, string checkpoint)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(2)); // a hung child fails the test instead of hanging CI
        using var child = InstanceProcess.Upload(h.Config.SourcePath!, $"child{++_children}", step, store, checkpoint);
        try
        {
            await child.PackagesWritten.WaitAsync(guard.Token);
        }
        catch (InvalidOperationException)
        {
            // It ended without reaching the checkpoint: nothing to send or apply, its lease held, or the store restored.
            Assert.True(await child.WaitForExitAsync(guard.Token) == 0, $"{child.Id} failed:\n{child.Output}");
            output.WriteLine($"{child.Id}: {step} {store} ended before {checkpoint}: {child.Output.Split('\n')[^2]}");
            return;
        }
        child.Kill();
        _kills.Add($"{child.Id} {step} {store} at {checkpoint}");
        output.WriteLine("killed " + _kills[^1]);
    }

    /// <summary>Takes random Uploaded packages out of the folder for this round: the later ones arrive first.</summary>
    private async Task<List<(string, string)>> HoldBackAsync()
    {
        var moved = new List<(string, string)>();
        foreach (var s in (await UploadsAsync()).Where(s => s.Status == UploadStatus.Uploaded && _random.Next(3) == 0))
        {
            var path = Path.Combine(h.Config.UploadFolder, s.PackageFile!);
            File.Move(path, path + ".late");
            moved.Add((path + ".late", path));
        }
        return moved;
    }

    /// <summary>HQ applied a session but the store never heard: the session is delivered (and applied) again.</summary>
    private async Task LoseAnAcknowledgementAsync()
    {
        var applied = (await UploadsAsync()).Where(s => s.Status == UploadStatus.Applied).ToList();
        if (applied.Count == 0) return;
        var again = applied[_random.Next(applied.Count)];
        await using var store = h.Context.OpenMessageStore();
        await store.ChangeUploadAsync(again.Id, [UploadStatus.Applied], UploadStatus.Uploaded, "delivered again", TriesChange.Keep, default);
    }

    private void StartSeller(string store, int sellerSeed)
    {
        var stop = new CancellationTokenSource();
        _sellers[store] = (stop, Task.Run(() => SellLoopAsync(store, sellerSeed, stop.Token)));
    }

    private async Task SellLoopAsync(string store, int sellerSeed, CancellationToken ct)
    {
        for (var i = 0; !ct.IsCancellationRequested; i++)
        {
            await SellAsync(store, 1, sellerSeed + i);
            await Task.Delay(5, CancellationToken.None);
        }
    }

    private Task<IReadOnlyList<string>> SellAsync(string store, int count, int saleSeed)
        => SampleSales.SellAsync(Store(store), store, h.Config.FindChannelDatabase(store)!.Value.Database.Parameters["DataAreaId"], count, saleSeed, default);

    private ResolvedConnection Store(string store)
        => ResolvedConnection.Resolve(h.Config.FindChannelDatabase(store)!.Value.Database.Connection, "test", h.Config.BaseDirectory, null);

    private async Task<IReadOnlyList<UploadSessionRecord>> UploadsAsync()
    {
        await using var store = h.Context.OpenMessageStore();
        return (await store.QueryUploadsAsync(new UploadQuery(), default)).OrderBy(s => s.Id).ToList();
    }

    /// <summary>A backup's position: each table's highest counter, read in one statement (a consistent cut).</summary>
    private async Task<Dictionary<string, long>> CountersAsync(string store)
    {
        var sql = "SELECT " + string.Join(", ", SampleSales.Tables.Select(t => $"(SELECT COALESCE(MAX(\"{SampleSales.Counter}\"), 0) FROM \"{t}\")"));
        return (await QueryAsync(Store(store), sql, r => SampleSales.Tables.Select((t, i) => (t, r.GetInt64(i))).ToList())).Single()
            .ToDictionary(x => x.t, x => x.Item2);
    }

    private Task<List<Sale>> StoreSalesAsync(string store) => SalesAsync(Store(store), store);

    private Task<List<Sale>> HqSalesAsync(string store) => SalesAsync(h.Context.HqConnection, store);

    private static async Task<List<Sale>> SalesAsync(ResolvedConnection connection, string store)
    {
        var sql = $"SELECT h.\"TRANSACTIONID\", (SELECT COUNT(*) FROM \"{SampleSales.Lines}\" l WHERE l.\"TRANSACTIONID\" = h.\"TRANSACTIONID\"), " +
            $"(SELECT COUNT(*) FROM \"{SampleSales.Payments}\" p WHERE p.\"TRANSACTIONID\" = h.\"TRANSACTIONID\"), h.\"GROSSAMOUNT\" " +
            $"FROM \"{SampleSales.Header}\" h WHERE h.\"STORE\" = '{store}'";
        var sales = await QueryAsync(connection, sql, r => new Sale(r.GetString(0), r.GetInt64(1), r.GetInt64(2), r.GetDecimal(3)));
        // Every header has its lines and its one payment wherever it is.
        Assert.All(sales, s => Assert.True(s.Lines >= 1 && s.Payments == 1, $"{s.Id}: {s.Lines} lines, {s.Payments} payments"));
        return sales;
    }

    private static async Task<List<T>> QueryAsync<T>(ResolvedConnection connection, string sql, Func<DbDataReader, T> read)
    {
        await using var connector = EngineContext.ProviderOf(connection).OpenConnector(connection);
        await using var conn = await connector.OpenAsync(create: false, default);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        var rows = new List<T>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) rows.Add(read(r));
        return rows;
    }

    private static async Task<long> ScalarAsync(ResolvedConnection connection, string sql)
        => (await QueryAsync(connection, "SELECT " + sql, r => Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture))).Single();

    private static async Task ExecuteAsync(ResolvedConnection connection, string sql)
    {
        await using var connector = EngineContext.ProviderOf(connection).OpenConnector(connection);
        await using var conn = await connector.OpenAsync(create: false, default);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync();
    }
}
