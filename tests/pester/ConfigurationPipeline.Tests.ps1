# The configuration travels with the pipeline: every object a cmdlet writes after reading a configuration carries its
# ConfigurationPath, which the next AsyncServer cmdlet binds by property name; and -Status takes upload statuses.
# Run from a folder with no asyncserver.json and no ASYNCSERVER_CONFIGURATION, as a scheduled script on a server would.
BeforeAll {
    Import-Module $env:ASYNCSERVER_TEST_MODULE -Force
    $script:Folder = Join-Path ([IO.Path]::GetTempPath()) "asyncserver-pipeline-$([guid]::NewGuid().ToString('N'))"
    $script:Config = (New-AsyncSampleEnvironment -Path (Join-Path $Folder 'a') -Products 5).ConfigurationPath
    $script:Other = (New-AsyncSampleEnvironment -Path (Join-Path $Folder 'b') -Products 5).ConfigurationPath
    Start-AsyncDistribution -ConfigurationPath $Config -Job 1020 -DataGroup USRT-Stores -Confirm:$false | Out-Null
    Start-AsyncDistribution -ConfigurationPath $Other -Job 1020 -Confirm:$false | Out-Null
    $script:Elsewhere = Join-Path $Folder 'elsewhere'
    New-Item -ItemType Directory $Elsewhere | Out-Null
    $script:SavedVariable = $env:ASYNCSERVER_CONFIGURATION
    $env:ASYNCSERVER_CONFIGURATION = $null
    Push-Location $Elsewhere
}

AfterAll {
    Pop-Location
    $env:ASYNCSERVER_CONFIGURATION = $SavedVariable
    Remove-Item $Folder -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'ConfigurationPath from the pipeline' {
    It 'is carried by the objects a cmdlet writes: the full path of the file it read' {
        $sessions = Get-AsyncSession -ConfigurationPath $Config
        $sessions | Should -Not -BeNullOrEmpty
        $sessions | ForEach-Object { $_.ConfigurationPath | Should -Be (Resolve-Path $Config).Path }
        (Get-AsyncChannelHealth -ConfigurationPath $Config | Select-Object -First 1).ConfigurationPath | Should -Be (Resolve-Path $Config).Path
    }

    It 'is bound by the next cmdlet, so the path is typed once (without it there is no configuration here)' {
        { Get-AsyncSession -ErrorAction Stop } | Should -Throw -ErrorId 'ConfigurationNotFound,AsyncServer.PowerShell.Commands.GetAsyncSessionCommand'
        $first = Get-AsyncSession -ConfigurationPath $Config -ChannelDatabase HOUSTON | Select-Object -First 1
        $again = $first | Get-AsyncSession
        $again.Id | Should -Contain $first.Id
        $stopped = $first | Stop-AsyncSession -Confirm:$false -PassThru
        $stopped.Status | Should -Be 'Canceled'
        $restarted = $stopped | Restart-AsyncSession -PassThru
        $restarted.Status | Should -Be 'Available'
    }

    It 'flows through Get-AsyncChannelHealth into Get-AsyncSession' {
        $rows = Get-AsyncChannelHealth -ConfigurationPath $Config -ChannelDatabase SEATTLE | Get-AsyncSession
        $rows | Should -Not -BeNullOrEmpty
        $rows.ChannelDatabase | Select-Object -Unique | Should -Be 'SEATTLE'
    }

    It 'sends each object of a mixed pipeline to its own configuration' {
        $a = Get-AsyncSession -ConfigurationPath $Config -DataGroup USRT-Stores | Select-Object -First 1
        $b = Get-AsyncSession -ConfigurationPath $Other -DataGroup USMF-Stores | Select-Object -First 1
        $found = $a, $b | Get-AsyncSession
        ($found | Where-Object ConfigurationPath -eq (Resolve-Path $Config).Path).DataGroup | Select-Object -Unique | Should -Be 'USRT-Stores'
        ($found | Where-Object ConfigurationPath -eq (Resolve-Path $Other).Path).DataGroup | Select-Object -Unique | Should -Be 'USMF-Stores'
    }

    It 'loses to a -ConfigurationPath typed on the command line' {
        $foreign = [pscustomobject]@{ Id = 1; ConfigurationPath = (Join-Path $Folder 'nowhere.json') }
        ($foreign | Get-AsyncSession -ConfigurationPath $Config).Id | Should -Contain 1
        { $foreign | Get-AsyncSession -ErrorAction Stop } | Should -Throw -ErrorId 'ConfigurationNotFound,AsyncServer.PowerShell.Commands.GetAsyncSessionCommand'
    }
}

Describe 'Get-AsyncSession -Status with upload statuses' {
    BeforeAll {
        New-AsyncSampleSale -ConfigurationPath $Config -ChannelDatabase HOUSTON -Count 3 -Seed 7 | Out-Null
        $script:Sent = Send-AsyncPackage -ConfigurationPath $Config -ChannelDatabase HOUSTON
    }

    It 'offers every download and upload status, and nothing else' {
        $set = (Get-Command Get-AsyncSession).Parameters['Status'].Attributes |
            Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] }
        # The engine loads in its own AssemblyLoadContext: its enums are reached through the objects, not by type name.
        $download = (Get-AsyncSession -ConfigurationPath $Config | Select-Object -First 1).Status.GetType()
        $upload = $Sent[0].Status.GetType()
        $download.Name, $upload.Name | Should -Be 'SessionStatus', 'UploadStatus'
        $expected = [Enum]::GetNames($download) + [Enum]::GetNames($upload) | Sort-Object -Unique
        $set.ValidValues | Sort-Object | Should -Be $expected
    }

    It 'lists upload sessions for an upload-only status, without -Direction' {
        $uploaded = Get-AsyncSession -ConfigurationPath $Config -Status Uploaded
        $uploaded.Id | Should -Be $Sent.Id
        $uploaded | ForEach-Object { $_.GetType().FullName | Should -Be 'AsyncServer.Upload.UploadSession' }
        Get-AsyncSession -ConfigurationPath $Config -Status UploadFailed | Should -BeNullOrEmpty
    }

    It 'lists both directions when upload and download statuses are asked for together' {
        $both = Get-AsyncSession -ConfigurationPath $Config -Status Uploaded, Available
        @($both | Where-Object { $_.GetType().Name -eq 'UploadSession' }).Id | Should -Be $Sent.Id
        @($both | Where-Object { $_.GetType().Name -eq 'DownloadSession' }).Count | Should -BeGreaterThan 0
        $both | ForEach-Object { $_.Status.ToString() | Should -BeIn 'Uploaded', 'Available' }
    }

    It 'filters upload sessions by their own statuses with -Direction Upload, and download sessions stay apart' {
        (Get-AsyncSession -ConfigurationPath $Config -Direction Upload -Status Uploaded).Id | Should -Be $Sent.Id
        Get-AsyncSession -ConfigurationPath $Config -Direction Upload -Status Applied | Should -BeNullOrEmpty
        Get-AsyncSession -ConfigurationPath $Config -Direction Download -Status Uploaded | Should -BeNullOrEmpty
        Get-AsyncSession -ConfigurationPath $Config -Status Available | ForEach-Object { $_.GetType().FullName | Should -Be 'AsyncServer.Messaging.DownloadSession' }
    }
}
