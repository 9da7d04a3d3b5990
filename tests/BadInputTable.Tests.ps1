# Issue 15, "Bad input": one table, each row a real invocation of a cmdlet of the BUILT module against a real moto
# server that records every request it receives. Each bad input must get its own error (the ErrorId in the table),
# whose message shows the bad value and whose record names the parameter (ErrorDetails.RecommendedAction says
# "Correct the value of -<Parameter>"), and no write call may reach the server (moto's recording is the witness).
BeforeDiscovery {
    $long = @{ Bucket64 = 'b' * 64; User65 = 'u' * 65; Group129 = 'g' * 129 }
    $bigStatement = ',{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::my-backups/' + ('x' * 200) + '/*"}'
    $over2048 = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::my-backups/*"}' + ($bigStatement * 10) + ']}'
    $over5120 = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::my-backups/*"}' + ($bigStatement * 24) + ']}'
    $script:rows = @(
        # Bucket names breaking S3's rules.
        @{ Name = 'bucket name with capitals'; Id = 'BucketNameInvalid'; Command = 'New-BackupBucket'; Arguments = @{ BucketName = 'MyBackups' }; Parameter = 'BucketName'; Value = 'MyBackups' }
        @{ Name = 'bucket name too short'; Id = 'BucketNameInvalid'; Command = 'New-BackupBucket'; Arguments = @{ BucketName = 'ab' }; Parameter = 'BucketName'; Value = 'ab' }
        @{ Name = 'bucket name too long'; Id = 'BucketNameInvalid'; Command = 'New-BackupBucket'; Arguments = @{ BucketName = $long.Bucket64 }; Parameter = 'BucketName'; Value = $long.Bucket64 }
        @{ Name = 'bucket name with a dot before a dash'; Id = 'BucketNameInvalid'; Command = 'New-BackupBucket'; Arguments = @{ BucketName = 'my.-backups' }; Parameter = 'BucketName'; Value = 'my.-backups' }
        @{ Name = 'bucket name with a dash before a dot'; Id = 'BucketNameInvalid'; Command = 'New-BackupBucket'; Arguments = @{ BucketName = 'my-.backups' }; Parameter = 'BucketName'; Value = 'my-.backups' }
        @{ Name = 'bucket name with two dots'; Id = 'BucketNameInvalid'; Command = 'New-BackupBucket'; Arguments = @{ BucketName = 'my..backups' }; Parameter = 'BucketName'; Value = 'my..backups' }
        @{ Name = 'bucket name in IP-address form'; Id = 'BucketNameInvalid'; Command = 'New-BackupBucket'; Arguments = @{ BucketName = '192.168.1.10' }; Parameter = 'BucketName'; Value = '192.168.1.10' }
        @{ Name = 'bucket name with the xn-- prefix'; Id = 'BucketNameInvalid'; Command = 'New-BackupBucket'; Arguments = @{ BucketName = 'xn--backups' }; Parameter = 'BucketName'; Value = 'xn--backups' }
        @{ Name = 'bucket name with the -s3alias suffix'; Id = 'BucketNameInvalid'; Command = 'New-BackupBucket'; Arguments = @{ BucketName = 'backups-s3alias' }; Parameter = 'BucketName'; Value = 'backups-s3alias' }
        @{ Name = 'bucket name starting with a dash'; Id = 'BucketNameInvalid'; Command = 'Enable-BackupVersioning'; Arguments = @{ BucketName = '-backups' }; Parameter = 'BucketName'; Value = '-backups' }
        @{ Name = 'bucket name with an underscore (lifecycle)'; Id = 'BucketNameInvalid'; Command = 'Set-BackupLifecycle'; Arguments = @{ BucketName = 'my_backups'; NoncurrentVersionExpirationDays = 30 }; Parameter = 'BucketName'; Value = 'my_backups' }
        @{ Name = 'bucket name with capitals (rotation check)'; Id = 'BucketNameInvalid'; Command = 'Invoke-BackupKeyRotation'; Arguments = @{ UserName = 'table-user'; BucketName = 'Bad_Bucket' }; Parameter = 'BucketName'; Value = 'Bad_Bucket' }
        # User and group names.
        @{ Name = 'user name with a space'; Id = 'IamUserNameInvalid'; Command = 'New-BackupUser'; Arguments = @{ UserName = 'backup user' }; Parameter = 'UserName'; Value = 'backup user' }
        @{ Name = 'user name with a slash'; Id = 'IamUserNameInvalid'; Command = 'New-BackupUser'; Arguments = @{ UserName = 'backup/user' }; Parameter = 'UserName'; Value = 'backup/user' }
        @{ Name = 'user name with #'; Id = 'IamUserNameInvalid'; Command = 'New-BackupAccessKey'; Arguments = @{ UserName = 'backup#1' }; Parameter = 'UserName'; Value = 'backup#1' }
        @{ Name = 'user name over 64 characters'; Id = 'IamUserNameInvalid'; Command = 'New-BackupUser'; Arguments = @{ UserName = $long.User65 }; Parameter = 'UserName'; Value = $long.User65 }
        @{ Name = 'user name with a space (removal)'; Id = 'IamUserNameInvalid'; Command = 'Remove-BackupUser'; Arguments = @{ UserName = 'old backup'; Confirm = $false }; Parameter = 'UserName'; Value = 'old backup' }
        @{ Name = 'user name with a space (rotation)'; Id = 'IamUserNameInvalid'; Command = 'Invoke-BackupKeyRotation'; Arguments = @{ UserName = 'rot ate' }; Parameter = 'UserName'; Value = 'rot ate' }
        @{ Name = 'group name with a space'; Id = 'IamGroupNameInvalid'; Command = 'New-BackupGroup'; Arguments = @{ GroupName = 'backup users' }; Parameter = 'GroupName'; Value = 'backup users' }
        @{ Name = 'group name with *'; Id = 'IamGroupNameInvalid'; Command = 'Add-BackupUserToGroup'; Arguments = @{ UserName = 'table-user'; GroupName = 'group*' }; Parameter = 'GroupName'; Value = 'group*' }
        @{ Name = 'group name over 128 characters'; Id = 'IamGroupNameInvalid'; Command = 'New-BackupGroup'; Arguments = @{ GroupName = $long.Group129 }; Parameter = 'GroupName'; Value = $long.Group129 }
        @{ Name = 'group name with a colon (removal)'; Id = 'IamGroupNameInvalid'; Command = 'Remove-BackupGroup'; Arguments = @{ GroupName = 'backup:users'; Confirm = $false }; Parameter = 'GroupName'; Value = 'backup:users' }
        # Paths without a leading and a trailing slash.
        @{ Name = 'user path without slashes'; Id = 'IamPathInvalid'; Command = 'New-BackupUser'; Arguments = @{ UserName = 'table-new'; Path = 'backup' }; Parameter = 'Path'; Value = 'backup' }
        @{ Name = 'user path without a trailing slash'; Id = 'IamPathInvalid'; Command = 'New-BackupUser'; Arguments = @{ UserName = 'table-new'; Path = '/backup' }; Parameter = 'Path'; Value = '/backup' }
        @{ Name = 'group path without a leading slash'; Id = 'IamPathInvalid'; Command = 'New-BackupGroup'; Arguments = @{ GroupName = 'table-group'; Path = 'backup/' }; Parameter = 'Path'; Value = 'backup/' }
        # Prefixes and folder keys.
        @{ Name = 'prefix with *'; Id = 'PrefixInvalid'; Command = 'New-WriteOnlyBucketPolicy'; Arguments = @{ BucketName = 'my-backups'; UserName = 'table-user'; AccountId = '123456789012'; Prefix = 'backup/*/' }; Parameter = 'Prefix'; Value = 'backup/*/' }
        @{ Name = 'prefix with ?'; Id = 'PrefixInvalid'; Command = 'New-WriteOnlyBucketPolicy'; Arguments = @{ BucketName = 'my-backups'; UserName = 'table-user'; AccountId = '123456789012'; Prefix = 'back?up/' }; Parameter = 'Prefix'; Value = 'back?up/' }
        @{ Name = 'prefix with a .. segment'; Id = 'PrefixInvalid'; Command = 'Set-BackupLifecycle'; Arguments = @{ BucketName = 'my-backups'; Prefix = '../escape/'; NoncurrentVersionExpirationDays = 30 }; Parameter = 'Prefix'; Value = '../escape/' }
        @{ Name = 'folder with a .. segment'; Id = 'PrefixInvalid'; Command = 'New-BackupBucket'; Arguments = @{ BucketName = 'my-backups'; Folder = '../victim-bucket/planted/' }; Parameter = 'Folder'; Value = '../victim-bucket/planted/' }
        @{ Name = 'folder with an empty segment'; Id = 'PrefixInvalid'; Command = 'New-BackupBucket'; Arguments = @{ BucketName = 'my-backups'; Folder = 'backup//apps/' }; Parameter = 'Folder'; Value = 'backup//apps/' }
        @{ Name = 'folder with a leading slash'; Id = 'PrefixInvalid'; Command = 'New-BackupBucket'; Arguments = @{ BucketName = 'my-backups'; Folder = '/abs/' }; Parameter = 'Folder'; Value = '/abs/' }
        # Policy JSON: malformed, duplicate keys, over size, refused Sid, a resource in another bucket.
        @{ Name = 'truncated policy JSON'; Id = 'PolicyJsonMalformed'; Command = 'Set-BackupUserPolicy'; Arguments = @{ UserName = 'table-user'; PolicyName = 'p'; PolicyDocument = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow"' }; Parameter = 'PolicyDocument'; Value = 'line 1' }
        @{ Name = 'policy JSON with duplicate keys'; Id = 'PolicyGrammarInvalid'; Command = 'Set-BackupGroupPolicy'; Arguments = @{ GroupName = 'table-group'; PolicyName = 'p'; PolicyDocument = '{"Version":"2012-10-17","Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*"}]}' }; Parameter = 'PolicyDocument'; Value = 'Version' }
        @{ Name = 'user policy over 2048 characters'; Id = 'PolicyTooLarge'; Command = 'Set-BackupUserPolicy'; Arguments = @{ UserName = 'table-user'; PolicyName = 'big'; PolicyDocument = $over2048 }; Parameter = 'PolicyDocument'; Value = '2048' }
        @{ Name = 'group policy over 5120 characters'; Id = 'PolicyTooLarge'; Command = 'Set-BackupGroupPolicy'; Arguments = @{ GroupName = 'table-group'; PolicyName = 'big'; PolicyDocument = $over5120 }; Parameter = 'PolicyDocument'; Value = '5120' }
        @{ Name = 'bucket policy that is not JSON'; Id = 'PolicyJsonMalformed'; Command = 'Set-BackupBucketPolicy'; Arguments = @{ BucketName = 'my-backups'; PolicyDocument = 'Version: 2012-10-17' }; Parameter = 'PolicyDocument'; Value = 'JSON' }
        @{ Name = 'Sid with spaces'; Id = 'PolicySidInvalid'; Command = 'Set-BackupUserPolicy'; Arguments = @{ UserName = 'table-user'; PolicyName = 'p'; PolicyDocument = '{"Version":"2012-10-17","Statement":[{"Sid":"my sid!","Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*"}]}' }; Parameter = 'PolicyDocument'; Value = 'my sid!' }
        @{ Name = 'bucket policy naming another bucket'; Id = 'BucketPolicyResourceOutsideBucket'; Command = 'Set-BackupBucketPolicy'; Arguments = @{ BucketName = 'my-backups'; PolicyDocument = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/u"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::other-bucket/*"}]}' }; Parameter = 'PolicyDocument'; Value = 'other-bucket' }
        # Principal ARNs and accounts.
        @{ Name = 'principal ARN of a made-up partition'; Id = 'PrincipalArnInvalid'; Command = 'New-WriteOnlyBucketPolicy'; Arguments = @{ BucketName = 'my-backups'; PrincipalArn = 'arn:aws-fake:iam::123456789012:user/backup' }; Parameter = 'PrincipalArn'; Value = 'arn:aws-fake:iam::123456789012:user/backup' }
        @{ Name = 'principal ARN with a 5-digit account'; Id = 'PrincipalArnInvalid'; Command = 'New-WriteOnlyBucketPolicy'; Arguments = @{ BucketName = 'my-backups'; PrincipalArn = 'arn:aws:iam::12345:user/backup' }; Parameter = 'PrincipalArn'; Value = 'arn:aws:iam::12345:user/backup' }
        @{ Name = 'principal ARN of the wrong form'; Id = 'PrincipalArnInvalid'; Command = 'New-BackupPolicy'; Arguments = @{ Preset = 'WriteOnly'; BucketName = 'my-backups'; AsBucketPolicy = $true; PrincipalArn = 'arn:aws:s3:::my-backups' }; Parameter = 'PrincipalArn'; Value = 'arn:aws:s3:::my-backups' }
        @{ Name = 'account id of 4 digits'; Id = 'AccountIdInvalid'; Command = 'New-WriteOnlyBucketPolicy'; Arguments = @{ BucketName = 'my-backups'; UserName = 'table-user'; AccountId = '1234' }; Parameter = 'AccountId'; Value = '1234' }
        # Lifecycle.
        @{ Name = 'noncurrent-version expiry of 0 days'; Id = 'LifecycleDaysInvalid'; Command = 'Set-BackupLifecycle'; Arguments = @{ BucketName = 'my-backups'; NoncurrentVersionExpirationDays = 0 }; Parameter = 'NoncurrentVersionExpirationDays'; Value = '0' }
        # Contradictory switches.
        @{ Name = '-StoreLocation without -StoreAs'; Id = 'StoreAsRequired'; Command = 'New-BackupAccessKey'; Arguments = @{ UserName = 'table-user'; StoreLocation = 'somewhere' }; Parameter = 'StoreAs'; Value = 'StoreLocation' }
        @{ Name = '-DeleteRetiredKey with -RetiredKeyGraceDays'; Id = 'RotationSwitchesConflict'; Command = 'Invoke-BackupKeyRotation'; Arguments = @{ UserName = 'table-user'; DeleteRetiredKey = $true; RetiredKeyGraceDays = 7 }; Parameter = 'RetiredKeyGraceDays'; Value = '7' }
        @{ Name = '-SkipVerification with -BucketName'; Id = 'RotationSwitchesConflict'; Command = 'Invoke-BackupKeyRotation'; Arguments = @{ UserName = 'table-user'; SkipVerification = $true; BucketName = 'my-backups' }; Parameter = 'SkipVerification'; Value = 'BucketName' }
        @{ Name = '-RetireAccessKeyId that is no key id'; Id = 'RetireAccessKeyIdInvalid'; Command = 'Invoke-BackupKeyRotation'; Arguments = @{ UserName = 'table-user'; RetireAccessKeyId = 'not-a-key' }; Parameter = 'RetireAccessKeyId'; Value = 'not-a-key' }
        # Profiles.
        @{ Name = '-StoreAs profile name with a space'; Id = 'ProfileNameInvalid'; Command = 'New-BackupAccessKey'; Arguments = @{ UserName = 'table-user'; StoreAs = 'my profile' }; Parameter = 'StoreAs'; Value = 'my profile' }
        @{ Name = '-StoreAs naming an existing profile of someone else, no -Force'; Id = 'CredentialProfileExists'; Command = 'New-BackupAccessKey'; Arguments = @{ UserName = 'table-user'; StoreAs = 'taken' }; UseStoreFile = $true; Parameter = 'StoreAs'; Value = 'taken' }
        @{ Name = '-StoreAs naming an existing profile of someone else, rotation, no -Force'; Id = 'CredentialProfileExists'; Command = 'Invoke-BackupKeyRotation'; Arguments = @{ UserName = 'table-user'; StoreAs = 'taken' }; UseStoreFile = $true; Parameter = 'StoreAs'; Value = 'taken' }
        # Simulator context.
        @{ Name = 'aws:SourceIp that is not an IP'; Id = 'CannotConvertArgumentNoMessage'; Command = 'Test-BackupPolicy'; Arguments = @{ Policy = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*"}]}'; Action = 's3:PutObject'; Resource = 'arn:aws:s3:::b/x'; Context = 'aws:SourceIp=not-an-ip' }; Parameter = 'Context'; Value = 'not-an-ip' }
    )
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-BuiltModule
    $script:moto = Start-MotoServer
    $script:environment = Enter-AwsTestEnvironment -EndpointUrl $script:moto.Url -AccessKey 'AKIABADINPUTTABLE001' -SecretKey 'bad-input-table-secret-not-real' -WorkPrefix 'bi-badinput-'
    $script:work = $script:environment.Work
    # An existing user (with a key) and group, so rows that pass the name checks meet a real, unchanged account.
    $null = New-BackupUser -UserName table-user -ErrorAction Stop
    $null = New-BackupAccessKey -UserName table-user -ErrorAction Stop
    $null = New-BackupGroup -GroupName table-group -ErrorAction Stop
    $script:storeFile = Join-Path $script:work 'credentials'
    [System.IO.File]::WriteAllText($script:storeFile, "[taken]`naws_access_key_id = AKIASOMEONEELSE00001`naws_secret_access_key = someone/else`n")
    $script:count = 0
    $script:seen = [System.Collections.Generic.List[string]]::new()
}

AfterAll {
    Write-Host "`n== Bad-input table: $($script:count) bad inputs, each refused with its own error before any write call"
    foreach ($line in $script:seen) { Write-Host "  $line" }
    Stop-MotoServer $script:moto
    Exit-AwsTestEnvironment $script:environment
}

Describe 'Bad input table' {
    It 'has at least 40 rows (<RowCount>)' -ForEach @(@{ RowCount = $script:rows.Count }) {
        $RowCount | Should -BeGreaterOrEqual 40
    }

    It '<Name>: <Command> refuses it before any write call, naming -<Parameter> and the value' -ForEach $script:rows {
        $arguments = $Arguments.Clone()
        if ($UseStoreFile) { $arguments['StoreLocation'] = $script:storeFile }
        Start-MotoRecording -Url $script:moto.Url
        $failure = $null
        try { $null = & $Command @arguments -ErrorAction Stop } catch { $failure = $_ }
        $writes = @(Get-MotoWriteCall -Url $script:moto.Url)
        $failure | Should -Not -BeNullOrEmpty -Because 'a bad input must be refused'
        $failure.FullyQualifiedErrorId | Should -BeLike "$Id,*" -Because 'each bad input has its own error'
        $failure.Exception.Message | Should -Match ([regex]::Escape($Value)) -Because 'the message shows the bad value'
        ("$($failure.ErrorDetails.RecommendedAction) $($failure.Exception.Message)") | Should -Match ("-?" + [regex]::Escape($Parameter) + "\b") -Because 'the error names the parameter'
        $writes.Count | Should -Be 0 -Because "no write call may be made (made: $(($writes | ForEach-Object Operation) -join ', '))"
        $script:count++
        $script:seen.Add(('{0,-75} {1}' -f "$Command -$Parameter ($Name)", ($failure.FullyQualifiedErrorId -split ',')[0]))
    }
}
