<#
.SYNOPSIS
    Import benchmark: each run is a fresh `pwsh -NoProfile` process that measures, inside itself,
    the time Import-Module of the built module takes and the time from the start of the import to the
    first cmdlet's output. Prints the median of the runs.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [int] $Runs = 5
)
$ErrorActionPreference = 'Stop'
$manifest = (Resolve-Path $ModuleManifest).Path
$probe = @"
`$sw = [System.Diagnostics.Stopwatch]::StartNew()
Import-Module '$manifest'
`$import = `$sw.Elapsed.TotalMilliseconds
`$first = Get-BackupPreset | Select-Object -First 1
`$output = `$sw.Elapsed.TotalMilliseconds
if (-not `$first) { throw 'no output' }
'{0:F1} {1:F1}' -f `$import, `$output
"@
$encoded = [Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($probe))
$self = [System.Diagnostics.Process]::GetCurrentProcess().MainModule.FileName
$imports = @(); $outputs = @()
for ($i = 0; $i -lt $Runs; $i++) {
    $line = if ([System.IO.Path]::GetFileNameWithoutExtension($self) -in 'pwsh', 'powershell') {
        & $self -NoProfile -NonInteractive -EncodedCommand $encoded
    }
    else { & $self (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -EncodedCommand $encoded }
    if ($LASTEXITCODE -ne 0) { throw "benchmark run $i failed" }
    $parts = ([string]($line | Select-Object -Last 1)).Split(' ')
    $imports += [double]$parts[0]; $outputs += [double]$parts[1]
}
function Get-Median([double[]] $v) { $s = $v | Sort-Object; if ($s.Count % 2) { $s[[int][math]::Floor($s.Count / 2)] } else { ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2 } }
$importMedian = Get-Median $imports
$outputMedian = Get-Median $outputs
"import-module: median {0:F1} ms over {1} fresh pwsh processes (runs: {2}) target < 150 ms" -f $importMedian, $Runs, (($imports | ForEach-Object { '{0:F0}' -f $_ }) -join ', ')
"first-output:  median {0:F1} ms from import start to Get-BackupPreset's first object (runs: {1}) target < 300 ms" -f $outputMedian, (($outputs | ForEach-Object { '{0:F0}' -f $_ }) -join ', ')
