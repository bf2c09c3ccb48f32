@{
    Synopsis    = 'Creates the message database schema, or upgrades an existing message database to this module''s schema version.'
    Description = @'
Initialize-AsyncMessageDatabase prepares the message database named by the configuration's messageDatabase connection: the tables for download sessions and their per-channel-database targets, status messages, row versions per (data group, job) and the leases that let several AsyncServer instances share one message database.

On an empty database (or a SQLite file that does not exist yet, which is created) it creates the schema. On an older schema it applies the missing migrations in a transaction, keeping every session and row version. On a current schema there is nothing to migrate, so it is safe to run on every deployment. A schema newer than the module is refused (MessageDatabaseTooNew): update the module instead.

Every other cmdlet that uses the message database fails with MessageDatabaseNotInitialized or MessageDatabaseOutdated until this has been run.
'@
    Parameters  = @{
        WhatIf = 'Shows the message database (connection string with secrets masked) and the schema version it would be brought to, without connecting to it.'
    }
    Examples    = @(
        @{
            Code    = @'
PS> Initialize-AsyncMessageDatabase -ConfigurationPath D:\AsyncServer\asyncserver.json -Credential (Get-Credential asyncserver)

Provider              : postgresql
Database              : host=pgax01;database=asyncmessage;username=asyncserver;password=********
SchemaVersion         : 1
PreviousSchemaVersion : 0
Created               : True
'@
            Remarks = 'Creates the schema in a new, empty PostgreSQL database before the first distribution; the connection says useCredential, so the login comes from -Credential and the password is masked in the output.'
        }
        @{
            Code    = @'
PS> $cred = Get-Credential asyncserver
PS> Initialize-AsyncMessageDatabase -Credential $cred -WhatIf
PS> Initialize-AsyncMessageDatabase -Credential $cred -Confirm:$false
'@
            Remarks = 'After updating the AsyncServer module on the servers, shows which message database would be upgraded, then brings it to the module''s schema version without a prompt (PreviousSchemaVersion in the output shows where it was). The login comes from -Credential because the messageDatabase connection says useCredential.'
        }
    )
    Outputs     = 'One object with Provider, Database (the connection with secrets masked), SchemaVersion, PreviousSchemaVersion (0 when there was no schema) and Created.'
    Notes       = 'Error ids: MessageDatabaseTooNew, ConnectionFailed, ConfigurationInvalid (no messageDatabase connection), SecretNotFound, ConfigurationNotFound. The migrations run inside a transaction: a failure leaves the previous schema version in place.'
    Links       = @('Get-AsyncSession', 'New-AsyncSampleEnvironment')
}
