using System.Management.Automation;
using AsyncServer.Configuration;
using AsyncServer.Diagnostics;
using AsyncServer.PowerShell.Internal;
using AsyncServer.Scheduling.Registration;

namespace AsyncServer.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Installs the AsyncServer service, or one scheduled task per schedule (a systemd timer, or a Task Scheduler task).</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Register, "AsyncDistributionSchedule", DefaultParameterSetName = TaskSet,
    SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.CmdletReference + "#register-asyncdistributionschedule")]
[OutputType(typeof(ScheduleRegistration))]
public sealed class RegisterAsyncDistributionScheduleCommand : RegistrationCmdlet
{
    /// <summary>The account that runs the service or tasks. Default: root on Linux, LocalSystem on Windows.</summary>
    [Parameter] [ValidateNotNullOrEmpty] public string? User { get; set; }

    /// <summary>Default: the configuration file's folder.</summary>
    [Parameter] [ValidateNotNullOrEmpty] public string? WorkingDirectory { get; set; }

    /// <summary>pwsh for the tasks. Default: the running pwsh, else pwsh on PATH.</summary>
    [Parameter(ParameterSetName = TaskSet)] [ValidateNotNullOrEmpty] public string? PwshPath { get; set; }

    /// <summary>The module manifest the tasks import. Default: this module's.</summary>
    [Parameter(ParameterSetName = TaskSet)] [ValidateNotNullOrEmpty] public string? ModulePath { get; set; }

    /// <summary>AsyncServer.Service.dll (or a published executable). Default: the AsyncServer.Service folder beside the module.</summary>
    [Parameter(ParameterSetName = ServiceSet)] [ValidateNotNullOrEmpty] public string? ServicePath { get; set; }

    /// <summary>The dotnet host that runs AsyncServer.Service.dll. Default: dotnet on PATH.</summary>
    [Parameter(ParameterSetName = ServiceSet)] [ValidateNotNullOrEmpty] public string? DotnetPath { get; set; }

    [Parameter(ParameterSetName = ServiceSet)] [ValidateRange(1, 64)] public int? MaxParallelRuns { get; set; }

    /// <summary>Write the units but do not enable or start them.</summary>
    [Parameter] public SwitchParameter NoEnable { get; set; }

    /// <summary>Replace units that already exist.</summary>
    [Parameter] public SwitchParameter Force { get; set; }

    protected override void EndProcessing()
    {
        try { Register(); }
        finally { base.EndProcessing(); }
    }

    private void Register()
    {
        var config = Context.Configuration;
        var platform = TargetPlatform;
        var folder = ResolveFolder();
        foreach (var missing in Names.Where(n => config.FindSchedule(n) is null))
            WriteError(new ErrorRecord(new ItemNotFoundException($"Schedule '{missing}' is not defined in the configuration's $.schedules."),
                ErrorIds.ScheduleNotFound, ErrorCategory.ObjectNotFound, missing));
        var named = Names.Select(config.FindSchedule).OfType<ScheduleSettings>().ToList();
        if (Names.Count > 0 && named.Count == 0) return;

        var options = new RegistrationOptions
        {
            ConfigurationPath = ResolvedConfigurationPath,
            WorkingDirectory = WorkingDirectory is null ? config.BaseDirectory : TargetPath(WorkingDirectory),
            User = User,
            ServiceName = ServiceName,
            MaxParallelRuns = MaxParallelRuns,
            Schedules = named.Select(s => s.Name).ToList(),
        };

        var plans = new List<PlannedRegistration>();
        if (Service)
        {
            options = options with { ServicePath = FindServicePath(), DotnetPath = DotnetPath ?? Default("dotnet", platform) };
            plans.Add(RegistrationBuilder.ForService(options, platform, folder));
        }
        else
        {
            options = options with
            {
                PwshPath = PwshPath ?? DefaultPwsh(platform), ModulePath = ModulePath is null ? DefaultModulePath() : TargetPath(ModulePath),
            };
            var schedules = named.Count > 0 ? named : config.Schedules.Where(s => s.Active && s.Recurrence is not null).ToList();
            if (schedules.Count == 0)
                WriteWarning("No active schedule with a recurrence in the configuration: nothing to register.");
            foreach (var schedule in schedules)
            {
                try { plans.Add(RegistrationBuilder.ForSchedule(options, platform, folder, schedule, DateTimeOffset.UtcNow)); }
                catch (AsyncServerException ex) { WriteError(ErrorMapping.ToErrorRecord(ex, schedule.Name)); }
            }
        }

        var activate = IsSystemRegistration && !NoEnable;
        try
        {
            foreach (var plan in plans) Apply(plan, folder, platform, activate);
        }
        finally
        {
            // On Windows without -UnitPath the files only feed schtasks/sc.exe: nothing to keep.
            if (IsSystemRegistration && platform == RegistrationPlatform.Windows && Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    private void Apply(PlannedRegistration plan, string folder, RegistrationPlatform platform, bool activate)
    {
        var r = plan.Registration;
        var existing = plan.Files.Select(f => Path.Combine(folder, f.FileName)).Where(File.Exists).ToList();
        if (existing.Count > 0 && !Force)
        {
            WriteError(new ErrorRecord(
                new InvalidOperationException($"{r.Kind} {r.Name} is already registered ({string.Join(", ", existing)}); add -Force to replace it."),
                ErrorIds.RegistrationExists, ErrorCategory.ResourceExists, r.Name));
            return;
        }
        var written = 0;
        foreach (var file in plan.Files)
        {
            var path = Path.Combine(folder, file.FileName);
            // -WhatIf shows the whole unit or task definition that would be written.
            if (!ShouldProcess($"Write {path}:{Environment.NewLine}{file.Content}", $"Write {path}?", "Register-AsyncDistributionSchedule")) continue;
            try { WriteUnit(path, file, platform); }
            catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
            {
                var hint = IsSystemRegistration ? " Run elevated (root / administrator), or write the files elsewhere with -UnitPath." : "";
                WriteError(new ErrorRecord(new IOException($"Cannot write {path}: {ex.Message}{hint}", ex),
                    ex is UnauthorizedAccessException ? "AccessDenied" : "IOError",
                    ex is UnauthorizedAccessException ? ErrorCategory.PermissionDenied : ErrorCategory.WriteError, path));
                return;
            }
            written++;
        }
        if (written < plan.Files.Count) return;
        var activated = activate && RunCommands(plan.InstallCommands, r.Name);
        WriteResult(new ScheduleRegistration
        {
            Name = r.Name, Kind = r.Kind, Platform = r.Platform, Schedule = r.Schedule, Trigger = r.Trigger, Command = r.Command,
            Files = IsSystemRegistration && platform == RegistrationPlatform.Windows ? [] : r.Files, Activated = activated,
        });
    }

    private string FindServicePath()
    {
        if (ServicePath is not null) return TargetPath(ServicePath);
        var moduleFolder = Path.GetDirectoryName(typeof(RegisterAsyncDistributionScheduleCommand).Assembly.Location)!;
        var candidate = Path.GetFullPath(Path.Combine(moduleFolder, "..", "AsyncServer.Service", "AsyncServer.Service.dll"));
        if (File.Exists(candidate)) return candidate;
        ThrowTerminatingError(new ErrorRecord(
            new FileNotFoundException(
                $"The service is not at {candidate}: give -ServicePath (AsyncServer.Service.dll, laid out by build.ps1 in out/AsyncServer.Service)."),
            ErrorIds.ExecutableNotFound, ErrorCategory.ObjectNotFound, candidate));
        return candidate;
    }

    private static string DefaultModulePath()
    {
        var folder = Path.GetDirectoryName(typeof(RegisterAsyncDistributionScheduleCommand).Assembly.Location)!;
        var manifest = Path.Combine(folder, "AsyncServer.psd1");
        return File.Exists(manifest) ? manifest : Path.Combine(folder, "AsyncServer.PowerShell.dll");
    }

    /// <summary>A path on this machine is resolved like any PowerShell path; one for another platform is taken as written.</summary>
    private string TargetPath(string path) => TargetPlatform == RegistrationBuilder.CurrentPlatform ? GetUnresolvedProviderPathFromPSPath(path) : path;

    /// <summary>The pwsh running this command (its own executable in $PSHOME), else pwsh on PATH.</summary>
    private string DefaultPwsh(RegistrationPlatform platform)
    {
        if (platform == RegistrationBuilder.CurrentPlatform)
        {
            if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self).Equals("pwsh", StringComparison.OrdinalIgnoreCase))
                return self;
            // Run as 'dotnet pwsh.dll' (a dotnet tool), the process is dotnet: the pwsh launcher sits in $PSHOME.
            if (SessionState.PSVariable.GetValue("PSHOME") is string home
                && Path.Combine(home, OperatingSystem.IsWindows() ? "pwsh.exe" : "pwsh") is var launcher && File.Exists(launcher))
                return launcher;
        }
        return Default("pwsh", platform);
    }

    /// <summary>The program on PATH on this machine, else its usual place on the target platform.</summary>
    private string Default(string program, RegistrationPlatform platform)
    {
        if (platform == RegistrationBuilder.CurrentPlatform && RegistrationBuilder.FindOnPath(program) is { } found) return found;
        if (platform == RegistrationBuilder.CurrentPlatform && IsSystemRegistration)
            ThrowTerminatingError(new ErrorRecord(
                new FileNotFoundException($"{program} is not on PATH: give -{(program == "pwsh" ? "PwshPath" : "DotnetPath")}."),
                ErrorIds.ExecutableNotFound, ErrorCategory.ObjectNotFound, program));
        return (program, platform) switch
        {
            ("pwsh", RegistrationPlatform.Windows) => @"C:\Program Files\PowerShell\7\pwsh.exe",
            ("dotnet", RegistrationPlatform.Windows) => @"C:\Program Files\dotnet\dotnet.exe",
            ("pwsh", _) => "/usr/bin/pwsh",
            _ => "/usr/bin/dotnet",
        };
    }
}
