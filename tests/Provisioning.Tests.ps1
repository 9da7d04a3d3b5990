# The five setups as pipelines against a real moto server (IAM, STS, S3). Write calls are counted by the SERVER's
# own request recording: the first run makes exactly one write per resource, a re-run makes none, -WhatIf makes none.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    # Every cmdlet reaches moto through the SDKs' standard endpoint variable; no -EndpointUrl needed.
    $script:moto = Enter-MotoTestSession -AccessKey 'AKIAPROVISIONTEST01' -SecretKey 'provisioning-test-secret-not-real'
    $script:creds = Join-Path ([System.IO.Path]::GetTempPath()) ("bi-creds-" + [guid]::NewGuid())

    function Invoke-Recorded {
        # Runs a setup and returns its outputs and the write calls the server received while it ran.
        param([scriptblock] $Setup, [switch] $WhatIf)
        Start-MotoRecording -Url $script:moto.Url
        $outputs = @(& $Setup -WhatIf:$WhatIf)
        [pscustomobject]@{ Outputs = $outputs; Writes = @(Get-MotoWriteCall -Url $script:moto.Url) }
    }

    function Get-WriteSummary {
        param($Writes)
        @($Writes | ForEach-Object { "$($_.Service) $($_.Operation) $($_.Name)".Trim() } | Sort-Object)
    }

    $script:setups = @{
        1 = {
            param([switch] $WhatIf)
            New-BackupBucket -BucketName your-bucket-name -Folder backup/, backup/schemas/, backup/apps/ -WhatIf:$WhatIf
            $policy = New-BackupPolicy -Preset UploadOnly -BucketName your-bucket-name -Prefix backup/ -PolicyName UploadFilesToBackup
            New-BackupGroup -GroupName MySiteBackupUsers -WhatIf:$WhatIf | Set-BackupGroupPolicy -Policy $policy -WhatIf:$WhatIf
            New-BackupUser -UserName MySiteBackupUser -WhatIf:$WhatIf |
                Add-BackupUserToGroup -GroupName MySiteBackupUsers -WhatIf:$WhatIf |
                New-BackupAccessKey -StoreAs mysite-backup -StoreLocation $script:creds -WhatIf:$WhatIf
        }
        2 = {
            param([switch] $WhatIf)
            New-BackupBucket -BucketName my-backup-bucket -WhatIf:$WhatIf
            $user = New-BackupUser -UserName backup -WhatIf:$WhatIf
            $user
            $user | New-BackupAccessKey -WhatIf:$WhatIf
            $user | New-WriteOnlyBucketPolicy -BucketName my-backup-bucket | Set-BackupBucketPolicy -WhatIf:$WhatIf
        }
        3 = {
            param([switch] $WhatIf)
            New-BackupBucket -BucketName backup-bucket -WhatIf:$WhatIf
            New-BackupGroup -GroupName S3Backup -WhatIf:$WhatIf |
                Set-BackupGroupPolicy -Policy (New-BackupPolicy -Preset ReadWriteDelete -BucketName backup-bucket -PolicyName S3BackupPolicy) -WhatIf:$WhatIf
            New-BackupUser -UserName boto-backup -WhatIf:$WhatIf |
                Add-BackupUserToGroup -GroupName S3Backup -WhatIf:$WhatIf |
                New-BackupAccessKey -WhatIf:$WhatIf
        }
        4 = {
            param([switch] $WhatIf)
            New-BackupBucket -BucketName rclone-backups -WhatIf:$WhatIf
            New-BackupUser -UserName rclone -WhatIf:$WhatIf | New-BackupAccessKey -WhatIf:$WhatIf
            New-BackupPolicy -Preset Rclone -BucketName rclone-backups -Prefix backups/dataset-1/ -AllowMultipart -PolicyName RcloneDataset1 |
                Set-BackupUserPolicy -UserName rclone -WhatIf:$WhatIf
        }
        5 = {
            param([switch] $WhatIf)
            New-BackupBucket -BucketName wp-backups -WhatIf:$WhatIf |
                Enable-BackupVersioning -WhatIf:$WhatIf |
                Set-BackupLifecycle -NoncurrentVersionExpirationDays 30 -AbortIncompleteMultipartUploadDays 7 -WhatIf:$WhatIf
            New-BackupUser -UserName updraftplus -WhatIf:$WhatIf | New-BackupAccessKey -WhatIf:$WhatIf
            New-BackupPolicy -Preset UpdraftPlusSecure -BucketName wp-backups -PolicyName UpdraftPlusSecure |
                Set-BackupUserPolicy -UserName updraftplus -WhatIf:$WhatIf
        }
    }

    $bucketWrites = {
        param([string] $Bucket)
        "s3 PUT /$Bucket/ /$Bucket/", "s3 PUT /$Bucket/?publicAccessBlock /$Bucket/", "s3 PUT /$Bucket/?ownershipControls /$Bucket/", "s3 PUT /$Bucket/?encryption /$Bucket/",
            "s3 PUT /$Bucket/?tagging /$Bucket/"   # issue 15: the managed tag backupiam:managed=true
    }
    $script:expectedWrites = @{
        1 = @(& $bucketWrites 'your-bucket-name') + @(
            's3 PUT /your-bucket-name/backup/ /your-bucket-name/backup/', 's3 PUT /your-bucket-name/backup/schemas/ /your-bucket-name/backup/schemas/',
            's3 PUT /your-bucket-name/backup/apps/ /your-bucket-name/backup/apps/',
            'iam CreateGroup MySiteBackupUsers', 'iam PutGroupPolicy UploadFilesToBackup', 'iam CreateUser MySiteBackupUser',
            'iam AddUserToGroup MySiteBackupUser', 'iam CreateAccessKey MySiteBackupUser')
        2 = @(& $bucketWrites 'my-backup-bucket') + @('iam CreateUser backup', 'iam CreateAccessKey backup', 's3 PUT /my-backup-bucket/?policy /my-backup-bucket/')
        3 = @(& $bucketWrites 'backup-bucket') + @('iam CreateGroup S3Backup', 'iam PutGroupPolicy S3BackupPolicy', 'iam CreateUser boto-backup',
            'iam AddUserToGroup boto-backup', 'iam CreateAccessKey boto-backup')
        4 = @(& $bucketWrites 'rclone-backups') + @('iam CreateUser rclone', 'iam CreateAccessKey rclone', 'iam PutUserPolicy RcloneDataset1')
        # Issue 15: the module first records in a tag (backupiam:versioning) that it turned versioning on. Issue 16 round 5:
        # on a bucket New-BackupBucket creates, that record goes with its managed tag (one PUT ?tagging, not two).
        5 = @(& $bucketWrites 'wp-backups') + @('s3 PUT /wp-backups/?versioning /wp-backups/', 's3 PUT /wp-backups/?lifecycle /wp-backups/',
            'iam CreateUser updraftplus', 'iam CreateAccessKey updraftplus', 'iam PutUserPolicy UpdraftPlusSecure')
    }
}

AfterAll {
    Exit-MotoTestSession $script:moto
    Remove-Item -Force $script:creds -ErrorAction SilentlyContinue
}

Describe 'Setup <_>' -ForEach 1, 2, 3, 4, 5 {
    BeforeAll { $script:n = $_ }

    It 'under -WhatIf shows the plan and makes zero write calls' {
        $run = Invoke-Recorded -Setup $script:setups[$script:n] -WhatIf
        $run.Writes.Count | Should -Be 0 -Because ((Get-WriteSummary $run.Writes) -join '; ')
        $planned = @($run.Outputs | Where-Object { $_.PSObject.Properties['Status'] })
        $planned.Count | Should -BeGreaterThan 0
        $planned | ForEach-Object { $_.Status | Should -Be 'Planned' }
        # The last cmdlet of each pipeline reports what it would write.
        ($planned.Changes | Sort-Object -Unique) | Should -Contain 'iam:CreateAccessKey'
    }

    It 'makes exactly one write call per resource on the first run' {
        $run = Invoke-Recorded -Setup $script:setups[$script:n]
        Get-WriteSummary $run.Writes | Should -Be @($script:expectedWrites[$script:n] | Sort-Object)
        $results = @($run.Outputs | Where-Object { $_.PSObject.Properties['Status'] })
        $results | ForEach-Object { $_.Status | Should -BeIn 'Created', 'Updated', 'Unchanged' }
        ($results | Where-Object { $_.PSObject.TypeNames[0] -eq 'BackupIam.BackupAccessKey' }).Status | Should -Be 'Created'
        $key = $results | Where-Object { $_.PSObject.TypeNames[0] -eq 'BackupIam.BackupAccessKey' }
        $key.SecretAccessKey | Should -BeOfType [System.Security.SecureString]
        $key.AccessKeyId | Should -Match '^AKIA'
    }

    It 'makes zero write calls on a second run and reports everything Unchanged' {
        $run = Invoke-Recorded -Setup $script:setups[$script:n]
        $run.Writes.Count | Should -Be 0 -Because ((Get-WriteSummary $run.Writes) -join '; ')
        @($run.Outputs | Where-Object { $_.PSObject.Properties['Status'] }) | ForEach-Object {
            $_.Status | Should -Be 'Unchanged'
            $_.Changes.Count | Should -Be 0
        }
    }
}

Describe 'Provisioning details' {
    It 'stores -StoreAs keys in a profile with owner-only permissions' {
        $content = Get-Content -Raw $script:creds
        $content | Should -Match '\[mysite-backup\]'
        $content | Should -Match 'aws_access_key_id\s*=\s*AKIA'
        if (-not $IsWindows) { (& stat -c '%a' $script:creds) | Should -Be '600' }
    }

    It 'gives setup 2''s user no console password and exactly one key' {
        Start-MotoRecording -Url $script:moto.Url
        $key = New-BackupAccessKey -UserName backup
        $key.Status | Should -Be 'Unchanged'
        $key.SecretAccessKey | Should -BeNullOrEmpty
        (Get-MotoWriteCall -Url $script:moto.Url).Count | Should -Be 0
        $user = New-BackupUser -UserName backup -WarningVariable warnings
        $warnings.Count | Should -Be 0
    }

    It 'refuses a third access key before writing anything' {
        New-BackupUser -UserName two-keys | Out-Null
        New-BackupAccessKey -UserName two-keys | Out-Null
        (New-BackupAccessKey -UserName two-keys -Additional).Status | Should -Be 'Created'
        Start-MotoRecording -Url $script:moto.Url
        { New-BackupAccessKey -UserName two-keys -Additional -ErrorAction Stop } | Should -Throw -ErrorId 'AccessKeyLimitReached*'
        (Get-MotoWriteCall -Url $script:moto.Url).Count | Should -Be 0
    }

    It 'refuses a credentials file whose folder is a regular file before creating a key (issue 11)' {
        New-BackupUser -UserName store-fails | Out-Null
        # The credentials file's folder is a regular file: refused up front now (issue 11); a store that fails after the
        # key was made is taken back, as tests/faults/OrphanedKeys.Tests.ps1 shows through the fault proxy.
        $blocker = Join-Path ([System.IO.Path]::GetTempPath()) ("bi-blocker-" + [guid]::NewGuid())
        Set-Content -Path $blocker -Value 'not a folder'
        Start-MotoRecording -Url $script:moto.Url
        { New-BackupAccessKey -UserName store-fails -StoreAs x -StoreLocation (Join-Path $blocker 'credentials') -ErrorAction Stop } | Should -Throw -ErrorId 'CredentialFileNotWritable*'
        (Get-MotoWriteCall -Url $script:moto.Url).Count | Should -Be 0
        # A re-run with a usable location completes the job.
        (New-BackupAccessKey -UserName store-fails -StoreAs x -StoreLocation "$blocker.ini").Status | Should -Be 'Created'
        Remove-Item -Force $blocker, "$blocker.ini"
    }

    It 'refuses a folder as the credentials file before creating a key' {
        New-BackupUser -UserName store-folder | Out-Null
        Start-MotoRecording -Url $script:moto.Url
        { New-BackupAccessKey -UserName store-folder -StoreAs x -StoreLocation ([System.IO.Path]::GetTempPath()) -ErrorAction Stop } | Should -Throw -ErrorId 'CredentialFileNotWritable*'
        (Get-MotoWriteCall -Url $script:moto.Url).Count | Should -Be 0
    }

    It 'refuses bad input before any call reaches AWS' {
        Start-MotoRecording -Url $script:moto.Url
        { New-BackupBucket -BucketName 'Not_A_Bucket' -ErrorAction Stop } | Should -Throw -ErrorId 'BucketNameInvalid*'
        { New-BackupUser -UserName 'bad name!' -ErrorAction Stop } | Should -Throw -ErrorId 'IamUserNameInvalid*'
        { Set-BackupLifecycle -BucketName wp-backups -ErrorAction Stop } | Should -Throw -ErrorId 'LifecycleRuleEmpty*'
        { Set-BackupUserPolicy -UserName rclone -PolicyName P -PolicyDocument '{"Statement":[{"Effect":"Allow"}]}' -ErrorAction Stop } | Should -Throw -ErrorId 'PolicyGrammarInvalid*'
        (Get-MotoCall -Url $script:moto.Url).Count | Should -Be 0
    }

    It 'merges bucket policy statements by Sid and keeps the others' {
        $other = '{"Version":"2012-10-17","Statement":[{"Sid":"KeepMe","Effect":"Deny","Principal":"*","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::my-backup-bucket"}]}'
        (Set-BackupBucketPolicy -BucketName my-backup-bucket -PolicyDocument $other).Status | Should -Be 'Updated'
        $merged = New-WriteOnlyBucketPolicy -BucketName my-backup-bucket -UserName backup -AccountId 123456789012 -NoListBucket | Set-BackupBucketPolicy -Confirm:$false
        $merged.Kept | Should -Contain 'KeepMe'
        $merged.Replaced | Should -Contain 'BucketPermissions'
        $sids = ($merged.PolicyDocument | ConvertFrom-Json).Statement.Sid
        $sids | Should -Contain 'KeepMe'
        $sids | Should -Contain 'ObjectPermissions'
        $replaced = Set-BackupBucketPolicy -BucketName my-backup-bucket -PolicyDocument $other -Replace -Confirm:$false
        @(($replaced.PolicyDocument | ConvertFrom-Json).Statement).Count | Should -Be 1
    }

    It 'reports whether a changed inline policy was rewritten' {
        $first = New-BackupPolicy -Preset Rclone -BucketName rclone-backups -Prefix backups/dataset-1/ -PolicyName RcloneDataset1 | Set-BackupUserPolicy -UserName rclone
        $first.Changed | Should -BeTrue
        $first.Status | Should -Be 'Updated'
        $again = New-BackupPolicy -Preset Rclone -BucketName rclone-backups -Prefix backups/dataset-1/ -PolicyName RcloneDataset1 | Set-BackupUserPolicy -UserName rclone
        $again.Changed | Should -BeFalse
        $again.Status | Should -Be 'Unchanged'
    }

    It 'keeps other lifecycle rules when it sets its own' {
        $a = Set-BackupLifecycle -BucketName wp-backups -RuleId other-rule -Prefix logs/ -ExpirationDays 90 -Confirm:$false
        $a.OtherRules | Should -Be 1
        $b = Set-BackupLifecycle -BucketName wp-backups -NoncurrentVersionExpirationDays 30 -AbortIncompleteMultipartUploadDays 7
        $b.Status | Should -Be 'Unchanged'
        $b.OtherRules | Should -Be 1
    }

    It 'names the missing group when a user is added to a group that does not exist' {
        New-BackupUser -UserName orphan-check | Out-Null
        { Add-BackupUserToGroup -UserName orphan-check -GroupName NoSuchGroup -ErrorAction Stop } | Should -Throw -ErrorId 'IamGroupNotFound*'
        try { Add-BackupUserToGroup -UserName orphan-check -GroupName NoSuchGroup -ErrorAction Stop } catch { $e = $_ }
        $e.TargetObject | Should -Be 'NoSuchGroup'
        $e.CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'checks a later stage''s parameters before an earlier stage writes anything' {
        Start-MotoRecording -Url $script:moto.Url
        { New-BackupBucket -BucketName never-made-bucket | Enable-BackupVersioning | Set-BackupLifecycle -NoncurrentVersionExpirationDays 0 -ErrorAction Stop } |
            Should -Throw -ErrorId 'LifecycleDaysInvalid*'
        { New-BackupUser -UserName never-made-user | Add-BackupUserToGroup -GroupName 'bad group!' -ErrorAction Stop } |
            Should -Throw -ErrorId 'IamGroupNameInvalid*'
        { New-BackupUser -UserName never-made-user | New-BackupAccessKey -StoreAs 'bad profile name' -ErrorAction Stop } |
            Should -Throw -ErrorId 'ProfileNameInvalid*'
        (Get-MotoCall -Url $script:moto.Url).Count | Should -Be 0
    }

    It 'never overwrites a credentials profile that holds somebody else''s key, unless -Force' {
        $file = Join-Path ([System.IO.Path]::GetTempPath()) ("bi-admin-creds-" + [guid]::NewGuid())
        Set-Content -Path $file -Value "[admin]`naws_access_key_id = AKIAADMINKEEPME00001`naws_secret_access_key = keep-me"
        New-BackupUser -UserName profile-guard | Out-Null
        Start-MotoRecording -Url $script:moto.Url
        { New-BackupAccessKey -UserName profile-guard -StoreAs admin -StoreLocation $file -ErrorAction Stop } | Should -Throw -ErrorId 'CredentialProfileExists*'
        (Get-MotoWriteCall -Url $script:moto.Url).Count | Should -Be 0
        (Get-Content -Raw $file) | Should -Match 'AKIAADMINKEEPME00001'
        $key = New-BackupAccessKey -UserName profile-guard -StoreAs admin -StoreLocation $file -Force
        $key.Status | Should -Be 'Created'
        (Get-Content -Raw $file) | Should -Match $key.AccessKeyId
        Remove-Item -Force $file
    }

    It 'never overwrites a role profile either, and refuses storage options without -StoreAs' {
        $file = Join-Path ([System.IO.Path]::GetTempPath()) ("bi-role-creds-" + [guid]::NewGuid())
        Set-Content -Path $file -Value "[prodrole]`nrole_arn = arn:aws:iam::123456789012:role/prod`nsource_profile = default"
        New-BackupUser -UserName role-guard | Out-Null
        Start-MotoRecording -Url $script:moto.Url
        { New-BackupAccessKey -UserName role-guard -StoreAs prodrole -StoreLocation $file -ErrorAction Stop } | Should -Throw -ErrorId 'CredentialProfileExists*'
        { New-BackupAccessKey -UserName role-guard -StoreLocation $file -ErrorAction Stop } | Should -Throw -ErrorId 'StoreAsRequired*'
        (Get-MotoWriteCall -Url $script:moto.Url).Count | Should -Be 0
        (Get-Content -Raw $file) | Should -Match 'role_arn'
        Remove-Item -Force $file
    }

    It 'refuses a policy statement without Resource before anything is created' {
        Start-MotoRecording -Url $script:moto.Url
        { New-BackupGroup -GroupName never-made-group | Set-BackupGroupPolicy -PolicyName P -PolicyDocument '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject"}]}' -ErrorAction Stop } |
            Should -Throw -ErrorId 'PolicyStatementWithoutResource*'
        (Get-MotoCall -Url $script:moto.Url).Count | Should -Be 0
    }

    It 'stays quiet on a re-run when the profile already holds the user''s key' {
        $again = New-BackupUser -UserName MySiteBackupUser | New-BackupAccessKey -StoreAs mysite-backup -StoreLocation $script:creds -WarningVariable warnings
        $again.Status | Should -Be 'Unchanged'
        $again.StoredAs | Should -Be 'mysite-backup'
        $warnings.Count | Should -Be 0
    }

    It 'refuses to expire a whole bucket without -Prefix, unless -Force' {
        Start-MotoRecording -Url $script:moto.Url
        { Set-BackupLifecycle -BucketName wp-backups -RuleId expire-all -ExpirationDays 1 -ErrorAction Stop } | Should -Throw -ErrorId 'LifecycleExpirationNeedsPrefix*'
        (Get-MotoWriteCall -Url $script:moto.Url).Count | Should -Be 0
        (Set-BackupLifecycle -BucketName wp-backups -RuleId expire-tmp -Prefix tmp/ -ExpirationDays 1 -Confirm:$false).Status | Should -Be 'Created'
        (Set-BackupLifecycle -BucketName wp-backups -RuleId expire-all -ExpirationDays 400 -Force -Confirm:$false).Status | Should -Be 'Created'
    }
}
