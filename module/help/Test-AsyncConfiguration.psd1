@{
    Synopsis    = 'Reports every problem of an AsyncServer configuration file, each with its JSON path.'
    Description = @'
Test-AsyncConfiguration reads the configuration file and lists everything that is wrong with it at once, instead of stopping at the first problem. Each problem names its place in the document as a JSON path, for example $.jobs[1].subjobs[0] or $.dataGroups[0].channelDatabases[1].parameters, so you can go straight to it.

It checks:
- the document: JSON syntax and unknown properties (reported with the line), required sections, unique IDs of data groups, channel databases, subjobs, jobs and schedules, jobs that name undefined subjobs, schedules that name undefined jobs or data groups, schedule directions (only Download runs in this version) and recurrences, filter syntax, and filter parameters: every channel database of a data group must supply each @parameter of the subjob filters, with the same value, because one package serves the whole data group;
- the connections: provider names (sqlite, postgresql, sqlserver), ${env:NAME} placeholders and useCredential against -Credential;
- the working folders: the download and upload folders must accept a file; a folder that does not exist yet is judged by its nearest existing parent, so the check creates nothing;
- the HQ catalog, unless -SkipCatalog: every subjob's table exists and has a primary key, mapped and filtered columns exist, key columns are in the field map, channel columns are not mapped twice, EXISTS parent tables and their columns exist.

A data group without channel databases is reported as a warning. The file must exist; a missing file is a terminating error.
'@
    Parameters  = @{
        SkipCatalog = 'Only check the document, the connection settings and the working folders; do not connect to the HQ database. Use it on a machine that cannot reach HQ, or before HQ exists.'
        Quiet       = 'Write only $true when there is no error (warnings do not count), else $false, for use in scripts and deployment checks.'
        ConfigurationPath = 'The configuration file to check. Default: the file named by $env:ASYNCSERVER_CONFIGURATION, else asyncserver.json in the current folder. Relative paths inside it are resolved against its folder. A missing file is a terminating error (ConfigurationNotFound); a JSON syntax error is reported as a problem with its path and line, not thrown.'
    }
    Examples    = @(
        @{
            Code    = @'
PS> Test-AsyncConfiguration -ConfigurationPath D:\AsyncServer\asyncserver.json

Severity Path                                         Message
-------- ----                                         -------
Error    $.subjobs[4].fields.NAMEALIAS                column 'NAMEALIAS' does not exist in HQ table 'INVENTTABLE'
Error    $.dataGroups[1].channelDatabases[0].parameters channel database 'CHICAGO' lacks parameter 'DataAreaId' used by the filter of subjob 'INVENTTABLE' ($.subjobs[4].filter)
'@
            Remarks = 'Checks a production configuration against the HQ database and lists each problem with its location.'
        }
        @{
            Code    = @'
PS> if (-not (Test-AsyncConfiguration -Quiet)) { throw 'asyncserver.json has errors; run Test-AsyncConfiguration to see them.' }
PS> Start-AsyncDistribution -Schedule Nightly
'@
            Remarks = 'A guard in a scheduled script: distribution only starts when the configuration in the current folder (or $env:ASYNCSERVER_CONFIGURATION) has no error.'
        }
        @{
            Code    = 'PS> Test-AsyncConfiguration -ConfigurationPath .\staging\asyncserver.json -SkipCatalog | Where-Object Severity -eq Error'
            Remarks = 'Reviews a configuration edited on a workstation that cannot reach the HQ SQL Server: the document, connections and working folders are checked, the catalog is not.'
        }
    )
    Outputs     = 'AsyncServer.Configuration.ConfigurationProblem objects (Severity: Error or Warning, Path, Message); nothing when the configuration is fine. With -Quiet, one System.Boolean.'
    Notes       = 'A JSON syntax error is reported as one problem (it stops further checks, as the document cannot be read). Error ids for terminating errors: ConfigurationNotFound. Start-AsyncDistribution runs the same document and catalog checks before it distributes, and refuses with ConfigurationInvalid when there is an error.'
    Links       = @('Start-AsyncDistribution', 'Enable-AsyncChangeTracking')
}
