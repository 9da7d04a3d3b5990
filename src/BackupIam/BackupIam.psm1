# BackupIam module loader.
# On PowerShell 7 the cmdlet assembly and its private dependencies (AWSSDK among them) are loaded
# into their own AssemblyLoadContext, so import order against other AWS modules never matters.
# Windows PowerShell 5.1 has no load contexts: there the assemblies load into the one AppDomain, and a
# module that loads a different AWSSDK.Core build first wins (see README, "Windows PowerShell 5.1").

$coreImport = Get-Command -Name Import-Module -Module Microsoft.PowerShell.Core
$lib = [System.IO.Path]::Combine($PSScriptRoot, 'bin', 'lib')
$alreadyLoaded = $false

if ($PSVersionTable.PSVersion.Major -ge 7) {
    if ('BackupIam.Loader.LoadContext' -as [type]) {
        $alreadyLoaded = $true
    }
    else {
        # Assembly.LoadFrom is far cheaper than Add-Type -Path, which pays for its compiler plumbing on first use.
        $null = [System.Reflection.Assembly]::LoadFrom([System.IO.Path]::Combine($PSScriptRoot, 'bin', 'BackupIam.Loader.dll'))
    }
    $assembly = [BackupIam.Loader.LoadContext]::Initialize($lib)
}
else {
    $existing = [System.AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'BackupIam' } | Select-Object -First 1
    $alreadyLoaded = [bool]$existing
    $assembly = if ($existing) { $existing } else { [System.Reflection.Assembly]::LoadFrom([System.IO.Path]::Combine($lib, 'BackupIam.dll')) }
}

$inner = & $coreImport -Assembly $assembly -PassThru -ErrorAction Stop
if ($alreadyLoaded -and $inner) {
    # A re-import (Import-Module -Force) gets PowerShell's cached module for the already loaded assembly, which
    # does not add its cmdlets to this module again (PowerShell issue 20710); add them explicitly.
    $addCmdlet = [System.Management.Automation.PSModuleInfo].GetMethod('AddExportedCmdlet', [System.Reflection.BindingFlags]'Instance, NonPublic')
    foreach ($cmdlet in $inner.ExportedCmdlets.Values) {
        $addCmdlet.Invoke($ExecutionContext.SessionState.Module, @(, $cmdlet))
    }
}
