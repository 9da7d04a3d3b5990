# Test-BackupCredential through the BUILT module against a real moto server: the mechanics only (moto enforces no
# policy, so its keys can do everything). What the probes prove about real policies is tested on Ceph RGW in
# TestBackupCredential.Rgw.Tests.ps1. Requests are counted from moto's own recording.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-BuiltModule
    $script:manifest = (Resolve-Path (Get-BuiltModuleManifest)).Path
    $script:awsVariables = 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_REGION', 'AWS_DEFAULT_REGION',
        'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL_IAM', 'AWS_ENDPOINT_URL_STS'
    $script:savedEnvironment = @{}
    foreach ($name in $script:awsVariables) {
        $script:savedEnvironment[$name] = [Environment]::GetEnvironmentVariable($name)
        Remove-Item -Path "Env:$name" -ErrorAction SilentlyContinue
    }
    $script:moto = Start-MotoServer
    $script:url = $script:moto.Url
    # The key under test: moto accepts any key; this secret must never show up anywhere.
    $script:keyId = 'AKIAPROBETESTKEY0001'
    $script:secret = 'Zq7+probeSecretNeverShown/0123456789abcdefXYZ'
    $script:admin = @{ AccessKey = 'AKIAADMINKEY00000001'; SecretKey = 'adminSecretAlsoNeverShown/0123456789abcdefgh'; EndpointUrl = $script:url; Region = 'us-east-1' }
    $script:all = @('PutCanary', 'OverwriteCanary', 'PutIfNoneMatch', 'HeadCanary', 'GetCanary', 'HeadForeignObject', 'GetForeignObject', 'ListPrefix',
        'ListBucketRoot', 'ListSiblingPrefix', 'PutObjectAclPublicRead', 'DeleteCanaryVersion', 'DeleteCanary', 'CreateMultipartUpload',
        'AbortMultipartUpload', 'GetBucketLocation', 'ListAllMyBuckets', 'PutOutsidePrefix', 'PutBucketPolicy', 'PutBucketVersioning',
        'PutBucketLifecycle', 'CreateBucket')

    $env:AWS_ACCESS_KEY_ID = $script:admin.AccessKey
    $env:AWS_SECRET_ACCESS_KEY = $script:admin.SecretKey
    $env:AWS_REGION = 'us-east-1'
    $script:bucket = 'probe-moto-bucket'
    $null = New-BackupBucket -BucketName $script:bucket -Folder backup/ -EndpointUrl $script:url
    $null = Enable-BackupVersioning -BucketName $script:bucket -EndpointUrl $script:url
    Remove-Item Env:AWS_ACCESS_KEY_ID, Env:AWS_SECRET_ACCESS_KEY, Env:AWS_REGION -ErrorAction SilentlyContinue
}

AfterAll {
    if ($script:moto) { Stop-MotoServer -Server $script:moto }
    foreach ($name in $script:awsVariables) {
        Remove-Item -Path "Env:$name" -ErrorAction SilentlyContinue
        if ($null -ne $script:savedEnvironment[$name]) { Set-Item -Path "Env:$name" -Value $script:savedEnvironment[$name] }
    }
}

Describe 'Test-BackupCredential: command surface' {
    It 'is exported, with [OutputType], SupportsShouldProcess and help with examples' {
        $command = Get-Command Test-BackupCredential -Module BackupIam
        $command.OutputType.Name | Should -Contain 'BackupIam.BackupCredentialProbe'
        $command.OutputType.Name | Should -Contain 'BackupIam.BackupCredentialTest'
        $command.Parameters.Keys | Should -Contain 'WhatIf'
        $help = Get-Help Test-BackupCredential -Full
        @($help.examples.example).Count | Should -BeGreaterOrEqual 2
        ($help.examples.example.code -join "`n") | Should -Match 'ErrorAction Stop'
    }

    It 'names the key under test apart from the admin credentials' {
        $parameters = (Get-Command Test-BackupCredential).Parameters.Keys
        foreach ($name in 'Key', 'KeyProfileName', 'KeyAccessKeyId', 'KeySecretAccessKey', 'AccessKey', 'SecretKey', 'ProfileName') {
            $parameters | Should -Contain $name
        }
        (Get-Help Test-BackupCredential -Parameter AccessKey).description.Text | Should -Match 'ADMIN'
    }
}

Describe 'Test-BackupCredential: bad input is refused before any request' {
    BeforeEach { Start-MotoRecording -Url $script:url }

    It '<Case> gives <ErrorId>' -TestCases @(
        @{ Case = 'a bad bucket name'; ErrorId = 'BucketNameInvalid'; Arguments = @{ BucketName = 'Bad_Bucket'; AllowedProbe = @('PutCanary') } }
        @{ Case = 'a prefix with ..'; ErrorId = 'PrefixInvalid'; Arguments = @{ BucketName = 'probe-moto-bucket'; Prefix = 'backup/../victim/'; AllowedProbe = @('PutCanary') } }
        @{ Case = 'a probe prefix with a wildcard'; ErrorId = 'PrefixInvalid'; Arguments = @{ BucketName = 'probe-moto-bucket'; ProbePrefix = 'probe*/'; AllowedProbe = @('PutCanary') } }
        @{ Case = 'an unknown probe'; ErrorId = 'ProbeNameUnknown'; Arguments = @{ BucketName = 'probe-moto-bucket'; AllowedProbe = @('PutCanry') } }
        @{ Case = 'an unknown preset'; ErrorId = 'PresetNotFound'; Arguments = @{ BucketName = 'probe-moto-bucket'; Preset = 'UploadOnlyy' } }
        @{ Case = 'no key under test'; ErrorId = 'KeyRequired'; Arguments = @{ BucketName = 'probe-moto-bucket'; Preset = 'UploadOnly'; NoKey = $true } }
        @{ Case = 'a SecureString turned into text'; ErrorId = 'KeySecretAccessKeyInvalid'; Arguments = @{ BucketName = 'probe-moto-bucket'; Preset = 'UploadOnly'; KeySecretAccessKey = 'System.Security.SecureString' } }
        @{ Case = 'a key profile file without a profile'; ErrorId = 'KeyProfileNameRequired'; Arguments = @{ BucketName = 'probe-moto-bucket'; Preset = 'UploadOnly'; NoKey = $true; KeyProfileLocation = '/tmp/creds' } }
    ) {
        param($Case, $ErrorId, $Arguments)
        $a = @{} + $Arguments
        if ($a.NoKey) { $a.Remove('NoKey') } else { $a.KeyAccessKeyId = $script:keyId; if (-not $a.ContainsKey('KeySecretAccessKey')) { $a.KeySecretAccessKey = $script:secret } }
        $err = $null
        try { Test-BackupCredential @a -EndpointUrl $script:url -Region us-east-1 -ErrorAction Stop } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike "$ErrorId*"
        $err.Exception.Message | Should -Not -Match ([regex]::Escape($script:secret))
        @(Get-MotoCall -Url $script:url).Count | Should -Be 0
    }
}

Describe 'Test-BackupCredential: mechanics against moto' {
    It 'probes with the key, writes one result per probe and an overall result, and cleans up' {
        Start-MotoRecording -Url $script:url
        $out = @(Test-BackupCredential -KeyAccessKeyId $script:keyId -KeySecretAccessKey (ConvertTo-SecureString $script:secret -AsPlainText -Force) `
                -AllowedProbe $script:all -BucketName $script:bucket -Prefix backup/ @script:admin)
        $probes = @($out | Where-Object { $_ -is [BackupIam.BackupCredentialProbe] })
        $summary = $out[-1]
        $summary | Should -BeOfType ([BackupIam.BackupCredentialTest])
        $probes.Count | Should -Be 22
        $summary.Passed | Should -BeTrue -Because $summary.Summary
        $summary.CanariesLeft | Should -BeNullOrEmpty
        $calls = @(Get-MotoCall -Url $script:url)
        # Every probe request was signed with the key under test; the admin key only read settings and cleaned up.
        $probeCalls = @($calls | Where-Object { $_.Authorization -match "Credential=$($script:keyId)/" })
        $probeCalls.Count | Should -Be $summary.KeyRequests
        @($calls | Where-Object { $_.Authorization -match "Credential=$($script:admin.AccessKey)/" }).Count | Should -Be $summary.AdminRequests
        @($calls | Where-Object { $_.Name -like '/probe-moto-bucket/backup/backupiam-probe/*' -and $_.Operation -like 'PUT *' }).Count | Should -BeGreaterThan 0
    }

    It 'takes the key piped from New-BackupAccessKey (secret as a SecureString)' {
        $env:AWS_ACCESS_KEY_ID = $script:admin.AccessKey; $env:AWS_SECRET_ACCESS_KEY = $script:admin.SecretKey; $env:AWS_REGION = 'us-east-1'
        try {
            $out = @(New-BackupUser -UserName probe-piped-user -EndpointUrl $script:url | New-BackupAccessKey -EndpointUrl $script:url |
                    Test-BackupCredential -AllowedProbe $script:all -BucketName $script:bucket -Prefix backup/ -EndpointUrl $script:url)
        }
        finally { Remove-Item Env:AWS_ACCESS_KEY_ID, Env:AWS_SECRET_ACCESS_KEY, Env:AWS_REGION -ErrorAction SilentlyContinue }
        $summary = $out[-1]
        $summary.AccessKeyId | Should -Match '^AKIA'
        $summary.Passed | Should -BeTrue -Because $summary.Summary
    }

    It 'fails when the key can do more than the preset allows, naming each probe, as a BackupCredentialDrift error' {
        $errors = $null
        $out = @(Test-BackupCredential -KeyAccessKeyId $script:keyId -KeySecretAccessKey $script:secret -Preset UploadOnly -BucketName $script:bucket `
                -EndpointUrl $script:url -Region us-east-1 -ErrorVariable errors -ErrorAction SilentlyContinue)
        $summary = $out[-1]
        $summary.Passed | Should -BeFalse
        $summary.Disagreements | Should -Contain 'DeleteCanary'
        $summary.Disagreements | Should -Contain 'ListPrefix'
        $summary.Disagreements | Should -Not -Contain 'PutCanary'
        @($errors).Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'BackupCredentialDrift*'
        foreach ($probe in $summary.Disagreements) { $errors[0].Exception.Message | Should -Match $probe }
        ($out | Where-Object Probe -EQ 'PutCanary').DecidedBy | Should -Be 'UploadOnly/Statement[0] (UploadFilesToBackup)'
    }

    It 'the one-line scheduled check fails the script and names the disagreeing probes' {
        $script = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$($script:manifest)'
Test-BackupCredential -KeyAccessKeyId $($script:keyId) -KeySecretAccessKey '$($script:secret)' -Preset UploadOnly -BucketName $($script:bucket) -EndpointUrl $($script:url) -Region us-east-1 -ErrorAction Stop | Out-Null
'not reached'
"@
        $output = (Invoke-FreshPwsh -Script $script 2>&1) -join "`n"
        $LASTEXITCODE | Should -Not -Be 0
        $output | Should -Not -Match 'not reached'
        $output | Should -Match 'DeleteCanary'
        $output | Should -Match 'MORE than expected'
        $output | Should -Not -Match ([regex]::Escape($script:secret))
    }

    It '-WhatIf lists every probe and sends nothing' {
        Start-MotoRecording -Url $script:url
        $script = @"
Import-Module '$($script:manifest)'
Test-BackupCredential -KeyAccessKeyId $($script:keyId) -KeySecretAccessKey '$($script:secret)' -Preset UploadOnly -BucketName $($script:bucket) -EndpointUrl $($script:url) -Region us-east-1 -AccessKey $($script:admin.AccessKey) -SecretKey '$($script:admin.SecretKey)' -WhatIf
"@
        $output = @(Invoke-FreshPwsh -Script $script)
        $whatIf = @($output | Where-Object { $_ -match '^What if:' })
        $whatIf.Count | Should -Be 23
        foreach ($probe in $script:all) { ($whatIf -join "`n") | Should -Match "probe $probe" }
        ($output -join "`n") | Should -Not -Match ([regex]::Escape($script:secret))
        ($output -join "`n") | Should -Not -Match ([regex]::Escape($script:admin.SecretKey))
        @(Get-MotoCall -Url $script:url).Count | Should -Be 0
    }
}

Describe 'Test-BackupCredential: the secret of the key under test appears nowhere' {
    It 'is absent from every stream, $Error and a transcript, whatever the outcome' {
        $transcript = Join-Path ([System.IO.Path]::GetTempPath()) "probe-transcript-$([guid]::NewGuid().ToString('n')).txt"
        $Error.Clear()
        Start-Transcript -Path $transcript | Out-Null
        try {
            $common = @{ KeyAccessKeyId = $script:keyId; EndpointUrl = $script:url; Region = 'us-east-1'; Verbose = $true; Debug = $true; ErrorAction = 'Continue'; WarningAction = 'Continue'; InformationAction = 'Continue' }
            $text = @(
                Test-BackupCredential @common -KeySecretAccessKey $script:secret -Preset UploadOnly -BucketName $script:bucket *>&1
                Test-BackupCredential @common -KeySecretAccessKey (ConvertTo-SecureString $script:secret -AsPlainText -Force) -AllowedProbe $script:all -BucketName $script:bucket -Prefix backup/ -AccessKey $script:admin.AccessKey -SecretKey $script:admin.SecretKey *>&1
                Test-BackupCredential @common -KeySecretAccessKey $script:secret -Preset UploadOnly -BucketName no-such-probe-bucket *>&1
                Test-BackupCredential @common -KeySecretAccessKey $script:secret -Preset UploadOnly -BucketName $script:bucket -WhatIf *>&1
            ) | Out-String -Width 400
        }
        finally { Stop-Transcript | Out-Null }
        $recorded = Get-Content -Raw $transcript
        Remove-Item $transcript -ErrorAction SilentlyContinue
        $errorText = ($Error | ForEach-Object { $_ | Out-String; $_.Exception.ToString() }) -join "`n"

        $text | Should -Match 'CredentialProbeBucketNotFound|does not exist'
        $text | Should -Match 'DeleteCanary'
        foreach ($secret in $script:secret, $script:admin.SecretKey) {
            $text | Should -Not -Match ([regex]::Escape($secret))
            $recorded | Should -Not -Match ([regex]::Escape($secret))
            $errorText | Should -Not -Match ([regex]::Escape($secret))
        }
    }
}

Describe 'Test-BackupCredential: a key the store never accepts, or a store that never answers' {
    BeforeAll {
        # moto with authentication on: an unknown key is answered InvalidAccessKeyId, as AWS answers a key still propagating.
        $env:INITIAL_NO_AUTH_ACTION_COUNT = '0'
        try { $script:authMoto = Start-MotoServer } finally { Remove-Item Env:INITIAL_NO_AUTH_ACTION_COUNT -ErrorAction SilentlyContinue }
    }
    AfterAll { if ($script:authMoto) { Stop-MotoServer -Server $script:authMoto } }

    It 'reports BackupCredentialNotPropagated at -PropagationTimeoutSec, and runs no probe' {
        $errors = $null
        $out = @(Test-BackupCredential -KeyAccessKeyId AKIANOTPROPAGATED001 -KeySecretAccessKey $script:secret -Preset UploadOnly -BucketName $script:bucket `
                -EndpointUrl $script:authMoto.Url -Region us-east-1 -PropagationTimeoutSec 2 -ErrorVariable errors -ErrorAction SilentlyContinue)
        $summary = $out[-1]
        $summary.Propagated | Should -BeFalse
        $summary.Passed | Should -BeFalse
        @($out | Where-Object { $_ -is [BackupIam.BackupCredentialProbe] -and $_.Outcome -eq 'NotRun' }).Count | Should -Be 21
        @($errors).Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'BackupCredentialNotPropagated*'
        $errors[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
        $errors[0].Exception.Message | Should -Match 'not accepted by the store within 2 s'
        $errors[0].Exception.Message | Should -Not -Match ([regex]::Escape($script:secret))
    }

    It 'a store that refuses connections gives CredentialProbeUnreachable' {
        $port = Get-FreePort
        $errors = $null
        $out = @(Test-BackupCredential -KeyAccessKeyId $script:keyId -KeySecretAccessKey $script:secret -Preset UploadOnly -BucketName $script:bucket `
                -EndpointUrl "http://127.0.0.1:$port" -Region us-east-1 -RequestTimeoutSec 2 -ErrorVariable errors -ErrorAction SilentlyContinue)
        $out | Should -BeNullOrEmpty
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'CredentialProbeUnreachable*'
        $errors[0].CategoryInfo.Category | Should -Be 'ConnectionError'
        $errors[0].Exception.Message | Should -Match $script:bucket
    }
}
