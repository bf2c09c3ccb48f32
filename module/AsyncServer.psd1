# The module's manifest. It lives in module/ (with the format file and help) and works only in the laid-out
# module: ./build.ps1 Build copies it to out/AsyncServer beside AsyncServer.PowerShell.dll. Import that one:
#   Import-Module ./out/AsyncServer/AsyncServer.psd1
@{
    RootModule           = 'AsyncServer.PowerShell.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '5b6f8a52-93f1-4c1e-9d1e-2f7f3f0b6a10'
    Author               = 'AsyncServer team'
    CompanyName          = 'AsyncServer'
    Copyright            = '(c) AsyncServer team. MIT License.'
    Description          = 'Distributes headquarters database changes to retail channel databases: change tracking, data packages, download sessions and a message database (a re-imagined Commerce Data Exchange: Async Server).'
    # PowerShell 7.4 or later (it runs on .NET 8); Windows PowerShell 5.1 cannot load the module.
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('AsyncServer.Format.ps1xml')
    # Where Update-Help would look for updatable help. The help ships with the module (en-US), so there is
    # nothing to update yet; the address is the project's cmdlet reference, like every cmdlet's HelpUri.
    HelpInfoUri          = 'https://github.com/asyncserver/AsyncServer/blob/main/docs/cmdlets.md'
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
        'Get-AsyncChannelHealth'
        'Send-AsyncPackage'
        'New-AsyncSampleSale'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Replication', 'Retail', 'Dynamics', 'AX2012', 'ChangeTracking', 'SQLite', 'PostgreSQL', 'SqlServer')
            LicenseUri   = 'https://opensource.org/licenses/MIT'
            # The project's address; every cmdlet's HelpUri (Get-Help -Online) is an anchor in docs/cmdlets.md
            # under it. docs/architecture.md, "Cmdlet conventions", says how to change it.
            ProjectUri   = 'https://github.com/asyncserver/AsyncServer'
            ReleaseNotes = 'docs/architecture.md and README.md describe this version. 0.1.0: change tracking on SQLite, PostgreSQL and SQL Server; download sessions, packages and a message database; the reference Async Client; schedules as a service or scheduled tasks.'
        }
    }
}
