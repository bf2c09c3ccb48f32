# Receive-AsyncPackage -Server: the built module in this pwsh, against the built service serving the endpoint as a real
# process (Kestrel on 127.0.0.1, a free port, a certificate made here). The store side has no configuration file.
BeforeAll {
    Import-Module $env:ASYNCSERVER_TEST_MODULE -Force
    $script:Folder = Join-Path ([IO.Path]::GetTempPath()) "asyncserver-remote-$([guid]::NewGuid().ToString('N'))"
    $script:Config = (New-AsyncSampleEnvironment -Path $Folder -Products 10).ConfigurationPath
    $script:Sessions = Start-AsyncDistribution -ConfigurationPath $Config -Job 1020, 1070 -Confirm:$false
    $script:Secret = (New-AsyncChannelCredential -ConfigurationPath $Config -ChannelDatabase HOUSTON -WarningAction SilentlyContinue).Secret

    $rsa = [Security.Cryptography.RSA]::Create(2048)
    $request = [Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=asyncserver-pester', $rsa,
        [Security.Cryptography.HashAlgorithmName]::SHA256, [Security.Cryptography.RSASignaturePadding]::Pkcs1)
    $san = [Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder]::new()
    $san.AddIpAddress([Net.IPAddress]::Loopback)
    $request.CertificateExtensions.Add($san.Build())
    $certificate = $request.CreateSelfSigned([DateTimeOffset]::UtcNow.AddDays(-1), [DateTimeOffset]::UtcNow.AddDays(30))
    $script:Thumbprint = $certificate.Thumbprint
    $pfxPassword = [guid]::NewGuid().ToString('N')
    [IO.File]::WriteAllBytes((Join-Path $Folder 'server.pfx'), $certificate.Export([Security.Cryptography.X509Certificates.X509ContentType]::Pkcs12, $pfxPassword))
    Set-Content -Path (Join-Path $Folder 'server.pfx.password') -Value $pfxPassword
    $settings = @{
        configurationPath = $Config; mode = 'Endpoint'; listen = @('https://127.0.0.1:0')
        endpoint = @{ certificate = @{ path = (Join-Path $Folder 'server.pfx'); passwordFile = (Join-Path $Folder 'server.pfx.password') } }
    }
    $settingsPath = Join-Path $Folder 'service.json'
    $settings | ConvertTo-Json -Depth 5 | Set-Content $settingsPath
    $service = Join-Path (Split-Path (Split-Path $env:ASYNCSERVER_TEST_MODULE)) 'AsyncServer.Service/AsyncServer.Service.dll'
    $script:ServiceLog = Join-Path $Folder 'service.log'
    $script:ServiceProcess = Start-Process dotnet -ArgumentList @($service, '--settings', $settingsPath) -RedirectStandardOutput $ServiceLog `
        -RedirectStandardError (Join-Path $Folder 'service.err') -PassThru -WorkingDirectory $Folder
    $deadline = (Get-Date).AddMinutes(2)
    $script:Server = $null
    while (-not $Server) {
        if ($ServiceProcess.HasExited) { throw "The service exited: $(Get-Content $ServiceLog -Raw) $(Get-Content (Join-Path $Folder 'service.err') -Raw)" }
        if ((Get-Date) -gt $deadline) { throw "The endpoint did not start: $(Get-Content $ServiceLog -Raw)" }
        $match = Select-String -Path $ServiceLog -Pattern 'Endpoint listening on (https://127\.0\.0\.1:\d+)' -ErrorAction SilentlyContinue | Select-Object -First 1
        if ($match) { $script:Server = $match.Matches[0].Groups[1].Value } else { Start-Sleep -Milliseconds 200 }
    }
    $script:StoreDb = Join-Path $Folder 'store/houston.db'
    $script:Credential = [pscredential]::new('HOUSTON', (ConvertTo-SecureString $Secret -AsPlainText -Force))
    $script:Common = @{ Server = $Server; ChannelDatabase = 'HOUSTON'; CertificateThumbprint = $Thumbprint; ChannelConnectionString = "Data Source=$StoreDb"; LocalFolder = (Join-Path $Folder 'store/in') }
}

AfterAll {
    if ($ServiceProcess -and -not $ServiceProcess.HasExited) { Stop-Process -Id $ServiceProcess.Id -Force; $ServiceProcess.WaitForExit() }
    Remove-Item $Folder -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Receive-AsyncPackage -Server' {
    It 'lists what it would apply with -WhatIf and changes nothing' {
        $text = (Receive-AsyncPackage @Common -Credential $Credential -WhatIf 6>&1 *>&1 | Out-String)
        Get-AsyncSession -ConfigurationPath $Config -ChannelDatabase HOUSTON | ForEach-Object { $_.Status | Should -Be 'Available' }
        Test-Path $StoreDb | Should -BeFalse
    }

    It 'fails with EndpointUnauthorized for a wrong secret, naming no secret' {
        $wrong = [pscredential]::new('HOUSTON', (ConvertTo-SecureString 'asc_wrong' -AsPlainText -Force))
        Receive-AsyncPackage @Common -Credential $wrong -ErrorVariable failed -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'EndpointUnauthorized*'
        $failed[0].Exception.Message | Should -Match '401'
        $failed[0].Exception.Message | Should -Not -Match 'asc_wrong'
    }

    It 'applies every pending session in order over HTTPS, with no configuration, and the message database shows them Applied' {
        $applied = Receive-AsyncPackage @Common -Credential $Credential
        $expected = $Sessions | Where-Object ChannelDatabase -eq 'HOUSTON' | Sort-Object Id
        $applied.Count | Should -Be $expected.Count
        $applied.Id | Should -Be $expected.Id
        $applied | ForEach-Object {
            $_.GetType().FullName | Should -Be 'AsyncServer.Messaging.DownloadSession'
            $_.Status | Should -Be 'Applied'
            $_.Message | Should -Match 'upserted'
        }
        Get-AsyncSession -ConfigurationPath $Config -ChannelDatabase HOUSTON | ForEach-Object { $_.Status | Should -Be 'Applied' }
        Get-AsyncSession -ConfigurationPath $Config -ChannelDatabase SEATTLE | ForEach-Object { $_.Status | Should -Be 'Available' }
        Test-Path $StoreDb | Should -BeTrue
        # The store's last contact is recorded at HQ.
        (Get-AsyncChannelCredential -ConfigurationPath $Config -ChannelDatabase HOUSTON).LastRemoteAddress | Should -Be '127.0.0.1'
        # A second run finds nothing to do.
        Receive-AsyncPackage @Common -Credential $Credential | Should -BeNullOrEmpty
    }

    It 'receives with a store-side client settings file (the service''s client section)' {
        $seattleSecret = (New-AsyncChannelCredential -ConfigurationPath $Config -ChannelDatabase SEATTLE -WarningAction SilentlyContinue).Secret
        $store = Join-Path $Folder 'seattle'
        New-Item -ItemType Directory $store | Out-Null
        Set-Content (Join-Path $store 'seattle.secret') $seattleSecret
        @{ client = @{ channelDatabase = 'SEATTLE'; server = $Server; secretFile = 'seattle.secret'; channelConnectionString = 'Data Source=seattle.db'
                localFolder = 'in'; certificateThumbprint = $Thumbprint } } | ConvertTo-Json -Depth 3 | Set-Content (Join-Path $store 'client.json')
        $applied = Receive-AsyncPackage SEATTLE -ClientSettingsPath (Join-Path $store 'client.json')
        $expected = $Sessions | Where-Object ChannelDatabase -eq 'SEATTLE' | Sort-Object Id
        $applied.Id | Should -Be $expected.Id
        $applied | ForEach-Object { $_.Status | Should -Be 'Applied' }
        Test-Path (Join-Path $store 'seattle.db') | Should -BeTrue
        Get-AsyncSession -ConfigurationPath $Config -ChannelDatabase SEATTLE | ForEach-Object { $_.Status | Should -Be 'Applied' }
        # A file without the secret file's name is refused, naming the member.
        @{ client = @{ channelDatabase = 'SEATTLE'; server = $Server; channelConnectionString = 'Data Source=seattle.db' } } |
            ConvertTo-Json -Depth 3 | Set-Content (Join-Path $store 'bad.json')
        Receive-AsyncPackage SEATTLE -ClientSettingsPath (Join-Path $store 'bad.json') -ErrorVariable failed -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'ConfigurationInvalid*'
        $failed[0].Exception.Message | Should -Match 'secretFile'
    }

    It 'never writes the secret to the service log' {
        (Get-Content $ServiceLog -Raw) | Should -Not -Match ([regex]::Escape($Secret))
    }
}

Describe 'Send-AsyncPackage -Server' {
    BeforeAll {
        New-AsyncSampleSale -ConfigurationPath $Config -ChannelDatabase HOUSTON -Count 4 -Seed 7 | Out-Null
        $script:Send = @{ Server = $Server; ChannelDatabase = 'HOUSTON'; CertificateThumbprint = $Thumbprint
            ChannelConnectionString = "Data Source=$(Join-Path $Folder 'channels/HOUSTON.db')" }
    }

    It 'says with -WhatIf how many rows per table would go, and sends nothing' {
        # The "What if:" lines go to the host (PowerShell does not put them on a stream); what matters here is that nothing moved.
        Send-AsyncPackage @Send -Credential $Credential -WhatIf | Should -BeNullOrEmpty
        Get-AsyncSession -ConfigurationPath $Config -Direction Upload | Should -BeNullOrEmpty
    }

    It 'sends the store''s new sales over HTTPS with no configuration; the upload schedule applies them at HQ' {
        $sent = Send-AsyncPackage @Send -Credential $Credential
        $sent.Status | Should -Be 'Uploaded'
        $sent.RowCount | Should -BeGreaterThan 4
        (Get-AsyncSession -ConfigurationPath $Config -Direction Upload -Id $sent.Id).Status | Should -Be 'Uploaded'
        Start-AsyncDistribution -ConfigurationPath $Config -Schedule Sales-upload -Confirm:$false | Out-Null
        (Get-AsyncSession -ConfigurationPath $Config -Direction Upload -Id $sent.Id).Status | Should -Be 'Applied'
        # Nothing new: the cursor comes from HQ over HTTPS.
        Send-AsyncPackage @Send -Credential $Credential | Should -BeNullOrEmpty
    }

    It 'fails with EndpointUnauthorized for a wrong secret' {
        $wrong = [pscredential]::new('HOUSTON', (ConvertTo-SecureString 'asc_wrong' -AsPlainText -Force))
        Send-AsyncPackage @Send -Credential $wrong -ErrorVariable failed -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'EndpointUnauthorized*'
    }
}
