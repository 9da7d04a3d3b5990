# BackupIam module loader.
# On PowerShell 7 the cmdlet assembly and its private dependencies (AWSSDK among them) are loaded
# into their own AssemblyLoadContext, so import order against other AWS modules never matters.
# Windows PowerShell 5.1 has no load contexts: there the assemblies load into the one AppDomain.

$lib = [System.IO.Path]::Combine($PSScriptRoot, 'bin', 'lib')
if ($PSVersionTable.PSVersion.Major -ge 7) {
    if (-not ('BackupIam.Loader.LoadContext' -as [type])) {
        Add-Type -Path ([System.IO.Path]::Combine($PSScriptRoot, 'bin', 'BackupIam.Loader.dll'))
    }
    $assembly = [BackupIam.Loader.LoadContext]::Initialize($lib)
}
else {
    $assembly = [System.Reflection.Assembly]::LoadFrom([System.IO.Path]::Combine($lib, 'BackupIam.dll'))
}

$innerModule = Import-Module -Assembly $assembly -PassThru -ErrorAction Stop
Export-ModuleMember -Cmdlet @($innerModule.ExportedCmdlets.Keys)
