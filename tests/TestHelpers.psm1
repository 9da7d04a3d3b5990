# Shared helpers for the Pester tests. Every test file imports the BUILT module through Import-BuiltModule.

function Get-BuiltModuleManifest {
    if ($env:BACKUPIAM_MODULE_MANIFEST) { return $env:BACKUPIAM_MODULE_MANIFEST }
    $candidate = Get-ChildItem (Join-Path $PSScriptRoot '../out/BackupIam') -Filter BackupIam.psd1 -Recurse -ErrorAction SilentlyContinue | Select-Object -First 1
    if (-not $candidate) { throw 'The module is not built. Run: dotnet pwsh -File build.ps1 -Task Build' }
    $candidate.FullName
}

function Import-BuiltModule {
    Import-Module (Get-BuiltModuleManifest) -Force -Global -ErrorAction Stop
}

function Invoke-FreshPwsh {
    <# Runs a script block's text in a fresh pwsh process of the same build and returns its output lines. #>
    param([Parameter(Mandatory)] [string] $Script)
    $self = [System.Diagnostics.Process]::GetCurrentProcess().MainModule.FileName
    $encoded = [Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($Script))
    if ([System.IO.Path]::GetFileNameWithoutExtension($self) -in 'pwsh', 'powershell') {
        & $self -NoProfile -NonInteractive -EncodedCommand $encoded
    }
    else {
        & $self (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -EncodedCommand $encoded
    }
}

Export-ModuleMember -Function Get-BuiltModuleManifest, Import-BuiltModule, Invoke-FreshPwsh
