# How the BUILT module finds credentials, region and endpoints (AWS Tools for PowerShell's parameters and session
# defaults), checked against what a real moto server RECEIVED (its request recording: the Authorization header names
# the access key id and the signing region). Also checks that no secret ever reaches any output stream or $Error.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-BuiltModule
    $script:manifest = (Resolve-Path (Get-BuiltModuleManifest)).Path
    $script:standIn = (Resolve-Path (Join-Path $PSScriptRoot 'fixtures/StandInAwsModule/StandInAwsModule.psd1')).Path

    # Nothing from the machine's environment may decide where or as whom these tests call.
    $script:awsVariables = 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_DEFAULT_PROFILE',
        'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL_IAM', 'AWS_ENDPOINT_URL_STS',
        'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS'
    $script:savedEnvironment = @{}
    foreach ($name in $script:awsVariables) {
        $script:savedEnvironment[$name] = [Environment]::GetEnvironmentVariable($name)
        Remove-Item -Path "Env:$name" -ErrorAction SilentlyContinue
    }
    $script:savedStoredCredentials = Get-Variable -Scope Global -Name StoredAWSCredentials -ValueOnly -ErrorAction SilentlyContinue
    $script:savedStoredRegion = Get-Variable -Scope Global -Name StoredAWSRegion -ValueOnly -ErrorAction SilentlyContinue

    $script:moto = Start-MotoServer
    $script:url = $script:moto.Url

    function Get-SigningKey {
        <# The access key ids the server saw in the Authorization headers of the given calls. #>
        param([object[]] $Calls)
        @($Calls | ForEach-Object { if ($_.Authorization -match 'Credential=([^/]+)/') { $Matches[1] } else { '<unsigned>' } } | Sort-Object -Unique)
    }
}

AfterAll {
    if ($script:moto) { Stop-MotoServer -Server $script:moto }
    foreach ($name in $script:awsVariables) {
        Remove-Item -Path "Env:$name" -ErrorAction SilentlyContinue
        if ($null -ne $script:savedEnvironment[$name]) { Set-Item -Path "Env:$name" -Value $script:savedEnvironment[$name] }
    }
    Remove-Variable -Scope Global -Name StoredAWSCredentials, StoredAWSRegion -ErrorAction SilentlyContinue
    if ($null -ne $script:savedStoredCredentials) { Set-Variable -Scope Global -Name StoredAWSCredentials -Value $script:savedStoredCredentials }
    if ($null -ne $script:savedStoredRegion) { Set-Variable -Scope Global -Name StoredAWSRegion -Value $script:savedStoredRegion }
}

Describe 'Explicit -AccessKey/-SecretKey' {
    It 'signs every request with that access key id, over the environment''s keys' {
        $env:AWS_ACCESS_KEY_ID = 'AKIAENVIRONMENTKEY01'
        $env:AWS_SECRET_ACCESS_KEY = 'environment-secret'
        try {
            Start-MotoRecording -Url $script:url
            $user = New-BackupUser -UserName cred-explicit-user -EndpointUrl $script:url -AccessKey AKIAEXPLICITKEY00001 -SecretKey explicit-secret -ErrorAction Stop
            $bucket = New-BackupBucket -BucketName cred-explicit-bucket -EndpointUrl $script:url -AccessKey AKIAEXPLICITKEY00001 -SecretKey explicit-secret -ErrorAction Stop
        }
        finally {
            $env:AWS_ACCESS_KEY_ID = $null
            $env:AWS_SECRET_ACCESS_KEY = $null
        }
        $user.Status | Should -Be 'Created'
        $bucket.Status | Should -Be 'Created'
        $calls = @(Get-MotoCall -Url $script:url)
        @($calls | Where-Object { $_.Service -eq 'iam' -and $_.Operation -eq 'CreateUser' -and $_.Name -eq 'cred-explicit-user' }) | Should -HaveCount 1
        @($calls | Where-Object { $_.Service -eq 's3' -and $_.IsWrite }) | Should -Not -BeNullOrEmpty
        Get-SigningKey $calls | Should -Be @('AKIAEXPLICITKEY00001')
    }
}

Describe 'AWS.Tools'' session default $StoredAWSCredentials' {
    # AWS.Tools' Set-AWSCredential stores an AWSPSCredentials (a class whose Credentials property holds the SDK's
    # AWSCredentials, made by AWS.Tools' own AWSSDK.Core in the default context). The stand-in module makes the
    # inner credentials from its own AWSSDK.Core, so this runs in a fresh pwsh.
    BeforeAll {
        Start-MotoRecording -Url $script:url
        $quote = { param($s) "'" + ($s -replace "'", "''") + "'" }
        $script = @"
`$ErrorActionPreference = 'Stop'
`$env:AWS_ACCESS_KEY_ID = 'AKIAENVIRONMENTKEY02'
`$env:AWS_SECRET_ACCESS_KEY = 'environment-secret'
Import-Module $(& $quote $script:standIn)
Import-Module $(& $quote $script:manifest)
class AWSPSCredentials {
    [object] `$Credentials
    [string] `$Name
    AWSPSCredentials([object] `$credentials, [string] `$name) { `$this.Credentials = `$credentials; `$this.Name = `$name }
}
`$global:StoredAWSCredentials = [AWSPSCredentials]::new((New-StandInCredential -AccessKey AKIASTOREDCREDENTIAL -SecretKey stored-secret), 'stored')
`$url = $(& $quote $script:url)
`$a = New-BackupBucket -BucketName cred-stored-bucket -EndpointUrl `$url -Verbose 4>&1
`$b = New-BackupBucket -BucketName cred-stored-explicit -EndpointUrl `$url -AccessKey AKIAEXPLICITBEATSIT1 -SecretKey explicit-secret
'##RESULT ' + (ConvertTo-Json -Compress -InputObject ([ordered]@{
    Stored = @(`$a | Where-Object { `$_.PSObject.Properties['Status'] } | ForEach-Object Status)
    Verbose = @(`$a | Where-Object { `$_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
    Explicit = `$b.Status
    Errors = @(`$Error | ForEach-Object { `$_.ToString() })
}))
"@
        $lines = @(Invoke-FreshPwsh -Script $script 2>&1)
        $line = $lines | Where-Object { $_ -is [string] -and $_.StartsWith('##RESULT ') } | Select-Object -Last 1
        if (-not $line) { throw "The child pwsh printed no result. Its output:`n$($lines -join "`n")" }
        $script:stored = $line.Substring('##RESULT '.Length) | ConvertFrom-Json
        $script:storedCalls = @(Get-MotoCall -Url $script:url)
    }

    It 'is used when no credential parameter is given (over the environment''s keys)' {
        @($script:stored.Errors) | Should -HaveCount 0
        @($script:stored.Stored) | Should -Be @('Created')
        $calls = @($script:storedCalls | Where-Object { $_.Service -eq 's3' -and $_.Name -like '/cred-stored-bucket/*' })
        @($calls | Where-Object IsWrite) | Should -Not -BeNullOrEmpty
        Get-SigningKey $calls | Should -Be @('AKIASTOREDCREDENTIAL')
    }

    It '-Verbose names $StoredAWSCredentials as the credentials'' source' {
        $line = @($script:stored.Verbose | Where-Object { $_ -match '^Credentials: ' })
        $line | Should -HaveCount 1
        $line[0] | Should -Match 'StoredAWSCredentials' -Because 'no credential parameter was given; the verbose line exists to say where the credentials came from'
    }

    It 'loses to an explicit -AccessKey' {
        $script:stored.Explicit | Should -Be 'Created'
        $calls = @($script:storedCalls | Where-Object { $_.Service -eq 's3' -and $_.Name -like '/cred-stored-explicit/*' })
        @($calls | Where-Object IsWrite) | Should -Not -BeNullOrEmpty
        Get-SigningKey $calls | Should -Be @('AKIAEXPLICITBEATSIT1')
    }
}

Describe 'AWS.Tools'' session default $StoredAWSRegion' {
    # Region-bound calls that work against moto in any region: IAM (global), STS (signed for the session region) and
    # S3 calls on a bucket that exists already in that region (created with LocationConstraint eu-west-3; New-BackupBucket
    # reports a bucket's real region, so a bucket made in us-east-1 would be reported there, with a warning).
    BeforeAll {
        $null = New-BackupBucket -BucketName cred-region-bucket -Region eu-west-3 -EndpointUrl $script:url -AccessKey AKIAREGIONTEST000001 -SecretKey x -ErrorAction Stop
        function Get-VerboseText([object[]] $Records) {
            @($Records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message) -join "`n"
        }
    }

    AfterEach {
        Remove-Variable -Scope Global -Name StoredAWSRegion -ErrorAction SilentlyContinue
    }

    It 'is the region used when no -Region is given, as -Verbose says and the signatures show' {
        $global:StoredAWSRegion = 'eu-west-3'
        Start-MotoRecording -Url $script:url
        $userOut = @(New-BackupUser -UserName cred-region-user -EndpointUrl $script:url -AccessKey AKIAREGIONTEST000001 -SecretKey x -Verbose 4>&1)
        $bucketOut = @(New-BackupBucket -BucketName cred-region-bucket -EndpointUrl $script:url -AccessKey AKIAREGIONTEST000001 -SecretKey x -Verbose 4>&1)
        Get-VerboseText $userOut | Should -Match 'region eu-west-3\b'
        ($userOut | Where-Object { $_.PSObject.Properties['UserName'] }).Status | Should -Be 'Created'
        ($bucketOut | Where-Object { $_.PSObject.Properties['BucketName'] }).Region | Should -Be 'eu-west-3'
        $calls = @(Get-MotoCall -Url $script:url)
        $sts = @($calls | Where-Object Service -EQ 'sts')
        $sts | Should -Not -BeNullOrEmpty -Because '-Verbose asks sts:GetCallerIdentity who we are'
        foreach ($call in $sts) { $call.Authorization | Should -Match '/eu-west-3/sts/aws4_request' }
        $s3 = @($calls | Where-Object Service -EQ 's3')
        $s3 | Should -Not -BeNullOrEmpty
        foreach ($call in $s3) { $call.Authorization | Should -Match '/eu-west-3/s3/aws4_request' }
    }

    It '-Verbose names $StoredAWSRegion (not -Region) as the region''s source' {
        $global:StoredAWSRegion = 'eu-west-3'
        $out = @(New-BackupUser -UserName cred-region-source-user -EndpointUrl $script:url -AccessKey AKIAREGIONTEST000001 -SecretKey x -Verbose 4>&1)
        $line = @((Get-VerboseText $out) -split "`n" | Where-Object { $_ -match 'region eu-west-3' })
        $line | Should -HaveCount 1
        $line[0] | Should -Match 'StoredAWSRegion' -Because 'the user gave no -Region; the verbose line exists to say where the region came from'
    }

    It 'loses to an explicit -Region' {
        $global:StoredAWSRegion = 'eu-west-3'
        Start-MotoRecording -Url $script:url
        $out = @(New-BackupUser -UserName cred-region-explicit-user -EndpointUrl $script:url -Region ap-south-1 -AccessKey AKIAREGIONTEST000001 -SecretKey x -Verbose 4>&1)
        $verbose = Get-VerboseText $out
        $verbose | Should -Match 'region ap-south-1\b'
        $verbose | Should -Not -Match 'eu-west-3'
        $sts = @(Get-MotoCall -Url $script:url | Where-Object Service -EQ 'sts')
        $sts | Should -Not -BeNullOrEmpty
        foreach ($call in $sts) { $call.Authorization | Should -Match '/ap-south-1/sts/aws4_request' }
    }
}

Describe 'Endpoint environment variables' {
    AfterEach {
        $env:AWS_ENDPOINT_URL = $null
        $env:AWS_ENDPOINT_URL_S3 = $null
    }

    It 'AWS_ENDPOINT_URL routes IAM and S3 calls to moto without -EndpointUrl' {
        $env:AWS_ENDPOINT_URL = $script:url
        Start-MotoRecording -Url $script:url
        $user = New-BackupUser -UserName cred-env-endpoint-user -AccessKey AKIAENDPOINTTEST0001 -SecretKey x -ErrorAction Stop
        $bucket = New-BackupBucket -BucketName cred-env-endpoint-bucket -AccessKey AKIAENDPOINTTEST0001 -SecretKey x -ErrorAction Stop
        $user.Status | Should -Be 'Created'
        $bucket.Status | Should -Be 'Created'
        $calls = @(Get-MotoCall -Url $script:url)
        @($calls | Where-Object { $_.Service -eq 'iam' -and $_.Operation -eq 'CreateUser' -and $_.Name -eq 'cred-env-endpoint-user' }) | Should -HaveCount 1
        @($calls | Where-Object { $_.Service -eq 's3' -and $_.Operation -eq 'PUT /cred-env-endpoint-bucket/' }) | Should -HaveCount 1
    }

    It 'AWS_ENDPOINT_URL_S3 routes S3 calls to moto, and beats AWS_ENDPOINT_URL' {
        # AWS_ENDPOINT_URL points at a port nobody listens on: S3 calls must not go there.
        $env:AWS_ENDPOINT_URL = "http://127.0.0.1:$(Get-FreePort)"
        $env:AWS_ENDPOINT_URL_S3 = $script:url
        Start-MotoRecording -Url $script:url
        $bucket = New-BackupBucket -BucketName cred-env-s3-bucket -AccessKey AKIAENDPOINTTEST0002 -SecretKey x -ErrorAction Stop
        $bucket.Status | Should -Be 'Created'
        $calls = @(Get-MotoCall -Url $script:url)
        @($calls | Where-Object { $_.Service -eq 's3' -and $_.Operation -eq 'PUT /cred-env-s3-bucket/' }) | Should -HaveCount 1
        Get-SigningKey $calls | Should -Be @('AKIAENDPOINTTEST0002')
    }
}

Describe 'A half key pair' {
    It '<Given> without <Missing> fails with AwsCredentialPairIncomplete before any request' -ForEach @(
        @{ Given = '-AccessKey'; Missing = 'SecretKey'; Parameters = @{ AccessKey = 'AKIAHALFPAIRTEST0001' } }
        @{ Given = '-SecretKey'; Missing = 'AccessKey'; Parameters = @{ SecretKey = 'half-pair-secret' } }
    ) {
        # Complete keys in the environment must not fill the missing half.
        $env:AWS_ACCESS_KEY_ID = 'AKIAENVIRONMENTKEY03'
        $env:AWS_SECRET_ACCESS_KEY = 'environment-secret'
        Start-MotoRecording -Url $script:url
        $err = @()
        $out = $null
        try {
            $out = New-BackupBucket -BucketName cred-half-pair-bucket -EndpointUrl $script:url @Parameters -ErrorVariable err -ErrorAction SilentlyContinue
        }
        catch {
            $err = @($_)
        }
        finally {
            $env:AWS_ACCESS_KEY_ID = $null
            $env:AWS_SECRET_ACCESS_KEY = $null
        }
        $out | Should -BeNullOrEmpty
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'AwsCredentialPairIncomplete*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err[0].Exception.Message | Should -Match "-$Missing\b"
        $err[0].ErrorDetails.RecommendedAction | Should -Match "-$Missing\b"
        @(Get-MotoCall -Url $script:url) | Should -HaveCount 0 -Because 'the input is checked before anything is sent'
    }
}

Describe '-ProfileLocation without -ProfileName' {
    It 'uses the default profile of that file, as AWS.Tools does' {
        $file = Join-Path ([System.IO.Path]::GetTempPath()) ("bi-profloc-" + [guid]::NewGuid())
        Set-Content -Path $file -Value "[default]`naws_access_key_id = AKIAPROFILELOCATION1`naws_secret_access_key = not-a-real-secret"
        Start-MotoRecording -Url $script:url
        try {
            New-BackupGroup -GroupName cred-profloc-group -ProfileLocation $file -EndpointUrl $script:url | Out-Null
        }
        finally { Remove-Item -Force $file }
        $keys = @(Get-MotoCall -Url $script:url | ForEach-Object { if ($_.Authorization -match 'Credential=([^/]+)/') { $Matches[1] } } | Sort-Object -Unique)
        $keys | Should -Be @('AKIAPROFILELOCATION1')
    }
}

Describe 'Secrets' {
    BeforeAll {
        $script:passedSecret = 'LeakCanary' + [guid]::NewGuid().ToString('N')
        $script:bogusSecret = 'BogusCanary' + [guid]::NewGuid().ToString('N')
        $Error.Clear()
        $DebugPreference = 'Continue'
        $common = @{ EndpointUrl = $script:url; AccessKey = 'AKIALEAKTEST00000001'; Verbose = $true; Debug = $true }
        $script:userOut = @(New-BackupUser -UserName cred-leak-user -SecretKey $script:passedSecret @common *>&1)
        $script:keyOut = @(New-BackupAccessKey -UserName cred-leak-user -SecretKey $script:passedSecret @common *>&1)
        $script:failOut = @(New-BackupAccessKey -UserName cred-no-such-user -SecretKey $script:bogusSecret @common *>&1)
        $DebugPreference = 'SilentlyContinue'
        $script:errorText = ($Error | Out-String -Width 4096) + ($Error | ForEach-Object {
                $_ | Format-List * -Force | Out-String -Width 4096
                $_.Exception.ToString()
                if ($_.ErrorDetails) { $_.ErrorDetails | Format-List * -Force | Out-String -Width 4096 }
            } | Out-String -Width 4096)
        $script:streamText = @($script:userOut; $script:keyOut; $script:failOut) | Out-String -Width 4096
        $key = $script:keyOut | Where-Object { $_.PSObject.Properties['SecretAccessKey'] -and $_.SecretAccessKey } | Select-Object -First 1
        $script:newKeyId = $key.AccessKeyId
        $script:newSecret = if ($key) { [System.Net.NetworkCredential]::new('', $key.SecretAccessKey).Password }
    }

    It 'the runs did what they should: a user, a new key with its secret, and a failure for a missing user' {
        ($script:userOut | Where-Object { $_.PSObject.Properties['UserName'] -and $_.UserName -eq 'cred-leak-user' }) | Should -Not -BeNullOrEmpty
        $script:newKeyId | Should -Match '^AKIA'
        $script:newSecret.Length | Should -BeGreaterOrEqual 20
        @($script:failOut | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }) | Should -Not -BeNullOrEmpty
        # Positive controls: the captured text really holds the output objects and the failure searched below.
        $script:streamText | Should -Match ([regex]::Escape($script:newKeyId))
        $script:errorText | Should -Match 'cred-no-such-user'
        @($script:keyOut + $script:userOut | Where-Object { $_ -is [System.Management.Automation.DebugRecord] -or $_ -is [System.Management.Automation.VerboseRecord] }) | Should -Not -BeNullOrEmpty
    }

    It 'the verbose stream says who we act as' {
        $verbose = @($script:userOut | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message) -join "`n"
        $verbose | Should -Match 'Acting as arn:'
    }

    It 'the secret passed with -SecretKey appears in no stream and not in $Error' {
        $script:streamText | Should -Not -Match ([regex]::Escape($script:passedSecret))
        $script:streamText | Should -Not -Match ([regex]::Escape($script:bogusSecret))
        $script:errorText | Should -Not -Match ([regex]::Escape($script:passedSecret))
        $script:errorText | Should -Not -Match ([regex]::Escape($script:bogusSecret))
    }

    It 'the new key''s secret appears in no stream and not in $Error' {
        $script:streamText | Should -Not -Match ([regex]::Escape($script:newSecret))
        $script:errorText | Should -Not -Match ([regex]::Escape($script:newSecret))
    }
}
