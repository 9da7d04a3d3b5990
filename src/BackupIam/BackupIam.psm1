# BackupIam module loader.
# On PowerShell 7 the cmdlet assembly and its private dependencies (AWSSDK among them) are loaded
# into their own AssemblyLoadContext, so import order against other AWS modules never matters.
# Windows PowerShell 5.1 has no load contexts: there the assemblies load into the one AppDomain, and a
# module that loads a different AWSSDK.Core build first wins (see README, "Windows PowerShell 5.1").
# This file runs on every import, so it avoids command and type-name lookups, which are slow in a cold pwsh.

$lib = [System.IO.Path]::Combine($PSScriptRoot, 'bin', 'lib')
if ($PSVersionTable.PSVersion.Major -ge 7) {
    # Assembly.LoadFrom is far cheaper than Add-Type -Path, and returns the loaded assembly on a re-import.
    $loader = [System.Reflection.Assembly]::LoadFrom([System.IO.Path]::Combine($PSScriptRoot, 'bin', 'BackupIam.Loader.dll'))
    $loadContext = $loader.GetType('BackupIam.Loader.LoadContext', $true)
    $alreadyLoaded = $loadContext::IsInitialized
    $assembly = $loadContext::Initialize($lib)
}
else {
    $assembly = $null
    foreach ($candidate in [System.AppDomain]::CurrentDomain.GetAssemblies()) {
        if ($candidate.GetName().Name -eq 'BackupIam') { $assembly = $candidate; break }
    }
    $alreadyLoaded = $null -ne $assembly
    if (-not $alreadyLoaded) { $assembly = [System.Reflection.Assembly]::LoadFrom([System.IO.Path]::Combine($lib, 'BackupIam.dll')) }
}

$inner = Microsoft.PowerShell.Core\Import-Module -Assembly $assembly -PassThru -ErrorAction Stop
if ($alreadyLoaded -and $inner) {
    # A re-import (Import-Module -Force) gets PowerShell's cached module for the already loaded assembly, which
    # does not add its cmdlets to this module again (PowerShell issue 20710); add them explicitly.
    $addCmdlet = [System.Management.Automation.PSModuleInfo].GetMethod('AddExportedCmdlet', [System.Reflection.BindingFlags]'Instance, NonPublic')
    foreach ($cmdlet in $inner.ExportedCmdlets.Values) {
        $addCmdlet.Invoke($ExecutionContext.SessionState.Module, @(, $cmdlet))
    }
}
