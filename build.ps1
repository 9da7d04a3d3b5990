<#
.SYNOPSIS
    The one entry point of the BackupIam build.
.DESCRIPTION
    Build : lays the module out in out/BackupIam/<version>/ (manifest, assemblies, MAML help, format file).
    Test  : builds, runs the xunit engine tests and the Pester module tests (in a fresh pwsh, against the
            built module), prints each suite's totals and ends with 'N passed, N failed'. Exits 1 on failure.
    Bench : builds and prints the benchmark figures (import time, first output, engine speed; on Linux the five
            setups' wall time against a local Ceph RGW; the five setups at 25 ms each way and on 127.0.0.1 beside
            boto3, bench/Measure-Latency.ps1; the first command's cost with and without ReadyToRun images,
            bench/Measure-FirstCommand.ps1).
    Demo  : builds and runs the module's main job: an offline policy pipeline.
.EXAMPLE
    dotnet tool restore; dotnet pwsh -NoProfile -File build.ps1 -Task Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Bench', 'Demo')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # ReadyToRun images of bin/deps for PowerShell 7's runtime on these platforms (bin/r2r/net10.0-<rid>/); the loader
    # uses them only on that OS and architecture. Without crossgen2 (no NuGet access to it) the build goes on without.
    [string[]] $ReadyToRunRuntime = @('linux-x64'),

    # Skip the ReadyToRun images (the module then JIT-compiles everything, as on Windows PowerShell 5.1).
    [switch] $NoReadyToRun
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = $PSScriptRoot
# Where build output goes: out/ and artifacts/ unless BACKUPIAM_OUT / ArtifactsPath name other folders (so that two
# builds of one checkout, e.g. by two people, do not overwrite each other).
$outRoot = if ($env:BACKUPIAM_OUT) { $env:BACKUPIAM_OUT } else { Join-Path $root 'out' }
$artifacts = if ($env:ArtifactsPath) { $env:ArtifactsPath } else { Join-Path $root 'artifacts' }
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'

function Invoke-Native {
    param([string] $File, [string[]] $Arguments)
    & $File @Arguments
    if ($LASTEXITCODE -ne 0) { throw "'$File $($Arguments -join ' ')' failed with exit code $LASTEXITCODE." }
}

function Get-ModuleVersion {
    $props = [xml](Get-Content -Raw (Join-Path $root 'Directory.Build.props'))
    [string]($props.Project.PropertyGroup | ForEach-Object { $_.Version } | Where-Object { $_ } | Select-Object -First 1)
}

function Invoke-Pwsh {
    # Runs a fresh pwsh of the same build that runs this script: the pinned dotnet tool
    # (hosted by 'dotnet', so re-launch through pwsh.dll) or the caller's own pwsh.
    param([string[]] $Arguments)
    $self = [System.Diagnostics.Process]::GetCurrentProcess().MainModule.FileName
    if ([System.IO.Path]::GetFileNameWithoutExtension($self) -in 'pwsh', 'powershell') { & $self @Arguments }
    else { & $self (Join-Path $PSHOME 'pwsh.dll') @Arguments }
}

function Get-PesterPath {
    $packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages' }
    $version = ([xml](Get-Content -Raw (Join-Path $root 'build/tools.csproj'))).Project.ItemGroup.PackageDownload |
        Where-Object Include -EQ 'Pester' | ForEach-Object { $_.Version.Trim('[', ']') }
    Join-Path $packages "pester/$version/tools/Pester.psd1"
}

function Add-ReadyToRunImages {
    # bin/r2r/net10.0-<rid>/: ReadyToRun images of the very files in bin/deps (engine, AWSSDK's netstandard2.0 builds),
    # made by crossgen2 through build/ReadyToRun (the SDK picks crossgen2's version and restores it from NuGet). They
    # hold the same IL and metadata (the same MVID), so the module is the same everywhere; the PowerShell 7 loader prefers them on the platform they were made for.
    # bin/deps stays IL-only (Windows PowerShell 5.1 and every other platform load it). A failure is not fatal.
    param([string] $Bin, [string] $Staging)
    $deps = Join-Path $Bin 'deps'
    $wanted = @(Get-ChildItem $deps -Filter *.dll | ForEach-Object Name)
    foreach ($rid in $ReadyToRunRuntime) {
        $out = Join-Path $Staging "r2r-$rid"
        $sw = [System.Diagnostics.Stopwatch]::StartNew()
        & dotnet publish (Join-Path $root 'build/ReadyToRun/ReadyToRun.csproj') -c $Configuration -r $rid -o $out --nologo -v quiet `
            "-p:ReadyToRunInput=$deps" 2>&1 |
            Select-Object -Last 5 | Out-Host
        if ($LASTEXITCODE -ne 0) {
            Write-Warning "ReadyToRun images for $rid were not made (dotnet publish exit code $LASTEXITCODE, see above): the module is built without them and JIT-compiles on first use."
            continue
        }
        $target = Join-Path $Bin "r2r/net10.0-$rid"
        $null = New-Item -ItemType Directory -Force -Path $target
        $copied = @(Get-ChildItem $out -Filter *.dll | Where-Object { $_.Name -in $wanted } | Copy-Item -Destination $target -PassThru)
        Write-Host ("ReadyToRun images for {0}: {1} assemblies in {2:F0} s" -f $rid, $copied.Count, $sw.Elapsed.TotalSeconds)
    }
}

function Invoke-Build {
    $version = Get-ModuleVersion
    $moduleRoot = Join-Path $outRoot "BackupIam/$version"
    $staging = Join-Path $artifacts 'staging'
    if (Test-Path $moduleRoot) { Remove-Item -Recurse -Force $moduleRoot }
    if (Test-Path $staging) { Remove-Item -Recurse -Force $staging }
    $bin = Join-Path $moduleRoot 'bin'
    $deps = Join-Path $bin 'deps'
    $null = New-Item -ItemType Directory -Force -Path $deps

    Write-Host "Building BackupIam $version ($Configuration)"
    Invoke-Native dotnet @('restore', (Join-Path $root 'build/tools.csproj'), '--nologo', '-v', 'quiet')
    Invoke-Native dotnet @('publish', (Join-Path $root 'src/BackupIam/BackupIam.csproj'), '-c', $Configuration, '-o', "$staging/lib", '--nologo', '-v', 'quiet')
    Invoke-Native dotnet @('publish', (Join-Path $root 'src/BackupIam.Loader/BackupIam.Loader.csproj'), '-c', $Configuration, '-o', "$staging/loader", '--nologo', '-v', 'quiet')

    # bin/: the cmdlet assembly PowerShell loads, and the PowerShell 7 loader. bin/deps/: everything else, which the
    # module initializer resolves (into BackupIam's own load context on PowerShell 7).
    Copy-Item "$staging/lib/BackupIam.dll" $bin
    Get-ChildItem "$staging/lib" -Filter *.dll | Where-Object Name -NotIn 'System.Management.Automation.dll', 'BackupIam.dll' | Copy-Item -Destination $deps
    Copy-Item "$staging/loader/BackupIam.Loader.dll" $bin
    if (-not $NoReadyToRun -and $env:BACKUPIAM_NO_READYTORUN -ne '1') { Add-ReadyToRunImages -Bin $bin -Staging $staging }
    Copy-Item (Join-Path $root 'src/BackupIam/BackupIam.Format.ps1xml') $moduleRoot
    Copy-Item (Join-Path $root 'LICENSE') $moduleRoot

    $manifest = Get-Content -Raw (Join-Path $root 'BackupIam.psd1')
    $manifest = $manifest -replace "ModuleVersion\s*=\s*'[^']*'", "ModuleVersion        = '$version'"
    [System.IO.File]::WriteAllText((Join-Path $moduleRoot 'BackupIam.psd1'), $manifest)

    $helpOut = Join-Path $moduleRoot 'en-US'
    $null = New-Item -ItemType Directory -Force -Path $helpOut
    Copy-Item (Join-Path $root 'en-US/about_*.help.txt') $helpOut
    Invoke-Pwsh @('-NoProfile', '-NonInteractive', '-File', (Join-Path $root 'build/New-ModuleHelp.ps1'),
        '-ModuleManifest', (Join-Path $moduleRoot 'BackupIam.psd1'), '-SourceDirectory', (Join-Path $root 'en-US'), '-Destination', $helpOut)
    if ($LASTEXITCODE -ne 0) { throw 'Building the help failed (see above).' }

    Write-Host "Built $moduleRoot"
    $moduleRoot
}

function Invoke-Test {
    param([string] $ModuleRoot)
    $results = Join-Path $artifacts 'test-results'
    if (Test-Path $results) { Remove-Item -Recurse -Force $results }
    $null = New-Item -ItemType Directory -Force -Path $results

    Write-Host "`n== xunit: engine tests"
    & dotnet test (Join-Path $root 'tests/units/BackupIam.Engine.Tests') -c $Configuration --nologo `
        --logger "trx;LogFileName=engine.trx" --results-directory $results
    $unitExit = $LASTEXITCODE
    $unit = [pscustomobject]@{ Passed = 0; Failed = 0; Skipped = 0 }
    $trx = Get-ChildItem $results -Filter engine.trx -Recurse | Select-Object -First 1
    if ($trx) {
        $counters = ([xml](Get-Content -Raw $trx.FullName)).TestRun.ResultSummary.Counters
        $unit.Passed = [int]$counters.passed
        $unit.Failed = [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
        $unit.Skipped = [int]$counters.notExecuted
    }
    if ($unitExit -ne 0 -and $unit.Failed -eq 0) { $unit.Failed = 1; Write-Host 'xunit run failed before reporting results (build error?)' }
    Write-Host ("xunit: {0} passed, {1} failed, {2} skipped" -f $unit.Passed, $unit.Failed, $unit.Skipped)

    Write-Host "`n== Pester: module tests (fresh pwsh, built module)"
    $summary = Join-Path $results 'pester-summary.json'
    Invoke-Pwsh @('-NoProfile', '-NonInteractive', '-File', (Join-Path $root 'tests/Invoke-ModuleTests.ps1'),
        '-ModuleManifest', (Join-Path $ModuleRoot 'BackupIam.psd1'), '-PesterPath', (Get-PesterPath), '-SummaryPath', $summary, '-ResultDirectory', $results)
    $pester = [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0 }
    if (Test-Path $summary) { $pester = Get-Content -Raw $summary | ConvertFrom-Json }
    else { Write-Host 'Pester run failed before reporting results' }
    Write-Host ("Pester: {0} passed, {1} failed, {2} skipped" -f $pester.Passed, $pester.Failed, $pester.Skipped)

    $passed = $unit.Passed + $pester.Passed
    $failed = $unit.Failed + $pester.Failed
    $skipped = $unit.Skipped + $pester.Skipped
    $line = "$passed passed, $failed failed"
    if ($skipped -gt 0) { $line += ", $skipped skipped" }
    Write-Host ''
    Write-Host $line
    if ($failed -gt 0 -or $passed -eq 0) { exit 1 }
}

switch ($Task) {
    'Build' { $null = Invoke-Build }
    'Test' { $moduleRoot = Invoke-Build; Invoke-Test -ModuleRoot $moduleRoot }
    'Bench' {
        $moduleRoot = Invoke-Build
        Invoke-Pwsh @('-NoProfile', '-NonInteractive', '-File', (Join-Path $root 'bench/Measure-Import.ps1'), '-ModuleManifest', (Join-Path $moduleRoot 'BackupIam.psd1'))
        if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
        Invoke-Native dotnet @('run', '--project', (Join-Path $root 'bench/BackupIam.Bench'), '-c', 'Release', '--nologo')
        # The five setups against a local Ceph RGW (Linux: tests/rgw/rgw.sh brings it up, installing it if missing).
        if ($IsLinux) {
            Invoke-Pwsh @('-NoProfile', '-NonInteractive', '-File', (Join-Path $root 'bench/Measure-RgwSetups.ps1'), '-ModuleManifest', (Join-Path $moduleRoot 'BackupIam.psd1'))
            if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
            # Test-BackupCredential's full probe set against a local Ceph RGW: wall time and HTTP requests.
            Invoke-Pwsh @('-NoProfile', '-NonInteractive', '-File', (Join-Path $root 'bench/Measure-CredentialProbe.ps1'), '-ModuleManifest', (Join-Path $moduleRoot 'BackupIam.psd1'))
            if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
        }
        # Issue 18: Get-BackupBucketPosture's wall time on RGW (Linux) and moto, first call in a session and later calls.
        $postureArgs = @('-NoProfile', '-NonInteractive', '-File', (Join-Path $root 'bench/Measure-Posture.ps1'), '-ModuleManifest', (Join-Path $moduleRoot 'BackupIam.psd1'))
        if (-not $IsLinux) { $postureArgs += '-Store', 'moto' }
        Invoke-Pwsh $postureArgs
        if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
        # Issue 16: the five setups at 25 ms each way (moto behind bench/latency_proxy.py) beside boto3, then on 127.0.0.1.
        foreach ($delay in 25, 0) {
            Invoke-Pwsh @('-NoProfile', '-NonInteractive', '-File', (Join-Path $root 'bench/Measure-Latency.ps1'), '-ModuleManifest', (Join-Path $moduleRoot 'BackupIam.psd1'), '-DelayMs', "$delay")
            if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
        }
        # Issue 16: where the first command's extra cost goes, with and without the ReadyToRun images.
        Invoke-Pwsh @('-NoProfile', '-NonInteractive', '-File', (Join-Path $root 'bench/Measure-FirstCommand.ps1'), '-ModuleManifest', (Join-Path $moduleRoot 'BackupIam.psd1'))
        if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
    }
    'Demo' {
        $moduleRoot = Invoke-Build
        Invoke-Pwsh @('-NoProfile', '-NonInteractive', '-File', (Join-Path $root 'build/Demo.ps1'), '-ModuleManifest', (Join-Path $moduleRoot 'BackupIam.psd1'))
        exit $LASTEXITCODE
    }
}
