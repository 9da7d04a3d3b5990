# Issue 15, bucket side, against a real moto server and the BUILT module: the managed tag (New-BackupBucket,
# Enable-BackupVersioning, Set-BackupLifecycle), Get-BackupBucket, Remove-BackupBucketSetup (only what the module
# added goes; statements, rules and tags that someone else added with awscli stay, equal in meaning), and
# Remove-BackupUser's bucket-policy statements. The bucket's real state is read back with awscli, a client independent
# of the module; write calls are counted from moto's own request recording.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-BuiltModule
    $script:moto = Start-MotoServer
    $script:environment = Enter-AwsTestEnvironment -EndpointUrl $script:moto.Url -AccessKey 'AKIABUCKETTEARDOWN01' -SecretKey 'bucket-teardown-secret-not-real' -WorkPrefix 'bi-buckettd-'
    $script:work = $script:environment.Work

    # awscli straight against moto: someone else's changes, and the real state read back.
    function Invoke-S3Api { Invoke-AwsS3Api $script:moto.Url @args }

    function Get-Policy { param([string] $Bucket) (Invoke-S3Api get-bucket-policy --bucket $Bucket).Policy | ConvertFrom-Json }

    function Get-Tags {
        param([string] $Bucket)
        $h = @{}
        $out = & aws --endpoint-url $script:moto.Url --output json s3api get-bucket-tagging --bucket $Bucket 2>&1
        if ($LASTEXITCODE -eq 0) { foreach ($t in (($out | Out-String) | ConvertFrom-Json).TagSet) { $h[$t.Key] = $t.Value } }
        elseif (($out | Out-String) -notmatch 'NoSuchTagSet') { throw "get-bucket-tagging failed: $out" }
        $h
    }

    function Add-TheirStatement {
        # Someone else's statement, appended with awscli to what the bucket policy holds now.
        param([string] $Bucket, [hashtable] $Statement)
        Add-BucketPolicyStatement -EndpointUrl $script:moto.Url -Bucket $Bucket -Statement $Statement -WorkFolder $script:work
    }

    function ConvertTo-Canonical {
        # A statement's meaning as a stable string: keys sorted, single strings and one-item arrays alike.
        param($Node)
        if ($Node -is [System.Management.Automation.PSCustomObject]) {
            '{' + (($Node.PSObject.Properties | Sort-Object Name | ForEach-Object { $_.Name + ':' + (ConvertTo-Canonical $_.Value) }) -join ',') + '}'
        }
        elseif ($Node -is [array]) { if ($Node.Count -eq 1) { ConvertTo-Canonical $Node[0] } else { '[' + (($Node | ForEach-Object { ConvertTo-Canonical $_ } | Sort-Object) -join ',') + ']' } }
        else { [string]$Node }
    }

    $script:account = '123456789012'
    $script:principal = "arn:aws:iam::$($script:account):user/td-writer"
}

AfterAll {
    Exit-AwsTestEnvironment $script:environment
    Stop-MotoServer $script:moto
}

Describe 'The managed tag and Get-BackupBucket (moto)' {
    It 'New-BackupBucket tags a new bucket, and an existing one keeping its other tags; Get-BackupBucket lists only tagged buckets' {
        $new = New-BackupBucket -BucketName td-tag-new -Folder backup/ -ErrorAction Stop
        $new.Changes | Should -Contain 's3:PutBucketTagging'
        (Get-Tags td-tag-new)['backupiam:managed'] | Should -Be 'true'

        $null = Invoke-S3Api create-bucket --bucket td-tag-existing
        $null = Invoke-S3Api create-bucket --bucket td-tag-plain
        $null = Invoke-S3Api put-bucket-tagging --bucket td-tag-existing --tagging 'TagSet=[{Key=team,Value=ops},{Key=cost,Value=42}]'
        $transcript = Join-Path $script:work 'tag-whatif.txt'
        Start-Transcript -Path $transcript -UseMinimalHeader | Out-Null
        try { $null = New-BackupBucket -BucketName td-tag-existing -WhatIf }
        finally { Stop-Transcript | Out-Null }
        Get-Content -Raw $transcript | Should -Match "Tag bucket 'td-tag-existing' backupiam:managed=true \(merged: its 2 other tag\(s\) stay\)"
        $null = New-BackupBucket -BucketName td-tag-existing -ErrorAction Stop
        $tags = Get-Tags td-tag-existing
        $tags.Count | Should -Be 3
        $tags['team'] | Should -Be 'ops'
        $tags['cost'] | Should -Be '42'
        $tags['backupiam:managed'] | Should -Be 'true'

        Start-MotoRecording -Url $script:moto.Url
        (New-BackupBucket -BucketName td-tag-existing -ErrorAction Stop).Status | Should -Be 'Unchanged'
        @(Get-MotoWriteCall -Url $script:moto.Url) | Should -HaveCount 0

        $listed = @(Get-BackupBucket -ErrorAction Stop).BucketName
        $listed | Should -Contain 'td-tag-new'
        $listed | Should -Contain 'td-tag-existing'
        $listed | Should -Not -Contain 'td-tag-plain'
        @(Get-MotoWriteCall -Url $script:moto.Url) | Should -HaveCount 0   # read-only
    }

    It 'reads a bucket''s setup into one object, marking what the module added' {
        $null = New-BackupBucket -BucketName td-read -Folder backup/, backup/db/ | Enable-BackupVersioning | Set-BackupLifecycle -NoncurrentVersionExpirationDays 30
        $null = New-WriteOnlyBucketPolicy -BucketName td-read -PrincipalArn $script:principal | Set-BackupBucketPolicy -ErrorAction Stop
        Add-TheirStatement td-read @{ Sid = 'AuditList'; Effect = 'Allow'; Principal = @{ AWS = "arn:aws:iam::$($script:account):user/auditor" }; Action = 's3:ListBucket'; Resource = 'arn:aws:s3:::td-read' }

        $b = Get-BackupBucket -BucketName td-read -ErrorAction Stop
        $b.PSObject.TypeNames[0] | Should -Be 'BackupIam.BackupBucketSetup'
        $b.Region | Should -Be 'us-east-1'
        $b.Managed | Should -BeTrue
        $b.Versioning | Should -Be 'Enabled'
        $b.VersioningEnabledByModule | Should -BeTrue
        $b.ObjectLock | Should -Be 'Off'
        $b.LifecycleRules.Id | Should -Be 'backup-retention'
        $b.LifecycleRules[0].AddedByModule | Should -BeTrue
        @($b.PolicyStatements | Where-Object AddedByModule).Sid | Should -Contain 'BucketPermissions'
        @($b.PolicyStatements | Where-Object { -not $_.AddedByModule }).Sid | Should -Be 'AuditList'
        $b.Principals | Should -Contain "AWS:$($script:principal)"
        $b.Principals | Should -Contain "AWS:arn:aws:iam::$($script:account):user/auditor"
        $b.FolderPlaceholders | Should -Be @('backup/', 'backup/db/')
        $b.Unreadable | Should -BeNullOrEmpty

        $table = ($b | Out-String -Width 120) -split "`n"
        ($table | Where-Object { $_.TrimEnd().Length -gt 120 }) | Should -BeNullOrEmpty
        ($table -join "`n") | Should -Match 'td-read\s+us-east-1\s+True\s+Enabled\s+Off\s+1 \(1 ours\)\s+\d+ \(\d+ ours\)'
        $list = $b | Format-List | Out-String -Width 120
        $list | Should -Match 'AuditList Allow AWS:arn:aws:iam::123456789012:user/auditor'
        $list | Should -Match 'BucketPermissions \[module\]'
    }

    It 'reports a missing bucket as an error and refuses a bad name before any call' {
        $err = $null
        $out = Get-BackupBucket -BucketName td-does-not-exist, td-read -ErrorVariable err -ErrorAction SilentlyContinue
        @($out).BucketName | Should -Be 'td-read'
        $err[0].FullyQualifiedErrorId | Should -BeLike 'S3NoSuchBucket,*'
        Start-MotoRecording -Url $script:moto.Url
        { Get-BackupBucket -BucketName 'Bad_Bucket' -ErrorAction Stop } | Should -Throw -ErrorId 'BucketNameInvalid*'
        { Remove-BackupBucketSetup -BucketName 'Bad_Bucket' -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'BucketNameInvalid*'
        @(Get-MotoCall -Url $script:moto.Url) | Should -HaveCount 0
    }
}

Describe 'Remove-BackupBucketSetup (moto)' {
    BeforeAll {
        $null = New-BackupBucket -BucketName td-mixed -Folder backup/ | Enable-BackupVersioning | Set-BackupLifecycle -NoncurrentVersionExpirationDays 30 -AbortIncompleteMultipartUploadDays 7
        $null = Invoke-S3Api put-object --bucket td-mixed --key backup/data.bin --body $PSCommandPath
        $null = Set-BackupLifecycle -BucketName td-mixed -RuleId module-tmp -Prefix tmp/ -ExpirationDays 3 -Confirm:$false -ErrorAction Stop
        $null = New-WriteOnlyBucketPolicy -BucketName td-mixed -PrincipalArn $script:principal | Set-BackupBucketPolicy -ErrorAction Stop
        # Someone else's statement, rule and tags.
        $script:theirStatement = @{ Sid = 'AuditRead'; Effect = 'Allow'; Principal = @{ AWS = "arn:aws:iam::$($script:account):user/auditor" }; Action = @('s3:GetObject', 's3:ListBucket'); Resource = @('arn:aws:s3:::td-mixed', 'arn:aws:s3:::td-mixed/*') }
        Add-TheirStatement td-mixed $script:theirStatement
        $rules = (Invoke-S3Api get-bucket-lifecycle-configuration --bucket td-mixed).Rules
        $rules = @($rules) + [pscustomobject]@{ ID = 'their-logs'; Status = 'Enabled'; Filter = @{ Prefix = 'logs/' }; Expiration = @{ Days = 90 } }
        $file = Join-Path $script:work 'lifecycle.json'
        Set-Content -Path $file -Value (@{ Rules = $rules } | ConvertTo-Json -Depth 10)
        $null = Invoke-S3Api put-bucket-lifecycle-configuration --bucket td-mixed --lifecycle-configuration "file://$file"
        $tags = Get-Tags td-mixed
        $tagSet = @($tags.Keys | ForEach-Object { "{Key=$_,Value=$($tags[$_])}" }) + '{Key=owner,Value=data-team}'
        $null = Invoke-S3Api put-bucket-tagging --bucket td-mixed --tagging "TagSet=[$($tagSet -join ',')]"
        $script:before = Get-BackupBucket td-mixed
    }

    It 'the setup before: the module''s and the others'' parts are told apart' {
        @($script:before.LifecycleRules | Where-Object AddedByModule).Id | Sort-Object | Should -Be @('backup-retention', 'module-tmp')
        @($script:before.LifecycleRules | Where-Object { -not $_.AddedByModule }).Id | Should -Be 'their-logs'
        @($script:before.PolicyStatements | Where-Object { -not $_.AddedByModule }).Sid | Should -Be 'AuditRead'
        $script:before.Tags['owner'] | Should -Be 'data-team'
        $script:before.Tags['backupiam:lifecycle-rules'] | Should -Be 'module-tmp'
    }

    It 'under -WhatIf shows every call and writes nothing' {
        Start-MotoRecording -Url $script:moto.Url
        $transcript = Join-Path $script:work 'whatif.txt'
        Start-Transcript -Path $transcript -UseMinimalHeader | Out-Null
        try { $plan = Remove-BackupBucketSetup -BucketName td-mixed -WhatIf }
        finally { Stop-Transcript | Out-Null }
        $plan.Status | Should -Be 'Planned'
        $plan.Changes | Should -Be @('s3:PutBucketPolicy', 's3:PutBucketLifecycleConfiguration', 's3:PutBucketVersioning', 's3:PutBucketTagging')
        @(Get-MotoWriteCall -Url $script:moto.Url) | Should -HaveCount 0
        $text = Get-Content -Raw $transcript
        $text | Should -Match "keeping 1 other statement\(s\) as they are \(AuditRead\)"
        $text | Should -Match "Remove the module's lifecycle rule\(s\) (backup-retention, module-tmp|module-tmp, backup-retention) from bucket 'td-mixed', keeping 1 other rule\(s\) as they are \(their-logs\)"
        $text | Should -Match "Suspend versioning of bucket 'td-mixed'"
        $text | Should -Match "Remove the module's tag\(s\) backupiam:lifecycle-rules, backupiam:managed, backupiam:versioning from bucket 'td-mixed', keeping 1 other tag"
    }

    It 'removes exactly the module''s parts; the others'' statement, rule and tag stay equal in meaning; a re-run writes nothing' {
        Start-MotoRecording -Url $script:moto.Url
        $r = Remove-BackupBucketSetup -BucketName td-mixed -Confirm:$false -ErrorAction Stop
        $r.Status | Should -Be 'Removed'
        $r.StatementsKept | Should -Be 'AuditRead'
        $r.LifecycleRulesKept | Should -Be 'their-logs'
        $r.TagsKept | Should -Be 'owner'
        $r.VersioningSuspended | Should -BeTrue
        @(Get-MotoWriteCall -Url $script:moto.Url).Operation | Should -Be @('PUT /td-mixed/?policy', 'PUT /td-mixed/?lifecycle', 'PUT /td-mixed/?versioning', 'PUT /td-mixed/?tagging')

        $policy = Get-Policy td-mixed
        @($policy.Statement) | Should -HaveCount 1
        ConvertTo-Canonical @($policy.Statement)[0] | Should -Be (ConvertTo-Canonical ([pscustomobject]@{
            Sid = 'AuditRead'; Effect = 'Allow'; Principal = [pscustomobject]@{ AWS = "arn:aws:iam::$($script:account):user/auditor" }
            Action = @('s3:GetObject', 's3:ListBucket'); Resource = @('arn:aws:s3:::td-mixed', 'arn:aws:s3:::td-mixed/*') }))
        $rules = @((Invoke-S3Api get-bucket-lifecycle-configuration --bucket td-mixed).Rules)
        $rules | Should -HaveCount 1
        $rules[0].ID | Should -Be 'their-logs'
        $rules[0].Expiration.Days | Should -Be 90
        $rules[0].Filter.Prefix | Should -Be 'logs/'
        (Invoke-S3Api get-bucket-versioning --bucket td-mixed).Status | Should -Be 'Suspended'
        $tags = Get-Tags td-mixed
        $tags.Count | Should -Be 1
        $tags['owner'] | Should -Be 'data-team'
        # The bucket and its objects stay.
        (Invoke-S3Api head-object --bucket td-mixed --key backup/data.bin) | Should -Not -BeNullOrEmpty
        (Invoke-S3Api head-object --bucket td-mixed --key backup/) | Should -Not -BeNullOrEmpty

        Start-MotoRecording -Url $script:moto.Url
        (Remove-BackupBucketSetup -BucketName td-mixed -Confirm:$false -ErrorAction Stop).Status | Should -Be 'Unchanged'
        @(Get-MotoWriteCall -Url $script:moto.Url) | Should -HaveCount 0
        @(Get-BackupBucket).BucketName | Should -Not -Contain 'td-mixed'
    }

    It 'deletes a policy, lifecycle and tag set that are all the module''s, and leaves versioning someone else enabled' {
        $null = New-BackupBucket -BucketName td-all-ours | Set-BackupLifecycle -AbortIncompleteMultipartUploadDays 7
        $null = New-WriteOnlyBucketPolicy -BucketName td-all-ours -PrincipalArn $script:principal | Set-BackupBucketPolicy -ErrorAction Stop
        $null = Invoke-S3Api put-bucket-versioning --bucket td-all-ours --versioning-configuration Status=Enabled
        $r = Get-BackupBucket td-all-ours | Remove-BackupBucketSetup -Confirm:$false -ErrorAction Stop
        $r.Changes | Should -Be @('s3:DeleteBucketPolicy', 's3:DeleteBucketLifecycle', 's3:DeleteBucketTagging')
        $r.VersioningSuspended | Should -BeFalse
        { Invoke-S3Api get-bucket-policy --bucket td-all-ours } | Should -Throw '*NoSuchBucketPolicy*'
        { Invoke-S3Api get-bucket-lifecycle-configuration --bucket td-all-ours } | Should -Throw '*NoSuchLifecycleConfiguration*'
        (Get-Tags td-all-ours).Count | Should -Be 0
        (Invoke-S3Api get-bucket-versioning --bucket td-all-ours).Status | Should -Be 'Enabled'
        (Remove-BackupBucketSetup -BucketName td-gone-bucket -Confirm:$false -ErrorAction Stop).Status | Should -Be 'NotFound'
    }
}

Describe 'Remove-BackupUser and bucket-policy statements (moto)' {
    BeforeAll {
        $script:user = New-BackupUser -UserName td-writer -ErrorAction Stop
        $script:user.Arn | Should -Be $script:principal
        $null = New-BackupBucket -BucketName td-user-bucket -ErrorAction Stop
        $null = $script:user | New-WriteOnlyBucketPolicy -BucketName td-user-bucket | Set-BackupBucketPolicy -ErrorAction Stop
        Add-TheirStatement td-user-bucket @{ Sid = 'Shared'; Effect = 'Allow'; Principal = @{ AWS = @($script:principal, "arn:aws:iam::$($script:account):user/other") }; Action = 's3:GetBucketLocation'; Resource = 'arn:aws:s3:::td-user-bucket' }
        Add-TheirStatement td-user-bucket @{ Sid = 'ById'; Effect = 'Allow'; Principal = @{ AWS = $script:user.UserId }; Action = 's3:GetBucketAcl'; Resource = 'arn:aws:s3:::td-user-bucket' }
        $script:statementsBefore = @((Get-Policy td-user-bucket).Statement).Count
    }

    It 'reports the statements that name the user (by ARN and unique id) under -WhatIf, in a warning and the output, and writes nothing' {
        Start-MotoRecording -Url $script:moto.Url
        $r = Remove-BackupUser -UserName td-writer -WhatIf -WarningVariable w -WarningAction SilentlyContinue
        $r.Status | Should -Be 'Planned'
        @($r.BucketStatements | Where-Object BucketName -eq 'td-user-bucket').Sid | Sort-Object | Should -Be @('BucketPermissions', 'ById', 'DenyPublicAcl', 'DenyReadDeleteAndChanges', 'ObjectPermissions', 'Shared' | Sort-Object)
        ($r.BucketStatements | Where-Object Sid -eq 'Shared').WholeStatement | Should -BeFalse
        ($r.BucketStatements | Where-Object Sid -eq 'Shared').OtherPrincipals | Should -Be "AWS:arn:aws:iam::$($script:account):user/other"
        ($r.BucketStatements | Where-Object Sid -eq 'ById').UserPrincipals | Should -Be $script:user.UserId
        ($w -join "`n") | Should -Match "IAM user 'td-writer' is named in the policy of bucket td-user-bucket, statement 'Shared'"
        # Without -BucketName every managed bucket is searched: td-read's policy names the same user.
        @($r.BucketStatements | Where-Object BucketName -eq 'td-read').Sid | Should -Contain 'BucketPermissions'
        $r.Changes | Should -Not -Contain 's3:PutBucketPolicy'   # reported only, without -RemoveBucketStatements
        @(Get-MotoWriteCall -Url $script:moto.Url) | Should -HaveCount 0
    }

    It 'with -RemoveBucketStatements takes the user out first (only it from a shared statement), then deletes the user' {
        Start-MotoRecording -Url $script:moto.Url
        $r = Remove-BackupUser -UserName td-writer -BucketName td-user-bucket -RemoveBucketStatements -Confirm:$false -ErrorAction Stop -WarningAction SilentlyContinue
        $r.Status | Should -Be 'Removed'
        $r.Changes[0] | Should -Be 's3:PutBucketPolicy'
        $r.Changes[-1] | Should -Be 'iam:DeleteUser'
        @($r.BucketStatements | Where-Object { -not $_.Removed }) | Should -HaveCount 0
        $writes = @(Get-MotoWriteCall -Url $script:moto.Url)
        $writes[0].Operation | Should -Be 'PUT /td-user-bucket/?policy'
        @($r.BucketStatements.BucketName | Sort-Object -Unique) | Should -Be 'td-user-bucket'   # -BucketName limits the search
        (Get-Policy td-read).Statement.Principal.AWS | Should -Contain $script:principal
        $policy = Get-Policy td-user-bucket
        @($policy.Statement) | Should -HaveCount 1
        $shared = @($policy.Statement)[0]
        $shared.Sid | Should -Be 'Shared'
        @($shared.Principal.AWS) | Should -Be @("arn:aws:iam::$($script:account):user/other")
        $shared.Action | Should -Be 's3:GetBucketLocation'
        (Remove-BackupUser -UserName td-writer -RemoveBucketStatements -Confirm:$false -ErrorAction Stop).Status | Should -Be 'NotFound'
    }
}
