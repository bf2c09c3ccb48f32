@{
    Synopsis    = 'Lists download sessions from the message database, one row per session and channel database.'
    Description = @'
Get-AsyncSession reads download sessions from the message database, like the Download sessions form in Dynamics AX / Commerce headquarters. A session is one package (or one part of a package) of one job for one data group and version range; it is listed once per channel database of the data group, with that channel database's own status (Available, Requested, Downloaded, Applied, DownloadFailed, ApplyFailed, Suspended, Canceled). Sessions that have no channel database yet (Started, CreateFailed, NoData, or staged by Start-AsyncDistribution -NoPublish) are listed once with an empty ChannelDatabase.

All filters combine (AND); values within one filter combine (OR). -Job, -DataGroup and -ChannelDatabase follow the module's rule for names: a value with wildcards (USRT*) selects every configured name it matches, and selects nothing, silently, if none does; a literal name the configuration does not define writes a non-terminating error (JobNotFound, DataGroupNotFound, ChannelDatabaseNotFound). Sessions of names since removed from the configuration are listed when you do not filter by name. Sessions are listed in session order. NoData sessions (runs that found no change) are hidden unless you use -IncludeNoData, ask for -Status NoData, or name sessions by -Id.

The message database must be initialized (Initialize-AsyncMessageDatabase); the cmdlet only reads it.
'@
    Parameters  = @{
        Id              = 'Session IDs to list. Binds from the pipeline by value (3 | Get-AsyncSession) and by property name (Id or SessionId), so the output of Start-AsyncDistribution or another Get-AsyncSession can be piped in. Tab completion offers the newest session IDs of the message database. An ID that does not exist writes a non-terminating error with the error id SessionNotFound and the other sessions are still listed.'
        Status          = 'Only rows with these statuses: the status at the channel database, or the session''s own status for rows without a channel database. Valid values: the download statuses Started, Available, Requested, Downloaded, Applied, Canceled, CreateFailed, DownloadFailed, ApplyFailed, NoData, Suspended, and the upload statuses Uploaded and UploadFailed (the two directions share Started, Applied, ApplyFailed and Canceled). Asking for NoData includes NoData sessions. Without -Direction, an upload-only status brings upload sessions in: -Status Uploaded, UploadFailed lists upload sessions, and -Status Uploaded, Available lists both directions.'
        Job             = 'Only sessions of these scheduler jobs, for example 1040 or 10*. Wildcards allowed; a literal job ID the configuration does not have is a JobNotFound error. Binds from the pipeline by property name (Job or JobId). Tab completion offers the job IDs of the configuration.'
        DataGroup       = 'Only sessions of these channel data groups, for example USRT-Stores or USRT*. Wildcards allowed; a literal name the configuration does not have is a DataGroupNotFound error. Binds from the pipeline by property name (DataGroup or DataGroupId). Tab completion offers the data groups of the configuration.'
        ChannelDatabase = 'Only sessions targeted at these channel databases, and only their rows (other channel databases of the same session are not listed). Wildcards allowed; a literal name the configuration does not have is a ChannelDatabaseNotFound error. Binds from the pipeline by property name (ChannelDatabase or ChannelDatabaseId). Tab completion offers the channel databases of the configuration.'
        After           = 'Only sessions created at or after this time. A time without a kind (Get-Date output, or a string such as ''2026-11-26 06:00'') is local time.'
        Before          = 'Only sessions created before this time. A time without a kind is local time.'
        IncludeNoData   = 'Also list NoData sessions: runs that found no change and created no package. They are hidden by default, as in AX.'
        First           = 'At most this many objects (one per session and channel database), the oldest first.'
        Direction       = 'Download (the default) lists download sessions; Upload lists upload sessions (what stores sent to HQ: one object per session, with its tables'' counter ranges); All lists both. An upload session''s -Id (upload session ids start at 1000000000001) finds it whatever the direction. With Upload or All, -Status filters upload sessions by their own statuses (Started, Uploaded, Applied, UploadFailed, ApplyFailed, Canceled).'
    }
    Examples    = @(
        @{
            Code    = 'PS> Get-AsyncSession -Direction Upload -ChannelDatabase HOUSTON -First 5'
            Remarks = 'Lists the five newest upload sessions of the Houston store: Uploaded (waiting for HQ, or held behind a gap), Applied, UploadFailed or ApplyFailed, with the rows and counter ranges they carry.'
        }
        @{
            Code    = 'PS> Get-AsyncSession -Status ApplyFailed, DownloadFailed, Suspended'
            Remarks = 'Lists what needs attention: sessions that failed at a store, and sessions held back (Suspended) behind an earlier failure of the same channel database.'
        }
        @{
            Code    = 'PS> Get-AsyncSession -Job 1040 -DataGroup USRT-Stores -After (Get-Date).Date -IncludeNoData | Format-Table'
            Remarks = 'Shows today''s Products sessions for the USRT-Stores data group, including the runs that found no change.'
        }
        @{
            Code    = 'PS> Get-AsyncSession -Id 1207 -ChannelDatabase HOUSTON | Format-List'
            Remarks = 'Shows every detail of session 1207 as the Houston store sees it: status, number of tries, versions, package path, size and SHA-256, full sync reason and the last message.'
        }
        @{
            Code    = 'PS> Get-AsyncSession -ChannelDatabase SEA* -Status Available | Measure-Object | Select-Object Count'
            Remarks = 'Counts the sessions the Seattle store (every channel database whose name starts with SEA) has not requested yet: a growing number means its Async Client is not polling.'
        }
        @{
            Code    = 'PS> Get-AsyncSession -Status Uploaded, UploadFailed'
            Remarks = 'Lists the upload sessions waiting for HQ to apply them (Uploaded) and those whose store could not deliver them (UploadFailed; the store sends the same rows again on its next run). Upload statuses select upload sessions without -Direction.'
        }
        @{
            Code    = 'PS> Get-AsyncSession -ConfigurationPath /etc/asyncserver/hq.json -Status DownloadFailed | Restart-AsyncSession -WhatIf'
            Remarks = 'Works from any folder: each session carries the configuration it was read with (its ConfigurationPath property), and Restart-AsyncSession binds it by property name, so the path is typed once.'
        }
        @{
            Code    = 'PS> Get-AsyncSession -Status ApplyFailed -ChannelDatabase HOUSTON | Restart-AsyncSession -PassThru'
            Remarks = 'Reruns the sessions that failed to apply at the Houston store once the cause is fixed: Id and ChannelDatabase bind by property name, and the sessions become Available again for the next Receive-AsyncPackage.'
        }
    )
    Outputs     = 'One object per session and channel database, with Id, Job, DataGroup, ChannelDatabase, Status (this row: the session at that channel database, or the session itself while it has no channel database), PackageStatus (how creating the package went, the same on every row of the session: Started, Available, CreateFailed, NoData or Canceled), Kind, RowCount, FromVersion, ToVersion, Part, PackagePath, PackageSize, PackageSha256, Staged, Tries, InstanceId, CreatedAt, FinishedAt, UpdatedAt, Duration and Message.'
    Notes       = 'Times are DateTimeOffset values in UTC; the table and list views show them in local time, year first, with the UTC offset. Error ids: SessionNotFound (non-terminating, per missing -Id), JobNotFound, DataGroupNotFound, ChannelDatabaseNotFound (non-terminating, per literal name the configuration does not define), MessageDatabaseNotInitialized, MessageDatabaseOutdated, MessageDatabaseTooNew, ConfigurationNotFound.'
    Links       = @('Start-AsyncDistribution', 'Publish-AsyncPackage', 'Stop-AsyncSession', 'Restart-AsyncSession', 'Receive-AsyncPackage')
}
