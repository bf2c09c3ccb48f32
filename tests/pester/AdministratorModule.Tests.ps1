# The module as an administrator meets it (issue 17), in real pwsh processes: confirmation of what destroys
# data, the manifests (the root one of a built clone, the shipped one), Get-Help -Online, the stated PowerShell version, apostrophes in help.
BeforeAll {
    $script:ModulePath = $env:ASYNCSERVER_TEST_MODULE
    $script:Root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    # Runs a script in a new non-interactive pwsh (as a scheduled task does) from -Location; returns exit code and output.
    function Invoke-Pwsh([string] $Script, [string] $Location = $Root) { Invoke-FreshPwsh -Script $Script -Location $Location -PassThru }

    Import-Module $ModulePath -Force
    $script:Sample = Join-Path $TestDrive 'sample'
    New-AsyncSampleEnvironment -Path $Sample -Products 40 | Out-Null
    $script:Config = Join-Path $Sample 'asyncserver.json'
}

Describe 'Confirmation of what destroys data (ConfirmImpact High)' {
    # A non-interactive pwsh cannot prompt: a command that asks for confirmation fails there and does nothing.
    It 'Move-AsyncStatusMessage asks by default and runs with -Confirm:$false' {
        $asks = Invoke-Pwsh "Import-Module '$ModulePath'; if (Move-AsyncStatusMessage -ConfigurationPath '$Config') { 'MOVED' }"
        $asks.Output | Should -Match 'NonInteractive mode'
        $asks.Output | Should -Not -Match 'MOVED'
        $runs = Invoke-Pwsh "Import-Module '$ModulePath'; if (Move-AsyncStatusMessage -ConfigurationPath '$Config' -Confirm:`$false) { 'MOVED' }"
        $runs.Output | Should -Match 'MOVED'
        $runs.Output | Should -Not -Match 'NonInteractive mode'
    }

    It 'Start-AsyncDistribution asks before -DeleteExistingData, not before an ordinary run' {
        $asks = Invoke-Pwsh "Import-Module '$ModulePath'; Start-AsyncDistribution -ConfigurationPath '$Config' -Job 1020 -FullSync -DeleteExistingData"
        $asks.Output | Should -Match 'NonInteractive mode'
        Get-AsyncSession -ConfigurationPath $Config -Job 1020 | Should -BeNullOrEmpty

        $plain = Invoke-Pwsh "Import-Module '$ModulePath'; Start-AsyncDistribution -ConfigurationPath '$Config' -Job 1020 -DataGroup USRT-Stores -FullSync | Out-Null"
        $plain.Output | Should -Not -Match 'NonInteractive mode'
        Get-AsyncSession -ConfigurationPath $Config -Job 1020 -DataGroup USRT-Stores | Should -Not -BeNullOrEmpty
        $unattended = Invoke-Pwsh "Import-Module '$ModulePath'; Start-AsyncDistribution -ConfigurationPath '$Config' -Job 1020 -DataGroup USMF-Stores -FullSync -DeleteExistingData -Confirm:`$false | Out-Null"
        $unattended.Output | Should -Not -Match 'NonInteractive mode'
        (Get-AsyncSession -ConfigurationPath $Config -Job 1020 -DataGroup USMF-Stores).DeleteExisting | Select-Object -Unique | Should -BeTrue
    }
}

Describe 'The manifest' {
    It 'at the root of a built clone works: every manifest there passes Test-ModuleManifest and imports' {
        # Test-ModuleManifest and Import-Module report a bad manifest as non-terminating errors, even with -ErrorAction Stop.
        $result = Invoke-Pwsh "`$problems = @(); Get-ChildItem -Filter *.psd1 | ForEach-Object { Test-ModuleManifest `$_.FullName -ErrorVariable +problems -ErrorAction SilentlyContinue | Out-Null; Import-Module `$_.FullName -ErrorVariable +problems -ErrorAction SilentlyContinue }; `$problems | ForEach-Object { ""PROBLEM: `$_"" }; exit `$problems.Count"
        $result.Output | Should -Not -Match 'PROBLEM'
        $result.ExitCode | Should -Be 0 -Because $result.Output
    }

    It 'at the root agrees with the shipped one (version, GUID) and brings the built cmdlets with their help' {
        $rootManifest = Import-PowerShellDataFile (Join-Path $Root 'AsyncServer.psd1')
        $shipped = Import-PowerShellDataFile (Join-Path $Root 'module/AsyncServer.psd1')
        $rootManifest.ModuleVersion | Should -Be $shipped.ModuleVersion
        $rootManifest.GUID | Should -Be $shipped.GUID
        $result = Invoke-Pwsh "Import-Module ./AsyncServer.psd1 -ErrorAction Stop; 'COUNT:' + (Get-Command -Module AsyncServer).Count; 'SYNOPSIS:' + (Get-Help Get-AsyncSession).Synopsis"
        $result.ExitCode | Should -Be 0 -Because $result.Output
        $result.Output | Should -Match "COUNT:$($shipped.CmdletsToExport.Count)"
        $result.Output | Should -Match 'SYNOPSIS:Lists download sessions'
    }

    It 'names the project, its help and its release notes' {
        $manifest = Test-ModuleManifest -Path $ModulePath
        $manifest.ProjectUri | Should -Not -BeNullOrEmpty
        $manifest.ProjectUri.Scheme | Should -Be 'https'
        $manifest.HelpInfoUri | Should -BeLike "$($manifest.ProjectUri)/*"
        $manifest.ReleaseNotes | Should -Not -BeNullOrEmpty
    }
}

Describe 'Online help' {
    # Linux only: the stand-in browser is an xdg-open on PATH, which is what .NET starts for a URL there; Windows and
    # macOS open URLs through the shell (ShellExecute, `open`), which a test cannot intercept without a real browser.
    # CI runs on Linux, so this test always runs there.
    It 'Get-Help -Online opens the cmdlet''s section of the cmdlet reference' -Skip:(-not $IsLinux) {
        # A stand-in browser on PATH records what PowerShell asks it to open (xdg-open is what .NET runs on Linux).
        $bin = Join-Path $TestDrive 'bin'
        New-Item -ItemType Directory -Path $bin -Force | Out-Null
        $opened = Join-Path $TestDrive 'opened.txt'
        Set-Content (Join-Path $bin 'xdg-open') "#!/bin/sh`necho `"`$1`" >> '$opened'`n"
        chmod +x (Join-Path $bin 'xdg-open')
        $oldPath = $env:PATH
        $env:PATH = "$bin$([IO.Path]::PathSeparator)$oldPath"
        try {
            $result = Invoke-Pwsh "Import-Module '$ModulePath'; Get-Help Get-AsyncSession -Online; Get-Help Stop-AsyncSession -Online; Start-Sleep -Seconds 1"
        } finally { $env:PATH = $oldPath }
        $result.ExitCode | Should -Be 0 -Because $result.Output
        $project = (Test-ModuleManifest -Path $ModulePath).ProjectUri
        Get-Content $opened | Should -Be @("$project/blob/main/docs/cmdlets.md#get-asyncsession", "$project/blob/main/docs/cmdlets.md#stop-asyncsession")
        Get-Content (Join-Path $Root 'docs/cmdlets.md') | Should -Contain '## Get-AsyncSession'
    }

    It 'says in the full help where the online version is' {
        (Get-Help Get-AsyncSession -Full | Out-String) | Should -Match 'Online version: https://\S+/docs/cmdlets\.md#get-asyncsession'
    }
}

Describe 'The PowerShell version the module needs' {
    It 'is stated in the README and in about_AsyncServer' {
        Get-Content (Join-Path $Root 'README.md') -Raw | Should -Match 'PowerShell 7\.4 or later'
        Get-Help about_AsyncServer | Out-String | Should -Match 'PowerShell 7\.4 or later'
    }
}

Describe 'Apostrophes in help' {
    It 'are single in every help text Get-Help shows' {
        foreach ($name in (Get-Command -Module AsyncServer -CommandType Cmdlet).Name) {
            $text = Get-Help $name -Full | Out-String
            $text | Should -Not -Match "\w''\w" -Because "Get-Help $name shows a doubled apostrophe"
        }
    }

    It 'doubled inside a here-string fail the help build' {
        $source = Join-Path $TestDrive 'help-apostrophes'
        Copy-Item (Join-Path $Root 'module/help') $source -Recurse
        $stop = Join-Path $source 'Stop-AsyncSession.psd1'
        (Get-Content $stop -Raw) -replace "is the operator's Cancel", "is the operator''s Cancel" | Set-Content $stop
        $moduleCopy = Join-Path $TestDrive 'module-copy'
        Copy-Item (Split-Path $ModulePath -Parent) $moduleCopy -Recurse
        $result = Invoke-Pwsh "& '$(Join-Path $Root 'build/New-MamlHelp.ps1')' -ModuleFolder '$moduleCopy' -SourceFolder '$source'; exit `$LASTEXITCODE"
        $result.ExitCode | Should -Be 1
        $result.Output | Should -Match "Stop-AsyncSession\.psd1: Description has a doubled apostrophe \('r''s'\)"
    }
}
