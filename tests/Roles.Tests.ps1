# New-BackupRole against a real moto server (IAM, STS), through the BUILT module. Calls are counted from moto's own
# request recording: bad input makes no call at all, -WhatIf no write, the first run one write per resource, a re-run
# none. The trust policy is decided offline (Test-BackupPolicy) and checked by the linter (Get-BackupPolicyFinding),
# and a runner with no key gets its credentials through the module's web-identity chain.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:moto = Enter-MotoTestSession -AccessKey 'AKIAROLESTEST000001' -SecretKey 'roles-test-secret-not-real'

    function Invoke-Recorded {
        # Runs a script block; returns its outputs, its errors, and every call moto received while it ran.
        param([scriptblock] $Script)
        Start-MotoRecording -Url $script:moto.Url
        $items = [System.Collections.Generic.List[object]]::new()
        try { & $Script 2>&1 | ForEach-Object { $items.Add($_) } }
        catch { $items.Add($_) }
        $calls = @(Get-MotoCall -Url $script:moto.Url)
        [pscustomobject]@{
            Outputs = @($items | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] })
            Errors  = @($items | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
            Calls   = $calls
            Writes  = @($calls | Where-Object IsWrite | ForEach-Object Operation)
        }
    }

    $script:upload = New-BackupPolicy -Preset UploadOnly -BucketName role-backups -Prefix backup/ -PolicyName UploadFilesToBackup
    $script:rclone = New-BackupPolicy -Preset Rclone -BucketName role-backups -Prefix dataset-1/ -PolicyName RcloneDataset1
}

AfterAll {
    Exit-MotoTestSession $script:moto
}

Describe 'New-BackupRole refuses bad input before any call' {
    It '<Case> is <ErrorId> on -<Parameter>, and moto receives no request at all' -ForEach @(
        @{ Case = 'a repository wildcard across owners'; ErrorId = 'GitHubRepositoryWildcard'; Parameter = 'GitHubRepository'; Run = { New-BackupRole -RoleName r1 -GitHubRepository '*/backup-jobs' -Branch main } }
        @{ Case = 'a repository that is not OWNER/REPO'; ErrorId = 'GitHubRepositoryInvalid'; Parameter = 'GitHubRepository'; Run = { New-BackupRole -RoleName r1 -GitHubRepository 'https://github.com/contoso/backup-jobs' -Branch main } }
        @{ Case = 'a branch of *'; ErrorId = 'GitHubBranchWildcard'; Parameter = 'Branch'; Run = { New-BackupRole -RoleName r1 -GitHubRepository contoso/backup-jobs -Branch '*' } }
        @{ Case = 'no branch, tag or environment'; ErrorId = 'GitHubRefRequired'; Parameter = 'Branch'; Run = { New-BackupRole -RoleName r1 -GitHubRepository contoso/backup-jobs } }
        @{ Case = 'a subject of * for another issuer'; ErrorId = 'OidcSubjectWildcard'; Parameter = 'Subject'; Run = { New-BackupRole -RoleName r1 -Issuer https://ci.example.com -Audience backup -Subject '*' } }
        @{ Case = 'an http issuer'; ErrorId = 'OidcIssuerInvalid'; Parameter = 'Issuer'; Run = { New-BackupRole -RoleName r1 -Issuer http://ci.example.com -Audience backup -Subject job } }
        @{ Case = 'an organization id that is no GUID'; ErrorId = 'AzureDevOpsOrganizationIdInvalid'; Parameter = 'AzureDevOpsOrganizationId'; Run = { New-BackupRole -RoleName r1 -AzureDevOpsOrganizationId contoso -AzureDevOpsOrganization contoso -AzureDevOpsProject Backups -ServiceConnection aws } }
        @{ Case = 'a role name with a space'; ErrorId = 'IamRoleNameInvalid'; Parameter = 'RoleName'; Run = { New-BackupRole -RoleName 'backup role' -GitHubRepository contoso/backup-jobs -Branch main } }
        @{ Case = 'a 15-minute session'; ErrorId = 'IamMaxSessionDurationInvalid'; Parameter = 'MaxSessionDuration'; Run = { New-BackupRole -RoleName r1 -GitHubRepository contoso/backup-jobs -Branch main -MaxSessionDuration 900 } }
        @{ Case = 'a short thumbprint'; ErrorId = 'OidcThumbprintInvalid'; Parameter = 'Thumbprint'; Run = { New-BackupRole -RoleName r1 -GitHubRepository contoso/backup-jobs -Branch main -Thumbprint abc } }
        @{ Case = 'a bucket policy piped in as permissions'; ErrorId = 'PolicyNotIdentityPolicy'; Parameter = 'PolicyDocument'; Run = { [pscustomobject]@{ PolicyName = 'Bucket'; PolicyDocument = (New-WriteOnlyBucketPolicy -BucketName role-backups -UserName backup -AccountId 123456789012).PolicyDocument } | New-BackupRole -RoleName r1 -GitHubRepository contoso/backup-jobs -Branch main } }
        @{ Case = 'a policy document without a name'; ErrorId = 'PolicyNameRequired'; Parameter = 'PolicyName'; Run = { [pscustomobject]@{ PolicyDocument = $script:upload.PolicyDocument } | New-BackupRole -RoleName r1 -GitHubRepository contoso/backup-jobs -Branch main } }
        @{ Case = 'two different policies of one name'; ErrorId = 'PolicyNameDuplicate'; Parameter = 'PolicyName'; Run = { $script:upload, [pscustomobject]@{ PolicyName = 'UploadFilesToBackup'; PolicyDocument = $script:rclone.PolicyDocument } | New-BackupRole -RoleName r1 -GitHubRepository contoso/backup-jobs -Branch main } }
    ) {
        $run = Invoke-Recorded -Script $Run
        $run.Outputs.Count | Should -Be 0
        $run.Errors.Count | Should -BeGreaterThan 0
        $record = $run.Errors | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] } | Select-Object -First 1
        $record.FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
        $record.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $record.Exception.Message | Should -Not -BeNullOrEmpty
        if ($record.ErrorDetails) { $record.ErrorDetails.RecommendedAction | Should -Match $Parameter }
        $run.Calls.Count | Should -Be 0 -Because "bad input must be refused before any call ($(@($run.Calls.Operation) -join ', '))"
    }
}

Describe 'New-BackupRole for GitHub Actions against moto' {
    BeforeAll {
        $script:make = { param([switch] $WhatIf) $script:upload, $script:rclone | New-BackupRole -RoleName backup-github -GitHubRepository contoso/backup-jobs -Branch main -MaxSessionDuration 7200 -WhatIf:$WhatIf }
    }

    It 'under -WhatIf shows the plan, reads only and writes nothing' {
        $run = Invoke-Recorded -Script { & $script:make -WhatIf }
        $run.Writes.Count | Should -Be 0 -Because ($run.Writes -join ', ')
        $run.Outputs.Count | Should -Be 1
        $role = $run.Outputs[0]
        $role.Status | Should -Be 'Planned'
        $role.Changes | Should -Be @('iam:CreateOpenIDConnectProvider', 'iam:CreateRole', 'iam:PutRolePolicy', 'iam:PutRolePolicy')
        $role.Arn | Should -Be 'arn:aws:iam::123456789012:role/backup-github'
        $role.TrustPolicy | Should -Match 'repo:contoso/backup-jobs:ref:refs/heads/main'
    }

    It 'creates the provider, the role and one inline policy per piped policy: one write each' {
        $run = Invoke-Recorded -Script { & $script:make }
        $run.Writes | Should -Be @('CreateOpenIDConnectProvider', 'CreateRole', 'PutRolePolicy', 'PutRolePolicy')
        $run.Outputs.Count | Should -Be 1
        $role = $run.Outputs[0]
        $role | Should -BeOfType 'BackupIam.BackupRole'
        $role.Status | Should -Be 'Created'
        $role.ProviderArn | Should -Be 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com'
        $role.Audience | Should -Be @('sts.amazonaws.com')
        $role.Subject | Should -Be @('repo:contoso/backup-jobs:ref:refs/heads/main')
        $role.PolicyNames | Should -Be @('UploadFilesToBackup', 'RcloneDataset1')
        $role.MaxSessionDuration | Should -Be 7200
    }

    It 'makes zero write calls on a re-run and reports Unchanged' {
        $run = Invoke-Recorded -Script { & $script:make }
        $run.Writes.Count | Should -Be 0 -Because ($run.Writes -join ', ')
        $run.Outputs[0].Status | Should -Be 'Unchanged'
        $run.Outputs[0].Changes.Count | Should -Be 0
        # What it read to decide: no listing of every role, only the ones it manages.
        @($run.Calls.Operation) | Should -Contain 'ListOpenIDConnectProviders'
        @($run.Calls.Operation) | Should -Contain 'GetRolePolicy'
    }

    It 'pins another branch with one write (the trust policy) and warns about the policies it was not given' {
        $run = Invoke-Recorded -Script { New-BackupRole -RoleName backup-github -GitHubRepository contoso/backup-jobs -Branch release -WarningVariable w -WarningAction SilentlyContinue; $script:warnings = $w }
        $run.Writes | Should -Be @('UpdateAssumeRolePolicy')
        $run.Outputs[0].Status | Should -Be 'Updated'
        ($script:warnings -join ' ') | Should -Match "'UploadFilesToBackup', 'RcloneDataset1'"
    }

    It 'the trust policy it wrote is decided offline: the pinned branch is allowed, another repository denied' {
        $trust = (New-BackupRole -RoleName backup-github -GitHubRepository contoso/backup-jobs -Branch main -WhatIf -WarningAction SilentlyContinue).TrustPolicy
        $claims = { param($Sub) @{ 'token.actions.githubusercontent.com:sub' = $Sub; 'token.actions.githubusercontent.com:aud' = 'sts.amazonaws.com' } }
        $allowed = Test-BackupPolicy -Policy $trust -Action sts:AssumeRoleWithWebIdentity -Context (& $claims 'repo:contoso/backup-jobs:ref:refs/heads/main')
        $allowed.Decision | Should -Be 'Allowed'
        $allowed.ResourceKind | Should -Be 'role'
        (Test-BackupPolicy -Policy $trust -Action sts:AssumeRoleWithWebIdentity -Context (& $claims 'repo:contoso/OTHER:ref:refs/heads/main')).Decision | Should -Be 'ImplicitDeny'
        (Test-BackupPolicy -Policy $trust -Action sts:AssumeRoleWithWebIdentity -Context (& $claims 'repo:evil/backup-jobs:ref:refs/heads/main')).Decision | Should -Be 'ImplicitDeny'
        Get-BackupPolicyFinding -Policy $trust | Should -BeNullOrEmpty
    }
}

Describe 'New-BackupRole for Azure Pipelines against moto' {
    It 'creates the vstoken provider with the AzureADTokenExchange audience and a role pinned to the service connection; a re-run writes nothing' {
        $make = { New-BackupRole -RoleName backup-azure -AzureDevOpsOrganizationId 0a1b2c3d-1111-2222-3333-444455556666 -AzureDevOpsOrganization contoso -AzureDevOpsProject Backups -ServiceConnection aws-backup -Policy $script:upload }
        $run = Invoke-Recorded -Script $make
        $run.Writes | Should -Be @('CreateOpenIDConnectProvider', 'CreateRole', 'PutRolePolicy')
        $role = $run.Outputs[0]
        $role.Source | Should -Be 'AzurePipelines'
        $role.ProviderArn | Should -Be 'arn:aws:iam::123456789012:oidc-provider/vstoken.dev.azure.com/0a1b2c3d-1111-2222-3333-444455556666'
        $role.Audience | Should -Be @('api://AzureADTokenExchange')
        $role.Subject | Should -Be @('sc://contoso/Backups/aws-backup')
        (Invoke-Recorded -Script $make).Writes.Count | Should -Be 0
    }
}

Describe 'New-BackupRole with an existing provider that lacks the audience (AddClientIDToOpenIDConnectProvider, moto)' {
    BeforeAll {
        # A provider made by someone else (awscli, not the module) for the issuer, with another audience only.
        $script:issuer = 'https://ci.example.com/oidc'
        $script:providerArn = 'arn:aws:iam::123456789012:oidc-provider/ci.example.com/oidc'
        $made = & aws --endpoint-url $script:moto.Url --region us-east-1 --output json iam create-open-id-connect-provider --url $script:issuer --client-id-list other-audience --thumbprint-list 0123456789abcdef0123456789abcdef01234567
        $LASTEXITCODE | Should -Be 0
        ($made | ConvertFrom-Json).OpenIDConnectProviderArn | Should -Be $script:providerArn
        $script:make = { param([switch] $WhatIf) New-BackupRole -RoleName backup-ci -Issuer $script:issuer -Audience backup-jobs -Subject 'job:nightly' -Policy $script:upload -WhatIf:$WhatIf }
        function Get-ProviderAudience {
            $json = & aws --endpoint-url $script:moto.Url --region us-east-1 --output json iam get-open-id-connect-provider --open-id-connect-provider-arn $script:providerArn
            @(($json | ConvertFrom-Json).ClientIDList | Sort-Object)
        }
    }

    It '-WhatIf shows the step that adds the audience and writes nothing' {
        Start-MotoRecording -Url $script:moto.Url
        $script = @"
Import-Module '$(Get-BuiltModuleManifest)'
`$env:AWS_ENDPOINT_URL = '$($script:moto.Url)'; `$env:AWS_ACCESS_KEY_ID = 'AKIAROLESTEST000001'; `$env:AWS_SECRET_ACCESS_KEY = 'roles-test-secret-not-real'; `$env:AWS_REGION = 'us-east-1'
`$r = New-BackupRole -RoleName backup-ci -Issuer '$($script:issuer)' -Audience backup-jobs -Subject 'job:nightly' -WhatIf
'CHANGES=' + (`$r.Changes -join ',')
'STATUS=' + `$r.Status
"@
        $output = @(Invoke-FreshPwsh -Script $script)
        $whatIf = @($output | Where-Object { $_ -match '^What if:' })
        ($whatIf -join "`n") | Should -Match "Add the audience \(client id\) 'backup-jobs' to the OIDC provider"
        $output | Should -Contain 'CHANGES=iam:AddClientIDToOpenIDConnectProvider,iam:CreateRole'
        $output | Should -Contain 'STATUS=Planned'
        @(Get-MotoWriteCall -Url $script:moto.Url).Count | Should -Be 0
        Get-ProviderAudience | Should -Be @('other-audience')
    }

    It 'sends AddClientIDToOpenIDConnectProvider for the existing provider (never a second provider) and stops when the store refuses it' {
        # moto 5.2.1 does not implement the action (its server answers 500 NotImplementedError; Ceph RGW 16 answers 405),
        # so the write itself is refused here: what is proven is that the module asks for exactly this step, reports the
        # refusal naming it, and writes nothing after it.
        $run = Invoke-Recorded -Script { & $script:make }
        $run.Writes | Select-Object -Unique | Should -Be @('AddClientIDToOpenIDConnectProvider')
        $run.Writes | Should -Not -Contain 'CreateOpenIDConnectProvider'
        $run.Writes | Should -Not -Contain 'CreateRole'
        $run.Errors.Count | Should -Be 1
        $run.Errors[0].Exception.Message | Should -Match 'AddClientIDToOpenIDConnectProvider'
        Get-ProviderAudience | Should -Be @('other-audience')
    }

    It 'once the provider has the audience, a run plans no provider write, and a re-run makes no write at all' {
        # The audience added outside the module (moto has no AddClientID: the provider is made again with both).
        & aws --endpoint-url $script:moto.Url --region us-east-1 iam delete-open-id-connect-provider --open-id-connect-provider-arn $script:providerArn
        $null = & aws --endpoint-url $script:moto.Url --region us-east-1 --output json iam create-open-id-connect-provider --url $script:issuer --client-id-list other-audience backup-jobs --thumbprint-list 0123456789abcdef0123456789abcdef01234567
        Get-ProviderAudience | Should -Be @('backup-jobs', 'other-audience')

        $first = Invoke-Recorded -Script { & $script:make }
        $first.Errors | Should -BeNullOrEmpty
        $first.Writes | Should -Be @('CreateRole', 'PutRolePolicy')
        $first.Outputs[0].ProviderArn | Should -Be $script:providerArn

        $again = Invoke-Recorded -Script { & $script:make }
        $again.Writes.Count | Should -Be 0 -Because ($again.Writes -join ', ')
        $again.Outputs[0].Status | Should -Be 'Unchanged'
        @($again.Calls.Operation) | Should -Contain 'GetOpenIDConnectProvider'
    }
}

Describe 'Get-BackupPolicyFinding on pasted trust policies' {
    It 'reports <Id> as an error' -ForEach @(
        @{ Id = 'TrustPolicyRepositoryWildcard'; Condition = '{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},"StringLike":{"token.actions.githubusercontent.com:sub":"repo:*/backup-jobs:*"}}' }
        @{ Id = 'TrustPolicySubjectWildcard'; Condition = '{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},"StringLike":{"token.actions.githubusercontent.com:sub":"*"}}' }
        @{ Id = 'TrustPolicyAudienceMissing'; Condition = '{"StringEquals":{"token.actions.githubusercontent.com:sub":"repo:contoso/backup-jobs:ref:refs/heads/main"}}' }
        @{ Id = 'TrustPolicySubjectMissing'; Condition = '{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}}' }
    ) {
        $json = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":' + $Condition + '}]}'
        $findings = @(Get-BackupPolicyFinding -Policy $json)
        $finding = $findings | Where-Object Id -EQ $Id
        $finding | Should -Not -BeNullOrEmpty -Because "findings were: $($findings.Id -join ', ')"
        $finding.Severity | Should -Be 'Error'
        $findings.Id | Should -Not -Contain 'MissingResource'
    }
}

Describe 'A runner with no key' {
    It 'runs the module with credentials from its web-identity token (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN)' {
        # A token as GitHub would issue it, signed with the test's own RSA key.
        $rsa = [System.Security.Cryptography.RSA]::Create(2048)
        $b64 = { param([byte[]] $b) [Convert]::ToBase64String($b).TrimEnd('=').Replace('+', '-').Replace('/', '_') }
        $now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
        $header = & $b64 ([Text.Encoding]::UTF8.GetBytes('{"alg":"RS256","typ":"JWT"}'))
        $payload = & $b64 ([Text.Encoding]::UTF8.GetBytes("{`"iss`":`"https://token.actions.githubusercontent.com`",`"aud`":`"sts.amazonaws.com`",`"sub`":`"repo:contoso/backup-jobs:ref:refs/heads/main`",`"iat`":$now,`"exp`":$($now + 600)}"))
        $signature = & $b64 ($rsa.SignData([Text.Encoding]::ASCII.GetBytes("$header.$payload"), [Security.Cryptography.HashAlgorithmName]::SHA256, [Security.Cryptography.RSASignaturePadding]::Pkcs1))
        $tokenFile = Join-Path ([IO.Path]::GetTempPath()) "backupiam-wi-$([guid]::NewGuid().ToString('N')).jwt"
        [IO.File]::WriteAllText($tokenFile, "$header.$payload.$signature")
        try {
            $manifest = (Resolve-Path (Get-BuiltModuleManifest)).Path
            Start-MotoRecording -Url $script:moto.Url
            # A fresh process with only what a runner has: the token file, the role ARN, the endpoint. Any request that
            # is not to 127.0.0.1 goes to a dead proxy, so nothing can leave the machine.
            $lines = @(Invoke-FreshPwsh -Script @"
Remove-Item Env:AWS_ACCESS_KEY_ID, Env:AWS_SECRET_ACCESS_KEY, Env:AWS_SESSION_TOKEN, Env:AWS_PROFILE -ErrorAction SilentlyContinue
`$env:AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/credentials'; `$env:AWS_CONFIG_FILE = '/nonexistent/config'
`$env:HTTPS_PROXY = 'http://127.0.0.1:9'; `$env:HTTP_PROXY = 'http://127.0.0.1:9'; `$env:NO_PROXY = '127.0.0.1,localhost'
`$env:AWS_ENDPOINT_URL = '$($script:moto.Url)'; `$env:AWS_REGION = 'us-east-1'
`$env:AWS_WEB_IDENTITY_TOKEN_FILE = '$tokenFile'
`$env:AWS_ROLE_ARN = 'arn:aws:iam::123456789012:role/backup-github'
`$env:AWS_ROLE_SESSION_NAME = 'github-run-42'
Import-Module '$manifest'
New-BackupUser -UserName runner-made-user -WhatIf -Verbose 4>&1 | ForEach-Object { "`$_" }
"@)
            $calls = @(Get-MotoCall -Url $script:moto.Url)
        }
        finally { Remove-Item $tokenFile -ErrorAction SilentlyContinue }

        ($lines -join "`n") | Should -Match 'Credentials: web identity \(AWS_WEB_IDENTITY_TOKEN_FILE\)'
        ($lines -join "`n") | Should -Match 'Acting as arn:aws:sts::123456789012:assumed-role/backup-github/github-run-42'
        $calls[0].Service | Should -Be 'sts'
        $calls[0].Operation | Should -Be 'AssumeRoleWithWebIdentity'
        # Every later call is signed with the temporary key STS gave for the role (ASIA...), never a long-lived AKIA key.
        $signed = @($calls | Select-Object -Skip 1)
        $signed.Count | Should -BeGreaterThan 0
        foreach ($c in $signed) { $c.Authorization | Should -Match 'Credential=ASIA' }
        @($calls | Where-Object IsWrite | Where-Object Operation -NE 'AssumeRoleWithWebIdentity').Count | Should -Be 0
    }
}
