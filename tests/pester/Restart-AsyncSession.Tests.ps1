# Restart-AsyncSession against the built module: pipeline binding, -WhatIf, -PassThru, error ids, re-packaging.
BeforeAll {
    Import-Module $env:ASYNCSERVER_TEST_MODULE -Force
    $script:Folder = Join-Path ([IO.Path]::GetTempPath()) "asyncserver-restart-$([guid]::NewGuid().ToString('N'))"
    $script:Config = (New-AsyncSampleEnvironment -Path $Folder -Products 10).ConfigurationPath
    $script:Sessions = Start-AsyncDistribution -ConfigurationPath $Config -Job 1020 -DataGroup USRT-Stores -Confirm:$false
    $script:Houston = $Sessions | Where-Object ChannelDatabase -eq 'HOUSTON'
    # Make it fail at HOUSTON: its package disappears.
    $script:Package = $Houston.PackagePath
    Move-Item $Package "$Package.away"
    Receive-AsyncPackage -ConfigurationPath $Config -ChannelDatabase HOUSTON -ErrorAction SilentlyContinue | Out-Null
}

AfterAll { Remove-Item $Folder -Recurse -Force -ErrorAction SilentlyContinue }

Describe 'Restart-AsyncSession' {
    It 'changes nothing with -WhatIf' {
        Get-AsyncSession -ConfigurationPath $Config -Status DownloadFailed | Restart-AsyncSession -ConfigurationPath $Config -WhatIf
        (Get-AsyncSession -ConfigurationPath $Config -Id $Houston.Id -ChannelDatabase HOUSTON).Status | Should -Be 'DownloadFailed'
    }

    It 'reruns failed sessions from the pipeline (Id and ChannelDatabase by property name) and resets their tries' {
        Move-Item "$Package.away" $Package
        $rerun = Get-AsyncSession -ConfigurationPath $Config -Status DownloadFailed | Restart-AsyncSession -ConfigurationPath $Config -PassThru
        $rerun | ForEach-Object { $_.GetType().FullName } | Should -Be 'AsyncServer.Messaging.DownloadSession'
        $rerun.Id | Should -Be $Houston.Id
        $rerun.ChannelDatabase | Should -Be 'HOUSTON'
        $rerun.Status | Should -Be 'Available'
        $rerun.Tries | Should -Be 0
        (Receive-AsyncPackage -ConfigurationPath $Config -ChannelDatabase HOUSTON).Status | Should -Be 'Applied'
    }

    It 'packages a canceled session again when its file is gone' {
        $seattle = $Sessions | Where-Object ChannelDatabase -eq 'SEATTLE'
        Stop-AsyncSession -ConfigurationPath $Config -Id $seattle.Id -ChannelDatabase SEATTLE -Confirm:$false
        Remove-Item $seattle.PackagePath
        $rerun = Restart-AsyncSession -ConfigurationPath $Config -Id $seattle.Id -ChannelDatabase SEATTLE -PassThru
        $rerun.Status | Should -Be 'Available'
        Test-Path $rerun.PackagePath | Should -BeTrue
        (Receive-AsyncPackage -ConfigurationPath $Config -ChannelDatabase SEATTLE).Status | Should -Be 'Applied'
    }

    It 'refuses an applied session with SessionStateInvalid and an unknown one with SessionNotFound' {
        { Restart-AsyncSession -ConfigurationPath $Config -Id $Houston.Id -ChannelDatabase HOUSTON -ErrorAction Stop } |
            Should -Throw -ErrorId 'SessionStateInvalid,AsyncServer.PowerShell.Commands.RestartAsyncSessionCommand' -ExpectedMessage '*Applied*'
        { Restart-AsyncSession -ConfigurationPath $Config -Id 987654 -ErrorAction Stop } |
            Should -Throw -ErrorId 'SessionNotFound,AsyncServer.PowerShell.Commands.RestartAsyncSessionCommand'
    }
}
