#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Register-/Unregister-AsyncDistributionSchedule always write to a -UnitPath folder here: systemctl is never run.

BeforeAll {
    Import-Module $env:ASYNCSERVER_TEST_MODULE -Force
    $script:root = Join-Path ([IO.Path]::GetTempPath()) "asyncserver-pester-register-$([guid]::NewGuid().ToString('N'))"
    $script:sample = New-AsyncSampleEnvironment -Path (Join-Path $root 'env') -Products 20
    $script:config = $sample.ConfigurationPath
    # A schedule with a cron in another time zone, and one that runs on demand only.
    $json = Get-Content $config -Raw | ConvertFrom-Json
    $json.schedules += [pscustomobject]@{ name = 'Office hours'; active = $true; direction = 'Download'; jobs = @('1020'); dataGroups = @('USRT-Stores')
        recurrence = [pscustomobject]@{ cron = '*/15 8-17 * * MON-FRI'; timeZone = 'Europe/Berlin' } }
    $json.schedules += [pscustomobject]@{ name = 'By hand'; active = $true; direction = 'Download'; jobs = @('1070'); dataGroups = @('USRT-Stores') }
    $json | ConvertTo-Json -Depth 10 | Set-Content $config
    # The pwsh launcher (this process may be 'dotnet pwsh.dll' when pwsh is a dotnet tool).
    $script:pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
    $script:user = [Environment]::UserName
    $script:servicePath = Join-Path (Split-Path (Split-Path $env:ASYNCSERVER_TEST_MODULE)) 'AsyncServer.Service/AsyncServer.Service.dll'
    $script:analyze = Get-Command systemd-analyze -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
}

AfterAll {
    Remove-Item $root -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Register-AsyncDistributionSchedule for Linux (systemd timers)' {
    BeforeAll {
        $script:units = Join-Path $root 'units'
        $script:registered = Register-AsyncDistributionSchedule -ConfigurationPath $config -UnitPath $units -Platform Linux -PwshPath $pwsh -User $user -ErrorVariable problems -ErrorAction SilentlyContinue
        $script:problems = $problems
    }

    It 'writes a oneshot service and a timer for every active schedule with a recurrence' {
        $registered.Schedule | Should -Be @('Products-and-prices', 'Nightly', 'Sales-upload', 'Office hours')
        $registered | ForEach-Object { $_.Activated | Should -BeFalse; $_.Kind.ToString() | Should -Be 'Task' }
        (Get-ChildItem $units).Name | Sort-Object | Should -Be @(
            'asyncserver-schedule-Nightly.service', 'asyncserver-schedule-Nightly.timer',
            'asyncserver-schedule-Office_hours.service', 'asyncserver-schedule-Office_hours.timer',
            'asyncserver-schedule-Products-and-prices.service', 'asyncserver-schedule-Products-and-prices.timer',
            'asyncserver-schedule-Sales-upload.service', 'asyncserver-schedule-Sales-upload.timer')
        $problems | Should -BeNullOrEmpty
    }

    It 'runs Start-AsyncDistribution for the schedule as the user, in the configuration folder' {
        $service = Get-Content (Join-Path $units 'asyncserver-schedule-Office_hours.service') -Raw
        $module = Join-Path (Get-Module AsyncServer).ModuleBase 'AsyncServer.psd1'
        $service | Should -Match '(?m)^Type=oneshot$'
        $service | Should -Match ([regex]::Escape("ExecStart=$pwsh -NoLogo -NoProfile -NonInteractive -Command `"Import-Module '$module'; Start-AsyncDistribution -Schedule 'Office hours' -ConfigurationPath '$config' -ErrorAction Stop`""))
        $service | Should -Match "(?m)^User=$([regex]::Escape($user))$"
        $service | Should -Match "(?m)^WorkingDirectory=$([regex]::Escape($sample.Path))$"
        $service | Should -Match '(?m)^KillSignal=SIGINT$'
    }

    It 'turns an interval into OnUnitActiveSec and a cron into OnCalendar in its time zone' {
        $interval = Get-Content (Join-Path $units 'asyncserver-schedule-Products-and-prices.timer') -Raw
        $interval | Should -Match '(?m)^OnActiveSec=0$'
        $interval | Should -Match '(?m)^OnUnitActiveSec=15min$'
        $interval | Should -Match '(?m)^Unit=asyncserver-schedule-Products-and-prices\.service$'
        (Get-Content (Join-Path $units 'asyncserver-schedule-Nightly.timer') -Raw) | Should -Match '(?m)^OnCalendar=\*-\*-\* 02:00:00 UTC$'
        $office = Get-Content (Join-Path $units 'asyncserver-schedule-Office_hours.timer') -Raw
        $office | Should -Match '(?m)^OnCalendar=Mon\.\.Fri \*-\*-\* 08\.\.17:00/15:00 Europe/Berlin$'
        $office | Should -Match '(?m)^Persistent=true$'
        ($registered | Where-Object Schedule -eq 'Office hours').Trigger | Should -Be 'OnCalendar=Mon..Fri *-*-* 08..17:00/15:00 Europe/Berlin'
    }

    It 'writes units that systemd-analyze verify accepts' {
        # systemd ships systemd-analyze on every Linux machine this project runs on (CI included); elsewhere
        # there is nothing to verify units with, and the test says so instead of passing silently.
        if (-not $IsLinux) { Set-ItResult -Skipped -Because 'systemd units can only be verified on Linux'; return }
        $analyze | Should -Not -BeNullOrEmpty -Because 'systemd-analyze is part of systemd on Linux'
        $out = & $analyze.Source verify --man=no (Get-ChildItem $units).FullName 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
    }

    It 'refuses to overwrite without -Force, and replaces with it' {
        { Register-AsyncDistributionSchedule -ConfigurationPath $config -UnitPath $units -Schedule Nightly -PwshPath $pwsh -ErrorAction Stop } |
            Should -Throw -ErrorId 'RegistrationExists,AsyncServer.PowerShell.Commands.RegisterAsyncDistributionScheduleCommand'
        $again = Register-AsyncDistributionSchedule -ConfigurationPath $config -UnitPath $units -Schedule Nightly -PwshPath $pwsh -User root -Force
        $again.Schedule | Should -Be 'Nightly'
        Get-Content (Join-Path $units 'asyncserver-schedule-Nightly.service') -Raw | Should -Match '(?m)^User=root$'
    }

    It 'rejects a schedule without a recurrence, and an unknown one' {
        { Register-AsyncDistributionSchedule -ConfigurationPath $config -UnitPath $units -Schedule 'By hand' -PwshPath $pwsh -ErrorAction Stop } |
            Should -Throw -ErrorId 'ScheduleHasNoRecurrence,AsyncServer.PowerShell.Commands.RegisterAsyncDistributionScheduleCommand'
        { Register-AsyncDistributionSchedule -ConfigurationPath $config -UnitPath $units -Schedule 'Nope' -PwshPath $pwsh -ErrorAction Stop } |
            Should -Throw -ErrorId 'ScheduleNotFound,AsyncServer.PowerShell.Commands.RegisterAsyncDistributionScheduleCommand'
        Test-Path (Join-Path $units 'asyncserver-schedule-By_hand.service') | Should -BeFalse
    }

    It 'reports a folder it cannot write to, per schedule, and goes on' {
        $notAFolder = Join-Path $root 'not-a-folder'
        Set-Content $notAFolder 'a file where the unit folder should be'
        $r = Register-AsyncDistributionSchedule -ConfigurationPath $config -UnitPath $notAFolder -PwshPath $pwsh -ErrorVariable failed -ErrorAction SilentlyContinue
        $r | Should -BeNullOrEmpty
        $failed.Count | Should -Be 4   # Products-and-prices, Nightly, Sales-upload, Office hours
        $failed[0].FullyQualifiedErrorId | Should -Be 'IOError,AsyncServer.PowerShell.Commands.RegisterAsyncDistributionScheduleCommand'
        $failed[0].Exception.Message | Should -BeLike "Cannot write $notAFolder*"
    }

    It 'takes schedules from Get-AsyncSchedule through the pipeline, and runs this pwsh by default' {
        $piped = Join-Path $root 'piped'
        $r = Get-AsyncSchedule -ConfigurationPath $config -Name Nightly | Register-AsyncDistributionSchedule -ConfigurationPath $config -UnitPath $piped
        $r.Name | Should -Be 'asyncserver-schedule-Nightly'
        $r.Command | Should -BeLike "$pwsh -NoLogo *"
        (Get-ChildItem $piped).Count | Should -Be 2
    }

    It '-WhatIf prints the units it would write and writes nothing' {
        $whatIf = Join-Path $root 'whatif'
        $script = "Import-Module '$env:ASYNCSERVER_TEST_MODULE'; Register-AsyncDistributionSchedule -ConfigurationPath '$config' -UnitPath '$whatIf' -Schedule Nightly -PwshPath '$pwsh' -WhatIf"
        $out = & $pwsh -NoProfile -NonInteractive -Command $script | Out-String
        $LASTEXITCODE | Should -Be 0
        $out | Should -Match ([regex]::Escape("What if: Write $whatIf/asyncserver-schedule-Nightly.timer"))
        $out | Should -Match 'OnCalendar=\*-\*-\* 02:00:00 UTC'
        $out | Should -Match 'ExecStart=.*Start-AsyncDistribution -Schedule ''Nightly'''
        Test-Path $whatIf | Should -BeFalse
    }
}

Describe 'Register-AsyncDistributionSchedule -Service' {
    It 'writes a notify service unit that runs the service host with its options' {
        $units = Join-Path $root 'service'
        $r = Register-AsyncDistributionSchedule -Service -ConfigurationPath $config -UnitPath $units -Platform Linux -ServicePath $servicePath -User $user -MaxParallelRuns 3 -Schedule Nightly, 'Office hours'
        $r.Kind.ToString() | Should -Be 'Service'
        $r.Name | Should -Be 'asyncserver'
        $unit = Get-Content (Join-Path $units 'asyncserver.service') -Raw
        $unit | Should -Match '(?m)^Type=notify$'
        $unit | Should -Match ([regex]::Escape("$servicePath --configuration-path $config --max-parallel-runs 3 --schedules `"Nightly,Office hours`""))
        $unit | Should -Match '(?m)^ExecStart=/\S*dotnet '
        $unit | Should -Match "(?m)^User=$([regex]::Escape($user))$"
        $unit | Should -Match '(?m)^WantedBy=multi-user.target$'
        if ($IsLinux) {   # systemd-analyze is part of systemd on Linux (checked by the test above)
            $out = & $analyze.Source verify --man=no (Join-Path $units 'asyncserver.service') 2>&1
            $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
        }
    }

    It 'finds the service laid out beside the module when -ServicePath is not given' {
        $r = Register-AsyncDistributionSchedule -Service -ConfigurationPath $config -UnitPath (Join-Path $root 'service-default') -Platform Linux
        $r.Command | Should -Match ([regex]::Escape([IO.Path]::GetFullPath($servicePath)))
    }

    It 'writes an sc.exe install script for Windows' {
        $units = Join-Path $root 'winservice'
        Register-AsyncDistributionSchedule -Service -ConfigurationPath $config -UnitPath $units -Platform Windows -ServicePath 'C:\AsyncServer\AsyncServer.Service.exe' | Out-Null
        $script = Get-Content (Join-Path $units 'asyncserver.install.cmd') -Raw
        $script | Should -Match 'sc\.exe create asyncserver binPath= "C:\\AsyncServer\\AsyncServer\.Service\.exe --configuration-path'
        $script | Should -Match 'sc\.exe failure asyncserver reset= 86400 actions= restart/60000'
        $script | Should -Match 'start= delayed-auto'
    }
}

Describe 'Register-AsyncDistributionSchedule for Windows (Task Scheduler)' {
    It 'writes one task definition per schedule, or refuses what Task Scheduler cannot do' {
        $units = Join-Path $root 'tasks'
        $r = Register-AsyncDistributionSchedule -ConfigurationPath $config -UnitPath $units -Platform Windows -ErrorVariable problems -ErrorAction SilentlyContinue
        # Office hours is in Europe/Berlin, which Task Scheduler cannot follow unless it is the machine's zone.
        $r.Schedule | Should -Be @('Products-and-prices', 'Nightly', 'Sales-upload')
        $problems.FullyQualifiedErrorId | Should -Be 'RecurrenceNotRepresentable,AsyncServer.PowerShell.Commands.RegisterAsyncDistributionScheduleCommand'
        [xml] $task = Get-Content (Join-Path $units 'Nightly.xml') -Raw -Encoding Unicode
        $task.Task.Triggers.CalendarTrigger.StartBoundary | Should -Match 'T02:00:00Z$'
        $task.Task.Settings.MultipleInstancesPolicy | Should -Be 'IgnoreNew'
        $task.Task.Actions.Exec.Arguments | Should -Match "Start-AsyncDistribution -Schedule 'Nightly'"
        [xml] $often = Get-Content (Join-Path $units 'Products-and-prices.xml') -Raw -Encoding Unicode
        $often.Task.Triggers.TimeTrigger.Repetition.Interval | Should -Be 'PT15M'
    }

    It 'needs -UnitPath to write for another platform' {
        $other = if ($IsWindows) { 'Linux' } else { 'Windows' }
        { Register-AsyncDistributionSchedule -ConfigurationPath $config -Platform $other -ErrorAction Stop } | Should -Throw -ErrorId 'UnitPathRequired,AsyncServer.PowerShell.Commands.RegisterAsyncDistributionScheduleCommand'
    }
}

Describe 'Unregister-AsyncDistributionSchedule' {
    It 'removes the units of named schedules, then of all the rest, and says when one is not registered' {
        $units = Join-Path $root 'unregister'
        Register-AsyncDistributionSchedule -ConfigurationPath $config -UnitPath $units -Platform Linux -PwshPath $pwsh | Out-Null
        $removed = Unregister-AsyncDistributionSchedule -UnitPath $units -Platform Linux -Schedule Nightly -PassThru
        $removed.Name | Should -Be 'asyncserver-schedule-Nightly'
        Test-Path (Join-Path $units 'asyncserver-schedule-Nightly.timer') | Should -BeFalse
        Test-Path (Join-Path $units 'asyncserver-schedule-Products-and-prices.timer') | Should -BeTrue

        { Unregister-AsyncDistributionSchedule -UnitPath $units -Platform Linux -Schedule Nightly -ErrorAction Stop } |
            Should -Throw -ErrorId 'RegistrationNotFound,AsyncServer.PowerShell.Commands.UnregisterAsyncDistributionScheduleCommand'

        Unregister-AsyncDistributionSchedule -UnitPath $units -Platform Linux -WhatIf
        (Get-ChildItem $units).Count | Should -Be 6
        $rest = Unregister-AsyncDistributionSchedule -UnitPath $units -Platform Linux -PassThru
        $rest.Schedule | Should -Be @('Office_hours', 'Products-and-prices', 'Sales-upload')
        Get-ChildItem $units | Should -BeNullOrEmpty
    }

    It 'removes the service unit' {
        $units = Join-Path $root 'unregister-service'
        Register-AsyncDistributionSchedule -Service -ConfigurationPath $config -UnitPath $units -Platform Linux -ServicePath $servicePath | Out-Null
        Unregister-AsyncDistributionSchedule -Service -UnitPath $units -Platform Linux
        Test-Path (Join-Path $units 'asyncserver.service') | Should -BeFalse
    }
}
