using System.Management.Automation;
using System.Management.Automation.Runspaces;
using Microsoft.Extensions.Logging;

namespace AsyncServer.Service;

/// <summary>
/// A pool of PowerShell runspaces with the AsyncServer module imported. Every run is an ordinary cmdlet
/// invocation, so the service behaves exactly like the same command typed in pwsh: same validation, same
/// sessions, same errors. Its streams go to the service log.
/// </summary>
public sealed class CmdletHost : IDisposable
{
    private readonly RunspacePool _pool;
    private readonly ILogger _log;

    public CmdletHost(int maxRunspaces, ILogger<CmdletHost> log)
    {
        _log = log;
        var state = InitialSessionState.CreateDefault2();
        if (OperatingSystem.IsWindows()) state.ExecutionPolicy = Microsoft.PowerShell.ExecutionPolicy.RemoteSigned;
        // The cmdlet assembly ships beside the service (a project reference), so the engine it uses is ours too.
        state.ImportPSModule(Path.Combine(AppContext.BaseDirectory, "AsyncServer.PowerShell.dll"));
        _pool = RunspaceFactory.CreateRunspacePool(state);
        _pool.SetMaxRunspaces(maxRunspaces);
        _pool.Open();
    }

    /// <summary>Starts a command; the returned run can be awaited and stopped.</summary>
    public CmdletRun Start(string name, string command, IReadOnlyDictionary<string, object> parameters)
    {
        var ps = System.Management.Automation.PowerShell.Create();
        ps.RunspacePool = _pool;
        ps.AddCommand(command);
        foreach (var (key, value) in parameters) ps.AddParameter(key, value);
        // The engine reports its progress as Verbose; Information is what a service log should show.
        ps.AddParameter("Verbose", true);
        ps.Streams.Verbose.DataAdded += (_, e) => _log.LogInformation("{Run}: {Message}", name, ps.Streams.Verbose[e.Index].Message);
        ps.Streams.Warning.DataAdded += (_, e) => _log.LogWarning("{Run}: {Message}", name, ps.Streams.Warning[e.Index].Message);
        ps.Streams.Error.DataAdded += (_, e) =>
        {
            var error = ps.Streams.Error[e.Index];
            _log.LogError("{Run}: {ErrorId}: {Message}", name, error.FullyQualifiedErrorId, error.Exception?.Message ?? error.ToString());
        };
        return new CmdletRun(ps);
    }

    public void Dispose() => _pool.Dispose();
}

/// <summary>One running cmdlet invocation.</summary>
public sealed class CmdletRun : IDisposable
{
    private readonly System.Management.Automation.PowerShell _ps;

    internal CmdletRun(System.Management.Automation.PowerShell ps)
    {
        _ps = ps;
        Completion = ps.InvokeAsync();
    }

    /// <summary>The objects the cmdlet wrote; faults with the terminating error, or PipelineStoppedException after Stop.</summary>
    public Task<PSDataCollection<PSObject>> Completion { get; }

    /// <summary>True when the cmdlet wrote non-terminating errors.</summary>
    public bool HadErrors => _ps.HadErrors;

    /// <summary>
    /// Stops the cmdlet as Ctrl+C would: its StopProcessing cancels the engine, which marks the run's
    /// sessions Canceled before the pipeline ends.
    /// </summary>
    public Task StopAsync() => Task.Run(() => _ps.Stop());

    public void Dispose() => _ps.Dispose();
}
