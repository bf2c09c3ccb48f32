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

With -Server the store sends over the HQ endpoint instead (docs/endpoint.md), which is how stores should connect: it needs only the endpoint URL, the channel database's secret (-Credential; HQ makes it with New-AsyncChannelCredential) or a client certificate, and the store's own channel database (-ChannelConnectionString, -ChannelProvider); no AsyncServer configuration, no message-database login and no upload share. The upload jobs and the counter each table starts after come from the endpoint; the endpoint records the session and gives the package its name; the package is sent with PUT and, after a cut connection, continued from where the endpoint's copy stops (Content-Range); the endpoint checks its size, SHA-256, manifest and counters before the session becomes Uploaded. Transient failures are retried with backoff; 401 fails with EndpointUnauthorized. One sender per channel database at a time (the endpoint's upload lease, the same one the direct path takes).
'@
    Parameters  = @{
        ChannelDatabase = 'The channel databases (stores) to send from; each must have a connection in the configuration. Binds from the pipeline by value and by property name (ChannelDatabase or ChannelDatabaseId). Tab completion offers the channel databases of the configuration.'
        Job             = 'Only these upload jobs (for example P-0001). Default: every upload job of $.uploadJobs. Binds by property name (Job or JobId).'
        InstanceId      = 'Recorded on the upload session and its lease; default host:pid. With -Server: names this sender in the endpoint''s upload lease (letters, digits, ., _, :, -).'
        Server                  = 'Sends over the HQ endpoint at this URL (https://hq.example.com:8443) instead of reading the configuration and the message database. Needs -Credential (or -ClientCertificate) and -ChannelConnectionString.'
        ChannelConnectionString = 'With -Server: the store''s own channel database, which the rows are read from.'
        ChannelProvider         = 'With -Server: the provider of -ChannelConnectionString: sqlite (default), postgresql or sqlserver.'
        ClientCertificate       = 'With -Server: authenticates with this client certificate (with its private key) instead of -Credential; HQ maps its SHA-256 thumbprint to the channel database (docs/endpoint.md, mutual TLS).'
        CertificateThumbprint   = 'With -Server: accepts exactly the server certificate with this SHA-1 thumbprint instead of validating its chain (a self-signed certificate).'
        Credential              = 'Without -Server: user name and password for connections whose configuration says useCredential. With -Server: the channel database''s endpoint secret as the password (give the channel database id as the user name). Never put the secret on the command line in clear text: read it from a secret store.'
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
        @{
            Code    = @'
PS> $secret = Get-Content /etc/asyncclient/houston.secret -Raw | ConvertTo-SecureString -AsPlainText -Force
PS> Send-AsyncPackage -Server https://hq.example.com:8443 -ChannelDatabase HOUSTON -Credential ([pscredential]::new('HOUSTON', $secret)) -ChannelConnectionString 'Data Source=/var/lib/store/houston.db'
'@
            Remarks = 'At the store, with no AsyncServer configuration: sends the new sales through the HQ endpoint with the store''s own secret.'
        }
    )
    Outputs     = 'An AsyncServer.Upload.UploadSession per session sent (none when a store has nothing new; -Verbose says so).'
    Notes       = 'Error ids: ChannelDatabaseNotFound, ChannelConnectionMissing, UploadFailed, CounterRegression, ConcurrentRun, JobNotFound. See docs/upload.md.'
    Links       = @('New-AsyncSampleSale', 'Start-AsyncDistribution', 'Get-AsyncSession', 'Receive-AsyncPackage')
}
