using System.Globalization;
using System.Text;

namespace AsyncServer.Scheduling.Registration;

/// <summary>
/// systemd units: the service (Type=notify: the host tells systemd when it is ready and stopping), or per
/// schedule a oneshot service plus a timer. A timer never starts its service while the previous run is
/// still active, so each schedule runs once at a time, as in the service.
/// </summary>
public static class SystemdUnits
{
    /// <summary>Longer than the service's own shutdown timeout, so systemd never kills a run that is still canceling cleanly.</summary>
    public const int StopTimeoutSeconds = 120;

    public static UnitFile Service(RegistrationOptions o)
    {
        var text = new StringBuilder()
            .AppendLine("# Written by Register-AsyncDistributionSchedule -Service. Remove with Unregister-AsyncDistributionSchedule -Service.")
            .AppendLine("[Unit]")
            .AppendLine("Description=AsyncServer distribution service")
            .AppendLine("Wants=network-online.target")
            .AppendLine("After=network-online.target")
            .AppendLine()
            .AppendLine("[Service]")
            .AppendLine("Type=notify");
        Common(text, o, CommandLines.ServiceCommand(o));
        text.AppendLine("Restart=on-failure")
            .AppendLine("RestartSec=30")
            .AppendLine("KillSignal=SIGTERM")
            .AppendLine(CultureInfo.InvariantCulture, $"TimeoutStopSec={StopTimeoutSeconds}")
            .AppendLine()
            .AppendLine("[Install]")
            .AppendLine("WantedBy=multi-user.target");
        return new UnitFile(o.ServiceName + ".service", text.ToString());
    }

    public static (UnitFile Service, UnitFile Timer, string Trigger) Schedule(RegistrationOptions o, string schedule, Recurrence recurrence)
    {
        var unit = o.TaskUnitName(schedule);
        var service = new StringBuilder()
            .AppendLine(CommandLines.SystemdComment($"# Written by Register-AsyncDistributionSchedule for schedule '{schedule}'; started by {unit}.timer."))
            .AppendLine("[Unit]")
            .AppendLine(CommandLines.SystemdValue($"Description=AsyncServer distribution schedule {schedule}"))
            .AppendLine("Wants=network-online.target")
            .AppendLine("After=network-online.target")
            .AppendLine()
            .AppendLine("[Service]")
            .AppendLine("Type=oneshot");
        Common(service, o, CommandLines.ScheduleCommand(o, schedule));
        // pwsh stops the running cmdlet on SIGINT (StopProcessing): the engine then marks its sessions Canceled.
        service.AppendLine("KillSignal=SIGINT")
            .AppendLine(CultureInfo.InvariantCulture, $"TimeoutStopSec={StopTimeoutSeconds}");

        string trigger;
        var timer = new StringBuilder()
            .AppendLine(CommandLines.SystemdComment($"# Written by Register-AsyncDistributionSchedule for schedule '{schedule}' ({recurrence})."))
            .AppendLine("[Unit]")
            .AppendLine(CommandLines.SystemdValue($"Description=Runs AsyncServer distribution schedule {schedule}"))
            .AppendLine()
            .AppendLine("[Timer]");
        if (recurrence.Interval is { } interval)
        {
            // The first run comes right after the timer starts; then every interval after the previous start.
            trigger = $"OnUnitActiveSec={SystemdCalendar.TimeSpanText(interval)}";
            timer.AppendLine("OnActiveSec=0").AppendLine(trigger);
        }
        else
        {
            trigger = $"OnCalendar={SystemdCalendar.OnCalendar(recurrence, schedule)}";
            // Persistent: an occurrence missed while the machine was off runs once at the next boot.
            timer.AppendLine(trigger).AppendLine("Persistent=true");
        }
        var accuracy = recurrence.Interval is { } i && i < TimeSpan.FromMinutes(1) || recurrence.CronHasSeconds ? "1s" : "1min";
        timer.AppendLine(CultureInfo.InvariantCulture, $"AccuracySec={accuracy}")
            .AppendLine(CultureInfo.InvariantCulture, $"Unit={unit}.service")
            .AppendLine()
            .AppendLine("[Install]")
            .AppendLine("WantedBy=timers.target");
        return (new UnitFile(unit + ".service", service.ToString()), new UnitFile(unit + ".timer", timer.ToString()), trigger);
    }

    private static void Common(StringBuilder text, RegistrationOptions o, IReadOnlyList<string> command)
    {
        text.AppendLine("ExecStart=" + string.Join(' ', command.Select(CommandLines.SystemdWord)));
        text.AppendLine("WorkingDirectory=" + CommandLines.SystemdValue(o.WorkingDirectory));
        if (!string.IsNullOrWhiteSpace(o.User)) text.AppendLine("User=" + CommandLines.SystemdValue(o.User!));
        text.AppendLine("Environment=DOTNET_CLI_TELEMETRY_OPTOUT=1 POWERSHELL_TELEMETRY_OPTOUT=1");
    }
}
