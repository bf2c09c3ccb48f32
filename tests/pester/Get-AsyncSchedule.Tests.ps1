#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Get-AsyncSchedule against a real sample environment (SQLite HQ and message database).

BeforeAll {
    Import-Module $env:ASYNCSERVER_TEST_MODULE -Force
    $script:root = Join-Path ([IO.Path]::GetTempPath()) "asyncserver-pester-schedule-$([guid]::NewGuid().ToString('N'))"
    $script:sample = New-AsyncSampleEnvironment -Path $root -Products 60
    $script:config = $sample.ConfigurationPath
}

AfterAll {
    Remove-Item $root -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Get-AsyncSchedule' {
    It 'lists every schedule, never run, with the next due time from its recurrence' {
        $before = [DateTimeOffset]::UtcNow
        $all = Get-AsyncSchedule -ConfigurationPath $config
        $all.Name | Should -Be @('Products-and-prices', 'Nightly', 'Sales-upload')
        $all | ForEach-Object { $_.LastResult.ToString() | Should -Be 'Never'; $_.LastRun | Should -BeNullOrEmpty }
        $interval = $all | Where-Object Name -eq 'Products-and-prices'
        $interval.Recurrence | Should -Be 'every 00:15:00'
        $interval.NextDue | Should -BeGreaterOrEqual $before   # never run: due now
        $nightly = $all | Where-Object Name -eq 'Nightly'
        $nightly.Recurrence | Should -Be 'cron 0 2 * * * (UTC)'
        $nightly.NextDue.UtcDateTime.TimeOfDay | Should -Be ([TimeSpan]'02:00:00')
        $nightly.NextDue | Should -BeGreaterThan $before
    }

    It 'shows the last run and result of the schedule''s sessions after a distribution' {
        $sessions = Start-AsyncDistribution -ConfigurationPath $config -Schedule Products-and-prices -WarningAction SilentlyContinue
        $s = Get-AsyncSchedule -ConfigurationPath $config -Name Products-and-prices
        $s.LastResult.ToString() | Should -Be 'Succeeded'
        $s.LastRun | Should -Not -BeNullOrEmpty
        $s.NextDue | Should -Be ($s.LastRun + [TimeSpan]'00:15:00')
        $s.LastSessionIds | Should -Be (@($sessions.Id | Sort-Object -Unique | Select-Object -Last 4))

        # Nothing changed in HQ: the next run records NoData sessions only.
        Start-AsyncDistribution -ConfigurationPath $config -Schedule Products-and-prices | Out-Null
        (Get-AsyncSchedule -ConfigurationPath $config -Name Products-and-prices).LastResult.ToString() | Should -Be 'NoData'
        (Get-AsyncSchedule -ConfigurationPath $config -Name Nightly).LastResult.ToString() | Should -Be 'Never'
    }

    It 'takes wildcards and pipeline input, and reports unknown names with ScheduleNotFound' {
        (Get-AsyncSchedule -ConfigurationPath $config -Name 'prod*').Name | Should -Be 'Products-and-prices'
        ('Nightly' | Get-AsyncSchedule -ConfigurationPath $config).Name | Should -Be 'Nightly'
        { Get-AsyncSchedule -ConfigurationPath $config -Name 'NoSuchSchedule' -ErrorAction Stop } | Should -Throw -ErrorId 'ScheduleNotFound,AsyncServer.PowerShell.Commands.GetAsyncScheduleCommand'
        Get-AsyncSchedule -ConfigurationPath $config -Name 'zzz*' | Should -BeNullOrEmpty
    }

    It 'has a table view leading with the name and result' {
        $text = Get-AsyncSchedule -ConfigurationPath $config | Format-Table | Out-String -Width 200
        $text | Should -Match 'Name\s+LastResult\s+LastRun\s+NextDue'
    }
}
