# Issue 16: credentials and the region are resolved once per PowerShell session for the same inputs (profile name and
# location, unchanged files), against a real moto server: which key signed each request is read from moto's own request
# recording, and -Verbose says whether a command resolved the profile or reused it ("(cached)").

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-BuiltModule
    $script:awsVariables = 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_REGION',
        'AWS_DEFAULT_REGION', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONFIG_FILE', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL_IAM', 'AWS_ENDPOINT_URL_STS'
    $script:savedEnvironment = @{}
    foreach ($name in $script:awsVariables) {
        $script:savedEnvironment[$name] = [Environment]::GetEnvironmentVariable($name)
        Remove-Item -Path "Env:$name" -ErrorAction SilentlyContinue
    }
    $script:moto = Start-MotoServer
    $script:url = $script:moto.Url
    $script:dir = Join-Path ([System.IO.Path]::GetTempPath()) ('bi-sessioncache-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $null = New-Item -ItemType Directory -Path $script:dir
    $script:file = Join-Path $script:dir 'credentials'
    Set-Content -Path $script:file -Value @(
        '[cache-a]', 'aws_access_key_id = AKIACACHEPROFILEA001', 'aws_secret_access_key = cache-a-secret', 'region = eu-west-1', '',
        '[cache-b]', 'aws_access_key_id = AKIACACHEPROFILEB001', 'aws_secret_access_key = cache-b-secret', 'region = eu-central-1')

    function Invoke-WithProfile {
        <# Runs one cmdlet with -ProfileName/-ProfileLocation and -Verbose; returns its verbose lines and the signing keys moto saw. #>
        param([string] $Profile, [scriptblock] $Command)
        Start-MotoRecording -Url $script:url
        $out = @(& $Command $Profile 4>&1)
        [pscustomobject]@{
            Verbose = @($out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
            Errors  = @($out | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
            Keys    = @(Get-MotoCall -Url $script:url | ForEach-Object { if ($_.Authorization -match 'Credential=([^/]+)/') { $Matches[1] } } | Sort-Object -Unique)
        }
    }
    $script:newUser = { param($p) New-BackupUser -UserName "cache-user-$p-$(Get-Random)" -ProfileName $p -ProfileLocation $script:file -EndpointUrl $script:url -Verbose }
    $script:newBucket = { param($p) New-BackupBucket -BucketName "cache-bucket-$p-$(Get-Random)" -ProfileName $p -ProfileLocation $script:file -EndpointUrl $script:url -Verbose }
}

AfterAll {
    if ($script:moto) { Stop-MotoServer -Server $script:moto }
    if ($script:dir) { Remove-Item -Recurse -Force $script:dir -ErrorAction SilentlyContinue }
    foreach ($name in $script:awsVariables) {
        Remove-Item -Path "Env:$name" -ErrorAction SilentlyContinue
        if ($null -ne $script:savedEnvironment[$name]) { Set-Item -Path "Env:$name" -Value $script:savedEnvironment[$name] }
    }
}

Describe 'Credentials and region, once per session' {
    It 'two cmdlets with the same profile: the first resolves it, the second reuses it (cached), both sign with its key' {
        $first = Invoke-WithProfile -Profile cache-a -Command $script:newUser
        $second = Invoke-WithProfile -Profile cache-a -Command $script:newBucket

        $first.Errors | Should -HaveCount 0
        $second.Errors | Should -HaveCount 0
        @($first.Verbose -match "^Credentials resolved from profile 'cache-a' .*\(resolved now") | Should -HaveCount 1
        @($first.Verbose -match '\(cached') | Should -HaveCount 0
        @($second.Verbose -match "^Credentials resolved from profile 'cache-a' .*\(cached") | Should -HaveCount 1
        $first.Keys | Should -Be @('AKIACACHEPROFILEA001')
        $second.Keys | Should -Be @('AKIACACHEPROFILEA001')
        ($second.Verbose -join "`n") | Should -Match 'region eu-west-1 \(profile ''cache-a''\)'
    }

    It 'a different profile is not served from the cache' {
        $null = Invoke-WithProfile -Profile cache-a -Command $script:newUser
        $b = Invoke-WithProfile -Profile cache-b -Command $script:newUser

        $b.Errors | Should -HaveCount 0
        @($b.Verbose -match "^Credentials resolved from profile 'cache-b' .*\(resolved now") | Should -HaveCount 1
        $b.Keys | Should -Be @('AKIACACHEPROFILEB001')
        ($b.Verbose -join "`n") | Should -Match 'region eu-central-1 \(profile ''cache-b''\)'
    }

    It 'an edited credentials file is read again: the new key and region are used, then reused' {
        $null = Invoke-WithProfile -Profile cache-a -Command $script:newUser
        Set-Content -Path $script:file -Value @(
            '[cache-a]', 'aws_access_key_id = AKIACACHEPROFILEA002', 'aws_secret_access_key = cache-a-secret-2', 'region = ap-south-1')

        $edited = Invoke-WithProfile -Profile cache-a -Command $script:newUser
        $again = Invoke-WithProfile -Profile cache-a -Command $script:newUser

        $edited.Errors | Should -HaveCount 0
        @($edited.Verbose -match "^Credentials resolved from profile 'cache-a' .*\(resolved now") | Should -HaveCount 1
        $edited.Keys | Should -Be @('AKIACACHEPROFILEA002')
        ($edited.Verbose -join "`n") | Should -Match 'region ap-south-1 \(profile ''cache-a''\)'
        @($again.Verbose -match '\(cached') | Should -HaveCount 1
        $again.Keys | Should -Be @('AKIACACHEPROFILEA002')
    }

    It 'a profile removed from the file is an error again, not the cached profile' {
        # Bad input stops the command before any call (a terminating error).
        $caught = $null
        try { $null = & $script:newUser cache-b 4>&1 } catch { $caught = $_ }
        $caught | Should -Not -BeNullOrEmpty
        $caught.FullyQualifiedErrorId | Should -BeLike 'AwsProfileNotFound,*'
    }

    It 'AWS_PROFILE with AWS_SHARED_CREDENTIALS_FILE: reused while the file is unchanged, read again after an edit' {
        # In a fresh pwsh: AWSSDK.Core reads AWS_SHARED_CREDENTIALS_FILE once per process.
        $shared = Join-Path $script:dir 'shared-credentials'
        $tag = Get-Random
        Set-Content -Path $shared -Value @('[cache-env]', 'aws_access_key_id = AKIACACHEENVPROF0001', 'aws_secret_access_key = env-secret', 'region = eu-north-1')
        Start-MotoRecording -Url $script:url
        $lines = @(Invoke-FreshPwsh -Script @"
`$env:AWS_SHARED_CREDENTIALS_FILE = '$shared'
`$env:AWS_CONFIG_FILE = '$(Join-Path $script:dir 'no-such-config')'
`$env:AWS_PROFILE = 'cache-env'
foreach (`$n in 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL') { Remove-Item "Env:`$n" -ErrorAction SilentlyContinue }
Import-Module '$((Resolve-Path (Get-BuiltModuleManifest)).Path)'
function Run([int] `$i) { @(New-BackupUser -UserName "cache-env-`$i-$tag" -EndpointUrl '$($script:url)' -Verbose 4>&1 | Where-Object { `$_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message) }
`$r = [ordered]@{ First = Run 1; Second = Run 2 }
Set-Content -Path '$shared' -Value @('[cache-env]', 'aws_access_key_id = AKIACACHEENVPROF0002', 'aws_secret_access_key = env-secret-2', 'region = eu-south-1')
`$r.Edited = Run 3
'##RESULT ' + (ConvertTo-Json -InputObject `$r -Compress)
"@)
        $line = $lines | Where-Object { $_ -is [string] -and $_.StartsWith('##RESULT ') } | Select-Object -Last 1
        $line | Should -Not -BeNullOrEmpty -Because ($lines -join "`n")
        $r = $line.Substring(9) | ConvertFrom-Json
        $keyOf = @{}
        foreach ($call in @(Get-MotoCall -Url $script:url | Where-Object { $_.Operation -eq 'CreateUser' })) {
            if ($call.Authorization -match 'Credential=([^/]+)/') { $keyOf[[string]$call.Name] = $Matches[1] }
        }

        @($r.First -match "^Credentials resolved from profile 'cache-env' \(AWS_PROFILE\).*\(resolved now") | Should -HaveCount 1
        @($r.Second -match "^Credentials resolved from profile 'cache-env' \(AWS_PROFILE\).*\(cached") | Should -HaveCount 1
        @($r.Edited -match '\(resolved now') | Should -HaveCount 1
        ($r.Edited -join "`n") | Should -Match 'region eu-south-1'
        $keyOf["cache-env-1-$tag"] | Should -Be 'AKIACACHEENVPROF0001'
        $keyOf["cache-env-2-$tag"] | Should -Be 'AKIACACHEENVPROF0001'
        $keyOf["cache-env-3-$tag"] | Should -Be 'AKIACACHEENVPROF0002'
    }

    It 'explicit keys say nothing about a cache' {
        $out = @(New-BackupUser -UserName "cache-explicit-$(Get-Random)" -AccessKey AKIACACHEEXPLICIT001 -SecretKey x -EndpointUrl $script:url -Verbose 4>&1)
        @($out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -match '^Credentials resolved from' }) | Should -HaveCount 0
    }
}
