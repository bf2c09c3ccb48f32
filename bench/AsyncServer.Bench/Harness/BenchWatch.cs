using System.Diagnostics;

namespace AsyncServer.Bench.Harness;

/// <summary>
/// Wall time and this process's CPU time of the measured section. On a shared, oversubscribed machine the
/// CPU time is the steadier figure (a database server's CPU, in its own process, is not included).
/// </summary>
internal sealed class BenchWatch
{
    private readonly Stopwatch _wall = new();
    private TimeSpan _cpuAtStart, _cpu;

    public static BenchWatch StartNew()
    {
        var w = new BenchWatch();
        w.Start();
        return w;
    }

    public void Start()
    {
        _cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
        _wall.Start();
    }

    public void Stop()
    {
        _wall.Stop();
        _cpu += Process.GetCurrentProcess().TotalProcessorTime - _cpuAtStart;
    }

    public TimeSpan Elapsed => _wall.Elapsed;
    public TimeSpan CpuElapsed => _cpu;
}
