<#
.SYNOPSIS
    Runs the Pester module tests in this (fresh) pwsh against the built module and writes a summary.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $PesterPath,
    [Parameter(Mandatory)] [string] $SummaryPath,
    [Parameter(Mandatory)] [string] $ResultDirectory
)
$ErrorActionPreference = 'Stop'
if (-not (Test-Path $PesterPath)) { throw "Pester was not found at $PesterPath. Run 'dotnet restore build/tools.csproj'." }
Import-Module $PesterPath -Force

# The tests import the built module from here.
$env:BACKUPIAM_MODULE_MANIFEST = (Resolve-Path $ModuleManifest).Path

$config = New-PesterConfiguration
$config.Run.Path = $PSScriptRoot
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Normal'
$config.TestResult.Enabled = $true
$config.TestResult.OutputFormat = 'NUnitXml'
$config.TestResult.OutputPath = Join-Path $ResultDirectory 'pester.xml'
# The tests run under PowerShell's default preferences, as a user's session would.
$ErrorActionPreference = 'Continue'
$result = Invoke-Pester -Configuration $config

foreach ($test in $result.Skipped) {
    $reason = ($test.ErrorRecord | Select-Object -First 1 | ForEach-Object { $_.Exception.Message }) -join ' '
    Write-Host "skipped: $($test.ExpandedPath)$(if ($reason) { " -- $reason" })"
}

$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
[pscustomobject]@{
    Passed  = $result.PassedCount
    Failed  = $failed
    Skipped = $result.SkippedCount + $result.NotRunCount
} | ConvertTo-Json | Set-Content -Path $SummaryPath
