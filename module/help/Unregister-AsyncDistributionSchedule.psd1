@{
    Synopsis    = 'Removes the AsyncServer service, or the scheduled tasks of schedules, installed by Register-AsyncDistributionSchedule.'
    Description = @'
Unregister-AsyncDistributionSchedule undoes Register-AsyncDistributionSchedule. Without -UnitPath, on Linux it disables and stops each timer (or the service) with systemctl, deletes the unit files from /etc/systemd/system and reloads systemd; on Windows it deletes the Task Scheduler tasks with schtasks.exe, or stops and deletes the service with sc.exe. A run in progress is stopped the way Ctrl+C would stop it, so its sessions become Canceled.

With -UnitPath it only deletes the files from that folder. Without schedule names, every schedule registered there is removed (on Linux: every NAME-schedule-*.timer in the folder, also of schedules no longer in the configuration; on Windows without -UnitPath: the schedules of the configuration that have a recurrence).
'@
    Parameters  = @{
        Schedule    = 'The schedules whose tasks to remove. Binds from the pipeline by value or by the property Name. A schedule that is not registered writes a non-terminating error with the error id RegistrationNotFound. Default: every registered schedule.'
        Service     = 'Removes the AsyncServer service instead of scheduled tasks.'
        UnitPath    = 'The folder the units were written to with Register-AsyncDistributionSchedule -UnitPath. Only files are deleted; systemctl, schtasks.exe and sc.exe are not run.'
        Platform    = 'Linux or Windows: which kind of files to look for. Default: this machine''s. The other platform needs -UnitPath.'
        ServiceName = 'The service name and task prefix given to Register-AsyncDistributionSchedule.'
        PassThru    = 'Writes an object for each service or task removed.'
    }
    Defaults    = @{ ServiceName = 'asyncserver' }
    Examples    = @(
        @{
            Code    = 'PS> Unregister-AsyncDistributionSchedule -Schedule Nightly'
            Remarks = 'Stops and removes the timer and service unit (Linux) or the Task Scheduler task (Windows) of the Nightly schedule.'
        }
        @{
            Code    = 'PS> Unregister-AsyncDistributionSchedule -Service'
            Remarks = 'Stops the AsyncServer service and removes it.'
        }
        @{
            Code    = 'PS> Unregister-AsyncDistributionSchedule -UnitPath ./units -PassThru'
            Remarks = 'Deletes every schedule''s units from ./units and lists what was removed.'
        }
    )
    Outputs     = 'With -PassThru, AsyncServer.Scheduling.Registration.ScheduleRegistration for each service or task removed.'
    Notes       = 'Error ids: RegistrationNotFound (non-terminating, per schedule); UnitPathRequired; RegistrationFailed when systemctl, schtasks.exe or sc.exe fails (the files are still removed).'
    Links       = @('Register-AsyncDistributionSchedule', 'Get-AsyncSchedule')
}
