# Argument completion through TabExpansion2, as a user's Tab key runs it: -Preset, -Region, -ProfileName (names only,
# never a secret), and -UserName/-BucketName listed from a real moto server, or nothing when the server does not answer.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-BuiltModule

    function Get-Completion {
        param([string] $Line)
        @((TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches)
    }

    $script:savedVariables = @{}
    foreach ($name in 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONFIG_FILE', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY') {
        $script:savedVariables[$name] = [Environment]::GetEnvironmentVariable($name)
        Remove-Item "Env:$name" -ErrorAction SilentlyContinue
    }
}

AfterAll {
    foreach ($name in $script:savedVariables.Keys) { Restore-EnvironmentVariable -Name $name -Value $script:savedVariables[$name] }
}

Describe 'Completing -Preset' {
    It 'offers the preset names that start with the word typed' {
        $names = (Get-Completion 'New-BackupPolicy -Preset R').CompletionText
        $names | Should -Contain 'Rclone'
        $names | Should -Contain 'ReadWriteDelete'
        $names | Should -Not -Contain 'UploadOnly'
        (Get-Completion 'Get-BackupPreset Upd').CompletionText | Should -Be @('UpdraftPlus', 'UpdraftPlusSecure')
    }

    It 'offers every preset that Get-BackupPreset lists' {
        # Get-BackupPreset's completer keeps the catalogue's order (the setups' presets first, then the tools').
        $names = (Get-Completion 'Get-BackupPreset ').CompletionText
        $names | Should -Be @(Get-BackupPreset | ForEach-Object Name)
        # New-BackupPolicy -Preset has a ValidateSet (OfflinePolicy.Tests pins it to the catalogue); PowerShell completes
        # a ValidateSet itself, sorted, and never calls an [ArgumentCompleter] on the same parameter.
        $names = (Get-Completion 'New-BackupPolicy -Preset ').CompletionText
        $names | Should -Be @(Get-BackupPreset | ForEach-Object Name | Sort-Object)
    }
}

Describe 'Completing -Region' {
    It 'offers the aws partition''s regions, and another partition''s only when its prefix is typed' {
        $all = (Get-Completion 'New-BackupUser -UserName x -Region ').CompletionText
        $all | Should -Contain 'us-east-1'
        $all | Should -Contain 'eu-west-1'
        $all | Should -Not -Contain 'cn-north-1'
        $all | Should -Not -Contain 'us-gov-west-1'
        (Get-Completion 'New-BackupBucket -BucketName b -Region eu-west-').CompletionText | Should -Be @('eu-west-1', 'eu-west-2', 'eu-west-3')
        (Get-Completion 'New-BackupUser -UserName x -Region cn-').CompletionText | Should -Contain 'cn-north-1'
    }

    It 'offers the partition of AWS_REGION' {
        $env:AWS_REGION = 'cn-north-1'
        try { $names = (Get-Completion 'New-BackupUser -UserName x -Region ').CompletionText }
        finally { Remove-Item Env:AWS_REGION }
        $names | Should -Contain 'cn-northwest-1'
        $names | Should -Not -Contain 'us-east-1'
    }
}

Describe 'Completing -ProfileName' {
    BeforeAll {
        $script:folder = Join-Path ([System.IO.Path]::GetTempPath()) "completion-$([guid]::NewGuid().ToString('N'))"
        $null = New-Item -ItemType Directory -Path $script:folder
        $script:credentials = Join-Path $script:folder 'credentials'
        $script:config = Join-Path $script:folder 'config'
        Set-Content -Path $script:credentials -Value @'
[default]
aws_access_key_id = AKIACOMPLETION000001
aws_secret_access_key = completion-secret-one

[backup-keys]
aws_access_key_id = AKIACOMPLETION000002
aws_secret_access_key = completion-secret-two
'@
        Set-Content -Path $script:config -Value @'
[default]
region = eu-west-1

[profile backup-sso]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = Backup

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1

[profile with space]
region = us-east-1
'@
        $env:AWS_SHARED_CREDENTIALS_FILE = $script:credentials
        $env:AWS_CONFIG_FILE = $script:config
    }

    AfterAll {
        Remove-Item Env:AWS_SHARED_CREDENTIALS_FILE, Env:AWS_CONFIG_FILE -ErrorAction SilentlyContinue
        Remove-Item -Recurse -Force $script:folder -ErrorAction SilentlyContinue
    }

    It 'offers the profiles of both files, once each, and no sso-session' {
        $results = Get-Completion 'New-BackupUser -UserName x -ProfileName '
        $results.ListItemText | Should -Be @('default', 'backup-keys', 'backup-sso', 'with space')
        ($results | Where-Object ListItemText -EQ 'with space').CompletionText | Should -Be "'with space'"
        (Get-Completion 'Set-BackupUserPolicy -UserName x -PolicyDocument "{}" -ProfileName backup-s').CompletionText | Should -Be @('backup-sso')
    }

    It 'shows no key or secret in any completion text or tooltip' {
        $results = Get-Completion 'New-BackupUser -UserName x -ProfileName '
        $text = ($results | ForEach-Object { $_.CompletionText; $_.ListItemText; $_.ToolTip }) -join "`n"
        $text | Should -Not -Match 'completion-secret|AKIACOMPLETION'
    }

    It 'reads -ProfileLocation instead when it is given' {
        $other = Join-Path $script:folder 'other-credentials'
        Set-Content -Path $other -Value "[only-here]`naws_access_key_id = AKIAOTHER00000000001`naws_secret_access_key = other-secret"
        (Get-Completion "New-BackupUser -UserName x -ProfileLocation '$other' -ProfileName ").CompletionText | Should -Be @('only-here')
    }
}

Describe 'Completing -UserName and -BucketName from AWS' {
    BeforeAll {
        $script:moto = Start-MotoServer
        $script:aws = "-EndpointUrl $($script:moto.Url) -AccessKey AKIACOMPLETE00000001 -SecretKey completion-secret"
        $common = @{ EndpointUrl = $script:moto.Url; AccessKey = 'AKIACOMPLETE00000001'; SecretKey = 'completion-secret' }
        $null = New-BackupUser -UserName comp-alice, comp-bob, other-carol @common -ErrorAction Stop
        $null = New-BackupBucket -BucketName comp-bucket-one -SkipEncryption -SkipOwnershipControls -SkipPublicAccessBlock @common -ErrorAction Stop
        $null = New-BackupBucket -BucketName comp-bucket-two -SkipEncryption -SkipOwnershipControls -SkipPublicAccessBlock @common -ErrorAction Stop
        $null = New-BackupGroup -GroupName comp-group-one, comp-group-two, other-group @common -ErrorAction Stop
        # Listings that must succeed get 20 s, so a cold first call on a loaded machine is no reason to offer nothing;
        # the test of a silent server keeps the 1 s default.
        $script:savedTimeout = $env:BACKUPIAM_COMPLETION_TIMEOUT_MS
        $env:BACKUPIAM_COMPLETION_TIMEOUT_MS = '20000'
    }

    AfterAll {
        if ($script:moto) { Stop-MotoServer -Server $script:moto }
        Restore-EnvironmentVariable -Name BACKUPIAM_COMPLETION_TIMEOUT_MS -Value $script:savedTimeout
    }

    It 'offers the IAM users that start with the word typed, with the command line''s credentials and endpoint' {
        (Get-Completion "Set-BackupUserPolicy $($script:aws) -UserName comp-").CompletionText | Should -Be @('comp-alice', 'comp-bob')
        (Get-Completion "Add-BackupUserToGroup $($script:aws) -GroupName g -UserName oth").CompletionText | Should -Be @('other-carol')
    }

    It 'offers the buckets that start with the word typed' {
        (Get-Completion "Enable-BackupVersioning $($script:aws) -BucketName comp-b").CompletionText | Should -Be @('comp-bucket-one', 'comp-bucket-two')
    }

    It 'offers the IAM groups that start with the word typed (issue 17: -GroupName, from ListGroups)' {
        (Get-Completion "Set-BackupGroupPolicy $($script:aws) -GroupName comp-").CompletionText | Should -Be @('comp-group-one', 'comp-group-two')
        (Get-Completion "Add-BackupUserToGroup $($script:aws) -UserName comp-alice -GroupName oth").CompletionText | Should -Be @('other-group')
        (Get-Completion "Get-BackupGroup $($script:aws) -GroupName comp-group-t").CompletionText | Should -Be @('comp-group-two')
        (Get-Completion "Remove-BackupGroup $($script:aws) -GroupName comp-group-o").CompletionText | Should -Be @('comp-group-one')
        (Get-Completion "Get-BackupUser $($script:aws) -UserName comp-b").CompletionText | Should -Be @('comp-bob')
    }

    It 'offers nothing, and no error, when the server does not answer' {
        # A listener that accepts connections and never answers.
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()
        try {
            $silent = "-EndpointUrl http://127.0.0.1:$($listener.LocalEndpoint.Port) -AccessKey AKIACOMPLETE00000001 -SecretKey completion-secret"
            Remove-Item Env:BACKUPIAM_COMPLETION_TIMEOUT_MS
            $errorsBefore = $Error.Count
            @(Get-Completion "Set-BackupUserPolicy $silent -UserName comp-") | Should -HaveCount 0
            @(Get-Completion "Set-BackupLifecycle $silent -BucketName comp-") | Should -HaveCount 0
            @(Get-Completion "Set-BackupGroupPolicy $silent -GroupName comp-") | Should -HaveCount 0
            $Error.Count | Should -Be $errorsBefore
        }
        finally {
            $listener.Stop()
            $env:BACKUPIAM_COMPLETION_TIMEOUT_MS = '20000'
        }
    }

    It 'uses $StoredAWSCredentials (AWS.Tools'' Set-AWSCredential) when the command line names no credentials' {
        # A fresh pwsh: AWSSDK.Core reads where the shared credentials file is once per process.
        $folder = Join-Path ([System.IO.Path]::GetTempPath()) "completion-stored-$([guid]::NewGuid().ToString('N'))"
        $null = New-Item -ItemType Directory -Path $folder
        try {
            Set-Content -Path (Join-Path $folder 'credentials') -Value "[completion-stored]`naws_access_key_id = AKIASTORED0000000001`naws_secret_access_key = stored-secret"
            $output = Invoke-FreshPwsh -Script @"
Get-ChildItem Env: | Where-Object Name -Like 'AWS_*' | ForEach-Object { Remove-Item "Env:`$(`$_.Name)" }
`$env:AWS_SHARED_CREDENTIALS_FILE = '$(Join-Path $folder 'credentials')'
`$env:AWS_CONFIG_FILE = '$(Join-Path $folder 'config')'
`$env:AWS_EC2_METADATA_DISABLED = 'true'
`$env:BACKUPIAM_COMPLETION_TIMEOUT_MS = '20000'
Import-Module '$(Get-BuiltModuleManifest)'
`$line = 'Set-BackupUserPolicy -EndpointUrl $($script:moto.Url) -UserName comp-'
"without=" + ((TabExpansion2 -inputScript `$line -cursorColumn `$line.Length).CompletionMatches.CompletionText -join ',')
`$global:StoredAWSCredentials = 'completion-stored'
"with=" + ((TabExpansion2 -inputScript `$line -cursorColumn `$line.Length).CompletionMatches.CompletionText -join ',')
"@
            $output | Should -Contain 'without=' -Because 'no credentials resolve without the session default'
            $output | Should -Contain 'with=comp-alice,comp-bob'
        }
        finally { Remove-Item -Recurse -Force $folder -ErrorAction SilentlyContinue }
    }

    It 'offers nothing when the command line''s credentials are incomplete' {
        @(Get-Completion "Set-BackupUserPolicy -EndpointUrl $($script:moto.Url) -AccessKey AKIAONLYHALF00000001 -UserName comp-") | Should -HaveCount 0
        @(Get-Completion "Set-BackupGroupPolicy -EndpointUrl $($script:moto.Url) -AccessKey AKIAONLYHALF00000001 -GroupName comp-") | Should -HaveCount 0
    }
}
