#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Makes the AsyncServer schedules run by themselves: installs the service, or one scheduled task per schedule.
.DESCRIPTION
    Run elevated (root on Linux, an administrator on Windows) after ./build.ps1 Build. With -UnitPath the
    systemd units / Task Scheduler definitions are only written to that folder, which needs no rights:
        pwsh examples/register-service.ps1 -ConfigurationPath ./demo/asyncserver.json -UnitPath ./units
    With -Tasks, one systemd timer (Linux) or Task Scheduler task (Windows) per schedule is registered
    instead of the service. docs/service.md explains both.
.PARAMETER ConfigurationPath
    The AsyncServer configuration whose schedules are to run.
.PARAMETER User
    The account that runs the service or tasks (Linux: a user such as asyncserver; Windows: a built-in
    account such as 'NT AUTHORITY\NetworkService'). Default: root / LocalSystem.
.PARAMETER Tasks
    One scheduled task per schedule instead of the service.
.PARAMETER UnitPath
    Only write the files to this folder.
.PARAMETER ModulePath
    The built module manifest (out/AsyncServer/AsyncServer.psd1 by default).
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)] [string] $ConfigurationPath,
    [string] $User,
    [switch] $Tasks,
    [string] $UnitPath,
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/AsyncServer/AsyncServer.psd1')
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force

Write-Host '== The schedules, their last run and next due time' -ForegroundColor Cyan
Get-AsyncSchedule -ConfigurationPath $ConfigurationPath | Format-Table

$register = @{ ConfigurationPath = $ConfigurationPath }
if ($User) { $register.User = $User }
if ($UnitPath) { $register.UnitPath = $UnitPath }
if (-not $Tasks) { $register.Service = $true }

Write-Host "== Registering $(if ($Tasks) { 'one scheduled task per schedule' } else { 'the AsyncServer service' })" -ForegroundColor Cyan
$registered = Register-AsyncDistributionSchedule @register -WhatIf:$WhatIfPreference
$registered | Format-List

if ($UnitPath -and $registered) {
    Write-Host "== Files written to $UnitPath (nothing was enabled)" -ForegroundColor Cyan
    foreach ($file in $registered.Files) {
        Write-Host "--- $file" -ForegroundColor DarkGray
        Get-Content $file | Write-Host
    }
    if (-not $IsWindows -and (Get-Command systemd-analyze -ErrorAction SilentlyContinue)) {
        systemd-analyze verify --man=no @($registered.Files | Where-Object { $_ -match '\.(service|timer)$' })
        if ($LASTEXITCODE -eq 0) { Write-Host 'systemd-analyze verify: no problems.' -ForegroundColor Green }
    }
} elseif ($registered) {
    if ($IsWindows) {
        Write-Host 'Check it:  Get-Service asyncserver   /   Get-ScheduledTask -TaskPath \asyncserver\' -ForegroundColor Green
    } else {
        Write-Host "Check it:  systemctl status $($registered[0].Name)   /   systemctl list-timers 'asyncserver-*'   /   journalctl -u 'asyncserver*' -f" -ForegroundColor Green
    }
    Write-Host 'Remove it: Unregister-AsyncDistributionSchedule' $(if (-not $Tasks) { '-Service' }) -ForegroundColor Green
}
