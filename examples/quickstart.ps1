#!/usr/bin/env pwsh
<#
.SYNOPSIS
    A real distribution on the embedded default (SQLite), from nothing, in under a minute.
.DESCRIPTION
    1. creates ./demo with a sample AX-like HQ database (products, prices, customers, channels),
       a message database and a configuration with two data groups and four jobs;
    2. runs a full distribution of every job to both data groups;
    3. inserts, updates and deletes HQ rows, and runs an incremental distribution;
    4. shows the download sessions and where everything is.
    Run it through the build: dotnet tool run pwsh ./build.ps1 Demo
.PARAMETER ModulePath
    The built module manifest (out/AsyncServer/AsyncServer.psd1 by default).
.PARAMETER Path
    Where to create the demo (./demo by default; it is replaced).
.PARAMETER MessageDatabase
    A PostgreSQL connection string for the message database instead of the sample's SQLite file, for
    example 'Host=db;Database=asyncmsg;Username=async;Password=${env:ASYNC_MSG_PASSWORD}' (single quotes:
    the placeholder is resolved by the module when it connects, so the password is never written down).
    The database must exist; the schema is created in it (schema asyncserver).
#>
[CmdletBinding()]
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/AsyncServer/AsyncServer.psd1'),
    [string] $Path = (Join-Path $PSScriptRoot '../demo'),
    [string] $MessageDatabase
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force
$started = Get-Date

Write-Host "`n== 1. A sample environment in $Path" -ForegroundColor Cyan
$envInfo = New-AsyncSampleEnvironment -Path $Path -Force
$envInfo | Format-List
$config = $envInfo.ConfigurationPath

if ($MessageDatabase) {
    Write-Host "== Switching the message database to PostgreSQL" -ForegroundColor Cyan
    $json = Get-Content $config -Raw | ConvertFrom-Json
    $json.messageDatabase = [pscustomobject]@{ provider = 'postgresql'; connectionString = $MessageDatabase }
    $json | ConvertTo-Json -Depth 20 | Set-Content $config -Encoding utf8
    Initialize-AsyncMessageDatabase -ConfigurationPath $config | Format-List
}

Write-Host "== Checking the configuration against the HQ catalog" -ForegroundColor Cyan
$problems = Test-AsyncConfiguration -ConfigurationPath $config
if ($problems | Where-Object Severity -eq 'Error') { $problems | Format-Table; throw 'The sample configuration has problems.' }
Write-Host 'No problems found.'

Write-Host "`n== 2. Full distribution: every job to both data groups" -ForegroundColor Cyan
$full = Start-AsyncDistribution -ConfigurationPath $config -Job 1010, 1020, 1040, 1070
$full | Format-Table

Write-Host "== 3. Changing HQ: inserts, updates (some move prices between legal entities) and deletes" -ForegroundColor Cyan
Update-AsyncSampleData -ConfigurationPath $config -Insert 20 -Update 60 -Delete 15 -Seed 42 | Format-Table

Write-Host "== Incremental distribution of the 'Products-and-prices' schedule, then of the rest" -ForegroundColor Cyan
$incremental = @(Start-AsyncDistribution -ConfigurationPath $config -Schedule Products-and-prices) +
               @(Start-AsyncDistribution -ConfigurationPath $config -Schedule Nightly)
$incremental | Format-Table

Write-Host "== 4. Sessions in the message database (NoData sessions included)" -ForegroundColor Cyan
Get-AsyncSession -ConfigurationPath $config -IncludeNoData | Format-Table
Write-Host "One session in full:" -ForegroundColor Cyan
Get-AsyncSession -ConfigurationPath $config -Id ($incremental | Where-Object Kind -eq 'Incremental' | Select-Object -First 1).Id |
    Select-Object -First 1 | Format-List

Write-Host "`n== 5. The store HOUSTON receives and applies its packages, in session order" -ForegroundColor Cyan
$received = Receive-AsyncPackage -ConfigurationPath $config -ChannelDatabase HOUSTON
$received | Format-Table Id, Job, ChannelDatabase, Status, Message
Write-Host "`n== 6. Upload: HOUSTON sells, sends its new transactions (job P-0001), HQ applies them" -ForegroundColor Cyan
New-AsyncSampleSale -ConfigurationPath $config -ChannelDatabase HOUSTON -Count 5 -Seed 7 | Format-Table
Send-AsyncPackage -ConfigurationPath $config -ChannelDatabase HOUSTON -WhatIf
$uploaded = Send-AsyncPackage -ConfigurationPath $config -ChannelDatabase HOUSTON
$uploaded | Format-List Id, Job, ChannelDatabase, Status, RowCount, Tables
Write-Host "== HQ applies what arrived in the upload folder (the 'Sales-upload' schedule)" -ForegroundColor Cyan
Start-AsyncDistribution -ConfigurationPath $config -Schedule Sales-upload | Format-Table
Write-Host "== The upload sessions in the message database, beside the download sessions (Get-AsyncSession -Direction Upload)" -ForegroundColor Cyan
Get-AsyncSession -ConfigurationPath $config -Direction Upload | Format-Table
Write-Host "== Status messages to the HQ status tables (retention purges what is older than retentionDays)" -ForegroundColor Cyan
Move-AsyncStatusMessage -ConfigurationPath $config -Confirm:$false | Format-List

$packages = Get-ChildItem $envInfo.DownloadFolder -Filter *.zip
Write-Host ("Packages:          {0} files, {1:N0} bytes in {2}" -f $packages.Count, ($packages | Measure-Object Length -Sum).Sum, $envInfo.DownloadFolder)
Write-Host "HQ database:       $($envInfo.HqDatabase)"
Write-Host "Message database:  $(if ($MessageDatabase) { 'PostgreSQL (messageDatabase in the configuration)' } else { $envInfo.MessageDatabase })"
Write-Host "Configuration:     $config"
Write-Host ("Done in {0:N1} s." -f ((Get-Date) - $started).TotalSeconds) -ForegroundColor Green
