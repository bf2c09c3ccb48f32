using AsyncServer.Bench.Harness;
using AsyncServer.Bench.Scenarios;

namespace AsyncServer.Bench;

/// <summary>
/// The benchmark harness of issue 7 (docs/benchmarks.md).
///   AsyncServer.Bench [--quick] [--only NAME[,NAME...]] [--results FOLDER] [--keep-postgres]
///                                                        run scenarios; each engine run and each floor in a fresh child process
///   AsyncServer.Bench --child measure|floor NAME [--quick] one step (used by the parent)
/// Data is generated once into out/bench/data and reused; results go to bench/results/*.json. --keep-postgres keeps
/// the harness's own PostgreSQL server (and its datasets) in out/bench/postgres for the next run.
/// </summary>
internal static class Program
{
    private static Measurement Median(List<Measurement> runs) => runs.OrderBy(m => m.Seconds).ElementAt(runs.Count / 2);

    private const string Usage = "usage: AsyncServer.Bench [--quick] [--only NAME[,NAME...]] [--results FOLDER] [--keep-postgres]\n" +
        "  --quick          a smoke run: small data, one floor and one engine run (its figures say nothing)\n" +
        "  --only NAMES     only the scenarios whose names contain one of these (comma-separated), e.g. --only endpoint\n" +
        "  --results DIR    where the JSON results go (default bench/results)\n" +
        "  --keep-postgres  keep the harness's PostgreSQL server and datasets in out/bench/postgres for the next run";

    /// <summary>
    /// Null when the arguments are usable; else what to print and the exit code (0 for --help). Checked before anything
    /// starts, so a typo does not launch a full run of every scenario.
    /// </summary>
    private static (string Text, int Exit)? CheckArguments(string[] args)
    {
        if (args.Any(a => a is "--help" or "-h" or "-?" or "/?")) return (Usage, 0);
        if (args.Contains("--child")) return null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick" or "--keep-postgres": continue;
                case "--only" or "--results" when i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal): i++; continue;
                case "--only" or "--results": return ($"{args[i]} needs a value.\n{Usage}", 2);
                default: return ($"Unknown argument '{args[i]}'.\n{Usage}", 2);
            }
        }
        return null;
    }

    public static async Task<int> Main(string[] args)
    {
        if (CheckArguments(args) is { } refusal)
        {
            (refusal.Exit == 0 ? Console.Out : Console.Error).WriteLine(refusal.Text);
            return refusal.Exit;
        }
        var quick = args.Contains("--quick");
        var root = BenchContext.FindRepositoryRoot();
        var context = new BenchContext(quick, Path.Combine(root, "out", "bench"));
        var scenarios = ScenarioRegistry.All();

        var child = Array.IndexOf(args, "--child");
        if (child >= 0)
        {
            var step = args[child + 1];
            var scenario = scenarios.Single(s => s.Name == args[child + 2]);
            var result = step == "measure" ? await scenario.MeasureAsync(context) : await scenario.FloorAsync(context);
            Console.WriteLine(result.ToLine());
            return 0;
        }

        // PostgreSQL scenarios need a server for the whole run; the children find it through the environment.
        var keptPostgres = args.Contains("--keep-postgres") ? Path.Combine(root, "out", "bench", "postgres") : null;
        using var postgres = ScenarioRegistry.ProviderBuilt(AsyncServer.Data.DatabaseProvider.PostgreSql)
            ? AsyncServer.Bench.Data.BenchPostgres.StartIfNeeded(keptPostgres) : null;
        scenarios = ScenarioRegistry.All();
        var only = Array.IndexOf(args, "--only") is var o and >= 0 ? args[o + 1].Split(',', StringSplitOptions.RemoveEmptyEntries) : null;
        var selected = scenarios.Where(s => only is null || only.Any(n => s.Name.Contains(n, StringComparison.OrdinalIgnoreCase))).ToList();
        if (only?.Where(n => !scenarios.Any(s => s.Name.Contains(n, StringComparison.OrdinalIgnoreCase))).ToList() is { Count: > 0 } unknown)
        {
            await Console.Error.WriteLineAsync($"--only {string.Join(',', unknown)} matches no scenario of this build. Scenarios:\n  " +
                string.Join("\n  ", scenarios.Select(s => s.Name)));
            return 2;
        }
        var started = DateTimeOffset.UtcNow;
        var machine = MachineInfo.Current();
        var results = new List<ScenarioResult>();
        var failed = new List<string>();
        foreach (var s in selected)
        {
            Console.Error.WriteLine($"== {s.Name}: {s.Description}");
            try
            {
                await s.PrepareAsync(context);
                var childArgs = quick ? new[] { "--quick" } : [];
                // A discarded floor run warms the OS page cache, then the floor and the engine find the data alike.
                // The quick mode is a smoke run (its figures say nothing): one floor and one engine run, no warm-up, no medians.
                if (!quick) ChildProcess.Run(s, ["--child", "floor", s.Name, .. childArgs]);
                var floor = ChildProcess.Run(s, ["--child", "floor", s.Name, .. childArgs]);
                var engine = ChildProcess.Run(s, ["--child", "measure", s.Name, .. childArgs]);
                if (!quick)
                {
                    // One run swings with the machine (±10 % on this shared one, more for runs under a second): every
                    // scenario is measured as three pairs, floor and engine alternately, and the median of each is kept,
                    // with the engine's range in the note.
                    var floors = new List<Measurement> { floor };
                    var engines = new List<Measurement> { engine };
                    for (var i = 0; i < 2; i++)
                    {
                        floors.Add(ChildProcess.Run(s, ["--child", "floor", s.Name, .. childArgs]));
                        engines.Add(ChildProcess.Run(s, ["--child", "measure", s.Name, .. childArgs]));
                    }
                    floor = Median(floors);
                    var median = Median(engines);
                    engine = median with { Note = $"{median.Note}; median of 3, engine {engines.Min(m => m.Seconds):N2}-{engines.Max(m => m.Seconds):N2} s, floor {floors.Min(m => m.Seconds):N2}-{floors.Max(m => m.Seconds):N2} s" };
                }
                var r = new ScenarioResult(s.Name, s.Provider, s.Description, s.FloorDescription, engine, floor);
                Console.Error.WriteLine($"   engine {engine.Seconds:N3} s ({engine.RowsPerSecond:N0} rows/s, peak {engine.PeakBytes / 1048576.0:N1} MB), floor {floor.Seconds:N3} s, ratio {r.Ratio:N2}");
                results.Add(r);
            }
            catch (Exception ex)
            {
                // One broken scenario must not hide the others' figures; it is reported as failed.
                Console.Error.WriteLine($"   FAILED: {ex.Message}");
                failed.Add($"{s.Name}: failed: {ex.Message.Split('\n')[0]}");
            }
        }
        var notMeasured = ScenarioRegistry.NotMeasured().Select(n => $"{n.Name}: {n.Why}").Concat(failed).ToList();
        var command = "./build.ps1 Bench" + (quick ? " -Quick" : "") + (only is null ? "" : $"  (bench args --only {string.Join(',', only)})");
        var report = new BenchReport(started, quick ? "quick" : "full", command, machine, results, Targets.Check(results), notMeasured);
        var resultsFolder = Array.IndexOf(args, "--results") is var at and >= 0 ? args[at + 1] : Path.Combine(root, "bench", "results");
        var path = report.Save(resultsFolder);
        Console.WriteLine(report.ToMarkdown());
        Console.WriteLine($"Results: {path}");
        return failed.Count == 0 ? 0 : 1;
    }
}
