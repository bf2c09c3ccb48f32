@{
    Synopsis    = 'Lists the endpoint credentials of channel databases: when each was created, expires and was last used, and the store''s last contact. Never the secret.'
    Description = @'
Get-AsyncChannelCredential reads the channel_credentials and channel_contacts tables of the message database. Each object says whether the credential is Active, Expired or Revoked, when it was created, when it expires, when a request last authenticated with it, and the channel database's last contact with the endpoint: the time, the client version it sent and its remote address. Neither the secret nor its hash is ever shown.

Revoked credentials are left out unless -IncludeRevoked is given.
'@
    Parameters  = @{
        ChannelDatabase = 'Only these channel databases (default: every channel database with a credential). Binds from the pipeline.'
        IncludeRevoked  = 'Also lists revoked credentials.'
    }
    Examples    = @(
        @{
            Code    = 'PS> Get-AsyncChannelCredential'
            Remarks = 'Every active or expired credential, with the last contact of its store.'
        }
        @{
            Code    = 'PS> Get-AsyncChannelCredential | Where-Object { $_.LastContactAt -lt (Get-Date).AddDays(-1) }'
            Remarks = 'Stores that have not called the endpoint for a day.'
        }
    )
    Outputs     = 'AsyncServer.Endpoint.ChannelCredentialInfo: Id, ChannelDatabase, State, CreatedAt, ExpiresAt, LastUsedAt, RevokedAt, LastContactAt, LastClientVersion, LastRemoteAddress.'
    Notes       = 'Error ids: ChannelDatabaseNotFound, MessageDatabaseOutdated.'
    Links       = @('New-AsyncChannelCredential', 'Revoke-AsyncChannelCredential')
}
