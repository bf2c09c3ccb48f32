using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace AsyncServer.Tests.Support;

/// <summary>
/// An AsyncServer instance in its own process (tests/AsyncServer.TestInstance), so tests can run several
/// instances against one message database and kill one with SIGKILL. Output is collected for diagnostics.
/// </summary>
public sealed class InstanceProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<string> _packagesWritten = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static string DllPath => typeof(InstanceProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "TestInstancePath").Value!;

    public InstanceProcess(string configPath, string instanceId, string schedule, int rounds, int pauseMs, int leaseMs, bool hang = false)
        : this(instanceId, "PACKAGES-WRITTEN ",
            [configPath, instanceId, schedule, rounds.ToString(), pauseMs.ToString(), leaseMs.ToString(), hang ? "hang" : ""])
    {
    }

    /// <summary>
    /// One upload step (<paramref name="step"/>: "send" with a channel database, or "apply") that stops at
    /// <paramref name="checkpoint"/> (an UploadCheckpoints name) so the test can kill it there: <see cref="PackagesWritten"/>
    /// completes with the checkpoint's name, or fails when the step ended without reaching it.
    /// </summary>
    public static InstanceProcess Upload(string configPath, string instanceId, string step, string? channelDatabase, string checkpoint)
        => new(instanceId, "CHECKPOINT ", ["upload", configPath, instanceId, step, .. channelDatabase is null ? Array.Empty<string>() : [channelDatabase], checkpoint]);

    private InstanceProcess(string instanceId, string marker, IEnumerable<string> arguments)
    {
        Id = instanceId;
        var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.GetFullPath(DllPath));
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        _process = new Process { StartInfo = psi };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) { _packagesWritten.TrySetException(new InvalidOperationException($"{Id} ended before {marker.Trim()}:\n{Output}")); return; }
            lock (_output) _output.AppendLine(e.Data);
            if (e.Data.StartsWith(marker, StringComparison.Ordinal)) _packagesWritten.TrySetResult(e.Data[marker.Length..]);
        };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Id { get; }

    /// <summary>The operating system's id of the child process.</summary>
    public int ProcessId => _process.Id;

    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <summary>
    /// Completes with the package paths once a "hang" instance has written them and stopped before recording (for an
    /// upload step: with the checkpoint it stopped at).
    /// </summary>
    public Task<string> PackagesWritten => _packagesWritten.Task;

    /// <summary>SIGKILL: no finally blocks, no lease release, no cleanup.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public async Task<int> WaitForExitAsync(CancellationToken ct)
    {
        await _process.WaitForExitAsync(ct);
        return _process.ExitCode;
    }

    public void Dispose()
    {
        try { if (!_process.HasExited) Kill(); } catch (InvalidOperationException) { }
        _process.Dispose();
    }
}
