<#
.SYNOPSIS
    Where the first pipeline's extra cost goes (issue 16): each step of a setup timed the first time and again in the
    same fresh pwsh, with the methods JIT-compiled and the assemblies loaded during it, with the ReadyToRun images and
    without them (BACKUPIAM_READYTORUN=0: bin/deps' IL only). Prints numbers; asserts nothing about them.
.DESCRIPTION
    A real moto server on 127.0.0.1 (tests/TestHelpers.psm1). Each run is a fresh `pwsh -NoProfile` that imports the
    built module and runs, twice each on new names: an offline cmdlet (the format file and the engine's policy code),
    New-BackupUser (credentials, our IAM client, the HTTP stack), New-BackupBucket (AWSSDK.S3: client configuration,
    endpoint rules, the first S3 request), a user piped into New-BackupAccessKey, and Set-BackupBucketPolicy.
    JIT figures come from System.Runtime.JitInfo (methods compiled and compilation time, all threads); "wall" is the
    step's Stopwatch time. First minus second is that step's first-use cost.
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/Measure-FirstCommand.ps1 -ModuleManifest out/BackupIam/0.1.0/BackupIam.psd1
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [ValidateRange(1, 20)] [int] $Runs = 3
)
$ErrorActionPreference = 'Stop'
$manifest = (Resolve-Path $ModuleManifest).Path
Import-Module (Join-Path $PSScriptRoot '../tests/TestHelpers.psm1') -Force

$child = @'
param($Manifest, $Url)
$ErrorActionPreference = 'Stop'
$env:AWS_ENDPOINT_URL = $Url
$env:AWS_ACCESS_KEY_ID = 'AKIABENCHFIRSTCMD001'; $env:AWS_SECRET_ACCESS_KEY = 'bench-first-command-not-real'; $env:AWS_REGION = 'us-east-1'
foreach ($n in 'AWS_PROFILE', 'AWS_SESSION_TOKEN') { Remove-Item "Env:$n" -ErrorAction SilentlyContinue }
$S = [guid]::NewGuid().ToString('N').Substring(0, 8)
$sw = [System.Diagnostics.Stopwatch]::new()
$steps = [System.Collections.Generic.List[object]]::new()
function Step([string] $Name, [scriptblock] $Block) {
    $j0 = [System.Runtime.JitInfo]::GetCompiledMethodCount($false); $t0 = [System.Runtime.JitInfo]::GetCompilationTime($false).TotalMilliseconds
    $a0 = [AppDomain]::CurrentDomain.GetAssemblies().Count
    $sw.Restart(); $null = & $Block; $ms = $sw.Elapsed.TotalMilliseconds
    $steps.Add([ordered]@{ Name = $Name; Ms = $ms
        Jit = [System.Runtime.JitInfo]::GetCompiledMethodCount($false) - $j0
        JitMs = [System.Runtime.JitInfo]::GetCompilationTime($false).TotalMilliseconds - $t0
        Assemblies = [AppDomain]::CurrentDomain.GetAssemblies().Count - $a0 })
}
Step 'Import-Module' { Import-Module $Manifest }
foreach ($i in 1, 2) {
    Step "offline: New-BackupPolicy #$i" { New-BackupPolicy -Preset UploadOnly -BucketName "fc-$S-$i" -PolicyName P }
    Step "IAM: New-BackupUser #$i" { New-BackupUser -UserName "fc-u-$S-$i" }
    Step "S3: New-BackupBucket #$i" { New-BackupBucket -BucketName "fc-b-$S-$i" }
    Step "New-BackupUser piped to New-BackupAccessKey #$i" { New-BackupUser -UserName "fc-k-$S-$i" | New-BackupAccessKey }
    Step "Set-BackupBucketPolicy #$i" { New-WriteOnlyBucketPolicy -BucketName "fc-b-$S-$i" -UserName "fc-u-$S-$i" -AccountId 123456789012 | Set-BackupBucketPolicy }
}
'##RESULT ' + (ConvertTo-Json -InputObject @($steps) -Compress)
'@

function Get-Median([double[]] $Values) {
    $s = @($Values | Sort-Object)
    if ($s.Count % 2) { $s[[int][math]::Floor($s.Count / 2)] } else { ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2 }
}

$moto = $null
$script = Join-Path ([System.IO.Path]::GetTempPath()) ("bi-firstcmd-" + [guid]::NewGuid().ToString('N').Substring(0, 8) + '.ps1')
$savedR2r = $env:BACKUPIAM_READYTORUN
try {
    $moto = Start-MotoServer
    Set-Content -Path $script -Value $child
    $self = [System.Diagnostics.Process]::GetCurrentProcess().MainModule.FileName
    $modes = [ordered]@{ 'ReadyToRun images' = $null; 'IL only (BACKUPIAM_READYTORUN=0)' = '0' }
    $results = [ordered]@{}
    foreach ($mode in $modes.Keys) { $results[$mode] = [System.Collections.Generic.List[object]]::new() }
    for ($run = 0; $run -lt $Runs; $run++) {
        foreach ($mode in $modes.Keys) {
            # Alternate the modes so that a change in the machine's load touches both alike.
            if ($null -eq $modes[$mode]) { Remove-Item Env:BACKUPIAM_READYTORUN -ErrorAction SilentlyContinue } else { $env:BACKUPIAM_READYTORUN = $modes[$mode] }
            $out = if ([System.IO.Path]::GetFileNameWithoutExtension($self) -in 'pwsh', 'powershell') {
                & $self -NoProfile -NonInteractive -File $script $manifest $moto.Url
            }
            else { & $self (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -File $script $manifest $moto.Url }
            $line = @($out | Where-Object { $_ -is [string] -and $_.StartsWith('##RESULT ') }) | Select-Object -Last 1
            if (-not $line) { throw "benchmark child failed: $($out -join "`n")" }
            $results[$mode].Add(($line.Substring(9) | ConvertFrom-Json))
        }
    }

    Write-Host ("Load average at the end: {0}" -f $(if (Test-Path /proc/loadavg) { (Get-Content /proc/loadavg).Split(' ')[0..2] -join ' ' } else { 'n/a' }))
    foreach ($mode in $modes.Keys) {
        Write-Host ''
        Write-Host "$mode, medians of $Runs fresh pwsh processes:"
        '| step | wall | JIT-compiled methods | JIT time (all threads) | assemblies loaded |'
        '|---|---|---|---|---|'
        $names = @($results[$mode][0] | ForEach-Object Name)
        $firstMs = 0.0; $secondMs = 0.0
        foreach ($name in $names) {
            $rows = @($results[$mode] | ForEach-Object { $_ | Where-Object Name -EQ $name })
            $ms = Get-Median ($rows.Ms)
            if ($name -like '*#1') { $firstMs += $ms } elseif ($name -like '*#2') { $secondMs += $ms }
            '| {0} | {1:F0} ms | {2:F0} | {3:F0} ms | {4:F0} |' -f $name, $ms, (Get-Median ($rows.Jit)), (Get-Median ($rows.JitMs)), (Get-Median ($rows.Assemblies))
        }
        Write-Host ("{0}: the five steps the first time {1:F0} ms, the second time {2:F0} ms: first-use cost {3:F0} ms" -f $mode, $firstMs, $secondMs, ($firstMs - $secondMs))
    }
}
finally {
    if ($null -eq $savedR2r) { Remove-Item Env:BACKUPIAM_READYTORUN -ErrorAction SilentlyContinue } else { $env:BACKUPIAM_READYTORUN = $savedR2r }
    if ($moto) { Stop-MotoServer -Server $moto }
    Remove-Item $script -ErrorAction SilentlyContinue
}
