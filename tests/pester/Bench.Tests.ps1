# The benchmark harness (bench/, docs/benchmarks.md) in its smoke mode: every scenario, floor and engine, on small
# tables, with a throwaway PostgreSQL server. It proves the harness and every measured path still run end to end;
# it asserts no time (figures on a CI runner say nothing), only that each scenario produced its figures.
BeforeAll {
    $script:Root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    # Built by ./build.ps1 with the solution, in the configuration of the run.
    $script:Harness = Get-ChildItem (Join-Path $Root 'bench/AsyncServer.Bench/bin') -Recurse -Filter 'AsyncServer.Bench.dll' |
        Sort-Object LastWriteTime -Descending | Select-Object -First 1
    $script:Results = Join-Path ([IO.Path]::GetTempPath()) "asyncserver-bench-smoke-$([guid]::NewGuid().ToString('N'))"
}
AfterAll { Remove-Item $Results -Recurse -Force -ErrorAction SilentlyContinue }

Describe 'The benchmark harness in smoke mode' {
    It 'runs every scenario, floor and engine, and writes the results file' {
        $Harness | Should -Not -BeNullOrEmpty -Because './build.ps1 builds bench/AsyncServer.Bench with the solution'
        Push-Location $Root
        try { $output = & dotnet $Harness.FullName --quick --results $Results 2>&1 }
        finally { Pop-Location }
        $LASTEXITCODE | Should -Be 0 -Because ($output | Out-String)
        # Small data and single runs: the targets' figures are shown, never judged ("not met" from a smoke run misled us).
        ($output | Out-String) | Should -Match 'not judged in a quick run'
        ($output | Out-String) | Should -Not -Match '\*\*no\*\*'

        $file = Get-ChildItem $Results -Filter '*-quick.json' | Select-Object -First 1
        $file | Should -Not -BeNullOrEmpty
        $report = Get-Content $file.FullName -Raw | ConvertFrom-Json
        $names = @($report.Scenarios.Name)
        foreach ($expected in 'package-read', 'full-sync/sqlite', 'incremental-small/sqlite', 'incremental-large/sqlite', 'fan-out/sqlite', 'apply/sqlite',
            'incremental-parent-small/sqlite', 'incremental-parent-large/sqlite', 'incremental-parent-small/postgresql', 'incremental-parent-large/postgresql',
            'full-sync/postgresql', 'incremental-small/postgresql', 'incremental-large/postgresql', 'fan-out/postgresql', 'apply/postgresql') {
            $names | Should -Contain $expected
        }
        foreach ($s in $report.Scenarios) {
            $s.Engine.Rows | Should -BeGreaterThan 0 -Because "$($s.Name) moved rows"
            $s.Floor.Rows | Should -BeGreaterThan 0 -Because "$($s.Name) measured its floor"
            $s.Engine.Seconds | Should -BeGreaterThan 0
            $s.Engine.PeakBytes | Should -BeGreaterThan 0
        }
        @($report.Scenarios | Where-Object { $_.Name -like 'full-sync/*' -or $_.Name -like 'apply/*' } | Where-Object { $_.Engine.Bytes -le 0 }) |
            Should -BeNullOrEmpty -Because 'full syncs and applies report the package bytes'
        @($report.Targets).Count | Should -BeGreaterThan 0
        @($report.NotMeasured | Where-Object { $_ -like '*failed*' }) | Should -BeNullOrEmpty
    }
}

Describe 'The benchmark harness arguments' {
    # A typo must not start a full run of every scenario (it used to: unknown arguments were ignored).
    It 'prints its usage for --help and refuses an unknown argument or a missing value before running anything' {
        $help = & dotnet $Harness.FullName --help 2>&1 | Out-String
        $LASTEXITCODE | Should -Be 0
        $help | Should -Match 'usage: AsyncServer.Bench'
        $help | Should -Match '--only NAMES'
        $unknown = & dotnet $Harness.FullName --quik 2>&1 | Out-String
        $LASTEXITCODE | Should -Be 2
        $unknown | Should -Match "Unknown argument '--quik'"
        $missing = & dotnet $Harness.FullName --only 2>&1 | Out-String
        $LASTEXITCODE | Should -Be 2
        $missing | Should -Match '--only needs a value'
    }
}
