# Issue 15, bucket side, against a real Ceph RGW 16 (tests/rgw/rgw.sh), where bucket policies with principals are
# enforced: the managed tag, Get-BackupBucket, Remove-BackupBucketSetup leaving exactly what someone else added (with
# awscli) and taking away only the access the module's statements gave, and Remove-BackupUser taking an RGW user out of
# bucket policies (RGW has no IAM users: GetUser answers 405), after which the store refuses that user's uploads.
# What each user can do is checked with separately signed requests (tests/rgw/s3req.py), not through the module.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    Import-BuiltModule
    $script:rgw = Start-RgwServer -CountingProxy
    $script:environment = Enter-AwsTestEnvironment -EndpointUrl $script:rgw.Url -AccessKey $script:rgw.AdminAccessKey -SecretKey $script:rgw.AdminSecretKey -WorkPrefix 'bi-rgwtd-'
    $script:work = $script:environment.Work
    $script:backup = New-RgwUser -Server $script:rgw -UserName backup -MaxBuckets -1
    $script:auditor = New-RgwUser -Server $script:rgw -UserName auditor -MaxBuckets -1
    $script:leaver = New-RgwUser -Server $script:rgw -UserName leaver -MaxBuckets -1

    # awscli as the bucket owner, straight to RGW (not through the counting proxy): someone else's changes.
    function Invoke-S3Api { Invoke-AwsS3Api $script:rgw.Endpoint @args }

    function Get-Policy { param([string] $Bucket) (Invoke-S3Api get-bucket-policy --bucket $Bucket).Policy | ConvertFrom-Json }

    function Add-TheirStatement {
        param([string] $Bucket, [hashtable] $Statement)
        Add-BucketPolicyStatement -EndpointUrl $script:rgw.Endpoint -Bucket $Bucket -Statement $Statement -WorkFolder $script:work
    }

    function Invoke-As {
        param($User, [string] $Method, [string] $Path, [string] $Body = '', [string[]] $Header = @())
        Invoke-RgwRequest -Server $script:rgw -AccessKey $User.AccessKey -SecretKey $User.SecretKey -Method $Method -Path $Path -Body $Body -Header $Header
    }
}

AfterAll {
    Exit-AwsTestEnvironment $script:environment
    if ($script:rgw) { Stop-RgwServer $script:rgw }
}

Describe 'Remove-BackupBucketSetup on RGW 16' {
    BeforeAll {
        $null = New-BackupBucket -BucketName rgw-td -Folder backup/ -WarningAction SilentlyContinue | Enable-BackupVersioning | Set-BackupLifecycle -NoncurrentVersionExpirationDays 30
        $null = New-WriteOnlyBucketPolicy -BucketName rgw-td -PrincipalArn 'arn:aws:iam:::user/backup' | Set-BackupBucketPolicy -ErrorAction Stop
        # Someone else: a statement that lets 'auditor' list the bucket, a lifecycle rule and a tag, with awscli.
        Add-TheirStatement rgw-td @{ Sid = 'AuditorList'; Effect = 'Allow'; Principal = @{ AWS = 'arn:aws:iam:::user/auditor' }; Action = 's3:ListBucket'; Resource = 'arn:aws:s3:::rgw-td' }
        $rules = @((Invoke-S3Api get-bucket-lifecycle-configuration --bucket rgw-td).Rules) + [pscustomobject]@{ ID = 'their-logs'; Status = 'Enabled'; Filter = @{ Prefix = 'logs/' }; Expiration = @{ Days = 90 } }
        $file = Join-Path $script:work 'lifecycle.json'
        Set-Content -Path $file -Value (@{ Rules = $rules } | ConvertTo-Json -Depth 10)
        $null = Invoke-S3Api put-bucket-lifecycle-configuration --bucket rgw-td --lifecycle-configuration "file://$file"
        $tags = (Invoke-S3Api get-bucket-tagging --bucket rgw-td).TagSet
        $tagSet = @($tags | ForEach-Object { "{Key=$($_.Key),Value=$($_.Value)}" }) + '{Key=owner,Value=data-team}'
        $null = Invoke-S3Api put-bucket-tagging --bucket rgw-td --tagging "TagSet=[$($tagSet -join ',')]"
    }

    It 'New-BackupBucket tagged the bucket (RGW 16 supports bucket tagging) and Get-BackupBucket reads the setup' {
        $tags = @{}; foreach ($t in (Invoke-S3Api get-bucket-tagging --bucket rgw-td).TagSet) { $tags[$t.Key] = $t.Value }
        $tags['backupiam:managed'] | Should -Be 'true'
        $tags['backupiam:versioning'] | Should -Be 'enabled-by-module'
        @(Get-BackupBucket -ErrorAction Stop).BucketName | Should -Contain 'rgw-td'
        $b = Get-BackupBucket -BucketName rgw-td -ErrorAction Stop
        $b.Managed | Should -BeTrue
        $b.Versioning | Should -Be 'Enabled'
        @($b.PolicyStatements | Where-Object { -not $_.AddedByModule }).Sid | Should -Be 'AuditorList'
        $b.Principals | Should -Contain 'AWS:arn:aws:iam:::user/backup'
        @($b.LifecycleRules | Where-Object AddedByModule).Id | Should -Be 'backup-retention'
        $b.FolderPlaceholders | Should -Be 'backup/'
    }

    It 'before: the module''s statements let backup upload, and the other statement lets auditor list' {
        (Invoke-As $script:backup PUT '/rgw-td/backup/before.bin' -Body 'x' -Header 'x-amz-acl:bucket-owner-full-control').status | Should -Be 200
        (Invoke-As $script:auditor GET '/rgw-td?list-type=2').status | Should -Be 200
    }

    It 'removes exactly the module''s parts; RGW then refuses backup''s uploads, and auditor still lists' {
        Start-RgwRecording -Server $script:rgw
        $r = Remove-BackupBucketSetup -BucketName rgw-td -Confirm:$false -ErrorAction Stop
        $r.Status | Should -Be 'Removed'
        $r.Changes | Should -Be @('s3:PutBucketPolicy', 's3:PutBucketLifecycleConfiguration', 's3:PutBucketVersioning', 's3:PutBucketTagging')
        @(Get-RgwWriteCall -Server $script:rgw).Operation | Should -Be @('PUT /rgw-td/?policy', 'PUT /rgw-td/?lifecycle', 'PUT /rgw-td/?versioning', 'PUT /rgw-td/?tagging')

        $policy = Get-Policy rgw-td
        @($policy.Statement) | Should -HaveCount 1
        @($policy.Statement)[0].Sid | Should -Be 'AuditorList'
        @(@($policy.Statement)[0].Principal.AWS) | Should -Be 'arn:aws:iam:::user/auditor'
        $rules = @((Invoke-S3Api get-bucket-lifecycle-configuration --bucket rgw-td).Rules)
        $rules.ID | Should -Be 'their-logs'
        (Invoke-S3Api get-bucket-versioning --bucket rgw-td).Status | Should -Be 'Suspended'
        $tags = @((Invoke-S3Api get-bucket-tagging --bucket rgw-td).TagSet)
        $tags | Should -HaveCount 1
        $tags[0].Key | Should -Be 'owner'

        (Invoke-As $script:backup PUT '/rgw-td/backup/after.bin' -Body 'x' -Header 'x-amz-acl:bucket-owner-full-control').status | Should -Be 403
        (Invoke-As $script:auditor GET '/rgw-td?list-type=2').status | Should -Be 200
        (Invoke-RgwRequest -Server $script:rgw -AccessKey $script:rgw.AdminAccessKey -SecretKey $script:rgw.AdminSecretKey -Method GET -Path '/rgw-td/backup/before.bin').status | Should -Be 200

        Start-RgwRecording -Server $script:rgw
        (Remove-BackupBucketSetup -BucketName rgw-td -Confirm:$false -ErrorAction Stop).Status | Should -Be 'Unchanged'
        @(Get-RgwWriteCall -Server $script:rgw) | Should -HaveCount 0
    }
}

Describe 'Remove-BackupUser and bucket statements on RGW 16' {
    BeforeAll {
        $null = New-BackupBucket -BucketName rgw-leave -WarningAction SilentlyContinue -ErrorAction Stop
        $null = New-WriteOnlyBucketPolicy -BucketName rgw-leave -PrincipalArn 'arn:aws:iam:::user/leaver' | Set-BackupBucketPolicy -ErrorAction Stop
        # A statement someone else wrote for two users: leaver is taken out of it, auditor keeps it.
        Add-TheirStatement rgw-leave @{ Sid = 'SharedList'; Effect = 'Allow'; Principal = @{ AWS = @('arn:aws:iam:::user/leaver', 'arn:aws:iam:::user/auditor') }; Action = 's3:ListBucket'; Resource = 'arn:aws:s3:::rgw-leave' }
        $null = New-BackupPolicy -Preset UploadOnly -BucketName rgw-other -Prefix backup/ -PolicyName LeaverUpload | Set-BackupUserPolicy -UserName leaver -ErrorAction Stop
    }

    It 'before: leaver uploads and lists, auditor lists' {
        (Invoke-As $script:leaver PUT '/rgw-leave/in.bin' -Body 'x' -Header 'x-amz-acl:bucket-owner-full-control').status | Should -Be 200
        (Invoke-As $script:leaver GET '/rgw-leave?list-type=2').status | Should -Be 200
        (Invoke-As $script:auditor GET '/rgw-leave?list-type=2').status | Should -Be 200
    }

    It 'reports under -WhatIf and writes nothing' {
        Start-RgwRecording -Server $script:rgw
        $r = Remove-BackupUser -UserName leaver -BucketName rgw-leave -RemoveBucketStatements -WhatIf -WarningVariable w -WarningAction SilentlyContinue
        $r.Status | Should -Be 'Planned'
        @($r.BucketStatements).Sid | Should -Contain 'SharedList'
        @($r.BucketStatements).Sid | Should -Contain 'BucketPermissions'
        ($r.BucketStatements | Where-Object Sid -eq 'SharedList').OtherPrincipals | Should -Be 'AWS:arn:aws:iam:::user/auditor'
        $r.Changes | Should -Be @('s3:PutBucketPolicy', 'iam:DeleteUserPolicy')
        ($w -join "`n") | Should -Match 'radosgw-admin user rm --uid leaver'
        @(Get-RgwWriteCall -Server $script:rgw) | Should -HaveCount 0
    }

    It 'takes leaver out of the bucket policy and deletes its inline policy; RGW then refuses leaver, auditor keeps its access' {
        $r = Remove-BackupUser -UserName leaver -BucketName rgw-leave -RemoveBucketStatements -Confirm:$false -ErrorAction Stop -WarningAction SilentlyContinue
        $r.Status | Should -Be 'PartlyRemoved'   # the RGW user itself stays for radosgw-admin
        $r.Changes | Should -Be @('s3:PutBucketPolicy', 'iam:DeleteUserPolicy')
        @($r.BucketStatements | Where-Object { -not $_.Removed }) | Should -HaveCount 0
        $policy = Get-Policy rgw-leave
        @($policy.Statement) | Should -HaveCount 1
        @($policy.Statement)[0].Sid | Should -Be 'SharedList'
        @(@($policy.Statement)[0].Principal.AWS) | Should -Be 'arn:aws:iam:::user/auditor'

        (Invoke-As $script:leaver PUT '/rgw-leave/again.bin' -Body 'x' -Header 'x-amz-acl:bucket-owner-full-control').status | Should -Be 403
        (Invoke-As $script:leaver GET '/rgw-leave?list-type=2').status | Should -Be 403
        (Invoke-As $script:auditor GET '/rgw-leave?list-type=2').status | Should -Be 200

        $again = Remove-BackupUser -UserName leaver -BucketName rgw-leave -RemoveBucketStatements -Confirm:$false -ErrorAction Stop -WarningAction SilentlyContinue
        $again.Changes | Should -BeNullOrEmpty
        $again.BucketStatements | Should -BeNullOrEmpty
    }
}
