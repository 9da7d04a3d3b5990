<#
.SYNOPSIS
    Wall time of Get-BackupBucketPosture against a local Ceph RGW (tests/rgw/rgw.sh) and a local moto server, first
    call in a session and later calls. Prints medians; asserts nothing about them (issue 18's aim: the whole report in
    under 1 s on the local servers).
.DESCRIPTION
    One RGW cluster and one moto server. On each, a bucket is made with the module as a backup bucket would be
    (versioning, lifecycle, a bucket policy with the TLS-only and delete-protection statements), so that every read of
    the report has something to read. Then -Sessions times, a fresh pwsh process imports the built module and times,
    inside itself, Get-BackupBucketPosture once (the first call of the session: it loads AWSSDK and opens the first
    connections) and -Later times more (later calls of the same session). The lines give the medians (and the range)
    over the sessions' first calls and over all later calls, with the grade the report gave and the number of errors,
    so a number from a failing run is never taken for a working one. The machine's load (/proc/loadavg, cores) is
    printed before and after.
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/Measure-Posture.ps1 -ModuleManifest out/BackupIam/0.1.0/BackupIam.psd1
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [int] $Sessions = 5,
    [int] $Later = 5,
    [ValidateSet('rgw', 'moto')] [string[]] $Store = @('rgw', 'moto')
)
$ErrorActionPreference = 'Stop'
$manifest = (Resolve-Path $ModuleManifest).Path
Import-Module (Join-Path $PSScriptRoot '../tests/TestHelpers.psm1') -Force

function Get-Load {
    $load = if (Test-Path /proc/loadavg) { (Get-Content -Raw /proc/loadavg).Trim() } else { 'n/a' }
    "load average $load on $([Environment]::ProcessorCount) cores"
}

function Get-Median([double[]] $Values) {
    $sorted = @($Values | Sort-Object)
    if ($sorted.Count -eq 0) { return [double]::NaN }
    $mid = [int][Math]::Floor($sorted.Count / 2)
    if ($sorted.Count % 2) { $sorted[$mid] } else { ($sorted[$mid - 1] + $sorted[$mid]) / 2 }
}

function Measure-Store {
    # Times the posture report of $Bucket in -Sessions fresh processes; the credentials go through the environment only.
    param([string] $Name, [string] $Endpoint, [string] $AccessKey, [string] $SecretKey, [string] $Bucket)
    $probe = @"
`$ErrorActionPreference = 'Continue'
`$env:AWS_ENDPOINT_URL = '$Endpoint'
`$env:AWS_ACCESS_KEY_ID = '$AccessKey'
`$env:AWS_SECRET_ACCESS_KEY = `$env:BENCH_POSTURE_SECRET
`$env:AWS_REGION = 'us-east-1'
Import-Module '$manifest'
`$errors = 0; `$grade = ''
`$times = foreach (`$i in 0..$Later) {
    `$sw = [System.Diagnostics.Stopwatch]::StartNew()
    `$out = @(Get-BackupBucketPosture -BucketName '$Bucket' -Verbose -ErrorVariable e -ErrorAction SilentlyContinue 4>&1)
    `$sw.Elapsed.TotalMilliseconds
    `$errors += `$e.Count
    `$r = `$out | Where-Object { `$_ -isnot [System.Management.Automation.VerboseRecord] } | Select-Object -First 1
    if (`$r) { `$grade = `$r.Grade }
    # The reads' own time (the cmdlet's verbose line), to tell them from loading and connecting on the first call.
    `$read = `$out | Where-Object { `$_ -is [System.Management.Automation.VerboseRecord] -and `$_.Message -match 'Read the posture .* in (\d+) ms' } | Select-Object -First 1
    if (`$read -and `$i -eq 0) { `$script:firstRead = [double]`$Matches[1] }
}
'RESULT ' + ((`$times | ForEach-Object { `$_.ToString('F1', [cultureinfo]::InvariantCulture) }) -join ',') + ' ' + `$errors + ' ' + `$grade + ' ' + `$script:firstRead
"@
    $first = [System.Collections.Generic.List[double]]::new()
    $later = [System.Collections.Generic.List[double]]::new()
    $firstRead = [System.Collections.Generic.List[double]]::new()
    $errors = 0
    $grades = @{}
    $env:BENCH_POSTURE_SECRET = $SecretKey
    try {
        foreach ($s in 1..$Sessions) {
            $lines = Invoke-FreshPwsh -Script $probe
            $result = @($lines | Where-Object { "$_" -like 'RESULT *' }) | Select-Object -Last 1
            if (-not $result) { throw "posture bench on ${Name}: the session printed no result: $($lines -join ' ')" }
            $null, $csv, $err, $grade, $read = "$result" -split ' '
            if ($read) { $firstRead.Add([double]::Parse($read, [cultureinfo]::InvariantCulture)) }
            $values = @($csv -split ',' | ForEach-Object { [double]::Parse($_, [cultureinfo]::InvariantCulture) })
            $first.Add($values[0])
            foreach ($v in ($values | Select-Object -Skip 1)) { $later.Add($v) }
            $errors += [int]$err
            $grades[$grade] = $true
        }
    }
    finally { Remove-Item Env:BENCH_POSTURE_SECRET -ErrorAction SilentlyContinue }
    "posture-$Name`: first call in session median {0:F0} ms ({1:F0}-{2:F0}, {3} sessions; of it the reads {10:F0} ms); later calls median {4:F0} ms ({5:F0}-{6:F0}, {7} calls); grade {8}{9}" -f `
        (Get-Median $first), ($first | Measure-Object -Minimum).Minimum, ($first | Measure-Object -Maximum).Maximum, $first.Count,
        (Get-Median $later), ($later | Measure-Object -Minimum).Minimum, ($later | Measure-Object -Maximum).Maximum, $later.Count,
        (($grades.Keys | Sort-Object) -join '/'), $(if ($errors -gt 0) { " [$errors errors: the report did not complete]" } else { '' }), (Get-Median $firstRead)
}

function Initialize-Bucket {
    # A backup bucket with something in every area the report reads; made with the module, in this process.
    param([string] $Endpoint, [string] $AccessKey, [string] $SecretKey, [string] $Bucket, [string] $BreakGlass)
    $common = @{ EndpointUrl = $Endpoint; AccessKey = $AccessKey; SecretKey = $SecretKey; Region = 'us-east-1'; WarningAction = 'SilentlyContinue' }
    $null = New-BackupBucket -BucketName $Bucket -Folder backup/ @common | Enable-BackupVersioning @common |
        Set-BackupLifecycle -NoncurrentVersionExpirationDays 30 -AbortIncompleteMultipartUploadDays 7 @common
    $null = Set-BackupBucketProtection -BucketName $Bucket -BreakGlassPrincipalArn $BreakGlass -Force -Confirm:$false @common
}

Import-Module $manifest
Write-Host "Before: $(Get-Load)"
if ('rgw' -in $Store) {
    $rgw = Start-RgwServer
    try {
        Initialize-Bucket -Endpoint $rgw.Endpoint -AccessKey $rgw.AdminAccessKey -SecretKey $rgw.AdminSecretKey -Bucket bench-posture -BreakGlass 'arn:aws:iam:::user/break-glass'
        Measure-Store -Name rgw -Endpoint $rgw.Endpoint -AccessKey $rgw.AdminAccessKey -SecretKey $rgw.AdminSecretKey -Bucket bench-posture
    }
    finally { Stop-RgwServer $rgw }
}
if ('moto' -in $Store) {
    $moto = Start-MotoServer
    try {
        $secret = 'bench-posture-secret-not-real'
        Initialize-Bucket -Endpoint $moto.Url -AccessKey AKIABENCHPOSTURE0001 -SecretKey $secret -Bucket bench-posture -BreakGlass 'arn:aws:iam::123456789012:role/break-glass'
        Measure-Store -Name moto -Endpoint $moto.Url -AccessKey AKIABENCHPOSTURE0001 -SecretKey $secret -Bucket bench-posture
    }
    finally { Stop-MotoServer $moto }
}
Write-Host "After: $(Get-Load)"
