# Test-BackupCredential against a real Ceph RGW 16 (tests/rgw/rgw.sh): each seed setup's key passes against its own
# expectation, and a key given a broader or a narrower policy than expected fails, naming the probes that disagree.
# Users and keys come from radosgw-admin (--max-buckets -1, as the README's RGW notes advise); inline user policies are
# put with a plain signed IAM request (tests/rgw/s3req.py), bucket policies, buckets, versioning and lifecycle with the
# module. RGW's known differences from AWS (the writer owns its objects, an empty s3:prefix is absent, every user lists
# its own buckets) must show as DiffersFromAws, never as a silent pass or a failure.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-BuiltModule
    $script:rgw = Start-RgwServer
    $script:saved = @{}
    foreach ($name in 'AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'AWS_PROFILE', 'AWS_ENDPOINT_URL_S3') {
        $script:saved[$name] = [Environment]::GetEnvironmentVariable($name)
        Remove-Item "Env:$name" -ErrorAction SilentlyContinue
    }
    $script:admin = @{ AccessKey = $script:rgw.AdminAccessKey; SecretKey = $script:rgw.AdminSecretKey; EndpointUrl = $script:rgw.Url; Region = 'us-east-1' }

    $script:users = @{}
    foreach ($name in 'MySiteBackupUser', 'backup', 'boto-backup', 'rclone', 'updraftplus', 'broad', 'narrow', 'plainput',
        'tool-restic', 'tool-resticnodelete', 'tool-rclonecopy', 'tool-s3cmd', 'tool-awscli') {
        $script:users[$name] = New-RgwUser -Server $script:rgw -UserName $name -MaxBuckets -1
    }

    function Set-RgwUserPolicy {
        param([string] $UserName, [string] $PolicyName, [string] $Document)
        $body = 'Action=PutUserPolicy&Version=2010-05-08&UserName=' + [uri]::EscapeDataString($UserName) + '&PolicyName=' + [uri]::EscapeDataString($PolicyName) +
            '&PolicyDocument=' + [uri]::EscapeDataString($Document)
        $r = Invoke-RgwRequest -Server $script:rgw -AccessKey $script:rgw.AdminAccessKey -SecretKey $script:rgw.AdminSecretKey -Method POST -Path '/' -Body $body -Service iam
        if ($r.status -ne 200) { throw "PutUserPolicy $PolicyName for $UserName answered $($r.status): $($r.body)" }
    }

    function Test-RgwKey {
        param([string] $User, [hashtable] $Expectation, [switch] $NoAdmin)
        $u = $script:users[$User]
        $arguments = @{ KeyAccessKeyId = $u.AccessKey; KeySecretAccessKey = $u.SecretKey; EndpointUrl = $script:rgw.Url; Region = 'us-east-1' }
        if (-not $NoAdmin) { $arguments.AccessKey = $script:rgw.AdminAccessKey; $arguments.SecretKey = $script:rgw.AdminSecretKey }
        $errors = $null
        $warnings = $null
        $out = @(Test-BackupCredential @arguments @Expectation -ErrorVariable errors -ErrorAction SilentlyContinue -WarningVariable warnings -WarningAction SilentlyContinue)
        [pscustomobject]@{
            Summary  = $out[-1]
            Probes   = @($out | Where-Object { $_ -is [BackupIam.BackupCredentialProbe] })
            Errors   = @($errors)
            Warnings = @($warnings)
        }
    }

    function Get-Probe { param($Result, [string] $Name) $Result.Probes | Where-Object Probe -EQ $Name }

    # The seed setups' buckets and policies (the README's pipelines, adapted to RGW: no groups, users from radosgw-admin).
    $env:AWS_ACCESS_KEY_ID = $script:rgw.AdminAccessKey
    $env:AWS_SECRET_ACCESS_KEY = $script:rgw.AdminSecretKey
    $env:AWS_REGION = 'us-east-1'
    try {
        $null = New-BackupBucket -BucketName your-bucket-name -Folder backup/ -EndpointUrl $script:rgw.Url -WarningAction SilentlyContinue
        $null = New-BackupBucket -BucketName my-backup-bucket -EndpointUrl $script:rgw.Url -WarningAction SilentlyContinue
        $null = New-BackupBucket -BucketName backup-bucket -EndpointUrl $script:rgw.Url -WarningAction SilentlyContinue
        $null = New-BackupBucket -BucketName rclone-backups -Folder backups/dataset-1/ -EndpointUrl $script:rgw.Url -WarningAction SilentlyContinue
        $null = New-BackupBucket -BucketName wp-backups -EndpointUrl $script:rgw.Url -WarningAction SilentlyContinue |
            Enable-BackupVersioning -EndpointUrl $script:rgw.Url |
            Set-BackupLifecycle -NoncurrentVersionExpirationDays 30 -AbortIncompleteMultipartUploadDays 7 -EndpointUrl $script:rgw.Url
        $null = New-BackupBucket -BucketName tools-bucket -EndpointUrl $script:rgw.Url -WarningAction SilentlyContinue
        $script:writeOnly = New-WriteOnlyBucketPolicy -BucketName my-backup-bucket -PrincipalArn 'arn:aws:iam:::user/backup'
        $null = $script:writeOnly | Set-BackupBucketPolicy -EndpointUrl $script:rgw.Url
    }
    finally { Remove-Item Env:AWS_ACCESS_KEY_ID, Env:AWS_SECRET_ACCESS_KEY, Env:AWS_REGION -ErrorAction SilentlyContinue }

    Set-RgwUserPolicy MySiteBackupUser UploadFilesToBackup (New-BackupPolicy -Preset UploadOnly -BucketName your-bucket-name -Prefix backup/).PolicyDocument
    Set-RgwUserPolicy boto-backup S3BackupPolicy (New-BackupPolicy -Preset ReadWriteDelete -BucketName backup-bucket).PolicyDocument
    $script:rclonePolicy = New-BackupPolicy -Preset Rclone -BucketName rclone-backups -Prefix backups/dataset-1/ -AllowMultipart -PolicyName RcloneDataset1
    Set-RgwUserPolicy rclone RcloneDataset1 $script:rclonePolicy.PolicyDocument
    Set-RgwUserPolicy updraftplus UpdraftPlusSecure (New-BackupPolicy -Preset UpdraftPlusSecure -BucketName wp-backups).PolicyDocument
    # Broader than UploadOnly: also list and delete. Narrower than ReadWriteDelete: uploads only.
    Set-RgwUserPolicy broad TooMuch '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::your-bucket-name/backup/*"},{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::your-bucket-name"}]}'
    Set-RgwUserPolicy narrow TooLittle (New-BackupPolicy -Preset UploadOnly -BucketName your-bucket-name -Prefix backup/).PolicyDocument

    # A plain PutObject-only policy without the presets' explicit Denies, as written by hand.
    $script:plainPut = '{"Version":"2012-10-17","Statement":[{"Sid":"PlainUpload","Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::your-bucket-name/backup/*"}]}'
    Set-RgwUserPolicy plainput PlainUpload $script:plainPut
    foreach ($tool in 'Restic', 'ResticNoDelete', 'RcloneCopy', 'S3cmd', 'AwsCli') {
        Set-RgwUserPolicy "tool-$($tool.ToLowerInvariant())" $tool (New-BackupPolicy -Preset $tool -BucketName tools-bucket).PolicyDocument
    }

    # An object the admin wrote before, as a backup tool's earlier upload would be.
    $null = Invoke-RgwRequest -Server $script:rgw -AccessKey $script:rgw.AdminAccessKey -SecretKey $script:rgw.AdminSecretKey -Method PUT -Path '/your-bucket-name/backup/old.bak' -Body 'old backup'
}

AfterAll {
    Stop-RgwServer -Server $script:rgw
    foreach ($name in $script:saved.Keys) { Restore-EnvironmentVariable -Name $name -Value $script:saved[$name] }
}

Describe 'Test-BackupCredential on Ceph RGW: each seed setup''s key passes against its own expectation' {
    It 'setup 1, upload-only (UploadOnly as the user''s inline policy)' {
        $r = Test-RgwKey MySiteBackupUser @{ Preset = 'UploadOnly'; BucketName = 'your-bucket-name'; Prefix = 'backup/' }
        $r.Summary.Passed | Should -BeTrue -Because $r.Summary.Summary
        $r.Errors | Should -BeNullOrEmpty
        $r.Summary.Store | Should -Be 'CephRgw'
        (Get-Probe $r PutCanary).Outcome | Should -Be 'Agrees'
        (Get-Probe $r PutCanary).DecidedBy | Should -Be 'UploadOnly/Statement[0] (UploadFilesToBackup)'
        (Get-Probe $r DeleteCanary).Actual | Should -Be 'Denied'
        (Get-Probe $r GetForeignObject).Actual | Should -Be 'Denied'
        (Get-Probe $r PutOutsidePrefix).Actual | Should -Be 'Denied'
        (Get-Probe $r CreateBucket).Actual | Should -Be 'Denied'
        # The preset's explicit Denies hold against RGW's owner rights: the key cannot read back or re-ACL its uploads.
        foreach ($probe in 'GetCanary', 'HeadCanary', 'PutObjectAclPublicRead') {
            (Get-Probe $r $probe).Actual | Should -Be 'Denied'
            (Get-Probe $r $probe).Outcome | Should -Be 'Agrees'
            (Get-Probe $r $probe).DecidedBy | Should -Not -BeNullOrEmpty
        }
        $r.Summary.CanariesLeft | Should -BeNullOrEmpty
    }

    It 'a plain PutObject-only policy: RGW''s owner rights show as DiffersFromAws, and fail with -FailOnStoreDifference' {
        $r = Test-RgwKey plainput @{ Policy = $script:plainPut }
        $r.Summary.Passed | Should -BeTrue -Because $r.Summary.Summary
        # RGW's owner rights: the key reads back and re-ACLs what it wrote. Said, not passed silently.
        foreach ($probe in 'GetCanary', 'HeadCanary', 'PutObjectAclPublicRead') {
            (Get-Probe $r $probe).Actual | Should -Be 'Allowed'
            (Get-Probe $r $probe).Outcome | Should -Be 'DiffersFromAws'
            (Get-Probe $r $probe).ExpectedOnAws | Should -Be 'Denied'
            (Get-Probe $r $probe).StoreNote | Should -Match 'writer of an object'
        }
        $r.Summary.DiffersFromAws | Should -Contain 'GetCanary'
        $r.Summary.Summary | Should -Match 'differ'

        $strict = Test-RgwKey plainput @{ Policy = $script:plainPut; FailOnStoreDifference = $true }
        $strict.Summary.Passed | Should -BeFalse
        $strict.Summary.Disagreements | Should -Contain 'GetCanary'
        $strict.Errors[0].Exception.Message | Should -Match 'GetCanary'
    }

    It 'setup 2, write-only (the bucket policy naming arn:aws:iam:::user/backup, as -Policy)' {
        $r = Test-RgwKey backup @{ Policy = $script:writeOnly }
        $r.Summary.Passed | Should -BeTrue -Because $r.Summary.Summary
        (Get-Probe $r PutCanary).DecidedBy | Should -Match 'ObjectPermissions'
        (Get-Probe $r ListBucketRoot).Actual | Should -Be 'Allowed'
        (Get-Probe $r GetBucketLocation).Actual | Should -Be 'Allowed'
        (Get-Probe $r DeleteCanary).Actual | Should -Be 'Denied'
        (Get-Probe $r PutBucketPolicy).Actual | Should -Be 'Denied'
    }

    It 'setup 3, read/write/delete' {
        $r = Test-RgwKey boto-backup @{ Preset = 'ReadWriteDelete'; BucketName = 'backup-bucket' }
        $r.Summary.Passed | Should -BeTrue -Because $r.Summary.Summary
        (Get-Probe $r DeleteCanary).Actual | Should -Be 'Allowed'
        (Get-Probe $r GetCanary).Outcome | Should -Be 'Agrees'
        (Get-Probe $r ListBucketRoot).Actual | Should -Be 'Denied'
    }

    It 'setup 4, prefix-scoped rclone with multipart' {
        $r = Test-RgwKey rclone @{ Policy = $script:rclonePolicy }
        $r.Summary.Passed | Should -BeTrue -Because $r.Summary.Summary
        $r.Summary.Prefix | Should -Be 'backups/dataset-1/'
        (Get-Probe $r ListPrefix).Actual | Should -Be 'Allowed'
        (Get-Probe $r ListSiblingPrefix).Actual | Should -Be 'Denied'
        (Get-Probe $r AbortMultipartUpload).Actual | Should -Be 'Allowed'
        (Get-Probe $r DeleteCanary).Actual | Should -Be 'Allowed'
        # AWS lists the bucket root with StringEquals s3:prefix ""; RGW sends no s3:prefix then.
        $root = Get-Probe $r ListBucketRoot
        $root.ExpectedOnAws | Should -Be 'Allowed'
        $root.Outcome | Should -BeIn 'DiffersFromAws', 'Agrees'
        if ($root.Outcome -eq 'DiffersFromAws') { $root.StoreNote | Should -Match 's3:prefix' }
    }

    It 'setup 5, UpdraftPlus secure: the failed delete is the expected result, and the admin removes the canary' {
        $r = Test-RgwKey updraftplus @{ Preset = 'UpdraftPlusSecure'; BucketName = 'wp-backups' }
        $r.Summary.Passed | Should -BeTrue -Because $r.Summary.Summary
        (Get-Probe $r DeleteCanary).Expected | Should -Be 'Denied'
        (Get-Probe $r DeleteCanary).Actual | Should -Be 'Denied'
        (Get-Probe $r DeleteCanaryVersion).Actual | Should -Be 'Denied'
        (Get-Probe $r PutBucketVersioning).Actual | Should -Be 'Denied'
        (Get-Probe $r PutBucketVersioning).Detail | Should -Match "current status 'Enabled'"
        (Get-Probe $r PutBucketLifecycle).Detail | Should -Match 'lifecycle rule'
        (Get-Probe $r ListAllMyBuckets).Actual | Should -Be 'Allowed'
        $r.Summary.CanariesLeft | Should -BeNullOrEmpty
        $r.Summary.Cleanup -join "`n" | Should -Match 'admin credentials'
        $versions = Invoke-RgwRequest -Server $script:rgw -AccessKey $script:rgw.AdminAccessKey -SecretKey $script:rgw.AdminSecretKey -Method GET -Path '/wp-backups/?versions&prefix=backupiam-probe/'
        $versions.body | Should -Not -Match '<Key>'
    }

    It 'setup 5 without admin credentials lists the canaries the key could not delete' {
        $r = Test-RgwKey updraftplus @{ Preset = 'UpdraftPlusSecure'; BucketName = 'wp-backups' } -NoAdmin
        $r.Summary.Passed | Should -BeTrue -Because $r.Summary.Summary
        $r.Summary.CanariesLeft | Should -Not -BeNullOrEmpty
        $r.Summary.CanariesLeft -join "`n" | Should -Match 'canary.txt'
        ($r.Warnings -join "`n") | Should -Match 'canary.txt'
    }
}

Describe 'Test-BackupCredential on Ceph RGW: the tool presets' {
    It '<Preset>''s key passes against its own preset' -TestCases @(
        @{ Preset = 'Restic' }, @{ Preset = 'ResticNoDelete' }, @{ Preset = 'RcloneCopy' }, @{ Preset = 'S3cmd' }, @{ Preset = 'AwsCli' }
    ) {
        param($Preset)
        $r = Test-RgwKey "tool-$($Preset.ToLowerInvariant())" @{ Preset = $Preset; BucketName = 'tools-bucket' }
        $r.Summary.Passed | Should -BeTrue -Because $r.Summary.Summary
        $r.Errors | Should -BeNullOrEmpty
        (Get-Probe $r PutCanary).Actual | Should -Be 'Allowed'
        (Get-Probe $r PutOutsidePrefix).Actual | Should -BeIn 'Denied', 'NotRun'
        (Get-Probe $r PutBucketPolicy).Actual | Should -Be 'Denied'
        (Get-Probe $r CreateBucket).Actual | Should -Be 'Denied'
        $r.Summary.CanariesLeft | Should -BeNullOrEmpty
    }

    It 'ResticNoDelete cannot delete a backup, Restic can' {
        $noDelete = Test-RgwKey tool-resticnodelete @{ Preset = 'ResticNoDelete'; BucketName = 'tools-bucket' }
        (Get-Probe $noDelete DeleteCanary).Actual | Should -Be 'Denied'
        $delete = Test-RgwKey tool-restic @{ Preset = 'Restic'; BucketName = 'tools-bucket' }
        (Get-Probe $delete DeleteCanary).Actual | Should -Be 'Allowed'
    }
}

Describe 'Test-BackupCredential on Ceph RGW: a key that can do more, or less, than expected fails' {
    It 'a broader policy than UploadOnly fails and names DeleteCanary and the listings' {
        $r = Test-RgwKey broad @{ Preset = 'UploadOnly'; BucketName = 'your-bucket-name'; Prefix = 'backup/' }
        $r.Summary.Passed | Should -BeFalse
        foreach ($probe in 'DeleteCanary', 'ListPrefix', 'ListBucketRoot', 'ListSiblingPrefix') { $r.Summary.Disagreements | Should -Contain $probe }
        $r.Summary.Disagreements | Should -Not -Contain 'PutCanary'
        $r.Errors.Count | Should -Be 1
        $r.Errors[0].FullyQualifiedErrorId | Should -BeLike 'BackupCredentialDrift*'
        $r.Errors[0].Exception.Message | Should -Match 'MORE than expected'
        foreach ($probe in $r.Summary.Disagreements) { $r.Errors[0].Exception.Message | Should -Match $probe }
    }

    It 'a narrower policy than ReadWriteDelete fails and names the reads and deletes it cannot do' {
        $r = Test-RgwKey narrow @{ Preset = 'ReadWriteDelete'; BucketName = 'your-bucket-name'; Prefix = 'backup/' }
        $r.Summary.Passed | Should -BeFalse
        foreach ($probe in 'DeleteCanary', 'GetForeignObject', 'HeadForeignObject') { $r.Summary.Disagreements | Should -Contain $probe }
        $r.Summary.Disagreements | Should -Not -Contain 'PutCanary'
        $r.Errors[0].Exception.Message | Should -Match 'LESS than expected'
        (Get-Probe $r DeleteCanary).Expected | Should -Be 'Allowed'
        (Get-Probe $r DeleteCanary).Actual | Should -Be 'Denied'
    }
}
