# Descriptions of the parameters every AsyncServer cmdlet has (from the AsyncServerCmdlet base class),
# and of -WhatIf/-Confirm. build/New-MamlHelp.ps1 adds them to each cmdlet's help unless the cmdlet's own
# file (module/help/<Verb-Noun>.psd1) describes the parameter itself.
@{
    Parameters = @{
        ConfigurationPath = @'
The AsyncServer configuration file (JSON) to use: connections to the HQ database and the message database, working folders, data groups and their channel databases, subjobs, jobs and distribution schedules.

When omitted, the file named by the environment variable ASYNCSERVER_CONFIGURATION is used, else asyncserver.json in the current folder. Relative paths inside the file (SQLite database files, working folders) are resolved against the file's own folder. A missing file fails with the error id ConfigurationNotFound; a syntax error fails with ConfigurationSyntax and names the JSON path and line.

It is also taken from the pipeline, by property name: every object an AsyncServer cmdlet writes after reading a configuration carries a ConfigurationPath property naming that file, so in Get-AsyncSession -ConfigurationPath D:\hq\asyncserver.json -Status ApplyFailed | Restart-AsyncSession the second cmdlet uses the same file. A -ConfigurationPath typed on the command line wins over the pipeline's.
'@
        Credential        = @'
User name and password for the database connections whose configuration section says "useCredential": true (SQL Server or PostgreSQL logins). The password is added to the connection string only in memory: it never appears in logs, error messages, packages or the message database, which show connection strings with the password masked.

Connections without useCredential ignore this parameter. When a connection needs a credential and none is given, the cmdlet fails with the error id SecretNotFound.
'@
        WhatIf            = 'Shows what the cmdlet would do, without changing anything.'
        Confirm           = 'Prompts for confirmation before each change.'
    }
    Defaults   = @{
        ConfigurationPath = '$env:ASYNCSERVER_CONFIGURATION, else ./asyncserver.json'
    }
}
