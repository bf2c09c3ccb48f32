@{
    Synopsis    = 'Shows every configured channel database''s health: last contact, pending, failed and blocked sessions, and its state.'
    Description = @'
Get-AsyncChannelHealth answers the operator's first question of the day: which stores are behind, blocked or silent, and since when. It lists every channel database of the configuration ($.dataGroups[*].channelDatabases) with its data group and what the message database records about it, read for all channel databases in one query:

LastContact is the store's last authenticated call to the HTTPS endpoint (ContactSource Endpoint), or, for a store on the direct client, the last time its client changed one of its sessions (ContactSource Client), whichever is later. PendingSessions counts its sessions not applied yet; OldestPendingAge is how long the oldest of them has waited. FailedSessions and BlockedSessions count its failed sessions and the sessions suspended behind them; BlockingSession and BlockingReason name the first failure. LastAppliedSession and LastAppliedAt are its newest applied session.

State is the first of these that applies: NeverConnected (never called the endpoint, never changed a session), Blocked (a failed session holds the later ones back), Silent (not heard from for longer than $.health.silentAfterIntervals times $.health.contactIntervalSeconds; a store on the direct client is judged only while it has sessions waiting), Behind (a session has waited longer than one contact interval), Healthy.

The output binds by property name to Get-AsyncSession (ChannelDatabase, DataGroup and SessionId, the blocking session) and to Restart-AsyncSession (SessionId and ChannelDatabase): Get-AsyncChannelHealth -State Blocked | Restart-AsyncSession reruns each store's blocking session.
'@
    Parameters  = @{
        ChannelDatabase = 'Channel databases to show; wildcards are allowed. Binds by property name (ChannelDatabase or ChannelDatabaseId). A name without wildcards that is not configured writes a non-terminating error with the error id ChannelDatabaseNotFound. Default: every channel database.'
        DataGroup       = 'Only the channel databases of these data groups; wildcards are allowed. Binds by property name (DataGroup or DataGroupId). A name without wildcards that is not configured writes a non-terminating error with the error id DataGroupNotFound.'
        State           = 'Only channel databases in these states: Healthy, Behind, Blocked, Silent, NeverConnected.'
    }
    Examples    = @(
        @{
            Code    = 'PS> Get-AsyncChannelHealth -State Blocked, Silent, Behind'
            Remarks = 'The stores that need attention, with how long ago each was seen, its pending sessions, how long the oldest has waited and the blocking session.'
        }
        @{
            Code    = 'PS> Get-AsyncChannelHealth -DataGroup usrt -State Blocked | Format-List ChannelDatabase, BlockingSession, BlockingReason'
            Remarks = 'Why the blocked stores of data group usrt are blocked.'
        }
        @{
            Code    = 'PS> Get-AsyncChannelHealth HOUSTON | Get-AsyncSession'
            Remarks = 'The sessions of one store (its blocking session only, when it is blocked).'
        }
        @{
            Code    = 'PS> Get-AsyncChannelHealth -State Blocked | Restart-AsyncSession -WhatIf'
            Remarks = 'Shows which blocking session of which store would be rerun; without -WhatIf they are rerun and the sessions suspended behind them are released.'
        }
        @{
            Code    = 'PS> Get-AsyncChannelHealth | Group-Object State -NoElement'
            Remarks = 'How many stores are in each state.'
        }
    )
    Outputs     = 'AsyncServer.Operations.ChannelDatabaseHealth: ChannelDatabase, DataGroup, State, LastContact, ContactSource, ClientVersion, PendingSessions, OldestPendingAge, OldestPendingSession, FailedSessions, BlockedSessions, BlockingSession, BlockingReason, LastAppliedSession, LastAppliedAt, SessionId (the blocking session, for the pipeline), CheckedAt. The table view shows ages (LastSeen: how long ago the store was heard from; Oldest: how long its oldest pending session has waited) to fit 80 columns; Format-List shows the times in local time with the UTC offset.'
    Notes       = 'Error ids: ChannelDatabaseNotFound, DataGroupNotFound (non-terminating), MessageDatabaseNotInitialized, MessageDatabaseOutdated, ConfigurationNotFound. Settings: $.health.contactIntervalSeconds (default 300) and $.health.silentAfterIntervals (default 3); docs/operations.md.'
    Links       = @('Get-AsyncSession', 'Restart-AsyncSession', 'Get-AsyncChannelCredential')
}
