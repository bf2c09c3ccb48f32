# Issue 12, point 6, at the cmdlets: a secret anywhere in a connection string never reaches an error's message,
# target object or category, nor the -WhatIf text, nor verbose/warning output. The -WhatIf text goes to the host,
# so each case runs in a child pwsh whose whole console output is searched.
BeforeAll {
    Import-Module $env:ASYNCSERVER_TEST_MODULE -Force
    $script:Folder = Join-Path ([IO.Path]::GetTempPath()) "asyncserver-secrets-$([guid]::NewGuid().ToString('N'))"
    $script:Config = (New-AsyncSampleEnvironment -Path $Folder -Products 5).ConfigurationPath
    $script:Original = Get-Content $Config -Raw
    $script:Secret = 'Hq7-S3CRET-pz'
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    $script:Pwsh, $script:PwshArgs = (Get-TestPwsh).Path, (Get-TestPwsh).Arguments
}

AfterAll { Remove-Item $Folder -Recurse -Force -ErrorAction SilentlyContinue }

Describe 'Secrets in connection strings' {
    BeforeEach { Set-Content -Path $Config -Value $Original }

    It 'stay out of every message path for <Case>' -ForEach @(
        @{ Case = 'Password';      Suffix = ';Password={0}'; Resolves = $true }
        @{ Case = 'Pwd';           Suffix = ';Pwd={0}' }
        @{ Case = 'Passwrd';       Suffix = ';Passwrd={0}' }
        @{ Case = 'SSL Password';  Suffix = ';SSL Password={0}' }
        @{ Case = 'quoted';        Suffix = ';Password="{0};x=y"'; Resolves = $true }
        @{ Case = 'bad value';     Suffix = ';Password={0};Default Timeout=abc' }
        @{ Case = 'key position';  Suffix = ';{0}' }
    ) {
        $json = Get-Content $Config -Raw | ConvertFrom-Json
        $json.messageDatabase.connectionString = 'Data Source=message.db' + ($Suffix -f $Secret)
        $json.hq.connectionString = 'Data Source=hq.db' + ($Suffix -f $Secret)
        $json | ConvertTo-Json -Depth 20 | Set-Content $Config

        $script = @"
Import-Module '$($env:ASYNCSERVER_TEST_MODULE)'
`$ErrorActionPreference = 'Continue'
Initialize-AsyncMessageDatabase -ConfigurationPath '$Config' -WhatIf -Verbose
Enable-AsyncChangeTracking -ConfigurationPath '$Config' -WhatIf -Verbose
Get-AsyncSession -ConfigurationPath '$Config' -Verbose
Test-AsyncConfiguration -ConfigurationPath '$Config' | Format-List *
foreach (`$e in `$Error) { `$e | Format-List * -Force; `$e.CategoryInfo | Format-List *; `$e.Exception | Format-List * -Force }
"@
        $output = & $Pwsh @PwshArgs -NoLogo -NoProfile -NonInteractive -Command $script 2>&1 | Out-String
        $output | Should -Not -BeNullOrEmpty
        $output | Should -Not -Match ([regex]::Escape($Secret))
        # Proof the paths ran: a string the driver accepts reaches -WhatIf; one it refuses is a ConfigurationInvalid error.
        if ($Resolves) { $output | Should -Match 'What if:' } else { $output | Should -Match 'ConfigurationInvalid' }
    }
}
