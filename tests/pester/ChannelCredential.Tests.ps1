# New-, Get- and Revoke-AsyncChannelCredential against the built module: the secret shown once and never stored,
# rotation (two active, a third refused), revocation, -WhatIf, pipeline binding, error ids, format views.
BeforeAll {
    Import-Module $env:ASYNCSERVER_TEST_MODULE -Force
    $script:Folder = Join-Path ([IO.Path]::GetTempPath()) "asyncserver-cred-$([guid]::NewGuid().ToString('N'))"
    $script:Config = (New-AsyncSampleEnvironment -Path $Folder -Products 10).ConfigurationPath
}

AfterAll { Remove-Item $Folder -Recurse -Force -ErrorAction SilentlyContinue }

Describe 'Channel credentials' {
    It 'creates nothing with -WhatIf' {
        New-AsyncChannelCredential -ConfigurationPath $Config -ChannelDatabase HOUSTON -WhatIf | Should -BeNullOrEmpty
        Get-AsyncChannelCredential -ConfigurationPath $Config | Should -BeNullOrEmpty
    }

    It 'shows a 256-bit secret once, with a warning, and stores only its salted hash' {
        $created = New-AsyncChannelCredential -ConfigurationPath $Config -ChannelDatabase houston -WarningVariable warned -WarningAction SilentlyContinue
        $created.GetType().FullName | Should -Be 'AsyncServer.Endpoint.NewChannelCredential'
        $created.ChannelDatabase | Should -Be 'HOUSTON'   # the configuration's spelling
        $created.Secret | Should -Match '^asc_[A-Za-z0-9_-]{43}$'
        $warned | Should -Match 'shown only now'
        # The message database holds no trace of the secret.
        $bytes = [IO.File]::ReadAllBytes((Join-Path $Folder 'message.db'))
        [Text.Encoding]::ASCII.GetString($bytes).Contains($created.Secret) | Should -BeFalse
        $listed = Get-AsyncChannelCredential -ConfigurationPath $Config -ChannelDatabase HOUSTON
        $listed.Id | Should -Be $created.Id
        $listed.State | Should -Be 'Active'
        $listed.PSObject.Properties.Name | Should -Not -Contain 'Secret'
        ($listed | Out-String) | Should -Match 'HOUSTON\s+\d+\s+Active'
        ($created | Out-String) | Should -Match 'Secret\s+: asc_'
    }

    It 'allows two active credentials and refuses a third with CredentialLimit' {
        New-AsyncChannelCredential -ConfigurationPath $Config -ChannelDatabase HOUSTON -WarningAction SilentlyContinue | Should -Not -BeNullOrEmpty
        New-AsyncChannelCredential -ConfigurationPath $Config -ChannelDatabase HOUSTON -WarningAction SilentlyContinue -ErrorVariable failed -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'CredentialLimit*'
        (Get-AsyncChannelCredential -ConfigurationPath $Config -ChannelDatabase HOUSTON).Count | Should -Be 2
    }

    It 'refuses an unknown channel database with ChannelDatabaseNotFound' {
        New-AsyncChannelCredential -ConfigurationPath $Config -ChannelDatabase NOWHERE -ErrorVariable failed -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'ChannelDatabaseNotFound*'
        $failed[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'revokes through the pipeline (ConfirmImpact High), and -WhatIf revokes nothing' {
        $attribute = (Get-Command Revoke-AsyncChannelCredential).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]
        $attribute.ConfirmImpact | Should -Be 'High'
        $older = Get-AsyncChannelCredential -ConfigurationPath $Config -ChannelDatabase HOUSTON | Sort-Object Id | Select-Object -First 1
        $older | Revoke-AsyncChannelCredential -ConfigurationPath $Config -WhatIf
        (Get-AsyncChannelCredential -ConfigurationPath $Config -ChannelDatabase HOUSTON).Count | Should -Be 2
        $revoked = $older | Revoke-AsyncChannelCredential -ConfigurationPath $Config -Confirm:$false -PassThru
        $revoked.Id | Should -Be $older.Id
        $revoked.State | Should -Be 'Revoked'
        (Get-AsyncChannelCredential -ConfigurationPath $Config -ChannelDatabase HOUSTON).Count | Should -Be 1
        (Get-AsyncChannelCredential -ConfigurationPath $Config -ChannelDatabase HOUSTON -IncludeRevoked).Count | Should -Be 2
        # Room again for a rotation.
        New-AsyncChannelCredential -ConfigurationPath $Config -ChannelDatabase HOUSTON -WarningAction SilentlyContinue | Should -Not -BeNullOrEmpty
    }

    It 'says CredentialInvalid for an id that is not an unrevoked credential of the channel database' {
        Revoke-AsyncChannelCredential -ConfigurationPath $Config -ChannelDatabase SEATTLE -Id 1 -Confirm:$false -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'CredentialInvalid*'
    }
}
