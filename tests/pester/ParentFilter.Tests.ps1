# Filters through a parent table (docs/architecture.md, "Incremental semantics with filters") as an administrator
# meets them with the built module: a parent lookup that no index serves is a warning of Test-AsyncConfiguration and
# of Enable-AsyncChangeTracking, naming the filter's JSON path and the index that would serve.
BeforeAll {
    Import-Module $env:ASYNCSERVER_TEST_MODULE -Force
}

Describe 'A filter through a parent without a supporting index' {
    BeforeAll {
        $script:Folder = Join-Path ([IO.Path]::GetTempPath()) "asyncserver-parent-$([guid]::NewGuid().ToString('N'))"
        $script:Config = (New-AsyncSampleEnvironment -Path $Folder -Products 20).ConfigurationPath
        # Products whose search name is an item's alias: neither column is indexed in the sample.
        $json = Get-Content $Config -Raw | ConvertFrom-Json
        $json.subjobs += [pscustomobject]@{ id = 'BYALIAS'; hqTable = 'ECORESPRODUCT'; filter = 'EXISTS INVENTTABLE (NAMEALIAS = SEARCHNAME AND DATAAREAID = @DataAreaId)' }
        $json | ConvertTo-Json -Depth 20 | Set-Content $Config
        $script:Path = '$.subjobs[{0}].filter' -f ($json.subjobs.Count - 1)
    }
    AfterAll { Remove-Item $Folder -Recurse -Force -ErrorAction SilentlyContinue }

    It 'is a warning of Test-AsyncConfiguration with the path and the index that would serve' {
        $problems = @(Test-AsyncConfiguration -ConfigurationPath $Config)
        $problems | Should -Not -BeNullOrEmpty
        $problems | ForEach-Object { $_.Severity | Should -Be 'Warning' }
        @($problems | Where-Object { $_.Path -eq $Path -and $_.Message -like '*an index on INVENTTABLE (NAMEALIAS, DATAAREAID) would serve*' }).Count | Should -Be 1
        @($problems | Where-Object { $_.Path -eq $Path -and $_.Message -like '*an index on ECORESPRODUCT (SEARCHNAME) would serve*' }).Count | Should -Be 1
        Test-AsyncConfiguration -ConfigurationPath $Config -Quiet | Should -BeTrue -Because 'warnings are not errors'
    }

    It 'is a warning of Enable-AsyncChangeTracking, which still enables tracking' {
        $tables = @(Enable-AsyncChangeTracking -ConfigurationPath $Config -WarningVariable warnings -WarningAction SilentlyContinue -Confirm:$false)
        ($tables | Where-Object Table -eq 'INVENTTABLE').Enabled | Should -BeTrue
        # The path holds brackets, which -like reads as wildcards: compare as plain text.
        @($warnings | Where-Object { "$_".StartsWith("${Path}: ") -and "$_".Contains('an index on INVENTTABLE (NAMEALIAS, DATAAREAID) would serve') }).Count | Should -Be 1
    }
}
