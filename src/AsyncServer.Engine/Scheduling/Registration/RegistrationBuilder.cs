using System.Diagnostics;
using AsyncServer.Configuration;
using AsyncServer.Diagnostics;

namespace AsyncServer.Scheduling.Registration;

/// <summary>What one registration writes and which scheduler commands install or remove it.</summary>
public sealed record PlannedRegistration(ScheduleRegistration Registration, IReadOnlyList<UnitFile> Files,
    IReadOnlyList<IReadOnlyList<string>> InstallCommands, IReadOnlyList<IReadOnlyList<string>> RemoveCommands);

/// <summary>
/// Plans Register-/Unregister-AsyncDistributionSchedule: the unit files or task definitions for a folder,
/// and the scheduler commands (systemctl, schtasks.exe, sc.exe) that activate or remove them there.
/// </summary>
public static class RegistrationBuilder
{
    /// <summary>Where systemd looks for administrator units.</summary>
    public const string SystemdSystemFolder = "/etc/systemd/system";

    public static RegistrationPlatform CurrentPlatform => OperatingSystem.IsWindows() ? RegistrationPlatform.Windows : RegistrationPlatform.Linux;

    public static PlannedRegistration ForService(RegistrationOptions o, RegistrationPlatform platform, string folder)
    {
        if (platform == RegistrationPlatform.Linux)
        {
            var unit = SystemdUnits.Service(o);
            return new PlannedRegistration(
                Describe(o, RegistrationKind.Service, platform, "", "the service's own schedules", CommandLines.ServiceCommand(o), folder, [unit]),
                [unit], [["systemctl", "daemon-reload"], ["systemctl", "enable", "--now", unit.FileName]], [["systemctl", "disable", "--now", unit.FileName]]);
        }
        var script = WindowsService.InstallScript(o);
        return new PlannedRegistration(
            Describe(o, RegistrationKind.Service, platform, "", "the service's own schedules", CommandLines.ServiceCommand(o), folder, [script]),
            [script], WindowsService.InstallCommands(o).Select(a => (IReadOnlyList<string>)["sc.exe", .. a]).ToList(),
            WindowsService.RemoveCommands(o).Select(a => (IReadOnlyList<string>)["sc.exe", .. a]).ToList());
    }

    public static PlannedRegistration ForSchedule(RegistrationOptions o, RegistrationPlatform platform, string folder, ScheduleSettings schedule,
        DateTimeOffset now)
    {
        if (schedule.Recurrence is null)
            throw new AsyncServerException(ErrorIds.ScheduleHasNoRecurrence, ErrorKind.InvalidArgument,
                $"Schedule '{schedule.Name}' has no recurrence (it runs on demand only): add one in $.schedules to register it.", schedule.Name);
        var recurrence = Recurrence.Parse(schedule.Recurrence, schedule.Name);
        var command = CommandLines.ScheduleCommand(o, schedule.Name);
        if (platform == RegistrationPlatform.Linux)
        {
            var (service, timer, trigger) = SystemdUnits.Schedule(o, schedule.Name, recurrence);
            return new PlannedRegistration(Describe(o, RegistrationKind.Task, platform, schedule.Name, trigger, command, folder, [service, timer]),
                [service, timer], [["systemctl", "daemon-reload"], ["systemctl", "enable", "--now", timer.FileName]],
                [["systemctl", "disable", "--now", timer.FileName]]);
        }
        var (xml, description) = WindowsTasks.Task(o, schedule.Name, recurrence, now);
        var taskName = WindowsTasks.TaskFolder(o) + UnitNames.Escape(schedule.Name);
        return new PlannedRegistration(Describe(o, RegistrationKind.Task, platform, schedule.Name, description, command, folder, [xml]),
            [xml], [["schtasks.exe", "/Create", "/TN", taskName, "/XML", Path.Combine(folder, xml.FileName), "/F"]],
            [["schtasks.exe", "/Delete", "/TN", taskName, "/F"]]);
    }

    /// <summary>The registration of a schedule found only by its files (its schedule may be gone from the configuration).</summary>
    public static PlannedRegistration ForRemoval(RegistrationOptions o, RegistrationPlatform platform, string folder, string schedule)
    {
        var unit = o.TaskUnitName(schedule);
        if (platform == RegistrationPlatform.Linux)
        {
            IReadOnlyList<UnitFile> files = [new UnitFile(unit + ".service", ""), new UnitFile(unit + ".timer", "")];
            return new PlannedRegistration(Describe(o, RegistrationKind.Task, platform, schedule, "", [], folder, files), files, [],
                [["systemctl", "disable", "--now", unit + ".timer"]]);
        }
        IReadOnlyList<UnitFile> xml = [new UnitFile(UnitNames.Escape(schedule) + ".xml", "")];
        return new PlannedRegistration(Describe(o, RegistrationKind.Task, platform, schedule, "", [], folder, xml), xml, [],
            [["schtasks.exe", "/Delete", "/TN", WindowsTasks.TaskFolder(o) + UnitNames.Escape(schedule), "/F"]]);
    }

    private static ScheduleRegistration Describe(RegistrationOptions o, RegistrationKind kind, RegistrationPlatform platform, string schedule, string trigger,
        IReadOnlyList<string> command, string folder, IReadOnlyList<UnitFile> files) => new()
    {
        Name = kind == RegistrationKind.Service ? o.ServiceName
            : platform == RegistrationPlatform.Linux ? o.TaskUnitName(schedule) : WindowsTasks.TaskFolder(o) + UnitNames.Escape(schedule),
        Kind = kind,
        Platform = platform,
        Schedule = schedule,
        Trigger = trigger,
        Command = platform == RegistrationPlatform.Linux
            ? string.Join(' ', command.Select(CommandLines.SystemdWord))
            : string.Join(' ', command.Select(CommandLines.WindowsWord)),
        Files = files.Select(f => Path.Combine(folder, f.FileName)).ToList(),
    };

    /// <summary>Runs a scheduler command; throws RegistrationFailed with its output when it fails.</summary>
    public static void RunCommand(IReadOnlyList<string> command)
    {
        var info = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in command.Skip(1)) info.ArgumentList.Add(a);
        Process process;
        try { process = Process.Start(info)!; }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new AsyncServerException(ErrorIds.ExecutableNotFound, ErrorKind.ResourceUnavailable,
                $"Cannot run {command[0]}: {ex.Message}", command[0], ex);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new AsyncServerException(ErrorIds.RegistrationFailed, ErrorKind.InvalidOperation,
                    $"'{string.Join(' ', command)}' failed (exit {process.ExitCode}): {(stderr.Length > 0 ? stderr : stdout.Result).Trim()}", command[0]);
        }
    }

    /// <summary>The first file of that name on PATH, or null.</summary>
    public static string? FindOnPath(string name)
    {
        var names = OperatingSystem.IsWindows() ? [name + ".exe", name] : new[] { name };
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            foreach (var n in names)
            {
                var path = Path.Combine(dir, n);
                if (File.Exists(path)) return path;
            }
        return null;
    }
}
