# Ransomware posture against a real moto server: Object Lock through New-BackupBucket (created with the bucket, turned
# on for an existing versioned bucket, idempotent re-runs), the no-overwrite and TLS-only options and the delete
# protection, and Get-BackupBucketPosture. Write calls are counted from moto's own request recording, and the bucket's
# state is read back with a separate client (awscli), not through the module. moto enforces no bucket policies, so
# what those policies deny is proved with the simulator here and on Ceph RGW in tests/rgw/Posture.Rgw.Tests.ps1.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:moto = Enter-MotoTestSession -AccessKey 'AKIAPOSTURETEST0001' -SecretKey 'posture-test-secret-not-real'

    function Get-WriteSummary {
        param($Writes)
        @($Writes | ForEach-Object { "$($_.Operation)" } | Sort-Object)
    }

    function Invoke-S3Api {
        # awscli, a client independent of the module, reading moto's real state.
        param([Parameter(ValueFromRemainingArguments)] [string[]] $Arguments)
        $json = & aws --endpoint-url $script:moto.Url --output json s3api @Arguments 2>&1
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Text = ($json | Out-String) }
    }
}

AfterAll {
    Exit-MotoTestSession $script:moto
}

Describe 'New-BackupBucket -ObjectLock* (moto)' {
    It 'creates a bucket with Object Lock and a GOVERNANCE default retention, then a re-run writes nothing' {
        Start-MotoRecording -Url $script:moto.Url
        $b = New-BackupBucket -BucketName lock-gov -ObjectLockMode Governance -ObjectLockRetentionDays 1
        $writes = @(Get-MotoWriteCall -Url $script:moto.Url)
        $b.Status | Should -Be 'Created'
        $b.ObjectLockEnabled | Should -BeTrue
        $b.ObjectLockMode | Should -Be 'GOVERNANCE'
        $b.ObjectLockRetentionDays | Should -Be 1
        $b.Changes | Should -Contain 's3:PutObjectLockConfiguration'
        (Get-WriteSummary $writes) | Should -Contain 'PUT /lock-gov/?object-lock'

        $lock = (Invoke-S3Api get-object-lock-configuration --bucket lock-gov).Text | ConvertFrom-Json
        $lock.ObjectLockConfiguration.ObjectLockEnabled | Should -Be 'Enabled'
        $lock.ObjectLockConfiguration.Rule.DefaultRetention.Mode | Should -Be 'GOVERNANCE'
        $lock.ObjectLockConfiguration.Rule.DefaultRetention.Days | Should -Be 1
        ((Invoke-S3Api get-bucket-versioning --bucket lock-gov).Text | ConvertFrom-Json).Status | Should -Be 'Enabled'

        Start-MotoRecording -Url $script:moto.Url
        $again = New-BackupBucket -BucketName lock-gov -ObjectLockMode Governance -ObjectLockRetentionDays 1
        @(Get-MotoWriteCall -Url $script:moto.Url) | Should -HaveCount 0
        $again.Status | Should -Be 'Unchanged'
        $again.ObjectLockMode | Should -Be 'GOVERNANCE'
    }

    It 'changes only the default retention when it differs (years instead of days)' {
        Start-MotoRecording -Url $script:moto.Url
        $b = New-BackupBucket -BucketName lock-gov -ObjectLockMode Governance -ObjectLockRetentionYears 1
        (Get-WriteSummary @(Get-MotoWriteCall -Url $script:moto.Url)) | Should -Be @('PUT /lock-gov/?object-lock')
        $b.Status | Should -Be 'Updated'
        $lock = (Invoke-S3Api get-object-lock-configuration --bucket lock-gov).Text | ConvertFrom-Json
        $lock.ObjectLockConfiguration.Rule.DefaultRetention.Years | Should -Be 1
    }

    It 'asks before COMPLIANCE: in a non-interactive session without -Force it fails and writes nothing' {
        Start-MotoRecording -Url $script:moto.Url
        { New-BackupBucket -BucketName lock-comp -ObjectLockMode Compliance -ObjectLockRetentionDays 1 -ErrorAction Stop } | Should -Throw
        @(Get-MotoWriteCall -Url $script:moto.Url) | Should -HaveCount 0
        (Invoke-S3Api head-bucket --bucket lock-comp).ExitCode | Should -Not -Be 0
    }

    It 'applies COMPLIANCE with -Force, and -WhatIf shows the step with its warning and writes nothing' {
        Start-MotoRecording -Url $script:moto.Url
        # The table view (issue 17) shows BucketName/Region/Status/Changes; the lock settings are in the list.
        $plan = New-BackupBucket -BucketName lock-comp -ObjectLockMode Compliance -ObjectLockRetentionDays 1 -WhatIf 6>&1 | Format-List | Out-String
        @(Get-MotoWriteCall -Url $script:moto.Url) | Should -HaveCount 0
        $plan | Should -Match 'COMPLIANCE'

        $b = New-BackupBucket -BucketName lock-comp -ObjectLockMode Compliance -ObjectLockRetentionDays 1 -Force
        $b.Status | Should -Be 'Created'
        $lock = (Invoke-S3Api get-object-lock-configuration --bucket lock-comp).Text | ConvertFrom-Json
        $lock.ObjectLockConfiguration.Rule.DefaultRetention.Mode | Should -Be 'COMPLIANCE'
    }

    It 'turns Object Lock on for an existing versioned bucket (AWS allows it) and a re-run writes nothing' {
        New-BackupBucket -BucketName lock-later | Enable-BackupVersioning | Out-Null
        Start-MotoRecording -Url $script:moto.Url
        $b = New-BackupBucket -BucketName lock-later -ObjectLockMode Governance -ObjectLockRetentionDays 2
        (Get-WriteSummary @(Get-MotoWriteCall -Url $script:moto.Url)) | Should -Be @('PUT /lock-later/?object-lock')
        $b.Status | Should -Be 'Updated'
        $lock = (Invoke-S3Api get-object-lock-configuration --bucket lock-later).Text | ConvertFrom-Json
        $lock.ObjectLockConfiguration.ObjectLockEnabled | Should -Be 'Enabled'
        $lock.ObjectLockConfiguration.Rule.DefaultRetention.Days | Should -Be 2

        Start-MotoRecording -Url $script:moto.Url
        (New-BackupBucket -BucketName lock-later -ObjectLockMode Governance -ObjectLockRetentionDays 2).Status | Should -Be 'Unchanged'
        @(Get-MotoWriteCall -Url $script:moto.Url) | Should -HaveCount 0
    }

    It 'refuses Object Lock on an existing bucket without versioning, before any write (ObjectLockNeedsVersioning)' {
        New-BackupBucket -BucketName lock-unversioned | Out-Null
        Start-MotoRecording -Url $script:moto.Url
        $err = $null
        New-BackupBucket -BucketName lock-unversioned -ObjectLock -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ObjectLockNeedsVersioning,*'
        $err[0].Exception.Message | Should -Match 'Enable-BackupVersioning'
        @(Get-MotoWriteCall -Url $script:moto.Url) | Should -HaveCount 0
    }

    It 'rejects bad Object Lock input before any call: <Case>' -ForEach @(
        @{ Case = 'mode without retention'; Params = @{ ObjectLockMode = 'Governance' }; Id = 'ObjectLockRetentionInvalid'; Parameter = 'ObjectLockRetentionDays' }
        @{ Case = 'days and years'; Params = @{ ObjectLockMode = 'Governance'; ObjectLockRetentionDays = 1; ObjectLockRetentionYears = 1 }; Id = 'ObjectLockRetentionInvalid'; Parameter = 'ObjectLockRetentionYears' }
        @{ Case = 'retention without mode'; Params = @{ ObjectLockRetentionDays = 5 }; Id = 'ObjectLockRetentionInvalid'; Parameter = 'ObjectLockMode' }
        @{ Case = 'zero days'; Params = @{ ObjectLockMode = 'Governance'; ObjectLockRetentionDays = 0 }; Id = 'ObjectLockRetentionInvalid'; Parameter = 'ObjectLockRetentionDays' }
        @{ Case = '101 years'; Params = @{ ObjectLockMode = 'Governance'; ObjectLockRetentionYears = 101 }; Id = 'ObjectLockRetentionInvalid'; Parameter = 'ObjectLockRetentionYears' }
    ) {
        Start-MotoRecording -Url $script:moto.Url
        $e = { New-BackupBucket -BucketName lock-bad-input @Params -ErrorAction Stop } | Should -Throw -ErrorId "$Id*" -PassThru
        $e.Exception.Message | Should -Match "-$Parameter"
        @(Get-MotoCall -Url $script:moto.Url) | Should -HaveCount 0
    }
}

Describe 'No overwrite: -DenyOverwrite (simulator and linter; moto enforces no policies)' {
    It '<Command> adds the DenyOverwrite statement: Null s3:if-none-match true on s3:PutObject' -ForEach @(
        @{ Command = 'New-BackupPolicy'; Make = { New-BackupPolicy -Preset UploadOnly -BucketName bkt -Prefix backup/ -DenyOverwrite } }
        @{ Command = 'New-WriteOnlyBucketPolicy'; Make = { New-WriteOnlyBucketPolicy -BucketName bkt -PrincipalArn 'arn:aws:iam::123456789012:user/backup' -DenyOverwrite } }
    ) {
        $p = & $Make
        $doc = $p.PolicyDocument | ConvertFrom-Json
        $deny = @($doc.Statement | Where-Object Sid -EQ 'DenyOverwrite')
        $deny | Should -HaveCount 1
        $deny[0].Effect | Should -Be 'Deny'
        $deny[0].Action | Should -Be 's3:PutObject'
        $deny[0].Resource | Should -Be 'arn:aws:s3:::bkt/*'
        $deny[0].Condition.Null.'s3:if-none-match' | Should -Be 'true'
    }

    It 'the simulator denies an upload without If-None-Match and allows one with If-None-Match: *' {
        $p = New-BackupPolicy -Preset UploadOnly -BucketName bkt -Prefix backup/ -DenyOverwrite
        $plain = Test-BackupPolicy -Policy $p -Action s3:PutObject -Resource 'arn:aws:s3:::bkt/backup/a'
        $plain.Decision | Should -Be 'ExplicitDeny'
        $plain.DecidedBy | Should -Match 'DenyOverwrite'
        (Test-BackupPolicy -Policy $p -Action s3:PutObject -Resource 'arn:aws:s3:::bkt/backup/a' -Context @{ 's3:if-none-match' = '*' }).Decision | Should -Be 'Allowed'
        # Without the option the same plain upload is allowed: the option is what denies it.
        $without = New-BackupPolicy -Preset UploadOnly -BucketName bkt -Prefix backup/
        (Test-BackupPolicy -Policy $without -Action s3:PutObject -Resource 'arn:aws:s3:::bkt/backup/a').Decision | Should -Be 'Allowed'
    }

    It 'the linter''s OverwritableBackups finding points at -DenyOverwrite, and the option clears it' {
        $without = New-BackupPolicy -Preset UploadOnly -BucketName bkt -Prefix backup/
        $f = @(Get-BackupPolicyFinding -Policy $without | Where-Object Id -EQ 'OverwritableBackups')
        $f | Should -HaveCount 1
        $f[0].Fix | Should -Match '-DenyOverwrite'
        $with = New-BackupPolicy -Preset UploadOnly -BucketName bkt -Prefix backup/ -DenyOverwrite
        @(Get-BackupPolicyFinding -Policy $with | Where-Object Id -EQ 'OverwritableBackups') | Should -HaveCount 0
    }

    It 'refuses -DenyOverwrite on a preset that allows no upload (PresetOptionNotSupported)' {
        { New-BackupPolicy -Preset OwnerRestore -BucketName bkt -PrincipalArn 'arn:aws:iam::123456789012:root' -DenyOverwrite -ErrorAction Stop } |
            Should -Throw -ErrorId 'PresetOptionNotSupported,*'
    }
}

Describe 'Set-BackupBucketProtection (moto; the simulator decides what the statements deny)' {
    BeforeAll {
        New-BackupBucket -BucketName prot-bucket | Enable-BackupVersioning | Out-Null
        # moto answers a user's identity as arn:aws:sts::ACCOUNT:user/NAME; the IAM user ARN is what aws:PrincipalArn holds.
        $script:caller = ((& aws --endpoint-url $script:moto.Url --region us-east-1 --output json sts get-caller-identity) | ConvertFrom-Json).Arn -replace '^arn:aws:sts::', 'arn:aws:iam::'
        $script:breakGlass = 'arn:aws:iam::123456789012:role/backup-break-glass'
    }

    It 'rejects bad input before any call: <Case>' -ForEach @(
        @{ Case = 'nothing to protect'; Params = @{}; Id = 'BucketProtectionEmpty' }
        @{ Case = 'a root as break-glass'; Params = @{ BreakGlassPrincipalArn = 'arn:aws:iam::123456789012:root' }; Id = 'BreakGlassPrincipalArnInvalid' }
        @{ Case = 'not an ARN'; Params = @{ BreakGlassPrincipalArn = 'backup-break-glass' }; Id = 'BreakGlassPrincipalArnInvalid' }
    ) {
        Start-MotoRecording -Url $script:moto.Url
        { Set-BackupBucketProtection -BucketName prot-bucket @Params -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId "$Id*"
        @(Get-MotoCall -Url $script:moto.Url) | Should -HaveCount 0
    }

    It 'refuses a delete protection that would lock out the caller (not the break-glass principal), writing nothing' {
        $script:caller | Should -Not -BeNullOrEmpty
        Start-MotoRecording -Url $script:moto.Url
        $err = $null
        Set-BackupBucketProtection -BucketName prot-bucket -BreakGlassPrincipalArn $script:breakGlass -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err[0].FullyQualifiedErrorId | Should -BeLike 'BucketPolicyWouldLockOutCaller,*'
        $err[0].Exception.Message | Should -Match "user/moto, not the break-glass principal"
        @(Get-MotoWriteCall -Url $script:moto.Url) | Should -HaveCount 0
    }

    It 'refuses -RequireTls over an http:// endpoint (it would deny every request made over it), writing nothing' {
        Start-MotoRecording -Url $script:moto.Url
        { Set-BackupBucketProtection -BucketName prot-bucket -RequireTls -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'BucketPolicyWouldLockOutCaller*'
        @(Get-MotoWriteCall -Url $script:moto.Url) | Should -HaveCount 0
    }

    It 'merges the statements when the caller IS the break-glass principal, and a re-run writes nothing' {
        New-BackupBucket -BucketName prot-self | Out-Null
        Start-MotoRecording -Url $script:moto.Url
        $r = Set-BackupBucketProtection -BucketName prot-self -BreakGlassPrincipalArn $script:caller -Confirm:$false
        $r.Added | Should -Be @('DenyDeleteExceptBreakGlass')
        (Get-WriteSummary @(Get-MotoWriteCall -Url $script:moto.Url)) | Should -Be @('PUT /prot-self/?policy')
        $stored = ((Invoke-S3Api get-bucket-policy --bucket prot-self).Text | ConvertFrom-Json).Policy | ConvertFrom-Json
        $st = @($stored.Statement | Where-Object Sid -EQ 'DenyDeleteExceptBreakGlass')
        $st | Should -HaveCount 1
        $st[0].Condition.ArnNotEquals.'aws:PrincipalArn' | Should -Be $script:caller
        Start-MotoRecording -Url $script:moto.Url
        (Set-BackupBucketProtection -BucketName prot-self -BreakGlassPrincipalArn $script:caller -Confirm:$false).Status | Should -Be 'Unchanged'
        @(Get-MotoWriteCall -Url $script:moto.Url) | Should -HaveCount 0
    }

    It 'with -Force merges both protections next to the statements the policy already has' {
        New-WriteOnlyBucketPolicy -BucketName prot-bucket -PrincipalArn 'arn:aws:iam::123456789012:user/backup' | Set-BackupBucketPolicy | Out-Null
        $r = Set-BackupBucketProtection -BucketName prot-bucket -RequireTls -BreakGlassPrincipalArn $script:breakGlass -Force -Confirm:$false
        $r.Status | Should -Be 'Updated'
        @($r.Added | Sort-Object) | Should -Be @('DenyDeleteExceptBreakGlass', 'DenyInsecureTransport', 'DenyMissingSecureTransport')
        $r.Kept.Count | Should -BeGreaterThan 0
        $script:protected = ((Invoke-S3Api get-bucket-policy --bucket prot-bucket).Text | ConvertFrom-Json).Policy
        $doc = $script:protected | ConvertFrom-Json
        ($doc.Statement | Where-Object Sid -EQ 'DenyMissingSecureTransport').Condition.Null.'aws:SecureTransport' | Should -Be 'true'
        ($doc.Statement | Where-Object Sid -EQ 'DenyInsecureTransport').Condition.Bool.'aws:SecureTransport' | Should -Be 'false'
    }

    It 'the simulator: an admin key may not <Action> while the break-glass role may' -ForEach @(
        @{ Action = 's3:DeleteObjectVersion'; Resource = 'arn:aws:s3:::prot-bucket/backup/a' }
        @{ Action = 's3:PutBucketVersioning'; Resource = 'arn:aws:s3:::prot-bucket' }
        @{ Action = 's3:PutLifecycleConfiguration'; Resource = 'arn:aws:s3:::prot-bucket' }
        @{ Action = 's3:PutBucketPolicy'; Resource = 'arn:aws:s3:::prot-bucket' }
    ) {
        $admin = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}'
        $tls = @{ 'aws:SecureTransport' = 'true' }
        (Test-BackupPolicy -Policy $admin -BucketPolicy $script:protected -PrincipalArn 'arn:aws:iam::123456789012:user/admin' -Action $Action -Resource $Resource -Context $tls).Decision | Should -Be 'ExplicitDeny'
        (Test-BackupPolicy -Policy $admin -BucketPolicy $script:protected -PrincipalArn $script:breakGlass -Action $Action -Resource $Resource -Context $tls).Decision | Should -Be 'Allowed'
    }

    It 'the simulator: TLS only denies a request without TLS, and one where the store sets no aws:SecureTransport' {
        $admin = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}'
        $p = 'arn:aws:iam::123456789012:role/backup-break-glass'
        (Test-BackupPolicy -Policy $admin -BucketPolicy $script:protected -PrincipalArn $p -Action s3:GetObject -Resource 'arn:aws:s3:::prot-bucket/a' -Context @{ 'aws:SecureTransport' = 'false' }).Decision | Should -Be 'ExplicitDeny'
        (Test-BackupPolicy -Policy $admin -BucketPolicy $script:protected -PrincipalArn $p -Action s3:GetObject -Resource 'arn:aws:s3:::prot-bucket/a').Decision | Should -Be 'ExplicitDeny'
        (Test-BackupPolicy -Policy $admin -BucketPolicy $script:protected -PrincipalArn $p -Action s3:GetObject -Resource 'arn:aws:s3:::prot-bucket/a' -Context @{ 'aws:SecureTransport' = 'true' }).Decision | Should -Be 'Allowed'
    }
}

Describe 'Get-BackupBucketPosture (moto)' {
    BeforeAll {
        function Get-Finding { param($Posture, [string] $Area) @($Posture.Findings | Where-Object Area -EQ $Area)[0] }
    }

    It 'grades a bucket without versioning Exposed, one finding per area, and makes no write call' {
        New-BackupBucket -BucketName posture-plain | Out-Null
        Start-MotoRecording -Url $script:moto.Url
        $p = Get-BackupBucketPosture -BucketName posture-plain
        @(Get-MotoWriteCall -Url $script:moto.Url) | Should -HaveCount 0
        $p | Should -BeOfType ([BackupIam.BackupBucketPosture])
        $p.Grade | Should -Be 'Exposed'
        $p.Reason | Should -Match 'Versioning is Off'
        foreach ($area in 'Versioning', 'MfaDelete', 'ObjectLock', 'NoncurrentVersionRetention', 'AbortIncompleteUploads', 'PublicAccessBlock', 'ObjectOwnership', 'DefaultEncryption', 'PolicyDeniesDelete', 'PolicyDeniesOverwrite', 'PolicyDeniesChanges', 'TlsOnly', 'IdentityPolicies') {
            @($p.Findings | Where-Object Area -EQ $area) | Should -HaveCount 1 -Because "the report has one $area finding"
        }
        (Get-Finding $p Versioning).Status | Should -Be 'Fail'
        (Get-Finding $p Versioning).Fix | Should -Match 'Enable-BackupVersioning'
        (Get-Finding $p PublicAccessBlock).Status | Should -Be 'Pass'
        (Get-Finding $p DefaultEncryption).Status | Should -Be 'Pass'
        # Issue 18: the module's users are now read and simulated; no user carries the managed tag yet here.
        (Get-Finding $p IdentityPolicies).Status | Should -Be 'Pass'
        (Get-Finding $p IdentityPolicies).Detail | Should -Match 'No IAM user carries the tag backupiam:managed=true'
    }

    It 'grades a versioned bucket with a retention rule Basic (any admin key can still delete versions)' {
        New-BackupBucket -BucketName posture-basic | Enable-BackupVersioning | Set-BackupLifecycle -NoncurrentVersionExpirationDays 30 -AbortIncompleteMultipartUploadDays 7 | Out-Null
        $p = Get-BackupBucketPosture posture-basic
        $p.Grade | Should -Be 'Basic'
        (Get-Finding $p Versioning).Status | Should -Be 'Pass'
        (Get-Finding $p NoncurrentVersionRetention).Detail | Should -Match '30 day'
        (Get-Finding $p AbortIncompleteUploads).Status | Should -Be 'Pass'
        (Get-Finding $p PolicyDeniesDelete).Status | Should -Be 'Warn'
        (Get-Finding $p PolicyDeniesDelete).Fix | Should -Match 'Set-BackupBucketProtection'
    }

    It 'a short noncurrent-version retention is a warning' {
        New-BackupBucket -BucketName posture-short | Enable-BackupVersioning | Set-BackupLifecycle -NoncurrentVersionExpirationDays 2 | Out-Null
        (Get-Finding (Get-BackupBucketPosture posture-short) NoncurrentVersionRetention).Status | Should -Be 'Warn'
    }

    It 'grades the delete protection Resistant and says to whom the policy denies what (simulated)' {
        New-BackupBucket -BucketName posture-prot | Enable-BackupVersioning | Out-Null
        Set-BackupBucketProtection -BucketName posture-prot -RequireTls -BreakGlassPrincipalArn 'arn:aws:iam::123456789012:role/backup-break-glass' -Force -Confirm:$false | Out-Null
        $p = Get-BackupBucketPosture posture-prot
        $p.Grade | Should -Be 'Resistant'
        $p.PolicyDeniesDelete | Should -BeTrue
        $p.PolicyDeniesChanges | Should -BeTrue
        (Get-Finding $p PolicyDeniesDelete).Detail | Should -Match 'every principal except arn:aws:iam::123456789012:role/backup-break-glass'
        (Get-Finding $p TlsOnly).Status | Should -Be 'Pass'
        (Get-Finding $p TlsOnly).Detail | Should -Match 'no aws:SecureTransport'
    }

    It 'reports a bucket policy with -DenyOverwrite as denying overwrites to the principal it names' {
        New-BackupBucket -BucketName posture-inm | Out-Null
        New-WriteOnlyBucketPolicy -BucketName posture-inm -PrincipalArn 'arn:aws:iam::123456789012:user/backup' -DenyOverwrite | Set-BackupBucketPolicy | Out-Null
        $p = Get-BackupBucketPosture posture-inm
        $p.PolicyDeniesOverwrite | Should -BeTrue
        (Get-Finding $p PolicyDeniesOverwrite).Detail | Should -Match 'arn:aws:iam::123456789012:user/backup'
    }

    It 'grades Object Lock GOVERNANCE Resistant and COMPLIANCE Immutable, with mode and days' {
        $g = Get-BackupBucketPosture lock-later
        $g.Grade | Should -Be 'Resistant'
        $g.ObjectLockMode | Should -Be 'GOVERNANCE'
        $g.ObjectLockRetentionDays | Should -Be 2
        $c = Get-BackupBucketPosture lock-comp
        $c.Grade | Should -Be 'Immutable'
        $c.ObjectLockMode | Should -Be 'COMPLIANCE'
        $c.Reason | Should -Match 'COMPLIANCE'
    }

    It 'shows the grade and what did not pass in its default view, and the findings as a table' {
        $text = Get-BackupBucketPosture posture-basic | Out-String -Width 300
        $text | Should -Match 'Grade\s+: Basic'
        $text | Should -Match 'NotPassed\s+: .*PolicyDeniesDelete: Warn'
        ((Get-BackupBucketPosture posture-basic).Findings | Out-String -Width 300) | Should -Match 'Area\s+Status\s+Detail'
    }

    It 'reports a missing bucket as an error' {
        { Get-BackupBucketPosture no-such-bucket-here -ErrorAction Stop } | Should -Throw -ErrorId 'S3NoSuchBucket*'
    }
}

Describe 'Get-BackupBucketPosture: which of the module''s users can delete (issue 18, moto for IAM)' {
    BeforeAll {
        function Get-Finding { param($Posture, [string] $Area) @($Posture.Findings | Where-Object Area -EQ $Area)[0] }
        $script:delBucket = 'posture-deleters'
        New-BackupBucket -BucketName $script:delBucket | Enable-BackupVersioning | Out-Null
        # An upload-only user (through a group), a user whose own inline policy deletes objects, a user whose group's
        # policy deletes object versions, and an untagged user (not the module's) that may delete everything.
        $upload = New-BackupPolicy -Preset UploadOnly -BucketName $script:delBucket -Prefix backup/ -PolicyName Upload
        New-BackupGroup -GroupName PostureUploaders | Set-BackupGroupPolicy -Policy $upload | Out-Null
        New-BackupUser -UserName posture-uploader | Add-BackupUserToGroup -GroupName PostureUploaders | Out-Null
        $deleteObjects = '{"Version":"2012-10-17","Statement":[{"Sid":"Prune","Effect":"Allow","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::' + $script:delBucket + '/*"}]}'
        New-BackupUser -UserName posture-pruner | Set-BackupUserPolicy -PolicyName Prune -PolicyDocument $deleteObjects | Out-Null
        $deleteVersions = '{"Version":"2012-10-17","Statement":[{"Sid":"Purge","Effect":"Allow","Action":["s3:DeleteObject","s3:DeleteObjectVersion"],"Resource":"arn:aws:s3:::' + $script:delBucket + '/*"}]}'
        New-BackupGroup -GroupName PosturePurgers | Set-BackupGroupPolicy -PolicyName Purge -PolicyDocument $deleteVersions | Out-Null
        New-BackupUser -UserName posture-purger | Add-BackupUserToGroup -GroupName PosturePurgers | Out-Null
        $out = & aws --endpoint-url $script:moto.Url --region us-east-1 iam create-user --user-name posture-foreign 2>&1
        if ($LASTEXITCODE -ne 0) { throw "aws iam create-user failed: $out" }
        $out = & aws --endpoint-url $script:moto.Url --region us-east-1 iam put-user-policy --user-name posture-foreign --policy-name All --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}' 2>&1
        if ($LASTEXITCODE -ne 0) { throw "aws iam put-user-policy failed: $out" }
    }

    It 'names the users whose own or group policies allow deleting, with the deciding statement, and a fix; no write call' {
        Start-MotoRecording -Url $script:moto.Url
        $p = Get-BackupBucketPosture -BucketName $script:delBucket
        @(Get-MotoWriteCall -Url $script:moto.Url) | Should -HaveCount 0
        $calls = @(Get-MotoCall -Url $script:moto.Url | ForEach-Object Operation)
        $calls | Should -Contain 'ListUserTags'
        $calls | Should -Contain 'GetGroupPolicy'
        $f = Get-Finding $p IdentityPolicies
        $f.Status | Should -Be 'Fail' -Because 'a user may delete object versions'
        $f.Detail | Should -Match 'user posture-pruner \(s3:DeleteObject by user/posture-pruner/Prune/Statement\[0\] \(Prune\)\)'
        $f.Detail | Should -Match 'user posture-purger \(s3:DeleteObject by group/PosturePurgers/Purge/Statement\[0\] \(Purge\), s3:DeleteObjectVersion by group/PosturePurgers/Purge'
        $f.Detail | Should -Not -Match 'posture-uploader'
        $f.Detail | Should -Not -Match 'posture-foreign'
        $f.Fix | Should -Match 'Set-BackupBucketProtection -BucketName posture-deleters'
    }

    It 'the bucket policy''s delete protection takes the version deletes away: only object deletes are left, a warning on a versioned bucket' {
        Set-BackupBucketProtection -BucketName $script:delBucket -BreakGlassPrincipalArn 'arn:aws:iam::123456789012:role/backup-break-glass' -Force -Confirm:$false | Out-Null
        $warn = Get-Finding (Get-BackupBucketPosture -BucketName $script:delBucket) IdentityPolicies
        $warn.Status | Should -Be 'Warn'
        $warn.Detail | Should -Match 'user posture-pruner \(s3:DeleteObject by'
        $warn.Detail | Should -Match 'user posture-purger \(s3:DeleteObject by'
        $warn.Detail | Should -Not -Match 'DeleteObjectVersion'
        $warn.Detail | Should -Match 'versioning keeps the old versions'
    }

    It 'passes, naming the users checked, once no module user may delete' {
        'posture-pruner', 'posture-purger' | ForEach-Object { Remove-BackupUser -UserName $_ -Confirm:$false -ErrorAction Stop | Out-Null }
        $pass = Get-Finding (Get-BackupBucketPosture -BucketName $script:delBucket) IdentityPolicies
        $pass.Status | Should -Be 'Pass'
        $pass.Detail | Should -Match 'posture-uploader'
        $pass.Detail | Should -Not -Match 'posture-pruner|posture-foreign'
    }
}
