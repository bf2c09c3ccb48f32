#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Turns module/help/<Verb-Noun>.psd1 into the MAML file Get-Help reads, and docs/cmdlets.md.
.DESCRIPTION
    Run in a fresh pwsh (build.ps1's Build task does): it imports the built module from -ModuleFolder,
    so every syntax block, type, position, alias and pipeline binding comes from the cmdlets' real
    metadata; the help data files only supply prose (synopsis, description, parameter descriptions,
    examples, outputs, notes).

    The build fails, listing every problem at once, when an exported cmdlet has no help file, a help
    file has no exported cmdlet, a help file names a parameter the cmdlet does not have, a parameter
    (other than the common parameters) has no description, or a file lacks a synopsis, a description
    or two examples.

    Help data file format (module/help/<Verb-Noun>.psd1):
        @{
            Synopsis    = 'One sentence.'
            Description = 'Paragraphs, separated by blank lines.'
            Parameters  = @{ Name = 'text'; ... }           # every parameter of the cmdlet
            Examples    = @( @{ Code = 'PS> ...'; Remarks = '...' }, ... )   # at least two
            Outputs     = 'What the cmdlet writes.'          # optional
            Notes       = 'Anything else.'                   # optional
            Inputs      = 'What can be piped in.'            # optional; default: derived from the metadata
            Defaults    = @{ Name = 'shown as the default' } # optional; default: the cmdlet's initial value
            Links       = @( 'Get-AsyncSession', 'about_AsyncServer' )  # optional related links
        }
    module/help/CommonParameters.psd1 (same keys Parameters and Defaults) describes the parameters every
    AsyncServer cmdlet inherits (ConfigurationPath, Credential) and -WhatIf/-Confirm; a cmdlet's own file
    may override any of them.
.PARAMETER ModuleFolder
    The laid-out module (out/AsyncServer). The MAML goes to <ModuleFolder>/en-US/.
.PARAMETER SourceFolder
    The help data files (module/help).
.PARAMETER IndexPath
    Where to write the one-page cmdlet index (docs/cmdlets.md); omitted: not written.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModuleFolder,
    [Parameter(Mandatory)] [string] $SourceFolder,
    [string] $IndexPath
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$ModuleFolder = (Resolve-Path $ModuleFolder).Path
$SourceFolder = (Resolve-Path $SourceFolder).Path
$manifest = Join-Path $ModuleFolder 'AsyncServer.psd1'
$module = Import-Module $manifest -PassThru -Force
$commonFile = Join-Path $SourceFolder 'CommonParameters.psd1'

# Parameters PowerShell adds to every cmdlet; Get-Help lists them as [<CommonParameters>].
$commonParameters = [System.Collections.Generic.HashSet[string]]::new([string[]][System.Management.Automation.Cmdlet]::CommonParameters, [StringComparer]::OrdinalIgnoreCase)
$shouldProcessParameters = @('WhatIf', 'Confirm')
$allowedKeys = 'Synopsis', 'Description', 'Parameters', 'Examples', 'Outputs', 'Notes', 'Inputs', 'Defaults', 'Links'

$problems = [System.Collections.Generic.List[string]]::new()
function Add-Problem([string] $File, [string] $Message) {
    $problems.Add("$(Split-Path $File -Leaf): $Message")
}

function Test-Text($Value) { $Value -is [string] -and $Value.Trim().Length -gt 0 }

# Blank lines separate paragraphs; single line breaks inside a paragraph are kept.
function Split-Paragraph([string] $Text) {
    if (-not $Text) { return @() }
    @(($Text.Trim() -replace "`r`n", "`n") -split "`n\s*`n" | ForEach-Object { $_.Trim() } | Where-Object { $_ })
}

# --- read and check the help data files ---------------------------------------------------------
$common = @{ Parameters = @{}; Defaults = @{} }
if (Test-Path $commonFile) {
    $data = Import-PowerShellDataFile $commonFile
    foreach ($key in $data.Keys) {
        if ($key -notin 'Parameters', 'Defaults') { Add-Problem $commonFile "unknown key '$key' (only Parameters and Defaults)" }
    }
    if ($data['Parameters']) { $common.Parameters = $data.Parameters }
    if ($data['Defaults']) { $common.Defaults = $data.Defaults }
}

$cmdlets = @(Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name)
$helpFiles = @{}
foreach ($file in Get-ChildItem $SourceFolder -Filter '*.psd1' | Where-Object FullName -ne $commonFile) {
    $helpFiles[$file.BaseName] = $file.FullName
    if ($file.BaseName -notin $cmdlets.Name) {
        Add-Problem $file.FullName "the module exports no cmdlet '$($file.BaseName)' (rename or delete the file, or export the cmdlet in AsyncServer.psd1)"
    }
}

$help = [ordered]@{}
foreach ($cmd in $cmdlets) {
    $file = $helpFiles[$cmd.Name]
    if (-not $file) {
        Add-Problem "$($cmd.Name).psd1" "missing: cmdlet $($cmd.Name) is exported but module/help/$($cmd.Name).psd1 does not exist"
        continue
    }
    try { $data = Import-PowerShellDataFile $file }
    catch {
        # Import-PowerShellDataFile does not say where; the parser does (an unescaped ' is the usual cause).
        $tokens = $null; $parseErrors = $null
        [System.Management.Automation.Language.Parser]::ParseFile($file, [ref] $tokens, [ref] $parseErrors) | Out-Null
        # The first error is the cause; the rest follow from it.
        $where = @($parseErrors | Select-Object -First 1 | ForEach-Object { "line $($_.Extent.StartLineNumber), column $($_.Extent.StartColumnNumber): $($_.Message)" })
        Add-Problem $file "not a valid PowerShell data file: $(if ($where) { $where } else { $_.Exception.Message })"
        continue
    }

    foreach ($key in $data.Keys) {
        if ($key -notin $allowedKeys) { Add-Problem $file "unknown key '$key' (allowed: $($allowedKeys -join ', '))" }
    }
    foreach ($key in 'Synopsis', 'Description') {
        if (-not (Test-Text $data[$key])) { Add-Problem $file "$key is missing or empty" }
    }
    foreach ($key in 'Outputs', 'Notes', 'Inputs') {
        if ($data.ContainsKey($key) -and -not (Test-Text $data[$key])) { Add-Problem $file "$key must be non-empty text when present" }
    }

    $own = if ($data['Parameters'] -is [hashtable]) { $data.Parameters } else { @{} }
    if ($data.ContainsKey('Parameters') -and $data['Parameters'] -isnot [hashtable]) { Add-Problem $file "Parameters must be a hashtable @{ Name = 'text' }" }
    $defaults = if ($data['Defaults'] -is [hashtable]) { $data.Defaults } else { @{} }
    foreach ($name in @($own.Keys) + @($defaults.Keys)) {
        if (-not $cmd.Parameters.ContainsKey($name)) {
            Add-Problem $file "names parameter '$name', which $($cmd.Name) does not have (its parameters: $(@($cmd.Parameters.Keys | Where-Object { -not $commonParameters.Contains($_) }) -join ', '))"
        } elseif ($commonParameters.Contains($name)) {
            Add-Problem $file "describes common parameter '$name'; PowerShell documents common parameters itself (about_CommonParameters)"
        }
    }

    # Descriptions: the cmdlet's file first, then the shared file; every non-common parameter needs one.
    $descriptions = @{}
    foreach ($name in $cmd.Parameters.Keys) {
        if ($commonParameters.Contains($name)) { continue }
        $text = if ($own.ContainsKey($name)) { $own[$name] } elseif ($common.Parameters.ContainsKey($name)) { $common.Parameters[$name] } else { $null }
        if (Test-Text $text) { $descriptions[$name] = $text }
        elseif ($own.ContainsKey($name)) { Add-Problem $file "parameter '$name' has an empty description" }
        else { Add-Problem $file "parameter '$name' of $($cmd.Name) has no description (add it to Parameters)" }
    }

    $examples = @($data['Examples'] | Where-Object { $_ })
    if ($examples.Count -lt 2) { Add-Problem $file "needs at least two Examples (has $($examples.Count))" }
    for ($i = 0; $i -lt $examples.Count; $i++) {
        $ex = $examples[$i]
        if ($ex -isnot [hashtable]) { Add-Problem $file "Examples[$i] must be @{ Code = '...'; Remarks = '...' }"; continue }
        foreach ($key in $ex.Keys) { if ($key -notin 'Code', 'Remarks', 'Title') { Add-Problem $file "Examples[$i] has unknown key '$key' (Code, Remarks, Title)" } }
        if (-not (Test-Text $ex['Code'])) { Add-Problem $file "Examples[$i].Code is missing or empty" }
        if (-not (Test-Text $ex['Remarks'])) { Add-Problem $file "Examples[$i].Remarks is missing or empty" }
    }

    # In a @'...'@ here-string '' stays two apostrophes ("operator''s"); only a '...' string turns '' into one.
    $prose = @(
        foreach ($key in 'Synopsis', 'Description', 'Outputs', 'Notes', 'Inputs') { if ($data[$key] -is [string]) { [pscustomobject]@{ Where = $key; Text = $data[$key] } } }
        foreach ($name in $own.Keys) { [pscustomobject]@{ Where = "Parameters.$name"; Text = [string]$own[$name] } }
        for ($i = 0; $i -lt $examples.Count; $i++) { if ($examples[$i] -is [hashtable]) { [pscustomobject]@{ Where = "Examples[$i].Remarks"; Text = [string]$examples[$i]['Remarks'] } } }
    )
    foreach ($p in $prose) {
        foreach ($m in [regex]::Matches($p.Text, "\w''\w")) {
            Add-Problem $file "$($p.Where) has a doubled apostrophe ('$($m.Value)'): inside a @'...'@ here-string write one apostrophe"
        }
    }

    $help[$cmd.Name] = [pscustomobject]@{
        Command = $cmd; Data = $data; Descriptions = $descriptions; Examples = $examples
        Defaults = $defaults; Links = @($data['Links'] | Where-Object { $_ })
    }
}

if ($problems.Count -gt 0) {
    Write-Host "Help is incomplete or stale ($($problems.Count) problem(s)) in $SourceFolder :" -ForegroundColor Red
    foreach ($p in $problems) { Write-Host "  $p" -ForegroundColor Red }
    exit 1
}

# --- metadata helpers ---------------------------------------------------------------------------
function Get-DisplayType([type] $Type) {
    if ([Nullable]::GetUnderlyingType($Type)) { $Type = [Nullable]::GetUnderlyingType($Type) }
    $Type
}

function Get-ShortTypeName([type] $Type) {
    $t = Get-DisplayType $Type
    $suffix = ''
    while ($t.IsArray) { $suffix += '[]'; $t = $t.GetElementType() }
    "$($t.Name)$suffix"
}

# Values offered in the syntax: an enum's names, or a ValidateSet.
function Get-ValueGroup($Parameter) {
    $set = $Parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] } | Select-Object -First 1
    if ($set) { return @($set.ValidValues) }
    $t = Get-DisplayType $Parameter.ParameterType
    while ($t.IsArray) { $t = $t.GetElementType() }
    if ($t.IsEnum) { return [enum]::GetNames($t) }
    @()
}

function Get-PipelineInput($Binding) {
    $kinds = @()
    if ($Binding.ValueFromPipelineByPropertyName) { $kinds += 'ByPropertyName' }
    if ($Binding.ValueFromPipeline) { $kinds += 'ByValue' }
    if ($kinds) { "True ($($kinds -join ', '))" } else { 'False' }
}

# The initial value of each property on a new instance of the cmdlet, as the parameter's default.
function Get-InitialValues($Command) {
    $values = @{}
    try { $instance = [Activator]::CreateInstance($Command.ImplementingType) } catch { return $values }
    foreach ($name in $Command.Parameters.Keys) {
        $property = $Command.ImplementingType.GetProperty($name)
        if (-not $property) { continue }
        $value = $property.GetValue($instance)
        if ($null -eq $value) { continue }
        if ($value -is [System.Management.Automation.SwitchParameter]) { if ($value.IsPresent) { $values[$name] = 'True' }; continue }
        if ($value -is [array] -or $value -is [System.Collections.ICollection]) { if (@($value).Count -gt 0) { $values[$name] = @($value) -join ', ' }; continue }
        if ($value -is [string] -and $value.Length -eq 0) { continue }
        $values[$name] = [string]$value
    }
    $values
}

# One entry per parameter with its attributes merged across parameter sets.
function Get-ParameterModel($Item) {
    $cmd = $Item.Command
    $initial = Get-InitialValues $cmd
    $models = [ordered]@{}
    foreach ($set in $cmd.ParameterSets) {
        foreach ($p in $set.Parameters) {
            if ($commonParameters.Contains($p.Name)) { continue }
            if (-not $models.Contains($p.Name)) {
                $default = if ($Item.Defaults.ContainsKey($p.Name)) { $Item.Defaults[$p.Name] }
                    elseif ($common.Defaults.ContainsKey($p.Name)) { $common.Defaults[$p.Name] }
                    elseif ($initial.ContainsKey($p.Name)) { $initial[$p.Name] }
                    elseif ($p.ParameterType -eq [System.Management.Automation.SwitchParameter]) { 'False' } else { 'None' }
                $models[$p.Name] = [pscustomobject]@{
                    Name = $p.Name; Type = $p.ParameterType; Aliases = @($p.Aliases)
                    Required = $true; Position = 'named'; ByValue = $false; ByPropertyName = $false
                    IsSwitch = $p.ParameterType -eq [System.Management.Automation.SwitchParameter]
                    Globbing = [bool]($p.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
                    ValueGroup = @(Get-ValueGroup $p)
                    Default = $default
                    Description = $Item.Descriptions[$p.Name]
                }
            }
            $m = $models[$p.Name]
            $m.Required = $m.Required -and $p.IsMandatory
            if ($p.Position -ge 0 -and $m.Position -eq 'named') { $m.Position = [string]$p.Position }
            $m.ByValue = $m.ByValue -or $p.ValueFromPipeline
            $m.ByPropertyName = $m.ByPropertyName -or $p.ValueFromPipelineByPropertyName
        }
    }
    $models
}

# Syntax order as PowerShell prints it: positional by position, then mandatory, then the rest, -WhatIf/-Confirm last.
function Get-SyntaxParameters($Set) {
    $ps = @($Set.Parameters | Where-Object { -not $commonParameters.Contains($_.Name) })
    $i = 0
    $ps | ForEach-Object { [pscustomobject]@{ P = $_; Index = $i++ } } | Sort-Object `
        @{ Expression = { if ($_.P.Name -in $shouldProcessParameters) { 3 } elseif ($_.P.Position -ge 0) { 0 } elseif ($_.P.IsMandatory) { 1 } else { 2 } } },
        @{ Expression = { if ($_.P.Position -ge 0) { $_.P.Position } else { 0 } } },
        @{ Expression = { $_.Index } } | ForEach-Object P
}

# --- MAML ---------------------------------------------------------------------------------------
$ns = @{
    maml = 'http://schemas.microsoft.com/maml/2004/10'
    command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    dev = 'http://schemas.microsoft.com/maml/dev/2004/10'
    MSHelp = 'http://msdn.microsoft.com/mshelp'
}

function Write-Paragraphs([System.Xml.XmlWriter] $W, [string] $Text) {
    $W.WriteStartElement('maml', 'description', $ns.maml)
    $paras = Split-Paragraph $Text
    if (-not $paras) { $W.WriteElementString('maml', 'para', $ns.maml, '') }
    foreach ($para in $paras) { $W.WriteElementString('maml', 'para', $ns.maml, $para) }
    $W.WriteEndElement()
}

function Write-Type([System.Xml.XmlWriter] $W, [string] $Name) {
    $W.WriteStartElement('dev', 'type', $ns.dev)
    $W.WriteElementString('maml', 'name', $ns.maml, $Name)
    $W.WriteElementString('maml', 'uri', $ns.maml, '')
    $W.WriteEndElement()
}

function Write-Parameter([System.Xml.XmlWriter] $W, $Model, [bool] $Required, [string] $Position, [string] $PipelineInput, [bool] $InSyntax) {
    $W.WriteStartElement('command', 'parameter', $ns.command)
    $W.WriteAttributeString('required', $Required.ToString().ToLowerInvariant())
    $W.WriteAttributeString('variableLength', (Get-DisplayType $Model.Type).IsArray.ToString().ToLowerInvariant())
    $W.WriteAttributeString('globbing', $Model.Globbing.ToString().ToLowerInvariant())
    $W.WriteAttributeString('pipelineInput', $PipelineInput)
    $W.WriteAttributeString('position', $Position)
    $W.WriteAttributeString('aliases', $(if ($Model.Aliases.Count) { $Model.Aliases -join ', ' } else { 'none' }))
    $W.WriteElementString('maml', 'name', $ns.maml, $Model.Name)
    Write-Paragraphs $W $Model.Description
    if ($InSyntax -and $Model.ValueGroup.Count -gt 0) {
        $W.WriteStartElement('command', 'parameterValueGroup', $ns.command)
        foreach ($v in $Model.ValueGroup) {
            $W.WriteStartElement('command', 'parameterValue', $ns.command)
            $W.WriteAttributeString('required', 'false'); $W.WriteAttributeString('variableLength', 'false')
            $W.WriteString($v)
            $W.WriteEndElement()
        }
        $W.WriteEndElement()
    }
    # A switch takes no value: the syntax shows [-Name], the parameter list says SwitchParameter.
    if (-not ($InSyntax -and $Model.IsSwitch)) {
        $W.WriteStartElement('command', 'parameterValue', $ns.command)
        $W.WriteAttributeString('required', (-not $Model.IsSwitch).ToString().ToLowerInvariant())
        $W.WriteAttributeString('variableLength', (Get-DisplayType $Model.Type).IsArray.ToString().ToLowerInvariant())
        $W.WriteString((Get-ShortTypeName $Model.Type))
        $W.WriteEndElement()
    }
    Write-Type $W (Get-DisplayType $Model.Type).FullName
    $W.WriteElementString('dev', 'defaultValue', $ns.dev, [string]$Model.Default)
    $W.WriteEndElement()
}

function Get-InputText($Item, $Models) {
    if ($Item.Data['Inputs']) { return , @([pscustomobject]@{ Type = $null; Text = $Item.Data.Inputs }) }
    $inputs = @()
    foreach ($m in $Models.Values | Where-Object ByValue) {
        $inputs += [pscustomobject]@{ Type = (Get-DisplayType $m.Type).FullName; Text = "You can pipe values for -$($m.Name) to this cmdlet." }
    }
    $byName = @($Models.Values | Where-Object ByPropertyName)
    if ($byName) {
        $names = $byName | ForEach-Object { if ($_.Aliases.Count) { "$($_.Name) (or $($_.Aliases -join ' or '))" } else { $_.Name } }
        $inputs += [pscustomobject]@{ Type = 'System.Management.Automation.PSObject'; Text = "Objects whose properties are named like these parameters bind to them by property name: $($names -join ', '). For example, the output of another AsyncServer cmdlet." }
    }
    if (-not $inputs) { $inputs = @([pscustomobject]@{ Type = 'None'; Text = 'This cmdlet takes no pipeline input.' }) }
    , $inputs
}

$enUs = Join-Path $ModuleFolder 'en-US'
New-Item -ItemType Directory -Path $enUs -Force | Out-Null
# PowerShell looks for a binary cmdlet's help in <assembly file name>-Help.xml next to the module, per culture.
$mamlPath = Join-Path $enUs "$(Split-Path $cmdlets[0].HelpFile -Leaf)"

$settings = [System.Xml.XmlWriterSettings]@{ Indent = $true; IndentChars = '  '; Encoding = [System.Text.UTF8Encoding]::new($false); NewLineChars = "`n" }
$w = [System.Xml.XmlWriter]::Create($mamlPath, $settings)
try {
    $w.WriteStartDocument()
    $w.WriteStartElement('helpItems', 'http://msh')
    $w.WriteAttributeString('schema', 'maml')
    foreach ($item in $help.Values) {
        $cmd = $item.Command
        $data = $item.Data
        $models = Get-ParameterModel $item
        $w.WriteStartElement('command', 'command', $ns.command)
        foreach ($prefix in 'maml', 'command', 'dev', 'MSHelp') { $w.WriteAttributeString('xmlns', $prefix, $null, $ns[$prefix]) }

        $w.WriteStartElement('command', 'details', $ns.command)
        $w.WriteElementString('command', 'name', $ns.command, $cmd.Name)
        $w.WriteElementString('command', 'verb', $ns.command, $cmd.Verb)
        $w.WriteElementString('command', 'noun', $ns.command, $cmd.Noun)
        Write-Paragraphs $w $data.Synopsis
        $w.WriteEndElement()

        Write-Paragraphs $w $data.Description

        $w.WriteStartElement('command', 'syntax', $ns.command)
        $sets = @($cmd.ParameterSets | Sort-Object @{ Expression = { -not $_.IsDefault } }, Name)
        foreach ($set in $sets) {
            $w.WriteStartElement('command', 'syntaxItem', $ns.command)
            $w.WriteElementString('maml', 'name', $ns.maml, $cmd.Name)
            foreach ($p in Get-SyntaxParameters $set) {
                $position = if ($p.Position -ge 0) { [string]$p.Position } else { 'named' }
                Write-Parameter $w $models[$p.Name] $p.IsMandatory $position (Get-PipelineInput $p) $true
            }
            $w.WriteEndElement()
        }
        $w.WriteEndElement()

        $w.WriteStartElement('command', 'parameters', $ns.command)
        foreach ($m in $models.Values | Sort-Object @{ Expression = { $_.Name -in $shouldProcessParameters } }, Name) {
            Write-Parameter $w $m $m.Required $m.Position (Get-PipelineInput ([pscustomobject]@{ ValueFromPipeline = $m.ByValue; ValueFromPipelineByPropertyName = $m.ByPropertyName })) $false
        }
        $w.WriteEndElement()

        $w.WriteStartElement('command', 'inputTypes', $ns.command)
        foreach ($in in Get-InputText $item $models) {
            $w.WriteStartElement('command', 'inputType', $ns.command)
            Write-Type $w $(if ($in.Type) { $in.Type } else { '' })
            Write-Paragraphs $w $in.Text
            $w.WriteEndElement()
        }
        $w.WriteEndElement()

        $w.WriteStartElement('command', 'returnValues', $ns.command)
        $outputTypes = @($cmd.OutputType | ForEach-Object Name)
        if (-not $outputTypes) { $outputTypes = @('None') }
        for ($i = 0; $i -lt $outputTypes.Count; $i++) {
            $w.WriteStartElement('command', 'returnValue', $ns.command)
            Write-Type $w $outputTypes[$i]
            # The prose describes all output types; it goes once, under the last.
            Write-Paragraphs $w $(if ($i -eq $outputTypes.Count - 1) { $data['Outputs'] } else { '' })
            $w.WriteEndElement()
        }
        $w.WriteEndElement()

        if ($data['Notes']) {
            $w.WriteStartElement('maml', 'alertSet', $ns.maml)
            $w.WriteStartElement('maml', 'alert', $ns.maml)
            foreach ($para in Split-Paragraph $data.Notes) { $w.WriteElementString('maml', 'para', $ns.maml, $para) }
            $w.WriteEndElement()
            $w.WriteEndElement()
        }

        $w.WriteStartElement('command', 'examples', $ns.command)
        for ($i = 0; $i -lt $item.Examples.Count; $i++) {
            $ex = $item.Examples[$i]
            $title = if ($ex['Title']) { "Example $($i + 1): $($ex.Title)" } else { "Example $($i + 1)" }
            $w.WriteStartElement('command', 'example', $ns.command)
            $w.WriteElementString('maml', 'title', $ns.maml, "-------------------------- $title --------------------------")
            $w.WriteElementString('dev', 'code', $ns.dev, $ex.Code.Trim())
            $w.WriteStartElement('dev', 'remarks', $ns.dev)
            foreach ($para in Split-Paragraph $ex.Remarks) { $w.WriteElementString('maml', 'para', $ns.maml, $para) }
            $w.WriteEndElement()
            $w.WriteEndElement()
        }
        $w.WriteEndElement()

        $w.WriteStartElement('command', 'relatedLinks', $ns.command)
        # Get-Help -Online opens the first link with an address: the cmdlet's HelpUri, its section of docs/cmdlets.md.
        if ($cmd.HelpUri) {
            $w.WriteStartElement('maml', 'navigationLink', $ns.maml)
            $w.WriteElementString('maml', 'linkText', $ns.maml, 'Online version:')
            $w.WriteElementString('maml', 'uri', $ns.maml, $cmd.HelpUri)
            $w.WriteEndElement()
        }
        foreach ($link in @($item.Links) + 'about_AsyncServer' | Select-Object -Unique) {
            $w.WriteStartElement('maml', 'navigationLink', $ns.maml)
            $w.WriteElementString('maml', 'linkText', $ns.maml, $link)
            $w.WriteElementString('maml', 'uri', $ns.maml, '')
            $w.WriteEndElement()
        }
        $w.WriteEndElement()

        $w.WriteEndElement() # command:command
    }
    $w.WriteEndElement()
    $w.WriteEndDocument()
} finally {
    $w.Dispose()
}
# Prove the file is well-formed XML before anything ships it.
[xml](Get-Content $mamlPath -Raw) | Out-Null
Write-Host "Help for $($help.Count) cmdlets written to $mamlPath" -ForegroundColor Green

# The data files are the source; the module ships the MAML made from them.
$copiedSource = Join-Path $ModuleFolder (Split-Path $SourceFolder -Leaf)
if ((Test-Path $copiedSource) -and (Resolve-Path $copiedSource).Path -ne $SourceFolder) { Remove-Item $copiedSource -Recurse -Force }

# --- docs/cmdlets.md ----------------------------------------------------------------------------
if ($IndexPath) {
    $lines = [System.Collections.Generic.List[string]]::new()
    $lines.Add('# AsyncServer cmdlets')
    $lines.Add('')
    $lines.Add('<!-- Generated by build/New-MamlHelp.ps1 from module/help/*.psd1 and the cmdlets'' metadata; edit those, not this file. -->')
    $lines.Add('')
    $lines.Add('Full help: `Get-Help <cmdlet> -Full`; concepts and a walkthrough: `Get-Help about_AsyncServer`.')
    $lines.Add('Every cmdlet also takes -ConfigurationPath (default: `$env:ASYNCSERVER_CONFIGURATION`, else `./asyncserver.json`) and -Credential.')
    $lines.Add('')
    $lines.Add('| Cmdlet | Synopsis |')
    $lines.Add('|---|---|')
    foreach ($item in $help.Values) {
        $synopsis = ($item.Data.Synopsis.Trim() -replace '\s+', ' ') -replace '\|', '\|'
        $lines.Add("| [$($item.Command.Name)](#$($item.Command.Name.ToLowerInvariant())) | $synopsis |")
    }
    $lines.Add('')
    # One section per cmdlet; its heading's anchor (#verb-noun) is the cmdlet's HelpUri, where Get-Help -Online goes.
    foreach ($item in $help.Values) {
        $cmd = $item.Command
        $models = Get-ParameterModel $item
        $lines.Add('')
        $lines.Add("## $($cmd.Name)")
        $lines.Add('')
        $lines.Add(($item.Data.Synopsis.Trim() -replace '\s+', ' '))
        $lines.Add('')
        $lines.Add('```')
        $sets = @($cmd.ParameterSets | Sort-Object @{ Expression = { -not $_.IsDefault } }, Name)
        foreach ($set in $sets) {
            $parts = foreach ($p in Get-SyntaxParameters $set) {
                $value = if ($p.ParameterType -eq [System.Management.Automation.SwitchParameter]) { '' } else { " <$(Get-ShortTypeName $p.ParameterType)>" }
                $name = if ($p.Position -ge 0) { "[-$($p.Name)]" } else { "-$($p.Name)" }
                if ($p.IsMandatory) { "$name$value" } else { "[$name$value]" }
            }
            $lines.Add((@($cmd.Name) + @($parts) + '[<CommonParameters>]') -join ' ')
        }
        $lines.Add('```')
        foreach ($para in Split-Paragraph $item.Data.Description) { $lines.Add(''); $lines.Add($para) }
        $lines.Add('')
        $lines.Add('| Parameter | Type | Description |')
        $lines.Add('|---|---|---|')
        foreach ($m in $models.Values | Sort-Object @{ Expression = { $_.Name -in $shouldProcessParameters } }, Name) {
            $facts = @()
            if ($m.Required) { $facts += 'required' }
            if ($m.Position -ne 'named') { $facts += "position $($m.Position)" }
            if ($m.Aliases.Count) { $facts += "alias $($m.Aliases -join ', ')" }
            $pipeline = @(); if ($m.ByValue) { $pipeline += 'by value' }; if ($m.ByPropertyName) { $pipeline += 'by property name' }
            if ($pipeline) { $facts += "pipeline $($pipeline -join ', ')" }
            if ($m.Globbing) { $facts += 'wildcards' }
            $text = (($m.Description.Trim() -replace '\s+', ' ') -replace '\|', '\|')
            if ($facts) { $text += " ($($facts -join '; '))" }
            $lines.Add("| -$($m.Name) | $(Get-ShortTypeName $m.Type) | $text |")
        }
        for ($i = 0; $i -lt $item.Examples.Count; $i++) {
            $ex = $item.Examples[$i]
            $lines.Add('')
            $lines.Add("Example $($i + 1)$(if ($ex['Title']) { ": $($ex.Title)" })")
            $lines.Add('')
            $lines.Add('```powershell')
            $lines.Add($ex.Code.Trim())
            $lines.Add('```')
            $lines.Add('')
            $lines.Add(($ex.Remarks.Trim() -replace '\s+', ' '))
        }
    }
    $indexFolder = Split-Path $IndexPath -Parent
    if ($indexFolder) { New-Item -ItemType Directory -Path $indexFolder -Force | Out-Null }
    $text = ($lines -join "`n") + "`n"
    # Only touch the file when it changes, so a build leaves a clean tree clean.
    if (-not (Test-Path $IndexPath) -or (Get-Content $IndexPath -Raw) -ne $text) {
        [IO.File]::WriteAllText($IndexPath, $text, [System.Text.UTF8Encoding]::new($false))
        Write-Host "Cmdlet index written to $IndexPath" -ForegroundColor Green
    }
}
exit 0
