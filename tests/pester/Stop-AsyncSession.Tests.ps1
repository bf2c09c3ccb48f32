# Stop-AsyncSession against the built module: pipeline binding by property name, -WhatIf, -PassThru, error ids.
BeforeAll {
    Import-Module $env:ASYNCSERVER_TEST_MODULE -Force
    $script:Folder = Join-Path ([IO.Path]::GetTempPath()) "asyncserver-stop-$([guid]::NewGuid().ToString('N'))"
    $script:Config = (New-AsyncSampleEnvironment -Path $Folder -Products 10).ConfigurationPath
    $script:Sessions = Start-AsyncDistribution -ConfigurationPath $Config -Job 1020, 1070 -DataGroup USRT-Stores -Confirm:$false
}

AfterAll { Remove-Item $Folder -Recurse -Force -ErrorAction SilentlyContinue }

Describe 'Stop-AsyncSession' {
    It 'has ConfirmImpact High' {
        $attribute = (Get-Command Stop-AsyncSession).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]
        $attribute.ConfirmImpact | Should -Be 'High'
        $attribute.SupportsShouldProcess | Should -BeTrue
    }

    It 'changes nothing with -WhatIf' {
        Get-AsyncSession -ConfigurationPath $Config -ChannelDatabase HOUSTON | Stop-AsyncSession -ConfigurationPath $Config -WhatIf
        Get-AsyncSession -ConfigurationPath $Config -ChannelDatabase HOUSTON | ForEach-Object { $_.Status | Should -Be 'Available' }
    }

    It 'binds Id and ChannelDatabase by property name and cancels only at that channel database' {
        $target = $Sessions | Where-Object ChannelDatabase -eq 'HOUSTON' | Sort-Object Id | Select-Object -First 1
        $result = Get-AsyncSession -ConfigurationPath $Config -Id $target.Id -ChannelDatabase HOUSTON |
            Stop-AsyncSession -ConfigurationPath $Config -Confirm:$false -PassThru
        $result | ForEach-Object { $_.GetType().FullName } | Should -Be 'AsyncServer.Messaging.DownloadSession'
        $result.Id | Should -Be $target.Id
        $result.ChannelDatabase | Should -Be 'HOUSTON'
        $result.Status | Should -Be 'Canceled'
        (Get-AsyncSession -ConfigurationPath $Config -Id $target.Id -ChannelDatabase SEATTLE).Status | Should -Be 'Available'
    }

    It 'writes nothing without -PassThru and cancels a whole session when no channel database is given' {
        $target = $Sessions | Where-Object ChannelDatabase -eq 'SEATTLE' | Sort-Object Id | Select-Object -Last 1
        Stop-AsyncSession -ConfigurationPath $Config -Id $target.Id -Confirm:$false | Should -BeNullOrEmpty
        Get-AsyncSession -ConfigurationPath $Config -Id $target.Id | ForEach-Object { $_.Status | Should -Be 'Canceled' }
    }

    It 'refuses an applied session with SessionStateInvalid and an unknown one with SessionNotFound, and goes on with the next' {
        $left = Start-AsyncDistribution -ConfigurationPath $Config -Job 1020 -DataGroup USMF-Stores -Confirm:$false | Where-Object ChannelDatabase -eq 'CHICAGO'
        Receive-AsyncPackage -ConfigurationPath $Config -ChannelDatabase CHICAGO | Out-Null
        { Stop-AsyncSession -ConfigurationPath $Config -Id $left.Id -ChannelDatabase CHICAGO -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'SessionStateInvalid,AsyncServer.PowerShell.Commands.StopAsyncSessionCommand' -ExpectedMessage '*already applied*'
        $out = Stop-AsyncSession -ConfigurationPath $Config -Id 987654, $left.Id -ChannelDatabase DETROIT -Confirm:$false -PassThru -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'SessionNotFound,*'
        $out.Status | Should -Be 'Canceled'
    }
}
