# Get-BackupUser and Get-BackupGroup (issue 15, Inspect) against a real moto server, through the BUILT module. A setup is
# made with the module's own cmdlets (New-BackupUser, New-BackupGroup, Set-Backup*Policy, New-BackupAccessKey,
# New-WriteOnlyBucketPolicy), plus what the module never makes (a second key made inactive, a managed policy with two
# versions, a console password, an MFA device) with the aws CLI; then the read cmdlets must show exactly that, make no
# write call, and list by the managed tag.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-BuiltModule
    $script:moto = Start-MotoServer
    $script:environment = Enter-AwsTestEnvironment -EndpointUrl $script:moto.Url -AccessKey 'AKIAINSPECTTEST00001' -SecretKey 'inspect-test-secret-not-real' -WorkPrefix 'inspect-'

    function Invoke-Aws {
        # The aws CLI against moto, as the admin; JSON answers as objects. A failure fails the test.
        param([Parameter(ValueFromRemainingArguments)] [string[]] $Arguments)
        $out = & aws --endpoint-url $script:moto.Url --output json @Arguments 2>&1
        if ($LASTEXITCODE -ne 0) { throw "aws $($Arguments -join ' ') failed: $out" }
        $text = ($out | Out-String).Trim()
        if ($text) { $text | ConvertFrom-Json }
    }

    function Invoke-Recorded {
        param([scriptblock] $Script)
        Start-MotoRecording -Url $script:moto.Url
        $items = [System.Collections.Generic.List[object]]::new()
        try { & $Script 2>&1 3>&1 | ForEach-Object { $items.Add($_) } }
        catch { $items.Add($_) }
        $calls = @(Get-MotoCall -Url $script:moto.Url)
        [pscustomobject]@{
            Outputs  = @($items | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] -and $_ -isnot [System.Management.Automation.WarningRecord] })
            Errors   = @($items | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
            Warnings = @($items | Where-Object { $_ -is [System.Management.Automation.WarningRecord] })
            Calls    = $calls
            Writes   = @($calls | Where-Object IsWrite | ForEach-Object Operation)
        }
    }

    # ---- the setup: an upload-only user, through a group, with a write-only bucket policy naming it
    $script:bucket = 'inspect-backups'
    $null = New-BackupBucket -BucketName $script:bucket -ErrorAction Stop
    $script:user = New-BackupUser -UserName insp-upload -ErrorAction Stop
    $null = $script:user | New-WriteOnlyBucketPolicy -BucketName $script:bucket | Set-BackupBucketPolicy -ErrorAction Stop
    $null = New-BackupGroup -GroupName InspectUploaders -ErrorAction Stop
    $upload = New-BackupPolicy -Preset UploadOnly -BucketName $script:bucket -Prefix backup/ -PolicyName GroupUpload
    $null = Set-BackupGroupPolicy -GroupName InspectUploaders -Policy $upload -ErrorAction Stop
    $null = Add-BackupUserToGroup -UserName insp-upload -GroupName InspectUploaders -ErrorAction Stop
    $list = '{"Version":"2012-10-17","Statement":[{"Sid":"ListBackups","Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::' + $script:bucket + '"}]}'
    $null = Set-BackupUserPolicy -UserName insp-upload -PolicyName ListBackups -PolicyDocument $list -ErrorAction Stop
    $script:key = New-BackupAccessKey -UserName insp-upload -ErrorAction Stop

    # A managed policy whose default version (v2) differs from v1: only v2 may show in the matrix.
    $v1 = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::' + $script:bucket + '/backup/*"}]}'
    $v2 = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObjectTagging","Resource":"arn:aws:s3:::' + $script:bucket + '/backup/*"}]}'
    $script:managedArn = (Invoke-Aws iam create-policy --policy-name InspectTagging --policy-document $v1).Policy.Arn
    $null = Invoke-Aws iam create-policy-version --policy-arn $script:managedArn --policy-document $v2 --set-as-default
    $null = Invoke-Aws iam attach-user-policy --user-name insp-upload --policy-arn $script:managedArn
    $null = Invoke-Aws iam attach-group-policy --group-name InspectUploaders --policy-arn $script:managedArn

    # The first key is used once (moto records its last use); a second one is made and deactivated.
    $secret = [System.Net.NetworkCredential]::new('', $script:key.SecretAccessKey).Password
    $savedKey = $env:AWS_ACCESS_KEY_ID; $savedSecret = $env:AWS_SECRET_ACCESS_KEY
    try {
        $env:AWS_ACCESS_KEY_ID = $script:key.AccessKeyId; $env:AWS_SECRET_ACCESS_KEY = $secret
        $null = Invoke-Aws s3api list-objects-v2 --bucket $script:bucket
    }
    finally { $env:AWS_ACCESS_KEY_ID = $savedKey; $env:AWS_SECRET_ACCESS_KEY = $savedSecret }
    $script:second = (Invoke-Aws iam create-access-key --user-name insp-upload).AccessKey.AccessKeyId
    $null = Invoke-Aws iam update-access-key --user-name insp-upload --access-key-id $script:second --status Inactive

    # What a backup user should not have: a console password and an MFA device.
    $null = Invoke-Aws iam create-login-profile --user-name insp-upload --password 'Inspect-Passw0rd!x'
    $seed = Join-Path ([System.IO.Path]::GetTempPath()) "inspect-mfa-$([guid]::NewGuid().ToString('N')).png"
    try { $script:mfa = (Invoke-Aws iam create-virtual-mfa-device --virtual-mfa-device-name insp-upload-mfa --outfile $seed --bootstrap-method QRCodePNG).VirtualMFADevice.SerialNumber }
    finally { Remove-Item $seed -ErrorAction SilentlyContinue }
    $null = Invoke-Aws iam enable-mfa-device --user-name insp-upload --serial-number $script:mfa --authentication-code1 123456 --authentication-code2 654321

    # Users and a group the module does not manage.
    $null = Invoke-Aws iam create-user --user-name insp-foreign
    $null = Invoke-Aws iam create-group --group-name InspectForeign
    $null = Invoke-Aws iam add-user-to-group --group-name InspectForeign --user-name insp-foreign
}

AfterAll {
    Stop-MotoServer $script:moto
    Exit-AwsTestEnvironment $script:environment
}

Describe 'Get-BackupUser shows what the backup key can do today' {
    BeforeAll {
        $script:run = Invoke-Recorded { Get-BackupUser -UserName insp-upload }
        $script:info = $script:run.Outputs | Select-Object -First 1
    }

    It 'writes one BackupUserInfo, no error, and makes no write call' {
        $script:run.Errors | Should -HaveCount 0
        $script:run.Outputs | Should -HaveCount 1
        $script:info | Should -BeOfType ([BackupIam.BackupUserInfo])
        $script:info.UserName | Should -Be 'insp-upload'
        $script:info.Arn | Should -Be 'arn:aws:iam::123456789012:user/insp-upload'
        $script:info.Managed | Should -BeTrue
        $script:info.Tags | Should -Contain 'backupiam:managed=true'
        $script:run.Writes | Should -HaveCount 0
        @($script:run.Calls.Operation) | Should -Contain 'GetAccessKeyLastUsed'
    }

    It 'shows exactly the two keys: status, age and the last use moto recorded' {
        $keys = $script:info.AccessKeys
        @($keys.AccessKeyId | Sort-Object) | Should -Be @(@($script:key.AccessKeyId, $script:second) | Sort-Object)
        $used = $keys | Where-Object AccessKeyId -EQ $script:key.AccessKeyId
        $used.Status | Should -Be 'Active'
        $used.AgeDays | Should -Be 0
        $used.LastUsedDate | Should -Not -BeNullOrEmpty
        $used.LastUsedService | Should -Be 's3'
        $used.LastUsedRegion | Should -Be 'us-east-1'
        $inactive = $keys | Where-Object AccessKeyId -EQ $script:second
        $inactive.Status | Should -Be 'Inactive'
        $inactive.LastUsedDate | Should -BeNullOrEmpty
        $inactive.LastUsedService | Should -BeNullOrEmpty
        $keys[0].PSObject.Properties.Name | Should -Not -Contain 'SecretAccessKey'
    }

    It 'shows the group with its inline and attached policies, and the user''s own' {
        $script:info.Groups | Should -HaveCount 1
        $group = $script:info.Groups[0]
        $group.GroupName | Should -Be 'InspectUploaders'
        $group.Members | Should -Be @('insp-upload')
        @($group.InlinePolicies.PolicyName) | Should -Be @('GroupUpload')
        $group.InlinePolicies[0].PolicyDocument | Should -Match 's3:PutObject'
        @($group.AttachedPolicies.PolicyArn) | Should -Be @($script:managedArn)
        @($script:info.InlinePolicies.PolicyName) | Should -Be @('ListBackups')
        $script:info.InlinePolicies[0].Owner | Should -Be 'user insp-upload'
        $attached = $script:info.AttachedPolicies
        @($attached.PolicyArn) | Should -Be @($script:managedArn)
        $attached[0].Kind | Should -Be 'Managed'
        $attached[0].VersionId | Should -Be 'v2'
        $attached[0].PolicyDocument | Should -Match 's3:GetObjectTagging'
        $attached[0].PolicyDocument | Should -Not -Match 's3:GetObject"'
    }

    It 'shows the console password and the MFA device' {
        $script:info.HasConsolePassword | Should -BeTrue
        $script:info.MfaDevices | Should -Be @($script:mfa)
    }

    It 'shows the bucket policy statements that name the user' {
        $script:info.Buckets | Should -Be @($script:bucket)
        $statements = @($script:info.BucketPolicyStatements)
        $statements.Count | Should -BeGreaterThan 0
        $statements | ForEach-Object { $_.BucketName | Should -Be $script:bucket; $_.Statement | Should -Match ([regex]::Escape($script:info.Arn)) }
        @($statements | Where-Object Effect -EQ 'Allow' | ForEach-Object Action) | Should -Contain 's3:PutObject'
    }

    It 'simulates everything together: upload allowed, delete denied, only the managed policy''s default version counts' {
        $access = $script:info.Access
        $decision = { param($action, $kind) ($access | Where-Object { $_.Action -eq $action -and $_.ResourceKind -eq $kind } | Select-Object -First 1).Decision }
        & $decision 's3:PutObject' 'ObjectInPrefix' | Should -Be 'Allowed'
        # The user's own inline policy allows listing; the group's hardened upload-only policy denies it: both were simulated.
        $list = $access | Where-Object { $_.Action -eq 's3:ListBucket' -and $_.ResourceKind -eq 'Bucket' }
        $list.Decision | Should -Be 'ExplicitDeny'
        $list.DecidedBy | Should -Match '^group/InspectUploaders/GroupUpload/'
        ($access | Where-Object { $_.Action -eq 's3:GetObjectTagging' -and $_.ResourceKind -eq 'ObjectInPrefix' }).DecidedBy | Should -Match '^managed/InspectTagging/'
        & $decision 's3:GetObjectTagging' 'ObjectInPrefix' | Should -Be 'Allowed'
        & $decision 's3:GetObject' 'ObjectInPrefix' | Should -Not -Be 'Allowed'
        & $decision 's3:DeleteObject' 'ObjectInPrefix' | Should -Match 'Deny'
        & $decision 's3:DeleteObjectVersion' 'ObjectInPrefix' | Should -Match 'Deny'
        & $decision 's3:PutObject' 'OtherBucketObject' | Should -Not -Be 'Allowed'
        $script:info.Allowed | Should -Contain 's3:PutObject backup/example-object'
        $script:info.Allowed -match 'Delete' | Should -BeNullOrEmpty
    }

    It 'IdentityPolicies holds the user''s own and its groups'' policies, which Test-BackupPolicy reads for a drift check' {
        @($script:info.IdentityPolicies | ForEach-Object { $_.Owner + ':' + $_.PolicyName }) | Should -Be @('user insp-upload:ListBackups', 'user insp-upload:InspectTagging', 'group InspectUploaders:GroupUpload', 'group InspectUploaders:InspectTagging')
        $drift = $script:info.IdentityPolicies | Test-BackupPolicy -Expect s3:PutObject, s3:GetObjectTagging -BucketName $script:bucket -Prefix backup/
        # The user's own ListBackups allows listing but the group's hardened policy denies it: nothing else is allowed.
        @($drift) | Should -HaveCount 0
        $drift = $script:info.IdentityPolicies | Test-BackupPolicy -Expect s3:PutObject -BucketName $script:bucket -Prefix backup/
        @($drift.Action) | Should -Be @('s3:GetObjectTagging')
    }

    It 'takes -BucketName: another bucket the policies do not name has nothing allowed' {
        $null = New-BackupBucket -BucketName inspect-elsewhere -ErrorAction Stop
        $other = Get-BackupUser -UserName insp-upload -BucketName inspect-elsewhere
        $other.Buckets | Should -Be @('inspect-elsewhere')
        $other.BucketPolicyStatements | Should -HaveCount 0
        @($other.Access | Where-Object Decision -EQ 'Allowed' | Where-Object ResourceKind -In 'Bucket', 'ObjectInPrefix') | Should -HaveCount 0
    }
}

Describe 'Get-BackupUser without -BucketName looks at the module''s buckets' {
    It 'finds a managed bucket whose policy names the user though no identity policy names it, and not an unmanaged one' {
        $user = New-BackupUser -UserName insp-bucketonly -ErrorAction Stop
        $null = New-BackupBucket -BucketName inspect-managed-only -ErrorAction Stop
        $null = $user | New-WriteOnlyBucketPolicy -BucketName inspect-managed-only | Set-BackupBucketPolicy -ErrorAction Stop
        # A bucket the module did not create (no backupiam:managed tag), with a policy naming the same user.
        $null = Invoke-Aws s3api create-bucket --bucket inspect-foreign-bucket
        $foreignPolicy = '{"Version":"2012-10-17","Statement":[{"Sid":"Foreign","Effect":"Allow","Principal":{"AWS":"' + $user.Arn + '"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::inspect-foreign-bucket/*"}]}'
        $null = Invoke-Aws s3api put-bucket-policy --bucket inspect-foreign-bucket --policy $foreignPolicy

        $info = Get-BackupUser -UserName insp-bucketonly -WarningAction SilentlyContinue
        $info.Buckets | Should -Be @('inspect-managed-only')
        @($info.BucketPolicyStatements.BucketName | Select-Object -Unique) | Should -Be @('inspect-managed-only')
        $info.Allowed | Should -Contain 's3:PutObject example-object'
        $info.Allowed -match 'GetObject ' | Should -BeNullOrEmpty

        # Given explicitly, the foreign bucket's statement is shown.
        $given = Get-BackupUser -UserName insp-bucketonly -BucketName inspect-foreign-bucket
        @($given.BucketPolicyStatements.Sid) | Should -Be @('Foreign')
        $given.Allowed | Should -Contain 's3:GetObject example-object'
    }
}

Describe 'Get-BackupUser finds the module''s users by its tag' {
    It 'lists the managed users and not an untagged one' {
        $names = @(Get-BackupUser -ErrorAction Stop | ForEach-Object UserName)
        $names | Should -Contain 'insp-upload'
        $names | Should -Not -Contain 'insp-foreign'
    }

    It 'New-BackupUser tags an existing user it is run for: -WhatIf shows the TagUser step, the run makes it listed' {
        $null = Invoke-Aws iam create-user --user-name insp-adopted
        $plan = Invoke-Recorded { New-BackupUser -UserName insp-adopted -WhatIf }
        $plan.Writes | Should -HaveCount 0
        $plan.Outputs[0].Changes | Should -Contain 'iam:TagUser'
        @(Get-BackupUser | ForEach-Object UserName) | Should -Not -Contain 'insp-adopted'

        $applied = Invoke-Recorded { New-BackupUser -UserName insp-adopted }
        $applied.Writes | Should -Be @('TagUser')
        @(Get-BackupUser | ForEach-Object UserName) | Should -Contain 'insp-adopted'
        (Invoke-Recorded { New-BackupUser -UserName insp-adopted }).Writes | Should -HaveCount 0
    }

    It 'a user created by New-BackupUser carries the tag from CreateUser on, beside the caller''s tags' {
        $null = New-BackupUser -UserName insp-new -Tag @{ Purpose = 'backup' } -ErrorAction Stop
        $tags = (Invoke-Aws iam list-user-tags --user-name insp-new).Tags
        @($tags | Where-Object Key -EQ 'backupiam:managed').Value | Should -Be 'true'
        @($tags | Where-Object Key -EQ 'Purpose').Value | Should -Be 'backup'
    }
}

Describe 'The managed tag is the module''s own' {
    It 'refuses another value for backupiam:managed, and a 50th tag of the caller''s, before any call' {
        $other = Invoke-Recorded { New-BackupUser -UserName insp-tagged -Tag @{ 'backupiam:managed' = 'false' } }
        $other.Errors[0].FullyQualifiedErrorId | Should -BeLike 'IamTagInvalid,*'
        $other.Errors[0].Exception.Message | Should -Match 'backupiam:managed'
        $other.Calls | Should -HaveCount 0
        $tags = @{}; 1..50 | ForEach-Object { $tags["k$_"] = 'v' }
        $many = Invoke-Recorded { New-BackupUser -UserName insp-tagged -Tag $tags }
        $many.Errors[0].FullyQualifiedErrorId | Should -BeLike 'IamTagInvalid,*'
        $many.Errors[0].Exception.Message | Should -Match 'at most 49'
        $many.Calls | Should -HaveCount 0
    }
}

Describe 'Get-BackupUser input' {
    It 'binds UserName by property name from New-BackupUser''s output and from any object' {
        @(New-BackupUser -UserName insp-upload | Get-BackupUser).UserName | Should -Be @('insp-upload')
        @([pscustomobject]@{ UserName = 'insp-upload' } | Get-BackupUser).UserName | Should -Be @('insp-upload')
        @(Get-BackupUser -UserName insp-upload | Get-BackupUser).UserName | Should -Be @('insp-upload')
    }

    It 'reports a missing user as IamUserNotFound (ObjectNotFound) and still shows the others' {
        $run = Invoke-Recorded { 'insp-missing', 'insp-upload' | Get-BackupUser }
        @($run.Outputs.UserName) | Should -Be @('insp-upload')
        $run.Errors | Should -HaveCount 1
        $run.Errors[0].FullyQualifiedErrorId | Should -BeLike 'IamUserNotFound,*'
        $run.Errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $run.Errors[0].TargetObject | Should -Be 'insp-missing'
    }

    It 'refuses a bad user or bucket name before any call' {
        $bad = Invoke-Recorded { Get-BackupUser -UserName 'bad name' }
        $bad.Errors[0].FullyQualifiedErrorId | Should -BeLike 'IamUserNameInvalid,*'
        $bad.Calls | Should -HaveCount 0
        $badBucket = Invoke-Recorded { Get-BackupUser -UserName insp-upload -BucketName 'Bad_Bucket' }
        $badBucket.Errors[0].FullyQualifiedErrorId | Should -BeLike 'BucketNameInvalid,*'
        $badBucket.Calls | Should -HaveCount 0
    }
}

Describe 'Get-BackupGroup' {
    It 'shows the members, inline and attached policies and the access of a member, with no write call' {
        $run = Invoke-Recorded { Get-BackupGroup -GroupName InspectUploaders }
        $run.Errors | Should -HaveCount 0
        $run.Writes | Should -HaveCount 0
        $group = $run.Outputs[0]
        $group | Should -BeOfType ([BackupIam.BackupGroupInfo])
        $group.Members | Should -Be @('insp-upload')
        @($group.InlinePolicies.PolicyName) | Should -Be @('GroupUpload')
        @($group.AttachedPolicies.PolicyArn) | Should -Be @($script:managedArn)
        $group.Buckets | Should -Be @($script:bucket)
        ($group.Access | Where-Object { $_.Action -eq 's3:PutObject' -and $_.ResourceKind -eq 'ObjectInPrefix' }).Decision | Should -Be 'Allowed'
        ($group.Access | Where-Object { $_.Action -eq 's3:DeleteObject' -and $_.ResourceKind -eq 'ObjectInPrefix' }).Decision | Should -Match 'Deny'
        # The user's own inline policy is not the group's.
        ($group.Access | Where-Object { $_.Action -eq 's3:ListBucket' -and $_.ResourceKind -eq 'Bucket' }).Decision | Should -Not -Be 'Allowed'
    }

    It 'without -GroupName lists the groups of managed users, not a group of untagged ones' {
        $names = @(Get-BackupGroup -ErrorAction Stop | ForEach-Object GroupName)
        $names | Should -Contain 'InspectUploaders'
        $names | Should -Not -Contain 'InspectForeign'
    }

    It 'binds GroupName by property name from New-BackupGroup''s output' {
        @(New-BackupGroup -GroupName InspectUploaders | Get-BackupGroup).GroupName | Should -Be @('InspectUploaders')
    }

    It 'reports a missing group as IamGroupNotFound (ObjectNotFound)' {
        $run = Invoke-Recorded { Get-BackupGroup -GroupName InspectMissing }
        $run.Outputs | Should -HaveCount 0
        $run.Errors[0].FullyQualifiedErrorId | Should -BeLike 'IamGroupNotFound,*'
        $run.Errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}

Describe 'Views of Get-BackupUser and Get-BackupGroup' {
    It 'the tables fit 120 columns and the list view shows the details' {
        $table = Get-BackupUser -UserName insp-upload | Out-String -Width 120
        $table -split "`n" | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 120 }
        $table | Should -Match 'insp-upload\s+2 \(1 act\.\)\s+\d{4}-\d\d-\d\d\s+InspectUploaders\s+yes\s+1\s+GetBucketLocation, GetObjectTagging,\s+PutObject'
        $list = Get-BackupUser -UserName insp-upload | Format-List | Out-String -Width 120
        $list | Should -Match ([regex]::Escape($script:key.AccessKeyId) + ' Active, 0 days old, last used \d{4}-')
        $list | Should -Match 'BucketPolicyStatements : inspect-backups: Allow'
        $groupTable = Get-BackupGroup -GroupName InspectUploaders | Out-String -Width 120
        $groupTable -split "`n" | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 120 }
        $groupTable | Should -Match 'InspectUploaders\s+insp-upload\s+GroupUpload,\s+GetObjectTagging, PutObject'
    }
}
