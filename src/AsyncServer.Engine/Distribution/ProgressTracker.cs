namespace AsyncServer.Distribution;

/// <summary>
/// Turns row and subjob counts into progress reports: every 500 rows or every second, whichever comes first,
/// and a heartbeat every two seconds while a read yields no row (a database still computing its first rows),
/// so that no run is silent for more than a few seconds. Reports may come from the heartbeat's thread; the
/// cmdlet layer queues them onto the pipeline thread.
/// </summary>
internal sealed class ProgressTracker : IPackingProgress, IDisposable
{
    private readonly IProgress<DistributionProgress>? _progress;
    private readonly PlannedRun _run;
    private readonly int _runIndex, _runCount;
    private readonly Timer? _heartbeat;
    private long _rows, _lastReport = Environment.TickCount64, _subjobStarted = Environment.TickCount64;
    private int _subjob, _subjobs = 1;
    private string _table = "";

    public ProgressTracker(IProgress<DistributionProgress>? progress, PlannedRun run, int runIndex, int runCount)
    {
        (_progress, _run, _runIndex, _runCount) = (progress, run, runIndex, runCount);
        if (progress is not null) _heartbeat = new Timer(_ => Beat(), null, HeartbeatMs, HeartbeatMs);
    }

    private const int HeartbeatMs = 2000;

    public void Subjob(int index, int count, string table)
    {
        _subjob = index;
        _subjobs = count;
        _table = table;
        Interlocked.Exchange(ref _subjobStarted, Environment.TickCount64);
        Report();
    }

    public void Row()
    {
        if (++_rows % 500 == 0 || Environment.TickCount64 - Interlocked.Read(ref _lastReport) >= 1000) Report();
    }

    private void Beat()
    {
        if (Environment.TickCount64 - Interlocked.Read(ref _lastReport) >= HeartbeatMs) Report();
    }

    private void Report()
    {
        if (_progress is null) return;
        Interlocked.Exchange(ref _lastReport, Environment.TickCount64);
        var percent = (int)(100.0 * (_runIndex + (double)_subjob / _subjobs) / _runCount);
        var rows = Interlocked.Read(ref _rows);
        var seconds = (Environment.TickCount64 - Interlocked.Read(ref _subjobStarted)) / 1000;
        _progress.Report(new DistributionProgress($"Distributing job {_run.Job.Id} to data group {_run.DataGroup.Id}",
            $"{_table}: {rows:N0} rows packaged so far" + (seconds >= 2 ? $", reading for {seconds:N0} s" : ""), Math.Clamp(percent, 0, 99), rows));
    }

    public void Dispose() => _heartbeat?.Dispose();
}
