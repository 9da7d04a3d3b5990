# New-BackupRole on a real Ceph RGW 16 with its STS turned on, against a local OIDC issuer the test runs
# (tests/oidc_issuer.py: https on 127.0.0.1, discovery document, JWKS with the signing certificate). RGW checks the
# token's signature against the issuer's JWKS and decides the role's trust policy itself, so this proves end to end
# that the pinned branch's token gets credentials and a token of another repository is refused.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-BuiltModule
    $script:rgw = Start-RgwServer -CountingProxy
    $script:issuerProcess = $null
    $script:work = Join-Path ([System.IO.Path]::GetTempPath()) ("bi-oidc-rgw-" + [guid]::NewGuid().ToString('N').Substring(0, 12))
    $null = New-Item -ItemType Directory -Path $script:work

    # RGW's STS is off by default: restart radosgw with it on (rgw_s3_auth_use_sts, a 16-character rgw_sts_key). The
    # issuer's certificate is self-signed, so RGW is told not to verify TLS when it fetches the JWKS.
    $pidFile = Join-Path $script:rgw.StateDir 'pids/radosgw'
    $old = Get-Process -Id ([int](Get-Content $pidFile)) -ErrorAction SilentlyContinue
    if ($old) { $old.Kill(); $null = $old.WaitForExit(10000) }
    Add-Content -Path $script:rgw.Conf -Value "rgw_s3_auth_use_sts = true`nrgw_sts_key = backupiamtestsk1`nrgw_verify_ssl = false"
    $radosgw = Start-Process -FilePath radosgw -ArgumentList '-c', $script:rgw.Conf, '-n', 'client.rgw.a', '-f' -PassThru `
        -RedirectStandardOutput (Join-Path $script:rgw.StateDir 'log/radosgw-sts.stdout') -RedirectStandardError (Join-Path $script:rgw.StateDir 'log/radosgw-sts.stderr')
    Set-Content -Path $pidFile -Value $radosgw.Id
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    $up = $false
    while (-not $up -and [DateTime]::UtcNow -lt $deadline -and -not $radosgw.HasExited) {
        try { $null = Invoke-WebRequest -Uri $script:rgw.Endpoint -TimeoutSec 2 -SkipHttpErrorCheck; $up = $true } catch { Start-Sleep -Milliseconds 200 }
    }
    if (-not $up) { throw "radosgw did not come back with STS on: $(Get-Content -Raw (Join-Path $script:rgw.StateDir 'log/radosgw-sts.stdout') -ErrorAction SilentlyContinue)" }
    $null = Invoke-RgwAdmin -Server $script:rgw caps add --uid $script:rgw.AdminUid --caps 'roles=*;oidc-provider=*'

    $script:pinned = 'repo:contoso/backup-jobs:ref:refs/heads/main'
    $script:other = 'repo:contoso/OTHER:ref:refs/heads/main'
    $script:issuerProcess = Start-Process -FilePath python3 -PassThru -ArgumentList (Join-Path $PSScriptRoot 'oidc_issuer.py'), '--out', $script:work,
        '--audience', 'sts.amazonaws.com', '--subject', $script:pinned, '--subject', $script:other `
        -RedirectStandardOutput (Join-Path $script:work 'issuer.stdout') -RedirectStandardError (Join-Path $script:work 'issuer.stderr')
    $infoPath = Join-Path $script:work 'issuer.json'
    $deadline = [DateTime]::UtcNow.AddSeconds(30)
    while (-not (Test-Path $infoPath) -and [DateTime]::UtcNow -lt $deadline -and -not $script:issuerProcess.HasExited) { Start-Sleep -Milliseconds 100 }
    if (-not (Test-Path $infoPath)) { throw "the local OIDC issuer did not start: $(Get-Content -Raw (Join-Path $script:work 'issuer.stderr') -ErrorAction SilentlyContinue)" }
    $script:issuer = Get-Content -Raw $infoPath | ConvertFrom-Json

    $script:aws = @{ EndpointUrl = $script:rgw.Url; AccessKey = $script:rgw.AdminAccessKey; SecretKey = $script:rgw.AdminSecretKey; Region = 'us-east-1' }
    $script:make = {
        New-BackupPolicy -Preset UploadOnly -BucketName rgw-oidc -Prefix backup/ -PolicyName UploadFilesToBackup |
            New-BackupRole -RoleName backup-ci -Issuer $script:issuer.issuer -Audience sts.amazonaws.com -Subject $script:pinned -Thumbprint $script:issuer.thumbprint @script:aws -WarningAction SilentlyContinue
    }

    function Invoke-AssumeRoleWithWebIdentity {
        # The runner's call, unsigned, straight to RGW's STS.
        param([string] $Token)
        $body = 'Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=' + [uri]::EscapeDataString('arn:aws:iam:::role/backup-ci') +
            '&RoleSessionName=run-1&WebIdentityToken=' + [uri]::EscapeDataString($Token)
        Invoke-WebRequest -Method Post -Uri $script:rgw.Endpoint -Body $body -ContentType 'application/x-www-form-urlencoded' -SkipHttpErrorCheck -TimeoutSec 30
    }
}

AfterAll {
    if ($script:issuerProcess -and -not $script:issuerProcess.HasExited) { $script:issuerProcess.Kill(); $null = $script:issuerProcess.WaitForExit(5000) }
    Stop-RgwServer -Server $script:rgw
    Remove-Item -Recurse -Force $script:work -ErrorAction SilentlyContinue
}

Describe 'New-BackupRole on Ceph RGW with a local OIDC issuer' {
    It 'creates the provider, the role and its inline policy: one write each' {
        Start-RgwRecording -Server $script:rgw
        $role = & $script:make
        @(Get-RgwWriteCall -Server $script:rgw | ForEach-Object Operation) | Should -Be @('CreateOpenIDConnectProvider', 'CreateRole', 'PutRolePolicy')
        $role.Status | Should -Be 'Created'
        $role.Arn | Should -Be 'arn:aws:iam:::role/backup-ci'
        $role.ProviderArn | Should -Be "arn:aws:iam:::oidc-provider/127.0.0.1:$($script:issuer.port)"
        $role.TrustPolicy | Should -Match ([regex]::Escape("127.0.0.1:$($script:issuer.port):sub"))
    }

    It 'makes zero write calls on a re-run' {
        Start-RgwRecording -Server $script:rgw
        $role = & $script:make
        $writes = @(Get-RgwWriteCall -Server $script:rgw | ForEach-Object Operation)
        $writes.Count | Should -Be 0 -Because ($writes -join ', ')
        $role.Status | Should -Be 'Unchanged'
    }

    It 'gives the pinned branch''s token credentials (RGW checks the signature and the trust policy)' {
        $answer = Invoke-AssumeRoleWithWebIdentity -Token $script:issuer.tokens.$($script:pinned)
        $answer.StatusCode | Should -Be 200 -Because $answer.Content
        $answer.Content | Should -Match '<AccessKeyId>[^<]+</AccessKeyId>'
        $answer.Content | Should -Match 'assumed-role/backup-ci/run-1'
    }

    It 'refuses the token of another repository' {
        $answer = Invoke-AssumeRoleWithWebIdentity -Token $script:issuer.tokens.$($script:other)
        $answer.StatusCode | Should -Be 403
        $answer.Content | Should -Not -Match '<AccessKeyId>'
    }

    It 'refuses a token whose signature does not verify with the issuer''s key' {
        $parts = $script:issuer.tokens.$($script:pinned) -split '\.'
        $forged = $parts[0] + '.' + $parts[1] + '.' + ($parts[2].Substring(0, 20) + ('A' * ($parts[2].Length - 20)))
        (Invoke-AssumeRoleWithWebIdentity -Token $forged).StatusCode | Should -Be 403
    }
}
