<#
.SYNOPSIS
    Builds the MAML help that Get-Help reads from the markdown help sources in en-US/.
.DESCRIPTION
    Runs in its own pwsh process: imports the built module (without help), reads each cmdlet's
    parameter metadata from Get-Command, merges it with en-US/<Cmdlet>.md and writes
    <Destination>/BackupIam.dll-Help.xml. The build fails when a cmdlet has no help page, or a page
    lacks a synopsis, a description, a parameter's description, two examples or a RELATED LINKS section,
    or when the cmdlet's HelpUri does not point at its help page.

    -WhatIf and -Confirm are written into SYNTAX and PARAMETERS, as PowerShell's own help does, so that
    'Get-Help <cmdlet> -Parameter WhatIf' answers; their descriptions come from _SharedParameters.md.
    RELATED LINKS starts with the cmdlet's HelpUri ("Online Version:", which Get-Help -Online opens),
    followed by the page's own list: '- [Text](https://...)' or '- Get-Something'.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $SourceDirectory,
    [Parameter(Mandatory)] [string] $Destination
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

function Read-HelpMarkdown {
    param([string] $Path)
    $page = [ordered]@{ Sections = @{}; Parameters = [ordered]@{}; Examples = [System.Collections.Generic.List[object]]::new(); Inputs = [ordered]@{}; Outputs = [ordered]@{} }
    $section = $null
    $sub = $null
    $buffer = [System.Collections.Generic.List[string]]::new()
    $flush = {
        $text = ($buffer -join "`n").Trim()
        $buffer.Clear()
        if (-not $section) { return }
        switch ($section) {
            'PARAMETERS' { if ($sub) { $page.Parameters[$sub.TrimStart('-')] = $text } }
            'EXAMPLES' { if ($sub) { $page.Examples.Add([pscustomobject]@{ Title = $sub; Body = $text }) } }
            'INPUTS' { if ($sub) { $page.Inputs[$sub] = $text } }
            'OUTPUTS' { if ($sub) { $page.Outputs[$sub] = $text } }
            default { if (-not $sub) { $page.Sections[$section] = $text } }
        }
    }
    $inFence = $false
    foreach ($line in [System.IO.File]::ReadAllLines($Path)) {
        if ($line -match '^```') { $inFence = -not $inFence; $buffer.Add($line); continue }
        if (-not $inFence -and $line -match '^## (.+)$') { & $flush; $section = $Matches[1].Trim().ToUpperInvariant(); $sub = $null; continue }
        if (-not $inFence -and $line -match '^### (.+)$') { & $flush; $sub = $Matches[1].Trim(); continue }
        if (-not $inFence -and $line -match '^# ') { continue }
        $buffer.Add($line)
    }
    & $flush
    $page
}

function Split-Paragraphs {
    # Blank lines separate paragraphs; a line that starts a list item ("- " or "* ") starts a paragraph of its own.
    param([string] $Text)
    if (-not $Text) { return @() }
    @(($Text -split "(\r?\n){2,}") | ForEach-Object { $_ -split '\r?\n(?=\s*[-*] )' } |
        ForEach-Object { ($_ -replace '\s*\r?\n\s*', ' ').Trim() } | Where-Object { $_ })
}

function Add-Paras {
    param([System.Xml.XmlWriter] $Writer, [string] $Text)
    $paras = Split-Paragraphs $Text
    if (-not $paras) { $paras = @('') }
    foreach ($p in $paras) { $Writer.WriteElementString('maml', 'para', $script:maml, $p) }
}

function Get-TypeName {
    param([type] $Type)
    if ($Type.IsArray) { return (Get-TypeName $Type.GetElementType()) + '[]' }
    if ($Type.IsGenericType) { return $Type.Name.Split('`')[0] }
    $Type.Name
}

$script:maml = 'http://schemas.microsoft.com/maml/2004/10'
$commandNs = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$devNs = 'http://schemas.microsoft.com/maml/dev/2004/10'
# -Verbose, -ErrorAction and the like are summed up by Get-Help as <CommonParameters>. -WhatIf and -Confirm are not:
# PowerShell's own help lists them in SYNTAX and PARAMETERS, so ours does too (UseTransaction is not used here).
$common = [System.Management.Automation.PSCmdlet]::CommonParameters + 'UseTransaction'

$module = Import-Module $ModuleManifest -PassThru
# Shared parameter descriptions (the AWS credential, region and endpoint parameters every AWS cmdlet has).
$shared = [ordered]@{}
$sharedSource = Join-Path $SourceDirectory '_SharedParameters.md'
if (Test-Path $sharedSource) { $shared = (Read-HelpMarkdown $sharedSource).Parameters }
$problems = [System.Collections.Generic.List[string]]::new()
$null = New-Item -ItemType Directory -Force -Path $Destination
$settings = [System.Xml.XmlWriterSettings]@{ Indent = $true; Encoding = [System.Text.UTF8Encoding]::new($false) }
$writer = [System.Xml.XmlWriter]::Create((Join-Path $Destination 'BackupIam.dll-Help.xml'), $settings)
$writer.WriteStartDocument()
$writer.WriteStartElement('helpItems', 'http://msh')
$writer.WriteAttributeString('schema', 'maml')

foreach ($command in (Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name)) {
    $source = Join-Path $SourceDirectory "$($command.Name).md"
    if (-not (Test-Path $source)) { $problems.Add("$($command.Name): no help page at $source"); continue }
    $page = Read-HelpMarkdown $source
    foreach ($required in 'SYNOPSIS', 'DESCRIPTION') {
        if (-not $page.Sections[$required]) { $problems.Add("$($command.Name): missing ## $required") }
    }
    if (-not $page.Sections['RELATED LINKS']) { $problems.Add("$($command.Name): missing ## RELATED LINKS") }
    $expectedUri = "/en-US/$($command.Name).md"
    if (-not $command.HelpUri -or -not $command.HelpUri.EndsWith($expectedUri, [System.StringComparison]::Ordinal)) {
        $problems.Add("$($command.Name): HelpUri '$($command.HelpUri)' must point at its help source, ending in $expectedUri (set it from HelpLinks.HelpSource)")
    }
    if ($page.Examples.Count -lt 2) { $problems.Add("$($command.Name): needs at least two examples, has $($page.Examples.Count)") }
    $parameters = @($command.Parameters.Values | Where-Object { $_.Name -notin $common })
    foreach ($p in $parameters) {
        if (-not $page.Parameters.Contains($p.Name) -and $shared.Contains($p.Name)) { $page.Parameters[$p.Name] = $shared[$p.Name] }
    }
    foreach ($p in $parameters) {
        if (-not $page.Parameters.Contains($p.Name) -or -not $page.Parameters[$p.Name]) { $problems.Add("$($command.Name): parameter -$($p.Name) is not described") }
    }
    foreach ($documented in $page.Parameters.Keys) {
        if ($documented -notin $parameters.Name) { $problems.Add("$($command.Name): help describes -$documented, which the cmdlet does not have") }
    }

    $verb, $noun = $command.Name -split '-', 2
    $writer.WriteStartElement('command', 'command', $commandNs)
    $writer.WriteAttributeString('xmlns', 'maml', $null, $script:maml)
    $writer.WriteAttributeString('xmlns', 'dev', $null, $devNs)
    $writer.WriteStartElement('command', 'details', $commandNs)
    $writer.WriteElementString('command', 'name', $commandNs, $command.Name)
    $writer.WriteElementString('command', 'verb', $commandNs, $verb)
    $writer.WriteElementString('command', 'noun', $commandNs, $noun)
    $writer.WriteStartElement('maml', 'description', $script:maml); Add-Paras $writer $page.Sections['SYNOPSIS']; $writer.WriteEndElement()
    $writer.WriteEndElement()
    $writer.WriteStartElement('maml', 'description', $script:maml); Add-Paras $writer $page.Sections['DESCRIPTION']; $writer.WriteEndElement()

    $writeParameter = {
        param($Metadata, $SetData)
        $pipeline = @()
        if ($SetData.ValueFromPipeline) { $pipeline += 'ByValue' }
        if ($SetData.ValueFromPipelineByPropertyName) { $pipeline += 'ByPropertyName' }
        $pipelineText = if ($pipeline) { "True ($($pipeline -join ', '))" } else { 'False' }
        $position = if ($SetData.Position -ge 0) { [string]$SetData.Position } else { 'named' }
        $aliases = if ($Metadata.Aliases.Count) { $Metadata.Aliases -join ', ' } else { 'none' }
        $writer.WriteStartElement('command', 'parameter', $commandNs)
        $writer.WriteAttributeString('required', ([string]$SetData.IsMandatory).ToLowerInvariant())
        $writer.WriteAttributeString('variableLength', 'true')
        $writer.WriteAttributeString('globbing', 'false')
        $writer.WriteAttributeString('pipelineInput', $pipelineText)
        $writer.WriteAttributeString('position', $position)
        $writer.WriteAttributeString('aliases', $aliases)
        $writer.WriteElementString('maml', 'name', $script:maml, $Metadata.Name)
        $writer.WriteStartElement('maml', 'description', $script:maml); Add-Paras $writer $page.Parameters[$Metadata.Name]; $writer.WriteEndElement()
        if ($Metadata.ParameterType -ne [System.Management.Automation.SwitchParameter]) {
            $writer.WriteStartElement('command', 'parameterValue', $commandNs)
            $writer.WriteAttributeString('required', 'true')
            $writer.WriteAttributeString('variableLength', 'false')
            $writer.WriteString((Get-TypeName $Metadata.ParameterType))
            $writer.WriteEndElement()
        }
        $writer.WriteStartElement('dev', 'type', $devNs)
        $writer.WriteElementString('maml', 'name', $script:maml, $Metadata.ParameterType.FullName)
        $writer.WriteEndElement()
        $writer.WriteEndElement()
    }

    $writer.WriteStartElement('command', 'syntax', $commandNs)
    foreach ($set in $command.ParameterSets) {
        $writer.WriteStartElement('command', 'syntaxItem', $commandNs)
        $writer.WriteElementString('maml', 'name', $script:maml, $command.Name)
        # Positional first, then mandatory, then the rest in declaration order (Sort-Object is not stable, so the
        # declaration index is a key too), and -WhatIf/-Confirm last, as PowerShell's own help shows them.
        $ordered = @($set.Parameters | Where-Object { $_.Name -notin $common })
        $rank = @{}
        for ($i = 0; $i -lt $ordered.Count; $i++) { $rank[$ordered[$i].Name] = $i }
        $ordered = $ordered | Sort-Object { $_.Name -in 'WhatIf', 'Confirm' }, { if ($_.Position -ge 0) { $_.Position } else { 1000 } }, { -not $_.IsMandatory }, { $rank[$_.Name] }
        foreach ($sp in $ordered) {
            & $writeParameter $command.Parameters[$sp.Name] $sp
        }
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()

    $writer.WriteStartElement('command', 'parameters', $commandNs)
    foreach ($p in $parameters) {
        $first = $p.ParameterSets.Values | Select-Object -First 1
        & $writeParameter $p ([pscustomobject]@{
                IsMandatory                     = [bool]($p.ParameterSets.Values | Where-Object IsMandatory)
                Position                        = $first.Position
                ValueFromPipeline               = [bool]($p.ParameterSets.Values | Where-Object ValueFromPipeline)
                ValueFromPipelineByPropertyName = [bool]($p.ParameterSets.Values | Where-Object ValueFromPipelineByPropertyName)
            })
    }
    $writer.WriteEndElement()

    foreach ($kind in @(@('inputTypes', 'inputType', 'INPUTS'), @('returnValues', 'returnValue', 'OUTPUTS'))) {
        $writer.WriteStartElement('command', $kind[0], $commandNs)
        $entries = if ($kind[2] -eq 'INPUTS') { $page.Inputs } else { $page.Outputs }
        foreach ($name in $entries.Keys) {
            $writer.WriteStartElement('command', $kind[1], $commandNs)
            $writer.WriteStartElement('dev', 'type', $devNs)
            $writer.WriteElementString('maml', 'name', $script:maml, $name)
            $writer.WriteEndElement()
            $writer.WriteStartElement('maml', 'description', $script:maml); Add-Paras $writer $entries[$name]; $writer.WriteEndElement()
            $writer.WriteEndElement()
        }
        $writer.WriteEndElement()
    }

    if ($page.Sections['NOTES']) {
        $writer.WriteStartElement('maml', 'alertSet', $script:maml)
        $writer.WriteStartElement('maml', 'alert', $script:maml); Add-Paras $writer $page.Sections['NOTES']; $writer.WriteEndElement()
        $writer.WriteEndElement()
    }

    $writer.WriteStartElement('command', 'examples', $commandNs)
    foreach ($example in $page.Examples) {
        $code = if ($example.Body -match '(?s)```[a-z]*\r?\n(.*?)\r?\n```') { $Matches[1] } else { '' }
        $remarks = ($example.Body -replace '(?s)```.*?```', '').Trim()
        if (-not $code -or -not $remarks) { $problems.Add("$($command.Name): '$($example.Title)' needs a code block and a sentence saying what it does") }
        $writer.WriteStartElement('command', 'example', $commandNs)
        $writer.WriteElementString('maml', 'title', $script:maml, "-------------------------- $($example.Title) --------------------------")
        $writer.WriteElementString('dev', 'code', $devNs, $code)
        $writer.WriteStartElement('dev', 'remarks', $devNs); Add-Paras $writer $remarks; $writer.WriteEndElement()
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()

    $writer.WriteStartElement('maml', 'relatedLinks', $script:maml)
    $links = @([pscustomobject]@{ Text = 'Online Version:'; Uri = [string]$command.HelpUri })
    foreach ($line in (([string]$page.Sections['RELATED LINKS']) -split '\r?\n')) {
        $item = $line.Trim() -replace '^[-*]\s+', ''
        if (-not $item) { continue }
        if ($item -match '^\[(?<text>[^\]]+)\]\((?<uri>[^)]*)\)$') {
            # Only absolute links are URIs for Get-Help; a link to a sibling page is shown by its name.
            $uri = if ($Matches.uri -match '^https?://') { $Matches.uri } else { '' }
            $links += [pscustomobject]@{ Text = $Matches.text; Uri = $uri }
        }
        else { $links += [pscustomobject]@{ Text = $item; Uri = '' } }
    }
    foreach ($link in $links) {
        $writer.WriteStartElement('maml', 'navigationLink', $script:maml)
        $writer.WriteElementString('maml', 'linkText', $script:maml, $link.Text)
        $writer.WriteElementString('maml', 'uri', $script:maml, $link.Uri)
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()
    $writer.WriteEndElement()
}

$writer.WriteEndElement()
$writer.WriteEndDocument()
$writer.Dispose()

if ($problems.Count) {
    throw "Help is incomplete:`n  " + ($problems -join "`n  ")
}
