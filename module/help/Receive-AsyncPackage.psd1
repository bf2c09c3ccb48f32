@{
    Synopsis    = 'The reference Async Client: downloads and applies the pending packages of a channel database, in session order.'
    Description = @'
Receive-AsyncPackage does at a store what the Async Client of Commerce Data Exchange does: it asks the message database for the channel database's pending download sessions and, strictly in session order, moves each one through Requested, Downloaded and Applied.

- Download: the package is copied from the download folder into a local folder under a temporary name, then renamed; its size and SHA-256 must equal those recorded on the session row (not only those in the package's own manifest), otherwise the session becomes DownloadFailed.
- Apply: the package is read and verified (every data file's checksum and row count), its manifest must agree with the session (session id, partition, job, data group, versions, part, kind) and be meant for this channel database and its data group; then all of it is applied in one channel-database transaction: tables to empty first (full sync with delete existing), upserts and deletes by key. A missing channel table is created from the manifest; an existing one must have every column the package carries. Any failure rolls everything back and the session becomes ApplyFailed with the reason. Applying a package twice changes nothing.
- Order: a failure stops the run and marks the later sessions of this channel database Suspended. The next run retries the failed stage until the configuration's tryCount is used up (0 = no limit); after that the session blocks until an operator reruns it (Restart-AsyncSession) or cancels it (Stop-AsyncSession).
- Seeding: a pending full sync that deletes existing data makes the older pending sessions of its job unnecessary; they are set to Canceled with a message instead of being replayed.

Every status change writes a status message in the message database. Only one client at a time can receive for a channel database (a lease in the message database). Run it on a schedule at each store; see docs/client.md.

With -Server the store receives over the HQ endpoint instead (docs/endpoint.md), which is how stores should connect: it needs only the endpoint URL, the channel database's secret (-Credential; HQ makes it with New-AsyncChannelCredential), the store's own channel database (-ChannelConnectionString, -ChannelProvider) and a local folder; no AsyncServer configuration and no message-database login. The same state machine runs, enforced by the endpoint in the message database; downloads resume with HTTP range requests after an interruption, the package's size and SHA-256 are checked against what the endpoint listed before it is opened, and transient failures (timeouts, 5xx, connection resets) are retried with backoff. 401 (wrong, revoked or expired secret) fails with EndpointUnauthorized.
'@
    Parameters  = @{
        ChannelDatabase         = 'Ids of the channel databases to receive for, as named in the configuration''s data groups. Accepts pipeline input by value and by property name (ChannelDatabase, ChannelDatabaseId). Tab completion offers the channel databases of the configuration.'
        ChannelConnectionString = 'Uses this connection string for the channel database instead of the one in the configuration (for example "Data Source=D:\Store\store.db" for SQLite). The provider stays the one the configuration names (default sqlite).'
        LocalFolder             = 'Folder the packages are copied to before they are applied. Default: client\<channel database> beside the configuration file. The copies are deleted after each session.'
        First                   = 'Applies at most this many pending sessions per channel database in this run.'
        InstanceId              = 'Name recorded as the owner of the client''s lease. Default: host name and process id.'
        Server                  = 'Receives over the HQ endpoint at this URL (https://hq.example.com:8443) instead of reading the configuration and the message database. Needs -Credential and -ChannelConnectionString.'
        ClientCertificate       = 'With -Server: authenticates with this client certificate (with its private key; for example from Get-PfxCertificate or Cert:\CurrentUser\My) instead of -Credential. HQ maps its SHA-256 thumbprint to the channel database (docs/endpoint.md, mutual TLS).'
        ClientSettingsPath      = 'Receives over the HQ endpoint as the store-side client settings file says: the "client" section of the service''s settings file for --mode Client, {"client": {"channelDatabase", "server", "secretFile", "channelConnectionString", "channelProvider", "localFolder", "certificateThumbprint"}} (relative paths are relative to the file; the secret stays in its own file; channelDatabase, when the file names it, must be the -ChannelDatabase given). One file serves the service and this cmdlet. See docs/endpoint.md.'
        ChannelProvider         = 'With -Server: the provider of -ChannelConnectionString: sqlite (default), postgresql or sqlserver.'
        CertificateThumbprint   = 'With -Server: accepts exactly the server certificate with this SHA-1 thumbprint instead of validating its chain (a self-signed certificate). Default: the certificate must chain to a trusted root and match the host name.'
        Credential              = 'Without -Server: user name and password for connections whose configuration says useCredential. With -Server: the channel database''s endpoint secret as the password (the user name is not used: give the channel database id). Never put the secret on the command line in clear text: read it from a secret store.'
        WhatIf                  = 'Lists every pending session with what would happen to it (Apply, Skip because a later full sync supersedes it, or Blocked behind a session that failed too often), without downloading or applying anything.'
        Confirm                 = 'Prompts once per channel database before receiving.'
    }
    Examples    = @(
        @{
            Code    = 'PS> Receive-AsyncPackage -ChannelDatabase HOUSTON -ConfigurationPath C:\AsyncClient\asyncserver.json'
            Remarks = 'Applies every pending session of the HOUSTON store database and writes one object per session it handled, with its status at HOUSTON (Applied, or DownloadFailed/ApplyFailed with the reason in Message).'
        }
        @{
            Code    = 'PS> Receive-AsyncPackage HOUSTON -WhatIf'
            Remarks = 'Shows which sessions would be applied, skipped or are blocked, changing nothing.'
        }
        @{
            Code    = 'PS> ''HOUSTON'', ''SEATTLE'' | Receive-AsyncPackage -First 10 -ErrorVariable failed; $failed | Select-Object -ExpandProperty TargetObject | Restart-AsyncSession -WhatIf'
            Remarks = 'Receives up to ten sessions for two stores; the error records of failed sessions carry the session object, which pipes into Restart-AsyncSession.'
        }
        @{
            Code    = 'PS> $secret = Get-Content /etc/asyncclient/houston.secret -Raw | ConvertTo-SecureString -AsPlainText -Force
PS> Receive-AsyncPackage -Server https://hq.example.com:8443 -ChannelDatabase HOUSTON -Credential ([pscredential]::new(''HOUSTON'', $secret)) -ChannelConnectionString ''Data Source=/var/lib/store/houston.db'''
            Remarks = 'A store receiving over the endpoint: one URL, one secret, its own database; nothing of HQ''s configuration.'
        }
        @{
            Code    = 'PS> Receive-AsyncPackage HOUSTON -ClientSettingsPath /etc/asyncclient/client.json'
            Remarks = 'The same, from the store''s client settings file (the one the service at the store uses with --mode Client): URL, channel database, secret file, channel connection and local folder.'
        }
    )
    Outputs     = 'AsyncServer.Messaging.DownloadSession, one per session handled in this run, as seen at the channel database.'
    Notes       = 'Each failed session is reported once, as an error record (the engine''s log line for it goes to the verbose stream, so -ErrorAction SilentlyContinue silences the failure completely). Error ids: ApplyFailed and DownloadFailed (non-terminating, one per failed session, the session as target object), ChannelDatabaseNotFound, ChannelConnectionMissing, WorkClaimedElsewhere (another client is receiving for the same channel database), EndpointUnauthorized (401/403), EndpointUnavailable (unreachable after the retries), EndpointProtocol (an unexpected answer, such as 404 for a wrong URL), PackageMismatch, MessageDatabaseNotInitialized, ConfigurationNotFound. Schedule it with a systemd timer or the Windows Task Scheduler; see README.md and docs/client.md.'
    Links       = @('Get-AsyncSession', 'Restart-AsyncSession', 'Stop-AsyncSession')
}
