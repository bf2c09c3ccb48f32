@{
    Synopsis    = 'Lists the configured distribution schedules with their last run, last result and next due time.'
    Description = @'
Get-AsyncSchedule lists the distribution schedules of the configuration ($.schedules), like the Distribution schedule form in Dynamics AX: name, active flag, direction, jobs, data groups and recurrence (an interval such as 00:15:00, or a cron expression in a time zone).

The last run and its result come from the message database: for each (job, data group) pair of the schedule, the latest download session. LastRun is the newest of those sessions' creation times; LastResult is the worst outcome among them: Failed (a CreateFailed session), Canceled, Running (a session still Started), NoData (every pair found no change), Succeeded, or Never. Because the row version of a (job, data group) pair is shared, a run of the same pair by hand or by another schedule counts too.

NextDue is computed from the recurrence: an interval counts from the last run (a schedule that never ran is due now); a cron schedule is due at its first occurrence after the last run, or after now when it never ran. A NextDue in the past means the schedule is overdue: the AsyncServer service runs it at once. Inactive schedules and schedules without a recurrence (run on demand only) have no NextDue.
'@
    Parameters  = @{
        Name = 'Schedule names to list; wildcards are allowed. Binds from the pipeline, by value or by the property Name or Schedule. A name without wildcards that matches no schedule writes a non-terminating error with the error id ScheduleNotFound. Default: every schedule.'
    }
    Examples    = @(
        @{
            Code    = 'PS> Get-AsyncSchedule'
            Remarks = 'Lists every schedule with its recurrence, last run, last result and next due time.'
        }
        @{
            Code    = 'PS> Get-AsyncSchedule | Where-Object LastResult -in Failed, Canceled | Format-List Name, LastRun, LastResult, LastMessage'
            Remarks = 'Shows the schedules whose last run failed or was canceled, with the message of the failed session.'
        }
        @{
            Code    = 'PS> Get-AsyncSchedule -Name Nightly | Register-AsyncDistributionSchedule'
            Remarks = 'Registers the Nightly schedule as a systemd timer (Linux) or Task Scheduler task (Windows).'
        }
    )
    Outputs     = 'AsyncServer.Scheduling.ScheduleStatus: Name, Active, Direction, Jobs, DataGroups, Recurrence, Interval (a TimeSpan, for interval recurrences), Cron, TimeZone, LastRun, LastResult, LastMessage, NextDue, LastSessionIds. Jobs, DataGroups and LastSessionIds are lists that print as comma-separated text, so ConvertTo-Csv and Export-Csv write their values. The table view shows Name, LastResult, LastRun and NextDue (inactive or on demand when there is no due time) in local time with the UTC offset; Format-List shows everything.'
    Notes       = 'Error ids: ScheduleNotFound (non-terminating), MessageDatabaseNotInitialized, MessageDatabaseOutdated, ConfigurationNotFound.'
    Links       = @('Start-AsyncDistribution', 'Register-AsyncDistributionSchedule', 'Get-AsyncSession')
}
