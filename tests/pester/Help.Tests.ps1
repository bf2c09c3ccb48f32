# Get-Help of the built module: every exported cmdlet has real MAML help (not the syntax PowerShell
# makes up when there is none), and build/New-MamlHelp.ps1 refuses incomplete or stale help.
BeforeDiscovery {
    Import-Module $env:ASYNCSERVER_TEST_MODULE
    $cmdlets = @(Get-Command -Module AsyncServer -CommandType Cmdlet | ForEach-Object { @{ Name = $_.Name } })
}

BeforeAll {
    Import-Module $env:ASYNCSERVER_TEST_MODULE
    $commonParameters = [System.Management.Automation.Cmdlet]::CommonParameters
}

Describe 'Get-Help <Name>' -ForEach $cmdlets {
    BeforeAll {
        $help = Get-Help $Name -Full
        $command = Get-Command $Name
    }

    It 'comes from the MAML file' {
        $help.PSObject.TypeNames | Should -Contain 'MamlCommandHelpInfo'
    }

    It 'has a synopsis that is not the generated syntax' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        # Without help, PowerShell puts the syntax ("Verb-Noun [-Param] <type> ...") in the synopsis.
        $help.Synopsis.Trim() | Should -Not -BeLike "$Name *"
        $help.Synopsis.Trim() | Should -Not -Match '\[-\w+'
    }

    It 'has a description' {
        ($help.description.Text -join "`n").Trim() | Should -Not -BeNullOrEmpty
    }

    It 'has at least two examples, each with code and remarks' {
        $examples = @($help.examples.example)
        $examples.Count | Should -BeGreaterOrEqual 2
        foreach ($example in $examples) {
            $example.code.Trim() | Should -Not -BeNullOrEmpty
            ($example.remarks.Text -join "`n").Trim() | Should -Not -BeNullOrEmpty
        }
    }

    It 'describes every parameter but the common ones' {
        $described = @{}
        foreach ($p in @($help.parameters.parameter)) { $described[$p.name] = ($p.description.Text -join "`n").Trim() }
        foreach ($name in $command.Parameters.Keys | Where-Object { $_ -notin $commonParameters }) {
            $described.ContainsKey($name) | Should -BeTrue -Because "-$name of $Name must be in its help"
            $described[$name] | Should -Not -BeNullOrEmpty -Because "-$name of $Name needs a description"
        }
    }

    It 'has a syntax block for every parameter set' {
        @($help.syntax.syntaxItem).Count | Should -Be @($command.ParameterSets).Count
    }
}

Describe 'about_AsyncServer' {
    It 'is found by Get-Help and explains the concepts' {
        $text = Get-Help about_AsyncServer | Out-String
        $text | Should -Match 'about_AsyncServer'
        foreach ($concept in 'SHORT DESCRIPTION', 'Channel databases and channel data groups', 'Row versions', 'Message database', 'THE CONFIGURATION FILE', 'WALKTHROUGH') {
            $text | Should -Match ([regex]::Escape($concept))
        }
    }
}

Describe 'New-MamlHelp.ps1' {
    BeforeAll {
        $generator = Join-Path $PSScriptRoot '../../build/New-MamlHelp.ps1'
        $builtModule = Split-Path $env:ASYNCSERVER_TEST_MODULE -Parent
        $sourceHelp = Join-Path $PSScriptRoot '../../module/help'
        # A copy of the built module and of the help sources, so a broken run cannot damage the real ones.
        $moduleCopy = Join-Path $TestDrive 'AsyncServer'
        Copy-Item $builtModule $moduleCopy -Recurse
        Remove-Item (Join-Path $moduleCopy 'en-US/*.xml') -ErrorAction SilentlyContinue

        # In a fresh pwsh, as the build runs it: the generator imports the module copy, which must not
        # replace the module this test session (and the test files after this one) use.
        $pwsh = (Get-Process -Id $PID).Path
        [string[]] $pwshArgs = if ((Split-Path $pwsh -Leaf) -like 'dotnet*') { Join-Path $PSHOME 'pwsh.dll' } else { @() }
        function Invoke-Generator([string] $Source) {
            $output = & $pwsh @pwshArgs -NoLogo -NoProfile -NonInteractive -File $generator -ModuleFolder $moduleCopy -SourceFolder $Source 2>&1 | Out-String
            [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = $output }
        }
    }

    It 'writes MAML for every exported cmdlet from the real help sources' {
        $result = Invoke-Generator $sourceHelp
        $result.ExitCode | Should -Be 0 -Because $result.Output
        [xml] $maml = Get-Content (Join-Path $moduleCopy 'en-US/AsyncServer.PowerShell.dll-Help.xml') -Raw
        $ns = @{ command = 'http://schemas.microsoft.com/maml/dev/command/2004/10' }
        $names = Select-Xml -Xml $maml -XPath '//command:command/command:details/command:name' -Namespace $ns | ForEach-Object { $_.Node.InnerText }
        $names | Sort-Object | Should -Be (Get-Command -Module AsyncServer -CommandType Cmdlet | ForEach-Object Name | Sort-Object)
    }

    It 'fails, naming each problem, when help is missing or names a parameter the cmdlet does not have' {
        $broken = Join-Path $TestDrive 'help-broken'
        Copy-Item $sourceHelp $broken -Recurse
        Remove-Item (Join-Path $broken 'Get-AsyncSession.psd1')
        $publish = Join-Path $broken 'Publish-AsyncPackage.psd1'
        (Get-Content $publish -Raw) -replace "PassThru = '", "PassThrough = '" | Set-Content $publish

        $result = Invoke-Generator $broken

        $result.ExitCode | Should -Be 1
        $result.Output | Should -Match 'cmdlet Get-AsyncSession is exported but module/help/Get-AsyncSession\.psd1 does not exist'
        $result.Output | Should -Match "names parameter 'PassThrough', which Publish-AsyncPackage does not have"
        $result.Output | Should -Match "parameter 'PassThru' of Publish-AsyncPackage has no description"
    }

    It 'fails when a help file has no cmdlet, too few examples, an unknown key or a syntax error (with its line)' {
        $broken = Join-Path $TestDrive 'help-stale'
        Copy-Item $sourceHelp $broken -Recurse
        Copy-Item (Join-Path $broken 'Get-AsyncSession.psd1') (Join-Path $broken 'Get-AsyncSessions.psd1')
        Set-Content (Join-Path $broken 'Test-AsyncConfiguration.psd1') @'
@{
    Synopsis = 'Checks.'; Description = 'Checks the file.'; Example = 'typo'
    Parameters = @{ SkipCatalog = 'No catalog.'; Quiet = 'A boolean.' }
    Examples = @( @{ Code = 'PS> Test-AsyncConfiguration'; Remarks = 'Checks.' } )
}
'@
        Set-Content (Join-Path $broken 'Enable-AsyncChangeTracking.psd1') "@{`n    Synopsis = 'Turns on the HQ's change tracking.'`n}"
        $result = Invoke-Generator $broken

        $result.ExitCode | Should -Be 1
        $result.Output | Should -Match "the module exports no cmdlet 'Get-AsyncSessions'"
        $result.Output | Should -Match 'Enable-AsyncChangeTracking\.psd1: not a valid PowerShell data file: line 2, column \d+'
        $result.Output | Should -Match "Test-AsyncConfiguration\.psd1: unknown key 'Example'"
        $result.Output | Should -Match 'Test-AsyncConfiguration\.psd1: needs at least two Examples \(has 1\)'
    }
}
