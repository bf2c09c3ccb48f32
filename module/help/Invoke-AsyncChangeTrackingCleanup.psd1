@{
    Synopsis    = 'Removes HQ change history older than a retention period (SQLite and PostgreSQL; SQL Server cleans up by itself).'
    Description = @'
Invoke-AsyncChangeTrackingCleanup keeps the change-tracking side tables of the HQ database from growing for ever. For every tracked table it removes the change records older than -Retention and raises the table's minimum valid version past them.

A data group whose row version for a job is older than a table's new minimum valid version can no longer receive an incremental package for that job: its next distribution becomes a full sync, with a FullSyncReason that names the table and the versions, and a warning. Nothing is ever lost silently, but full syncs are expensive, so choose a retention well above the longest time a schedule may not run (weekends, outages, a store closed for inventory).

On SQL Server, change tracking's own automatic cleanup removes history by itself, according to the retention set when change tracking was enabled; this cmdlet is for the trigger-based providers. The cleanup runs in one transaction. Its impact is High, so it asks for confirmation unless you use -Confirm:$false (for example in a scheduled task).
'@
    Parameters  = @{
        Retention = 'How much change history to keep; older change records are removed. Pass a TimeSpan (New-TimeSpan -Days 14) or a quoted string such as ''14'' (days) or ''14.00:00:00'' (days.hours:minutes:seconds). A bare number such as 14 is converted by PowerShell to 14 ticks, which removes all but the last microseconds of history.'
        WhatIf    = 'Shows the HQ database (connection with secrets masked) and the retention, without removing anything.'
        Confirm   = 'Prompts before the history is removed. Because the cmdlet''s impact is High, it prompts by default; use -Confirm:$false to run unattended.'
    }
    Examples    = @(
        @{
            Code    = 'PS> Invoke-AsyncChangeTrackingCleanup -Retention (New-TimeSpan -Days 14) -Confirm:$false'
            Remarks = 'The nightly housekeeping step: keeps two weeks of change history and removes the rest, without a prompt. The output shows each table''s new MinValidVersion and how many change records it still holds.'
        }
        @{
            Code    = @'
PS> Get-AsyncSession -Status Available, Requested -First 1 | Select-Object Id, JobId, DataGroup, ChannelDatabase, CreatedAt
PS> Invoke-AsyncChangeTrackingCleanup -Retention '30.00:00:00' -WhatIf
'@
            Remarks = 'Before a cleanup, looks at the oldest session a channel database has not downloaded yet, then shows what a 30-day cleanup would do. A data group whose last distribution of a job is older than the retention will get a full sync for that job.'
        }
    )
    Outputs     = 'One per tracked table, after the cleanup: Table, Enabled, MinValidVersion, CurrentVersion and TrackedRows.'
    Notes       = 'Error ids: ConnectionFailed, ProviderNotAvailable, SecretNotFound, ConfigurationNotFound. The retention given here is independent of the RetentionDays recorded by Enable-AsyncChangeTracking.'
    Links       = @('Enable-AsyncChangeTracking', 'Start-AsyncDistribution')
}
