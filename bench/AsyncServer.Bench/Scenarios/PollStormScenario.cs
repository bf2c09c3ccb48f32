using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using AsyncServer.Bench.Harness;

namespace AsyncServer.Bench.Scenarios;

/// <summary>
/// Issue 14's poll storm: 1,000 simulated stores, each with its own credential, polling GET /api/v1/sessions of the
/// endpoint (a real service process, PostgreSQL message database) in bounded loops on loopback. Each store polls on a
/// fixed period with a random phase, so together they offer 2,200 polls/s; polls/s is what the server achieved, and
/// p50/p99 the latency of each poll. Connections are kept alive (a store polling every few seconds keeps its own).
/// Warm-up: a poll per store (connections, first contacts), then two unrecorded rounds of the same schedule.
/// </summary>
internal sealed class PollStormScenario : Scenario
{
    public const int Stores = 1000;
    private const double OfferedPerSecond = 2200;

    public override string Name => "endpoint-poll-storm/postgresql";
    public override string Provider => "postgresql";
    public override string Description => $"{Stores} stores polling GET /api/v1/sessions (Basic auth, listing) over HTTPS, {OfferedPerSecond:N0} polls/s offered";
    public override string FloorDescription => "the same polls against /health/live (TLS and HTTP alone, no authentication, no database)";

    /// <summary>
    /// The thousand stores' client runs with tiered compilation off. It shares the two cores with the server it measures,
    /// and in a process seconds old its own re-compilations (every hot path of HttpClient and TLS compiled twice, the
    /// second time on a background thread) took CPU from the server: client CPU per poll 0.35-0.55 ms with it, about
    /// 0.17 ms without (docs/benchmarks.md). Stores are separate machines in a deployment; the client's cost is not the server's.
    /// </summary>
    public override IReadOnlyDictionary<string, string> ChildEnvironment { get; } = new Dictionary<string, string> { ["DOTNET_TieredCompilation"] = "0" };

    private static string Folder(BenchContext c) => c.DataFolder("endpoint-poll-storm");

    public override Task PrepareAsync(BenchContext context) => EndpointBenchSetup.CreateAsync(Folder(context), Stores, postgres: true);

    public override Task<Measurement> MeasureAsync(BenchContext context) => StormAsync(context, "/api/v1/sessions", authenticate: true);

    public override Task<Measurement> FloorAsync(BenchContext context) => StormAsync(context, "/health/live", authenticate: false);

    private static async Task<Measurement> StormAsync(BenchContext context, string path, bool authenticate)
    {
        var folder = Folder(context);
        var stores = EndpointBenchSetup.Stores(folder);
        using var server = await EndpointServer.StartAsync(folder, EndpointBenchSetup.ConfigurationPath(folder));
        using var http = server.Client(Stores);
        var polls = context.Quick ? 3 : 10;
        // Warm-up, 50 at a time (a thousand TLS handshakes at once overflow the listen backlog): connections, first contacts.
        await Parallel.ForEachAsync(stores, new ParallelOptions { MaxDegreeOfParallelism = 50 },
            async (s, _) => await PollAsync(http, path, authenticate ? s.Authorization : null));
        // Then two rounds of the same schedule, not recorded: the client's own loop is compiled before the window opens.
        await ScheduleAsync(http, stores, path, authenticate, 2, new double[stores.Count * 2]);
        var latencies = new double[stores.Count * polls];
        WindowMarks.Start(path);
        var watch = BenchWatch.StartNew();
        var errors = await ScheduleAsync(http, stores, path, authenticate, polls, latencies);
        watch.Stop();
        WindowMarks.End(path);
        Array.Sort(latencies);
        double P(double q) => latencies[(int)Math.Min(latencies.Length - 1, Math.Ceiling(q * latencies.Length) - 1)];
        var rate = latencies.Length / watch.Elapsed.TotalSeconds;
        var note = string.Create(CultureInfo.InvariantCulture,
            $"{stores.Count:N0} stores x {polls} polls: {rate:N0} polls/s, p50 {P(0.50) * 1000:N1} ms, p99 {P(0.99) * 1000:N1} ms, {errors} failed; " +
            $"server peak {server.Memory("VmHWM") / 1048576.0:N0} MB");
        return Measurement.Capture(watch, latencies.Length, 0, note, new Dictionary<string, double> { ["p50"] = P(0.50), ["p99"] = P(0.99) })
            with { ServerPeakBytes = server.Memory("VmHWM") };
    }

    /// <summary>
    /// Every store polls <paramref name="polls"/> times on a fixed period with a random phase (together the offered rate),
    /// open loop: a late poll goes at once, so a server that falls behind meets a queue. Returns the failed polls.
    /// </summary>
    private static async Task<int> ScheduleAsync(HttpClient http, IReadOnlyList<(string Store, string Authorization)> stores, string path,
        bool authenticate, int polls, double[] latencies)
    {
        var period = TimeSpan.FromSeconds(Stores / OfferedPerSecond);
        var errors = 0;
        await Task.WhenAll(stores.Select((s, i) => Task.Run(async () =>
        {
            var clock = Stopwatch.StartNew();
            var phase = period * Random.Shared.NextDouble();
            for (var k = 0; k < polls; k++)
            {
                var due = phase + period * k;
                if (due > clock.Elapsed) await Task.Delay(due - clock.Elapsed);
                var started = Stopwatch.GetTimestamp();
                if (!await PollAsync(http, path, authenticate ? s.Authorization : null)) Interlocked.Increment(ref errors);
                latencies[i * polls + k] = Stopwatch.GetElapsedTime(started).TotalSeconds;
            }
        })));
        return errors;
    }

    private static async Task<bool> PollAsync(HttpClient http, string path, string? authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (authorization is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Basic", authorization);
        try
        {
            using var response = await http.SendAsync(request);
            await response.Content.ReadAsByteArrayAsync();
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException) { return false; } // counted and reported: a refused or reset connection is a failed poll

    }
}
