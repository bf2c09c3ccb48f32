@{
    Synopsis    = 'Reruns a failed, suspended or canceled download session: packages it again if its file is gone, makes it Available and resets its tries.'
    Description = @'
Restart-AsyncSession is the operator's Rerun. The session's target at the channel database (or at every channel database where it is DownloadFailed, ApplyFailed, Suspended or Canceled) becomes Available again with its try counter at zero, so the next Receive-AsyncPackage applies it in its place in the session order.

If the package file is missing or is not the file recorded for the session (size or SHA-256 differ), it is packaged again from HQ first: the new package holds every change since the session's from version, each row at its current state (a full session: every row), which is safe to apply because upserts and deletes by key are idempotent and later sessions carry the same or newer state. If HQ no longer has the history since that version, the rerun fails with RepackageFailed and names the full sync to run instead.

Sessions that were never packaged (CreateFailed, or canceled while being created) cannot be rerun: their changes are still ahead of the row version, and the next distribution includes them. Applied sessions cannot be rerun; a full sync for the channel database re-sends the data.

An upload session (id 1000000000001 or above) that is ApplyFailed, Canceled or held (Uploaded) becomes Uploaded with its tries reset, so the next upload schedule run applies it; an UploadFailed one cannot be rerun: the store's next Send-AsyncPackage sends its rows again.
'@
    Parameters  = @{
        Id              = 'Ids of the sessions to rerun. Binds from the pipeline by value (3 | Restart-AsyncSession) and by property name (Id, SessionId). Tab completion offers the newest session IDs of the message database.'
        ChannelDatabase = 'Rerun only at these channel databases (literal names). Binds from the pipeline by property name (ChannelDatabase, ChannelDatabaseId). Tab completion offers the channel databases of the configuration. Empty or omitted: rerun at every channel database where the session failed, is suspended or was canceled.'
        PassThru        = 'Writes the rerun session to the pipeline (one object per channel database).'
        WhatIf          = 'Shows which sessions would be rerun, changing nothing.'
        Confirm         = 'Prompts before each rerun.'
    }
    Examples    = @(
        @{
            Code    = 'PS> Get-AsyncSession -Status ApplyFailed | Restart-AsyncSession -PassThru'
            Remarks = 'Reruns every session that failed to apply, at the channel database where it failed (Id and ChannelDatabase bind by property name).'
        }
        @{
            Code    = 'PS> Restart-AsyncSession -Id 1207 -ChannelDatabase SEATTLE -WhatIf'
            Remarks = 'Shows what would be rerun without changing anything.'
        }
    )
    Outputs     = 'None by default. With -PassThru: AsyncServer.Messaging.DownloadSession.'
    Notes       = 'Error ids (non-terminating, one per session): SessionNotFound, SessionStateInvalid (applied, pending, never packaged, or NoData), RepackageFailed (the package is gone and HQ cannot produce it again).'
    Links       = @('Get-AsyncSession', 'Stop-AsyncSession', 'Receive-AsyncPackage')
}
