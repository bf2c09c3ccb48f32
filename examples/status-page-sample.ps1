# Builds the sample environment with a fifth store and short health intervals, then drives its stores into every
# health state with the cmdlets (about three minutes), for the status page screenshot in docs/operations.md:
#   pwsh examples/status-page-sample.ps1 -Module out/AsyncServer/AsyncServer.psd1 -Path /tmp/sample
#   dotnet out/AsyncServer.Service/AsyncServer.Service.dll --mode Endpoint --listen http://127.0.0.1:18467 -c /tmp/sample/asyncserver.json
#   chromium --headless=new --window-size=1400,900 --screenshot=docs/operations-status.png http://127.0.0.1:18467/status
param([string] $Module, [string] $Path)
$ErrorActionPreference = 'Stop'
Import-Module $Module
New-AsyncSampleEnvironment -Path $Path -Force | Out-Null
$config = Join-Path $Path 'asyncserver.json'
$json = Get-Content $config -Raw | ConvertFrom-Json -AsHashtable
# A fifth store (AUSTIN, usrt) and short intervals, so every state appears within minutes.
$usrt = $json.dataGroups | Where-Object id -eq 'USRT-Stores'
$austin = @{ id = 'AUSTIN'; parameters = $usrt.channelDatabases[0].parameters; connection = @{ provider = 'sqlite'; connectionString = 'Data Source=' + (Join-Path $Path 'austin.db') } }
$usrt.channelDatabases += $austin
$json.health = @{ contactIntervalSeconds = 20; silentAfterIntervals = 6 }
$json | ConvertTo-Json -Depth 20 | Set-Content $config
$env:ASYNCSERVER_CONFIGURATION = $config
Initialize-AsyncMessageDatabase | Out-Null
Start-AsyncDistribution -Job 1010, 1020, 1040, 1070 | Out-Null
foreach ($store in 'HOUSTON', 'AUSTIN', 'DETROIT') { Receive-AsyncPackage -ChannelDatabase $store | Out-Null }
# CHICAGO's first package is damaged before it downloads it (DETROIT, same data group, has applied it): Blocked.
$first = Get-AsyncSession -ChannelDatabase CHICAGO | Sort-Object Id | Select-Object -First 1
[IO.File]::WriteAllBytes($first.PackagePath, [byte[]](1..64))
Receive-AsyncPackage -ChannelDatabase CHICAGO -ErrorAction SilentlyContinue | Out-Null
Update-AsyncSampleData -Insert 20 -Update 60 -Delete 15 -Seed 42 | Out-Null
Start-AsyncDistribution -Schedule Products-and-prices | Out-Null
Write-Host 'waiting 125 s so AUSTIN turns Silent'
Start-Sleep -Seconds 125
Receive-AsyncPackage -ChannelDatabase DETROIT | Out-Null
Update-AsyncSampleData -Insert 5 -Update 10 -Delete 2 -Seed 7 | Out-Null
Start-AsyncDistribution -Schedule Products-and-prices | Out-Null
Receive-AsyncPackage -ChannelDatabase HOUSTON | Out-Null
Write-Host 'waiting 25 s so DETROIT is Behind'
Start-Sleep -Seconds 25
Get-AsyncChannelHealth | Format-Table | Out-String -Width 80 | Write-Host
