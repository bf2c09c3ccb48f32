# Move-AsyncStatusMessage against the built module: -WhatIf counts, the summary object and its view, error ids.
BeforeAll {
    Import-Module $env:ASYNCSERVER_TEST_MODULE -Force
    $script:ModulePath = $env:ASYNCSERVER_TEST_MODULE
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    $script:Folder = Join-Path ([IO.Path]::GetTempPath()) "asyncserver-move-$([guid]::NewGuid().ToString('N'))"
    $script:Config = (New-AsyncSampleEnvironment -Path $Folder -Products 10).ConfigurationPath
    Start-AsyncDistribution -ConfigurationPath $Config -Job 1020 -Confirm:$false | Out-Null
    Receive-AsyncPackage -ConfigurationPath $Config -ChannelDatabase HOUSTON | Out-Null
}

AfterAll { Remove-Item $Folder -Recurse -Force -ErrorAction SilentlyContinue }

Describe 'Move-AsyncStatusMessage' {
    It 'shows the counts with -WhatIf and writes nothing' {
        $output = Invoke-FreshPwsh "Import-Module '$ModulePath'; Move-AsyncStatusMessage -ConfigurationPath '$Config' -WhatIf"
        ($output -join "`n") | Should -Match 'What if: .*\d+ status message\(s\) to the HQ database; purge \d+ session\(s\)'
        Move-AsyncStatusMessage -ConfigurationPath $Config -WhatIf | Should -BeNullOrEmpty
    }

    It 'moves the messages once and writes a summary with a list view' {
        $summary = Move-AsyncStatusMessage -ConfigurationPath $Config -Confirm:$false
        $summary | ForEach-Object { $_.GetType().FullName } | Should -Be 'AsyncServer.Messaging.StatusMoveSummary'
        $summary.MessagesMoved | Should -BeGreaterThan 0
        $summary.RetentionDays | Should -Be 14
        $view = $summary | Out-String
        $view | Should -Match 'MessagesMoved\s*:\s*\d+'
        $view | Should -Match 'MBFreed'
        (Move-AsyncStatusMessage -ConfigurationPath $Config -Confirm:$false).MessagesMoved | Should -Be 0
    }

    It 'fails with MessageDatabaseNotInitialized when the message database is missing' {
        $other = Join-Path $Folder 'other'
        $null = New-AsyncSampleEnvironment -Path $other -Products 5
        Remove-Item (Join-Path $other 'message.db*')
        { Move-AsyncStatusMessage -ConfigurationPath (Join-Path $other 'asyncserver.json') -ErrorAction Stop } |
            Should -Throw -ErrorId 'MessageDatabaseNotInitialized,AsyncServer.PowerShell.Commands.MoveAsyncStatusMessageCommand'
    }
}
