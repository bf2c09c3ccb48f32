using System.Globalization;
using System.Text;
using System.Text.Json;

namespace AsyncServer.Bench.Harness;

/// <summary>One scenario's engine figure and floor figure.</summary>
internal sealed record ScenarioResult(string Name, string Provider, string Description, string FloorDescription, Measurement Engine, Measurement Floor)
{
    public double Ratio => Floor.Seconds > 0 ? Engine.Seconds / Floor.Seconds : double.NaN;
}

/// <summary>The machine a run was measured on: figures mean little without it.</summary>
internal sealed record MachineInfo(int Processors, string CpuModel, long MemoryBytes, string Os, string Runtime, string LoadAverageAtStart)
{
    public static MachineInfo Current()
    {
        string Read(string file, string prefix)
        {
            try { return File.ReadLines(file).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?"; }
            catch (IOException) { return "?"; }
        }
        var mem = Read("/proc/meminfo", "MemTotal").Split(' ')[0];
        string load;
        try { load = File.ReadAllText("/proc/loadavg").Trim(); } catch (IOException) { load = "?"; }
        return new MachineInfo(Environment.ProcessorCount, Read("/proc/cpuinfo", "model name"),
            long.TryParse(mem, out var kb) ? kb * 1024 : 0, System.Runtime.InteropServices.RuntimeInformation.OSDescription,
            System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription, load);
    }
}

/// <summary>The results file (bench/results/*.json, git-ignored) and the Markdown summary for docs/benchmarks.md.</summary>
internal sealed record BenchReport(DateTimeOffset StartedAt, string Mode, string Command, MachineInfo Machine, IReadOnlyList<ScenarioResult> Scenarios,
    IReadOnlyList<TargetCheck> Targets, IReadOnlyList<string> NotMeasured)
{
    public string Save(string folder)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"{StartedAt:yyyyMMdd-HHmmss}-{Mode}.json");
        File.WriteAllText(path, JsonSerializer.Serialize(this, Json.Indented));
        return path;
    }

    public string ToMarkdown()
    {
        static string F(double v, string format = "N2") => double.IsNaN(v) ? "-" : v.ToString(format, CultureInfo.InvariantCulture);
        static string Mb(long bytes) => (bytes / 1024.0 / 1024.0).ToString("N1", CultureInfo.InvariantCulture);
        var sb = new StringBuilder();
        sb.AppendLine($"Run {StartedAt:u}, mode {Mode}: `{Command}`");
        sb.AppendLine($"Machine: {Machine.Processors} CPUs ({Machine.CpuModel}), {Mb(Machine.MemoryBytes)} MB, {Machine.Os}, {Machine.Runtime}, load average at start {Machine.LoadAverageAtStart}");
        sb.AppendLine();
        sb.AppendLine("| scenario | rows | engine s | rows/s | floor s | floor rows/s | ratio | engine CPU s | floor CPU s | peak MB (floor) | package bytes | note |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var s in Scenarios)
            sb.AppendLine($"| {s.Name} | {s.Engine.Rows:N0} | {F(s.Engine.Seconds, "N3")} | {F(s.Engine.RowsPerSecond, "N0")} | {F(s.Floor.Seconds, "N3")} | {F(s.Floor.RowsPerSecond, "N0")} | {F(s.Ratio)} | {F(s.Engine.CpuSeconds, "N2")} | {F(s.Floor.CpuSeconds, "N2")} | {Mb(s.Engine.PeakBytes)} ({Mb(s.Floor.PeakBytes)}) | {s.Engine.Bytes:N0} | {s.Engine.Note}{Phases(s.Engine)} |");
        sb.AppendLine();
        // A quick run's small data and single runs say nothing about a target: show the figure, judge nothing.
        var quick = string.Equals(Mode, "quick", StringComparison.Ordinal);
        sb.AppendLine(quick ? "| target | measured | met (not judged in a quick run) |" : "| target | measured | met |");
        sb.AppendLine("|---|---|---|");
        foreach (var t in Targets) sb.AppendLine($"| {t.Target} | {t.Measured} | {(quick ? "-" : t.Met ? "yes" : "**no**")} |");
        if (NotMeasured.Count > 0)
        {
            sb.AppendLine();
            foreach (var n in NotMeasured) sb.AppendLine($"- Not measured: {n}");
        }
        return sb.ToString();
    }

    private static string Phases(Measurement m) => m.Phases.Count == 0 ? "" : " (" + string.Join(", ", m.Phases.Select(p => $"{p.Key} {p.Value:N2} s")) + ")";
}

internal sealed record TargetCheck(string Target, string Measured, bool Met);

/// <summary>The performance targets of issue 7, checked against one run.</summary>
internal static class Targets
{
    public const long PeakMemoryLimit = 200L * 1024 * 1024;

    public static IReadOnlyList<TargetCheck> Check(IReadOnlyList<ScenarioResult> results)
    {
        var checks = new List<TargetCheck>();
        string R(double v) => v.ToString("N2", CultureInfo.InvariantCulture);
        foreach (var r in results.Where(r => r.Name.StartsWith("full-sync/", StringComparison.Ordinal)))
            checks.Add(new($"{r.Name} within 1.3x of its floor", $"{R(r.Ratio)}x", r.Ratio <= 1.3));
        foreach (var provider in results.Select(r => r.Provider).Distinct())
        {
            var small = results.FirstOrDefault(r => r.Name == $"incremental-small/{provider}");
            var large = results.FirstOrDefault(r => r.Name == $"incremental-large/{provider}");
            if (small is not null && large is not null)
            {
                var ratio = large.Engine.Seconds / small.Engine.Seconds;
                checks.Add(new($"incremental/{provider}: large table within 1.3x of small table", $"{R(ratio)}x ({large.Engine.Seconds:N3} s vs {small.Engine.Seconds:N3} s)", ratio <= 1.3));
            }
        }
        foreach (var provider in results.Select(r => r.Provider).Distinct())
        {
            // Issue 13: a parent-filtered incremental follows the number of changes, not the table sizes.
            var small = results.FirstOrDefault(r => r.Name == $"incremental-parent-small/{provider}");
            var large = results.FirstOrDefault(r => r.Name == $"incremental-parent-large/{provider}");
            if (small is not null && large is not null)
            {
                var ratio = large.Engine.Seconds / small.Engine.Seconds;
                checks.Add(new($"incremental-parent/{provider}: large table within 1.3x of small table", $"{R(ratio)}x ({large.Engine.Seconds:N3} s vs {small.Engine.Seconds:N3} s)", ratio <= 1.3));
            }
            if (large is not null)
                checks.Add(new($"{large.Name} within 3x of its floor", $"{R(large.Ratio)}x", large.Ratio <= 3));
        }
        // The endpoint scenarios' own process is the load generator; their memory target is the server's (EndpointChecks).
        foreach (var r in results.Where(r => !r.Name.StartsWith("endpoint-", StringComparison.Ordinal)))
            checks.Add(new($"{r.Name}: peak memory under 200 MB", $"{r.Engine.PeakBytes / 1024.0 / 1024.0:N1} MB", r.Engine.PeakBytes < PeakMemoryLimit));
        foreach (var r in results.Where(r => r.Name.StartsWith("apply/", StringComparison.Ordinal)))
        {
            checks.Add(new($"{r.Name} within 2x of its floor", $"{R(r.Ratio)}x", r.Ratio <= 2));
            if (r.Provider == "postgresql")
                checks.Add(new($"{r.Name} at least 200,000 rows/s", $"{r.Engine.RowsPerSecond:N0} rows/s", r.Engine.RowsPerSecond >= 200_000));
        }
        foreach (var r in results.Where(r => r.Name.StartsWith("fan-out/", StringComparison.Ordinal)))
            checks.Add(new($"{r.Name}: sessions for 500 channel databases registered in under 5 s", $"{r.Engine.Seconds:N3} s for the whole schedule run", r.Engine.Seconds < 5));
        checks.AddRange(EndpointChecks(results));
        return checks;
    }

    /// <summary>Issue 14: the poll storm's rate and p99, package serving against its floor, the server's memory under 50 downloads.</summary>
    private static IEnumerable<TargetCheck> EndpointChecks(IReadOnlyList<ScenarioResult> results)
    {
        string Mb(long? bytes) => ((bytes ?? 0) / 1048576.0).ToString("N0", CultureInfo.InvariantCulture);
        foreach (var r in results.Where(r => r.Name.StartsWith("endpoint-poll-storm/", StringComparison.Ordinal)))
        {
            var p99 = r.Engine.Phases.GetValueOrDefault("p99") * 1000;
            yield return new($"{r.Name}: at least 2,000 polls/s", $"{r.Engine.RowsPerSecond:N0} polls/s", r.Engine.RowsPerSecond >= 2000);
            yield return new($"{r.Name}: p99 under 50 ms", $"{p99:N1} ms", p99 < 50);
        }
        foreach (var r in results.Where(r => r.Name.StartsWith("endpoint-package-serving/", StringComparison.Ordinal)))
        {
            yield return new($"{r.Name}: download within 1.25x of the disk floor", $"{r.Ratio:N2}x", r.Ratio <= 1.25);
            yield return new($"{r.Name}: server working set under 200 MB during 50 concurrent downloads", $"{Mb(r.Engine.ServerPeakBytes)} MB",
                r.Engine.ServerPeakBytes < PeakMemoryLimit);
        }
    }
}
