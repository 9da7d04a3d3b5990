# Credentials as AWS.Tools users give them: an SSO profile with a cached token (GetRoleCredentials answered by a small
# local listener that plays the SSO portal), -SecretKey as a SecureString, a type name bound as the secret, and the
# error when no source has credentials. Runs against a moto server that checks signatures and IAM policies
# (INITIAL_NO_AUTH_ACTION_COUNT), so only the real secret key works.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-BuiltModule
    $script:manifest = (Resolve-Path (Get-BuiltModuleManifest)).Path

    # moto enforces authentication after its first 3 requests: those create an administrator and its key.
    $saved = $env:INITIAL_NO_AUTH_ACTION_COUNT
    $env:INITIAL_NO_AUTH_ACTION_COUNT = '3'
    try { $script:moto = Start-MotoServer }
    finally { Restore-EnvironmentVariable -Name INITIAL_NO_AUTH_ACTION_COUNT -Value $saved }
    $script:url = $script:moto.Url
    # One boto3 process (python3 has it, as moto does): an administrator with a key, then, signed with that key, a role
    # and its temporary credentials (key, secret and session token) that moto issued and checks: the SSO role.
    $python = if ($env:BACKUPIAM_PYTHON) { $env:BACKUPIAM_PYTHON } else { 'python3' }
    $bootstrap = @"
import boto3, json, sys
url = sys.argv[1]
everything = json.dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': '*', 'Resource': '*'}]})
iam = boto3.client('iam', endpoint_url=url, region_name='us-east-1', aws_access_key_id='AKIABOOTSTRAP0000001', aws_secret_access_key='bootstrap')
iam.create_user(UserName='cred-admin')
iam.put_user_policy(UserName='cred-admin', PolicyName='everything', PolicyDocument=everything)
key = iam.create_access_key(UserName='cred-admin')['AccessKey']
admin = dict(endpoint_url=url, region_name='us-east-1', aws_access_key_id=key['AccessKeyId'], aws_secret_access_key=key['SecretAccessKey'])
iam = boto3.client('iam', **admin)
trust = json.dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Principal': {'AWS': '*'}, 'Action': 'sts:AssumeRole'}]})
iam.create_role(RoleName='BackupAdmin', AssumeRolePolicyDocument=trust)
iam.put_role_policy(RoleName='BackupAdmin', PolicyName='everything', PolicyDocument=everything)
role = boto3.client('sts', **admin).assume_role(RoleArn='arn:aws:iam::123456789012:role/BackupAdmin', RoleSessionName='sso-test')['Credentials']
print(json.dumps({'AccessKeyId': key['AccessKeyId'], 'SecretAccessKey': key['SecretAccessKey'],
                  'Role': {'AccessKeyId': role['AccessKeyId'], 'SecretAccessKey': role['SecretAccessKey'], 'SessionToken': role['SessionToken']}}))
"@
    $made = (& $python -c $bootstrap $script:url) | ConvertFrom-Json
    $script:adminKey = [pscustomobject]@{ AccessKeyId = $made.AccessKeyId; SecretAccessKey = $made.SecretAccessKey }
    $script:roleCredentials = $made.Role
    if (-not $script:adminKey.SecretAccessKey -or -not $script:roleCredentials.SessionToken) { throw 'Could not create the administrator key and role credentials in moto with boto3.' }

    function Invoke-IsolatedPwsh {
        <#
        Runs a script in a fresh pwsh whose HOME is $HomePath and whose environment has no AWS_* variable but
        $Environment's; while it runs, answers HTTP requests on $Listener with $Respond. Returns Output, Error, ExitCode.
        #>
        param([string] $Text, [string] $HomePath, [hashtable] $Environment = @{}, [System.Net.HttpListener] $Listener, [scriptblock] $Respond)
        $file = Join-Path $HomePath "run-$([guid]::NewGuid().ToString('N')).ps1"
        [System.IO.File]::WriteAllText($file, $Text)
        $self = [System.Diagnostics.Process]::GetCurrentProcess().MainModule.FileName
        $psi = [System.Diagnostics.ProcessStartInfo]::new($self)
        if ([System.IO.Path]::GetFileNameWithoutExtension($self) -notin 'pwsh', 'powershell') { $psi.ArgumentList.Add((Join-Path $PSHOME 'pwsh.dll')) }
        foreach ($a in '-NoProfile', '-NonInteractive', '-File', $file) { $psi.ArgumentList.Add($a) }
        $psi.RedirectStandardOutput = $true; $psi.RedirectStandardError = $true; $psi.UseShellExecute = $false
        foreach ($key in @($psi.Environment.Keys)) { if ($key -like 'AWS_*') { $null = $psi.Environment.Remove($key) } }
        $psi.Environment['HOME'] = $HomePath
        # Never let the SDK look for an EC2 instance role off this machine.
        $psi.Environment['AWS_EC2_METADATA_DISABLED'] = 'true'
        foreach ($key in $Environment.Keys) { $psi.Environment[$key] = $Environment[$key] }
        $process = [System.Diagnostics.Process]::Start($psi)
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        $deadline = [DateTime]::UtcNow.AddSeconds(90)
        $pending = if ($Listener) { $Listener.GetContextAsync() }
        while (-not $process.HasExited -and [DateTime]::UtcNow -lt $deadline) {
            if ($pending -and $pending.Wait(100)) {
                & $Respond $pending.Result
                $pending = $Listener.GetContextAsync()
            }
            elseif (-not $pending) { $null = $process.WaitForExit(100) }
        }
        if (-not $process.HasExited) { $process.Kill($true); throw "The script did not finish within 90 s: $($stdout.Result) $($stderr.Result)" }
        $process.WaitForExit()
        [pscustomobject]@{ Output = $stdout.Result; Error = $stderr.Result; ExitCode = $process.ExitCode }
    }

    function New-TempHome {
        $path = Join-Path ([System.IO.Path]::GetTempPath()) "backupiam-home-$([guid]::NewGuid().ToString('N'))"
        $null = New-Item -ItemType Directory -Force -Path (Join-Path $path '.aws')
        $path
    }
}

AfterAll {
    if ($script:moto) { Stop-MotoServer -Server $script:moto }
}

Describe 'An SSO profile with a cached token' {
    It 'gets role credentials from the SSO portal and uses them against the server' {
        $homePath = New-TempHome
        $listener = [System.Net.HttpListener]::new()
        try {
            $startUrl = 'https://backupiam-test.awsapps.com/start'
            [System.IO.File]::WriteAllText((Join-Path $homePath '.aws/config'), @"
[profile ssoprof]
sso_start_url = $startUrl
sso_region = us-east-1
sso_account_id = 123456789012
sso_role_name = BackupAdmin
region = us-east-1
"@)
            # The AWS CLI's token cache: ~/.aws/sso/cache/<sha1 of the start URL>.json
            $cache = Join-Path $homePath '.aws/sso/cache'
            $null = New-Item -ItemType Directory -Force -Path $cache
            $sha1 = -join ([System.Security.Cryptography.SHA1]::HashData([System.Text.Encoding]::UTF8.GetBytes($startUrl)) | ForEach-Object { $_.ToString('x2') })
            @{ startUrl = $startUrl; region = 'us-east-1'; accessToken = 'cached-sso-access-token'; expiresAt = [DateTime]::UtcNow.AddHours(1).ToString('yyyy-MM-ddTHH:mm:ssZ') } |
                ConvertTo-Json | Set-Content -Path (Join-Path $cache "$sha1.json")

            $port = Get-FreePort
            $listener.Prefixes.Add("http://127.0.0.1:$port/")
            $listener.Start()
            $script:portalRequests = [System.Collections.Generic.List[string]]::new()
            $role = $script:roleCredentials
            $respond = {
                param($context)
                $request = $context.Request
                $script:portalRequests.Add("$($request.HttpMethod) $($request.Url.AbsolutePath)?$($request.Url.Query.TrimStart('?')) token=$($request.Headers['x-amz-sso_bearer_token'])")
                # GetRoleCredentials: the role's temporary credentials, which moto issued and checks.
                $body = @{ roleCredentials = @{ accessKeyId = $role.AccessKeyId; secretAccessKey = $role.SecretAccessKey; sessionToken = $role.SessionToken
                        expiration = [DateTimeOffset]::UtcNow.AddHours(1).ToUnixTimeMilliseconds() } } | ConvertTo-Json
                $bytes = [System.Text.Encoding]::UTF8.GetBytes($body)
                $context.Response.ContentType = 'application/json'
                $context.Response.OutputStream.Write($bytes, 0, $bytes.Length)
                $context.Response.Close()
            }
            Start-MotoRecording -Url $script:url
            $result = Invoke-IsolatedPwsh -HomePath $homePath -Listener $listener -Respond $respond -Environment @{ AWS_ENDPOINT_URL_SSO = "http://127.0.0.1:$port" } -Text @"
Import-Module '$($script:manifest)'
`$user = New-BackupUser -UserName sso-made-user -ProfileName ssoprof -EndpointUrl '$($script:url)' -ErrorAction Stop
"status=`$(`$user.Status)"
"@
            $result.Error | Should -Not -Match 'could not be found or loaded'
            $result.Output | Should -Match 'status=Created' -Because $result.Error
            @($script:portalRequests) | Should -HaveCount 1
            $script:portalRequests[0] | Should -Match '^GET /federation/credentials\?'
            $script:portalRequests[0] | Should -Match 'account_id=123456789012'
            $script:portalRequests[0] | Should -Match 'role_name=BackupAdmin'
            $script:portalRequests[0] | Should -Match 'token=cached-sso-access-token$'
            $create = @(Get-MotoCall -Url $script:url | Where-Object { $_.Operation -eq 'CreateUser' -and $_.Name -eq 'sso-made-user' })
            $create | Should -HaveCount 1
            $create[0].Authorization | Should -Match "Credential=$($role.AccessKeyId)/"
        }
        finally {
            $listener.Close()
            Remove-Item -Recurse -Force $homePath -ErrorAction SilentlyContinue
        }
    }
}

Describe '-SecretKey' {
    It 'takes a SecureString, such as New-BackupAccessKey''s SecretAccessKey, and signs with the secret it holds' {
        $secure = ConvertTo-SecureString $script:adminKey.SecretAccessKey -AsPlainText -Force
        $user = New-BackupUser -UserName secure-string-user -EndpointUrl $script:url -AccessKey $script:adminKey.AccessKeyId -SecretKey $secure -ErrorAction Stop
        $user.Status | Should -Be 'Created'
    }

    It 'is checked by the server: a wrong secret fails (so the SecureString test above proves the secret was used)' {
        { New-BackupUser -UserName wrong-secret-user -EndpointUrl $script:url -AccessKey $script:adminKey.AccessKeyId -SecretKey 'not-the-secret' -ErrorAction Stop } |
            Should -Throw -ErrorId 'IamAuthenticationFailed,*'
    }

    It 'refuses a type name such as System.Security.SecureString before any call, showing the right idiom' {
        $secure = ConvertTo-SecureString 'whatever' -AsPlainText -Force
        Start-MotoRecording -Url $script:url
        $failure = $null
        try { New-BackupUser -UserName type-name-user -EndpointUrl $script:url -AccessKey $script:adminKey.AccessKeyId -SecretKey "$secure" -ErrorAction Stop }
        catch { $failure = $_ }
        $failure | Should -Not -BeNullOrEmpty
        $failure.FullyQualifiedErrorId | Should -BeLike 'SecretKeyInvalid,*'
        $failure.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $failure.Exception.Message | Should -Match 'System\.Security\.SecureString'
        $failure.Exception.Message | Should -Match ([regex]::Escape('-SecretKey $key.SecretAccessKey'))
        @(Get-MotoCall -Url $script:url) | Should -HaveCount 0
    }
}

Describe 'No credentials anywhere' {
    It 'says which sources were tried, in order, and how to give credentials, without SDK noise' {
        $homePath = New-TempHome
        try {
            $result = Invoke-IsolatedPwsh -HomePath $homePath -Text @"
Import-Module '$($script:manifest)'
try { New-BackupUser -UserName nobody -EndpointUrl '$($script:url)' -ErrorAction Stop; 'no error' }
catch { "id=`$(`$_.FullyQualifiedErrorId)"; "message=`$(`$_.Exception.Message)" }
"@
            $result.Output | Should -Match 'id=AwsCredentialsNotFound,'
            $message = ($result.Output -split "`n" | Where-Object { $_ -like 'message=*' }) -join ' '
            $message | Should -Not -Match 'webIdentityTokenFile|absolute path|Exception \d of \d'
            # The sources, in the order they are tried.
            $order = '-AccessKey', 'StoredAWSCredentials', 'AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_WEB_IDENTITY_TOKEN_FILE', "'default' profile", 'container credentials', 'instance profile'
            $positions = @($order | ForEach-Object { $message.IndexOf($_, [System.StringComparison]::Ordinal) })
            $positions | Should -Not -Contain -1 -Because $message
            ($positions | Sort-Object) -join ',' | Should -Be ($positions -join ',')
            # And how to give credentials.
            $message | Should -Match 'Give credentials with -ProfileName'
            $message | Should -Match 'aws sso login'
        }
        finally { Remove-Item -Recurse -Force $homePath -ErrorAction SilentlyContinue }
    }
}
