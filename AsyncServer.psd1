# The development manifest at the root of a clone: it loads the module that `./build.ps1 Build` lays out in
# out/AsyncServer, so `Import-Module ./AsyncServer.psd1` works from a clone once it is built. The manifest that
# ships (and that out/AsyncServer holds) is module/AsyncServer.psd1; version and GUID agree with it (a Pester test
# checks), and the cmdlets are the built assembly's.
@{
    # The built module as a nested module: its help, formats and private load context come from out/AsyncServer.
    NestedModules        = @('out/AsyncServer/AsyncServer.psd1')
    ModuleVersion        = '0.1.0'
    GUID                 = '5b6f8a52-93f1-4c1e-9d1e-2f7f3f0b6a10'
    Author               = 'AsyncServer team'
    CompanyName          = 'AsyncServer'
    Copyright            = '(c) AsyncServer team. MIT License.'
    Description          = 'Development manifest of AsyncServer: loads the built module from out/AsyncServer (run ./build.ps1 Build first).'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    CmdletsToExport      = '*'
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
}
