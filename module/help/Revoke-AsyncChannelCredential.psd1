@{
    Synopsis    = 'Revokes a channel database''s endpoint credential, or all of them; the next request with a revoked secret gets 401.'
    Description = @'
Revoke-AsyncChannelCredential marks credentials revoked in the message database. The endpoint checks every request against the message database, so revocation takes effect on the next request at every endpoint instance; nothing needs restarting. Without -CredentialId (alias -Id) every credential of the channel database is revoked, which locks the store out until it gets a new one from New-AsyncChannelCredential.

Its ConfirmImpact is High: it prompts unless -Confirm:$false is given.
'@
    Parameters  = @{
        ChannelDatabase = 'The channel databases whose credentials are revoked. Binds from the pipeline by property name, so Get-AsyncChannelCredential output pipes in.'
        CredentialId    = 'Only these credentials (the Id that Get-AsyncChannelCredential shows; alias -Id). Binds from the pipeline by property name (Id). Default: every credential of the channel database.'
        PassThru        = 'Writes the revoked credentials.'
        WhatIf          = 'Shows which credentials would be revoked, revoking none.'
        Confirm         = 'Prompts before each revocation (the default: ConfirmImpact is High).'
    }
    Examples    = @(
        @{
            Code    = 'PS> Revoke-AsyncChannelCredential -ChannelDatabase HOUSTON -Confirm:$false'
            Remarks = 'Locks HOUSTON out of the endpoint at once, for instance after its server was stolen.'
        }
        @{
            Code    = 'PS> Get-AsyncChannelCredential HOUSTON | Sort-Object CreatedAt | Select-Object -First 1 | Revoke-AsyncChannelCredential -PassThru -Confirm:$false'
            Remarks = 'Ends a rotation: revokes HOUSTON''s older credential and writes it.'
        }
    )
    Outputs     = 'None by default. With -PassThru: AsyncServer.Endpoint.ChannelCredentialInfo.'
    Notes       = 'Error ids (non-terminating): ChannelDatabaseNotFound, CredentialInvalid (no unrevoked credential with that id), MessageDatabaseOutdated.'
    Links       = @('New-AsyncChannelCredential', 'Get-AsyncChannelCredential')
}
