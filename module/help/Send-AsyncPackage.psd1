@{
    Synopsis    = 'Sends a store''s new transactions to HQ: the rows above the counter HQ acknowledged, as one upload package per job.'
    Description = @'
Send-AsyncPackage is the store side of upload (the P-jobs of Commerce Data Exchange; P-0001 carries the sales transactions). For one channel database it:

- checks every upload subjob's channel table against the store's catalog (the table, the mapped columns and the counter column, REPLICATIONCOUNTERFROMORIGIN by default);
- finds, per table, the counter to start after: the highest counter HQ acknowledged from this store, extended by the store's own sessions still on their way (Uploaded) when they continue it without a hole;
- reads every table's rows above it in ONE read transaction, holding the store's writers off for the length of the read, so a package is a consistent cut: a sale's header, lines and payments travel together when the store wrote them together;
- writes one package per upload job in the package format of the download side (direction Upload in the manifest, the counter range of each table), records an upload session, and copies the package into the configuration's upload folder (a temporary name, flushed to disk, checked, then renamed);
- marks the session Uploaded. HQ applies it with Start-AsyncDistribution -Schedule for an upload schedule (or the service).

A store whose highest counter is below what HQ already holds from it (restored from a backup) gets the error CounterRegression and an UploadFailed session naming the cause; nothing is sent and nothing at HQ is overwritten. A run that stops midway leaves its session Started; the next run marks it UploadFailed and sends its rows again. One run per channel database at a time (a lease in the message database).
'@
    Parameters  = @{
        ChannelDatabase = 'The channel databases (stores) to send from; each must have a connection in the configuration. Binds from the pipeline by value and by property name (ChannelDatabase or ChannelDatabaseId). Tab completion offers the channel databases of the configuration.'
        Job             = 'Only these upload jobs (for example P-0001). Default: every upload job of $.uploadJobs. Binds by property name (Job or JobId).'
        InstanceId      = 'Recorded on the upload session and its lease; default host:pid.'
        WhatIf          = 'Says how many rows of each table would be sent, with their counter ranges, without writing anything.'
        Confirm         = 'Prompts before each channel database is sent from.'
    }
    Examples    = @(
        @{
            Code    = @'
PS> New-AsyncSampleSale HOUSTON -Count 3
PS> Send-AsyncPackage HOUSTON

Id            Job    ChannelDatabase Status   Rows Created
--            ---    --------------- ------   ---- -------
1000000000001 P-0001 HOUSTON         Uploaded   17 2026-12-02 15:40:11 +00:00
'@
            Remarks = 'Rings up three sample sales at the Houston store and sends them: one upload session with the headers, lines and payments.'
        }
        @{
            Code    = 'PS> Send-AsyncPackage HOUSTON, SEATTLE -WhatIf'
            Remarks = 'Shows how many rows of each table each store would send, and their counter ranges.'
        }
    )
    Outputs     = 'An AsyncServer.Upload.UploadSession per session sent (none when a store has nothing new; -Verbose says so).'
    Notes       = 'Error ids: ChannelDatabaseNotFound, ChannelConnectionMissing, UploadFailed, CounterRegression, ConcurrentRun, JobNotFound. See docs/upload.md.'
    Links       = @('New-AsyncSampleSale', 'Start-AsyncDistribution', 'Get-AsyncSession', 'Receive-AsyncPackage')
}
