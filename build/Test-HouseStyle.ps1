#!/usr/bin/env pwsh
<#
.SYNOPSIS
    The house-style checks the compiler does not make: no C# line under src/ longer than .editorconfig's
    max_line_length (160). Run by `build.ps1 Build` before compiling; exits 1 listing every offending line.
.PARAMETER Root
    The repository root (default: this script's parent folder).
#>
[CmdletBinding()]
param([string] $Root = (Split-Path $PSScriptRoot -Parent), [int] $MaxLineLength = 160)

$ErrorActionPreference = 'Stop'
$problems = foreach ($file in Get-ChildItem (Join-Path $Root 'src') -Recurse -Filter '*.cs' -File) {
    if ($file.FullName -match '[\\/](bin|obj)[\\/]') { continue }
    $number = 0
    foreach ($line in [System.IO.File]::ReadLines($file.FullName)) {
        $number++
        if ($line.Length -gt $MaxLineLength) {
            "$([System.IO.Path]::GetRelativePath($Root, $file.FullName)):${number}: $($line.Length) characters (at most $MaxLineLength)"
        }
    }
}
if ($problems) {
    $problems | ForEach-Object { Write-Host $_ -ForegroundColor Red }
    Write-Host "House style: $(@($problems).Count) line(s) longer than $MaxLineLength characters under src/." -ForegroundColor Red
    exit 1
}
