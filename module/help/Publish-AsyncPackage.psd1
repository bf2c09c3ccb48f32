@{
    Synopsis    = 'Validates a staged package and makes its download session Available to the channel databases of its data group.'
    Description = @'
Publish-AsyncPackage releases packages that Start-AsyncDistribution -NoPublish left in the staging folder (possibly on another AsyncServer instance sharing the same message database). Before anything changes, each package is proved:

- the file exists and is a complete, readable package (every table, row count and checksum in it verifies);
- its manifest belongs to this configuration: same partition, a job and data group that exist, tables that come from the job's subjobs with the channel table and mapped columns the configuration says;
- the message database has its session, the session is staged and still Started, and the manifest agrees with the session (job, data group, version range);
- the file's SHA-256 and size are those recorded for the session when it was written.

The package is then copied into the download folder under a temporary name, flushed and renamed, so that a channel never sees a partial file; the session becomes Available in one message-database transaction, with a target for every channel database of its data group (or only the channel databases a targeted full sync named). The staged file is removed afterwards.

Each path is handled on its own: a package that fails validation writes a non-terminating error naming the file and the reason, and the next path is still processed.
'@
    Parameters  = @{
        Path     = 'Paths of staged package files (.zip). Accepts pipeline input by value (strings) and by property name: FullName, so files from Get-ChildItem bind, and PackagePath, so staged sessions from Get-AsyncSession bind. Relative paths are resolved against the current location.'
        PassThru = 'Writes the published session to the pipeline, one object per channel database that can now download it. By default nothing is written.'
        WhatIf   = 'Validates each package exactly as a real publish would (and writes an error for each package that would fail), without copying the file or changing its session.'
        Confirm  = 'Prompts before each package is published.'
    }
    Examples    = @(
        @{
            Code    = 'PS> Get-ChildItem D:\AsyncServer\Download\.staging -Filter *.zip | Publish-AsyncPackage -WhatIf'
            Remarks = 'Checks every staged package before a release window, without publishing: each package that would fail is reported with its error id (PackageInvalid, PackageMismatch, SessionStateInvalid, ...), and the others print a What if line.'
        }
        @{
            Code    = 'PS> Get-AsyncSession -Status Started | Where-Object Staged | Publish-AsyncPackage -PassThru | Format-Table'
            Remarks = 'Publishes every staged session: the sessions'' PackagePath property binds to -Path. The output lists each session once per channel database, now Available.'
        }
        @{
            Code    = 'PS> Publish-AsyncPackage -Path .\download\.staging\ps1_1040_USRT-Stores_00001207.zip -ConfigurationPath D:\AsyncServer\asyncserver.json'
            Remarks = 'Publishes one staged package of the Products job for the USRT-Stores data group, using the configuration of the AsyncServer instance that shares the message database.'
        }
    )
    Outputs     = 'None by default. With -PassThru: AsyncServer.Messaging.DownloadSession, one object per published session and channel database.'
    Notes       = 'Error ids (non-terminating, one per failed package): PackageNotFound, PackageInvalid (unreadable package, or a manifest that disagrees with the configuration or the session), PackageMismatch (SHA-256 or size differs from what was recorded), SessionNotFound, SessionStateInvalid (the session is not a staged session in Started status, for example already published). MessageDatabaseNotInitialized and ConfigurationNotFound also apply.'
    Links       = @('Start-AsyncDistribution', 'Get-AsyncSession')
}
