@{
    RootModule           = 'AsyncServer.PowerShell.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '5b6f8a52-93f1-4c1e-9d1e-2f7f3f0b6a10'
    Author               = 'AsyncServer team'
    CompanyName          = 'AsyncServer'
    Copyright            = '(c) AsyncServer team. MIT License.'
    Description          = 'Distributes headquarters database changes to retail channel databases: change tracking, data packages, download sessions and a message database (a re-imagined Commerce Data Exchange: Async Server).'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('AsyncServer.Format.ps1xml')
    # Exports are explicit so PowerShell never has to load the module to find its commands.
    CmdletsToExport      = @(
        'Start-AsyncDistribution'
        'Get-AsyncSession'
        'Publish-AsyncPackage'
        'Test-AsyncConfiguration'
        'Initialize-AsyncMessageDatabase'
        'Enable-AsyncChangeTracking'
        'Invoke-AsyncChangeTrackingCleanup'
        'New-AsyncSampleEnvironment'
        'Update-AsyncSampleData'
        'Receive-AsyncPackage'
        'Stop-AsyncSession'
        'Restart-AsyncSession'
        'Move-AsyncStatusMessage'
        'Get-AsyncSchedule'
        'Register-AsyncDistributionSchedule'
        'Unregister-AsyncDistributionSchedule'
        'New-AsyncChannelCredential'
        'Get-AsyncChannelCredential'
        'Revoke-AsyncChannelCredential'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('Replication', 'Retail', 'Dynamics', 'AX2012', 'ChangeTracking', 'SQLite', 'PostgreSQL', 'SqlServer')
            LicenseUri = 'https://opensource.org/licenses/MIT'
        }
    }
}
