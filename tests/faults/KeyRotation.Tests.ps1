# Issue 15, "Rotate": Invoke-BackupKeyRotation against the BUILT module, through the fault-injecting proxy in front of
# a real moto server. The first part pins what a rotation does (two-key limit, store, check, deactivate, grace period,
# -WhatIf, secrets); the second breaks each write step (CreateAccessKey, storing, the check of the new key,
# UpdateAccessKey, DeleteAccessKey) with each kind of fault and proves that re-running the same command completes the
# rotation: one key left, the new one, held by the profile with the secret moto holds, and nothing orphaned.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    Import-BuiltModule
    $script:session = Enter-FaultTestSession -AccessKey 'AKIAROTATIONTEST0001' -SecretKey 'rotation-test-secret-not-real' -WorkPrefix 'bi-rotation-'
    $script:moto, $script:proxy, $script:work = $script:session.Moto, $script:session.Proxy, $script:session.Work
    $script:timeout = 2
    $script:otherProfile = "[someone-else]`naws_access_key_id = AKIAOTHERPROFILE0001`naws_secret_access_key = other/secret+kept=byte-for-byte`n# a comment that must survive`n"

    function New-RotationWorld {
        # A user with one key stored as profile 'p' in a fresh file that also holds another profile; returns the key id.
        param([string] $UserName, [switch] $NoStore)
        Set-FaultRule -Proxy $script:proxy
        $file = Join-Path $script:work "$UserName-credentials"
        Remove-Item -Force $file -ErrorAction SilentlyContinue
        [System.IO.File]::WriteAllText($file, $script:otherProfile)
        $null = New-BackupUser -UserName $UserName -ErrorAction Stop
        $key = if ($NoStore) { New-BackupAccessKey -UserName $UserName -ErrorAction Stop } else { New-BackupAccessKey -UserName $UserName -StoreAs p -StoreLocation $file -ErrorAction Stop }
        [pscustomobject]@{ File = $file; OldKeyId = $key.AccessKeyId }
    }

    function Get-ProfileSection {
        param([string] $File, [string] $Profile)
        $text = Get-Content -Raw $File
        [regex]::Match($text, "(?ms)^\[$([regex]::Escape($Profile))\]\s*(.*?)(?=^\[|\z)").Groups[1].Value
    }

    function Get-Problem {
        # What must hold once a rotation is complete: exactly one key, not the old one, active, held by profile p with
        # the secret moto holds; the other profile kept byte for byte. Returns the problems found.
        param([string] $UserName, [string] $File, [string] $OldKeyId)
        $problems = [System.Collections.Generic.List[string]]::new()
        $live = @(Get-MotoAccessKey -Url $script:moto.Url -UserName $UserName)
        if ($live.Count -ne 1) { $problems.Add("user $UserName has $($live.Count) keys ($(($live | ForEach-Object { "$($_.AccessKeyId) $($_.Status)" }) -join ', '))"); return $problems }
        $key = $live[0]
        if ($key.AccessKeyId -eq $OldKeyId) { $problems.Add("the old key $OldKeyId is still the user's key") }
        if ($key.Status -ne 'Active') { $problems.Add("the new key is $($key.Status)") }
        $section = Get-ProfileSection $File 'p'
        if ($section -notmatch ("(?m)^aws_access_key_id\s*=\s*" + [regex]::Escape($key.AccessKeyId) + "\s*$")) { $problems.Add("profile p does not hold the live key $($key.AccessKeyId)") }
        elseif ($section -notmatch ("(?m)^aws_secret_access_key\s*=\s*" + [regex]::Escape($key.SecretAccessKey) + "\s*$")) { $problems.Add('the stored secret is not the live key''s') }
        if (-not ([System.IO.File]::ReadAllText($File)).StartsWith($script:otherProfile)) { $problems.Add('the other profile was not kept byte for byte') }
        $problems
    }

    function Get-WriteCount {
        @(Get-FaultProxyRequest -Proxy $script:proxy | Where-Object write).Count
    }
}

AfterAll {
    Exit-FaultTestSession $script:session
}

Describe 'Invoke-BackupKeyRotation' {
    It 'rotates a stored key: new key stored and working, old key deactivated, other profiles kept byte for byte' {
        $w = New-RotationWorld rot-basic
        $result = Invoke-BackupKeyRotation -UserName rot-basic -StoreAs p -StoreLocation $w.File -ErrorAction Stop
        $result.Phase | Should -Be 'Rotate'
        $result.Verified | Should -BeTrue
        $result.RetiredAccessKeyId | Should -Be $w.OldKeyId
        $result.RetiredKeyStatus | Should -Be 'Inactive'
        $result.Changes | Should -Be @('iam:CreateAccessKey', 'iam:UpdateAccessKey')
        $result.NewSecretAccessKey | Should -BeNullOrEmpty -Because 'a stored key''s secret is not also returned'
        $result.Steps.Count | Should -BeGreaterOrEqual 3
        $keys = @(Get-MotoAccessKey -Url $script:moto.Url -UserName rot-basic)
        $keys.Count | Should -Be 2
        ($keys | Where-Object AccessKeyId -EQ $w.OldKeyId).Status | Should -Be 'Inactive'
        $new = $keys | Where-Object AccessKeyId -EQ $result.NewAccessKeyId
        $new.Status | Should -Be 'Active'
        Get-ProfileSection $w.File 'p' | Should -Match ([regex]::Escape($new.SecretAccessKey))
        ([System.IO.File]::ReadAllText($w.File)).StartsWith($script:otherProfile) | Should -BeTrue
        if (-not $IsWindows) { (Get-Item $w.File).UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite') }
    }

    It 'keeps the deactivated key during the grace period without writing, and deletes it in a run after it' {
        $w = New-RotationWorld rot-grace
        $null = Invoke-BackupKeyRotation -UserName rot-grace -StoreAs p -StoreLocation $w.File -RetiredKeyGraceDays 7 -ErrorAction Stop
        Reset-FaultProxy -Proxy $script:proxy
        $wait = Invoke-BackupKeyRotation -UserName rot-grace -StoreAs p -StoreLocation $w.File -RetiredKeyGraceDays 7 -ErrorAction Stop
        $wait.Phase | Should -Be 'Wait'
        $wait.Status | Should -Be 'Unchanged'
        $wait.RetiredKeyDeleteAfter | Should -BeGreaterThan ([DateTime]::UtcNow.AddDays(6.9))
        Get-WriteCount | Should -Be 0
        @(Get-MotoAccessKey -Url $script:moto.Url -UserName rot-grace).Count | Should -Be 2
        # Day 8: the rotation record says the old key was deactivated eight days ago.
        $record = Get-ChildItem (Join-Path $env:BACKUPIAM_STATE_DIR 'rotations') -Filter 'rot-grace-*.rotation'
        $text = (Get-Content -Raw $record.FullName) -replace '(?m)^deactivated=.*$', ('deactivated=' + [DateTime]::UtcNow.AddDays(-8).ToString('o'))
        [System.IO.File]::WriteAllText($record.FullName, $text)
        $day8 = Invoke-BackupKeyRotation -UserName rot-grace -StoreAs p -StoreLocation $w.File -RetiredKeyGraceDays 7 -ErrorAction Stop
        $day8.Phase | Should -Be 'DeleteRetired'
        $day8.Changes | Should -Be @('iam:DeleteAccessKey')
        $day8.RetiredKeyStatus | Should -Be 'Deleted'
        Get-Problem -UserName rot-grace -File $w.File -OldKeyId $w.OldKeyId | Should -BeNullOrEmpty
    }

    It 'refuses when the user has two keys, before any write, naming both; and with -RetireAccessKeyId deletes that one first' {
        $w = New-RotationWorld rot-two
        $second = New-BackupAccessKey -UserName rot-two -Additional -ErrorAction Stop
        Reset-FaultProxy -Proxy $script:proxy
        $null = Invoke-BackupKeyRotation -UserName rot-two -StoreAs p -StoreLocation $w.File -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'AccessKeyLimitReached,*'
        $failed[0].Exception.Message | Should -Match $w.OldKeyId
        $failed[0].Exception.Message | Should -Match $second.AccessKeyId
        $failed[0].Exception.Message | Should -Match 'RetireAccessKeyId'
        Get-WriteCount | Should -Be 0
        $null = Invoke-BackupKeyRotation -UserName rot-two -StoreAs p -StoreLocation $w.File -RetireAccessKeyId AKIANOTAKEYOFTHEUSER -ErrorVariable failed2 -ErrorAction SilentlyContinue
        $failed2[0].FullyQualifiedErrorId | Should -BeLike 'RetireAccessKeyIdInvalid,*'
        Get-WriteCount | Should -Be 0
        $done = Invoke-BackupKeyRotation -UserName rot-two -StoreAs p -StoreLocation $w.File -RetireAccessKeyId $second.AccessKeyId -DeleteRetiredKey -ErrorAction Stop
        $done.RemovedAccessKeyId | Should -Be $second.AccessKeyId
        $done.Changes | Should -Be @('iam:DeleteAccessKey', 'iam:CreateAccessKey', 'iam:UpdateAccessKey', 'iam:DeleteAccessKey')
        Get-Problem -UserName rot-two -File $w.File -OldKeyId $w.OldKeyId | Should -BeNullOrEmpty
    }

    It 'makes no write call under -WhatIf, and shows every step' {
        $w = New-RotationWorld rot-whatif
        Reset-FaultProxy -Proxy $script:proxy
        $transcript = Join-Path $script:work 'whatif.txt'
        Start-Transcript -Path $transcript -UseMinimalHeader | Out-Null
        try { $plan = Invoke-BackupKeyRotation -UserName rot-whatif -StoreAs p -StoreLocation $w.File -DeleteRetiredKey -WhatIf }
        finally { Stop-Transcript | Out-Null }
        $plan.Status | Should -Be 'Planned'
        $plan.Changes | Should -Be @('iam:CreateAccessKey', 'iam:UpdateAccessKey', 'iam:DeleteAccessKey')
        Get-WriteCount | Should -Be 0
        $text = Get-Content -Raw $transcript
        foreach ($what in 'Create a new access key', 'Wait until the new access key', "Deactivate the old access key $($w.OldKeyId)", "Delete access key $($w.OldKeyId)") {
            $text | Should -Match ([regex]::Escape($what))
        }
        @(Get-MotoAccessKey -Url $script:moto.Url -UserName rot-whatif).Count | Should -Be 1
        Test-Path (Join-Path $env:BACKUPIAM_STATE_DIR 'rotations/rot-whatif-*') | Should -BeFalse
    }

    It 'returns the new secret as a SecureString when no profile is given, and never shows it in any stream or transcript' {
        $null = New-RotationWorld rot-secure -NoStore
        $transcript = Join-Path $script:work 'secure.txt'
        Start-Transcript -Path $transcript -UseMinimalHeader | Out-Null
        try { $all = @(Invoke-BackupKeyRotation -UserName rot-secure -DeleteRetiredKey -Verbose -Debug *>&1 | ForEach-Object { $_; $_ | Out-String | Out-Host }) }
        finally { Stop-Transcript | Out-Null }
        $result = $all | Where-Object { $_ -is [BackupIam.BackupKeyRotation] }
        $result.NewSecretAccessKey | Should -BeOfType [securestring]
        $live = @(Get-MotoAccessKey -Url $script:moto.Url -UserName rot-secure)
        $live.Count | Should -Be 1
        $live[0].AccessKeyId | Should -Be $result.NewAccessKeyId
        [System.Net.NetworkCredential]::new('', $result.NewSecretAccessKey).Password | Should -Be $live[0].SecretAccessKey
        $streams = ($all | Where-Object { $_ -isnot [BackupIam.BackupKeyRotation] } | Out-String) + ($result | Format-List * | Out-String)
        @($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Count | Should -BeGreaterThan 2
        $streams | Should -Not -Match ([regex]::Escape($live[0].SecretAccessKey))
        Get-Content -Raw $transcript | Should -Not -Match ([regex]::Escape($live[0].SecretAccessKey))
    }

    It 'refuses bad input before any call, naming the parameter and the value' -ForEach @(
        @{ Arguments = @{ UserName = 'bad user!' }; Id = 'IamUserNameInvalid'; Text = 'bad user!' }
        @{ Arguments = @{ UserName = 'u'; StoreLocation = 'x' }; Id = 'StoreAsRequired'; Text = 'StoreAs' }
        @{ Arguments = @{ UserName = 'u'; DeleteRetiredKey = $true; RetiredKeyGraceDays = 7 }; Id = 'RotationSwitchesConflict'; Text = 'RetiredKeyGraceDays 7' }
        @{ Arguments = @{ UserName = 'u'; SkipVerification = $true; BucketName = 'my-bucket' }; Id = 'RotationSwitchesConflict'; Text = 'SkipVerification' }
        @{ Arguments = @{ UserName = 'u'; RetireAccessKeyId = 'not-a-key' }; Id = 'RetireAccessKeyIdInvalid'; Text = 'not-a-key' }
        @{ Arguments = @{ UserName = 'u'; BucketName = 'Bad_Bucket' }; Id = 'BucketNameInvalid'; Text = 'Bad_Bucket' }
        @{ Arguments = @{ UserName = 'u'; StoreAs = 'bad profile name' }; Id = 'ProfileNameInvalid'; Text = 'bad profile name' }
    ) {
        Reset-FaultProxy -Proxy $script:proxy
        $failure = $null
        try { $null = Invoke-BackupKeyRotation @Arguments -ErrorAction Stop } catch { $failure = $_ }
        $failure | Should -Not -BeNullOrEmpty
        $failure.FullyQualifiedErrorId | Should -BeLike "$Id,*"
        $failure.Exception.Message | Should -Match ([regex]::Escape($Text))
        @(Get-FaultProxyRequest -Proxy $script:proxy).Count | Should -Be 0 -Because 'bad input is refused before any call'
    }

    It 'leaves the old key active when the new key is not accepted in time, and the next run checks it again and finishes' {
        $w = New-RotationWorld rot-unverified
        # Every ListAllMyBuckets with the new key is dropped: the store never answers, so the key is never shown to work.
        Set-FaultRule -Proxy $script:proxy -Rule @{ Method = 'GET'; Path = '^/(\?.*)?$'; Fault = 'drop-before'; Times = 0 }
        $null = Invoke-BackupKeyRotation -UserName rot-unverified -StoreAs p -StoreLocation $w.File -PropagationTimeoutSec 2 -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'KeyRotationNotVerified,*'
        $failed[0].Exception.Message | Should -Match ([regex]::Escape($w.OldKeyId))
        (@(Get-MotoAccessKey -Url $script:moto.Url -UserName rot-unverified) | Where-Object AccessKeyId -EQ $w.OldKeyId).Status | Should -Be 'Active'
        Set-FaultRule -Proxy $script:proxy
        $again = Invoke-BackupKeyRotation -UserName rot-unverified -StoreAs p -StoreLocation $w.File -DeleteRetiredKey -ErrorAction Stop
        $again.Phase | Should -Be 'Complete'
        $again.Verified | Should -BeTrue
        $again.Changes | Should -Be @('iam:UpdateAccessKey', 'iam:DeleteAccessKey')
        Get-Problem -UserName rot-unverified -File $w.File -OldKeyId $w.OldKeyId | Should -BeNullOrEmpty
    }
}

Describe 'Invoke-BackupKeyRotation under faults' {
    It 'completes on a re-run after <_> at each IAM write step' -ForEach @('500', 'throttle', 'drop-before', 'drop-after', 'truncate', 'late') {
        $fault = $_
        $failures = [System.Collections.Generic.List[string]]::new()
        $i = 0
        foreach ($step in 'CreateAccessKey', 'UpdateAccessKey', 'DeleteAccessKey') {
            $i++
            $user = "rf-$($fault -replace '[^a-z0-9]', '')-$i"
            $w = New-RotationWorld $user
            $rule = switch ($fault) {
                'late' { @{ Action = $step; Fault = 'delay-before'; Seconds = ($script:timeout + 1) } }
                { $_ -in '500', 'throttle' } { @{ Action = $step; Fault = $fault; Times = 0 } }
                default { @{ Action = $step; Fault = $fault } }
            }
            Reset-FaultProxy -Proxy $script:proxy
            Set-FaultRule -Proxy $script:proxy -Rule $rule
            $env:BACKUPIAM_REQUEST_TIMEOUT = "$($script:timeout)"
            try { $null = Invoke-BackupKeyRotation -UserName $user -StoreAs p -StoreLocation $w.File -DeleteRetiredKey -ErrorAction SilentlyContinue 2>$null 3>$null }
            finally { Remove-Item Env:BACKUPIAM_REQUEST_TIMEOUT -ErrorAction SilentlyContinue }
            $injected = @(Get-FaultReport -Proxy $script:proxy).Count
            if ($fault -eq 'late') { Start-Sleep -Seconds 1.5 }
            Set-FaultRule -Proxy $script:proxy
            $rerun = @(Invoke-BackupKeyRotation -UserName $user -StoreAs p -StoreLocation $w.File -DeleteRetiredKey -ErrorVariable rerunFailed -ErrorAction SilentlyContinue)
            $problems = [System.Collections.Generic.List[string]]::new()
            if (-not $injected) { $problems.Add('the fault was never injected') }
            if ($rerunFailed.Count) { $problems.Add("the re-run failed: $($rerunFailed[0])") }
            foreach ($p in (Get-Problem -UserName $user -File $w.File -OldKeyId $w.OldKeyId)) { $problems.Add($p) }
            if ($problems.Count) { $failures.Add("$fault at $step`: $($problems -join '; ')") }
        }
        $failures | Should -BeNullOrEmpty
    }

    It 'completes on a re-run when storing the new key fails (the file''s folder became a file while the key was made)' {
        $w = New-RotationWorld rot-storefails
        $folder = Join-Path $script:work 'rot-store-folder'
        $null = New-Item -ItemType Directory -Path $folder
        $file = Join-Path $folder 'credentials'
        Copy-Item $w.File $file
        Reset-FaultProxy -Proxy $script:proxy
        Set-FaultRule -Proxy $script:proxy -Rule @{ Action = 'CreateAccessKey'; Fault = 'delay-before'; Seconds = 1.5 }
        $ps = [powershell]::Create()
        $null = $ps.AddScript("Import-Module '$(Get-BuiltModuleManifest)'; Invoke-BackupKeyRotation -UserName rot-storefails -StoreAs p -StoreLocation '$file'")
        $handle = $ps.BeginInvoke()
        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        while (-not @(Get-FaultReport -Proxy $script:proxy).Count -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
        $saved = Get-Content -Raw $file
        Remove-Item -Recurse -Force $folder
        Set-Content -Path $folder -Value 'not a folder any more'
        $null = $ps.EndInvoke($handle)
        $failure = @($ps.Streams.Error)
        $ps.Dispose()
        $failure.Count | Should -Be 1
        $failure[0].FullyQualifiedErrorId | Should -BeLike 'AccessKeyStoreFailed*'
        $keys = @(Get-MotoAccessKey -Url $script:moto.Url -UserName rot-storefails)
        $keys.AccessKeyId | Should -Be @($w.OldKeyId) -Because 'the key that could not be stored was taken back, and the old one is untouched'
        $keys[0].Status | Should -Be 'Active'
        Remove-Item -Force $folder
        $null = New-Item -ItemType Directory -Path $folder
        [System.IO.File]::WriteAllText($file, $saved)
        Set-FaultRule -Proxy $script:proxy
        $again = Invoke-BackupKeyRotation -UserName rot-storefails -StoreAs p -StoreLocation $file -DeleteRetiredKey -ErrorAction Stop
        $again.Phase | Should -Be 'Complete' -Because 'the re-run recognised the rotation in progress'
        Get-Problem -UserName rot-storefails -File $file -OldKeyId $w.OldKeyId | Should -BeNullOrEmpty
    }
}
