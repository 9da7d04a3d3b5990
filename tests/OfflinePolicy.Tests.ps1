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
    It 'lists the six presets of the five setups, then the tool presets and OwnerRestore' {
        # Issue 13 added the tool presets (Setup 0) after the six setup presets.
        $presets = Get-BackupPreset
        ($presets | Where-Object Setup -GT 0).Name | Should -Be @('UploadOnly', 'WriteOnly', 'ReadWriteDelete', 'Rclone', 'UpdraftPlus', 'UpdraftPlusSecure')
        ($presets | Where-Object Setup -EQ 0).Name | Should -Be @('RcloneCopy', 'Restic', 'ResticNoDelete', 'S3cmd', 'AwsCli', 'OwnerRestore')
        ($presets.Setup | Sort-Object -Unique) | Should -Be @(0, 1, 2, 3, 4, 5)
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
        # Issue 13: one Allow as before, then the hardening Deny statements (they hold on Ceph RGW).
        @($doc.Statement | Where-Object Effect -EQ 'Allow').Count | Should -Be 1
        $doc.Statement[0].Effect | Should -Be 'Allow'
        $doc.Statement[0].Action | Should -Be 's3:PutObject'
        $doc.Statement[0].Resource | Should -Be 'arn:aws:s3:::your-bucket-name/backup/*'
        ($doc.Statement | Where-Object Effect -EQ 'Deny').Sid | Should -Be @('DenyPublicAcl', 'DenyReadDeleteAndChanges', 'DenyCreateBucket')
    }

    It 'offers exactly the catalogue''s presets in -Preset''s ValidateSet' {
        $validSet = (Get-Command New-BackupPolicy).Parameters['Preset'].Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] }
        $validSet.ValidValues | Should -Be @((Get-BackupPreset).Name)
    }

    It 'builds the tool presets, with the client flag and the RequireBucketOwnerFullControl option' {
        $tools = Get-BackupPreset | Where-Object Tool
        $tools.Name | Should -Be @('Rclone', 'RcloneCopy', 'Restic', 'ResticNoDelete', 'S3cmd', 'AwsCli')
        ($tools | Where-Object Name -EQ 'AwsCli').ClientFlag | Should -Be '--acl bucket-owner-full-control'
        $doc = (New-BackupPolicy -Preset AwsCli -BucketName your-bucket-name -RequireBucketOwnerFullControl).PolicyDocument | ConvertFrom-Json
        $require = $doc.Statement | Where-Object Sid -EQ 'DenyWithoutBucketOwnerFullControl'
        $require.Condition.StringNotEquals.'s3:x-amz-acl' | Should -Be 'bucket-owner-full-control'
        { New-BackupPolicy -Preset Restic -BucketName your-bucket-name -RequireBucketOwnerFullControl -ErrorAction Stop } | Should -Throw -ErrorId 'PresetOptionNotSupported*'
        { New-BackupPolicy -Preset Duplicity -BucketName your-bucket-name -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
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

    It 'outputs the prefix in its normalized form' {
        (New-BackupPolicy -Preset UploadOnly -BucketName good-bucket -Prefix '/backup').Prefix | Should -Be 'backup/'
        (New-WriteOnlyBucketPolicy -BucketName good-bucket -UserName backup -AccountId 123456789012 -Prefix 'data').Prefix | Should -Be 'data/'
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
        # Issue 13: no Allow grants s3:ListBucket, and the hardening now denies it explicitly.
        $statements = ($doc | ConvertFrom-Json).Statement
        ($statements | Where-Object Effect -EQ 'Allow').Action | Should -Not -Contain 's3:ListBucket'
        ($statements | Where-Object Effect -EQ 'Allow').Action | Should -Contain 's3:GetBucketLocation'
        ($statements | Where-Object Effect -EQ 'Deny').Action | Should -Contain 's3:ListBucket'
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

    It 'reads the prefix of a pasted policy from its object ARNs, with a warning' {
        $pasted = '{"Version":"2012-10-17","Statement":[{"Sid":"UploadFilesToBackup","Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::your-bucket-name/backup/*"}]}'
        $allowed = @($pasted | Test-BackupPolicy -AllowedOnly -WarningVariable warn -WarningAction SilentlyContinue)
        $allowed.Count | Should -Be 1
        $allowed[0].Resource | Should -Be 'arn:aws:s3:::your-bucket-name/backup/example-object'
        "$warn" | Should -Match "backup/"
        @($pasted | Test-BackupPolicy -Expect UploadOnly -WarningAction SilentlyContinue).Count | Should -Be 0
    }

    It 'keeps deciding (-Action) and drift (-Expect) apart, and honours -Context in the matrix' {
        $json = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}'
        { $json | Test-BackupPolicy -BucketName bbb-bucket -Expect UploadOnly -Action s3:PutObject -ErrorAction Stop } | Should -Throw -ErrorId 'AmbiguousParameterSet*'
        $sets = (Get-Command Test-BackupPolicy).ParameterSets
        ($sets | Where-Object { $_.Parameters.Name -contains 'Resource' }).Name | Sort-Object | Should -Be @('InputDecide', 'PathDecide')
        ($sets | Where-Object { $_.Parameters.Name -contains 'Expect' }).Name | Sort-Object | Should -Be @('InputExpect', 'PathExpect')
        ($sets | Where-Object { $_.Parameters.Name -contains 'Context' }).Name | Sort-Object | Should -Be @('Input', 'InputDecide', 'Path', 'PathDecide')
        $ip = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::bbb-bucket/*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]}'
        @($ip | Test-BackupPolicy -AllowedOnly -Prefix '').Count | Should -Be 0
        @($ip | Test-BackupPolicy -AllowedOnly -Prefix '' -Context @{ 'aws:SourceIp' = '203.0.113.5' }).Action | Should -Be 's3:PutObject'
    }

    It 'decides -Action on the natural resource of the policy''s bucket and checks action names' {
        $json = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::bbb-bucket/*"}]}'
        $d = $json | Test-BackupPolicy -Action PutObject
        $d.Action | Should -Be 's3:PutObject'
        $d.Resource | Should -Be 'arn:aws:s3:::bbb-bucket/example-object'
        $d.Decision | Should -Be 'Allowed'
        try { $json | Test-BackupPolicy -Action s3:PutObjec -ErrorAction Stop } catch { $e = $_ }
        $e.FullyQualifiedErrorId | Should -BeLike 'ActionUnknown*'
        $e.Exception.ParameterName | Should -Be 'Action'
        $e.Exception.Message | Should -Match "s3:PutObject'"
        { $json | Test-BackupPolicy -Action 's3:Put*' -ErrorAction Stop } | Should -Throw -ErrorId 'ActionWildcardNotAllowed*'
        { $json | Test-BackupPolicy -Action s3:GetObject -Resource 'bbb-bucket/x' -ErrorAction Stop } | Should -Throw -ErrorId 'ResourceInvalid*'
    }

    It 'reads one -Expect action, action patterns, and reports an expected action allowed outside the scope' {
        @(New-BackupPolicy -Preset UploadOnly -BucketName my-bucket | Test-BackupPolicy -Expect PutObject).Count | Should -Be 0
        @(New-BackupPolicy -Preset ReadWriteDelete -BucketName my-bucket | Test-BackupPolicy -Expect 's3:*Object').Count | Should -Be 0
        $anywhere = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}'
        $diff = $anywhere | Test-BackupPolicy -BucketName my-bucket -Prefix backup/ -Expect s3:PutObject
        ($diff.ResourceKind | Sort-Object) | Should -Be @('ObjectOutsidePrefix', 'OtherBucketObject')
    }

    It 'compares with an expected policy object, so preset options can be expected' {
        $multi = New-BackupPolicy -Preset Rclone -BucketName my-bucket -AllowMultipart
        @($multi | Test-BackupPolicy -Expect (New-BackupPolicy -Preset Rclone -BucketName my-bucket -AllowMultipart)).Count | Should -Be 0
        @($multi | Test-BackupPolicy -Expect (New-BackupPolicy -Preset Rclone -BucketName my-bucket).PolicyDocument).Count | Should -Be 3
    }

    It 'names -Expect and the value for an unknown preset' {
        try { New-BackupPolicy -Preset Rclone -BucketName my-bucket | Test-BackupPolicy -Expect Rclon -ErrorAction Stop } catch { $e = $_ }
        $e.FullyQualifiedErrorId | Should -BeLike 'PresetNotFound*'
        $e.Exception.ParameterName | Should -Be 'Expect'
        $e.TargetObject | Should -Be 'Rclon'
        $e.Exception.Message | Should -Match "'Rclone'"
    }

    It 'takes Get-Content lines, ConvertFrom-Json objects, hashtables and URL-encoded documents' {
        $file = Join-Path $script:tmp 'lines.json'
        '{', '"Version":"2012-10-17",', '"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bbb-bucket/*"}', '}' | Set-Content $file
        (Get-Content $file | Test-BackupPolicy -Action s3:GetObject).Decision | Should -Be 'Allowed'
        (Get-Content $file -Raw | ConvertFrom-Json | Test-BackupPolicy -Action s3:GetObject).Decision | Should -Be 'Allowed'
        $table = @{ Version = '2012-10-17'; Statement = @(@{ Effect = 'Allow'; Action = 's3:GetObject'; Resource = 'arn:aws:s3:::bbb-bucket/*' }) }
        ($table | Test-BackupPolicy -Action s3:GetObject).Decision | Should -Be 'Allowed'
        $encoded = [pscustomobject]@{ PolicyName = 'inline'; PolicyDocument = [uri]::EscapeDataString((Get-Content $file -Raw)) }
        $d = $encoded | Test-BackupPolicy -Action s3:GetObject
        $d.Decision | Should -Be 'Allowed'
        $d.DecidedBy | Should -Match '^inline/'
        # Two whole documents, one per string, stay two policies.
        $two = '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bbb-bucket/*"}}', '{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"s3:GetObject","Resource":"*"}}'
        ($two | Test-BackupPolicy -Action s3:GetObject).Decision | Should -Be 'ExplicitDeny'
    }

    It 'refuses to decide when no policy was given' {
        try { @() | Test-BackupPolicy -Action s3:GetObject -BucketName bbb-bucket -ErrorAction Stop } catch { $e = $_ }
        $e.FullyQualifiedErrorId | Should -BeLike 'PolicyRequired*'
    }

    It 'names the statement and field of a malformed policy' {
        $bad = '{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Alow","Action":"s3:PutObject","Resource":"*"}]}'
        try { Test-BackupPolicy -Policy $bad -ErrorAction Stop } catch { $e = $_ }
        $e.FullyQualifiedErrorId | Should -BeLike 'PolicyGrammarInvalid*'
        $e.Exception.Message | Should -Match 'Statement\[0\]'
        $e.Exception.Message | Should -Match 'Effect'
    }
}

Describe 'Test-BackupPolicy with a bucket policy alone, and with a missing file' {
    It 'simulates a bucket policy on its own, recognised by its Principal' {
        $bp = New-WriteOnlyBucketPolicy -BucketName my-backup-bucket -UserName backup -AccountId 123456789012 -NoListBucket
        $allowed = Test-BackupPolicy -Policy $bp.PolicyDocument -AllowedOnly
        ($allowed.Action | Sort-Object -Unique) | Should -Be @('s3:GetBucketLocation', 's3:PutObject', 's3:PutObjectAcl')
    }

    It 'reports a missing file by its path and still simulates the others' {
        $file = Join-Path $script:tmp 'ok-policy.json'
        (New-BackupPolicy -Preset UploadOnly -BucketName my-backup-bucket).PolicyDocument | Set-Content $file
        $err = $null
        $out = Test-BackupPolicy -Path (Join-Path $script:tmp 'nope.json'), $file -AllowedOnly -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PathNotFound*'
        $out.Action | Should -Be 's3:PutObject'
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

    It 'lints Get-Content lines, ConvertFrom-Json objects and URL-encoded documents' {
        $file = Join-Path $script:tmp 'lint-lines.json'
        '{', '"Version":"2012-10-17",', '"Statement":{"Effect":"Allow","Action":"s3:HeadBucket","Resource":"*"}', '}' | Set-Content $file
        (Get-Content $file | Get-BackupPolicyFinding).Id | Should -Contain 'UnknownAction'
        (Get-Content $file -Raw | ConvertFrom-Json | Get-BackupPolicyFinding).Id | Should -Contain 'UnknownAction'
        ([uri]::EscapeDataString((Get-Content $file -Raw)) | Get-BackupPolicyFinding).Id | Should -Contain 'UnknownAction'
    }

    It 'filters by severity' {
        $f = New-WriteOnlyBucketPolicy -BucketName b1-bucket -UserName u -AccountId 123456789012 | Get-BackupPolicyFinding -MinimumSeverity Error
        @($f).Count | Should -Be 0
    }
}
