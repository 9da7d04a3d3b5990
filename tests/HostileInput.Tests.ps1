# Hostile and malformed input (issue 11), RGW principal forms (issue 13) and the policy-input fixes of issue 12, run
# through the built module in pwsh. Where a server is involved, moto's own request recording proves that nothing was
# sent: every refusal here happens before any call.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:tmp = Join-Path ([System.IO.Path]::GetTempPath()) ("bi-hostile-" + [guid]::NewGuid())
    $null = New-Item -ItemType Directory -Path $script:tmp
    $script:moto = Enter-MotoTestSession -AccessKey 'AKIAHOSTILETEST0001' -SecretKey 'hostile-test-secret-not-real'

    function Invoke-Refused {
        # Runs a command that must be refused; returns its error and every request the server received meanwhile.
        param([scriptblock] $Command)
        Start-MotoRecording -Url $script:moto.Url
        $err = $null
        $ErrorActionPreference = 'Stop'
        try { $null = & $Command } catch { $err = $_ }
        $ErrorActionPreference = 'Continue'
        [pscustomobject]@{ Error = $err; Calls = @(Get-MotoCall -Url $script:moto.Url) }
    }

    $script:policy = {
        param([string] $Sid = 'Upload', [string] $Resource = 'arn:aws:s3:::my-backups/backup/*', [string] $Principal)
        $statement = [ordered]@{ Sid = $Sid; Effect = 'Allow' }
        if ($Principal) { $statement.Principal = @{ AWS = $Principal } }
        $statement.Action = 's3:PutObject'
        $statement.Resource = $Resource
        [ordered]@{ Version = '2012-10-17'; Statement = @($statement) } | ConvertTo-Json -Depth 5 -Compress
    }
}

AfterAll {
    Exit-MotoTestSession $script:moto
    Remove-Item -Recurse -Force $script:tmp -ErrorAction SilentlyContinue
}

Describe 'Sids that IAM or S3 refuse' {
    It 'refuses an identity policy Sid <Shown> before any call, naming the value' -ForEach @(
        @{ Shown = 'with a space and !'; Sid = 'my sid!' }
        @{ Shown = 'with a lone surrogate'; Sid = [string][char]0xD800 }
    ) {
        $json = & $script:policy -Sid $Sid
        $r = Invoke-Refused { Set-BackupUserPolicy -UserName backup -PolicyName Upload -PolicyDocument $json }
        $r.Error.FullyQualifiedErrorId | Should -BeLike 'PolicySidInvalid*'
        $r.Error.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $r.Error.Exception.Message | Should -Match 'Statement\[0\]'
        $r.Error.Exception.Message | Should -Match 'letters and digits'
        $r.Calls.Count | Should -Be 0
    }

    It 'refuses a lone surrogate in a bucket policy Sid, and allows a Sid with spaces there (S3 accepts it)' {
        $bad = & $script:policy -Sid ([string][char]0xDC00) -Principal 'arn:aws:iam::123456789012:user/backup'
        $r = Invoke-Refused { Set-BackupBucketPolicy -BucketName my-backups -PolicyDocument $bad }
        $r.Error.FullyQualifiedErrorId | Should -BeLike 'PolicySidInvalid*'
        $r.Error.Exception.Message | Should -Match 'U\+DC00'
        $r.Calls.Count | Should -Be 0

        $spaced = & $script:policy -Sid 'Backup writer only' -Principal 'arn:aws:iam::123456789012:user/backup'
        $plan = Set-BackupBucketPolicy -BucketName my-backups -PolicyDocument $spaced -WhatIf -WarningAction SilentlyContinue -ErrorAction SilentlyContinue -ErrorVariable planErr
        @($planErr | Where-Object { $_.FullyQualifiedErrorId -like 'PolicySidInvalid*' }).Count | Should -Be 0
    }
}

Describe 'Bucket policies that reach outside their bucket or name nobody' {
    It 'refuses a bucket policy whose resources name another bucket' {
        $json = & $script:policy -Resource 'arn:aws:s3:::victim-bucket/*' -Principal 'arn:aws:iam::123456789012:user/backup'
        $r = Invoke-Refused { Set-BackupBucketPolicy -BucketName my-backups -PolicyDocument $json }
        $r.Error.FullyQualifiedErrorId | Should -BeLike 'BucketPolicyResourceOutsideBucket*'
        $r.Error.Exception.Message | Should -Match 'victim-bucket'
        $r.Error.Exception.Message | Should -Match 'my-backups'
        $r.Error.TargetObject | Should -Be 'arn:aws:s3:::victim-bucket/*'
        $r.Calls.Count | Should -Be 0
    }

    It 'refuses a Principal in an unknown partition' {
        $json = & $script:policy -Principal 'arn:aws-fake:iam::123456789012:user/backup'
        $r = Invoke-Refused { Set-BackupBucketPolicy -BucketName my-backups -PolicyDocument $json }
        $r.Error.FullyQualifiedErrorId | Should -BeLike 'PrincipalArnInvalid*'
        $r.Error.Exception.Message | Should -Match 'aws-fake'
        $r.Calls.Count | Should -Be 0
    }

    It 'refuses an unknown partition in New-WriteOnlyBucketPolicy -PrincipalArn' {
        { New-WriteOnlyBucketPolicy -BucketName my-backups -PrincipalArn 'arn:aws-fake:iam::123456789012:user/backup' -ErrorAction Stop } |
            Should -Throw -ErrorId 'PrincipalArnInvalid*'
    }
}

Describe 'Ceph RGW principal forms (issue 13)' {
    It 'New-WriteOnlyBucketPolicy takes <Arn>' -ForEach @(
        @{ Arn = 'arn:aws:iam:::user/backup' }
        @{ Arn = 'arn:aws:iam::backupteam:user/backup' }
    ) {
        $p = New-WriteOnlyBucketPolicy -BucketName my-backups -PrincipalArn $Arn -ErrorAction Stop
        $p.PrincipalArn | Should -Be $Arn
        (($p.PolicyDocument | ConvertFrom-Json).Statement | ForEach-Object { $_.Principal.AWS } | Sort-Object -Unique) | Should -Be $Arn
    }

    It 'New-BackupPolicy -AsBucketPolicy, the simulator and the linter take the default-tenant form' {
        $p = New-BackupPolicy -Preset UploadOnly -BucketName my-backups -AsBucketPolicy -PrincipalArn 'arn:aws:iam:::user/backup' -ErrorAction Stop
        $p.Kind | Should -Be 'Bucket'
        $d = $p | Test-BackupPolicy -Action s3:PutObject -Resource 'arn:aws:s3:::my-backups/backup/x' -ErrorAction Stop
        $d.Decision | Should -Be 'Allowed'
        $d = $p | Test-BackupPolicy -PrincipalArn 'arn:aws:iam::otherteam:user/backup' -Action s3:PutObject -Resource 'arn:aws:s3:::my-backups/backup/x' -ErrorAction Stop
        $d.Decision | Should -Be 'ImplicitDeny'
        $err = $null
        $null = $p | Get-BackupPolicyFinding -ErrorVariable err -ErrorAction SilentlyContinue
        $err | Should -BeNullOrEmpty
    }

    It 'still refuses a malformed ARN with the specific error' {
        { New-WriteOnlyBucketPolicy -BucketName my-backups -PrincipalArn 'arn:aws:iam::12345:user/backup' -ErrorAction Stop } | Should -Throw -ErrorId 'PrincipalArnInvalid*'
        { New-WriteOnlyBucketPolicy -BucketName my-backups -PrincipalArn 'arn:aws:iam::my-team:user/backup' -ErrorAction Stop } | Should -Throw -ErrorId 'PrincipalArnInvalid*'
    }
}

Describe 'Simulator context values' {
    It 'refuses -Context aws:SourceIp=not-an-ip, naming the key and the value' {
        $json = New-BackupPolicy -Preset UploadOnly -BucketName my-backups
        $err = $null
        try { $json | Test-BackupPolicy -Context @{ 'aws:SourceIp' = 'not-an-ip' } -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'ContextValueInvalid*'
        $err.Exception.Message | Should -Match 'aws:SourceIp'
        $err.Exception.Message | Should -Match 'not-an-ip'
        { $json | Test-BackupPolicy -Action s3:PutObject -Context @{ 'aws:SourceIp' = '10.0.0.0/8' } -ErrorAction Stop } | Should -Throw -ErrorId 'ContextValueInvalid*'
        ($json | Test-BackupPolicy -Action s3:PutObject -Context @{ 'aws:SourceIp' = '203.0.113.5' } -ErrorAction Stop).Decision | Should -Be 'Allowed'
    }
}

Describe 'Folder keys and prefixes' {
    It 'New-BackupBucket -Folder <Folder> is refused before any call' -ForEach @(
        @{ Folder = '../victim-bucket/planted/' }
        @{ Folder = '../escape/' }
        @{ Folder = '/abs/' }
        @{ Folder = 'backup//schemas/' }
        @{ Folder = 'backup/./x/' }
    ) {
        $r = Invoke-Refused { New-BackupBucket -BucketName my-backups -Folder $Folder }
        $r.Error.FullyQualifiedErrorId | Should -BeLike 'PrefixInvalid*'
        $r.Error.Exception.Message | Should -Match 'Folder'
        $r.Error.Exception.Message | Should -Match ([regex]::Escape($Folder))
        $r.Calls.Count | Should -Be 0
    }

    It 'refuses a .. segment in every -Prefix' {
        { New-BackupPolicy -Preset UploadOnly -BucketName my-backups -Prefix 'backup/../other/' -ErrorAction Stop } | Should -Throw -ErrorId 'PrefixInvalid*'
        { New-WriteOnlyBucketPolicy -BucketName my-backups -PrincipalArn 'arn:aws:iam::123456789012:user/b' -Prefix '../x' -ErrorAction Stop } | Should -Throw -ErrorId 'PrefixInvalid*'
        { New-BackupPolicy -Preset UploadOnly -BucketName my-backups | Test-BackupPolicy -Prefix '..' -ErrorAction Stop } | Should -Throw -ErrorId 'PrefixInvalid*'
        $r = Invoke-Refused { Set-BackupLifecycle -BucketName my-backups -Prefix '../x/' -NoncurrentVersionExpirationDays 30 }
        $r.Error.FullyQualifiedErrorId | Should -BeLike 'PrefixInvalid*'
        $r.Calls.Count | Should -Be 0
    }

    It 'accepts a -Prefix with a leading slash only with a warning that shows both forms (issue 15)' {
        $warnings = $null
        $p = New-BackupPolicy -Preset UploadOnly -BucketName my-backups -Prefix '/backup/' -WarningVariable warnings -WarningAction SilentlyContinue
        $p.Prefix | Should -Be 'backup/'
        @($warnings).Count | Should -Be 1
        "$($warnings[0])" | Should -Match "'/backup/'"
        "$($warnings[0])" | Should -Match "'backup/'"
        $warnings = $null
        $null = New-BackupPolicy -Preset UploadOnly -BucketName my-backups -Prefix 'backup/' -WarningVariable warnings -WarningAction SilentlyContinue
        @($warnings).Count | Should -Be 0
    }
}

Describe 'Get-BackupPolicyFinding -Path (issue 12)' {
    It 'reports a missing file by its path and still lints the others' {
        $file = Join-Path $script:tmp 'ok-lint.json'
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:HeadObject","Resource":"arn:aws:s3:::my-backups/*"}]}' | Set-Content $file
        $err = $null
        $out = Get-BackupPolicyFinding -Path (Join-Path $script:tmp 'nope.json'), $file -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PathNotFound*'
        $out.Id | Should -Contain 'UnknownAction'
    }
}
