<#
.SYNOPSIS
    Wall time and number of HTTP requests of Test-BackupCredential's full probe set against a local Ceph RGW
    (tests/rgw/rgw.sh). Prints numbers; asserts nothing about them (target: under 1 s after propagation).
.DESCRIPTION
    One RGW cluster, an upload-only user (the UploadOnly preset as its inline policy) and the admin as bucket owner.
    One fresh pwsh imports the built module and runs Test-BackupCredential -Runs times, with admin credentials (so
    every probe runs and every canary is removed). For each run it reads from the overall result: the probe set's
    wall time once the key was accepted (ProbeTime, cleanup included), the whole command's wall time inside the
    process, and the requests sent with the key and with the admin credentials. The first run includes loading
    AWSSDK and opening the first connections. Each line says whether the run passed, so a number from a failing run
    is never taken for a working one.
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/Measure-CredentialProbe.ps1 -ModuleManifest out/BackupIam/0.1.0/BackupIam.psd1
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [int] $Runs = 7
)
$ErrorActionPreference = 'Stop'
$manifest = (Resolve-Path $ModuleManifest).Path
Import-Module (Join-Path $PSScriptRoot '../tests/TestHelpers.psm1') -Force
$rgw = Start-RgwServer
try {
    $user = New-RgwUser -Server $rgw -UserName bench-upload -MaxBuckets -1
    $policy = '{"Version":"2012-10-17","Statement":[{"Sid":"UploadFilesToBackup","Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::bench-probe-bucket/backup/*"}]}'
    $body = 'Action=PutUserPolicy&Version=2010-05-08&UserName=bench-upload&PolicyName=UploadFilesToBackup&PolicyDocument=' + [uri]::EscapeDataString($policy)
    $null = Invoke-RgwRequest -Server $rgw -AccessKey $rgw.AdminAccessKey -SecretKey $rgw.AdminSecretKey -Method PUT -Path '/bench-probe-bucket'
    $answer = Invoke-RgwRequest -Server $rgw -AccessKey $rgw.AdminAccessKey -SecretKey $rgw.AdminSecretKey -Method POST -Path '/' -Body $body -Service iam
    if ($answer.status -ne 200) { throw "PutUserPolicy answered $($answer.status)" }

    $script = @'
param($Manifest, $Endpoint, $AdminKey, $KeyId, $Runs)
$AdminSecret = $env:BENCH_ADMIN_SECRET
$KeySecret = $env:BENCH_KEY_SECRET
Import-Module $Manifest
foreach ($i in 1..$Runs) {
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    $out = @(Test-BackupCredential -KeyAccessKeyId $KeyId -KeySecretAccessKey $KeySecret -Policy $env:BENCH_POLICY -BucketName bench-probe-bucket -Prefix backup/ `
            -EndpointUrl $Endpoint -Region us-east-1 -AccessKey $AdminKey -SecretKey $AdminSecret -ErrorAction SilentlyContinue)
    $watch.Stop()
    $s = $out[-1]
    '{0}|{1:0.0}|{2:0.0}|{3}|{4}|{5}|{6}' -f $i, $s.ProbeTime.TotalMilliseconds, $watch.Elapsed.TotalMilliseconds, $s.KeyRequests, $s.AdminRequests, $s.Passed, @($s.CanariesLeft).Count
}
'@
    $file = Join-Path ([System.IO.Path]::GetTempPath()) "bench-probe-$([guid]::NewGuid().ToString('n')).ps1"
    Set-Content -Path $file -Value $script
    $env:BENCH_POLICY = $policy
    try {
        $self = [System.Diagnostics.Process]::GetCurrentProcess().MainModule.FileName
        # Secrets go to the child through its environment, never its command line.
        $env:BENCH_ADMIN_SECRET = $rgw.AdminSecretKey
        $env:BENCH_KEY_SECRET = $user.SecretKey
        $pwshArgs = @('-NoProfile', '-NonInteractive', '-File', $file, $manifest, $rgw.Endpoint, $rgw.AdminAccessKey, $user.AccessKey, $Runs)
        $lines = if ([System.IO.Path]::GetFileNameWithoutExtension($self) -in 'pwsh', 'powershell') { & $self @pwshArgs } else { & $self (Join-Path $PSHOME 'pwsh.dll') @pwshArgs }
    }
    finally {
        Remove-Item $file -ErrorAction SilentlyContinue
        Remove-Item Env:BENCH_POLICY, Env:BENCH_ADMIN_SECRET, Env:BENCH_KEY_SECRET -ErrorAction SilentlyContinue
    }

    $rows = foreach ($line in $lines) {
        if ("$line" -notmatch '^\d+\|') { Write-Host $line; continue }
        $f = "$line" -split '\|'
        [pscustomobject]@{ Run = [int]$f[0]; ProbeMs = [double]$f[1]; CommandMs = [double]$f[2]; KeyRequests = [int]$f[3]; AdminRequests = [int]$f[4]; Passed = $f[5]; Left = [int]$f[6] }
    }
    foreach ($r in $rows) {
        Write-Host ('credential-probe run {0}: probe set {1,7:0.0} ms, whole command {2,7:0.0} ms, {3} requests with the key, {4} with the admin credentials, passed={5}, canaries left={6}' -f
            $r.Run, $r.ProbeMs, $r.CommandMs, $r.KeyRequests, $r.AdminRequests, $r.Passed, $r.Left)
    }
    $later = @($rows | Where-Object Run -GT 1 | Sort-Object ProbeMs)
    if ($later.Count -gt 0) {
        $median = $later[[int][math]::Floor($later.Count / 2)]
        Write-Host ('credential-probe: median probe set {0:0.0} ms over runs 2..{1} (first run {2:0.0} ms), {3} requests with the key; target < 1000 ms after propagation (RGW bring-up {4} s)' -f
            $median.ProbeMs, $Runs, ($rows | Where-Object Run -EQ 1).ProbeMs, $median.KeyRequests, $rgw.BringUpSeconds)
    }
}
finally {
    Stop-RgwServer -Server $rgw
}
