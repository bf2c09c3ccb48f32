# The built module in a fresh pwsh: import, isolation from other modules' SqlClient, the main job end to end.
BeforeAll {
    $script:ModulePath = $env:ASYNCSERVER_TEST_MODULE
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
}

Describe 'AsyncServer module' {
    It 'imports with explicit exports and a manifest PowerShell accepts' {
        $manifest = Test-ModuleManifest -Path $ModulePath
        $manifest.ExportedCmdlets.Keys | Should -Contain 'Start-AsyncDistribution'
        $manifest.ExportedCmdlets.Keys | Should -Contain 'Get-AsyncSession'
        $manifest.ExportedCmdlets.Keys | Should -Contain 'Publish-AsyncPackage'
        $manifest.PowerShellVersion | Should -Be ([version]'7.4')
        Import-Module $ModulePath -Force
        (Get-Command -Module AsyncServer).Count | Should -Be $manifest.ExportedCmdlets.Count
    }

    It 'loads its engine into a private AssemblyLoadContext, away from the default one' {
        Import-Module $ModulePath -Force
        $folder = Join-Path ([IO.Path]::GetTempPath()) "asyncserver-alc-$([guid]::NewGuid().ToString('N'))"
        try {
            $null = New-AsyncSampleEnvironment -Path $folder -Products 5
            $context = [System.Runtime.Loader.AssemblyLoadContext]::All | Where-Object Name -eq 'AsyncServer'
            $context | Should -Not -BeNullOrEmpty
            $context.Assemblies.GetName().Name | Should -Contain 'Microsoft.Data.Sqlite'
            [System.Runtime.Loader.AssemblyLoadContext]::Default.Assemblies.GetName().Name | Should -Not -Contain 'Microsoft.Data.Sqlite'
        } finally { Remove-Item $folder -Recurse -Force -ErrorAction SilentlyContinue }
    }

    It 'works after another module loaded a different Microsoft.Data.SqlClient' {
        $nuget = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages' }
        $otherSqlClient = Join-Path $nuget 'microsoft.data.sqlclient/5.1.9/runtimes/unix/lib/net6.0/Microsoft.Data.SqlClient.dll'
        if ($IsWindows) { $otherSqlClient = $otherSqlClient -replace 'runtimes/unix', 'runtimes/win' }
        Test-Path $otherSqlClient | Should -BeTrue -Because 'tests/tools/Pester.Restore.csproj downloads SqlClient 5.1.9 for this test'
        $output = Invoke-FreshPwsh @"
`$ErrorActionPreference = 'Stop'
Add-Type -Path '$otherSqlClient'   # what the SqlServer or dbatools module would have done first
`$before = [System.Runtime.Loader.AssemblyLoadContext]::Default.Assemblies | Where-Object { `$_.GetName().Name -eq 'Microsoft.Data.SqlClient' }
Import-Module '$ModulePath'
`$folder = Join-Path ([IO.Path]::GetTempPath()) "asyncserver-iso-`$([guid]::NewGuid().ToString('N'))"
`$envInfo = New-AsyncSampleEnvironment -Path `$folder -Products 10
`$sessions = Start-AsyncDistribution -ConfigurationPath `$envInfo.ConfigurationPath -Job 1040
# A SQL Server connection string is parsed by the engine's own SqlClient (no server is contacted).
`$json = Get-Content `$envInfo.ConfigurationPath -Raw | ConvertFrom-Json
`$json.hq = [pscustomobject]@{ provider = 'sqlserver'; connectionString = 'Server=127.0.0.1,1;Database=AX;Password=x;Encrypt=false' }
`$json | ConvertTo-Json -Depth 20 | Set-Content (Join-Path `$folder 'sqlserver.json')
`$problems = Test-AsyncConfiguration -ConfigurationPath (Join-Path `$folder 'sqlserver.json') -SkipCatalog
`$private = ([System.Runtime.Loader.AssemblyLoadContext]::All | Where-Object Name -eq 'AsyncServer').Assemblies | Where-Object { `$_.GetName().Name -eq 'Microsoft.Data.SqlClient' }
"default=`$(`$before.GetName().Version)"
"sessions=`$(@(`$sessions).Count)"
"problems=`$(@(`$problems | Where-Object Severity -eq 'Error').Count)"
Remove-Item `$folder -Recurse -Force
"@
        ($output | Where-Object { $_ -like 'default=*' }) | Should -Be 'default=5.0.0.0'
        ($output | Where-Object { $_ -like 'sessions=*' }) | Should -Be 'sessions=4'
        ($output | Where-Object { $_ -like 'problems=*' }) | Should -Be 'problems=0'
    }
}

Describe 'Start-AsyncDistribution on the embedded default' {
    BeforeAll {
        Import-Module $ModulePath -Force
        $script:Folder = Join-Path ([IO.Path]::GetTempPath()) "asyncserver-pester-$([guid]::NewGuid().ToString('N'))"
        $script:Env = New-AsyncSampleEnvironment -Path $Folder -Products 30
        $script:Config = $Env.ConfigurationPath
    }
    AfterAll { Remove-Item $Folder -Recurse -Force -ErrorAction SilentlyContinue }

    It 'shows the plan with -WhatIf and writes nothing' {
        # What-if lines go straight to the host, so read them from a child process's output.
        $output = Invoke-FreshPwsh "Import-Module '$ModulePath'; Start-AsyncDistribution -ConfigurationPath '$Config' -Schedule Products-and-prices -WhatIf"
        ($output | Out-String) | Should -Match 'What if: .*Full distribution of job 1040 to data group USRT-Stores \(all rows\)'
        Get-AsyncSession -ConfigurationPath $Config -IncludeNoData | Should -BeNullOrEmpty
        Get-ChildItem $Env.DownloadFolder -File | Should -BeNullOrEmpty
    }

    It 'distributes fully, then incrementally after HQ changes' {
        $full = Start-AsyncDistribution -ConfigurationPath $Config -Schedule Products-and-prices
        $full.Kind | Select-Object -Unique | Should -Be 'Full'
        $full.Status | Select-Object -Unique | Should -Be 'Available'
        $null = Update-AsyncSampleData -ConfigurationPath $Config -Insert 3 -Update 10 -Delete 2 -Seed 7
        $incremental = Start-AsyncDistribution -ConfigurationPath $Config -Schedule Products-and-prices
        $incremental.Kind | Select-Object -Unique | Should -Be 'Incremental'
        foreach ($s in $incremental) { Test-Path $s.PackagePath | Should -BeTrue }
    }

    It 'formats sessions as a table leading with Id, Job, DataGroup, Status and Rows' {
        $text = Get-AsyncSession -ConfigurationPath $Config | Select-Object -First 2 | Format-Table | Out-String
        $header = ($text -split "`n" | Where-Object { $_ -match '\S' } | Select-Object -First 1)
        $header | Should -Match '^\s*Id\s+Job\s+DataGroup\s+Status\s+Rows\s+ChannelDatabase'
        (Get-AsyncSession -ConfigurationPath $Config | Select-Object -First 1 | Format-List | Out-String) | Should -Match 'PackageSha256'
    }

    It 'reports an unknown job with a stable error id' {
        { Start-AsyncDistribution -ConfigurationPath $Config -Job 9999 -ErrorAction Stop } | Should -Throw -ErrorId 'JobNotFound,AsyncServer.PowerShell.Commands.StartAsyncDistributionCommand'
    }

    It 'reports a missing message database with the command that fixes it' {
        $json = Get-Content $Config -Raw | ConvertFrom-Json
        $json.messageDatabase.connectionString = 'Data Source=never-created.db'
        $other = Join-Path $Folder 'other.json'
        $json | ConvertTo-Json -Depth 20 | Set-Content $other
        { Start-AsyncDistribution -ConfigurationPath $other -Job 1040 -ErrorAction Stop } |
            Should -Throw -ErrorId 'MessageDatabaseNotInitialized,AsyncServer.PowerShell.Commands.StartAsyncDistributionCommand' -ExpectedMessage '*Initialize-AsyncMessageDatabase*'
        Test-Path (Join-Path $Folder 'never-created.db') | Should -BeFalse
        Initialize-AsyncMessageDatabase -ConfigurationPath $other -WhatIf
        Test-Path (Join-Path $Folder 'never-created.db') | Should -BeFalse
        (Initialize-AsyncMessageDatabase -ConfigurationPath $other).SchemaVersion | Should -BeGreaterThan 0
    }

    It 'reads the configuration from ASYNCSERVER_CONFIGURATION when no path is given' {
        $env:ASYNCSERVER_CONFIGURATION = $Config
        try { @(Get-AsyncSession).Count | Should -BeGreaterThan 0 }
        finally { Remove-Item Env:ASYNCSERVER_CONFIGURATION }
    }
}
