using System.Diagnostics;
using System.Text.Json;

namespace AsyncServer.Bench.Harness;

/// <summary>What one child process measured: one scenario's engine run, or its floor.</summary>
internal sealed record Measurement
{
    public double Seconds { get; init; }
    /// <summary>CPU time of this process in the measured section (user + system, all threads).</summary>
    public double CpuSeconds { get; init; }
    public long Rows { get; init; }
    public long Bytes { get; init; }
    /// <summary>Peak resident memory of the whole child process (VmHWM), runtime included.</summary>
    public long PeakBytes { get; init; }
    public long AllocatedBytes { get; init; }
    public int Gen2Collections { get; init; }
    public string? Note { get; init; }
    /// <summary>Endpoint scenarios: the peak resident memory (VmHWM) of the server process, measured apart from this one.</summary>
    public long? ServerPeakBytes { get; init; }
    /// <summary>Named phases (seconds) from stopwatch instrumentation, for finding bottlenecks.</summary>
    public Dictionary<string, double> Phases { get; init; } = [];

    public double RowsPerSecond => Seconds > 0 ? Rows / Seconds : 0;

    public const string Prefix = "BENCH-RESULT ";

    public static Measurement Capture(BenchWatch watch, long rows, long bytes, string? note = null, Dictionary<string, double>? phases = null)
    {
        using var self = Process.GetCurrentProcess();
        return new Measurement
        {
            Seconds = watch.Elapsed.TotalSeconds,
            CpuSeconds = watch.CpuElapsed.TotalSeconds,
            Rows = rows,
            Bytes = bytes,
            PeakBytes = PeakResident(self),
            AllocatedBytes = GC.GetTotalAllocatedBytes(),
            Gen2Collections = GC.CollectionCount(2),
            Note = note,
            Phases = phases ?? [],
        };
    }

    /// <summary>VmHWM from /proc on Linux (exact high-water mark); Process.PeakWorkingSet64 elsewhere.</summary>
    private static long PeakResident(Process self)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0]) * 1024;
        }
        catch (IOException) { }
        return self.PeakWorkingSet64;
    }

    public string ToLine() => Prefix + JsonSerializer.Serialize(this, Json.Options);
}

internal static class Json
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { WriteIndented = false };
    public static readonly JsonSerializerOptions Indented = new(JsonSerializerDefaults.Web) { WriteIndented = true };
}
