<#
.SYNOPSIS
    The five setups at a chosen network latency, beside the same setups as plain boto3 scripts. Prints numbers;
    asserts nothing about them.
.DESCRIPTION
    A real moto server (tests/TestHelpers.psm1 Start-MotoServer) behind bench/latency_proxy.py, which adds -DelayMs
    each way to every request (one round trip = 2 x DelayMs) and one round trip for every new connection (the TCP
    handshake). Everything goes through the proxy, which logs each request's start and end.

    For each setup and each of -Repeat rounds:
      first  : a fresh pwsh process imports the built module and runs the setup's pipeline (tests/Provisioning.Tests.ps1)
               on new names: the first pipeline of a session;
      later  : the same pipeline in that session on other new names;
      re-run : the later pipeline once more (everything in place: zero writes);
      boto3  : bench/boto3_setups.py, the same writes and nothing else, timed as a whole process (Python's start and
               boto3's import included), when python3 has boto3.
    Prints the medians, the ratios to boto3, and the number of SEQUENTIAL round trips (requests that did not overlap
    one another: the length of the longest chain of one-after-another requests) beside all requests and beside the
    minimum (one write per resource).
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/Measure-Latency.ps1 -ModuleManifest out/BackupIam/0.1.0/BackupIam.psd1
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/Measure-Latency.ps1 -ModuleManifest out/BackupIam/0.1.0/BackupIam.psd1 -DelayMs 0
    The same on 127.0.0.1 with no added delay (the proxy stays in between to count the requests).
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [ValidateRange(0, 1000)] [double] $DelayMs = 25,
    [ValidateRange(1, 20)] [int] $Repeat = 3,
    [int[]] $Setup = @(1, 2, 3, 4, 5),
    # Also print, for the last round, every request of each pipeline: start and end (ms from the pipeline's start),
    # what it was, and whether it opened a connection. For finding the chain of one-after-another requests.
    [switch] $ShowRequests
)
$ErrorActionPreference = 'Stop'
$manifest = (Resolve-Path $ModuleManifest).Path
Import-Module (Join-Path $PSScriptRoot '../tests/TestHelpers.psm1') -Force
$python = if ($env:BACKUPIAM_PYTHON) { $env:BACKUPIAM_PYTHON } else { 'python3' }
$tmp = Join-Path ([System.IO.Path]::GetTempPath()) ("bi-latency-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
$null = New-Item -ItemType Directory -Path $tmp
$proxyLog = Join-Path $tmp 'requests.jsonl'
$saved = @{}
foreach ($name in 'AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE') {
    $saved[$name] = [Environment]::GetEnvironmentVariable($name)
}
$moto = $null; $proxy = $null

# Each pipeline takes a suffix $S so that every run makes new names (tests/Provisioning.Tests.ps1's five setups).
$pipelines = @{
    1 = 'New-BackupBucket -BucketName "your-bucket-name-$S" -Folder backup/, backup/schemas/, backup/apps/
         $policy = New-BackupPolicy -Preset UploadOnly -BucketName "your-bucket-name-$S" -Prefix backup/ -PolicyName UploadFilesToBackup
         New-BackupGroup -GroupName "MySiteBackupUsers-$S" | Set-BackupGroupPolicy -Policy $policy
         New-BackupUser -UserName "MySiteBackupUser-$S" | Add-BackupUserToGroup -GroupName "MySiteBackupUsers-$S" |
             New-BackupAccessKey -StoreAs "mysite-backup-$S" -StoreLocation $env:BENCH_CREDS'
    2 = 'New-BackupBucket -BucketName "my-backup-bucket-$S"
         $user = New-BackupUser -UserName "backup-$S"
         $user
         $user | New-BackupAccessKey
         $user | New-WriteOnlyBucketPolicy -BucketName "my-backup-bucket-$S" | Set-BackupBucketPolicy'
    3 = 'New-BackupBucket -BucketName "backup-bucket-$S"
         New-BackupGroup -GroupName "S3Backup-$S" |
             Set-BackupGroupPolicy -Policy (New-BackupPolicy -Preset ReadWriteDelete -BucketName "backup-bucket-$S" -PolicyName S3BackupPolicy)
         New-BackupUser -UserName "boto-backup-$S" | Add-BackupUserToGroup -GroupName "S3Backup-$S" | New-BackupAccessKey'
    4 = 'New-BackupBucket -BucketName "rclone-backups-$S"
         New-BackupUser -UserName "rclone-$S" | New-BackupAccessKey
         New-BackupPolicy -Preset Rclone -BucketName "rclone-backups-$S" -Prefix backups/dataset-1/ -AllowMultipart -PolicyName RcloneDataset1 |
             Set-BackupUserPolicy -UserName "rclone-$S"'
    5 = 'New-BackupBucket -BucketName "wp-backups-$S" | Enable-BackupVersioning |
             Set-BackupLifecycle -NoncurrentVersionExpirationDays 30 -AbortIncompleteMultipartUploadDays 7
         New-BackupUser -UserName "updraftplus-$S" | New-BackupAccessKey
         New-BackupPolicy -Preset UpdraftPlusSecure -BucketName "wp-backups-$S" -PolicyName UpdraftPlusSecure | Set-BackupUserPolicy -UserName "updraftplus-$S"'
}
$names = @{ 1 = 'upload-only group'; 2 = 'write-only bucket policy'; 3 = 'read/write/delete group'; 4 = 'rclone prefix'; 5 = 'UpdraftPlus secure' }
# One write per resource: the bucket and its three protections, folders, and each IAM resource (Provisioning.Tests.ps1).
$minimum = @{ 1 = 12; 2 = 7; 3 = 9; 4 = 7; 5 = 9 }

function Get-Median([double[]] $Values) {
    $s = @($Values | Sort-Object)
    if ($s.Count -eq 0) { return [double]::NaN }
    if ($s.Count % 2) { $s[[int][math]::Floor($s.Count / 2)] } else { ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2 }
}

function Get-RequestWindow([double] $From, [double] $To) {
    # The proxy's records of requests that started and ended inside [From, To] (Unix seconds); sequential round
    # trips = the largest set of requests that did not overlap one another (greedy by end time).
    $records = @(Get-Content $proxyLog | ForEach-Object { $_ | ConvertFrom-Json } | Where-Object { $_.start -ge $From -and $_.end -le $To })
    $sequential = 0; $lastEnd = [double]::MinValue
    foreach ($r in ($records | Sort-Object end)) { if ($r.start -ge $lastEnd) { $sequential++; $lastEnd = $r.end } }
    [pscustomobject]@{ Total = $records.Count; Sequential = $sequential; NewConnections = @($records | Where-Object newConnection).Count; Records = $records; From = $From }
}

function Show-Requests([string] $Title, $Window) {
    Write-Host "  $Title"
    foreach ($r in ($Window.Records | Sort-Object start)) {
        $what = if ($r.action) { "$($r.action) $($r.name)" } else { "$($r.method) $($r.path)$(if ($r.query) { '?' + $r.query })" }
        Write-Host ('    {0,6:F0} {1,6:F0}  {2} {3}{4}' -f (($r.start - $Window.From) * 1000), (($r.end - $Window.From) * 1000), $r.status, $what, $(if ($r.newConnection) { '  [new connection]' }))
    }
}

function Invoke-Child([string] $Script) {
    $encoded = [Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($Script))
    $self = [System.Diagnostics.Process]::GetCurrentProcess().MainModule.FileName
    $out = if ([System.IO.Path]::GetFileNameWithoutExtension($self) -in 'pwsh', 'powershell') {
        & $self -NoProfile -NonInteractive -EncodedCommand $encoded
    }
    else { & $self (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -EncodedCommand $encoded }
    if ($LASTEXITCODE -ne 0) { throw "benchmark child failed: $out" }
    "$($out | Select-Object -Last 1)"
}

try {
    $moto = Start-MotoServer
    $proxyOut = Join-Path $tmp 'proxy.out'
    $proxy = Start-Process -FilePath $python -PassThru -RedirectStandardOutput $proxyOut -RedirectStandardError (Join-Path $tmp 'proxy.err') `
        -ArgumentList (Join-Path $PSScriptRoot 'latency_proxy.py'), '--target', $moto.Url, '--log', $proxyLog, '--delay-ms', "$DelayMs"
    $proxyUrl = $null
    for ($i = 0; $i -lt 100 -and -not $proxyUrl; $i++) {
        Start-Sleep -Milliseconds 100
        $hit = Get-Content $proxyOut -ErrorAction SilentlyContinue | Select-String '^PROXY_URL=(.*)$' | Select-Object -First 1
        if ($hit) { $proxyUrl = $hit.Matches[0].Groups[1].Value }
    }
    if (-not $proxyUrl) { throw "the latency proxy did not start: $(Get-Content -Raw (Join-Path $tmp 'proxy.err') -ErrorAction SilentlyContinue)" }

    $env:AWS_ENDPOINT_URL = $proxyUrl
    $env:AWS_ACCESS_KEY_ID = 'AKIABENCHLATENCY0001'
    $env:AWS_SECRET_ACCESS_KEY = 'bench-latency-secret-not-real'
    $env:AWS_REGION = 'us-east-1'; $env:AWS_DEFAULT_REGION = 'us-east-1'
    Remove-Item Env:AWS_PROFILE -ErrorAction SilentlyContinue
    $env:BENCH_CREDS = Join-Path $tmp 'credentials'

    # The policies the boto3 scripts write: the module's own documents (offline), for the placeholder suffix zzsfx.
    & $python -c 'import boto3' 2>$null
    $haveBoto = $LASTEXITCODE -eq 0
    $policies = Join-Path $tmp 'policies.json'
    if ($haveBoto) {
        $doc = Invoke-Child @"
Import-Module '$manifest'
@{
  '1' = (New-BackupPolicy -Preset UploadOnly -BucketName your-bucket-name-zzsfx -Prefix backup/ -PolicyName UploadFilesToBackup).PolicyDocument
  '2' = (New-WriteOnlyBucketPolicy -BucketName my-backup-bucket-zzsfx -UserName backup-zzsfx -AccountId 123456789012).PolicyDocument
  '3' = (New-BackupPolicy -Preset ReadWriteDelete -BucketName backup-bucket-zzsfx -PolicyName S3BackupPolicy).PolicyDocument
  '4' = (New-BackupPolicy -Preset Rclone -BucketName rclone-backups-zzsfx -Prefix backups/dataset-1/ -AllowMultipart -PolicyName RcloneDataset1).PolicyDocument
  '5' = (New-BackupPolicy -Preset UpdraftPlusSecure -BucketName wp-backups-zzsfx -PolicyName UpdraftPlusSecure).PolicyDocument
} | ConvertTo-Json -Compress
"@
        [System.IO.File]::WriteAllText($policies, $doc.Replace('zzsfx', '{S}'))
    }
    else { Write-Host 'python3 has no boto3: the boto3 column stays empty' }

    $rows = @{}
    foreach ($n in $Setup) { $rows[$n] = [System.Collections.Generic.List[object]]::new() }
    for ($round = 1; $round -le $Repeat; $round++) {
        foreach ($n in $Setup) {
            $line = Invoke-Child @"
`$ErrorActionPreference = 'Continue'
`$WarningPreference = 'SilentlyContinue'
`$sw = [System.Diagnostics.Stopwatch]::StartNew()
Import-Module '$manifest'
`$import = `$sw.Elapsed.TotalMilliseconds
function Invoke-Setup([string] `$S) { `$null = & { $($pipelines[$n]) } 2>&1 | Where-Object { `$_ -is [System.Management.Automation.ErrorRecord] } | ForEach-Object { `$script:errors += "`$_" } }
`$script:errors = @()
`$marks = foreach (`$s in 'r${round}a', 'r${round}b', 'r${round}b') {
    `$t0 = [DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds() / 1000.0; `$sw.Restart()
    Invoke-Setup `$s
    `$ms = `$sw.Elapsed.TotalMilliseconds; `$t1 = [DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds() / 1000.0
    @{ From = `$t0 - 0.002; To = `$t1 + 0.002; Ms = `$ms }
}
@{ Import = `$import; Marks = `$marks; Errors = `$script:errors } | ConvertTo-Json -Depth 4 -Compress
"@
            $result = $line | ConvertFrom-Json
            if ($result.Errors.Count -gt 0) { throw "setup $n failed, so its numbers would mean nothing: $($result.Errors -join '; ')" }
            $windows = @($result.Marks | ForEach-Object { Get-RequestWindow $_.From $_.To })
            $boto = $null; $botoWindow = $null
            if ($haveBoto) {
                $t0 = [DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds() / 1000.0
                $sw = [System.Diagnostics.Stopwatch]::StartNew()
                & $python (Join-Path $PSScriptRoot 'boto3_setups.py') $n "r${round}p" $policies
                if ($LASTEXITCODE -ne 0) { throw "the boto3 script of setup $n failed" }
                $boto = $sw.Elapsed.TotalMilliseconds
                $botoWindow = Get-RequestWindow ($t0 - 0.002) ([DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds() / 1000.0 + 0.002)
            }
            if ($ShowRequests -and $round -eq $Repeat) {
                Write-Host "setup $n, $($names[$n]) (round $round)"
                Show-Requests 'first pipeline' $windows[0]; Show-Requests 'later pipeline' $windows[1]; Show-Requests 're-run' $windows[2]
                if ($botoWindow) { Show-Requests 'boto3' $botoWindow }
            }
            $rows[$n].Add([pscustomobject]@{
                    Import = $result.Import; First = $result.Marks[0].Ms; Later = $result.Marks[1].Ms; Rerun = $result.Marks[2].Ms; Boto = $boto
                    FirstRt = $windows[0]; LaterRt = $windows[1]; RerunRt = $windows[2]; BotoRt = $botoWindow
                })
        }
    }

    $rtt = 2 * $DelayMs
    Write-Host ''
    Write-Host ("Five setups against moto through a proxy adding {0} ms each way (a round trip {1} ms, a new connection one more); medians of {2}" -f $DelayMs, $rtt, $Repeat)
    Write-Host ''
    $fmt = { param($ms, $base) if ($null -eq $base -or $base -le 0) { '{0:F2} s' -f ($ms / 1000) } else { '{0:F2} s ({1:F2}x)' -f ($ms / 1000), ($ms / $base) } }
    '| setup | boto3 script, whole process | BackupIam, first pipeline in a session | a later pipeline (new names) | a re-run (same names) | sequential round trips: first / later / re-run (all requests) | boto3 | minimum |'
    '|---|---|---|---|---|---|---|---|'
    foreach ($n in $Setup) {
        $r = $rows[$n]
        $boto = if ($haveBoto) { Get-Median ($r.Boto) } else { $null }
        $seq = { param($k) '{0:F0} ({1:F0})' -f (Get-Median ($r | ForEach-Object { $_.$k.Sequential })), (Get-Median ($r | ForEach-Object { $_.$k.Total })) }
        '| {0} | {1} | {2} | {3} | {4} | {5} / {6} / {7} | {8} | {9} |' -f $names[$n],
            $(if ($haveBoto) { '{0:F2} s' -f ($boto / 1000) } else { 'n/a' }),
            (& $fmt (Get-Median $r.First) $boto), (& $fmt (Get-Median $r.Later) $boto), (& $fmt (Get-Median $r.Rerun) $boto),
            (& $seq 'FirstRt'), (& $seq 'LaterRt'), (& $seq 'RerunRt'),
            $(if ($haveBoto) { & $seq 'BotoRt' } else { 'n/a' }), $minimum[$n]
    }
    Write-Host ''
    Write-Host ("import-module median {0:F0} ms; first pipeline minus later pipeline, median over setups: {1:F0} ms; new connections per pipeline (first / later / re-run): {2} / {3} / {4}" -f
        (Get-Median ($Setup | ForEach-Object { $rows[$_].Import })),
        (Get-Median ($Setup | ForEach-Object { (Get-Median $rows[$_].First) - (Get-Median $rows[$_].Later) })),
        (Get-Median ($Setup | ForEach-Object { $rows[$_] | ForEach-Object { $_.FirstRt.NewConnections } })),
        (Get-Median ($Setup | ForEach-Object { $rows[$_] | ForEach-Object { $_.LaterRt.NewConnections } })),
        (Get-Median ($Setup | ForEach-Object { $rows[$_] | ForEach-Object { $_.RerunRt.NewConnections } })))
}
finally {
    foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
    Remove-Item Env:BENCH_CREDS -ErrorAction SilentlyContinue
    if ($proxy -and -not $proxy.HasExited) { $proxy.Kill($true); $null = $proxy.WaitForExit(5000) }
    if ($moto) { Stop-MotoServer $moto }
    Remove-Item -Recurse -Force $tmp -ErrorAction SilentlyContinue
}
