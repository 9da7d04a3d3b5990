# Issue 15, Secrets, against the BUILT module and a real moto server behind the fault-injecting proxy:
# 1. Every key-creating and key-rotating command (New-BackupAccessKey, Invoke-BackupKeyRotation; New-BackupUser makes
#    no key) runs in `pwsh -File` through tests/tools/SecretCapture.ps1 with -Verbose -Debug: all six streams and
#    progress, the default/table/list views, every error's and exception's text, $Error, -WhatIf text, a transcript, and
#    the process's stdout and stderr are searched for the secret, on success and on failure paths (a fault after
#    CreateAccessKey succeeded, a truncated CreateAccessKey answer, a credentials-file write that fails after the key
#    was made, a fault after the new key was handed over). The secrets come from moto's own model dump, which keeps
#    deleted keys too, and are cross-checked with the credentials file and the SecureString.
# 2. CI runners: with GITHUB_ACTIONS=true or TF_BUILD=True the exact workflow commands are on stdout, and the secret is
#    nowhere else.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-BuiltModule
    $script:moto = Start-MotoServer
    $script:proxy = Start-FaultProxy -TargetUrl $script:moto.Url
    $script:saved = @{}
    $script:ciNames = 'GITHUB_ACTIONS', 'GITHUB_OUTPUT', 'TF_BUILD'
    foreach ($name in @('AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'AWS_PROFILE', 'BACKUPIAM_STATE_DIR', 'BACKUPIAM_REQUEST_TIMEOUT', 'AWS_SHARED_CREDENTIALS_FILE') + $script:ciNames) {
        $script:saved[$name] = [Environment]::GetEnvironmentVariable($name)
    }
    $env:AWS_ENDPOINT_URL = $script:proxy.Url
    $env:AWS_ACCESS_KEY_ID = 'AKIASECRETSTESTS0001'
    $env:AWS_SECRET_ACCESS_KEY = 'secrets-test-admin-not-real'
    $env:AWS_REGION = 'us-east-1'
    Remove-Item -ErrorAction SilentlyContinue -Path (@('AWS_PROFILE', 'AWS_SHARED_CREDENTIALS_FILE', 'BACKUPIAM_REQUEST_TIMEOUT') + $script:ciNames | ForEach-Object { "Env:$_" })
    $script:work = Join-Path ([System.IO.Path]::GetTempPath()) ('bi-secrets-' + [guid]::NewGuid())
    $null = New-Item -ItemType Directory -Path $script:work
    $env:BACKUPIAM_STATE_DIR = Join-Path $script:work 'state'
    $script:capture = Join-Path $PSScriptRoot 'tools/SecretCapture.ps1'
    $script:manifest = Get-BuiltModuleManifest
    $self = [System.Diagnostics.Process]::GetCurrentProcess().MainModule.FileName
    $script:pwsh = if ([System.IO.Path]::GetFileNameWithoutExtension($self) -in 'pwsh', 'powershell') { @($self) } else { @($self, (Join-Path $PSHOME 'pwsh.dll')) }

    function New-KeyUser {
        # A user; with -WithKey it also has one key (returned: id and secret, as moto holds them).
        param([string] $UserName, [switch] $WithKey)
        Set-FaultRule -Proxy $script:proxy
        $null = New-BackupUser -UserName $UserName -ErrorAction Stop
        if ($WithKey) {
            $null = New-BackupAccessKey -UserName $UserName -ErrorAction Stop
            @(Get-MotoAccessKey -Url $script:moto.Url -UserName $UserName)[0]
        }
    }

    function Get-MotoSecretEver {
        # Every secret moto ever issued to the user, deleted keys included (its model dump keeps them).
        param([string] $UserName)
        $dump = (Invoke-WebRequest -Uri "$($script:moto.Url)/moto-api/data.json" -UseBasicParsing).Content
        if ($dump -is [byte[]]) { $dump = [System.Text.Encoding]::UTF8.GetString($dump) }
        $data = $dump | ConvertFrom-Json -AsHashtable
        @(@($data['iam']['AccessKey']) | Where-Object { $_ -and $_['user_name'] -eq $UserName } | ForEach-Object { $_['secret_access_key'] })
    }

    function Invoke-Captured {
        # Runs one command in pwsh -File through SecretCapture.ps1, with the environment variables given; returns what it kept.
        param([string] $Name, [string] $Command, [hashtable] $Environment = @{}, [string] $SwapFolder)
        $dir = Join-Path $script:work $Name
        $null = New-Item -ItemType Directory -Path $dir -Force
        $arguments = @('-NoProfile', '-NonInteractive', '-File', $script:capture, '-Manifest', $script:manifest, '-Command', $Command, '-OutDir', $dir)
        if ($SwapFolder) { $arguments += @('-SwapFolder', $SwapFolder, '-ProxyUrl', $script:proxy.Url) }
        $before = @{}
        foreach ($k in $Environment.Keys) { $before[$k] = [Environment]::GetEnvironmentVariable($k); [Environment]::SetEnvironmentVariable($k, $Environment[$k]) }
        try {
            $exe = $script:pwsh[0]
            $rest = @($script:pwsh | Select-Object -Skip 1) + $arguments
            & $exe @rest > (Join-Path $dir 'stdout.txt') 2> (Join-Path $dir 'stderr.txt')
        }
        finally {
            foreach ($k in $before.Keys) { [Environment]::SetEnvironmentVariable($k, $before[$k]) }
        }
        $read = { param($f) $p = Join-Path $dir $f; if (Test-Path $p) { [System.IO.File]::ReadAllText($p) } else { '' } }
        [pscustomobject]@{
            Stdout     = & $read 'stdout.txt'
            Stderr     = & $read 'stderr.txt'
            Captured   = & $read 'captured.txt'
            Transcript = & $read 'transcript.txt'
            Secrets    = @((& $read 'secrets.txt') -split "`n" | ForEach-Object { $_.Trim() } | Where-Object { $_ })
            Streams    = (& $read 'streams.json') | ConvertFrom-Json
        }
    }

    function Get-Leak {
        # Where a secret (or any 12-character piece of it, as a truncated answer would leave) shows; stdout lines in
        # -Allowed (the workflow commands expected) are not counted. Returns "place: what" lines, none when clean.
        param($Run, [string[]] $Secret, [string[]] $Allowed = @())
        $stdout = (($Run.Stdout -split "`r?`n") | Where-Object { $_ -notin $Allowed }) -join "`n"
        $places = [ordered]@{ captured = $Run.Captured; transcript = $Run.Transcript; stdout = $stdout; stderr = $Run.Stderr }
        foreach ($s in $Secret) {
            $pieces = @(for ($i = 0; $i + 12 -le $s.Length; $i += 4) { $s.Substring($i, 12) })
            foreach ($place in $places.Keys) {
                foreach ($piece in $pieces) {
                    if ($places[$place].Contains($piece)) { "$($place): '$piece' of a secret"; break }
                }
            }
        }
    }

    function Get-StoredLiveKey {
        # The user's one live key, checked to be the one the profile holds (id and secret as moto holds them).
        param([string] $UserName, [string] $File)
        $key = @(Get-MotoAccessKey -Url $script:moto.Url -UserName $UserName)
        $key.Count | Should -Be 1
        Get-StoredSecret -File $File -Profile p | Should -Be $key[0].SecretAccessKey
        $key[0]
    }

    function Get-StoredSecret {
        param([string] $File, [string] $Profile)
        $text = Get-Content -Raw $File
        if ($text -match "(?ms)^\[$([regex]::Escape($Profile))\]\s*\n(.*?)(?=^\[|\z)") {
            if ($Matches[1] -match 'aws_secret_access_key\s*=\s*(\S+)') { return $Matches[1] }
        }
    }
}

AfterAll {
    Stop-FaultProxy -Proxy $script:proxy
    Stop-MotoServer -Server $script:moto
    foreach ($name in $script:saved.Keys) { Restore-EnvironmentVariable -Name $name -Value $script:saved[$name] }
    Remove-Item -Recurse -Force $script:work -ErrorAction SilentlyContinue
}

Describe 'A new secret in every stream, view, error, -WhatIf text and transcript of the key commands' {
    It '<Name>: the secret is nowhere' -ForEach @(
        @{ Name = 'new-key-securestring'; Command = 'New-BackupAccessKey -UserName {0} -Verbose -Debug'; Keys = 1; Expect = 'Created' }
        @{ Name = 'new-key-stored'; Command = 'New-BackupAccessKey -UserName {0} -StoreAs p -StoreLocation {1} -Verbose -Debug'; Keys = 1; Expect = 'Created'; Store = $true }
        @{ Name = 'new-key-whatif'; Command = 'New-BackupAccessKey -UserName {0} -Additional -StoreAs p -StoreLocation {1} -Verbose -Debug -WhatIf'; WithKey = $true; Keys = 1; Expect = 'Planned'; WhatIf = $true }
        @{ Name = 'new-key-drop-after-create'; Command = 'New-BackupAccessKey -UserName {0} -StoreAs p -StoreLocation {1} -Verbose -Debug'; Fault = @{ Action = 'CreateAccessKey'; Fault = 'drop-after' }; Keys = 0; ErrorId = 'AccessKeyCreateUncertain' }
        @{ Name = 'new-key-truncated-create'; Command = 'New-BackupAccessKey -UserName {0} -Verbose -Debug'; Fault = @{ Action = 'CreateAccessKey'; Fault = 'truncate' }; Keys = 0; ErrorId = 'AccessKeyCreateUncertain' }
        @{ Name = 'new-key-store-fails'; Command = 'New-BackupAccessKey -UserName {0} -StoreAs p -StoreLocation {1} -Verbose -Debug'; Fault = @{ Action = 'CreateAccessKey'; Fault = 'delay-before'; Seconds = 1.5 }; Swap = $true; Keys = 0; ErrorId = 'AccessKeyStoreFailed' }
        @{ Name = 'rotate-securestring'; Command = 'Invoke-BackupKeyRotation -UserName {0} -DeleteRetiredKey -Verbose -Debug'; WithKey = $true; Keys = 1; Expect = 'Rotate' }
        @{ Name = 'rotate-stored'; Command = 'Invoke-BackupKeyRotation -UserName {0} -StoreAs p -StoreLocation {1} -DeleteRetiredKey -Verbose -Debug'; WithKey = $true; Keys = 1; Expect = 'Rotate'; Store = $true }
        @{ Name = 'rotate-whatif'; Command = 'Invoke-BackupKeyRotation -UserName {0} -StoreAs p -StoreLocation {1} -DeleteRetiredKey -Verbose -Debug -WhatIf'; WithKey = $true; Keys = 1; Expect = 'Planned'; WhatIf = $true }
        @{ Name = 'rotate-drop-after-create'; Command = 'Invoke-BackupKeyRotation -UserName {0} -StoreAs p -StoreLocation {1} -Verbose -Debug'; WithKey = $true; Fault = @{ Action = 'CreateAccessKey'; Fault = 'drop-after' }; Keys = 1; ErrorId = 'AccessKeyCreateUncertain' }
        @{ Name = 'rotate-store-fails'; Command = 'Invoke-BackupKeyRotation -UserName {0} -StoreAs p -StoreLocation {1} -Verbose -Debug'; WithKey = $true; Fault = @{ Action = 'CreateAccessKey'; Fault = 'delay-before'; Seconds = 1.5 }; Swap = $true; Keys = 1; ErrorId = 'AccessKeyStoreFailed' }
        @{ Name = 'rotate-fails-after-handover'; Command = 'Invoke-BackupKeyRotation -UserName {0} -Verbose -Debug'; WithKey = $true; Fault = @{ Action = 'UpdateAccessKey'; Fault = '500'; Times = 0 }; Keys = 2; ErrorId = 'IamServiceError'; Handover = $true }
    ) {
        $user = "sec-$Name"
        $old = if ($WithKey) { New-KeyUser $user -WithKey } else { New-KeyUser $user }
        $folder = Join-Path $script:work "$Name-folder"
        $null = New-Item -ItemType Directory -Path $folder -Force
        $file = Join-Path $folder 'credentials'
        Reset-FaultProxy -Proxy $script:proxy
        if ($Fault) { Set-FaultRule -Proxy $script:proxy -Rule $Fault }
        $environment = @{}
        if ($Fault) { $environment['BACKUPIAM_REQUEST_TIMEOUT'] = '2' }
        $run = Invoke-Captured -Name $Name -Command ($Command -f $user, "'$file'") -Environment $environment -SwapFolder $(if ($Swap) { $folder })
        Set-FaultRule -Proxy $script:proxy

        # The capture saw the run: streams, views and transcript are there to be searched.
        $run.Streams.Verbose | Should -BeGreaterThan 0
        $run.Transcript | Should -Match 'PowerShell transcript start'
        if ($ErrorId) {
            @($run.Streams.ErrorIds) -join ' ' | Should -BeLike "*$ErrorId,*"
            $run.Captured | Should -Match '=== error \(exception\)'
        }
        else {
            $run.Streams.Error | Should -Be 0 -Because $run.Captured
            $run.Captured | Should -Match "Status\s*:\s*$Expect|Phase\s*:\s*$Expect"
        }
        if ($WhatIf) { $run.Transcript | Should -Match 'What if: ' }
        if ($Fault -and $Fault.Fault -ne '500') { @(Get-FaultReport -Proxy $script:proxy).Count | Should -BeGreaterThan 0 -Because 'the fault was injected' }

        # The secrets: every one moto ever issued to the user (deleted ones too), cross-checked with where they were delivered.
        $secrets = @(Get-MotoSecretEver $user)
        $secrets.Count | Should -Be ($(if ($old) { 1 } else { 0 }) + $(if ($WhatIf) { 0 } else { 1 })) -Because 'the run made one key (none under -WhatIf), besides the old one'
        @(Get-MotoAccessKey -Url $script:moto.Url -UserName $user).Count | Should -Be $Keys
        if ($Store) { Get-StoredSecret -File $file -Profile p | Should -BeIn $secrets }
        if ($Expect -in 'Created', 'Rotate' -and -not $Store) { $run.Secrets.Count | Should -Be 1; $run.Secrets[0] | Should -BeIn $secrets }
        if ($Handover) { $run.Secrets.Count | Should -Be 1 -Because 'the new secret is handed over before the failure is reported'; $run.Secrets[0] | Should -BeIn $secrets }

        Get-Leak -Run $run -Secret $secrets | Should -BeNullOrEmpty
    }
}

Describe 'CI runners: the secret is masked before it is written out, and set as a pipeline variable on request' {
    It 'GitHub Actions: ::add-mask:: on stdout first, then the step outputs; the secret nowhere else' {
        $user = 'sec-gh-var'
        $null = New-KeyUser $user
        $output = Join-Path $script:work 'gh-output'
        Set-Content -Path $output -Value '' -NoNewline
        $file = Join-Path $script:work 'gh-credentials'
        $run = Invoke-Captured -Name gh-var -Command "New-BackupAccessKey -UserName $user -StoreAs p -StoreLocation '$file' -SetPipelineVariable BACKUP -Verbose -Debug" `
            -Environment @{ GITHUB_ACTIONS = 'true'; GITHUB_OUTPUT = $output; TF_BUILD = $null }
        $run.Streams.Error | Should -Be 0 -Because $run.Captured
        $key = Get-StoredLiveKey -UserName $user -File $file
        $secret = $key.SecretAccessKey
        $mask = "::add-mask::$secret"
        $lines = @($run.Stdout -split "`r?`n")
        @($lines | Where-Object { $_.Contains($secret) }) | Should -Be @($mask) -Because 'the mask is the one stdout line with the secret, written once'
        [System.IO.File]::ReadAllText($output) | Should -BeExactly "BACKUP_ACCESS_KEY_ID=$($key.AccessKeyId)`nBACKUP_SECRET_ACCESS_KEY=$secret`n"
        $run.Captured | Should -Match ([regex]::Escape('pipeline variables BACKUP_ACCESS_KEY_ID and BACKUP_SECRET_ACCESS_KEY'))
        Get-Leak -Run $run -Secret $secret -Allowed $mask | Should -BeNullOrEmpty
        $run.Transcript | Should -Not -Match 'add-mask' -Because 'workflow commands go to the process''s stdout, not the host'
    }

    It 'GitHub Actions: a rotation stored in a profile masks the new secret and writes no output file' {
        $user = 'sec-gh-rot'
        $null = New-KeyUser $user -WithKey
        $output = Join-Path $script:work 'gh-rot-output'
        Set-Content -Path $output -Value '' -NoNewline
        $file = Join-Path $script:work 'gh-rot-credentials'
        $run = Invoke-Captured -Name gh-rot -Command "Invoke-BackupKeyRotation -UserName $user -StoreAs p -StoreLocation '$file' -DeleteRetiredKey -Verbose -Debug" `
            -Environment @{ GITHUB_ACTIONS = 'true'; GITHUB_OUTPUT = $output; TF_BUILD = $null }
        $run.Streams.Error | Should -Be 0 -Because $run.Captured
        $secret = (Get-StoredLiveKey -UserName $user -File $file).SecretAccessKey
        @($run.Stdout -split "`r?`n" | Where-Object { $_ -like '::*' }) | Should -Be @("::add-mask::$secret")
        [System.IO.File]::ReadAllText($output) | Should -BeExactly ''
        Get-Leak -Run $run -Secret (Get-MotoSecretEver $user) -Allowed "::add-mask::$secret" | Should -BeNullOrEmpty
    }

    It 'GitHub Actions: a secret only returned as a SecureString is not written out, so not masked' {
        $user = 'sec-gh-plain'
        $null = New-KeyUser $user
        $run = Invoke-Captured -Name gh-plain -Command "New-BackupAccessKey -UserName $user -Verbose" -Environment @{ GITHUB_ACTIONS = 'true'; GITHUB_OUTPUT = $null; TF_BUILD = $null }
        $run.Secrets.Count | Should -Be 1
        $run.Secrets[0] | Should -Be @(Get-MotoAccessKey -Url $script:moto.Url -UserName $user)[0].SecretAccessKey
        $run.Stdout | Should -Not -Match '::add-mask::'
        Get-Leak -Run $run -Secret $run.Secrets | Should -BeNullOrEmpty
    }

    It 'Azure Pipelines: task.setsecret before the file is written, then the secret and plain key id variables' {
        $user = 'sec-azp-rot'
        $null = New-KeyUser $user -WithKey
        $file = Join-Path $script:work 'azp-credentials'
        $run = Invoke-Captured -Name azp-rot -Command "Invoke-BackupKeyRotation -UserName $user -StoreAs p -StoreLocation '$file' -DeleteRetiredKey -SetPipelineVariable BACKUP -Verbose -Debug" `
            -Environment @{ TF_BUILD = 'True'; GITHUB_ACTIONS = $null; GITHUB_OUTPUT = $null }
        $run.Streams.Error | Should -Be 0 -Because $run.Captured
        $key = Get-StoredLiveKey -UserName $user -File $file
        $secret = $key.SecretAccessKey
        $expected = @(
            "##vso[task.setsecret]$secret"
            "##vso[task.setvariable variable=BACKUP_SECRET_ACCESS_KEY;issecret=true]$secret"
            "##vso[task.setvariable variable=BACKUP_ACCESS_KEY_ID]$($key.AccessKeyId)"
        )
        @($run.Stdout -split "`r?`n" | Where-Object { $_ -like '##vso*' }) | Should -Be $expected
        Get-Leak -Run $run -Secret (Get-MotoSecretEver $user) -Allowed $expected | Should -BeNullOrEmpty
    }

    It 'Azure Pipelines: a new key not stored is set as variables only (the secret variable is masked by the agent)' {
        $user = 'sec-azp-var'
        $null = New-KeyUser $user
        $run = Invoke-Captured -Name azp-var -Command "New-BackupAccessKey -UserName $user -SetPipelineVariable BK_1 -Verbose -Debug" `
            -Environment @{ TF_BUILD = 'True'; GITHUB_ACTIONS = $null; GITHUB_OUTPUT = $null }
        $key = @(Get-MotoAccessKey -Url $script:moto.Url -UserName $user)
        $run.Secrets | Should -Be @($key[0].SecretAccessKey)
        $expected = @(
            "##vso[task.setvariable variable=BK_1_SECRET_ACCESS_KEY;issecret=true]$($key[0].SecretAccessKey)"
            "##vso[task.setvariable variable=BK_1_ACCESS_KEY_ID]$($key[0].AccessKeyId)"
        )
        @($run.Stdout -split "`r?`n" | Where-Object { $_ -like '##vso*' }) | Should -Be $expected
        Get-Leak -Run $run -Secret $key[0].SecretAccessKey -Allowed $expected | Should -BeNullOrEmpty
    }

    It 'warns, and sets nothing, when the run makes no key' {
        $user = 'sec-azp-none'
        $null = New-KeyUser $user -WithKey
        $run = Invoke-Captured -Name azp-none -Command "New-BackupAccessKey -UserName $user -SetPipelineVariable BACKUP" -Environment @{ TF_BUILD = 'True'; GITHUB_ACTIONS = $null; GITHUB_OUTPUT = $null }
        $run.Streams.Warning | Should -Be 1
        $run.Captured | Should -Match 'No pipeline variable was set'
        $run.Stdout | Should -Not -Match '##vso'
    }

    It 'refuses -SetPipelineVariable <Case> before any call' -ForEach @(
        @{ Case = 'outside a runner'; Environment = @{}; Value = 'BACKUP'; Id = 'PipelineVariableUnavailable'; Text = 'GITHUB_ACTIONS=true' }
        @{ Case = 'on GitHub without GITHUB_OUTPUT'; Environment = @{ GITHUB_ACTIONS = 'true' }; Value = 'BACKUP'; Id = 'PipelineVariableUnavailable'; Text = 'GITHUB_OUTPUT' }
        @{ Case = 'with a bad prefix'; Environment = @{ TF_BUILD = 'True' }; Value = '1bad-name'; Id = 'PipelineVariableNameInvalid'; Text = "'1bad-name'" }
    ) {
        foreach ($command in 'New-BackupAccessKey', 'Invoke-BackupKeyRotation') {
            Reset-FaultProxy -Proxy $script:proxy
            foreach ($k in $script:ciNames) { Remove-Item "Env:$k" -ErrorAction SilentlyContinue }
            foreach ($k in $Environment.Keys) { Set-Item "Env:$k" $Environment[$k] }
            $failure = $null
            try { $null = & $command -UserName sec-bad-input -SetPipelineVariable $Value -ErrorAction Stop } catch { $failure = $_ }
            finally { foreach ($k in $script:ciNames) { Remove-Item "Env:$k" -ErrorAction SilentlyContinue } }
            $failure | Should -Not -BeNullOrEmpty
            $failure.FullyQualifiedErrorId | Should -BeLike "$Id,*"
            $failure.Exception.Message | Should -Match ([regex]::Escape($Text))
            $failure.Exception.Message | Should -Match 'SetPipelineVariable'
            @(Get-FaultProxyRequest -Proxy $script:proxy).Count | Should -Be 0 -Because 'bad input is refused before any call'
        }
    }
}
