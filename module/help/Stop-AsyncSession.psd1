@{
    Synopsis    = 'Cancels a download session at one channel database, or everywhere; a session still being created stops the distribution that creates it.'
    Description = @'
Stop-AsyncSession is the operator's Cancel. With a channel database, only that channel database's target of the session becomes Canceled; the client will not apply it there, and later sessions of that channel database that were Suspended behind it become Available again. Without a channel database (or with an empty one, as Get-AsyncSession writes for sessions that have no target yet) the session is canceled everywhere.

A session that is still being created (Started) is canceled cleanly: the running distribution notices (it checks while it works and again when it records), stops, records nothing, advances no row version and deletes its package files; the next distribution packages the same changes. A staged session's file is deleted from the staging folder.

An Applied session cannot be canceled (SessionStateInvalid); canceling a Canceled one changes nothing.

An upload session (id 1000000000001 or above, from Get-AsyncSession -Direction Upload) is canceled as a whole when it is Started, Uploaded or ApplyFailed: HQ will not apply it, and the store sends its rows again with its next Send-AsyncPackage (a canceled session no longer extends the store's cursor).
'@
    Parameters  = @{
        Id              = 'Ids of the sessions to cancel. Binds from the pipeline by value (3 | Stop-AsyncSession) and by property name (Id, SessionId), so Get-AsyncSession output pipes in. Tab completion offers the newest session IDs of the message database.'
        ChannelDatabase = 'Cancel only at these channel databases (literal names). Binds from the pipeline by property name (ChannelDatabase, ChannelDatabaseId). Empty or omitted: cancel the session everywhere. Tab completion offers the channel databases of the configuration.'
        PassThru        = 'Writes the canceled session to the pipeline (one object per channel database).'
        WhatIf          = 'Shows which sessions would be canceled, changing nothing.'
        Confirm         = 'Prompts before each cancel. The cmdlet''s ConfirmImpact is High, so it prompts by default; use -Confirm:$false in scripts.'
    }
    Examples    = @(
        @{
            Code    = 'PS> Get-AsyncSession -Status Started | Stop-AsyncSession -Confirm:$false'
            Remarks = 'Cancels every session being created; the distributions creating them stop and record nothing.'
        }
        @{
            Code    = 'PS> Get-AsyncSession -Status ApplyFailed -ChannelDatabase HOUSTON | Stop-AsyncSession -PassThru -Confirm:$false'
            Remarks = 'Gives up the failed sessions of HOUSTON so that the sessions suspended behind them can be applied; writes each canceled session.'
        }
    )
    Outputs     = 'None by default. With -PassThru: AsyncServer.Messaging.DownloadSession.'
    Notes       = 'Error ids (non-terminating, one per session): SessionNotFound (no such session, or it has no target at that channel database), SessionStateInvalid (already applied there, or nothing to cancel).'
    Links       = @('Get-AsyncSession', 'Restart-AsyncSession', 'Receive-AsyncPackage')
}
