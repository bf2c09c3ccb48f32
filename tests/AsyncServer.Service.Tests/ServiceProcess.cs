using System.Collections.Concurrent;
using System.Diagnostics;

namespace AsyncServer.Service.Tests;

/// <summary>
/// The built service, started as a real process (dotnet AsyncServer.Service.dll ...), its log lines
/// collected, stopped with a real SIGTERM. Killed on dispose if a test left it running.
/// </summary>
public sealed class ServiceProcess : IDisposable
{
    /// <summary>Generous bounds: they only keep a broken service from hanging the suite; nothing is measured.</summary>
    public static readonly TimeSpan ExitBound = TimeSpan.FromMinutes(2);
    public static readonly TimeSpan ProgressBound = TimeSpan.FromMinutes(3);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    private ServiceProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) _lines.Enqueue(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _lines.Enqueue("stderr: " + e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public static ServiceProcess Start(string workingDirectory, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(ServicePath);
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["POWERSHELL_TELEMETRY_OPTOUT"] = "1";
        return new ServiceProcess(Process.Start(info)!);
    }

    public IReadOnlyList<string> Lines => _lines.ToArray();
    public string Log => string.Join(Environment.NewLine, _lines);
    public int Count(string fragment) => Lines.Count(l => l.Contains(fragment, StringComparison.Ordinal));
    /// <summary>
    /// From the log, in order: the most runs going on at once, and the most runs of one schedule at once. A run
    /// begins with "NAME: run started." and ends with "NAME: next due ...", both written by the service.
    /// </summary>
    public (int Total, int PerSchedule) MostConcurrentRuns()
    {
        var running = new Dictionary<string, int>();
        int total = 0, perSchedule = 0;
        foreach (var line in Lines)
        {
            var started = System.Text.RegularExpressions.Regex.Match(line, @"\] (Schedule \S+): run started\.");
            var ended = System.Text.RegularExpressions.Regex.Match(line, @"\] (Schedule \S+): next due ");
            if (started.Success) running[started.Groups[1].Value] = running.GetValueOrDefault(started.Groups[1].Value) + 1;
            else if (ended.Success && running.GetValueOrDefault(ended.Groups[1].Value) > 0) running[ended.Groups[1].Value]--;
            else continue;
            total = Math.Max(total, running.Values.Sum());
            perSchedule = Math.Max(perSchedule, running.Values.Max());
        }
        return (total, perSchedule);
    }

    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;
    public int Id => _process.Id;

    /// <summary>Waits until the condition holds; fails with the log if the service exits or the bound passes first.</summary>
    public async Task WaitUntilAsync(Func<Task<bool>> condition, string what, int pollMilliseconds = 200)
    {
        var until = DateTime.UtcNow + ProgressBound;
        while (!await condition())
        {
            if (_process.HasExited) Assert.Fail($"The service exited ({_process.ExitCode}) before {what}. Log:{Environment.NewLine}{Log}");
            if (DateTime.UtcNow > until) Assert.Fail($"Gave up waiting for {what}. Log:{Environment.NewLine}{Log}");
            await Task.Delay(pollMilliseconds);
        }
    }

    public Task WaitUntilAsync(Func<bool> condition, string what) => WaitUntilAsync(() => Task.FromResult(condition()), what);

    /// <summary>Sends SIGTERM (what systemd and docker stop send) with kill(1).</summary>
    public void Terminate()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString()]) { UseShellExecute = false })!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>Sends SIGKILL (a crash: no shutdown code runs) with kill(1) and waits until the process is gone.</summary>
    public async Task KillAsync()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-KILL", _process.Id.ToString()]) { UseShellExecute = false })!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
        await WaitForExitAsync();
    }

    /// <summary>Waits for the process to end within the bound; returns its exit code.</summary>
    public async Task<int> WaitForExitAsync()
    {
        using var bound = new CancellationTokenSource(ExitBound);
        try { await _process.WaitForExitAsync(bound.Token); }
        catch (OperationCanceledException) { Assert.Fail($"The service did not exit within {ExitBound}. Log:{Environment.NewLine}{Log}"); }
        _process.WaitForExit(); // drains the redirected output
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited) { try { _process.Kill(entireProcessTree: true); _process.WaitForExit(); } catch (InvalidOperationException) { } }
        _process.Dispose();
    }

    /// <summary>The service built beside this test project, in the same configuration (Debug or Release).</summary>
    public static string ServicePath
    {
        get
        {
            var testDir = new DirectoryInfo(AppContext.BaseDirectory);
            var framework = testDir.Name;
            var configuration = testDir.Parent!.Name;
            var root = testDir;
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "AsyncServer.sln"))) root = root.Parent;
            Assert.NotNull(root);
            var path = Path.Combine(root!.FullName, "src", "AsyncServer.Service", "bin", configuration, framework, "AsyncServer.Service.dll");
            Assert.True(File.Exists(path), $"The service is not built at {path}.");
            return path;
        }
    }
}
