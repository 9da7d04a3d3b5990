# Ransomware posture against a real Ceph RGW 16 (tests/rgw/rgw.sh): Object Lock made by New-BackupBucket really keeps a
# locked version from being deleted (GOVERNANCE: not without the bypass header; COMPLIANCE: not even by the bucket
# owner with it), RGW refuses Object Lock on an existing bucket (ObjectLockNotEnableable), and what RGW really does
# with the no-overwrite and TLS-only bucket policy statements. The objects are written and deleted with a separate
# signed client (tests/rgw/s3req.py), not through the module.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    Import-BuiltModule
    $script:rgw = Start-RgwServer -CountingProxy
    $script:saved = @{}
    foreach ($name in 'AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'AWS_PROFILE') {
        $script:saved[$name] = [Environment]::GetEnvironmentVariable($name)
    }
    $env:AWS_ENDPOINT_URL = $script:rgw.Url
    $env:AWS_ACCESS_KEY_ID = $script:rgw.AdminAccessKey
    $env:AWS_SECRET_ACCESS_KEY = $script:rgw.AdminSecretKey
    $env:AWS_REGION = 'us-east-1'
    Remove-Item Env:AWS_PROFILE -ErrorAction SilentlyContinue
    $script:backup = New-RgwUser -Server $script:rgw -UserName backup -MaxBuckets -1

    function Invoke-AsAdmin {
        param([string] $Method, [string] $Path, [string] $Body = '', [string[]] $Header = @())
        Invoke-RgwRequest -Server $script:rgw -AccessKey $script:rgw.AdminAccessKey -SecretKey $script:rgw.AdminSecretKey -Method $Method -Path $Path -Body $Body -Header $Header
    }

    function Invoke-AsBackup {
        param([string] $Method, [string] $Path, [string] $Body = '', [string[]] $Header = @())
        Invoke-RgwRequest -Server $script:rgw -AccessKey $script:backup.AccessKey -SecretKey $script:backup.SecretKey -Method $Method -Path $Path -Body $Body -Header $Header
    }

    function Get-VersionId {
        param($Response)
        $h = $Response.headers
        $id = $h.'x-amz-version-id'
        if (-not $id) { $id = $h.'X-Amz-Version-Id' }
        $id
    }
}

AfterAll {
    foreach ($name in $script:saved.Keys) { Restore-EnvironmentVariable -Name $name -Value $script:saved[$name] }
    if ($script:rgw) { Stop-RgwServer $script:rgw }
}

Describe 'Object Lock on RGW 16' {
    It 'GOVERNANCE: a locked version cannot be deleted without the bypass header; the owner can with it' {
        $b = New-BackupBucket -BucketName rgw-lock-gov -ObjectLockMode Governance -ObjectLockRetentionDays 1 -WarningAction SilentlyContinue
        $b.Status | Should -Be 'Created'
        (Invoke-AsAdmin GET '/rgw-lock-gov?object-lock').body | Should -Match '<Mode>GOVERNANCE</Mode>'

        $put = Invoke-AsAdmin PUT '/rgw-lock-gov/backup/k' -Body 'first'
        $put.status | Should -Be 200
        $version = Get-VersionId $put
        $version | Should -Not -BeNullOrEmpty
        (Invoke-AsAdmin GET "/rgw-lock-gov/backup/k?retention&versionId=$version").body | Should -Match 'GOVERNANCE'

        (Invoke-AsAdmin DELETE "/rgw-lock-gov/backup/k?versionId=$version").status | Should -Be 403
        (Invoke-AsAdmin GET "/rgw-lock-gov/backup/k?versionId=$version").status | Should -Be 200
        (Invoke-AsAdmin DELETE "/rgw-lock-gov/backup/k?versionId=$version" -Header 'x-amz-bypass-governance-retention:true').status | Should -Be 204
        (Invoke-AsAdmin GET "/rgw-lock-gov/backup/k?versionId=$version").status | Should -Be 404
    }

    It 'COMPLIANCE: a locked version cannot be deleted, not even by the bucket owner with the bypass header' {
        $b = New-BackupBucket -BucketName rgw-lock-comp -ObjectLockMode Compliance -ObjectLockRetentionDays 1 -Force -WarningAction SilentlyContinue
        $b.Status | Should -Be 'Created'
        $put = Invoke-AsAdmin PUT '/rgw-lock-comp/backup/k' -Body 'keep me'
        $version = Get-VersionId $put
        $version | Should -Not -BeNullOrEmpty

        (Invoke-AsAdmin DELETE "/rgw-lock-comp/backup/k?versionId=$version").status | Should -Be 403
        (Invoke-AsAdmin DELETE "/rgw-lock-comp/backup/k?versionId=$version" -Header 'x-amz-bypass-governance-retention:true').status | Should -Be 403
        $read = Invoke-AsAdmin GET "/rgw-lock-comp/backup/k?versionId=$version"
        $read.status | Should -Be 200
        $read.body | Should -Be 'keep me'
    }

    It 'a re-run writes nothing (the planner reads GetObjectLockConfiguration)' {
        Start-RgwRecording -Server $script:rgw
        $b = New-BackupBucket -BucketName rgw-lock-comp -ObjectLockMode Compliance -ObjectLockRetentionDays 1 -WarningAction SilentlyContinue
        $b.Status | Should -Be 'Unchanged'
        @(Get-RgwWriteCall -Server $script:rgw) | Should -HaveCount 0
    }

    It 'refuses Object Lock on an existing versioned bucket (409 InvalidBucketState -> ObjectLockNotEnableable)' {
        New-BackupBucket -BucketName rgw-lock-later -WarningAction SilentlyContinue | Enable-BackupVersioning | Out-Null
        $err = $null
        New-BackupBucket -BucketName rgw-lock-later -ObjectLockMode Governance -ObjectLockRetentionDays 1 -WarningAction SilentlyContinue -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ObjectLockNotEnableable,*'
        $err[0].Exception.Message | Should -Match 'InvalidBucketState'
        $err[0].Exception.Message | Should -Match 'New-BackupBucket -ObjectLockMode'
        (Invoke-AsAdmin GET '/rgw-lock-later?object-lock').status | Should -Not -Be 200
    }
}

Describe 'No overwrite (-DenyOverwrite) on RGW 16: what RGW really does' {
    BeforeAll {
        New-BackupBucket -BucketName rgw-inm -WarningAction SilentlyContinue | Out-Null
        New-BackupBucket -BucketName rgw-inm-plain -WarningAction SilentlyContinue | Out-Null
        New-WriteOnlyBucketPolicy -BucketName rgw-inm -PrincipalArn 'arn:aws:iam:::user/backup' -DenyOverwrite | Set-BackupBucketPolicy | Out-Null
        New-WriteOnlyBucketPolicy -BucketName rgw-inm-plain -PrincipalArn 'arn:aws:iam:::user/backup' | Set-BackupBucketPolicy | Out-Null
    }

    It 'without the option RGW lets the key overwrite (the control case)' {
        (Invoke-AsBackup PUT '/rgw-inm-plain/k' -Body 'first').status | Should -Be 200
        (Invoke-AsBackup PUT '/rgw-inm-plain/k' -Body 'garbage').status | Should -Be 200
    }

    It 'with the option an upload without If-None-Match is refused (403), as on AWS' {
        (Invoke-AsBackup PUT '/rgw-inm/k1' -Body 'first').status | Should -Be 403
    }

    It 'RGW 16 also refuses an upload WITH If-None-Match: * under that Deny (AWS would allow it): the key cannot upload at all' {
        (Invoke-AsBackup PUT '/rgw-inm/k2' -Body 'first' -Header 'If-None-Match:*').status | Should -Be 403
    }

    It 'without the Deny RGW honours If-None-Match: * itself (412 on an existing key)' {
        (Invoke-AsBackup PUT '/rgw-inm-plain/k' -Body 'again' -Header 'If-None-Match:*').status | Should -Be 412
    }
}

Describe 'Set-BackupBucketProtection on RGW 16: what RGW really does' {
    It 'cannot check the caller (RGW answers sts:GetCallerIdentity with 405), so it refuses the delete protection without -Force' {
        New-BackupBucket -BucketName rgw-prot -WarningAction SilentlyContinue | Enable-BackupVersioning | Out-Null
        $err = $null
        Set-BackupBucketProtection -BucketName rgw-prot -BreakGlassPrincipalArn 'arn:aws:iam:::user/breakglass' -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err[0].FullyQualifiedErrorId | Should -BeLike 'BucketPolicyLockoutCheckFailed,*'
        (Invoke-AsAdmin GET '/rgw-prot?policy').status | Should -Be 404
    }

    It 'RGW 16 does not act on the ArnNotEquals aws:PrincipalArn Deny: the bucket owner still deletes versions, suspends versioning and removes the policy' {
        $put = Invoke-AsAdmin PUT '/rgw-prot/k' -Body 'v1'
        $version = Get-VersionId $put
        $r = Set-BackupBucketProtection -BucketName rgw-prot -BreakGlassPrincipalArn 'arn:aws:iam:::user/breakglass' -Force -Confirm:$false
        $r.Added | Should -Be @('DenyDeleteExceptBreakGlass')
        (Invoke-AsAdmin GET '/rgw-prot?policy').body | Should -Match 'DenyDeleteExceptBreakGlass'
        # AWS would deny all three (the owner is not the break-glass user); RGW 16 allows them. Use Object Lock there.
        (Invoke-AsAdmin DELETE "/rgw-prot/k?versionId=$version").status | Should -Be 204
        (Invoke-AsAdmin PUT '/rgw-prot?versioning' -Body '<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Suspended</Status></VersioningConfiguration>').status | Should -Be 200
        (Invoke-AsAdmin DELETE '/rgw-prot?policy').status | Should -BeIn 200, 204
        (Invoke-AsAdmin GET '/rgw-prot?policy').status | Should -Be 404
    }

    It 'refuses -RequireTls over the http endpoint without -Force' {
        New-BackupBucket -BucketName rgw-tls -WarningAction SilentlyContinue | Out-Null
        { Set-BackupBucketProtection -BucketName rgw-tls -RequireTls -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'BucketPolicyWouldLockOutCaller*'
        (Invoke-AsAdmin PUT '/rgw-tls/k' -Body 'x').status | Should -Be 200
    }

    It 'with -Force over plain http, the Null aws:SecureTransport Deny denies everything, even the owner removing the policy' {
        Set-BackupBucketProtection -BucketName rgw-tls -RequireTls -Force -Confirm:$false | Out-Null
        (Invoke-AsAdmin PUT '/rgw-tls/k2' -Body 'x').status | Should -Be 403
        (Invoke-AsAdmin GET '/rgw-tls/k').status | Should -Be 403
        (Invoke-AsAdmin DELETE '/rgw-tls?policy').status | Should -Be 403
    }
}

Describe 'Get-BackupBucketPosture on RGW 16' {
    It 'grades the COMPLIANCE bucket Immutable, and makes no write call' {
        Start-RgwRecording -Server $script:rgw
        $p = Get-BackupBucketPosture -BucketName rgw-lock-comp
        @(Get-RgwWriteCall -Server $script:rgw) | Should -HaveCount 0
        $p.Grade | Should -Be 'Immutable'
        $p.ObjectLockMode | Should -Be 'COMPLIANCE'
        $p.ObjectLockRetentionDays | Should -Be 1
        $p.Versioning | Should -Be 'Enabled'
    }

    It 'grades the GOVERNANCE bucket Resistant' {
        (Get-BackupBucketPosture rgw-lock-gov).Grade | Should -Be 'Resistant'
    }

    It 'grades a plain RGW bucket Exposed; the Block Public Access RGW takes passes; what RGW lacks is not a Pass' {
        New-BackupBucket -BucketName rgw-posture-plain -WarningAction SilentlyContinue | Out-Null
        $p = Get-BackupBucketPosture rgw-posture-plain
        $p.Grade | Should -Be 'Exposed'
        @($p.Findings | Where-Object Area -EQ 'PublicAccessBlock')[0].Status | Should -Be 'Pass'
        @($p.Findings | Where-Object Area -EQ 'ObjectOwnership')[0].Status | Should -Not -Be 'Pass'
        @($p.Findings | Where-Object Area -EQ 'DefaultEncryption')[0].Status | Should -Not -Be 'Pass'
        @($p.Findings | Where-Object Area -EQ 'ObjectLock')[0].Status | Should -Be 'Warn'
    }

    It 'cannot list IAM users on RGW 16 (ListUsers answers 405): the users'' delete check is Unknown with the offline way, not a Pass' {
        $f = @((Get-BackupBucketPosture rgw-posture-plain).Findings | Where-Object Area -EQ 'IdentityPolicies')[0]
        $f.Status | Should -Be 'Unknown'
        $f.Detail | Should -Match 'IamOperationNotSupported'
        $f.Fix | Should -Match 'Test-BackupPolicy'
    }
}
