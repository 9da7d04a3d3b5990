# The offline policy cmdlets, run through the built module in pwsh: presets, policy building, simulation, linting.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-BuiltModule
    $script:tmp = Join-Path ([System.IO.Path]::GetTempPath()) ("bi-offline-" + [guid]::NewGuid())
    $null = New-Item -ItemType Directory -Path $script:tmp
}

AfterAll {
    Remove-Item -Recurse -Force $script:tmp -ErrorAction SilentlyContinue
}

Describe 'Get-BackupPreset' {
    It 'lists the six presets of the five setups' {
        $presets = Get-BackupPreset
        $presets.Name | Should -Be @('UploadOnly', 'WriteOnly', 'ReadWriteDelete', 'Rclone', 'UpdraftPlus', 'UpdraftPlusSecure')
        ($presets.Setup | Sort-Object -Unique) | Should -Be @(1, 2, 3, 4, 5)
        $presets | ForEach-Object { $_.PSObject.TypeNames[0] | Should -Be 'BackupIam.BackupPresetInfo' }
    }

    It 'filters with wildcards' {
        (Get-BackupPreset -Name Updraft*).Name | Should -Be @('UpdraftPlus', 'UpdraftPlusSecure')
    }

    It 'reports an unknown name with the valid names' {
        $err = $null
        $null = Get-BackupPreset -Name NoSuchPreset -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PresetNotFound*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err[0].Exception.Message | Should -Match 'UploadOnly'
    }

    It 'warns in the WriteOnly description that HeadObject reveals existence' {
        (Get-BackupPreset WriteOnly).Description | Should -Match 'HeadObject'
    }
}

Describe 'New-BackupPolicy' {
    It 'builds the upload-only policy exactly' {
        $p = New-BackupPolicy -Preset UploadOnly -BucketName your-bucket-name -Prefix backup/ -PolicyName UploadFilesToBackup
        $p.PSObject.TypeNames[0] | Should -Be 'BackupIam.BackupPolicy'
        $p.PolicyName | Should -Be 'UploadFilesToBackup'
        $p.Kind | Should -Be 'Identity'
        $doc = $p.PolicyDocument | ConvertFrom-Json
        $doc.Version | Should -Be '2012-10-17'
        @($doc.Statement).Count | Should -Be 1
        $doc.Statement[0].Effect | Should -Be 'Allow'
        $doc.Statement[0].Action | Should -Be 's3:PutObject'
        $doc.Statement[0].Resource | Should -Be 'arn:aws:s3:::your-bucket-name/backup/*'
    }

    It 'binds Name from Get-BackupPreset by property name' {
        $p = Get-BackupPreset -Name ReadWriteDelete | New-BackupPolicy -BucketName backup-bucket
        $p.Preset | Should -Be 'ReadWriteDelete'
        ($p.PolicyDocument | ConvertFrom-Json).Statement[0].Action | Should -Be @('s3:GetObject', 's3:PutObject', 's3:DeleteObject')
    }

    It 'derives the rclone parent levels from the prefix' {
        $doc = (New-BackupPolicy -Preset Rclone -BucketName b1-bucket -Prefix a/b/c/).PolicyDocument | ConvertFrom-Json
        $parents = $doc.Statement | Where-Object { $_.Condition.StringEquals } | Select-Object -First 1
        $parents.Condition.StringEquals.'s3:prefix' | Should -Be @('', 'a/', 'a/b/', 'a/b/c/')
        $parents.Condition.StringEquals.'s3:delimiter' | Should -Be '/'
    }

    It 'adds only what an option names' {
        $plain = (New-BackupPolicy -Preset Rclone -BucketName b1-bucket -Prefix backups/dataset-1/).PolicyDocument
        $multi = (New-BackupPolicy -Preset Rclone -BucketName b1-bucket -Prefix backups/dataset-1/ -AllowMultipart).PolicyDocument
        $plain | Should -Not -Match 'AbortMultipartUpload'
        $multi | Should -Match 's3:AbortMultipartUpload'
        $multi | Should -Match 's3:ListMultipartUploadParts'
        $multi | Should -Match 's3:ListBucketMultipartUploads'
    }

    It 'refuses an invalid bucket name, naming the parameter and the rule' {
        { New-BackupPolicy -Preset UploadOnly -BucketName 'Bad_Bucket' -ErrorAction Stop } | Should -Throw -ErrorId 'BucketNameInvalid*'
        try { New-BackupPolicy -Preset UploadOnly -BucketName 'Bad_Bucket' -ErrorAction Stop } catch { $e = $_ }
        $e.Exception.Message | Should -Match 'BucketName'
        $e.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $e.TargetObject | Should -Be 'Bad_Bucket'
    }

    It 'refuses a wildcard prefix' {
        { New-BackupPolicy -Preset UploadOnly -BucketName good-bucket -Prefix 'backup/*' -ErrorAction Stop } | Should -Throw -ErrorId 'PrefixInvalid*'
    }

    It 'refuses an option the preset does not support' {
        { New-BackupPolicy -Preset UploadOnly -BucketName good-bucket -AllowMultipart -ErrorAction Stop } | Should -Throw -ErrorId 'PresetOptionNotSupported*'
    }

    It 'builds a bucket policy with a Principal' {
        $p = New-BackupPolicy -Preset ReadWriteDelete -BucketName good-bucket -AsBucketPolicy -PrincipalArn arn:aws:iam::123456789012:user/backup
        $p.Kind | Should -Be 'Bucket'
        ($p.PolicyDocument | ConvertFrom-Json).Statement[0].Principal.AWS | Should -Be 'arn:aws:iam::123456789012:user/backup'
    }
}

Describe 'New-WriteOnlyBucketPolicy' {
    It 'builds setup 2 from a user name and account id' {
        $p = New-WriteOnlyBucketPolicy -BucketName my-backup-bucket -UserName backup -AccountId 123456789012
        $doc = $p.PolicyDocument | ConvertFrom-Json
        $bucket = $doc.Statement | Where-Object Sid -EQ 'BucketPermissions'
        $objects = $doc.Statement | Where-Object Sid -EQ 'ObjectPermissions'
        $bucket.Action | Should -Be @('s3:ListBucket', 's3:GetBucketLocation')
        $bucket.Resource | Should -Be 'arn:aws:s3:::my-backup-bucket'
        $objects.Action | Should -Be @('s3:PutObject', 's3:PutObjectAcl')
        $objects.Resource | Should -Be 'arn:aws:s3:::my-backup-bucket/*'
        $bucket.Principal.AWS | Should -Be 'arn:aws:iam::123456789012:user/backup'
    }

    It 'drops ListBucket for true write-only' {
        $doc = (New-WriteOnlyBucketPolicy -BucketName my-backup-bucket -PrincipalArn arn:aws:iam::123456789012:user/backup -NoListBucket).PolicyDocument
        $doc | Should -Not -Match 's3:ListBucket'
        $doc | Should -Match 's3:GetBucketLocation'
    }

    It 'binds Arn by property name' {
        $user = [pscustomobject]@{ Arn = 'arn:aws:iam::111122223333:user/piped' }
        $p = $user | New-WriteOnlyBucketPolicy -BucketName my-backup-bucket
        $p.PrincipalArn | Should -Be 'arn:aws:iam::111122223333:user/piped'
    }

    It 'refuses a malformed account id' {
        { New-WriteOnlyBucketPolicy -BucketName my-backup-bucket -UserName backup -AccountId 12345 -ErrorAction Stop } | Should -Throw -ErrorId 'AccountIdInvalid*'
    }

    It 'refuses a bad user name naming -UserName, and points a pasted ARN to -PrincipalArn' {
        try { New-WriteOnlyBucketPolicy -BucketName my-backup-bucket -UserName 'bad user' -AccountId 123456789012 -ErrorAction Stop } catch { $e = $_ }
        $e.FullyQualifiedErrorId | Should -BeLike 'UserNameInvalid*'
        $e.Exception.ParameterName | Should -Be 'UserName'
        $e.TargetObject | Should -Be 'bad user'
        $e = $null
        try { New-WriteOnlyBucketPolicy -BucketName my-backup-bucket -UserName 'arn:aws:iam::123456789012:user/backup' -AccountId 123456789012 -ErrorAction Stop } catch { $e = $_ }
        $e.FullyQualifiedErrorId | Should -BeLike 'UserNameInvalid*'
        $e.Exception.Message | Should -Match '-PrincipalArn'
    }
}

Describe 'Test-BackupPolicy' {
    It 'outputs the access matrix of a piped policy (two-cmdlet pipeline binding by property name)' {
        $matrix = New-BackupPolicy -Preset UploadOnly -BucketName your-bucket-name -Prefix backup/ | Test-BackupPolicy
        $matrix.Count | Should -BeGreaterThan 250
        $allowed = @($matrix | Where-Object Decision -EQ 'Allowed')
        $allowed.Count | Should -Be 1
        $allowed[0].Action | Should -Be 's3:PutObject'
        $allowed[0].Resource | Should -Be 'arn:aws:s3:::your-bucket-name/backup/example-object'
        $allowed[0].DecidedBy | Should -Match 'Statement\[0\]'
        ($matrix | Where-Object { $_.Action -eq 's3:PutObject' -and $_.ResourceKind -eq 'ObjectOutsidePrefix' }).Decision | Should -Be 'ImplicitDeny'
    }

    It 'decides single requests with a listing context' {
        $json = (New-BackupPolicy -Preset Rclone -BucketName b1-bucket -Prefix backups/dataset-1/).PolicyDocument
        $yes = Test-BackupPolicy -Policy $json -Action s3:ListBucket -Resource arn:aws:s3:::b1-bucket -Context @{ 's3:prefix' = 'backups/'; 's3:delimiter' = '/' }
        $no = Test-BackupPolicy -Policy $json -Action s3:ListBucket -Resource arn:aws:s3:::b1-bucket -Context @{ 's3:prefix' = 'backups/other/'; 's3:delimiter' = '/' }
        $yes.Decision | Should -Be 'Allowed'
        $no.Decision | Should -Be 'ImplicitDeny'
    }

    It 'lets an explicit Deny in a bucket policy win over an identity Allow' {
        $deny = '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::b1-bucket/*"}]}'
        $r = New-BackupPolicy -Preset ReadWriteDelete -BucketName b1-bucket |
            Test-BackupPolicy -BucketPolicy $deny -Action s3:DeleteObject, s3:GetObject -Resource arn:aws:s3:::b1-bucket/x
        ($r | Where-Object Action -EQ 's3:DeleteObject').Decision | Should -Be 'ExplicitDeny'
        ($r | Where-Object Action -EQ 's3:GetObject').Decision | Should -Be 'Allowed'
    }

    It 'reads policy files with -Path' {
        $file = Join-Path $script:tmp 'policy.json'
        (New-BackupPolicy -Preset ReadWriteDelete -BucketName b1-bucket).PolicyDocument | Set-Content $file
        $allowed = Test-BackupPolicy -Path $file -AllowedOnly
        ($allowed.Action | Sort-Object -Unique) | Should -Be @('s3:DeleteObject', 's3:GetObject', 's3:PutObject')
    }

    It 'reports no difference from its own preset and every difference from another' {
        $same = New-BackupPolicy -Preset Rclone -BucketName b1-bucket -Prefix backups/dataset-1/ | Test-BackupPolicy -Expect Rclone
        @($same).Count | Should -Be 0
        $drift = New-BackupPolicy -Preset ReadWriteDelete -BucketName b1-bucket | Test-BackupPolicy -Expect UploadOnly -Prefix ''
        $drift.Count | Should -BeGreaterThan 0
        ($drift | Where-Object { $_.Action -eq 's3:DeleteObject' }).Expected | Should -Be 'Denied'
        $drift[0].PSObject.TypeNames[0] | Should -Be 'BackupIam.BackupPolicyDifference'
    }

    It 'compares with an allowed-action list' {
        $policy = New-BackupPolicy -Preset ReadWriteDelete -BucketName b1-bucket
        @($policy | Test-BackupPolicy -Expect s3:GetObject, s3:PutObject, s3:DeleteObject).Count | Should -Be 0
        $diff = $policy | Test-BackupPolicy -Expect s3:PutObject
        ($diff.Action | Sort-Object -Unique) | Should -Be @('s3:DeleteObject', 's3:GetObject')
    }

    It 'gives aws:username only to users, not to roles' {
        $homeDirs = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bbb/home/${aws:username}/*"}]}'
        ($homeDirs | Test-BackupPolicy -Action s3:GetObject -Resource arn:aws:s3:::bbb/home/backup-role/x -PrincipalArn arn:aws:iam::123456789012:role/backup-role).Decision | Should -Be 'ImplicitDeny'
        ($homeDirs | Test-BackupPolicy -Action s3:GetObject -Resource arn:aws:s3:::bbb/home/alice/x -PrincipalArn arn:aws:iam::123456789012:user/alice).Decision | Should -Be 'Allowed'
    }

    It 'names -AccountId for a malformed account id' {
        try { '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}' | Test-BackupPolicy -Action s3:GetObject -AccountId 12345 -ErrorAction Stop } catch { $e = $_ }
        $e.FullyQualifiedErrorId | Should -BeLike 'AccountIdInvalid*'
        $e.Exception.ParameterName | Should -Be 'AccountId'
    }

    It 'names the statement and field of a malformed policy' {
        $bad = '{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Alow","Action":"s3:PutObject","Resource":"*"}]}'
        try { Test-BackupPolicy -Policy $bad -ErrorAction Stop } catch { $e = $_ }
        $e.FullyQualifiedErrorId | Should -BeLike 'PolicyGrammarInvalid*'
        $e.Exception.Message | Should -Match 'Statement\[0\]'
        $e.Exception.Message | Should -Match 'Effect'
    }
}

Describe 'Get-BackupPolicyFinding' {
    It 'finds the mistakes of a blog rclone policy' {
        $blog = @'
{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":["s3:ListBucket"],"Resource":"arn:aws:s3:::bkt/backups/*"},
 {"Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:AbortMultipartUploads3:ListMultipartUploadParts","s3:HeadBucket"],"Resource":"arn:aws:s3:::bkt/backups/*"}]}
'@
        $findings = $blog | Get-BackupPolicyFinding -VersioningEnabled $true
        ($findings | Where-Object Id -EQ 'UnknownAction').Count | Should -Be 2
        ($findings | Where-Object Id -EQ 'ResourceTypeMismatch').Statement | Should -Be 0
        ($findings | Where-Object Id -EQ 'UnknownAction' | Where-Object Action -Match 'HeadBucket').Fix | Should -Match 's3:ListBucket'
        $findings | ForEach-Object { $_.Fix | Should -Not -BeNullOrEmpty }
    }

    It 'flags deletes in a write-only policy and PutObjectAcl' {
        $f = New-BackupPolicy -Preset ReadWriteDelete -BucketName b1-bucket | Get-BackupPolicyFinding -WriteOnly -VersioningEnabled $true
        $f.Id | Should -Contain 'DeleteInWriteOnlyPolicy'
        $w = New-WriteOnlyBucketPolicy -BucketName b1-bucket -UserName u -AccountId 123456789012 | Get-BackupPolicyFinding
        $w.Id | Should -Contain 'ObjectAclCanMakePublic'
        $w.Id | Should -Contain 'OverwritableBackups'
        ($w | Get-Member -MemberType Property).Name | Should -Contain 'Fix'
    }

    It 'honours the size limit of the container' {
        $statements = 1..60 | ForEach-Object { '{"Sid":"S' + $_ + '","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket-number-' + $_ + '/some/long/prefix/*"}' }
        $big = '{"Version":"2012-10-17","Statement":[' + ($statements -join ',') + ']}'
        ($big | Get-BackupPolicyFinding -Container UserInline).Id | Should -Contain 'PolicyTooLarge'
        ($big | Get-BackupPolicyFinding -Container RoleInline).Id | Should -Not -Contain 'PolicyTooLarge'
    }

    It 'filters by severity' {
        $f = New-WriteOnlyBucketPolicy -BucketName b1-bucket -UserName u -AccountId 123456789012 | Get-BackupPolicyFinding -MinimumSeverity Error
        @($f).Count | Should -Be 0
    }
}
