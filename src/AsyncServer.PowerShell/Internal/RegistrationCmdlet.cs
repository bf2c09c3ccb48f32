using System.Management.Automation;
using System.Text;
using AsyncServer.Diagnostics;
using AsyncServer.Scheduling.Registration;

namespace AsyncServer.PowerShell.Internal;

/// <summary>What Register- and Unregister-AsyncDistributionSchedule share: where units live and for which platform.</summary>
public abstract class RegistrationCmdlet : AsyncServerCmdlet
{
    protected const string TaskSet = "Task";
    protected const string ServiceSet = "Service";

    /// <summary>Schedules: one scheduled task each, or the service's --schedules. Default: every active schedule with a recurrence.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ArgumentCompleter(typeof(ScheduleNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Schedule { get; set; }

    /// <summary>The service rather than scheduled tasks.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ServiceSet)]
    public SwitchParameter Service { get; set; }

    /// <summary>
    /// Folder for the unit files or task definitions. When given, files are only written there (nothing is
    /// enabled). Default: /etc/systemd/system on Linux, enabled with systemctl; on Windows the task or service
    /// is created directly.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? UnitPath { get; set; }

    /// <summary>Write for Linux (systemd) or Windows (Task Scheduler, sc.exe). Default: this machine's; another platform needs -UnitPath.</summary>
    /// <remarks>A string, not the engine's enum: a value-type field of an engine type would make PowerShell load the
    /// engine while it inspects this assembly, before the module's private load context is set up.</remarks>
    [Parameter]
    [ValidateSet("Linux", "Windows")]
    public string? Platform { get; set; }

    /// <summary>The service's unit name, and the prefix of the task units (default asyncserver).</summary>
    [Parameter]
    [ValidatePattern("^[A-Za-z0-9_.-]+$")]
    public string ServiceName { get; set; } = "asyncserver";

    private readonly List<string> _names = [];

    protected RegistrationPlatform TargetPlatform
        => Platform is null ? RegistrationBuilder.CurrentPlatform : Enum.Parse<RegistrationPlatform>(Platform, ignoreCase: true);

    /// <summary>True when the scheduler itself is to be told (no -UnitPath, and this machine's platform).</summary>
    protected bool IsSystemRegistration => UnitPath is null && TargetPlatform == RegistrationBuilder.CurrentPlatform;

    protected IReadOnlyList<string> Names => _names;

    protected override void ProcessRecord()
    {
        if (Schedule is not null) _names.AddRange(Schedule.Where(n => !_names.Contains(n, StringComparer.OrdinalIgnoreCase)));
    }

    /// <summary>The folder units are written to or removed from.</summary>
    protected string ResolveFolder()
    {
        if (UnitPath is not null) return GetUnresolvedProviderPathFromPSPath(UnitPath);
        if (TargetPlatform != RegistrationBuilder.CurrentPlatform)
            ThrowTerminatingError(new ErrorRecord(
                new PSArgumentException($"Files for {TargetPlatform} cannot be registered on this machine: add -UnitPath to write them to a folder."),
                "UnitPathRequired", ErrorCategory.InvalidArgument, TargetPlatform));
        return TargetPlatform == RegistrationPlatform.Linux
            ? RegistrationBuilder.SystemdSystemFolder
            : Path.Combine(Path.GetTempPath(), "AsyncServer-registration-" + Guid.NewGuid().ToString("N"));
    }

    /// <summary>Writes a unit with the line endings and encoding its scheduler expects.</summary>
    protected static void WriteUnit(string path, UnitFile file, RegistrationPlatform platform)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (file.FileName.EndsWith(".xml", StringComparison.OrdinalIgnoreCase))
            File.WriteAllText(path, file.Content.ReplaceLineEndings("\r\n"), Encoding.Unicode); // schtasks /XML reads UTF-16
        else
            File.WriteAllText(path, file.Content.ReplaceLineEndings(platform == RegistrationPlatform.Linux ? "\n" : "\r\n"), new UTF8Encoding(false));
    }

    /// <summary>Runs scheduler commands, each after ShouldProcess; returns false if one failed (reported as an error).</summary>
    protected bool RunCommands(IEnumerable<IReadOnlyList<string>> commands, object target, bool stopOnError = true)
    {
        var ok = true;
        foreach (var command in commands)
        {
            var text = string.Join(' ', command);
            if (!ShouldProcess(text, "Run")) { ok = false; continue; }
            try { RegistrationBuilder.RunCommand(command); }
            catch (AsyncServerException ex)
            {
                WriteError(ErrorMapping.ToErrorRecord(ex, target));
                ok = false;
                if (stopOnError) return false;
            }
        }
        return ok;
    }
}
