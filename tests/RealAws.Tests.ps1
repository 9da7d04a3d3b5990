# Against real AWS, only when the caller names a profile: BACKUPIAM_TEST_AWS_PROFILE=<profile>.
# Without it every test here is skipped, and says why. The tests write nothing: they resolve the identity and run
# the five setups under -WhatIf, so the plans are computed against the real account's state.
BeforeDiscovery {
    $script:realProfile = $env:BACKUPIAM_TEST_AWS_PROFILE
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-BuiltModule
    $script:realProfile = $env:BACKUPIAM_TEST_AWS_PROFILE
    $script:suffix = [guid]::NewGuid().ToString('N').Substring(0, 8)
}

Describe 'Real AWS (set BACKUPIAM_TEST_AWS_PROFILE to run)' {
    BeforeEach {
        if (-not $script:realProfile) {
            Set-ItResult -Skipped -Because 'BACKUPIAM_TEST_AWS_PROFILE is not set: the real-AWS tests run only against a profile you name'
        }
    }

    It 'says who it acts as, from sts:GetCallerIdentity, before planning a write' {
        $verbose = New-BackupUser -UserName "backupiam-test-$script:suffix" -ProfileName $script:realProfile -WhatIf -Verbose 4>&1 |
            Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message
        ($verbose -join "`n") | Should -Match 'Acting as arn:aws'
    }

    It 'plans setup 1 against the real account and writes nothing' {
        $bucket = "backupiam-test-$script:suffix"
        $common = @{ ProfileName = $script:realProfile; WhatIf = $true }
        $out = @(
            New-BackupBucket -BucketName $bucket -Folder backup/ @common
            New-BackupGroup -GroupName "BackupIamTest$script:suffix" @common
            New-BackupUser -UserName "backupiam-test-$script:suffix" @common | New-BackupAccessKey @common
        )
        $out | ForEach-Object { $_.Status | Should -Be 'Planned' }
        ($out.Changes) | Should -Contain 's3:CreateBucket'
        ($out.Changes) | Should -Contain 'iam:CreateAccessKey'
    }
}
