# Receive-AsyncPackage against the built module: pipeline binding, -WhatIf, output, error ids.
BeforeAll {
    Import-Module $env:ASYNCSERVER_TEST_MODULE -Force
    $script:ModulePath = $env:ASYNCSERVER_TEST_MODULE
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    $script:Folder = Join-Path ([IO.Path]::GetTempPath()) "asyncserver-receive-$([guid]::NewGuid().ToString('N'))"
    $script:Config = (New-AsyncSampleEnvironment -Path $Folder -Products 10).ConfigurationPath
    $script:Sessions = Start-AsyncDistribution -ConfigurationPath $Config -Job 1020, 1070 -Confirm:$false
}

AfterAll { Remove-Item $Folder -Recurse -Force -ErrorAction SilentlyContinue }

Describe 'Receive-AsyncPackage' {
    It 'lists what it would apply with -WhatIf and changes nothing' {
        $output = Invoke-FreshPwsh "Import-Module '$ModulePath'; Receive-AsyncPackage -ConfigurationPath '$Config' -ChannelDatabase HOUSTON -WhatIf"
        $text = $output -join "`n"
        $text | Should -Match 'What if: .*Apply session \d+ \(job 1020, data group USRT-Stores\) at HOUSTON'
        $text | Should -Match 'Apply session \d+ \(job 1070'
        Get-AsyncSession -ConfigurationPath $Config -ChannelDatabase HOUSTON | ForEach-Object { $_.Status | Should -Be 'Available' }
        Test-Path (Join-Path $Folder 'channels/HOUSTON.db') | Should -BeFalse
    }

    It 'applies the pending sessions in order and writes one session object each' {
        $applied = Receive-AsyncPackage -ConfigurationPath $Config -ChannelDatabase HOUSTON
        $applied.Count | Should -Be 2
        $applied | ForEach-Object {
            $_ | ForEach-Object { $_.GetType().FullName } | Should -Be 'AsyncServer.Messaging.DownloadSession'
            $_.ChannelDatabase | Should -Be 'HOUSTON'
            $_.Status | Should -Be 'Applied'
            $_.Message | Should -Match 'upserted'
        }
        $applied[0].Id | Should -BeLessThan $applied[1].Id
        Test-Path (Join-Path $Folder 'channels/HOUSTON.db') | Should -BeTrue
        Receive-AsyncPackage -ConfigurationPath $Config -ChannelDatabase HOUSTON | Should -BeNullOrEmpty
    }

    It 'binds channel databases from the pipeline by value and by property name' {
        'SEATTLE' | Receive-AsyncPackage -ConfigurationPath $Config | ForEach-Object { $_.ChannelDatabase | Should -Be 'SEATTLE' }
        $fromObjects = [pscustomobject]@{ ChannelDatabase = 'CHICAGO' }, [pscustomobject]@{ ChannelDatabase = 'DETROIT' } | Receive-AsyncPackage -ConfigurationPath $Config
        ($fromObjects.ChannelDatabase | Sort-Object -Unique) | Should -Be @('CHICAGO', 'DETROIT')
        $fromObjects | ForEach-Object { $_.Status | Should -Be 'Applied' }
    }

    It 'reports a failed session as a DownloadFailed error with the session as target, and suspends the later ones' {
        $new = foreach ($seed in 7, 8) {
            Update-AsyncSampleData -ConfigurationPath $Config -Insert 1 -Update 5 -Delete 1 -Seed $seed | Out-Null
            Start-AsyncDistribution -ConfigurationPath $Config -Job 1020 -DataGroup USRT-Stores -Confirm:$false | Where-Object ChannelDatabase -eq 'HOUSTON'
        }
        $new.Count | Should -Be 2
        $first = $new | Sort-Object Id | Select-Object -First 1
        Remove-Item $first.PackagePath
        $out = Receive-AsyncPackage -ConfigurationPath $Config -ChannelDatabase HOUSTON -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'DownloadFailed,*'
        $failures[0].TargetObject.Id | Should -Be $first.Id
        $failures[0].Exception.Message | Should -Match 'does not exist'
        ($out | Where-Object Id -eq $first.Id).Status | Should -Be 'DownloadFailed'
        (Get-AsyncSession -ConfigurationPath $Config -ChannelDatabase HOUSTON -Status Suspended).Count | Should -BeGreaterThan 0
    }

    It 'fails with ChannelDatabaseNotFound for a name the configuration does not have' {
        { Receive-AsyncPackage -ConfigurationPath $Config -ChannelDatabase NOWHERE -ErrorAction Stop } |
            Should -Throw -ErrorId 'ChannelDatabaseNotFound,AsyncServer.PowerShell.Commands.ReceiveAsyncPackageCommand' -ExpectedMessage '*NOWHERE*'
    }

    It 'fails with ChannelConnectionMissing when the channel database has no connection' {
        $json = Get-Content $Config -Raw | ConvertFrom-Json
        $json.dataGroups[0].channelDatabases[0].PSObject.Properties.Remove('connection')
        $other = Join-Path $Folder 'noconnection.json'
        $json | ConvertTo-Json -Depth 20 | Set-Content $other
        $name = $json.dataGroups[0].channelDatabases[0].id
        { Receive-AsyncPackage -ConfigurationPath $other -ChannelDatabase $name -ErrorAction Stop } |
            Should -Throw -ErrorId 'ChannelConnectionMissing,AsyncServer.PowerShell.Commands.ReceiveAsyncPackageCommand' -ExpectedMessage '*-ChannelConnectionString*'
    }
}
