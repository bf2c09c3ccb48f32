# What several Pester files need to run the built module in a new pwsh process (as a scheduled task or a deployment
# script would): the pwsh that runs this suite, and a way to run a script in a fresh one. Import it in BeforeAll.

# The pwsh running this suite: its path, and the arguments it needs first when it is the dotnet-hosted local tool
# (then the process is 'dotnet' and pwsh.dll must be named).
function Get-TestPwsh {
    $path = (Get-Process -Id $PID).Path
    [string[]] $arguments = if ((Split-Path $path -Leaf) -like 'dotnet*') { Join-Path $PSHOME 'pwsh.dll' } else { @() }
    [pscustomobject]@{ Path = $path; Arguments = $arguments }
}

# Runs a script in a new non-interactive pwsh from -Location (default: here). Returns its output lines, and throws
# with that output when it exits non-zero; with -PassThru returns ExitCode and Output (one string) instead of throwing.
function Invoke-FreshPwsh {
    param([Parameter(Mandatory)] [string] $Script, [string] $Location = (Get-Location).Path, [switch] $PassThru)
    $pwsh = Get-TestPwsh
    $file = Join-Path ([IO.Path]::GetTempPath()) "asyncserver-pester-$([guid]::NewGuid().ToString('N')).ps1"
    Set-Content -Path $file -Value $Script
    Push-Location $Location
    try {
        $output = & $pwsh.Path @($pwsh.Arguments) -NoProfile -NonInteractive -File $file 2>&1
        if ($PassThru) { return [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = ($output | Out-String) } }
        if ($LASTEXITCODE -ne 0) { throw "child pwsh failed ($LASTEXITCODE):`n$($output -join "`n")" }
        return $output
    } finally {
        Pop-Location
        Remove-Item $file -ErrorAction SilentlyContinue
    }
}

Export-ModuleMember -Function Get-TestPwsh, Invoke-FreshPwsh
