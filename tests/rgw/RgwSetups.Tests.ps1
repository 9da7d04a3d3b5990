# The five setups of the README against a real Ceph RGW 16 (tests/rgw/rgw.sh), adapted only where RGW has no
# equivalent: users and keys come from radosgw-admin (RGW answers IAM CreateUser/CreateAccessKey with 405), and RGW has
# no groups, so group policies become inline user policies. Write calls are counted from what the server received
# (a recording proxy in front of RGW: RGW's own ops log has no IAM calls). The bucket's real state is read straight
# from the store with a separate signed client (tests/rgw/s3req.py), not through the module.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    Import-BuiltModule
    $script:rgw = Start-RgwServer -CountingProxy
    $script:saved = @{}
    foreach ($name in 'AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'AWS_PROFILE') {
        $script:saved[$name] = [Environment]::GetEnvironmentVariable($name)
    }
    # The module reaches RGW (through the proxy) by the SDKs' standard endpoint variable, as the admin (bucket owner).
    $env:AWS_ENDPOINT_URL = $script:rgw.Url
    $env:AWS_ACCESS_KEY_ID = $script:rgw.AdminAccessKey
    $env:AWS_SECRET_ACCESS_KEY = $script:rgw.AdminSecretKey
    $env:AWS_REGION = 'us-east-1'
    Remove-Item Env:AWS_PROFILE -ErrorAction SilentlyContinue

    # Users and keys from radosgw-admin; --max-buckets -1 so that a backup key cannot create buckets of its own.
    $script:users = @{}
    foreach ($name in 'MySiteBackupUser', 'backup', 'boto-backup', 'rclone', 'updraftplus') {
        $script:users[$name] = New-RgwUser -Server $script:rgw -UserName $name -MaxBuckets -1
    }

    function Invoke-Recorded {
        param([scriptblock] $Setup)
        Start-RgwRecording -Server $script:rgw
        # Warnings and errors are taken from the streams (3>&1, 2>&1): -WarningVariable misses those of a piped command.
        $all = @(& $Setup 3>&1 2>&1)
        [pscustomobject]@{
            Outputs  = @($all | Where-Object { $_ -isnot [System.Management.Automation.WarningRecord] -and $_ -isnot [System.Management.Automation.ErrorRecord] })
            Writes   = @(Get-RgwWriteCall -Server $script:rgw)
            Warnings = @($all | Where-Object { $_ -is [System.Management.Automation.WarningRecord] } | ForEach-Object Message)
            Errors   = @($all | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        }
    }

    function Get-WriteSummary {
        param($Writes)
        @($Writes | ForEach-Object { "$($_.Service) $($_.Operation) $($_.Name)".Trim() } | Sort-Object)
    }

    # The pipelines, as in the README, with the RGW adaptations marked.
    $script:setups = @{
        1 = {
            [CmdletBinding()] param()
            New-BackupBucket -BucketName your-bucket-name -Folder backup/, backup/schemas/, backup/apps/
            $policy = New-BackupPolicy -Preset UploadOnly -BucketName your-bucket-name -Prefix backup/ -PolicyName UploadFilesToBackup
            # RGW: no groups; the group's policy becomes the user's inline policy.
            $policy | Set-BackupUserPolicy -UserName MySiteBackupUser
        }
        2 = {
            [CmdletBinding()] param()
            New-BackupBucket -BucketName my-backup-bucket
            # RGW: the user comes from radosgw-admin; arn:aws:iam:::user/NAME names a user of the default tenant.
            New-WriteOnlyBucketPolicy -BucketName my-backup-bucket -PrincipalArn 'arn:aws:iam:::user/backup' | Set-BackupBucketPolicy
        }
        3 = {
            [CmdletBinding()] param()
            New-BackupBucket -BucketName backup-bucket
            New-BackupPolicy -Preset ReadWriteDelete -BucketName backup-bucket -PolicyName S3BackupPolicy | Set-BackupUserPolicy -UserName boto-backup
        }
        4 = {
            [CmdletBinding()] param()
            New-BackupBucket -BucketName rclone-backups
            New-BackupPolicy -Preset Rclone -BucketName rclone-backups -Prefix backups/dataset-1/ -AllowMultipart -PolicyName RcloneDataset1 |
                Set-BackupUserPolicy -UserName rclone
        }
        5 = {
            [CmdletBinding()] param()
            New-BackupBucket -BucketName wp-backups | Enable-BackupVersioning | Set-BackupLifecycle -NoncurrentVersionExpirationDays 30 -AbortIncompleteMultipartUploadDays 7
            New-BackupPolicy -Preset UpdraftPlusSecure -BucketName wp-backups -PolicyName UpdraftPlusSecure | Set-BackupUserPolicy -UserName updraftplus
        }
    }

    # On RGW New-BackupBucket writes the bucket and Block Public Access only: ownership controls and default encryption
    # are not supported there (warned, not written).
    # Issue 15: and the managed tag (RGW 16 supports bucket tagging); setup 5 also the tag recording that the module enabled versioning,
    # which since issue 16 round 5 goes out with the managed tag (New-BackupBucket creates the bucket, and nothing can
    # decline Enable-BackupVersioning's write): one PUT ?tagging, not two.
    $bucketWrites = { param([string] $Bucket) "s3 PUT /$Bucket/ /$Bucket/", "s3 PUT /$Bucket/?publicAccessBlock /$Bucket/", "s3 PUT /$Bucket/?tagging /$Bucket/" }
    $script:expectedWrites = @{
        1 = @(& $bucketWrites 'your-bucket-name') + @('s3 PUT /your-bucket-name/backup/ /your-bucket-name/backup/',
            's3 PUT /your-bucket-name/backup/schemas/ /your-bucket-name/backup/schemas/', 's3 PUT /your-bucket-name/backup/apps/ /your-bucket-name/backup/apps/',
            'iam PutUserPolicy UploadFilesToBackup')
        2 = @(& $bucketWrites 'my-backup-bucket') + @('s3 PUT /my-backup-bucket/?policy /my-backup-bucket/')
        3 = @(& $bucketWrites 'backup-bucket') + @('iam PutUserPolicy S3BackupPolicy')
        4 = @(& $bucketWrites 'rclone-backups') + @('iam PutUserPolicy RcloneDataset1')
        5 = @(& $bucketWrites 'wp-backups') + @('s3 PUT /wp-backups/?versioning /wp-backups/', 's3 PUT /wp-backups/?lifecycle /wp-backups/', 'iam PutUserPolicy UpdraftPlusSecure')
    }
    # Where each setup's backup user uploads, and with which ACL header (RGW gives an object to its writer; the owner
    # can read it only when it was uploaded with bucket-owner-full-control).
    $script:upload = @{
        1 = @{ User = 'MySiteBackupUser'; Bucket = 'your-bucket-name'; Key = 'backup/probe.txt' }
        2 = @{ User = 'backup'; Bucket = 'my-backup-bucket'; Key = 'backup/probe.txt' }
        3 = @{ User = 'boto-backup'; Bucket = 'backup-bucket'; Key = 'probe.txt' }
        4 = @{ User = 'rclone'; Bucket = 'rclone-backups'; Key = 'backups/dataset-1/probe.txt' }
        5 = @{ User = 'updraftplus'; Bucket = 'wp-backups'; Key = 'probe.txt' }
    }

    function Invoke-AsAdmin {
        param([string] $Method, [string] $Path, [string] $Body = '', [string[]] $Header = @())
        Invoke-RgwRequest -Server $script:rgw -AccessKey $script:rgw.AdminAccessKey -SecretKey $script:rgw.AdminSecretKey -Method $Method -Path $Path -Body $Body -Header $Header
    }

    function Invoke-AsUser {
        param([string] $User, [string] $Method, [string] $Path, [string] $Body = '', [string[]] $Header = @())
        $u = $script:users[$User]
        Invoke-RgwRequest -Server $script:rgw -AccessKey $u.AccessKey -SecretKey $u.SecretKey -Method $Method -Path $Path -Body $Body -Header $Header
    }

    function Get-PublicAccessBlock {
        param([string] $Bucket)
        $answer = Invoke-AsAdmin GET "/$Bucket`?publicAccessBlock"
        $answer.status | Should -Be 200
        $xml = [xml]$answer.body
        $root = $xml.DocumentElement
        [pscustomobject]@{
            Root                  = $root.LocalName
            BlockPublicAcls       = $root.BlockPublicAcls -eq 'true'
            IgnorePublicAcls      = $root.IgnorePublicAcls -eq 'true'
            BlockPublicPolicy     = $root.BlockPublicPolicy -eq 'true'
            RestrictPublicBuckets = $root.RestrictPublicBuckets -eq 'true'
        }
    }
}

AfterAll {
    Stop-RgwServer $script:rgw
    foreach ($name in $script:saved.Keys) { Restore-EnvironmentVariable -Name $name -Value $script:saved[$name] }
}

Describe 'Setup <_> on Ceph RGW' -ForEach 1, 2, 3, 4, 5 {
    BeforeAll { $script:n = $_ }

    It 'completes on the first run with one write per resource, and warns about the protections RGW lacks' {
        $run = Invoke-Recorded -Setup $script:setups[$script:n]
        # Set-BackupUserPolicy needs RGW's 404 answer to GetUserPolicy read as NoSuchEntity (aws-layer, issue 13).
        $run.Errors | ForEach-Object { "$_" } | Should -BeNullOrEmpty
        Get-WriteSummary $run.Writes | Should -Be @($script:expectedWrites[$script:n] | Sort-Object)
        # Every write the server received was accepted.
        $run.Writes | ForEach-Object { $_.Status | Should -BeLessThan 300 -Because "$($_.Operation) answered $($_.Status)" }
        $results = @($run.Outputs | Where-Object { $_.PSObject.Properties['Status'] })
        $results.Count | Should -BeGreaterThan 0
        $results | ForEach-Object { $_.Status | Should -BeIn 'Created', 'Updated' }
        $bucket = $run.Outputs | Where-Object { $_.PSObject.TypeNames[0] -eq 'BackupIam.BackupBucket' }
        $bucket.BucketOwnerEnforced | Should -BeFalse
        $bucket.DefaultEncryption | Should -BeFalse
        $text = $run.Warnings -join "`n"
        $text | Should -Match 'object ownership controls \(BucketOwnerEnforced\).*GetBucketOwnershipControls answered HTTP 501 NotImplemented.*ListBucketResult'
        $text | Should -Match 'default encryption \(SSE-S3\).*GetBucketEncryption answered HTTP 501 NotImplemented'
        $text | Should -Match 'Block Public Access.*BlockPublicAccessBlockConfiguration.*IgnorePublicAcls and RestrictPublicBuckets'
    }

    It 'leaves a bucket with IgnorePublicAcls and RestrictPublicBuckets on and BlockPublicAcls off (read from the store)' {
        $pab = Get-PublicAccessBlock $script:upload[$script:n].Bucket
        $pab.Root | Should -Be 'BlockPublicAccessBlockConfiguration'
        $pab.BlockPublicAcls | Should -BeFalse
        $pab.IgnorePublicAcls | Should -BeTrue
        $pab.RestrictPublicBuckets | Should -BeTrue
        $pab.BlockPublicPolicy | Should -BeFalse
    }

    It 'keeps the managed tag written with the folders after a single run (RGW keeps tags and Block Public Access together)' {
        # Issue 16: the tag goes out with the protections' reads (round 4), never concurrently with PutPublicAccessBlock,
        # whose concurrent rewrite of the bucket's attributes once lost it (the protections' writes wait for the tag's).
        # Read right after the first run, not on a re-run.
        $answer = Invoke-AsAdmin GET "/$($script:upload[$script:n].Bucket)?tagging"
        $answer.status | Should -Be 200 -Because $answer.body
        $tags = @{}
        foreach ($tag in ([xml]$answer.body).GetElementsByTagName('Tag')) { $tags[$tag.Key] = $tag.Value }
        $tags['backupiam:managed'] | Should -Be 'true'
        if ($script:n -eq 5) {
            $tags['backupiam:versioning'] | Should -Be 'enabled-by-module'
            # Round 5: the record came with the managed tag; versioning was turned on after it, and both are there.
            $versioning = Invoke-AsAdmin GET "/$($script:upload[$script:n].Bucket)?versioning"
            $versioning.status | Should -Be 200 -Because $versioning.body
            ([xml]$versioning.body).VersioningConfiguration.Status | Should -Be 'Enabled'
        }
    }

    It 'lets the bucket owner and the backup user upload, and the owner read the backup' {
        $u = $script:upload[$script:n]
        (Invoke-AsAdmin PUT "/$($u.Bucket)/owner-probe.txt" 'from the owner').status | Should -Be 200
        $put = Invoke-AsUser $u.User PUT "/$($u.Bucket)/$($u.Key)" 'from the backup user' -Header 'x-amz-acl:bucket-owner-full-control'
        $put.status | Should -Be 200 -Because $put.body
        $get = Invoke-AsAdmin GET "/$($u.Bucket)/$($u.Key)"
        $get.status | Should -Be 200
        $get.body | Should -Be 'from the backup user'
    }

    It 'makes zero write calls on a second run and reports everything Unchanged' {
        $run = Invoke-Recorded -Setup $script:setups[$script:n]
        $run.Errors | ForEach-Object { "$_" } | Should -BeNullOrEmpty
        $run.Writes.Count | Should -Be 0 -Because ((Get-WriteSummary $run.Writes) -join '; ')
        $results = @($run.Outputs | Where-Object { $_.PSObject.Properties['Status'] })
        $results.Count | Should -BeGreaterThan 0
        $results | ForEach-Object {
            $_.Status | Should -Be 'Unchanged'
            $_.Changes.Count | Should -Be 0
        }
    }
}

Describe 'New-BackupBucket on Ceph RGW' {
    It 'repairs a bucket an earlier version left with BlockPublicAcls=true, which rejected every upload' {
        (Invoke-AsAdmin PUT '/left-blocked').status | Should -Be 200
        $all = '<PublicAccessBlockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>'
        (Invoke-AsAdmin PUT '/left-blocked?publicAccessBlock' $all).status | Should -Be 200
        # What the earlier version left: even the owner cannot upload.
        (Invoke-AsAdmin PUT '/left-blocked/before.txt' 'x').status | Should -Be 403

        Start-RgwRecording -Server $script:rgw
        $bucket = New-BackupBucket -BucketName left-blocked -Folder backup/ -WarningAction SilentlyContinue
        $bucket.Status | Should -Be 'Updated'
        $bucket.Changes | Should -Be @('s3:PutPublicAccessBlock', 's3:PutBucketTagging', 's3:PutObject')   # issue 15: + the managed tag
        # Block Public Access first: uploads work again before the folder placeholder is written. The managed tag goes out
        # together with the folders (issue 16, round 3: a PutObject does not rewrite the bucket's attributes), so those
        # two in either order.
        $writes = @(Get-RgwWriteCall -Server $script:rgw | ForEach-Object { "$($_.Operation) $($_.Status)" })
        $writes.Count | Should -Be 3
        $writes[0] | Should -Be 'PUT /left-blocked/?publicAccessBlock 200'
        $writes[1..2] | Should -Contain 'PUT /left-blocked/?tagging 200'
        $writes[1..2] | Should -Contain 'PUT /left-blocked/backup/ 200'

        $pab = Get-PublicAccessBlock left-blocked
        $pab.BlockPublicAcls | Should -BeFalse
        $pab.IgnorePublicAcls | Should -BeTrue
        $pab.RestrictPublicBuckets | Should -BeTrue
        # BlockPublicPolicy is left as the owner set it.
        $pab.BlockPublicPolicy | Should -BeTrue
        (Invoke-AsAdmin PUT '/left-blocked/after.txt' 'x').status | Should -Be 200

        Start-RgwRecording -Server $script:rgw
        (New-BackupBucket -BucketName left-blocked -Folder backup/ -WarningAction SilentlyContinue).Status | Should -Be 'Unchanged'
        (Get-RgwWriteCall -Server $script:rgw).Count | Should -Be 0
    }

    It 'repairs such a bucket under -SkipPublicAccessBlock too, turning off BlockPublicAcls only' {
        (Invoke-AsAdmin PUT '/left-blocked-skip').status | Should -Be 200
        $blocked = '<PublicAccessBlockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>false</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>false</RestrictPublicBuckets></PublicAccessBlockConfiguration>'
        (Invoke-AsAdmin PUT '/left-blocked-skip?publicAccessBlock' $blocked).status | Should -Be 200
        (Invoke-AsAdmin PUT '/left-blocked-skip/before.txt' 'x').status | Should -Be 403

        Start-RgwRecording -Server $script:rgw
        $all = @(New-BackupBucket -BucketName left-blocked-skip -SkipPublicAccessBlock -SkipOwnershipControls -SkipEncryption 3>&1)
        $bucket = $all | Where-Object { $_ -isnot [System.Management.Automation.WarningRecord] }
        $bucket.Status | Should -Be 'Updated'
        $bucket.Changes | Should -Be @('s3:PutPublicAccessBlock', 's3:PutBucketTagging')   # issue 15: + the managed tag
        ($all | Where-Object { $_ -is [System.Management.Automation.WarningRecord] }).Message | Should -Match 'BlockPublicAcls is turned off although Block Public Access was skipped'
        @(Get-RgwWriteCall -Server $script:rgw).Count | Should -Be 2

        $pab = Get-PublicAccessBlock left-blocked-skip
        $pab.BlockPublicAcls | Should -BeFalse
        # Everything else as it was.
        $pab.IgnorePublicAcls | Should -BeFalse
        $pab.BlockPublicPolicy | Should -BeTrue
        $pab.RestrictPublicBuckets | Should -BeFalse
        (Invoke-AsAdmin PUT '/left-blocked-skip/after.txt' 'x').status | Should -Be 200

        Start-RgwRecording -Server $script:rgw
        (New-BackupBucket -BucketName left-blocked-skip -SkipPublicAccessBlock -SkipOwnershipControls -SkipEncryption).Status | Should -Be 'Unchanged'
        (Get-RgwWriteCall -Server $script:rgw).Count | Should -Be 0
    }

    It 'makes an anonymous GET of an object made public-read answer 403 (IgnorePublicAcls holds)' {
        $put = Invoke-AsAdmin PUT '/your-bucket-name/backup/public.txt' 'secret' -Header 'x-amz-acl:public-read'
        $put.status | Should -Be 200
        $anonymous = Invoke-WebRequest -Uri "$($script:rgw.Endpoint)/your-bucket-name/backup/public.txt" -SkipHttpErrorCheck -UseBasicParsing
        $anonymous.StatusCode | Should -Be 403
    }

    It 'under -WhatIf names what it would do on a store it has not seen yet, and writes nothing' {
        Start-RgwRecording -Server $script:rgw
        $bucket = New-BackupBucket -BucketName whatif-bucket -WhatIf
        $bucket.Status | Should -Be 'Planned'
        $bucket.Changes | Should -Contain 's3:PutPublicAccessBlock'
        (Get-RgwWriteCall -Server $script:rgw).Count | Should -Be 0
        (Invoke-AsAdmin HEAD '/whatif-bucket').status | Should -Be 404
    }

    It 'with -Skip switches writes only the bucket and warns about nothing it skipped' {
        Start-RgwRecording -Server $script:rgw
        $warnings = $null
        $bucket = New-BackupBucket -BucketName skip-all -SkipPublicAccessBlock -SkipOwnershipControls -SkipEncryption -WarningVariable warnings -WarningAction SilentlyContinue
        $bucket.Status | Should -Be 'Created'
        Get-WriteSummary (Get-RgwWriteCall -Server $script:rgw) | Should -Be @('s3 PUT /skip-all/ /skip-all/', 's3 PUT /skip-all/?tagging /skip-all/')   # issue 15: + the managed tag
        $warnings.Count | Should -Be 0
    }

    It 'refuses the IAM steps RGW does not offer with an error that says what to do there, and writes nothing' {
        # Why the setups take users and keys from radosgw-admin: RGW answers IAM CreateUser/CreateAccessKey with 405.
        Start-RgwRecording -Server $script:rgw
        $failure = $null
        try { New-BackupUser -UserName not-on-rgw -ErrorAction Stop | Out-Null } catch { $failure = $_ }
        $failure | Should -Not -BeNullOrEmpty
        $failure.FullyQualifiedErrorId | Should -BeLike 'IamOperationNotSupported*'
        "$failure" | Should -Match 'radosgw-admin user create'
        @(Get-RgwWriteCall -Server $script:rgw | Where-Object Status -LT 300).Count | Should -Be 0
        { Invoke-RgwAdmin -Server $script:rgw -Arguments 'user', 'info', '--uid', 'not-on-rgw' } | Should -Throw '*failed*'
        Invoke-RgwAdmin -Server $script:rgw -Arguments 'user', 'info', '--uid', 'backup' | Should -Match '"user_id": "backup"'
    }
}
