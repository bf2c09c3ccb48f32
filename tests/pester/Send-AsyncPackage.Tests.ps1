# Upload against the built module (issue 15): New-AsyncSampleSale, Send-AsyncPackage (-WhatIf, pipeline, output),
# Start-AsyncDistribution for an upload schedule, Get-AsyncSession -Direction Upload, Stop-/Restart-AsyncSession.
BeforeAll {
    Import-Module $env:ASYNCSERVER_TEST_MODULE -Force
    $script:Folder = Join-Path ([IO.Path]::GetTempPath()) "asyncserver-send-$([guid]::NewGuid().ToString('N'))"
    $script:Config = (New-AsyncSampleEnvironment -Path $Folder -Products 5).ConfigurationPath
    $script:Upload = Join-Path $Folder 'upload'
    $script:ModulePath = $env:ASYNCSERVER_TEST_MODULE
    # -WhatIf writes to the host: a child pwsh's output (Invoke-FreshPwsh) captures it.
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
}

AfterAll { Remove-Item $Folder -Recurse -Force -ErrorAction SilentlyContinue }

Describe 'Send-AsyncPackage' {
    It 'says with -WhatIf how many rows per table would go, and sends nothing' {
        $sales = New-AsyncSampleSale -ConfigurationPath $Config -ChannelDatabase HOUSTON -Count 4 -Seed 1
        $sales.Sales | Should -Be 4
        $output = (Invoke-FreshPwsh "Import-Module '$ModulePath'; Send-AsyncPackage -ConfigurationPath '$Config' -ChannelDatabase HOUSTON -WhatIf") -join "`n"
        $output | Should -Match '4 row\(s\) of RETAILTRANSACTIONTABLE \(counters 0\.\.4\] from channel database HOUSTON, job P-0001'
        @(Get-ChildItem $Upload -Filter *.zip).Count | Should -Be 0
        @(Get-AsyncSession -ConfigurationPath $Config -Direction Upload).Count | Should -Be 0
    }

    It 'takes channel databases from the pipeline and writes one upload session per store' {
        New-AsyncSampleSale -ConfigurationPath $Config -ChannelDatabase SEATTLE -Count 2 | Out-Null
        $sent = [pscustomobject]@{ ChannelDatabaseId = 'HOUSTON' }, [pscustomobject]@{ ChannelDatabase = 'SEATTLE' } |
            Send-AsyncPackage -ConfigurationPath $Config
        $sent.ChannelDatabase | Should -Be @('HOUSTON', 'SEATTLE')
        $sent | ForEach-Object { $_.GetType().FullName | Should -Be 'AsyncServer.Upload.UploadSession'; $_.Status.ToString() | Should -Be 'Uploaded' }
        $sent[0].Tables.ToString() | Should -Match 'RETAILTRANSACTIONTABLE \(0\.\.4\] 4'
        @(Get-ChildItem $Upload -Filter *.zip).Count | Should -Be 2
    }

    It 'is applied at HQ by Start-AsyncDistribution for the upload schedule, and listed by Get-AsyncSession -Direction Upload' {
        $applied = Start-AsyncDistribution -ConfigurationPath $Config -Schedule Sales-upload
        $applied.Status | ForEach-Object { $_.ToString() | Should -Be 'Applied' }
        $listed = Get-AsyncSession -ConfigurationPath $Config -Direction Upload -ChannelDatabase HOUSTON
        $listed.Job | Should -Be 'P-0001'
        ($listed | Format-Table | Out-String) | Should -Match 'HOUSTON\s+Applied'
        (Get-AsyncSession -ConfigurationPath $Config -Id $listed.Id).Id | Should -Be $listed.Id
        # The default direction still lists download sessions only.
        Get-AsyncSession -ConfigurationPath $Config | Where-Object { $_.Id -eq $listed.Id } | Should -BeNullOrEmpty
    }

    It 'cancels and reruns upload sessions through the pipeline' {
        New-AsyncSampleSale -ConfigurationPath $Config -ChannelDatabase HOUSTON -Count 1 | Out-Null
        $s = Send-AsyncPackage -ConfigurationPath $Config -ChannelDatabase HOUSTON
        $canceled = $s | Stop-AsyncSession -ConfigurationPath $Config -Confirm:$false -PassThru
        $canceled.Status.ToString() | Should -Be 'Canceled'
        $again = $s | Restart-AsyncSession -ConfigurationPath $Config -PassThru
        $again.Status.ToString() | Should -Be 'Uploaded'
        (Start-AsyncDistribution -ConfigurationPath $Config -Schedule Sales-upload).Status.ToString() | Should -Be 'Applied'
        { Restart-AsyncSession -ConfigurationPath $Config -Id $s.Id -ErrorAction Stop } |
            Should -Throw -ErrorId 'SessionStateInvalid,AsyncServer.PowerShell.Commands.RestartAsyncSessionCommand'
    }

    It 'reports an unknown channel database with its error id' {
        { Send-AsyncPackage -ConfigurationPath $Config -ChannelDatabase NOWHERE -ErrorAction Stop } |
            Should -Throw -ErrorId 'ChannelDatabaseNotFound,AsyncServer.PowerShell.Commands.SendAsyncPackageCommand'
    }
}
