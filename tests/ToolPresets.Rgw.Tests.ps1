# Issue 13: every tool preset proven by the tool itself against a real Ceph RGW 16 (tests/rgw/rgw.sh).
# Each setup is provisioned with the built module (bucket: New-BackupBucket; policy: New-BackupPolicy | Set-BackupBucketPolicy;
# the user and its key come from radosgw-admin, as RGW has no IAM CreateUser). The real tool (rclone, restic, s3cmd,
# aws) then runs with the backup key: its backup operation must succeed, including a multipart upload above its
# cutoff (checked in RGW's ops log), the operations the preset excludes must fail with AccessDenied, and the bucket
# owner must be able to restore what the tool wrote.
#
# "Expected on AWS" and "expected on RGW" are kept apart: every denial probed on RGW is also decided by the module's
# simulator for AWS (Test-BackupPolicy), and where the two stores differ the test says so and why.
# Tools read only the temporary configuration written here (RCLONE_CONFIG, an s3cmd config file, AWS_CONFIG_FILE and
# AWS_SHARED_CREDENTIALS_FILE), never the user's files.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-BuiltModule

    $script:probeScript = Join-Path $PSScriptRoot 'tools/s3probe.py'
    # The tools are Debian packages (rclone 1.60, restic 0.14, s3cmd 2.3) and awscli; missing ones fail the tests, never skip them.
    $missing = @('rclone', 'restic', 's3cmd', 'aws', 'python3') | Where-Object { -not (Get-Command $_ -CommandType Application -ErrorAction SilentlyContinue) }
    if ($missing) { throw "The tool tests need $($missing -join ', ') on PATH: apt-get install rclone restic s3cmd, and awscli (pip install awscli)." }
    & python3 -c 'import boto3' 2>$null
    if ($LASTEXITCODE -ne 0) { throw 'The tool tests need boto3 in python3 (tests/tools/s3probe.py): python3 -m pip install boto3.' }
    $script:savedEnv = @{}
    foreach ($name in 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION', 'AWS_PROFILE', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL_IAM') {
        $script:savedEnv[$name] = [Environment]::GetEnvironmentVariable($name)
    }

    $script:rgw = Start-RgwServer
    # The module acts as the RGW admin user, which owns the buckets.
    $env:AWS_ACCESS_KEY_ID = $rgw.AdminAccessKey
    $env:AWS_SECRET_ACCESS_KEY = $rgw.AdminSecretKey
    $env:AWS_REGION = 'us-east-1'
    foreach ($name in 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL_IAM') { Remove-Item "Env:$name" -ErrorAction SilentlyContinue }
    $script:admin = [pscustomobject]@{ AccessKey = $rgw.AdminAccessKey; SecretKey = $rgw.AdminSecretKey }
    # Every tool setup by bucket name, for the checks all of them share (the last Context of the tool setups).
    $script:setups = @{}

    $script:work = Join-Path ([System.IO.Path]::GetTempPath()) ('backupiam-tools-' + [guid]::NewGuid().ToString('n').Substring(0, 10))
    $null = New-Item -ItemType Directory -Path $work
    $script:source = Join-Path $work 'source'
    $null = New-Item -ItemType Directory -Path $source
    Set-Content -Path (Join-Path $source 'small.txt') -Value 'a small backup file' -NoNewline
    # 12 MB of random bytes: above every cutoff used below (rclone --s3-upload-cutoff 5M, aws's 8 MB multipart
    # threshold, s3cmd --multipart-chunk-size-mb=5), so each tool uploads it in parts.
    $bytes = [byte[]]::new(12MB)
    [System.Random]::new(13).NextBytes($bytes)
    [System.IO.File]::WriteAllBytes((Join-Path $source 'big.bin'), $bytes)
    $script:bigHash = (Get-FileHash (Join-Path $source 'big.bin') -Algorithm SHA256).Hash

    # aws cli: profiles in temporary files only.
    $script:awsConfig = Join-Path $work 'aws-config'
    $script:awsCredentials = Join-Path $work 'aws-credentials'
    Set-Content -Path $awsConfig -Value "[default]`nregion = us-east-1`n[profile admin]`nregion = us-east-1`n[profile backup]`nregion = us-east-1"
    Set-Content -Path $awsCredentials -Value "[admin]`naws_access_key_id = $($admin.AccessKey)`naws_secret_access_key = $($admin.SecretKey)"

    function script:Invoke-Tool {
        <#
        Runs a program with an isolated environment: no AWS_* keys, profile or CA bundle inherited (rclone refuses to start
        with AWS_CA_BUNDLE set), temporary aws config files, plus the given variables. Kills it after the timeout.
        #>
        param([string] $File, [string[]] $Arguments, [hashtable] $Environment = @{}, [int] $TimeoutSeconds = 180)
        $info = [System.Diagnostics.ProcessStartInfo]::new($File)
        foreach ($a in $Arguments) { $info.ArgumentList.Add($a) }
        $info.RedirectStandardOutput = $true
        $info.RedirectStandardError = $true
        $info.UseShellExecute = $false
        foreach ($name in @($info.Environment.Keys)) {
            if ($name -like 'AWS_*' -or $name -like 'RCLONE_*' -or $name -like 'RESTIC_*') { $null = $info.Environment.Remove($name) }
        }
        $info.Environment['AWS_CONFIG_FILE'] = $awsConfig
        $info.Environment['AWS_SHARED_CREDENTIALS_FILE'] = $awsCredentials
        $info.Environment['HOME'] = $work
        foreach ($key in $Environment.Keys) { $info.Environment[$key] = [string]$Environment[$key] }
        $process = [System.Diagnostics.Process]::Start($info)
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        $timedOut = -not $process.WaitForExit($TimeoutSeconds * 1000)
        if ($timedOut) { $process.Kill($true); $process.WaitForExit() }
        [pscustomobject]@{
            ExitCode = if ($timedOut) { -1 } else { $process.ExitCode }
            TimedOut = $timedOut
            Output   = $stdout.Result + $stderr.Result
        }
    }

    function script:Invoke-Probe {
        <# One S3 request as the given key (or anonymously with -Key $null): 'OK ...' or 'ERR <status> <code>'. #>
        param($Key, [string] $Operation, [string] $Bucket, [string] $Object = '-', [string] $Argument = '-', [hashtable] $Environment = @{})
        $vars = @{} + $Environment
        if ($Key) { $vars.PROBE_ACCESS_KEY = $Key.AccessKey; $vars.PROBE_SECRET_KEY = $Key.SecretKey } else { $vars.PROBE_ANONYMOUS = '1' }
        $r = Invoke-Tool -File 'python3' -Arguments @($probeScript, $rgw.Endpoint, $Operation, $Bucket, $Object, $Argument) -Environment $vars -TimeoutSeconds 60
        if ($r.ExitCode -ne 0) { throw "s3probe.py $Operation failed to run: $($r.Output)" }
        $r.Output.Trim()
    }

    function script:Invoke-ProbeBatch {
        <# Several requests as one key in one process: lines "OPERATION BUCKET KEY ARG"; returns one answer per line. #>
        param($Key, [string[]] $Request)
        $info = [System.Diagnostics.ProcessStartInfo]::new('python3')
        foreach ($a in $probeScript, $rgw.Endpoint, '--batch') { $info.ArgumentList.Add($a) }
        $info.RedirectStandardInput = $true
        $info.RedirectStandardOutput = $true
        $info.UseShellExecute = $false
        foreach ($name in @($info.Environment.Keys)) { if ($name -like 'AWS_*') { $null = $info.Environment.Remove($name) } }
        if ($Key) { $info.Environment['PROBE_ACCESS_KEY'] = $Key.AccessKey; $info.Environment['PROBE_SECRET_KEY'] = $Key.SecretKey } else { $info.Environment['PROBE_ANONYMOUS'] = '1' }
        $process = [System.Diagnostics.Process]::Start($info)
        $process.StandardInput.Write(($Request -join "`n") + "`n")
        $process.StandardInput.Close()
        $output = $process.StandardOutput.ReadToEndAsync()
        if (-not $process.WaitForExit(120000)) { $process.Kill($true); throw 's3probe.py --batch did not finish within 120 s' }
        $lines = @($output.Result -split "`n" | Where-Object { $_ -ne '' } | ForEach-Object { $_.Trim() })
        if ($lines.Count -ne $Request.Count) { throw "s3probe.py --batch answered $($lines.Count) of $($Request.Count) requests: $($output.Result)" }
        $lines
    }

    function script:New-ToolSetup {
        <#
        Provisions one tool setup with the module: the bucket (New-BackupBucket, which applies IgnorePublicAcls and
        RestrictPublicBuckets on RGW) and the preset as a bucket policy naming the RGW user in its default-tenant form.
        The user cannot create buckets (--max-buckets=-1): a bucket policy cannot deny s3:CreateBucket on other buckets.
        #>
        param([string] $Preset, [string] $Bucket, [string] $Prefix, [hashtable] $Options = @{})
        $user = New-RgwUser -Server $rgw -UserName "$Bucket-key" -MaxBuckets -1
        $bucketResult = New-BackupBucket -BucketName $Bucket -EndpointUrl $rgw.Url -WarningAction SilentlyContinue -ErrorAction Stop
        $policy = New-BackupPolicy -Preset $Preset -BucketName $Bucket -Prefix $Prefix -AsBucketPolicy -PrincipalArn "arn:aws:iam:::user/$($user.UserId)" @Options -ErrorAction Stop
        $applied = $policy | Set-BackupBucketPolicy -EndpointUrl $rgw.Url -ErrorAction Stop
        $setup = [pscustomobject]@{ User = $user; Bucket = $Bucket; Prefix = $policy.Prefix; Policy = $policy; Applied = $applied; BucketResult = $bucketResult }
        $script:setups[$Bucket] = $setup
        $setup
    }

    function script:New-RcloneConfig {
        <# An rclone config file with the setup's key as remote 'backup' (ACL bucket-owner-full-control on every upload). #>
        param([string] $Name, $Setup)
        $path = Join-Path $work "$Name.conf"
        Set-Content -Path $path -Value @"
[backup]
type = s3
provider = Ceph
endpoint = $($rgw.Endpoint)
access_key_id = $($Setup.User.AccessKey)
secret_access_key = $($Setup.User.SecretKey)
acl = bucket-owner-full-control
no_check_bucket = true
"@
        $path
    }

    function script:New-S3cmdConfig {
        <# An s3cmd config file for the key, path-style against the RGW endpoint over http. #>
        param([string] $Path, $Key)
        $hostPort = $rgw.Endpoint -replace '^http://', ''
        Set-Content -Path $Path -Value "[default]`naccess_key = $($Key.AccessKey)`nsecret_key = $($Key.SecretKey)`nhost_base = $hostPort`nhost_bucket = $hostPort`nuse_https = False`nsignature_v2 = False`nbucket_location = us-east-1"
        $Path
    }

    function script:Get-MultipartCompletion {
        <# The CompleteMultipartUpload requests RGW logged for the bucket (its ops log), as "bucket/key" strings. #>
        param([string] $Bucket)
        # Entries written at the same moment can share a line, so match entries rather than parse lines.
        $text = Get-Content -Raw (Join-Path $rgw.StateDir 'log/ops.log') -ErrorAction Stop
        $pattern = '"bucket":"(?<b>[^"]*)","time":"[^"]*","time_local":"[^"]*","remote_addr":"[^"]*","user":"[^"]*","operation":"complete_multipart","uri":"POST /(?<k>[^? ]+)[^"]*","http_status":"(?<s>\d+)"'
        foreach ($m in [regex]::Matches($text, $pattern)) {
            if ($m.Groups['b'].Value -eq $Bucket -and $m.Groups['s'].Value -eq '200') { $m.Groups['k'].Value }
        }
    }

    function script:Test-OnAws {
        <# What the module's simulator decides for the same policy on AWS (no owner rights there for the writer). #>
        param($Setup, [string] $Action, [string] $Object, [hashtable] $Context)
        $resource = if ($Object) { "arn:aws:s3:::$($Setup.Bucket)/$Object" } else { "arn:aws:s3:::$($Setup.Bucket)" }
        $splat = @{ Action = $Action; Resource = $resource }
        if ($Context) { $splat.Context = $Context }
        ($Setup.Policy | Test-BackupPolicy @splat).Decision
    }

    function script:Assert-ExcludedOperations {
        <#
        The operations no tool preset allows: each must answer 403 on RGW, and the simulator must deny it on AWS too.
        Objects: $Own is an object the backup key wrote; $Foreign one the owner wrote outside the prefix.
        #>
        param($Setup, [string] $Own, [string] $Foreign)
        $key = $Setup.User
        $b = $Setup.Bucket
        $cases = @(
            @{ Op = 'put-public-acl'; Object = $Own; Action = 's3:PutObjectAcl'; Context = $null; Why = 're-ACL (make public) its own upload' }
            @{ Op = 'put-acl'; Object = "$($Setup.Prefix)public.txt"; Arg = 'public-read'; Action = 's3:PutObject'; Context = @{ 's3:x-amz-acl' = 'public-read' }; Why = 'upload with a public canned ACL' }
            @{ Op = 'put-policy'; Object = '-'; Action = 's3:PutBucketPolicy'; Why = 'change the bucket policy' }
            @{ Op = 'put-versioning-suspended'; Object = '-'; Action = 's3:PutBucketVersioning'; Why = 'suspend versioning' }
            @{ Op = 'put-lifecycle'; Object = '-'; Action = 's3:PutLifecycleConfiguration'; Why = 'set a lifecycle that expires everything' }
            @{ Op = 'get'; Object = $Foreign; Action = 's3:GetObject'; Why = 'read outside the prefix' }
            @{ Op = 'delete'; Object = $Foreign; Action = 's3:DeleteObject'; Why = 'delete outside the prefix' }
            @{ Op = 'list-versions'; Object = '-'; Action = 's3:ListBucketVersions'; Why = 'list object versions' }
            @{ Op = 'list-uploads'; Object = '-'; Action = 's3:ListBucketMultipartUploads'; Why = 'list multipart uploads' }
        )
        $requests = foreach ($c in $cases) { "$($c.Op) $b $($c.Object) $(if ($c.Arg) { $c.Arg } else { '-' })" }
        $answers = Invoke-ProbeBatch -Key $key -Request $requests
        for ($i = 0; $i -lt $cases.Count; $i++) {
            $c = $cases[$i]
            $answers[$i] | Should -Match '^ERR 403 AccessDenied' -Because "$($c.Why) must be refused on RGW ($($c.Op) $($c.Object))"
            $objectForSimulator = if ($c.Object -eq '-') { $null } else { $c.Object }
            Test-OnAws -Setup $Setup -Action $c.Action -Object $objectForSimulator -Context $c.Context | Should -Not -Be 'Allowed' -Because "$($c.Why) is denied on AWS by the same policy"
        }
        # Creating a bucket: refused on RGW by --max-buckets=-1 (a bucket policy cannot deny it; the identity form of every
        # tool preset denies s3:CreateBucket, see the identity-policy test below). On AWS a user needs an identity grant.
        Invoke-Probe -Key $key -Operation 'create-bucket' -Bucket "$b-extra" | Should -Match '^ERR 403'
        # Anonymous read of the tool's upload: RestrictPublicBuckets/IgnorePublicAcls (New-BackupBucket) refuse it.
        Invoke-Probe -Key $null -Operation 'get' -Bucket $b -Object $Own | Should -Match '^ERR 403'
    }
}

AfterAll {
    if ($script:rgw) { Stop-RgwServer -Server $script:rgw }
    foreach ($name in $script:savedEnv.Keys) { Restore-EnvironmentVariable -Name $name -Value $script:savedEnv[$name] }
    if ($script:work -and (Test-Path $script:work)) { Remove-Item -Recurse -Force $script:work }
}

Describe 'Tool presets on Ceph RGW, proven by the tools' -Tag 'Rgw', 'Tools' {

    Context 'rclone sync (preset Rclone, prefix backups/dataset-1/)' {
        BeforeAll {
            $script:s = New-ToolSetup -Preset Rclone -Bucket 'rclone-sync' -Prefix 'backups/dataset-1/'
            $script:rcloneConfig = New-RcloneConfig -Name 'rclone-sync' -Setup $s
            $script:rclone = @{ RCLONE_CONFIG = $rcloneConfig }
            $null = Invoke-Probe -Key $admin -Operation 'put' -Bucket $s.Bucket -Object 'backups/other/owner.txt'
            $script:syncSource = Join-Path $work 'sync-source'
            Copy-Item -Recurse $source $syncSource
        }

        It 'rclone copy uploads the files, the large one in parts, with the key from the module-made policy' {
            $s.Applied.Status | Should -Be 'Created'
            $r = Invoke-Tool rclone @('copy', $syncSource, "backup:$($s.Bucket)/backups/dataset-1", '--s3-upload-cutoff', '5M', '--s3-chunk-size', '5M') $rclone
            $r.ExitCode | Should -Be 0 -Because $r.Output
            Get-MultipartCompletion -Bucket $s.Bucket | Should -Contain "$($s.Bucket)/backups/dataset-1/big.bin"
            (Invoke-Tool rclone @('lsf', "backup:$($s.Bucket)/backups/dataset-1") $rclone).Output -split "`n" | Where-Object { $_ } | Sort-Object | Should -Be @('big.bin', 'small.txt')
        }

        It 'rclone lsd lists the bucket root (no prefix sent; RGW never matches StringEquals s3:prefix "" then)' {
            $r = Invoke-Tool rclone @('lsd', "backup:$($s.Bucket)") $rclone
            $r.ExitCode | Should -Be 0 -Because $r.Output
            $r.Output | Should -Match 'backups'
            # One level only: a recursive listing of the whole bucket stays denied.
            Invoke-Probe -Key $s.User -Operation 'list' -Bucket $s.Bucket | Should -Match '^ERR 403 AccessDenied'
            Test-OnAws -Setup $s -Action 's3:ListBucket' -Context @{ 's3:delimiter' = '/' } | Should -Be 'Allowed'
        }

        It 'rclone sync deletes what left the source (the sync preset allows s3:DeleteObject under the prefix)' {
            Remove-Item (Join-Path $syncSource 'small.txt')
            $r = Invoke-Tool rclone @('sync', $syncSource, "backup:$($s.Bucket)/backups/dataset-1", '--s3-upload-cutoff', '5M', '--s3-chunk-size', '5M') $rclone
            $r.ExitCode | Should -Be 0 -Because $r.Output
            Invoke-Probe -Key $admin -Operation 'head' -Bucket $s.Bucket -Object 'backups/dataset-1/small.txt' | Should -Match '^ERR 404'
        }

        It 'rclone cannot list, read or purge outside the prefix' {
            $r = Invoke-Tool rclone @('lsf', "backup:$($s.Bucket)/backups/other") $rclone
            $r.ExitCode | Should -Not -Be 0
            $r.Output | Should -Match 'AccessDenied'
            $r = Invoke-Tool rclone @('purge', "backup:$($s.Bucket)/backups/other") $rclone
            $r.ExitCode | Should -Not -Be 0
            Invoke-Probe -Key $admin -Operation 'head' -Bucket $s.Bucket -Object 'backups/other/owner.txt' | Should -Match '^OK'
        }
    }

    Context 'rclone copy (preset RcloneCopy): no delete' {
        BeforeAll {
            $script:s = New-ToolSetup -Preset RcloneCopy -Bucket 'rclone-copy' -Prefix 'backups/dataset-1/'
            # The ACL as a remote setting, so every upload carries it (a sync that re-uploads a file included); the copy
            # below also passes it as the --s3-acl flag.
            $script:rcloneConfig = New-RcloneConfig -Name 'rclone-copy' -Setup $s
            $script:rclone = @{ RCLONE_CONFIG = $rcloneConfig }
            $null = Invoke-Probe -Key $admin -Operation 'put' -Bucket $s.Bucket -Object 'backups/other/owner.txt'
        }

        It 'rclone copy with --s3-acl bucket-owner-full-control uploads the files, the large one in parts' {
            $r = Invoke-Tool rclone @('copy', $source, "backup:$($s.Bucket)/backups/dataset-1", '--s3-acl', 'bucket-owner-full-control', '--s3-upload-cutoff', '5M', '--s3-chunk-size', '5M') $rclone
            $r.ExitCode | Should -Be 0 -Because $r.Output
            Get-MultipartCompletion -Bucket $s.Bucket | Should -Contain "$($s.Bucket)/backups/dataset-1/big.bin"
            # A second copy finds everything in place (it lists and reads metadata, and uploads nothing).
            $again = Invoke-Tool rclone @('copy', $source, "backup:$($s.Bucket)/backups/dataset-1", '--s3-acl', 'bucket-owner-full-control', '--s3-upload-cutoff', '5M', '--s3-chunk-size', '5M') $rclone
            $again.ExitCode | Should -Be 0 -Because $again.Output
        }

        It 'rclone delete, purge and a sync that would delete all fail with AccessDenied, and the files stay' {
            foreach ($arguments in @(
                    @('delete', "backup:$($s.Bucket)/backups/dataset-1"),
                    @('purge', "backup:$($s.Bucket)/backups/dataset-1"),
                    @('sync', (Join-Path $work 'empty-dir-that-does-not-exist'), "backup:$($s.Bucket)/backups/dataset-1"))) {
                $r = Invoke-Tool rclone $arguments $rclone
                $r.ExitCode | Should -Not -Be 0 -Because "rclone $($arguments[0]) must fail"
            }

            $null = New-Item -ItemType Directory -Path (Join-Path $work 'one-file') -Force
            Set-Content -Path (Join-Path $work 'one-file/small.txt') -Value 'a small backup file' -NoNewline
            $r = Invoke-Tool rclone @('sync', (Join-Path $work 'one-file'), "backup:$($s.Bucket)/backups/dataset-1") $rclone
            $r.ExitCode | Should -Not -Be 0
            $r.Output | Should -Match 'AccessDenied'
            Invoke-Probe -Key $admin -Operation 'head' -Bucket $s.Bucket -Object 'backups/dataset-1/big.bin' | Should -Be 'OK 12582912'
            Test-OnAws -Setup $s -Action 's3:DeleteObject' -Object 'backups/dataset-1/big.bin' | Should -Not -Be 'Allowed'
        }

        It 'the bucket owner restores what rclone wrote' {
            Invoke-Probe -Key $admin -Operation 'get' -Bucket $s.Bucket -Object 'backups/dataset-1/small.txt' | Should -Be 'OK a small backup file'
        }
    }

    Context 'restic (preset Restic): init, backup, check; the owner restores after OwnerRestore' {
        BeforeAll {
            $script:s = New-ToolSetup -Preset Restic -Bucket 'restic-full' -Prefix 'repo/'
            $script:restic = @{ AWS_ACCESS_KEY_ID = $s.User.AccessKey; AWS_SECRET_ACCESS_KEY = $s.User.SecretKey; RESTIC_PASSWORD = 'test-repository-password'; RESTIC_CACHE_DIR = (Join-Path $work 'restic-cache') }
            $script:repo = "s3:$($rgw.Endpoint)/$($s.Bucket)/repo"
            $null = Invoke-Probe -Key $admin -Operation 'put' -Bucket $s.Bucket -Object 'other/owner.txt'
            # restic's pack files: with --pack-size 32 and 40 MB of random data, one pack is above minio-go's 16 MiB part size, so it goes up in parts.
            $script:resticSource = Join-Path $work 'restic-source'
            $null = New-Item -ItemType Directory -Path $resticSource
            $large = [byte[]]::new(40MB)
            [System.Random]::new(17).NextBytes($large)
            [System.IO.File]::WriteAllBytes((Join-Path $resticSource 'large.bin'), $large)
            Copy-Item (Join-Path $source 'small.txt') $resticSource
        }

        It 'restic init, backup and check succeed (a 32 MiB pack goes up in one request: restic 0.14 never uploads in parts)' {
            $r = Invoke-Tool restic @('-r', $repo, 'init') $restic
            $r.ExitCode | Should -Be 0 -Because $r.Output
            $r = Invoke-Tool restic @('-r', $repo, 'backup', '--pack-size', '32', $resticSource) $restic
            $r.ExitCode | Should -Be 0 -Because $r.Output
            $r.Output | Should -Match 'snapshot [0-9a-f]+ saved'
            $r = Invoke-Tool restic @('-r', $repo, 'check') $restic
            $r.ExitCode | Should -Be 0 -Because $r.Output
            # restic sets minio-go's part size to 200 MiB and its packs are at most 128 MiB (--pack-size), so it has no
            # multipart upload to prove; its largest upload here is one request above AWS's and minio-go's 16 MiB default.
            Get-MultipartCompletion -Bucket $s.Bucket | Should -BeNullOrEmpty
            $packs = ((Invoke-Probe -Key $s.User -Operation 'list' -Bucket $s.Bucket -Object 'repo/data/') -replace '^OK ', '') -split ','
            $sizes = foreach ($pack in $packs) { [long]((Invoke-Probe -Key $s.User -Operation 'head' -Bucket $s.Bucket -Object $pack) -replace '^OK ', '') }
            ($sizes | Measure-Object -Maximum).Maximum | Should -BeGreaterThan 30MB
        }

        It 'the owner cannot read restic''s uploads on RGW (restic sends no x-amz-acl) until OwnerRestore grants it, then restic restore works' {
            # Expected on AWS: with ACLs disabled (BucketOwnerEnforced) the owner owns every object, no grant needed; this is
            # ownership, not policy, so the simulator has nothing to decide. Expected on RGW: 403 until the grant.
            Invoke-Probe -Key $admin -Operation 'get' -Bucket $s.Bucket -Object 'repo/config' | Should -Match '^ERR 403 AccessDenied'
            $grant = New-BackupPolicy -Preset OwnerRestore -BucketName $s.Bucket -Prefix 'repo/' -PrincipalArn "arn:aws:iam:::user/$($rgw.AdminUid)" | Set-BackupBucketPolicy -EndpointUrl $rgw.Url
            $grant.Status | Should -Be 'Updated'
            Invoke-Probe -Key $admin -Operation 'get' -Bucket $s.Bucket -Object 'repo/config' | Should -Match '^OK'

            $ownerEnv = @{ AWS_ACCESS_KEY_ID = $admin.AccessKey; AWS_SECRET_ACCESS_KEY = $admin.SecretKey; RESTIC_PASSWORD = 'test-repository-password'; RESTIC_CACHE_DIR = (Join-Path $work 'restic-owner-cache') }
            $target = Join-Path $work 'restic-restore'
            $r = Invoke-Tool restic @('-r', $repo, '--no-lock', 'restore', 'latest', '--target', $target) $ownerEnv
            $r.ExitCode | Should -Be 0 -Because $r.Output
            $restored = Get-ChildItem -Recurse -File $target | Where-Object Name -EQ 'large.bin'
            (Get-FileHash $restored.FullName -Algorithm SHA256).Hash | Should -Be (Get-FileHash (Join-Path $resticSource 'large.bin') -Algorithm SHA256).Hash
            # The backup key's restrictions are unchanged by the merge.
            Invoke-Probe -Key $s.User -Operation 'put-policy' -Bucket $s.Bucket | Should -Match '^ERR 403 AccessDenied'
        }
    }

    Context 'restic without delete (preset ResticNoDelete): delete only under locks/' {
        BeforeAll {
            $script:s = New-ToolSetup -Preset ResticNoDelete -Bucket 'restic-nodelete' -Prefix 'repo/'
            $script:restic = @{ AWS_ACCESS_KEY_ID = $s.User.AccessKey; AWS_SECRET_ACCESS_KEY = $s.User.SecretKey; RESTIC_PASSWORD = 'test-repository-password'; RESTIC_CACHE_DIR = (Join-Path $work 'restic-nd-cache') }
            $script:repo = "s3:$($rgw.Endpoint)/$($s.Bucket)/repo"
            $null = Invoke-Probe -Key $admin -Operation 'put' -Bucket $s.Bucket -Object 'other/owner.txt'
        }

        It 'restic init, backup and check succeed, and remove their lock files' {
            foreach ($arguments in @(@('init'), @('backup', $source), @('check'))) {
                $r = Invoke-Tool restic (@('-r', $repo) + $arguments) $restic
                $r.ExitCode | Should -Be 0 -Because "restic $($arguments[0]): $($r.Output)"
            }
            Invoke-Probe -Key $admin -Operation 'list' -Bucket $s.Bucket -Object 'repo/locks/' | Should -Be 'OK'
        }

        It 'restic forget cannot remove a snapshot: AccessDenied (restic retries, so it is stopped after 15 s), and the snapshot stays' {
            $snapshots = (Invoke-Probe -Key $admin -Operation 'list' -Bucket $s.Bucket -Object 'repo/snapshots/') -replace '^OK ', ''
            $id = ($snapshots -split '/')[-1]
            $r = Invoke-Tool restic @('-r', $repo, 'forget', $id) $restic -TimeoutSeconds 15
            $r.ExitCode | Should -Not -Be 0
            $r.Output | Should -Match 'Access Denied'
            # The owner cannot read restic's objects on RGW (no bucket-owner-full-control); the key itself can.
            Invoke-Probe -Key $s.User -Operation 'head' -Bucket $s.Bucket -Object $snapshots | Should -Match '^OK'
            Invoke-Probe -Key $s.User -Operation 'delete' -Bucket $s.Bucket -Object $snapshots | Should -Match '^ERR 403 AccessDenied'
            Test-OnAws -Setup $s -Action 's3:DeleteObject' -Object $snapshots | Should -Not -Be 'Allowed'
            # Deleting under locks/ is what the preset allows, on both stores.
            Invoke-Probe -Key $s.User -Operation 'put' -Bucket $s.Bucket -Object 'repo/locks/probe' | Should -Be 'OK put'
            Invoke-Probe -Key $s.User -Operation 'delete' -Bucket $s.Bucket -Object 'repo/locks/probe' | Should -Be 'OK deleted'
            Test-OnAws -Setup $s -Action 's3:DeleteObject' -Object 'repo/locks/probe' | Should -Be 'Allowed'
        }
    }

    Context 's3cmd put (preset S3cmd)' {
        BeforeAll {
            $script:s = New-ToolSetup -Preset S3cmd -Bucket 's3cmd-put' -Prefix 'backup/'
            $script:s3cfg = New-S3cmdConfig -Path (Join-Path $work 's3cmd.cfg') -Key $s.User
            $null = Invoke-Probe -Key $admin -Operation 'put' -Bucket $s.Bucket -Object 'other/owner.txt'
        }

        It 's3cmd put with --add-header=x-amz-acl:bucket-owner-full-control uploads, the large file in parts' {
            foreach ($file in 'small.txt', 'big.bin') {
                $r = Invoke-Tool s3cmd @('-c', $s3cfg, 'put', '--add-header=x-amz-acl:bucket-owner-full-control', '--multipart-chunk-size-mb=5', (Join-Path $source $file), "s3://$($s.Bucket)/backup/$file")
                $r.ExitCode | Should -Be 0 -Because $r.Output
            }
            Get-MultipartCompletion -Bucket $s.Bucket | Should -Contain "$($s.Bucket)/backup/big.bin"
        }

        It 's3cmd get, ls, del, setacl --acl-public and mb fail with AccessDenied (403)' {
            foreach ($arguments in @(
                    @('get', "s3://$($s.Bucket)/backup/small.txt", (Join-Path $work 's3cmd-get.txt')),
                    @('ls', "s3://$($s.Bucket)/"),
                    @('del', "s3://$($s.Bucket)/backup/small.txt"),
                    @('setacl', '--acl-public', "s3://$($s.Bucket)/backup/small.txt"),
                    @('mb', "s3://$($s.Bucket)-made-by-key"))) {
                $r = Invoke-Tool s3cmd (@('-c', $s3cfg) + $arguments)
                $r.ExitCode | Should -Not -Be 0 -Because "s3cmd $($arguments[0]) must fail: $($r.Output)"
                $r.Output | Should -Match '403' -Because "s3cmd $($arguments[0])"
            }
            foreach ($action in 's3:GetObject', 's3:DeleteObject', 's3:PutObjectAcl') {
                Test-OnAws -Setup $s -Action $action -Object 'backup/small.txt' | Should -Not -Be 'Allowed'
            }
            Test-OnAws -Setup $s -Action 's3:ListBucket' | Should -Not -Be 'Allowed'
            Invoke-Probe -Key $admin -Operation 'get' -Bucket $s.Bucket -Object 'backup/small.txt' | Should -Be 'OK a small backup file'
        }
    }

    Context 'aws s3 cp (preset AwsCli)' {
        BeforeAll {
            $script:s = New-ToolSetup -Preset AwsCli -Bucket 'awscli-cp' -Prefix 'backup/'
            Add-Content -Path $awsCredentials -Value "[backup]`naws_access_key_id = $($s.User.AccessKey)`naws_secret_access_key = $($s.User.SecretKey)"
            $script:awsBackup = @('--profile', 'backup', '--endpoint-url', $rgw.Endpoint)
            $null = Invoke-Probe -Key $admin -Operation 'put' -Bucket $s.Bucket -Object 'other/owner.txt'
        }

        It 'aws s3 cp --acl bucket-owner-full-control uploads, the 12 MB file in parts (threshold 8 MB)' {
            foreach ($file in 'small.txt', 'big.bin') {
                $r = Invoke-Tool aws ($awsBackup + @('s3', 'cp', (Join-Path $source $file), "s3://$($s.Bucket)/backup/$file", '--acl', 'bucket-owner-full-control'))
                $r.ExitCode | Should -Be 0 -Because $r.Output
            }
            Get-MultipartCompletion -Bucket $s.Bucket | Should -Contain "$($s.Bucket)/backup/big.bin"
        }

        It 'aws s3 cp back, ls, rm, sync and mb fail' {
            foreach ($arguments in @(
                    @('s3', 'cp', "s3://$($s.Bucket)/backup/small.txt", (Join-Path $work 'aws-get.txt')),
                    @('s3', 'ls', "s3://$($s.Bucket)/backup/"),
                    @('s3', 'rm', "s3://$($s.Bucket)/backup/small.txt"),
                    @('s3', 'sync', $source, "s3://$($s.Bucket)/backup/"),
                    @('s3', 'mb', "s3://$($s.Bucket)-made-by-key"))) {
                $r = Invoke-Tool aws ($awsBackup + $arguments)
                $r.ExitCode | Should -Not -Be 0 -Because "aws $($arguments -join ' ') must fail: $($r.Output)"
            }
            Invoke-Probe -Key $admin -Operation 'get' -Bucket $s.Bucket -Object 'backup/small.txt' | Should -Be 'OK a small backup file'
            Test-OnAws -Setup $s -Action 's3:ListBucket' | Should -Not -Be 'Allowed'
            Test-OnAws -Setup $s -Action 's3:GetObject' -Object 'backup/small.txt' | Should -Not -Be 'Allowed'
        }
    }

    Context 'every tool setup above: what its preset excludes is refused, and the bucket owner restores the upload' {
        It '<Bucket>: refuses public ACLs, bucket policy/versioning/lifecycle, outside the prefix, bucket creation' -ForEach @(
            @{ Bucket = 'rclone-sync'; Own = 'backups/dataset-1/big.bin'; OwnUnder = $null; Foreign = 'backups/other/owner.txt' }
            @{ Bucket = 'rclone-copy'; Own = 'backups/dataset-1/small.txt'; OwnUnder = $null; Foreign = 'backups/other/owner.txt' }
            @{ Bucket = 'restic-full'; Own = $null; OwnUnder = 'repo/snapshots/'; Foreign = 'other/owner.txt' }
            @{ Bucket = 'restic-nodelete'; Own = $null; OwnUnder = 'repo/keys/'; Foreign = 'other/owner.txt' }
            @{ Bucket = 's3cmd-put'; Own = 'backup/small.txt'; OwnUnder = $null; Foreign = 'other/owner.txt' }
            @{ Bucket = 'awscli-cp'; Own = 'backup/small.txt'; OwnUnder = $null; Foreign = 'other/owner.txt' }
        ) {
            # restic names its objects itself: the object the key wrote is the one found under OwnUnder.
            $object = if ($OwnUnder) { (Invoke-Probe -Key $admin -Operation 'list' -Bucket $Bucket -Object $OwnUnder) -replace '^OK ', '' } else { $Own }
            Assert-ExcludedOperations -Setup $script:setups[$Bucket] -Own $object -Foreign $Foreign
        }

        It '<Bucket>: the bucket owner restores what <Tool> wrote (uploaded with bucket-owner-full-control)' -ForEach @(
            @{ Bucket = 'rclone-sync'; Tool = 'rclone'; Object = 'backups/dataset-1/big.bin' }
            @{ Bucket = 's3cmd-put'; Tool = 's3cmd'; Object = 'backup/big.bin' }
            @{ Bucket = 'awscli-cp'; Tool = 'aws'; Object = 'backup/big.bin' }
        ) {
            $target = Join-Path $work "restore-$Bucket.bin"
            $r = Invoke-Tool aws @('--profile', 'admin', '--endpoint-url', $rgw.Endpoint, 's3', 'cp', "s3://$Bucket/$Object", $target)
            $r.ExitCode | Should -Be 0 -Because $r.Output
            (Get-FileHash $target -Algorithm SHA256).Hash | Should -Be $bigHash
        }
    }

    Context 'the setup presets that must hold where the writer owns its uploads: UploadOnly, WriteOnly, UpdraftPlusSecure' {
        It '<Preset> (<Kind>): uploads work, reading back <ReadBack>, re-ACLing public and deleting are refused, and the owner reads the upload' -ForEach @(
            @{ Preset = 'UploadOnly'; Kind = 'bucket policy'; ReadBack = 'is refused'; Bucket = 'setup-upload-only'; Prefix = 'backup/' }
            @{ Preset = 'WriteOnly'; Kind = 'bucket policy'; ReadBack = 'is refused'; Bucket = 'setup-write-only'; Prefix = '' }
            @{ Preset = 'UpdraftPlusSecure'; Kind = 'user policy'; ReadBack = 'stays allowed (UpdraftPlus restores with it)'; Bucket = 'setup-updraft-secure'; Prefix = '' }
        ) {
            $user = New-RgwUser -Server $rgw -UserName "$Bucket-key"
            $null = New-BackupBucket -BucketName $Bucket -EndpointUrl $rgw.Url -WarningAction SilentlyContinue -ErrorAction Stop
            if ($Kind -eq 'bucket policy') {
                $policy = New-BackupPolicy -Preset $Preset -BucketName $Bucket -Prefix $Prefix -AsBucketPolicy -PrincipalArn "arn:aws:iam:::user/$($user.UserId)"
                $null = $policy | Set-BackupBucketPolicy -EndpointUrl $rgw.Url -ErrorAction Stop
            }
            else {
                # UpdraftPlusSecure grants s3:ListAllMyBuckets, so it is an identity policy only; written with RGW's IAM
                # PutUserPolicy through aws (see the identity-policy test below for why not Set-BackupUserPolicy yet).
                $policy = New-BackupPolicy -Preset $Preset -BucketName $Bucket -Prefix $Prefix
                $r = Invoke-Tool aws @('--profile', 'admin', '--endpoint-url', $rgw.Endpoint, 'iam', 'put-user-policy', '--user-name', $user.UserId, '--policy-name', $Preset, '--policy-document', $policy.PolicyDocument)
                $r.ExitCode | Should -Be 0 -Because $r.Output
            }

            $k = "$($Prefix)db.dump"
            $answers = Invoke-ProbeBatch -Key $user -Request @(
                "put-acl $Bucket $k bucket-owner-full-control",
                "put-acl $Bucket $($Prefix)public.dump public-read",
                "get $Bucket $k -",
                "put-public-acl $Bucket $k -",
                "delete $Bucket $k -",
                "put-policy $Bucket - -",
                "put-versioning-suspended $Bucket - -",
                "put-lifecycle $Bucket - -")
            $answers[0] | Should -Be 'OK put bucket-owner-full-control'
            $answers[1] | Should -Be 'ERR 403 AccessDenied' -Because 'an upload with a public canned ACL is denied'
            if ($Preset -eq 'UpdraftPlusSecure') { $answers[2] | Should -Be 'OK probe' } else { $answers[2] | Should -Be 'ERR 403 AccessDenied' -Because 'the writer may not read its own upload back' }
            $answers[3] | Should -Be 'ERR 403 AccessDenied' -Because 'the writer may not make its upload public'
            $answers[4..7] | Should -Be @('ERR 403 AccessDenied', 'ERR 403 AccessDenied', 'ERR 403 AccessDenied', 'ERR 403 AccessDenied')
            # The same decisions on AWS, by the simulator.
            ($policy | Test-BackupPolicy -Action s3:PutObject -Resource "arn:aws:s3:::$Bucket/$k").Decision | Should -Be 'Allowed'
            ($policy | Test-BackupPolicy -Action s3:PutObjectAcl -Resource "arn:aws:s3:::$Bucket/$k" -Context @{ 's3:x-amz-acl' = 'public-read' }).Decision | Should -Not -Be 'Allowed'
            ($policy | Test-BackupPolicy -Action s3:DeleteObject -Resource "arn:aws:s3:::$Bucket/$k").Decision | Should -Not -Be 'Allowed'
            # The owner restores it (uploaded with bucket-owner-full-control); nobody reads it anonymously.
            Invoke-Probe -Key $admin -Operation 'get' -Bucket $Bucket -Object $k | Should -Be 'OK probe'
            Invoke-Probe -Key $null -Operation 'get' -Bucket $Bucket -Object $k | Should -Match '^ERR 403'
        }
    }

    Context 'the identity-policy form (an inline user policy) of a tool preset on RGW' {
        It 's3cmd put works and s3cmd mb fails by the preset''s own DenyCreateBucket (the user may create buckets otherwise)' {
            # Set-BackupUserPolicy reads the user's policy first, and RGW answers a missing one with a malformed 404 that
            # only the aws-layer branch maps to NoSuchEntity; until that is merged, the module-built document is written
            # with aws iam put-user-policy (RGW's IAM PutUserPolicy, as the admin user with user-policy caps).
            $user = New-RgwUser -Server $rgw -UserName 'identity-key'
            $null = New-BackupBucket -BucketName 'identity-put' -EndpointUrl $rgw.Url -WarningAction SilentlyContinue
            $policy = New-BackupPolicy -Preset S3cmd -BucketName 'identity-put' -Prefix 'backup/' -PolicyName s3cmd-put
            $policy.Kind | Should -Be 'Identity'
            $r = Invoke-Tool aws @('--profile', 'admin', '--endpoint-url', $rgw.Endpoint, 'iam', 'put-user-policy', '--user-name', $user.UserId, '--policy-name', 's3cmd-put', '--policy-document', $policy.PolicyDocument)
            $r.ExitCode | Should -Be 0 -Because $r.Output

            $config = New-S3cmdConfig -Path (Join-Path $work 's3cmd-identity.cfg') -Key $user
            $r = Invoke-Tool s3cmd @('-c', $config, 'put', '--add-header=x-amz-acl:bucket-owner-full-control', (Join-Path $source 'small.txt'), 's3://identity-put/backup/small.txt')
            $r.ExitCode | Should -Be 0 -Because $r.Output
            $r = Invoke-Tool s3cmd @('-c', $config, 'mb', 's3://identity-made-by-key')
            $r.ExitCode | Should -Not -Be 0 -Because "the identity preset denies s3:CreateBucket: $($r.Output)"
            $r = Invoke-Tool s3cmd @('-c', $config, 'get', 's3://identity-put/backup/small.txt', (Join-Path $work 'identity-get.txt'))
            $r.ExitCode | Should -Not -Be 0 -Because 'the writer may not read its own upload back'
            ($policy | Test-BackupPolicy -Action s3:CreateBucket -Resource arn:aws:s3:::identity-made-by-key).Decision | Should -Be 'ExplicitDeny'
            Invoke-Probe -Key $admin -Operation 'get' -Bucket 'identity-put' -Object 'backup/small.txt' | Should -Be 'OK a small backup file'
        }
    }

    Context 'RequireBucketOwnerFullControl on RGW: why it is off by default' {
        It 'refuses uploads without the ACL, accepts single uploads with it, and refuses every multipart part (UploadPart has no x-amz-acl)' {
            $s = New-ToolSetup -Preset AwsCli -Bucket 'require-bofc' -Prefix 'backup/' -Options @{ RequireBucketOwnerFullControl = $true }
            Add-Content -Path $awsCredentials -Value "[require]`naws_access_key_id = $($s.User.AccessKey)`naws_secret_access_key = $($s.User.SecretKey)"
            Add-Content -Path $awsConfig -Value "[profile require]`nregion = us-east-1"
            $cp = @('--profile', 'require', '--endpoint-url', $rgw.Endpoint, 's3', 'cp')
            (Invoke-Tool aws ($cp + @((Join-Path $source 'small.txt'), 's3://require-bofc/backup/plain.txt'))).ExitCode | Should -Not -Be 0
            $r = Invoke-Tool aws ($cp + @((Join-Path $source 'small.txt'), 's3://require-bofc/backup/small.txt', '--acl', 'bucket-owner-full-control'))
            $r.ExitCode | Should -Be 0 -Because $r.Output
            $r = Invoke-Tool aws ($cp + @((Join-Path $source 'big.bin'), 's3://require-bofc/backup/big.bin', '--acl', 'bucket-owner-full-control'))
            $r.ExitCode | Should -Not -Be 0 -Because 'RGW 16 evaluates UploadPart as s3:PutObject with no x-amz-acl, which the Deny refuses'
            $log = Get-Content -Raw (Join-Path $rgw.StateDir 'log/ops.log')
            $log | Should -Match '"operation":"init_multipart","uri":"POST /require-bofc/backup/big.bin\?uploads[^"]*","http_status":"200"'
            $log | Should -Match '"operation":"put_obj","uri":"PUT /require-bofc/backup/big.bin\?[^"]*partNumber=[^"]*","http_status":"403"'
            # The simulator agrees for AWS: a request without the key is denied, one with it allowed.
            ($s.Policy | Test-BackupPolicy -Action s3:PutObject -Resource arn:aws:s3:::require-bofc/backup/x).Decision | Should -Be 'ExplicitDeny'
            ($s.Policy | Test-BackupPolicy -Action s3:PutObject -Resource arn:aws:s3:::require-bofc/backup/x -Context @{ 's3:x-amz-acl' = 'bucket-owner-full-control' }).Decision | Should -Be 'Allowed'
        }
    }

    Context 'why the hardening is needed on RGW: the same upload-only grant without its Deny statements' {
        It 'lets the key read back and make public its own uploads on RGW, which AWS (and the hardened preset) refuse' {
            $user = New-RgwUser -Server $rgw -UserName 'unhardened-key' -MaxBuckets -1
            $null = New-BackupBucket -BucketName 'unhardened' -EndpointUrl $rgw.Url -WarningAction SilentlyContinue
            $policy = New-BackupPolicy -Preset AwsCli -BucketName 'unhardened' -Prefix 'backup/' -AsBucketPolicy -PrincipalArn "arn:aws:iam:::user/$($user.UserId)"
            $doc = $policy.PolicyDocument | ConvertFrom-Json
            $doc.Statement = @($doc.Statement | Where-Object Effect -EQ 'Allow')
            $null = Set-BackupBucketPolicy -BucketName 'unhardened' -PolicyDocument ($doc | ConvertTo-Json -Depth 10) -EndpointUrl $rgw.Url
            Invoke-Probe -Key $user -Operation 'put' -Bucket 'unhardened' -Object 'backup/k' | Should -Be 'OK put'
            # Expected on RGW without the Denies: the writer owns the object, so it can read it and re-ACL it.
            Invoke-Probe -Key $user -Operation 'get' -Bucket 'unhardened' -Object 'backup/k' | Should -Be 'OK probe'
            Invoke-Probe -Key $user -Operation 'put-public-acl' -Bucket 'unhardened' -Object 'backup/k' | Should -Be 'OK public-read'
            # Expected on AWS: the same Allow-only policy denies both (the simulator's decision).
            $allowOnly = $doc | ConvertTo-Json -Depth 10
            ($allowOnly | Test-BackupPolicy -Action s3:GetObject -Resource arn:aws:s3:::unhardened/backup/k -PrincipalArn "arn:aws:iam:::user/$($user.UserId)").Decision | Should -Not -Be 'Allowed'
            ($allowOnly | Test-BackupPolicy -Action s3:PutObjectAcl -Resource arn:aws:s3:::unhardened/backup/k -PrincipalArn "arn:aws:iam:::user/$($user.UserId)").Decision | Should -Not -Be 'Allowed'
            # And the bucket's IgnorePublicAcls still keeps the public ACL from reaching anonymous readers.
            Invoke-Probe -Key $null -Operation 'get' -Bucket 'unhardened' -Object 'backup/k' | Should -Match '^ERR 403'
        }
    }
}
