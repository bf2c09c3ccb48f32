@{
    Synopsis    = 'Removes HQ change history older than a retention period; on SQL Server, runs SQL Server''s own change tracking cleanup now.'
    Description = @'
Invoke-AsyncChangeTrackingCleanup keeps the change-tracking side tables of the HQ database from growing for ever. For every tracked table it removes the change records older than -RetentionDays and raises the table's minimum valid version past them.

A data group whose row version for a job is older than a table's new minimum valid version can no longer receive an incremental package for that job: its next distribution becomes a full sync, with a FullSyncReason that names the table and the versions, and a warning. Nothing is ever lost silently, but full syncs are expensive, so choose a retention well above the longest time a schedule may not run (weekends, outages, a store closed for inventory).

On SQL Server, change tracking's automatic cleanup removes expired history by itself, by the database's retention (set with Enable-AsyncChangeTracking -RetentionDays). There, a positive -RetentionDays runs that cleanup now for every tracked table (sys.sp_flush_CT_internal_table_on_demand: SQL Server 2016 SP1 or later, membership of db_owner), still by the database's retention, which the argument does not override; it is useful after shortening the retention. A zero -RetentionDays switches change tracking of every tracked table of the database off and on again in one transaction: all their history is dropped, including that of tables tracked for other readers, and the next run of every job that reads them is a full sync.

On SQLite and PostgreSQL the cleanup runs in one transaction. Its impact is High, so it asks for confirmation unless you use -Confirm:$false (for example in a scheduled task).
'@
    Parameters  = @{
        RetentionDays = 'Days of change history to keep (0 to 36500); older change records are removed. Default: the configuration''s retentionDays (14 unless set), the same default as Enable-AsyncChangeTracking -RetentionDays. On SQL Server only zero or not matters: a positive value runs the server''s cleanup by the database''s retention, zero drops all history (see the description).'
        WhatIf    = 'Shows the HQ database (connection with secrets masked) and the retention, without removing anything.'
        Confirm   = 'Prompts before the history is removed. Because the cmdlet''s impact is High, it prompts by default; use -Confirm:$false to run unattended.'
    }
    Examples    = @(
        @{
            Code    = 'PS> Invoke-AsyncChangeTrackingCleanup -Confirm:$false'
            Remarks = 'The nightly housekeeping step: keeps the configuration''s retentionDays of change history (two weeks by default) and removes the rest, without a prompt. The output shows each table''s new MinValidVersion and how many change records it still holds.'
        }
        @{
            Code    = @'
PS> Get-AsyncSession -Status Available, Requested -First 1 | Select-Object Id, Job, DataGroup, ChannelDatabase, CreatedAt
PS> Invoke-AsyncChangeTrackingCleanup -RetentionDays 30 -WhatIf
'@
            Remarks = 'Before a cleanup, looks at the oldest session a channel database has not downloaded yet, then shows what a 30-day cleanup would do. A data group whose last distribution of a job is older than the retention will get a full sync for that job.'
        }
    )
    Outputs     = 'One per tracked table, after the cleanup: Table, Enabled, MinValidVersion, CurrentVersion and TrackedRows.'
    Notes       = 'Error ids: ConnectionFailed, ProviderNotAvailable (on SQL Server: a server without on-demand cleanup; automatic cleanup carries on), PermissionDenied, SecretNotFound, ConfigurationNotFound. The retention given here is independent of the RetentionDays recorded by Enable-AsyncChangeTracking.'
    Links       = @('Enable-AsyncChangeTracking', 'Start-AsyncDistribution')
}
