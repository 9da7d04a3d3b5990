# tests/rgw/rgw.sh itself: two clusters at once, users with a tenant and a bucket limit, the recording proxy, and a
# stop that leaves no daemon and no state behind.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    $script:script = Join-Path $PSScriptRoot 'rgw.sh'
    # Two clusters brought up at the same time, as two engineers' (or two test files') runs would.
    $dirs = 1, 2 | ForEach-Object { Join-Path ([System.IO.Path]::GetTempPath()) ("backupiam-rgw-script-" + [guid]::NewGuid().ToString('n').Substring(0, 10)) }
    $jobs = foreach ($dir in $dirs) {
        $info = [System.Diagnostics.ProcessStartInfo]::new('bash')
        foreach ($a in $script:script, 'start', $dir) { $info.ArgumentList.Add($a) }
        $info.RedirectStandardOutput = $true
        $info.RedirectStandardError = $true
        $process = [System.Diagnostics.Process]::Start($info)
        [pscustomobject]@{ Dir = $dir; Process = $process; Out = $process.StandardOutput.ReadToEndAsync(); Err = $process.StandardError.ReadToEndAsync() }
    }
    $script:clusters = foreach ($job in $jobs) {
        if (-not $job.Process.WaitForExit(300000)) { $job.Process.Kill($true); throw "rgw.sh start $($job.Dir) did not finish in 5 minutes" }
        if ($job.Process.ExitCode -ne 0) { throw "rgw.sh start $($job.Dir) exited $($job.Process.ExitCode): $($job.Err.Result)" }
        $values = @{}
        foreach ($line in ($job.Out.Result -split "`n")) { if ($line -match '^(RGW_[A-Z_]+)=(.*)$') { $values[$Matches[1]] = $Matches[2].Trim() } }
        [pscustomobject]@{
            StateDir = $job.Dir; Endpoint = $values['RGW_ENDPOINT']; Conf = $values['RGW_CONF']; Values = $values
            AdminAccessKey = $values['RGW_ADMIN_ACCESS_KEY']; AdminSecretKey = $values['RGW_ADMIN_SECRET_KEY']
        }
    }
    Write-Host ("two clusters up in {0} s and {1} s" -f $script:clusters[0].Values['RGW_BRINGUP_SECONDS'], $script:clusters[1].Values['RGW_BRINGUP_SECONDS'])
}

AfterAll {
    foreach ($cluster in $script:clusters) { Stop-RgwServer $cluster }
}

Describe 'tests/rgw/rgw.sh' {
    It 'brings up two clusters at once, each on its own port and state directory, each answering S3' {
        $script:clusters.Count | Should -Be 2
        $script:clusters[0].Endpoint | Should -Match '^http://127\.0\.0\.1:\d+$'
        $script:clusters[0].Endpoint | Should -Not -Be $script:clusters[1].Endpoint
        foreach ($cluster in $script:clusters) {
            (Invoke-WebRequest -Uri "$($cluster.Endpoint)/" -UseBasicParsing).StatusCode | Should -Be 200
            $cluster.Values['RGW_BRINGUP_SECONDS'] | Should -Match '^\d+(\.\d+)?$'
            # The admin's keys are in the state directory's env file too, readable by its owner only.
            $env = Get-Content -Raw (Join-Path $cluster.StateDir 'rgw.env')
            $env | Should -Match ([regex]::Escape("RGW_ADMIN_ACCESS_KEY=$($cluster.AdminAccessKey)"))
            if (-not $IsWindows) { (& stat -c '%a' (Join-Path $cluster.StateDir 'rgw.env')) | Should -Be '600' }
        }
        # A bucket made in one cluster does not exist in the other.
        (Invoke-RgwRequest -Server $script:clusters[0] -AccessKey $script:clusters[0].AdminAccessKey -SecretKey $script:clusters[0].AdminSecretKey -Method PUT -Path '/only-in-one').status | Should -Be 200
        (Invoke-RgwRequest -Server $script:clusters[1] -AccessKey $script:clusters[1].AdminAccessKey -SecretKey $script:clusters[1].AdminSecretKey -Method HEAD -Path '/only-in-one').status | Should -Be 404
    }

    It 'gives the admin user the user-policy caps that IAM user-policy calls need' {
        $info = Invoke-RgwAdmin -Server $script:clusters[0] -Arguments 'user', 'info', '--uid', 'admin' | ConvertFrom-Json
        ($info.caps | Where-Object type -EQ 'user-policy').perm | Should -Be '*'
    }

    It 'creates users with a tenant and a bucket limit, whose keys work' {
        $limited = New-RgwUser -Server $script:clusters[0] -UserName no-buckets -MaxBuckets -1
        $limited.UserId | Should -Be 'no-buckets'
        $limited.AccessKey | Should -Not -BeNullOrEmpty
        (Invoke-RgwRequest -Server $script:clusters[0] -AccessKey $limited.AccessKey -SecretKey $limited.SecretKey -Method GET -Path '/').status | Should -Be 200
        (Invoke-RgwRequest -Server $script:clusters[0] -AccessKey $limited.AccessKey -SecretKey $limited.SecretKey -Method PUT -Path '/not-allowed-bucket').status | Should -Be 403

        $tenant = New-RgwUser -Server $script:clusters[0] -UserName backup -Tenant tenant1
        $tenant.UserId | Should -Be 'tenant1$backup'
        (Invoke-RgwAdmin -Server $script:clusters[0] -Arguments 'user', 'info', '--uid', 'tenant1$backup' | ConvertFrom-Json).user_id | Should -Be 'tenant1$backup'
    }

    It 'records every request the server received through the counting proxy, IAM calls included' {
        $proxied = Start-RgwServer -CountingProxy
        try {
            $proxied.Url | Should -Not -Be $proxied.Endpoint
            Start-RgwRecording -Server $proxied
            $viaProxy = [pscustomobject]@{ Endpoint = $proxied.Url }
            (Invoke-RgwRequest -Server $viaProxy -AccessKey $proxied.AdminAccessKey -SecretKey $proxied.AdminSecretKey -Method PUT -Path '/counted').status | Should -Be 200
            $document = [uri]::EscapeDataString('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}')
            $put = Invoke-RgwRequest -Server $viaProxy -AccessKey $proxied.AdminAccessKey -SecretKey $proxied.AdminSecretKey -Method POST -Path '/' -Service iam `
                -Body "Action=PutUserPolicy&UserName=admin&PolicyName=counted&PolicyDocument=$document&Version=2010-05-08"
            $put.status | Should -Be 200 -Because $put.body
            $list = Invoke-RgwRequest -Server $viaProxy -AccessKey $proxied.AdminAccessKey -SecretKey $proxied.AdminSecretKey -Method POST -Path '/' -Service iam `
                -Body 'Action=ListUserPolicies&UserName=admin&Version=2010-05-08'
            $list.status | Should -Be 200
            $calls = @(Get-RgwCall -Server $proxied)
            ($calls | ForEach-Object { "$($_.Service) $($_.Operation) $($_.Name) $($_.IsWrite) $($_.Status)" }) |
                Should -Be @('s3 PUT /counted /counted True 200', 'iam PutUserPolicy counted True 200', 'iam ListUserPolicies admin False 200')
            $calls[0].AccessKey | Should -Be $proxied.AdminAccessKey
        }
        finally { Stop-RgwServer $proxied }
    }

    It 'stops a cluster: no daemon left, state directory removed' {
        $cluster = $script:clusters[1]
        $pids = Get-ChildItem (Join-Path $cluster.StateDir 'pids') | ForEach-Object { [int](Get-Content $_.FullName) }
        $pids.Count | Should -Be 3
        & bash $script:script stop $cluster.StateDir 2>&1 | Out-Null
        $LASTEXITCODE | Should -Be 0
        Test-Path $cluster.StateDir | Should -BeFalse
        foreach ($id in $pids) { Get-Process -Id $id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty }
        $response = $null
        try { $response = Invoke-WebRequest -Uri "$($cluster.Endpoint)/" -TimeoutSec 2 -UseBasicParsing } catch { }
        $response | Should -BeNullOrEmpty
    }

    It 'refuses to stop (and delete) a directory it did not make' {
        $other = Join-Path ([System.IO.Path]::GetTempPath()) ("not-rgw-" + [guid]::NewGuid().ToString('n').Substring(0, 8))
        $null = New-Item -ItemType Directory -Path $other
        try {
            & bash $script:script stop $other 2>&1 | Out-Null
            $LASTEXITCODE | Should -Not -Be 0
            Test-Path $other | Should -BeTrue
        }
        finally { Remove-Item -Recurse -Force $other }
    }
}
