# A real crash: a distribution process killed with SIGKILL mid-run. Its claim expires, the next run sweeps
# what it left and delivers every change; nothing is delivered twice.
BeforeAll {
    $script:ModulePath = $env:ASYNCSERVER_TEST_MODULE
    Import-Module $ModulePath -Force
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    $script:Pwsh, $script:PwshArgs = (Get-TestPwsh).Path, (Get-TestPwsh).Arguments
}

Describe 'A distribution killed mid-run' {
    BeforeAll {
        $script:Folder = Join-Path ([IO.Path]::GetTempPath()) "asyncserver-crash-$([guid]::NewGuid().ToString('N'))"
        $script:Env = New-AsyncSampleEnvironment -Path $Folder -Products 400
        $script:Config = $Env.ConfigurationPath
        # Tiny packages make the run long enough to kill in the middle; a short lease lets the next run take over soon.
        $json = Get-Content $Config -Raw | ConvertFrom-Json
        $json.packageLimits.maxRows = 2
        $json.leaseSeconds = 2
        $json | ConvertTo-Json -Depth 20 | Set-Content $Config
    }
    AfterAll { Remove-Item $Folder -Recurse -Force -ErrorAction SilentlyContinue }

    It 'leaves the row version alone, and the next run sweeps and delivers' {
        $script = "Import-Module '$ModulePath'; Start-AsyncDistribution -ConfigurationPath '$Config' -Job 1040 -DataGroup USRT-Stores -InstanceId victim:1"
        $child = Start-Process -FilePath $Pwsh -ArgumentList ($PwshArgs + @('-NoProfile', '-NonInteractive', '-Command', $script)) -PassThru
        try {
            $deadline = (Get-Date).AddSeconds(60)
            do {
                Start-Sleep -Milliseconds 100
                $started = @(Get-AsyncSession -ConfigurationPath $Config -Status Started -ErrorAction SilentlyContinue)
            } until ($started.Count -ge 3 -or $child.HasExited -or (Get-Date) -gt $deadline)
            $child.HasExited | Should -BeFalse -Because 'the run must still be going when it is killed'
        } finally {
            # SIGKILL on Unix; on Windows Stop-Process -Force is TerminateProcess, just as abrupt.
            if ($IsWindows) { Stop-Process -Id $child.Id -Force } else { & kill -KILL $child.Id }
            $child.WaitForExit()
        }

        # Nothing was recorded: every session of the victim is still Started, the next run is still the first.
        $victim = @(Get-AsyncSession -ConfigurationPath $Config -Job 1040)
        $victim.Count | Should -BeGreaterThan 0
        $victim.PackageStatus | Select-Object -Unique | Should -Be 'Started'
        Get-ChildItem $Env.DownloadFolder -Filter *.zip | Should -Not -BeNullOrEmpty -Because 'the victim wrote complete parts before it died'

        Start-Sleep -Seconds 3   # the victim's lease expires
        $json = Get-Content $Config -Raw | ConvertFrom-Json
        $json.packageLimits.maxRows = 100000
        $json | ConvertTo-Json -Depth 20 | Set-Content $Config
        $sessions = Start-AsyncDistribution -ConfigurationPath $Config -Job 1040 -DataGroup USRT-Stores -InstanceId rescuer:2 -WarningVariable warnings -WarningAction SilentlyContinue
        ($warnings -join "`n") | Should -Match 'Swept \d+ unfinished session'
        $delivered = $sessions | Select-Object -First 1
        $delivered.Kind | Should -Be 'Full'
        $delivered.Status | Should -Be 'Available'

        $after = Get-AsyncSession -ConfigurationPath $Config -Job 1040 -IncludeNoData
        ($after | Where-Object InstanceId -eq 'victim:1').PackageStatus | Select-Object -Unique | Should -Be 'CreateFailed'
        ($after | Where-Object PackageStatus -eq 'Started') | Should -BeNullOrEmpty
        # Only the rescuer's package is left, and no temporary file.
        $files = Get-ChildItem $Env.DownloadFolder -File -Force
        $files.FullName | Should -Be $delivered.PackagePath
    }
}
