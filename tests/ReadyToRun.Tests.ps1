# Issue 16: the build's ReadyToRun images (bin/r2r/net10.0-<rid>/) and how the PowerShell 7 loader chooses them. The
# images must be the same assemblies as bin/deps' IL copies (name, version, public key, module MVID), precompiled; bin/deps must stay
# IL-only (Windows PowerShell 5.1 and every other platform load it); the loader uses the images on their platform only,
# and BACKUPIAM_READYTORUN=0 turns them off.

BeforeDiscovery {
    # The build makes linux-x64 images by default: there they must exist (a build that could not make them prints a
    # warning, and these tests then fail on purpose). Elsewhere the image tests are skipped, saying so.
    $expectImages = -not $IsWindows -and -not $IsMacOS -and
        [System.Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture -eq 'X64'
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:manifest = (Resolve-Path (Get-BuiltModuleManifest)).Path
    $script:bin = Join-Path (Split-Path $script:manifest) 'bin'
    $script:rid = '{0}-{1}' -f $(if ($IsWindows) { 'win' } elseif ($IsMacOS) { 'osx' } else { 'linux' }),
        ([System.Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture.ToString().ToLowerInvariant())
    $script:r2r = Join-Path $script:bin "r2r/net10.0-$script:rid"

    function Get-PeFacts([string] $Path) {
        $stream = [System.IO.File]::OpenRead($Path)
        try {
            $pe = [System.Reflection.PortableExecutable.PEReader]::new($stream)
            $name = [System.Reflection.AssemblyName]::GetAssemblyName($Path)
            $md = [System.Reflection.Metadata.PEReaderExtensions]::GetMetadataReader($pe)
            [pscustomobject]@{
                Name          = $name.Name
                Version       = $name.Version.ToString()
                KeyToken      = [BitConverter]::ToString([byte[]]@($name.GetPublicKeyToken()))
                Mvid          = $md.GetGuid($md.GetModuleDefinition().Mvid)
                Precompiled   = $pe.PEHeaders.CorHeader.ManagedNativeHeaderDirectory.Size -gt 0
                Machine       = $pe.PEHeaders.CoffHeader.Machine.ToString()
            }
        }
        finally { $stream.Dispose() }
    }

    function Get-LoadedFrom([string] $Environment) {
        $script = @"
$Environment
Import-Module '$($script:manifest)'
`$null = New-BackupPolicy -Preset UploadOnly -BucketName r2r-test-bucket -PolicyName P
# AWSSDK.Core: loaded into BackupIam's context by name, as the engine does on its first AWS call.
`$alc = [System.Runtime.Loader.AssemblyLoadContext]::All | Where-Object Name -EQ 'BackupIam'
`$null = `$alc.LoadFromAssemblyName([System.Reflection.AssemblyName]::new('AWSSDK.Core'))
'##RESULT ' + (@([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -in 'BackupIam.Engine', 'AWSSDK.Core' } |
    ForEach-Object { [ordered]@{ Name = `$_.GetName().Name; Location = `$_.Location } }) | ConvertTo-Json -Compress)
"@
        $line = @(Invoke-FreshPwsh -Script $script) | Where-Object { $_ -is [string] -and $_.StartsWith('##RESULT ') } | Select-Object -Last 1
        if (-not $line) { throw 'the child pwsh printed no result' }
        @($line.Substring(9) | ConvertFrom-Json)
    }
}

Describe 'ReadyToRun images' {
    It 'bin/deps stays IL-only, for Windows PowerShell 5.1 and every platform' {
        $facts = @(Get-ChildItem (Join-Path $script:bin 'deps') -Filter *.dll | Where-Object Name -Match '^(AWSSDK|BackupIam)\.' | ForEach-Object { Get-PeFacts $_.FullName })
        $facts.Count | Should -BeGreaterThan 5
        @($facts | Where-Object Precompiled) | Should -HaveCount 0
        @($facts | Where-Object Machine -NE 'I386') | Should -HaveCount 0
    }

    It 'the images for this platform are precompiled copies of the bin/deps assemblies (same name, version, key and MVID)' -Skip:(-not $expectImages) {
        Test-Path $script:r2r | Should -BeTrue -Because 'the build makes linux-x64 images by default'
        $images = @(Get-ChildItem $script:r2r -Filter *.dll)
        @($images.Name) | Should -Contain 'BackupIam.Engine.dll'
        @($images.Name) | Should -Contain 'AWSSDK.Core.dll'
        @($images.Name) | Should -Contain 'AWSSDK.S3.dll'
        foreach ($image in $images) {
            $r = Get-PeFacts $image.FullName
            $il = Get-PeFacts (Join-Path $script:bin "deps/$($image.Name)")
            $r.Precompiled | Should -BeTrue -Because "$($image.Name) is a ReadyToRun image"
            # The same module (MVID), not another build of the same version (a package's net8.0 build, say).
            "$($r.Name) $($r.Version) $($r.KeyToken) $($r.Mvid)" | Should -Be "$($il.Name) $($il.Version) $($il.KeyToken) $($il.Mvid)"
        }
    }

    It 'PowerShell 7 loads the engine and AWSSDK from the images on their platform' -Skip:(-not $expectImages) {
        $loaded = Get-LoadedFrom -Environment 'Remove-Item Env:BACKUPIAM_READYTORUN -ErrorAction SilentlyContinue'
        $loaded | Should -HaveCount 2
        foreach ($a in $loaded) { $a.Location | Should -BeLike "*/bin/r2r/net10.0-$($script:rid)/$($a.Name).dll" }
    }

    It 'BACKUPIAM_READYTORUN=0 loads the IL copies from bin/deps' {
        $loaded = Get-LoadedFrom -Environment '$env:BACKUPIAM_READYTORUN = ''0'''
        $loaded | Should -HaveCount 2
        foreach ($a in $loaded) { $a.Location | Should -BeLike "*bin?deps?$($a.Name).dll" }
    }
}
