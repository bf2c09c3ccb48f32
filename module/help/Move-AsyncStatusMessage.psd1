@{
    Synopsis    = 'Moves status messages from the message database into status tables in the HQ database, then purges sessions, messages and files older than the retention.'
    Description = @'
Move-AsyncStatusMessage is the "process status messages" job. It copies every status message not yet moved into the HQ database's ASYNCSTATUSMESSAGE table (keyed by the message id) and keeps ASYNCSESSIONSTATUS (the latest status of each session at each channel database) up to date; the tables are created on first use (docs/client.md). Each batch is written in one HQ transaction and then marked moved in the message database, so the job is safe to interrupt and run again: a message written but not yet marked is skipped by its key the next time, and lands exactly once.

Then it applies the configuration's retentionDays: sessions created before the cutoff that are finished everywhere (no channel database still has work in them) are deleted with their targets and their package files; moved status messages older than the cutoff are deleted (messages that were never moved are kept); orphan temporary files (.NAME.tmp, left by a crash) older than an hour are deleted from the download, staging and upload folders and the client's local folders. Which channel databases have joined each job is kept, so purging never makes a store look new.
'@
    Parameters  = @{
        WhatIf  = 'Shows the counts (messages to move, counted up to 100,000, sessions, messages, package files and temporary files to purge, bytes freed) without writing to HQ or deleting anything.'
        Confirm = 'Prompts once, showing the same counts. The cmdlet deletes sessions and package files, so its ConfirmImpact is High: it prompts by default; use -Confirm:$false in a scheduled task.'
    }
    Examples    = @(
        @{
            Code    = 'PS> Move-AsyncStatusMessage -WhatIf'
            Remarks = 'Prints what a run would move and purge.'
        }
        @{
            Code    = 'PS> Move-AsyncStatusMessage -ConfigurationPath D:\AsyncServer\asyncserver.json -Verbose'
            Remarks = 'Moves the messages and purges; the summary object lists the counts. Schedule it daily next to the distribution schedules.'
        }
    )
    Outputs     = 'AsyncServer.Messaging.StatusMoveSummary: MessagesMoved, SessionsPurged, StatusMessagesPurged, PackageFilesDeleted, TempFilesDeleted, BytesFreed, RetentionDays, PurgedBefore, HqDatabase.'
    Notes       = 'Error ids: MessageDatabaseNotInitialized, ConnectionFailed (HQ or the message database cannot be opened), ProviderNotAvailable (the HQ provider has no status tables yet), ConfigurationNotFound.'
    Links       = @('Get-AsyncSession')
}
