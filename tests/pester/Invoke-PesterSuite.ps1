<#
.SYNOPSIS
    Runs every *.Tests.ps1 under tests/pester against the built module, in this fresh pwsh process,
    and writes the totals to a JSON file that build.ps1 adds to the xunit totals.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $SummaryPath,
    [string] $ResultsDirectory,
    [string] $Filter
)
$ErrorActionPreference = 'Stop'
$pester = Get-ChildItem (Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages/pester') -Directory -ErrorAction SilentlyContinue |
    Sort-Object { [version]($_.Name -replace '-.*$', '') } -Descending | Select-Object -First 1
if ($env:NUGET_PACKAGES) {
    $pester = Get-ChildItem (Join-Path $env:NUGET_PACKAGES 'pester') -Directory | Sort-Object Name -Descending | Select-Object -First 1
}
if (-not $pester) { throw 'Pester was not restored: run dotnet restore tests/tools/Pester.Restore.csproj (build.ps1 does).' }
Import-Module (Join-Path $pester.FullName 'tools/Pester.psd1') -Force

# Test files read these to import the module under test in their own fresh processes.
$env:ASYNCSERVER_TEST_MODULE = (Resolve-Path $ModulePath).Path

$config = New-PesterConfiguration
$config.Run.Path = $PSScriptRoot
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
if ($Filter) { $config.Filter.FullName = "*$Filter*" }
if ($ResultsDirectory) {
    $config.TestResult.Enabled = $true
    $config.TestResult.OutputFormat = 'NUnitXml'
    $config.TestResult.OutputPath = Join-Path $ResultsDirectory 'pester.xml'
}
$result = Invoke-Pester -Configuration $config
[pscustomobject]@{
    Passed  = $result.PassedCount
    Failed  = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
    Skipped = $result.SkippedCount + $result.NotRunCount
} | ConvertTo-Json | Set-Content -Path $SummaryPath
exit 0
