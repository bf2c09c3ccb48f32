using System.Management.Automation;
using AsyncServer.Diagnostics;
using AsyncServer.PowerShell.Internal;
using AsyncServer.Scheduling.Registration;

namespace AsyncServer.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Removes the AsyncServer service, or the scheduled tasks of schedules, installed by Register-AsyncDistributionSchedule.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Unregister, "AsyncDistributionSchedule", DefaultParameterSetName = TaskSet,
    SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.CmdletReference + "#unregister-asyncdistributionschedule")]
[OutputType(typeof(ScheduleRegistration))]
public sealed class UnregisterAsyncDistributionScheduleCommand : RegistrationCmdlet
{
    /// <summary>Write what was removed to the pipeline.</summary>
    [Parameter] public SwitchParameter PassThru { get; set; }

    protected override void EndProcessing()
    {
        try { Unregister(); }
        finally { base.EndProcessing(); }
    }

    private void Unregister()
    {
        var platform = TargetPlatform;
        var folder = ResolveFolder();
        var options = new RegistrationOptions { ConfigurationPath = "", WorkingDirectory = "", ServiceName = ServiceName };
        var system = IsSystemRegistration;
        var plans = new List<PlannedRegistration>();
        if (Service)
        {
            var service = RegistrationBuilder.ForService(options with { ServicePath = "AsyncServer.Service.dll" }, platform, folder);
            plans.Add(service);
        }
        else
        {
            foreach (var name in Names.Count > 0 ? Names : Registered(options, platform, folder))
                plans.Add(RegistrationBuilder.ForRemoval(options, platform, folder, name));
        }

        var reload = false;
        foreach (var plan in plans)
        {
            var r = plan.Registration;
            var files = r.Files.Where(File.Exists).ToList();
            if (files.Count == 0 && !(system && platform == RegistrationPlatform.Windows))
            {
                WriteError(new ErrorRecord(new ItemNotFoundException($"{r.Kind} {r.Name} is not registered in {folder}."),
                    ErrorIds.RegistrationNotFound, ErrorCategory.ObjectNotFound, r.Schedule.Length > 0 ? r.Schedule : r.Name));
                continue;
            }
            var where = string.Join(", ", files.DefaultIfEmpty(platform == RegistrationPlatform.Windows ? "Task Scheduler / service manager" : folder));
            if (!ShouldProcess($"{r.Kind} {r.Name} ({where})", "Unregister")) continue;
            // Stop and disable first; the files are removed even if the scheduler no longer knew the unit.
            if (system) RunCommands(plan.RemoveCommands, r.Name, stopOnError: false);
            try { foreach (var file in files) File.Delete(file); }
            catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
            {
                WriteError(new ErrorRecord(
                    new IOException($"Cannot remove the files of {r.Name}: {ex.Message}{(system ? " Run elevated (root / administrator)." : "")}", ex),
                    ex is UnauthorizedAccessException ? "AccessDenied" : "IOError",
                    ex is UnauthorizedAccessException ? ErrorCategory.PermissionDenied : ErrorCategory.WriteError, r.Name));
                continue;
            }
            reload |= system && platform == RegistrationPlatform.Linux;
            if (PassThru) WriteResult(r);
        }
        if (reload) RunCommands([["systemctl", "daemon-reload"]], "systemd");
    }

    /// <summary>Schedules registered in the folder (Linux: their timers; Windows: their task definitions), or in the configuration.</summary>
    private List<string> Registered(RegistrationOptions options, RegistrationPlatform platform, string folder)
    {
        if (platform == RegistrationPlatform.Linux || UnitPath is not null)
        {
            if (!Directory.Exists(folder)) return [];
            if (platform == RegistrationPlatform.Linux)
            {
                var prefix = options.TaskUnitName("");
                return Directory.GetFiles(folder, prefix + "*.timer").Select(f => Path.GetFileNameWithoutExtension(f)[prefix.Length..]).Order().ToList();
            }
            return Directory.GetFiles(folder, "*.xml").Select(Path.GetFileNameWithoutExtension).OfType<string>().Order().ToList();
        }
        return Context.Configuration.Schedules.Where(s => s.Recurrence is not null).Select(s => s.Name).ToList();
    }
}
