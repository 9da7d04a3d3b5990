<#
.SYNOPSIS
    Wall time of each of the five setups' pipelines against a real Ceph RGW (tests/rgw/rgw.sh), first in a session
    and later in the same session. Prints numbers; asserts nothing about them.
.DESCRIPTION
    One RGW cluster for the whole run. For each setup, a fresh pwsh process imports the built module and times, inside
    itself, three runs of the setup's pipeline (adapted to RGW as in tests/rgw/RgwSetups.Tests.ps1):
      first   : the first pipeline of the session, on new resources (includes loading AWSSDK and the first connection);
      later   : the same pipeline again in that session, on other new resources (warm);
      re-run  : the later run's pipeline once more (nothing to change: zero writes).
    Each line also says how many errors the runs gave, so a number from a failing pipeline is never taken for a
    working one.
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/Measure-RgwSetups.ps1 -ModuleManifest out/BackupIam/0.1.0/BackupIam.psd1
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [int[]] $Setup = @(1, 2, 3, 4, 5)
)
$ErrorActionPreference = 'Stop'
$manifest = (Resolve-Path $ModuleManifest).Path
Import-Module (Join-Path $PSScriptRoot '../tests/TestHelpers.psm1') -Force
$rgw = Start-RgwServer
try {
    # Setup 2's principal and every setup's policy owner are RGW users (radosgw-admin: RGW has no IAM CreateUser).
    $users = 'MySiteBackupUser', 'backup', 'boto-backup', 'rclone', 'updraftplus'
    foreach ($suffix in 'a', 'b') {
        foreach ($name in $users) { $null = New-RgwUser -Server $rgw -UserName "$name-$suffix" -MaxBuckets -1 }
    }

    # Each pipeline takes a suffix S so that "first" and "later" make different resources.
    $pipelines = @{
        1 = 'New-BackupBucket -BucketName "your-bucket-name-$S" -Folder backup/, backup/schemas/, backup/apps/
             New-BackupPolicy -Preset UploadOnly -BucketName "your-bucket-name-$S" -Prefix backup/ -PolicyName UploadFilesToBackup | Set-BackupUserPolicy -UserName "MySiteBackupUser-$S"'
        2 = 'New-BackupBucket -BucketName "my-backup-bucket-$S"
             New-WriteOnlyBucketPolicy -BucketName "my-backup-bucket-$S" -PrincipalArn "arn:aws:iam:::user/backup-$S" | Set-BackupBucketPolicy'
        3 = 'New-BackupBucket -BucketName "backup-bucket-$S"
             New-BackupPolicy -Preset ReadWriteDelete -BucketName "backup-bucket-$S" -PolicyName S3BackupPolicy | Set-BackupUserPolicy -UserName "boto-backup-$S"'
        4 = 'New-BackupBucket -BucketName "rclone-backups-$S"
             New-BackupPolicy -Preset Rclone -BucketName "rclone-backups-$S" -Prefix backups/dataset-1/ -AllowMultipart -PolicyName RcloneDataset1 | Set-BackupUserPolicy -UserName "rclone-$S"'
        5 = 'New-BackupBucket -BucketName "wp-backups-$S" | Enable-BackupVersioning | Set-BackupLifecycle -NoncurrentVersionExpirationDays 30 -AbortIncompleteMultipartUploadDays 7
             New-BackupPolicy -Preset UpdraftPlusSecure -BucketName "wp-backups-$S" -PolicyName UpdraftPlusSecure | Set-BackupUserPolicy -UserName "updraftplus-$S"'
    }

    $self = [System.Diagnostics.Process]::GetCurrentProcess().MainModule.FileName
    Write-Host ("RGW bring-up: {0:F1} s" -f $rgw.BringUpSeconds)
    foreach ($n in $Setup) {
        $probe = @"
`$ErrorActionPreference = 'Continue'
`$WarningPreference = 'SilentlyContinue'
`$env:AWS_ENDPOINT_URL = '$($rgw.Endpoint)'
`$env:AWS_ACCESS_KEY_ID = '$($rgw.AdminAccessKey)'
`$env:AWS_SECRET_ACCESS_KEY = `$env:BENCH_RGW_SECRET
`$env:AWS_REGION = 'us-east-1'
Import-Module '$manifest'
function Invoke-Setup([string] `$S) { `$null = & { $($pipelines[$n]) } 2>&1 | Where-Object { `$_ -is [System.Management.Automation.ErrorRecord] } | ForEach-Object { `$script:errors++ } }
`$script:errors = 0
`$times = foreach (`$s in 'a', 'b', 'b') { `$sw = [System.Diagnostics.Stopwatch]::StartNew(); Invoke-Setup `$s; `$sw.Elapsed.TotalMilliseconds }
'{0:F0} {1:F0} {2:F0} {3}' -f `$times[0], `$times[1], `$times[2], `$script:errors
"@
        $encoded = [Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($probe))
        $env:BENCH_RGW_SECRET = $rgw.AdminSecretKey
        try {
            $line = if ([System.IO.Path]::GetFileNameWithoutExtension($self) -in 'pwsh', 'powershell') {
                & $self -NoProfile -NonInteractive -EncodedCommand $encoded
            }
            else { & $self (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -EncodedCommand $encoded }
        }
        finally { Remove-Item Env:BENCH_RGW_SECRET -ErrorAction SilentlyContinue }
        $first, $later, $rerun, $errors = "$($line | Select-Object -Last 1)" -split ' '
        "rgw-setup-$n`: first in session $first ms, later in session $later ms, re-run (no writes) $rerun ms" +
            $(if ([int]$errors -gt 0) { " [$errors errors: the pipeline did not complete]" } else { '' })
    }
}
finally {
    Stop-RgwServer $rgw
}
