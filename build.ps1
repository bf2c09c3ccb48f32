#!/usr/bin/env pwsh
<#
.SYNOPSIS
    The one entry point for building, testing, benchmarking and running the demo of AsyncServer.
.DESCRIPTION
    Run through the repository's local tool manifest so nothing needs installing by hand:
        dotnet tool restore; dotnet tool run pwsh ./build.ps1 <Task>
    Tasks:
      Build  compile and lay the module out in out/AsyncServer (engine and its libraries under deps/), the service in out/AsyncServer.Service
      Test   Build, then every xunit project and the Pester suite; prints "N passed, N failed, N skipped"
      Demo   Build, then examples/quickstart.ps1 in a fresh pwsh (a real distribution on SQLite, under ./demo)
      Bench  Build, then the benchmark harness (bench/); -Quick for a smoke run, -Only to choose scenarios
      Clean  remove out/ and demo/
.PARAMETER Configuration
    Release (default) or Debug.
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('Build', 'Test', 'Demo', 'Bench', 'Clean')]
    [string] $Task = 'Build',
    [ValidateSet('Release', 'Debug')]
    [string] $Configuration = 'Release',
    # Test: only the xunit projects, or only Pester.
    [ValidateSet('All', 'Xunit', 'Pester')]
    [string] $Suite = 'All',
    # Test: passed to 'dotnet test --filter' and as Pester's FullName filter.
    [string] $Filter,
    [switch] $Quick,
    # Bench: only the scenarios whose names contain one of these (the harness's --only), e.g. -Only endpoint, full-sync.
    [string[]] $Only
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$ModuleOut = Join-Path $Out 'AsyncServer'
$ResultsDir = Join-Path $Out 'test-results'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'
$env:DOTNET_SKIP_FIRST_TIME_EXPERIENCE = '1'

function Invoke-Native {
    param([string] $File, [string[]] $Arguments)
    Write-Host "> $File $($Arguments -join ' ')" -ForegroundColor DarkGray
    & $File @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$File exited with code $LASTEXITCODE" }
}

# A fresh pwsh for Pester and the demo: the same local tool that runs this script.
function Invoke-FreshPwsh {
    param([string[]] $Arguments)
    Push-Location $Root
    try {
        & dotnet tool run pwsh -- -NoLogo -NoProfile -NonInteractive @Arguments | Out-Host
        return $LASTEXITCODE
    } finally { Pop-Location }
}

function Invoke-Build {
    # Test-only PowerShell modules (Pester) come through an ordinary NuGet restore.
    Invoke-Native dotnet @('restore', (Join-Path $Root 'tests/tools/Pester.Restore.csproj'), '--nologo', '-v', 'q')
    # House style the compiler does not check (line length, .editorconfig); analyzers run in the build itself.
    $styleExit = Invoke-FreshPwsh @('-File', (Join-Path $Root 'build/Test-HouseStyle.ps1'), '-Root', $Root)
    if ($styleExit -ne 0) { throw "House style check failed (exit $styleExit); the lines are listed above." }
    Invoke-Native dotnet @('build', (Join-Path $Root 'AsyncServer.sln'), '-c', $Configuration, '--nologo', '-v', 'q', '-clp:ErrorsOnly')
    if (Test-Path $ModuleOut) { Remove-Item $ModuleOut -Recurse -Force }
    $deps = Join-Path $ModuleOut 'deps'
    # The engine is published with every dependency and its deps.json: the module's private
    # AssemblyLoadContext resolves runtime-specific and native files through it.
    Invoke-Native dotnet @('publish', (Join-Path $Root 'src/AsyncServer.Engine/AsyncServer.Engine.csproj'), '-c', $Configuration, '--no-build', '-o', $deps, '--nologo', '-v', 'q')
    $cmdlets = Join-Path $Root "src/AsyncServer.PowerShell/bin/$Configuration/net8.0/AsyncServer.PowerShell.dll"
    Copy-Item $cmdlets $ModuleOut
    # module/ holds the manifest, the format file and the help sources: the manifest only works here, beside the dll.
    Copy-Item (Join-Path $Root 'module/*') $ModuleOut -Recurse -Force
    # The service host (Register-AsyncDistributionSchedule -Service finds it beside the module folder).
    $serviceOut = Join-Path $Out 'AsyncServer.Service'
    if (Test-Path $serviceOut) { Remove-Item $serviceOut -Recurse -Force }
    Invoke-Native dotnet @('publish', (Join-Path $Root 'src/AsyncServer.Service/AsyncServer.Service.csproj'), '-c', $Configuration, '--no-build', '-o', $serviceOut, '--nologo', '-v', 'q')
    Write-Host "Module laid out in $ModuleOut" -ForegroundColor Green
    # Get-Help: MAML and docs/cmdlets.md from module/help/*.psd1 plus the built cmdlets' metadata (a fresh
    # pwsh imports the module). Fails the build when a cmdlet or parameter has no help.
    $helpExit = Invoke-FreshPwsh @('-File', (Join-Path $Root 'build/New-MamlHelp.ps1'), '-ModuleFolder', $ModuleOut,
        '-SourceFolder', (Join-Path $Root 'module/help'), '-IndexPath', (Join-Path $Root 'docs/cmdlets.md'))
    if ($helpExit -ne 0) { throw "Help generation failed (exit $helpExit); the problems are listed above." }
}

function Get-TrxCounts([string] $Path) {
    [xml] $trx = Get-Content $Path -Raw
    $c = $trx.TestRun.ResultSummary.Counters
    # The trx logger counts a skipped test in total but not in executed, and leaves notExecuted at 0.
    $skipped = [math]::Max([int]$c.notExecuted, [int]$c.total - [int]$c.executed)
    [pscustomobject]@{ Passed = [int]$c.passed; Failed = [int]$c.failed + [int]$c.error + [int]$c.timeout + [int]$c.aborted; Skipped = $skipped }
}

# The status page tests (tests/AsyncServer.Service.Tests/Operations) drive Debian's chromium through chromium-driver.
# Installed here when absent, as PostgreSQL's tests need only what the machine has: CI runs this as root.
function Install-TestBrowser {
    if (-not $IsLinux -or ((Test-Path /usr/bin/chromium) -and (Test-Path /usr/bin/chromedriver))) { return }
    if ((& id -u) -ne '0' -or -not (Get-Command apt-get -ErrorAction SilentlyContinue)) {
        Write-Warning 'chromium and chromium-driver are missing and cannot be installed here (not root, or no apt-get): the status page tests will fail.'
        return
    }
    $env:DEBIAN_FRONTEND = 'noninteractive'
    & apt-get install -y --no-install-recommends chromium chromium-driver
    if ($LASTEXITCODE -ne 0) {
        Invoke-Native apt-get @('update')
        Invoke-Native apt-get @('install', '-y', '--no-install-recommends', 'chromium', 'chromium-driver')
    }
}

function Invoke-Test {
    Invoke-Build
    if ($Suite -in 'All', 'Xunit') { Install-TestBrowser }
    if (Test-Path $ResultsDir) { Remove-Item $ResultsDir -Recurse -Force }
    New-Item -ItemType Directory -Path $ResultsDir | Out-Null
    $totals = [ordered]@{ Passed = 0; Failed = 0; Skipped = 0 }
    $failures = @()

    if ($Suite -in 'All', 'Xunit') {
        foreach ($project in Get-ChildItem (Join-Path $Root 'tests') -Recurse -Filter '*.Tests.csproj') {
            $name = $project.BaseName
            $trx = "$name.trx"
            $testArgs = @('test', $project.FullName, '-c', $Configuration, '--no-build', '--nologo',
                '--logger', "trx;LogFileName=$trx", '--results-directory', $ResultsDir, '--logger', 'console;verbosity=normal')
            if ($Filter) { $testArgs += @('--filter', $Filter) }
            Write-Host "> dotnet $($testArgs -join ' ')" -ForegroundColor DarkGray
            & dotnet @testArgs
            $exit = $LASTEXITCODE
            $trxPath = Join-Path $ResultsDir $trx
            if (Test-Path $trxPath) {
                $c = Get-TrxCounts $trxPath
                $totals.Passed += $c.Passed; $totals.Failed += $c.Failed; $totals.Skipped += $c.Skipped
                if ($c.Failed -gt 0) { $failures += $name }
            } else {
                $totals.Failed += 1; $failures += "$name (no results, exit $exit)"
            }
        }
    }

    if ($Suite -in 'All', 'Pester') {
        $summary = Join-Path $ResultsDir 'pester-summary.json'
        $pesterArgs = @('-File', (Join-Path $Root 'tests/pester/Invoke-PesterSuite.ps1'), '-ModulePath', (Join-Path $ModuleOut 'AsyncServer.psd1'), '-SummaryPath', $summary, '-ResultsDirectory', $ResultsDir)
        if ($Filter) { $pesterArgs += @('-Filter', $Filter) }
        $exit = Invoke-FreshPwsh $pesterArgs
        if (Test-Path $summary) {
            $c = Get-Content $summary -Raw | ConvertFrom-Json
            $totals.Passed += $c.Passed; $totals.Failed += $c.Failed; $totals.Skipped += $c.Skipped
            if ($c.Failed -gt 0) { $failures += 'Pester' }
        } else {
            $totals.Failed += 1; $failures += "Pester (no results, exit $exit)"
        }
    }

    if ($failures) { Write-Host "Failing suites: $($failures -join ', ')" -ForegroundColor Red }
    $line = "$($totals.Passed) passed, $($totals.Failed) failed"
    if ($totals.Skipped -gt 0) { $line += ", $($totals.Skipped) skipped" }
    Write-Output $line
    if ($totals.Failed -gt 0) { exit 1 }
}

function Invoke-Demo {
    Invoke-Build
    $exit = Invoke-FreshPwsh @('-File', (Join-Path $Root 'examples/quickstart.ps1'), '-ModulePath', (Join-Path $ModuleOut 'AsyncServer.psd1'))
    if ($exit -ne 0) { throw "The demo failed (exit $exit)." }
}

function Invoke-Bench {
    Invoke-Build
    # $args is PowerShell's own automatic variable: never assign it.
    $benchArgs = @('run', '--project', (Join-Path $Root 'bench/AsyncServer.Bench/AsyncServer.Bench.csproj'), '-c', 'Release', '--')
    if ($Quick) { $benchArgs += '--quick' }
    if ($Only) { $benchArgs += '--only', ($Only -join ',') }
    Invoke-Native dotnet $benchArgs
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Test' { Invoke-Test }
    'Demo' { Invoke-Demo }
    'Bench' { Invoke-Bench }
    'Clean' { foreach ($p in $Out, (Join-Path $Root 'demo')) { if (Test-Path $p) { Remove-Item $p -Recurse -Force } } }
}
