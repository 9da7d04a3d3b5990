# Issue 11, "Orphaned keys": the five ways a live key whose secret nobody holds used to be left behind, each
# reproduced against the BUILT module through the fault-injecting proxy in front of a real moto server, and the
# smaller defects around the credentials file. Every case ends the same way: after a re-run the user has exactly one
# key, the profile holds it, and the stored secret is the live key's (moto's own record).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    Import-BuiltModule
    $script:session = Enter-FaultTestSession -AccessKey 'AKIAORPHANTEST000001' -SecretKey 'orphan-test-secret-not-real' -WorkPrefix 'bi-orphan-'
    $script:moto, $script:proxy, $script:work = $script:session.Moto, $script:session.Proxy, $script:session.Work
    # The module's journal of key creations in flight (see New-BackupAccessKey's help) lives in $script:work/state for the tests.
    # A short IAM timeout per attempt, so that "an answer later than the timeout" takes seconds, not minutes. It is set
    # only around the run that meets the late answer (on a loaded machine a short timeout elsewhere would be flaky).
    $script:timeout = 3

    function New-TestUser {
        param([string] $Name)
        Set-FaultRule -Proxy $script:proxy
        $null = New-BackupUser -UserName $Name -ErrorAction Stop
    }

    function Assert-OneStoredLiveKey {
        # Exactly one key, the profile holds it, and the stored secret is the one moto holds for it.
        param([string] $UserName, [string] $File, [string] $Profile)
        $live = @(Get-MotoAccessKey -Url $script:moto.Url -UserName $UserName)
        $live.Count | Should -Be 1 -Because "user $UserName must have exactly one key (has: $($live.AccessKeyId -join ', '))"
        $text = Get-Content -Raw $File
        $section = [regex]::Match($text, "(?ms)^\[$([regex]::Escape($Profile))\]\s*(.*?)(?=^\[|\z)").Groups[1].Value
        $section | Should -Match ("(?m)^aws_access_key_id\s*=\s*" + [regex]::Escape($live[0].AccessKeyId) + "\s*$")
        $section | Should -Match ("(?m)^aws_secret_access_key\s*=\s*" + [regex]::Escape($live[0].SecretAccessKey) + "\s*$")
    }

    function Start-InRunspace {
        # Runs a script in its own runspace of this process (the module imported there), so that it can be stopped
        # as Ctrl+C would stop it: PowerShell.Stop() calls StopProcessing on the running cmdlet.
        param([string] $Script)
        $ps = [powershell]::Create()
        $null = $ps.AddScript("Import-Module '$(Get-BuiltModuleManifest)'; $Script")
        [pscustomobject]@{ PowerShell = $ps; Handle = $ps.BeginInvoke() }
    }

    function Wait-Injected {
        # Waits (bounded) until the proxy has injected a fault for the given operation.
        param([string] $Operation, [int] $Count = 1)
        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        while ([DateTime]::UtcNow -lt $deadline) {
            if (@(Get-FaultReport -Proxy $script:proxy | Where-Object operation -EQ $Operation).Count -ge $Count) { return }
            Start-Sleep -Milliseconds 50
        }
        throw "The proxy never saw $Operation"
    }

    function Wait-KeyCount {
        # Waits (bounded) until moto holds the given number of keys for the user: a late request has landed.
        param([string] $UserName, [int] $Count)
        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        while ([DateTime]::UtcNow -lt $deadline) {
            if (@(Get-MotoAccessKey -Url $script:moto.Url -UserName $UserName).Count -eq $Count) { return }
            Start-Sleep -Milliseconds 100
        }
        throw "User $UserName never had $Count keys"
    }
}

AfterAll {
    Exit-FaultTestSession $script:session
}

Describe 'Orphaned keys (issue 11), each case through the fault proxy' {
    BeforeEach {
        Reset-FaultProxy -Proxy $script:proxy
    }

    It '1. two runs at once for the same user and file: they serialise, one key, the file holds it' {
        New-TestUser orphan-concurrent
        $file = Join-Path $script:work 'concurrent.cred'
        # The first CreateAccessKey reaches the server only after 1.5 s (within the timeout), so the second run plans
        # while it is in flight.
        Set-FaultRule -Proxy $script:proxy -Rule @{ Action = 'CreateAccessKey'; Fault = 'delay-before'; Seconds = 1.5 }
        $runs = 1..2 | ForEach-Object {
            Start-InRunspace "New-BackupAccessKey -UserName orphan-concurrent -StoreAs concurrent -StoreLocation '$file'"
        }
        $outputs = foreach ($run in $runs) {
            $run.PowerShell.EndInvoke($run.Handle)
            $run.PowerShell.Streams.Error | ForEach-Object { "error: $_" }
            $run.PowerShell.Dispose()
        }
        @($outputs | Where-Object { $_ -is [string] -and $_ -like 'error:*' }) | Should -BeNullOrEmpty
        @($outputs.Status | Sort-Object) | Should -Be @('Created', 'Unchanged')
        Assert-OneStoredLiveKey -UserName orphan-concurrent -File $file -Profile concurrent
    }

    It '2. an answer later than the timeout: the late key is found and removed, and a re-run completes' {
        New-TestUser orphan-late
        $file = Join-Path $script:work 'late.cred'
        # The request reaches the server after the client has given up: the key appears later.
        Set-FaultRule -Proxy $script:proxy -Rule @{ Action = 'CreateAccessKey'; Fault = 'delay-before'; Seconds = ($script:timeout + 1.5) }
        $env:BACKUPIAM_REQUEST_TIMEOUT = "$($script:timeout)"
        try { $first = @(New-BackupAccessKey -UserName orphan-late -StoreAs late -StoreLocation $file -ErrorVariable failed -ErrorAction SilentlyContinue) }
        finally { Remove-Item Env:BACKUPIAM_REQUEST_TIMEOUT }
        $first | Should -BeNullOrEmpty
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'AccessKeyCreateUncertain*'
        # Whatever the first run managed to clean, the re-run completes the job.
        Wait-Injected CreateAccessKey
        Start-Sleep -Seconds 2
        Set-FaultRule -Proxy $script:proxy
        $again = New-BackupAccessKey -UserName orphan-late -StoreAs late -StoreLocation $file -ErrorAction Stop
        $again.Status | Should -Be 'Created'
        Assert-OneStoredLiveKey -UserName orphan-late -File $file -Profile late
    }

    It '3. Ctrl+C while CreateAccessKey is in flight: the key made after it is removed by the re-run' {
        New-TestUser orphan-ctrlc
        $file = Join-Path $script:work 'ctrlc.cred'
        Set-FaultRule -Proxy $script:proxy -Rule @{ Action = 'CreateAccessKey'; Fault = 'delay-before'; Seconds = 2 }
        $run = Start-InRunspace "New-BackupAccessKey -UserName orphan-ctrlc -StoreAs ctrlc -StoreLocation '$file'"
        Wait-Injected CreateAccessKey
        $run.PowerShell.Stop()
        $run.PowerShell.InvocationStateInfo.State | Should -Be 'Stopped'
        $run.PowerShell.Dispose()
        # The server creates the key after the run has stopped.
        Wait-KeyCount -UserName orphan-ctrlc -Count 1
        Set-FaultRule -Proxy $script:proxy
        # -WhatIf shows that the re-run will delete the key nobody holds, and writes nothing.
        Reset-FaultProxy -Proxy $script:proxy
        $manifest = Get-BuiltModuleManifest
        $lines = Invoke-FreshPwsh -Script @"
`$env:AWS_ENDPOINT_URL = '$($script:proxy.Url)'; `$env:AWS_ACCESS_KEY_ID = '$env:AWS_ACCESS_KEY_ID'; `$env:AWS_SECRET_ACCESS_KEY = 'x'
`$env:AWS_REGION = 'us-east-1'; `$env:BACKUPIAM_STATE_DIR = '$env:BACKUPIAM_STATE_DIR'
Import-Module '$manifest'
New-BackupAccessKey -UserName orphan-ctrlc -StoreAs ctrlc -StoreLocation '$file' -WhatIf *>&1 | Out-String -Stream
"@
        $orphan = @(Get-MotoAccessKey -Url $script:moto.Url -UserName orphan-ctrlc)[0].AccessKeyId
        ($lines -join "`n") | Should -Match ("What if: .*Delete access key " + [regex]::Escape($orphan) + " .*interrupted")
        ($lines -join "`n") | Should -Match 'What if: .*Create an access key'
        @(Get-FaultProxyRequest -Proxy $script:proxy | Where-Object write) | Should -BeNullOrEmpty
        $again = New-BackupAccessKey -UserName orphan-ctrlc -StoreAs ctrlc -StoreLocation $file -ErrorAction Stop
        $again.Status | Should -Be 'Created'
        Assert-OneStoredLiveKey -UserName orphan-ctrlc -File $file -Profile ctrlc
    }

    It '4. a 200 with truncated XML: the key is taken back (or by the re-run), never left orphaned' {
        New-TestUser orphan-truncated
        $file = Join-Path $script:work 'truncated.cred'
        Set-FaultRule -Proxy $script:proxy -Rule @{ Action = 'CreateAccessKey'; Fault = 'truncate' }
        $null = New-BackupAccessKey -UserName orphan-truncated -StoreAs truncated -StoreLocation $file -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed.Count | Should -Be 1
        $failed[0].Exception.Message | Should -Match 'CreateAccessKey'
        @(Get-MotoAccessKey -Url $script:moto.Url -UserName orphan-truncated).Count | Should -Be 0 -Because 'the key whose answer was unreadable is deleted again'
        Set-FaultRule -Proxy $script:proxy
        $again = New-BackupAccessKey -UserName orphan-truncated -StoreAs truncated -StoreLocation $file -ErrorAction Stop
        $again.Status | Should -Be 'Created'
        Assert-OneStoredLiveKey -UserName orphan-truncated -File $file -Profile truncated
    }

    It '5. two faults in a row (answer dropped, then DeleteAccessKey 500): the error names the key and the failed call, and a re-run recovers' {
        New-TestUser orphan-twofaults
        $file = Join-Path $script:work 'twofaults.cred'
        Set-FaultRule -Proxy $script:proxy -Rule @(
            @{ Action = 'CreateAccessKey'; Fault = 'drop-after' }
            @{ Action = 'DeleteAccessKey'; Fault = '500'; Times = 0 })
        $null = New-BackupAccessKey -UserName orphan-twofaults -StoreAs twofaults -StoreLocation $file -ErrorVariable failed -ErrorAction SilentlyContinue
        $live = @(Get-MotoAccessKey -Url $script:moto.Url -UserName orphan-twofaults)
        $live.Count | Should -Be 1
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'AccessKeyOrphaned*'
        $message = $failed[0].Exception.Message
        $message | Should -Match ([regex]::Escape($live[0].AccessKeyId))
        $message | Should -Match 'DeleteAccessKey'
        $message | Should -Match ([regex]::Escape("aws iam delete-access-key --user-name orphan-twofaults --access-key-id $($live[0].AccessKeyId)"))
        $message | Should -Not -Match 'checking'
        Set-FaultRule -Proxy $script:proxy
        $again = New-BackupAccessKey -UserName orphan-twofaults -StoreAs twofaults -StoreLocation $file -ErrorAction Stop
        $again.Status | Should -Be 'Created'
        Assert-OneStoredLiveKey -UserName orphan-twofaults -File $file -Profile twofaults
    }

    It 'takes a new key back when storing it fails after it was made (the file''s folder became a file meanwhile)' {
        New-TestUser orphan-storefails
        $folder = Join-Path $script:work 'store-fails'
        $null = New-Item -ItemType Directory -Path $folder
        $file = Join-Path $folder 'credentials'
        Set-FaultRule -Proxy $script:proxy -Rule @{ Action = 'CreateAccessKey'; Fault = 'delay-before'; Seconds = 1.5 }
        $run = Start-InRunspace "New-BackupAccessKey -UserName orphan-storefails -StoreAs x -StoreLocation '$file'"
        Wait-Injected CreateAccessKey
        # While the key is being made, the folder is replaced by a regular file: the up-front check passed, the store fails.
        Remove-Item -Recurse -Force $folder
        Set-Content -Path $folder -Value 'not a folder any more'
        $null = $run.PowerShell.EndInvoke($run.Handle)
        $failure = @($run.PowerShell.Streams.Error)
        $run.PowerShell.Dispose()
        $failure.Count | Should -Be 1
        $failure[0].FullyQualifiedErrorId | Should -BeLike 'AccessKeyStoreFailed*'
        @(Get-MotoAccessKey -Url $script:moto.Url -UserName orphan-storefails) | Should -BeNullOrEmpty -Because 'the key that could not be stored was deleted again'
        Remove-Item -Force $folder
        Set-FaultRule -Proxy $script:proxy
        (New-BackupAccessKey -UserName orphan-storefails -StoreAs x -StoreLocation $file -ErrorAction Stop).Status | Should -Be 'Created'
        Assert-OneStoredLiveKey -UserName orphan-storefails -File $file -Profile x
    }

    It 'a key of the user that the profile does not hold (no journal) is not silently kept: -Force replaces it' {
        New-TestUser orphan-unknown
        $file = Join-Path $script:work 'unknown.cred'
        $null = New-BackupAccessKey -UserName orphan-unknown -ErrorAction Stop
        $null = New-BackupAccessKey -UserName orphan-unknown -StoreAs unknown -StoreLocation $file -ErrorVariable refused -ErrorAction SilentlyContinue
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'AccessKeyNotStored*'
        $refused[0].Exception.Message | Should -Match '-Force'
        $again = New-BackupAccessKey -UserName orphan-unknown -StoreAs unknown -StoreLocation $file -Force -ErrorAction Stop
        $again.Status | Should -Be 'Updated'
        Assert-OneStoredLiveKey -UserName orphan-unknown -File $file -Profile unknown
    }
}

Describe 'The credentials file (issue 11, smaller defects)' {
    BeforeEach {
        Reset-FaultProxy -Proxy $script:proxy
    }

    It 'refuses a -StoreLocation inside a regular file before any call' {
        $afile = Join-Path $script:work 'afile'
        Set-Content -Path $afile -Value 'not a folder'
        $null = New-BackupUser -UserName store-in-file -ErrorAction Stop
        Reset-FaultProxy -Proxy $script:proxy
        $refused = { New-BackupAccessKey -UserName store-in-file -StoreAs x -StoreLocation (Join-Path $afile 'creds') -ErrorAction Stop } |
            Should -Throw -ErrorId 'CredentialFileNotWritable*' -PassThru
        $refused.Exception.Message | Should -Match ([regex]::Escape("'$afile' is a file"))
        @(Get-FaultProxyRequest -Proxy $script:proxy) | Should -BeNullOrEmpty -Because 'nothing may reach IAM before the location is known to be writable'
    }

    It 'lets six writers store different profiles into one file at once' {
        $file = Join-Path $script:work 'six.cred'
        1..6 | ForEach-Object { $null = New-BackupUser -UserName "six-writer-$_" -ErrorAction Stop }
        $runs = 1..6 | ForEach-Object { Start-InRunspace "New-BackupAccessKey -UserName six-writer-$_ -StoreAs six-$_ -StoreLocation '$file'" }
        $errors = foreach ($run in $runs) {
            $null = $run.PowerShell.EndInvoke($run.Handle)
            $run.PowerShell.Streams.Error | ForEach-Object { $_.ToString() }
            $run.PowerShell.Dispose()
        }
        $errors | Should -BeNullOrEmpty
        foreach ($i in 1..6) { Assert-OneStoredLiveKey -UserName "six-writer-$i" -File $file -Profile "six-$i" }
    }

    It 'announces no "Update FormatData" under -WhatIf (loading the view file is not a change)' {
        $manifest = Get-BuiltModuleManifest
        $lines = Invoke-FreshPwsh -Script @"
`$env:AWS_ENDPOINT_URL = '$($script:proxy.Url)'
Import-Module '$manifest'
# The session-wide preference (a script run with -WhatIf sets it) reaches the view file's loading too.
`$WhatIfPreference = `$true
New-BackupUser -UserName whatif-format-user *>&1 | Out-String -Stream
"@
        ($lines -join "`n") | Should -Match 'What if: .*CreateUser|What if: .*whatif-format-user'
        ($lines -join "`n") | Should -Not -Match 'FormatData'
    }
}
