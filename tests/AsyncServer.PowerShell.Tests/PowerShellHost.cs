using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using AsyncServer.PowerShell.Commands;

namespace AsyncServer.PowerShell.Tests;

/// <summary>
/// A real PowerShell runspace in the test process with the module's cmdlets and format views loaded,
/// the way pwsh loads them.
/// </summary>
public sealed class PowerShellHost : IDisposable
{
    private readonly Runspace _runspace;

    public PowerShellHost(string? location = null)
    {
        var iss = InitialSessionState.CreateDefault2();
        iss.ImportPSModule(typeof(StartAsyncDistributionCommand).Assembly.Location);
        iss.Formats.Add(new SessionStateFormatEntry(RepositoryFile("module/AsyncServer.Format.ps1xml")));
        _runspace = RunspaceFactory.CreateRunspace(iss);
        _runspace.Open();
        if (location is not null) Invoke($"Set-Location '{location}'");
    }

    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AsyncServer.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
        }
    }

    public static string RepositoryFile(string relative) => Path.Combine(RepositoryRoot, relative);

    public System.Management.Automation.PowerShell Create()
    {
        var ps = System.Management.Automation.PowerShell.Create();
        ps.Runspace = _runspace;
        return ps;
    }

    /// <summary>Runs a script; returns its output and the PowerShell object for its streams.</summary>
    public (Collection<PSObject> Output, System.Management.Automation.PowerShell Shell) Run(string script)
    {
        var ps = Create();
        ps.AddScript(script);
        var output = ps.Invoke();
        return (output, ps);
    }

    public Collection<PSObject> Invoke(string script)
    {
        var (output, ps) = Run(script);
        if (ps.HadErrors && ps.Streams.Error.Count > 0)
            throw new InvalidOperationException("script failed: " + string.Join("; ", ps.Streams.Error.Select(e => $"{e.FullyQualifiedErrorId}: {e}")));
        return output;
    }

    public void Dispose() => _runspace.Dispose();
}
