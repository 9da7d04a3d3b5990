# Issue 17: buckets of another account, against a real moto server. moto keeps several accounts (STS AssumeRole into a
# role of account 111111111111 gives credentials that act there) and, started with MOTO_S3_ALLOW_CROSSACCOUNT_ACCESS=false,
# refuses another account's bucket with 403 AccessDenied as AWS does when the owner grants nothing. moto ignores
# x-amz-expected-bucket-owner (as Ceph RGW 16 does), so the header itself is checked on the wire, through
# tests/rgw/count-proxy.py, and AWS's answer to a mismatch in the xunit ExpectedBucketOwnerTests. (moto so started
# answers CreateBucket of a foreign name with 403, where AWS and RGW answer 409 BucketAlreadyExists: that case is in
# tests/rgw/BucketOwner.Rgw.Tests.ps1.)
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:moto = Enter-MotoTestSession -AccessKey 'AKIABUCKETOWNER00001' -ServerEnvironment @{ MOTO_S3_ALLOW_CROSSACCOUNT_ACCESS = 'false' }
    $script:account = '123456789012'   # moto's default account: the caller's
    $script:proxy = Start-CountingProxy -TargetUrl $script:moto.Url -LogPath (Join-Path ([IO.Path]::GetTempPath()) "bucket-owner-$([guid]::NewGuid().ToString('n')).jsonl") -RecordHeader 'x-amz-expected-bucket-owner'
    $script:stateDir = Join-Path ([IO.Path]::GetTempPath()) ("bucket-owner-state-" + [guid]::NewGuid().ToString('n'))
    $script:savedState = $env:BACKUPIAM_STATE_DIR
    $env:BACKUPIAM_STATE_DIR = $script:stateDir
    $null = New-Item -ItemType Directory -Path $script:stateDir -Force

    # A client independent of the module (boto3), acting in account 111111111111 through STS AssumeRole.
    $script:foreign = Join-Path ([IO.Path]::GetTempPath()) "foreign-bucket-$([guid]::NewGuid().ToString('n')).py"
    Set-Content -Path $script:foreign -Value @'
import sys
import boto3
endpoint, bucket = sys.argv[1], sys.argv[2]
sts = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="AKIAFOREIGNCALLER001", aws_secret_access_key="x")
c = sts.assume_role(RoleArn="arn:aws:iam::111111111111:role/other-owner", RoleSessionName="other-owner")["Credentials"]
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=c["AccessKeyId"],
                  aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"])
s3.create_bucket(Bucket=bucket)
print(boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=c["AccessKeyId"],
                   aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"]).get_caller_identity()["Account"])
'@
    function New-ForeignBucket {
        param([string] $Bucket)
        $out = & python3 $script:foreign $script:moto.Url $Bucket
        if ($LASTEXITCODE -ne 0) { throw "could not create bucket '$Bucket' in another moto account" }
        $out
    }

    function Get-ProxyS3Call {
        # Every S3 request the proxy passed on since -Mark (a line count), with the expected-owner header and whether it was signed.
        param([int] $Mark)
        @(Get-Content $script:proxy.Log | Select-Object -Skip $Mark | ForEach-Object { $_ | ConvertFrom-Json } | Where-Object { -not $_.action } | ForEach-Object {
                $sub = ($_.query -split '&' | Where-Object { $_ } | ForEach-Object { ($_ -split '=')[0] }) -join '&'
                [pscustomobject]@{
                    Operation = "$($_.method) $($_.path)" + $(if ($sub) { "?$sub" } else { '' })
                    Owner     = $_.headers.'x-amz-expected-bucket-owner'
                    Signed    = @($_.signedHeaders) -contains 'x-amz-expected-bucket-owner'
                }
            })
    }

    function Get-ProxyMark { @(Get-Content $script:proxy.Log).Count }

    function Get-TestBucketPolicy {
        param([string] $Bucket)
        (New-BackupPolicy -Preset UploadOnly -BucketName $Bucket -Prefix backup/ -AsBucketPolicy -PrincipalArn "arn:aws:iam::$($script:account):user/backup-writer").PolicyDocument
    }
}

AfterAll {
    Stop-CountingProxy $script:proxy
    Exit-MotoTestSession $script:moto
    Restore-EnvironmentVariable -Name BACKUPIAM_STATE_DIR -Value $script:savedState
    Remove-Item $script:foreign, $script:proxy.Log -ErrorAction SilentlyContinue
    Remove-Item $script:stateDir -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'A bucket name owned by another account (moto, two accounts)' {
    BeforeAll {
        $script:foreignAccount = New-ForeignBucket -Bucket 'taken-elsewhere'
    }

    It 'the foreign bucket really is in another account' {
        $script:foreignAccount | Should -Be '111111111111'
    }

    It 'New-BackupBucket says plainly that the name belongs to another account, and writes nothing' {
        Start-MotoRecording -Url $script:moto.Url
        New-BackupBucket -BucketName taken-elsewhere -Folder backup/ -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty

        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'S3AccessDenied,*'
        $err[0].Exception.Message | Should -Match 'this name belongs to another AWS account; bucket names are global'
        $err[0].TargetObject | Should -Be 'taken-elsewhere'
        @(Get-MotoWriteCall -Url $script:moto.Url).Count | Should -Be 0
    }

    It 'with -ExpectedBucketOwner the message names the account that was expected, and nothing is written' {
        Start-MotoRecording -Url $script:moto.Url
        New-BackupBucket -BucketName taken-elsewhere -ExpectedBucketOwner $script:account -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty

        $err.Count | Should -Be 1
        $err[0].Exception.Message | Should -Match "expected account $($script:account) to own it"
        $err[0].Exception.Message | Should -Match 'this name belongs to another AWS account; bucket names are global'
        @(Get-MotoWriteCall -Url $script:moto.Url).Count | Should -Be 0
    }

    It 'Set-BackupBucketPolicy from the default account stops at its first read of the foreign bucket' {
        $doc = Get-TestBucketPolicy -Bucket taken-elsewhere
        Start-MotoRecording -Url $script:moto.Url
        Set-BackupBucketPolicy -BucketName taken-elsewhere -PolicyDocument $doc -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty

        $err.Count | Should -Be 1
        $err[0].Exception.Message | Should -Match 'GetBucketPolicy'
        $err[0].Exception.Message | Should -Match 'this name belongs to another AWS account; bucket names are global'
        @(Get-MotoWriteCall -Url $script:moto.Url).Count | Should -Be 0
    }

    It 'the reads sent with HeadBucket (issue 16) explain nothing: one error, and only HeadBucket''s own explanation on the wire' {
        Start-MotoRecording -Url $script:moto.Url
        New-BackupBucket -BucketName taken-elsewhere -Folder backup/ -ExpectedBucketOwner $script:account -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Start-Sleep -Milliseconds 500   # an explanation of a dropped read would come after the cmdlet's error
        $err.Count | Should -Be 1
        $err[0].Exception.Message | Should -Match "expected account $($script:account) to own it"
        # HeadBucket with the expected owner's header, then the one without it that tells a foreign bucket from a denied
        # one: as before issue 16's round 4. Each 403 read sent with it would otherwise have added one or two.
        @(Get-MotoCall -Url $script:moto.Url | Where-Object Operation -EQ 'HEAD /taken-elsewhere/').Count | Should -Be 2
    }
}

Describe 'x-amz-expected-bucket-owner on the wire (moto behind the recording proxy)' {
    It 'refuses a malformed -ExpectedBucketOwner before any call' {
        $mark = Get-ProxyMark
        $failure = $null
        try { New-BackupBucket -BucketName wire-bad -ExpectedBucketOwner 12345 -EndpointUrl $script:proxy.Url }
        catch { $failure = $_ }
        $failure.FullyQualifiedErrorId | Should -BeLike 'AccountIdInvalid,*'
        $failure.Exception.Message | Should -Match '-ExpectedBucketOwner'
        (Get-ProxyMark) | Should -Be $mark
    }

    It 'a new bucket''s pipeline sends the owner on every bucket request but CreateBucket, signed' {
        $doc = Get-TestBucketPolicy -Bucket wire-new
        $mark = Get-ProxyMark
        $result = New-BackupBucket -BucketName wire-new -Folder backup/, logs/ -ExpectedBucketOwner $script:account -EndpointUrl $script:proxy.Url |
            Enable-BackupVersioning -EndpointUrl $script:proxy.Url |
            Set-BackupLifecycle -NoncurrentVersionExpirationDays 30 -EndpointUrl $script:proxy.Url
        $result.Status | Should -Be 'Created'
        Set-BackupBucketPolicy -BucketName wire-new -PolicyDocument $doc -ExpectedBucketOwner $script:account -EndpointUrl $script:proxy.Url | Out-Null

        $calls = Get-ProxyS3Call -Mark $mark
        $create = @($calls | Where-Object Operation -eq 'PUT /wire-new/')
        $create.Count | Should -Be 1
        $create[0].Owner | Should -BeNullOrEmpty            # CreateBucket's API takes no expected owner
        $others = @($calls | Where-Object Operation -ne 'PUT /wire-new/')
        $others.Count | Should -BeGreaterThan 8
        foreach ($op in 'PUT /wire-new/backup/', 'PUT /wire-new/?versioning', 'PUT /wire-new/?lifecycle', 'GET /wire-new/?policy', 'PUT /wire-new/?policy') {
            $others.Operation | Should -Contain $op
        }
        @($others | Where-Object { $_.Owner -ne $script:account -or -not $_.Signed }).Operation | Should -BeNullOrEmpty
    }

    It 'an existing bucket''s re-run, its posture report and its settings send it on every request too' {
        $mark = Get-ProxyMark
        New-BackupBucket -BucketName wire-new -Folder backup/ -ExpectedBucketOwner $script:account -EndpointUrl $script:proxy.Url |
            Enable-BackupVersioning -EndpointUrl $script:proxy.Url | Out-Null
        Get-BackupBucketPosture -BucketName wire-new -ExpectedBucketOwner $script:account -EndpointUrl $script:proxy.Url | Out-Null

        $calls = Get-ProxyS3Call -Mark $mark
        foreach ($op in 'HEAD /wire-new/', 'GET /wire-new/?location', 'GET /wire-new/?versioning', 'GET /wire-new/?object-lock') {
            $calls.Operation | Should -Contain $op
        }
        @($calls | Where-Object { $_.Owner -ne $script:account -or -not $_.Signed }).Operation | Should -BeNullOrEmpty
    }

    It 'without -ExpectedBucketOwner nothing is sent; once sts:GetCallerIdentity has named the caller''s account, the writes carry it' {
        $null = New-BackupBucket -BucketName wire-sts -EndpointUrl $script:proxy.Url
        $caller = ((& aws --endpoint-url $script:moto.Url --region us-east-1 --output json sts get-caller-identity) | ConvertFrom-Json).Arn -replace '^arn:aws:sts::', 'arn:aws:iam::'
        $mark = Get-ProxyMark
        Set-BackupBucketProtection -BucketName wire-sts -BreakGlassPrincipalArn $caller -EndpointUrl $script:proxy.Url -Confirm:$false | Out-Null

        $calls = Get-ProxyS3Call -Mark $mark
        $read = @($calls | Where-Object Operation -eq 'GET /wire-sts/?policy')
        $write = @($calls | Where-Object Operation -eq 'PUT /wire-sts/?policy')
        $read.Count | Should -Be 1
        $write.Count | Should -Be 1
        $read[0].Owner | Should -BeNullOrEmpty          # planned before the owner was known
        $write[0].Owner | Should -Be $script:account    # the caller's account, from the lock-out check's GetCallerIdentity
        $write[0].Signed | Should -BeTrue
    }
}
