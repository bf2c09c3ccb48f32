@{
    Synopsis    = 'Packages HQ changes for jobs and data groups and records download sessions in the message database.'
    Description = @'
Start-AsyncDistribution is the download side of AsyncServer, the equivalent of running a distribution schedule (or "Run now") in Dynamics AX / Commerce headquarters. For every (job, data group) pair it is asked to run, it:

1. claims the pair in the message database with a lease, so that several AsyncServer instances sharing one message database never package the same work twice (pairs claimed by another instance are skipped with a warning);
2. sweeps sessions a crashed run left in Started, marking them CreateFailed and deleting their files;
3. reads the pair's row version and opens one consistent snapshot of the HQ database;
4. decides between an incremental and a full package: the first run of a pair, -FullSync, or a history gap (change tracking of a table was cleaned up past the row version) give a full package, and the session's FullSyncReason says why. A full package the engine decides on by itself (first run, history gap) also tells the channel to delete its existing data for the job, so rows that left HQ or the filter meanwhile do not stay behind;
   channel databases of the data group that have never received this job (a new store) are seeded: they get one targeted full package with delete-existing at the same snapshot, instead of replaying history, while the others get the incremental;
5. streams every subjob's rows (field map and row filter applied, with the filter parameters of the data group's channel databases) into one or more package files in the download folder, splitting at the configuration's packageLimits;
6. records the sessions and the new row version in one message-database transaction. The row version never moves without its sessions: a failure or Ctrl+C leaves the row version where it was, marks the run's sessions CreateFailed or Canceled and deletes its files. An operator can also stop the run of one pair by canceling one of its Started sessions with Stop-AsyncSession: that pair records nothing (a warning says so) and the next run packages the same changes.

When a run finds no change, it records a NoData session and no package. Every channel database of the data group receives the same package; each gets its own status in the session.

Use -Schedule to run the jobs and data groups of schedules defined in the configuration (the schedule's active flag and recurrence are for the scheduler; naming a schedule here always runs it), or -Job (with -DataGroup) to run chosen jobs. Use -FullSync to send every row, -ChannelDatabase to seed or repair single channel databases with a full package without moving the data group's row version, and -NoPublish to stage packages for review before Publish-AsyncPackage makes them available.

All names are checked against the configuration before anything is written, and the configuration is checked against the HQ catalog (tables, columns, filters); if anything is wrong, nothing is distributed.
'@
    Parameters  = @{
        Schedule           = 'Names of distribution schedules in the configuration ($.schedules). Every job of each schedule is distributed to every data group of that schedule. Binds from the pipeline by property name (Schedule or Name), so schedule objects can be piped in. Tab completion offers the schedule names of the configuration. Unknown names fail with the error id ScheduleNotFound. For an upload schedule (direction Upload) the cmdlet applies at HQ the upload sessions of its jobs that the stores of its data groups have sent (docs/upload.md): each in one HQ transaction with the store''s counters; a package applied twice changes nothing, one that starts after a gap is held (it stays Uploaded, with the reason) until the earlier one arrives, and a failed one becomes ApplyFailed naming the cause and is tried again up to tryCount times. It writes one AsyncServer.Upload.UploadSession per session tried.'
        Job                = 'IDs of scheduler jobs in the configuration ($.jobs), for example 1040 (Products) or 1020 (Prices and discounts). Each job is distributed to the data groups named by -DataGroup, or to every data group when -DataGroup is omitted. Binds from the pipeline by property name (Job, JobId). Tab completion offers the job IDs of the configuration. Unknown IDs fail with the error id JobNotFound.'
        DataGroup          = 'With -Job: the channel data groups ($.dataGroups) to distribute to. Default: every data group of the configuration (or, with -ChannelDatabase, the data groups of those channel databases). Binds from the pipeline by property name (DataGroup, DataGroupId). Tab completion offers the data groups of the configuration. Unknown names fail with the error id DataGroupNotFound.'
        FullSync           = 'Package every row that passes the subjob filters instead of the changes since the row version. The data group''s row version moves to the current HQ version as with an incremental run (unless -ChannelDatabase is used). Use it to resynchronise a data group, for example after restoring a channel database.'
        ChannelDatabase    = 'Full sync only these channel databases: one package is created for their data group, only they receive it, and the data group''s row version does not move, so the other channel databases of the group are unaffected. Requires -FullSync. Their data groups are implied when -DataGroup is omitted. Tab completion offers the channel databases of the configuration. Unknown names fail with the error id ChannelDatabaseNotFound.'
        DeleteExistingData = 'With -FullSync: the package tells the channel to empty the job''s channel tables before applying it (recorded as DeleteExisting on the session and in the package manifest). A package is created even when no row passes the filters, so the tables are still emptied; older pending sessions of the same job at those channel databases are then skipped by the client. Requires -FullSync. (Full packages the engine decides on by itself, for a first run, a history gap or seeding a new channel database, always delete existing data; a full sync you ask for does so only with this switch.)'
        NoPublish          = 'Write the packages to the staging folder (workingFolders.staging, default download/.staging) instead of the download folder. The sessions stay Started with Staged = True and no channel database can download them until Publish-AsyncPackage validates and publishes them. The row version still moves, so the next run continues after the staged package.'
        InstanceId         = 'The identity of this AsyncServer instance, recorded on every session it creates and on its leases in the message database. Default: the host name and process id (host:pid). Set a stable name when runs are started by a scheduler so that sessions show which server created them.'
        WhatIf             = 'Shows, for every (job, data group) pair, what a run would do: Incremental, Full or NoData, the version range, and the reason for a full sync. It reads the HQ database and the message database to find out, and writes nothing: no package, no session, no row version, no lease.'
        Confirm            = 'Prompts once for every (job, data group) pair before it is distributed; pairs you decline are skipped and their row versions do not move. With -DeleteExistingData, which empties channel tables, the cmdlet confirms as a ConfirmImpact High command would: it prompts by default, and -Confirm:$false runs it unattended.'
    }
    Defaults    = @{ InstanceId = 'host:pid of this process' }
    Examples    = @(
        @{
            Code    = 'PS> Start-AsyncDistribution -Schedule Products-and-prices'
            Remarks = 'Runs the schedule "Products-and-prices" now, as "Run now" does in headquarters: jobs 1040 (Products) and 1020 (Prices and discounts) for the data groups USRT-Stores and USMF-Stores. The configuration is read from $env:ASYNCSERVER_CONFIGURATION or ./asyncserver.json. One download session is written per session and channel database; runs without changes are listed as NoData.'
        }
        @{
            Code    = 'PS> Start-AsyncDistribution -Job 1040 -DataGroup USRT-Stores -WhatIf'
            Remarks = @'
Shows what distributing the Products job to the USRT-Stores data group would do, without writing anything, for example:

What if: Performing the operation "Distribute" on target "Incremental distribution of job 1040 to data group USRT-Stores (versions 1842..1907)".
'@
        }
        @{
            Code    = 'PS> Start-AsyncDistribution -Job 1010, 1040, 1070 -ChannelDatabase SEATTLE -FullSync -DeleteExistingData -ConfigurationPath D:\AsyncServer\asyncserver.json'
            Remarks = 'Re-seeds the channel database of the Seattle store after it was restored from an old backup: one full package per job for its data group, which empties the channel tables of each job before applying. Only SEATTLE receives these packages, and the data group''s row versions do not move, so HOUSTON, in the same data group, is unaffected.'
        }
        @{
            Code    = @'
PS> $staged = Start-AsyncDistribution -Job 1020 -FullSync -NoPublish
PS> $staged | Format-Table Id, Job, DataGroup, RowCount, PackagePath
PS> $staged.PackagePath | Select-Object -Unique | Publish-AsyncPackage -PassThru
'@
            Remarks = 'Builds full packages of the price job for every data group into the staging folder, lets you review them, then publishes them: the sessions become Available for the channel databases of each data group.'
        }
    )
    Outputs     = 'One object per recorded session and channel database (a session without targets, such as NoData, appears once). Id, Job, DataGroup, ChannelDatabase, Status, Kind (Incremental or Full), FullSyncReason, FromVersion/ToVersion, RowCount, PackagePath, PackageSize and PackageSha256 describe what was packaged. With -WhatIf, nothing is written to the pipeline.'
    Notes       = @'
Error ids (ErrorRecord.FullyQualifiedErrorId): ScheduleNotFound, JobNotFound, DataGroupNotFound, ChannelDatabaseNotFound, NothingToDistribute (no -Schedule or -Job, or -ChannelDatabase/-DeleteExistingData without -FullSync), ConfigurationInvalid (the configuration or HQ catalog has problems; nothing was distributed), ChangeTrackingNotEnabled (run Enable-AsyncChangeTracking), SnapshotIsolationNotEnabled (SQL Server HQ: the DBA must allow snapshot isolation; the message quotes the statement), MessageDatabaseNotInitialized and MessageDatabaseOutdated (run Initialize-AsyncMessageDatabase), ConcurrentRun and WorkClaimedElsewhere (another instance distributed or took over the same work), DistributionFailed. Pairs distributed before an error stay recorded; the failing pair records nothing.

A full sync caused by a history gap is reported as a warning. Progress is reported with activity id 1040. Ctrl+C stops the run: the current pair's sessions become Canceled and its files are deleted.
'@
    Links       = @('Get-AsyncSession', 'Publish-AsyncPackage', 'Stop-AsyncSession', 'Get-AsyncSchedule', 'Register-AsyncDistributionSchedule', 'Enable-AsyncChangeTracking', 'Test-AsyncConfiguration')
}
