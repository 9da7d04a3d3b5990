# Issue 17 on a real Ceph RGW 16 (tests/rgw/rgw.sh): two users made with radosgw-admin, 'owner' owns a bucket and
# 'intruder' runs the module against it. RGW answers the intruder as AWS answers another account: 403 AccessDenied to
# every bucket call and 409 BucketAlreadyExists to CreateBucket; the module says plainly that the name belongs to
# another account and writes nothing. RGW 16 ignores x-amz-expected-bucket-owner (a wrong id is answered 200): pinned
# here, so that the README's statement is checked; the module still sends it, which does no harm there.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    Import-BuiltModule
    $script:rgw = Start-RgwServer -CountingProxy
    $script:saved = @{}
    foreach ($name in 'AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'AWS_PROFILE', 'BACKUPIAM_STATE_DIR') {
        $script:saved[$name] = [Environment]::GetEnvironmentVariable($name)
    }
    $script:owner = New-RgwUser -Server $script:rgw -UserName owner
    $script:intruder = New-RgwUser -Server $script:rgw -UserName intruder
    $env:AWS_ENDPOINT_URL = $script:rgw.Url
    $env:AWS_ACCESS_KEY_ID = $script:intruder.AccessKey
    $env:AWS_SECRET_ACCESS_KEY = $script:intruder.SecretKey
    $env:AWS_REGION = 'us-east-1'
    Remove-Item Env:AWS_PROFILE -ErrorAction SilentlyContinue
    $script:stateDir = Join-Path ([IO.Path]::GetTempPath()) ("bucket-owner-rgw-" + [guid]::NewGuid().ToString('n'))
    $null = New-Item -ItemType Directory -Path $script:stateDir -Force
    $env:BACKUPIAM_STATE_DIR = $script:stateDir

    function Invoke-AsOwner {
        param([string] $Method, [string] $Path, [string[]] $Header = @())
        Invoke-RgwRequest -Server $script:rgw -AccessKey $script:owner.AccessKey -SecretKey $script:owner.SecretKey -Method $Method -Path $Path -Header $Header
    }

    (Invoke-AsOwner PUT '/owned-by-owner').status | Should -Be 200
    $script:plain = 'this name belongs to another AWS account; bucket names are global'
}

AfterAll {
    foreach ($name in $script:saved.Keys) { Restore-EnvironmentVariable -Name $name -Value $script:saved[$name] }
    if ($script:rgw) { Stop-RgwServer $script:rgw }
    Remove-Item $script:stateDir -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Another user''s bucket on RGW 16: the plain message, and no write' {
    It '<Command> as the other user: <Id>, "another account", zero writes' -ForEach @(
        @{ Command = 'New-BackupBucket'; Arguments = @{ Folder = 'backup/' }; Id = 'S3AccessDenied'; Operation = 'HeadBucket' }
        @{ Command = 'Enable-BackupVersioning'; Arguments = @{}; Id = 'S3AccessDenied'; Operation = 'GetBucketVersioning' }
        @{ Command = 'Set-BackupLifecycle'; Arguments = @{ NoncurrentVersionExpirationDays = 30 }; Id = 'S3AccessDenied'; Operation = 'GetBucketLifecycleConfiguration' }
        @{ Command = 'Set-BackupBucketPolicy'; Arguments = @{ PolicyDocument = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam:::user/intruder"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::owned-by-owner/*"}]}' }; Id = 'S3AccessDenied'; Operation = 'GetBucketPolicy' }
    ) {
        Start-RgwRecording -Server $script:rgw
        & $Command -BucketName owned-by-owner @Arguments -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty

        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike "$Id,*"
        $err[0].Exception.Message | Should -Match $Operation
        $err[0].Exception.Message | Should -Match $script:plain
        @(Get-RgwWriteCall -Server $script:rgw) | Should -HaveCount 0
        @(Get-RgwCall -Server $script:rgw | Where-Object Status -eq 403).Count | Should -BeGreaterThan 0
    }

    It 'a name taken between the check and CreateBucket: BucketAlreadyExists, said plainly, and nothing after it' {
        $faults = Start-FaultProxy -TargetUrl $script:rgw.Endpoint
        $savedAccess = $env:S3REQ_ACCESS_KEY; $savedSecret = $env:S3REQ_SECRET_KEY
        try {
            # The intruder's CreateBucket is held 4 s at the proxy; meanwhile the owner creates the name (the helper
            # waits until the hold has begun, so the order is fixed).
            Set-FaultRule -Proxy $faults -Rule @{ Method = 'PUT'; Path = '^/race-taken/?(\?)?$'; Fault = 'delay-before'; Seconds = 4 }
            $rivalScript = @'
import json, subprocess, sys, time, urllib.request
proxy, s3req, url = sys.argv[1:4]
deadline = time.time() + 30
while time.time() < deadline and not json.loads(urllib.request.urlopen(proxy + "/__fault/report").read()):
    time.sleep(0.1)
sys.exit(subprocess.call([sys.executable, s3req, "PUT", url]))
'@
            $rivalFile = Join-Path $script:stateDir 'rival.py'
            Set-Content -Path $rivalFile -Value $rivalScript
            $env:S3REQ_ACCESS_KEY = $script:owner.AccessKey; $env:S3REQ_SECRET_KEY = $script:owner.SecretKey
            $rival = Start-Process -FilePath python3 -ArgumentList $rivalFile, $faults.Url, (Join-Path $PSScriptRoot 's3req.py'), "$($script:rgw.Endpoint)/race-taken" `
                -PassThru -RedirectStandardOutput (Join-Path $script:stateDir 'rival.out')
            Restore-EnvironmentVariable -Name S3REQ_ACCESS_KEY -Value $savedAccess; Restore-EnvironmentVariable -Name S3REQ_SECRET_KEY -Value $savedSecret

            New-BackupBucket -BucketName race-taken -Folder backup/ -EndpointUrl $faults.Url -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $null = $rival.WaitForExit(30000)
            $rival.ExitCode | Should -Be 0
            (Get-Content -Raw (Join-Path $script:stateDir 'rival.out') | ConvertFrom-Json).status | Should -Be 200

            @(Get-FaultReport -Proxy $faults).Count | Should -Be 1
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'S3BucketAlreadyExists,*'
            $err[0].Exception.Message | Should -Match "Bucket 'race-taken': $($script:plain)"
            # Only the refused CreateBucket was a write: no protection or folder reached the owner's bucket.
            @(Get-FaultProxyRequest -Proxy $faults | Where-Object { $_.write }).operation | Should -Be @('PUT /race-taken/')
            (Invoke-AsOwner GET '/race-taken/backup/').status | Should -Be 404
        }
        finally {
            Restore-EnvironmentVariable -Name S3REQ_ACCESS_KEY -Value $savedAccess; Restore-EnvironmentVariable -Name S3REQ_SECRET_KEY -Value $savedSecret
            Stop-FaultProxy $faults
        }
    }
}

Describe 'x-amz-expected-bucket-owner on RGW 16' {
    It 'RGW ignores the header: its owner''s bucket answers a request that expects some other account' {
        (Invoke-AsOwner GET '/owned-by-owner?versioning' -Header 'x-amz-expected-bucket-owner:111122223333').status | Should -Be 200
        (Invoke-AsOwner HEAD '/owned-by-owner' -Header 'x-amz-expected-bucket-owner:111122223333').status | Should -Be 200
    }

    It 'so the module''s header does no harm there: the owner''s run with -ExpectedBucketOwner works and a re-run writes nothing' {
        $savedKey = $env:AWS_ACCESS_KEY_ID; $savedSecret = $env:AWS_SECRET_ACCESS_KEY
        try {
            $env:AWS_ACCESS_KEY_ID = $script:owner.AccessKey; $env:AWS_SECRET_ACCESS_KEY = $script:owner.SecretKey
            $first = New-BackupBucket -BucketName owned-by-owner -Folder backup/ -ExpectedBucketOwner 123456789012 -WarningAction SilentlyContinue |
                Enable-BackupVersioning
            $first.Versioning | Should -Be 'Enabled'
            $first.ExpectedBucketOwner | Should -Be '123456789012'
            Start-RgwRecording -Server $script:rgw
            $out = @(New-BackupBucket -BucketName owned-by-owner -Folder backup/ -ExpectedBucketOwner 123456789012 -WarningAction SilentlyContinue -Verbose 4>&1)
            $again = @($out | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] })
            $again.Count | Should -Be 1
            $again[0].Status | Should -Be 'Unchanged'
            # And it says so: on an S3-compatible store the header may protect nothing.
            ($out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n" | Should -Match 'may ignore it \(Ceph RGW 16 and moto do\)'
            @(Get-RgwWriteCall -Server $script:rgw) | Should -HaveCount 0
        }
        finally { $env:AWS_ACCESS_KEY_ID = $savedKey; $env:AWS_SECRET_ACCESS_KEY = $savedSecret }
    }
}
