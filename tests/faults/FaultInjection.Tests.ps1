# The fault-injection suite (issue 11, "Done when"): every write step of every one of the five setups, with each kind
# of fault, then a re-run. The steps are not listed by hand: a clean run of each setup through the fault proxy records
# its write requests, and each of them becomes a step. For each step and fault, on a freshly reset moto:
#   1. the setup runs with the fault injected at that step (it may fail; the proxy must report the injection);
#   2. the same setup runs again with no fault: it must end with no error;
#   3. a third run must make zero writes (the re-run completed the setup), and
#   4. every user of the setup has exactly one live key, and that key's secret was delivered: stored in the profile
#      (setup 1, -StoreAs) or returned in an output object (setups 2-5), equal to the secret moto holds. So no key is
#      orphaned and no stored secret is stale.
# Everything runs in this one pwsh process; a Ctrl+C case runs the faulty run in a runspace of its own and stops it
# (PowerShell.Stop(), which is what Ctrl+C does) while the proxy holds the step's request, which reaches the server
# only after the run has stopped.
# Set $env:BACKUPIAM_FAULT_SETUPS (e.g. '1,4') or $env:BACKUPIAM_FAULT_KINDS (e.g. 'drop-after,ctrl-c') to run a part.
BeforeDiscovery {
    $script:setupNumbers = if ($env:BACKUPIAM_FAULT_SETUPS) { @($env:BACKUPIAM_FAULT_SETUPS -split ',' | ForEach-Object { [int]$_ }) } else { 1, 2, 3, 4, 5, 6 }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestHelpers.psm1') -Force
    Import-BuiltModule
    $script:session = Enter-FaultTestSession -AccessKey 'AKIAFAULTSUITE000001' -SecretKey 'fault-suite-secret-not-real' -WorkPrefix 'bi-faults-'
    $script:moto, $script:proxy, $script:work = $script:session.Moto, $script:session.Proxy, $script:session.Work
    # The timeout per attempt during a faulty run, short so that "an answer later than the timeout" costs seconds.
    # Only the faulty run gets it: the re-run and the check use the defaults, so a loaded machine cannot fail them.
    $script:timeout = 2
    $script:creds = Join-Path $script:work 'credentials'

    # The five setups, as in tests/Provisioning.Tests.ps1 (its pipelines, the same names).
    $script:setups = @{
        1 = {
            New-BackupBucket -BucketName your-bucket-name -Folder backup/, backup/schemas/, backup/apps/
            $policy = New-BackupPolicy -Preset UploadOnly -BucketName your-bucket-name -Prefix backup/ -PolicyName UploadFilesToBackup
            New-BackupGroup -GroupName MySiteBackupUsers | Set-BackupGroupPolicy -Policy $policy
            New-BackupUser -UserName MySiteBackupUser | Add-BackupUserToGroup -GroupName MySiteBackupUsers |
                New-BackupAccessKey -StoreAs mysite-backup -StoreLocation $script:creds
        }
        2 = {
            New-BackupBucket -BucketName my-backup-bucket
            $user = New-BackupUser -UserName backup
            $user
            $user | New-BackupAccessKey
            $user | New-WriteOnlyBucketPolicy -BucketName my-backup-bucket | Set-BackupBucketPolicy
        }
        3 = {
            New-BackupBucket -BucketName backup-bucket
            New-BackupGroup -GroupName S3Backup |
                Set-BackupGroupPolicy -Policy (New-BackupPolicy -Preset ReadWriteDelete -BucketName backup-bucket -PolicyName S3BackupPolicy)
            New-BackupUser -UserName boto-backup | Add-BackupUserToGroup -GroupName S3Backup | New-BackupAccessKey
        }
        4 = {
            New-BackupBucket -BucketName rclone-backups
            New-BackupUser -UserName rclone | New-BackupAccessKey
            New-BackupPolicy -Preset Rclone -BucketName rclone-backups -Prefix backups/dataset-1/ -AllowMultipart -PolicyName RcloneDataset1 |
                Set-BackupUserPolicy -UserName rclone
        }
        5 = {
            New-BackupBucket -BucketName wp-backups | Enable-BackupVersioning |
                Set-BackupLifecycle -NoncurrentVersionExpirationDays 30 -AbortIncompleteMultipartUploadDays 7
            New-BackupUser -UserName updraftplus | New-BackupAccessKey
            New-BackupPolicy -Preset UpdraftPlusSecure -BucketName wp-backups -PolicyName UpdraftPlusSecure |
                Set-BackupUserPolicy -UserName updraftplus
        }
    }
    # 6: New-BackupRole (issue 18): the OIDC provider, the role and two inline policies; no user, no key.
    $script:setups[6] = {
        (New-BackupPolicy -Preset UploadOnly -BucketName role-backups -Prefix backup/ -PolicyName UploadFilesToBackup),
        (New-BackupPolicy -Preset Rclone -BucketName role-backups -Prefix dataset-1/ -PolicyName RcloneDataset1) |
            New-BackupRole -RoleName backup-github -GitHubRepository contoso/backup-jobs -Branch main -MaxSessionDuration 7200
    }
    $script:users = @{ 1 = @('MySiteBackupUser'); 2 = @('backup'); 3 = @('boto-backup'); 4 = @('rclone'); 5 = @('updraftplus'); 6 = @() }
    $script:storedProfile = @{ 1 = 'mysite-backup' }

    # Each fault: the proxy rule for the step's request (Get-FaultKind says what each does; 'ctrl-c' also stops the run).
    $script:faults = Get-FaultKind -Timeout $script:timeout
    $script:tally = [System.Collections.Generic.List[object]]::new()

    function Reset-World {
        Reset-FaultProxy -Proxy $script:proxy
        Reset-MotoServer -Url $script:moto.Url
        Remove-Item -Recurse -Force $env:BACKUPIAM_STATE_DIR, $script:creds, "$($script:creds).lock" -ErrorAction SilentlyContinue
    }

    function Invoke-Setup {
        # Runs a setup here and returns its outputs and errors (the errors are expected in a faulty run).
        param([int] $Number)
        $errors = [System.Collections.Generic.List[object]]::new()
        $outputs = [System.Collections.Generic.List[object]]::new()
        try {
            & $script:setups[$Number] 2>&1 3>$null | ForEach-Object {
                if ($_ -is [System.Management.Automation.ErrorRecord]) { $errors.Add($_) } else { $outputs.Add($_) }
            }
        }
        catch { $errors.Add($_) }
        [pscustomobject]@{ Outputs = @($outputs); Errors = @($errors) }
    }

    function Invoke-SetupStopped {
        # Runs a setup in a runspace of its own and stops it (Ctrl+C) once the proxy withholds the answer at the step.
        param([int] $Number)
        $outputs = @(Stop-CommandAtFault -Proxy $script:proxy -Script "`$script:creds = '$($script:creds)'; & { $($script:setups[$Number]) }")
        [pscustomobject]@{ Outputs = $outputs; Errors = @() }
    }

    function Get-Steps {
        # The write requests of a clean first run of the setup, in order: each is a step to break.
        param([int] $Number)
        Reset-World
        $clean = Invoke-Setup $Number
        if ($clean.Errors.Count) { throw "Setup $Number fails without faults: $($clean.Errors[0])" }
        Get-FaultProxyWriteStep -Proxy $script:proxy
    }

    function Test-Outcome {
        # After the re-run: what must hold. Returns the problems found (none: the step passed).
        param([int] $Number, [object[]] $Delivered)
        $problems = [System.Collections.Generic.List[string]]::new()
        Reset-FaultProxy -Proxy $script:proxy
        $third = Invoke-Setup $Number
        if ($third.Errors.Count) { $problems.Add("third run failed: $($third.Errors[0])") }
        $writes = @(Get-FaultProxyRequest -Proxy $script:proxy | Where-Object write)
        if ($writes.Count) { $problems.Add("a third run still writes: $(($writes.operation) -join ', ')") }
        foreach ($user in $script:users[$Number]) {
            $live = @(Get-MotoAccessKey -Url $script:moto.Url -UserName $user)
            if ($live.Count -ne 1) { $problems.Add("user $user has $($live.Count) keys ($($live.AccessKeyId -join ', '))"); continue }
            $key = $live[0]
            if ($script:storedProfile.ContainsKey($Number)) {
                $text = if (Test-Path $script:creds) { Get-Content -Raw $script:creds } else { '' }
                $section = [regex]::Match($text, "(?ms)^\[$([regex]::Escape($script:storedProfile[$Number]))\]\s*(.*?)(?=^\[|\z)").Groups[1].Value
                if ($section -notmatch ("(?m)^aws_access_key_id\s*=\s*" + [regex]::Escape($key.AccessKeyId) + "\s*$")) { $problems.Add("the profile does not hold the live key $($key.AccessKeyId)") }
                elseif ($section -notmatch ("(?m)^aws_secret_access_key\s*=\s*" + [regex]::Escape($key.SecretAccessKey) + "\s*$")) { $problems.Add("the stored secret is not the live key's") }
            }
            else {
                $given = @($Delivered | Where-Object { $_.PSObject.Properties['SecretAccessKey'] -and $_.SecretAccessKey -and $_.AccessKeyId -eq $key.AccessKeyId })
                if (-not $given) { $problems.Add("the live key $($key.AccessKeyId) was never delivered (its secret is held by nobody)") }
                elseif ([System.Net.NetworkCredential]::new('', $given[0].SecretAccessKey).Password -ne $key.SecretAccessKey) { $problems.Add("the delivered secret is not the live key's") }
            }
        }
        $problems
    }
}

AfterAll {
    if ($script:tally.Count) {
        Write-Host "`n== Fault-injection counts (write steps x faults, each followed by a re-run)"
        $bySetup = $script:tally | Group-Object Setup | Sort-Object Name
        foreach ($g in $bySetup) {
            $steps = @($g.Group | Select-Object -ExpandProperty Step -Unique).Count
            $faultKinds = @($g.Group | Select-Object -ExpandProperty Fault -Unique).Count
            Write-Host ("  setup {0}: {1} write steps x {2} faults = {3} cases, {4} passed" -f $g.Name, $steps, $faultKinds, $g.Count, @($g.Group | Where-Object Passed).Count)
        }
        foreach ($g in ($script:tally | Group-Object Fault)) {
            $services = ($g.Group | Group-Object Service | ForEach-Object { "$($_.Count) $($_.Name)" }) -join ', '
            Write-Host ("  {0,-12} {1} cases ({2}), {3} passed" -f $g.Name, $g.Count, $services, @($g.Group | Where-Object Passed).Count)
        }
        Write-Host ("  total: {0} cases, {1} passed" -f $script:tally.Count, @($script:tally | Where-Object Passed).Count)
    }
    Exit-FaultTestSession $script:session
}

Describe 'Setup <_> under faults' -ForEach $script:setupNumbers {
    BeforeAll {
        $script:number = $_
        $script:steps = @(Get-Steps $script:number)
    }

    It 'has write steps to break' {
        $script:steps.Count | Should -BeGreaterThan 3
    }

    It 'completes on a re-run after each kind of fault at each write step' {
        $failures = [System.Collections.Generic.List[string]]::new()
        foreach ($fault in $script:faults.Keys) {
            foreach ($step in $script:steps) {
                Reset-World
                $rule = & $script:faults[$fault] $step.Operation $step.Nth $step.Service
                Set-FaultRule -Proxy $script:proxy -Rule $rule
                $env:BACKUPIAM_REQUEST_TIMEOUT = "$($script:timeout)"
                try { $faulty = if ($fault -eq 'ctrl-c') { Invoke-SetupStopped $script:number } else { Invoke-Setup $script:number } }
                finally { Remove-Item Env:BACKUPIAM_REQUEST_TIMEOUT -ErrorAction SilentlyContinue }
                $injected = @(Get-FaultReport -Proxy $script:proxy).Count
                if ($fault -in 'ctrl-c', 'late') {
                    # Let the late request land before the re-run looks (as a user re-running a little later would).
                    Start-Sleep -Seconds 1.2
                }
                Set-FaultRule -Proxy $script:proxy
                $rerun = Invoke-Setup $script:number
                $problems = [System.Collections.Generic.List[string]]::new()
                if (-not $injected) { $problems.Add('the fault was never injected') }
                if ($rerun.Errors.Count) { $problems.Add("the re-run failed: $($rerun.Errors[0])") }
                foreach ($p in (Test-Outcome $script:number (@($faulty.Outputs) + @($rerun.Outputs)))) { $problems.Add($p) }
                $script:tally.Add([pscustomobject]@{ Setup = $script:number; Step = "$($step.Operation)#$($step.Nth)"; Service = $step.Service; Fault = $fault; Passed = ($problems.Count -eq 0) })
                if ($problems.Count) { $failures.Add("$fault at $($step.Operation) (#$($step.Nth)): $($problems -join '; ')") }
            }
        }
        $failures | Should -BeNullOrEmpty
    }
}
