@{
    Synopsis    = 'Installs the AsyncServer service, or one scheduled task per schedule (a systemd timer on Linux, a Task Scheduler task on Windows).'
    Description = @'
Register-AsyncDistributionSchedule makes distribution schedules run by themselves, in one of two ways.

Scheduled tasks (the default): one task per schedule runs "Start-AsyncDistribution -Schedule NAME -ConfigurationPath PATH" in pwsh at the schedule's recurrence. On Linux this is a systemd oneshot service plus a timer: an interval becomes OnUnitActiveSec (counted from the previous start), a cron expression becomes OnCalendar in the schedule's time zone, with Persistent=true so an occurrence missed while the machine was off runs at boot. On Windows it is a Task Scheduler task in the \asyncserver\ folder (the -ServiceName), with calendar triggers for a cron expression or a repeating time trigger for an interval, and MultipleInstancesPolicy IgnoreNew. Either way a schedule never runs twice at once. Cron features a timer cannot express (L, W, #; on Windows also several seconds, both day of month and day of week, or a time zone other than UTC or the machine's) are refused with the error id RecurrenceNotRepresentable: use the service for those.

The service (-Service): one long-running AsyncServer.Service process runs every active schedule with a recurrence, several in parallel up to -MaxParallelRuns. On Linux it is a systemd unit of Type=notify; on Windows a service installed with sc.exe (automatic delayed start, restarted on failure). On stop it cancels the runs in progress, whose sessions become Canceled, and exits.

Without -UnitPath the units are written to /etc/systemd/system and enabled and started with systemctl (Linux), or the task or service is created with schtasks.exe or sc.exe (Windows); this needs administrator rights. With -UnitPath the files are only written to that folder, to review them or install them elsewhere. -WhatIf prints every unit or task definition it would write.
'@
    Parameters  = @{
        Schedule         = 'The schedules to register. Binds from the pipeline (for example from Get-AsyncSchedule) by value or by the property Name. Default: every active schedule with a recurrence. With -Service, the service runs only these schedules (its --schedules option).'
        Service          = 'Installs the AsyncServer service instead of one scheduled task per schedule.'
        UnitPath         = 'A folder to write the systemd units, Task Scheduler XML definitions or the sc.exe install script to. Nothing is enabled or installed: use it to review the files, to install them on another machine, or in tests.'
        Platform         = 'Linux (systemd) or Windows (Task Scheduler and sc.exe). Default: this machine''s. Files for the other platform need -UnitPath, and paths are then written as given.'
        ServiceName      = 'The name of the service unit or Windows service, the prefix of the task units (NAME-schedule-SCHEDULE) and the Task Scheduler folder. Letters, digits, ''.'', ''_'' and ''-''.'
        User             = 'The account the service or tasks run as: User= in the systemd units; on Windows a built-in account (NT AUTHORITY\NetworkService, LocalSystem) or a group managed service account. Default: root on Linux, LocalSystem on Windows.'
        WorkingDirectory = 'The working directory of the service or tasks. Default: the folder of the configuration file.'
        PwshPath         = 'The pwsh executable the tasks run. Default: the pwsh running this command, else pwsh on PATH.'
        ModulePath       = 'The AsyncServer module manifest the tasks import. Default: the manifest of the loaded module.'
        ServicePath      = 'AsyncServer.Service.dll (run by dotnet) or a published AsyncServer.Service executable. Default: the AsyncServer.Service folder beside the module folder, where build.ps1 lays it out.'
        DotnetPath       = 'The dotnet host that runs AsyncServer.Service.dll. Default: dotnet on PATH.'
        MaxParallelRuns  = 'How many schedules the service may run at once (its --max-parallel-runs option; each schedule still runs once at a time). Default: the service''s default, 2.'
        NoEnable         = 'On Linux, writes the units to /etc/systemd/system without running systemctl (enable them later with systemctl enable --now). On Windows nothing is created: to get the definitions without installing them, use -UnitPath.'
        Force            = 'Replaces units or task definitions that already exist. Without it, an existing registration writes an error with the error id RegistrationExists and is left as it is.'
    }
    Defaults    = @{ ServiceName = 'asyncserver'; WorkingDirectory = 'the configuration file''s folder' }
    Examples    = @(
        @{
            Code    = 'PS> Register-AsyncDistributionSchedule -ConfigurationPath /etc/asyncserver/asyncserver.json -User asyncserver'
            Remarks = 'On Linux, as root: writes /etc/systemd/system/asyncserver-schedule-NAME.service and .timer for every active schedule with a recurrence, then runs systemctl daemon-reload and systemctl enable --now for each timer.'
        }
        @{
            Code    = 'PS> Register-AsyncDistributionSchedule -Service -ConfigurationPath /etc/asyncserver/asyncserver.json -User asyncserver -MaxParallelRuns 4'
            Remarks = 'Installs and starts the AsyncServer service (systemd unit asyncserver.service, or the Windows service asyncserver) that runs every schedule itself.'
        }
        @{
            Code    = 'PS> Register-AsyncDistributionSchedule -Schedule Nightly -UnitPath ./units -WhatIf'
            Remarks = 'Prints the timer and service unit that would be written for the Nightly schedule, and writes nothing.'
        }
        @{
            Code    = 'PS> Register-AsyncDistributionSchedule -Platform Windows -UnitPath .\tasks; schtasks.exe /Create /TN \asyncserver\Nightly /XML .\tasks\Nightly.xml'
            Remarks = 'Writes the Task Scheduler definitions to a folder to review them, then creates one task by hand.'
        }
    )
    Outputs     = 'AsyncServer.Scheduling.Registration.ScheduleRegistration, one per service or task: Name, Kind (Service or Task), Platform, Schedule, Trigger (OnCalendar, OnUnitActiveSec or the Task Scheduler trigger), Command, Files and Activated (whether systemctl, schtasks.exe or sc.exe was run).'
    Notes       = 'Error ids: ScheduleNotFound, ScheduleHasNoRecurrence, RecurrenceNotRepresentable, RegistrationExists (non-terminating, per schedule); UnitPathRequired, ExecutableNotFound; RegistrationFailed when systemctl, schtasks.exe or sc.exe fails (its output is in the message).'
    Links       = @('Unregister-AsyncDistributionSchedule', 'Get-AsyncSchedule', 'Start-AsyncDistribution')
}
