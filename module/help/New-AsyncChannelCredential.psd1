@{
    Synopsis    = 'Creates the secret a channel database (store) uses to call the endpoint; it is shown once and stored only as a salted hash. A second credential rotates the first.'
    Description = @'
New-AsyncChannelCredential generates a secret of 256 random bits for each channel database and records its salted SHA-256 in the message database (table channel_credentials). The secret itself is written to the pipeline once, in the Secret property, and is never stored or shown again: hand it to the store (for Receive-AsyncPackage -Server) and keep it in a secret store.

A store calls the endpoint with HTTP Basic: the channel database id as the user name and the secret as the password (docs/endpoint.md). Two credentials may be active at once, so a store can move to a new secret without downtime: create a second one, configure the store with it, then revoke the first with Revoke-AsyncChannelCredential. A third is refused with CredentialLimit until one is revoked or has expired.

The channel database must be defined in a data group of the configuration; the message database must be initialized at schema 3 or later (Initialize-AsyncMessageDatabase upgrades it).
'@
    Parameters  = @{
        ChannelDatabase = 'The channel database ids, as in the configuration''s data groups (compared without case). Binds from the pipeline.'
        ExpiresAt       = 'When the secret stops working. Default: never (revoke it instead). A time without a zone is local time.'
        WhatIf          = 'Shows which credentials would be created, creating none.'
        Confirm         = 'Prompts before each credential is created.'
    }
    Examples    = @(
        @{
            Code    = 'PS> $c = New-AsyncChannelCredential -ChannelDatabase HOUSTON
PS> $c.Secret | Set-Content -NoNewline /secure/houston.secret'
            Remarks = 'Creates HOUSTON''s secret and saves it for the store; the warning reminds you that it cannot be shown again.'
        }
        @{
            Code    = 'PS> New-AsyncChannelCredential HOUSTON -ExpiresAt (Get-Date).AddDays(90)
PS> # ... configure the store with the new secret, then:
PS> Get-AsyncChannelCredential HOUSTON | Sort-Object CreatedAt | Select-Object -First 1 | Revoke-AsyncChannelCredential -Confirm:$false'
            Remarks = 'Rotation: a second secret that expires in 90 days works beside the first; once the store uses it, the older one is revoked.'
        }
    )
    Outputs     = 'AsyncServer.Endpoint.NewChannelCredential: Id, ChannelDatabase, Secret, CreatedAt, ExpiresAt.'
    Notes       = 'Error ids (non-terminating, one per channel database): ChannelDatabaseNotFound, CredentialLimit (two are active already), CredentialInvalid (an expiry in the past), MessageDatabaseOutdated (run Initialize-AsyncMessageDatabase).'
    Links       = @('Get-AsyncChannelCredential', 'Revoke-AsyncChannelCredential', 'Receive-AsyncPackage')
}
