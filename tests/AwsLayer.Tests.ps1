# The AWS layer through the BUILT module (issue 11): requests that never end are bounded and say so; a hostile folder key
# never writes into another bucket; a malformed credentials file is described but never quoted, in any stream or $Error.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-BuiltModule
    $script:moto = Start-MotoServer
    $script:url = $script:moto.Url
    $script:common = @{ EndpointUrl = $script:url; AccessKey = 'AKIAIOSFODNN7EXAMPLE'; SecretKey = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'; Region = 'us-east-1' }
    $script:savedAttempt = $env:BACKUPIAM_REQUEST_TIMEOUT
    $script:savedTotal = $env:BACKUPIAM_TOTAL_TIMEOUT

    function Get-AllText {
        <# Everything a transcript would hold: the captured streams and every $Error entry in full. #>
        param([object[]] $Captured)
        ($Captured | Out-String -Width 4096) + ($Error | Out-String -Width 4096) + ($Error | ForEach-Object {
                $_ | Format-List * -Force | Out-String -Width 4096
                $_.Exception.ToString()
                if ($_.ErrorDetails) { $_.ErrorDetails | Format-List * -Force | Out-String -Width 4096 }
                $_.InvocationInfo | Out-String -Width 4096
            } | Out-String -Width 4096)
    }
}

AfterAll {
    if ($script:moto) { Stop-MotoServer -Server $script:moto }
    Restore-EnvironmentVariable -Name BACKUPIAM_REQUEST_TIMEOUT -Value $script:savedAttempt
    Restore-EnvironmentVariable -Name BACKUPIAM_TOTAL_TIMEOUT -Value $script:savedTotal
}

Describe 'Requests to a server that never answers' {
    BeforeAll {
        # A listener that accepts TCP connections (the kernel completes them) and never reads or answers.
        $script:silent = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $script:silent.Start()
        $script:silentUrl = "http://127.0.0.1:$($script:silent.LocalEndpoint.Port)"
        $env:BACKUPIAM_REQUEST_TIMEOUT = '0.5'
        $env:BACKUPIAM_TOTAL_TIMEOUT = '2'
    }
    AfterAll {
        $script:silent.Stop()
        Remove-Item Env:BACKUPIAM_REQUEST_TIMEOUT, Env:BACKUPIAM_TOTAL_TIMEOUT -ErrorAction SilentlyContinue
    }

    It 'New-BackupBucket ends with S3RequestTimeout naming HeadBucket, the bucket, the wait and the attempts' {
        $common = $script:common.Clone(); $common.EndpointUrl = $script:silentUrl
        $Error.Clear()
        $out = @(New-BackupBucket -BucketName never-answers -SkipEncryption @common *>&1)
        $record = @($out | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }) + @($Error) | Select-Object -First 1
        $record.FullyQualifiedErrorId | Should -BeLike 'S3RequestTimeout*'
        $record.CategoryInfo.Category | Should -Be 'OperationTimeout'
        $record.TargetObject | Should -Be 'never-answers'
        $record.Exception.Message | Should -Match "S3 HeadBucket on bucket 'never-answers' at .* got no answer: waited [0-9.]+ s over [1-9][0-9]* attempts?"
        $record.Exception.Message | Should -Match '0\.5 s per attempt, 2 s in total'
    }

    It 'New-BackupUser ends with IamRequestTimeout naming GetUser and the user' {
        $common = $script:common.Clone(); $common.EndpointUrl = $script:silentUrl
        $Error.Clear()
        $out = @(New-BackupUser -UserName never-answers-user @common *>&1)
        $record = @($out | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }) + @($Error) | Select-Object -First 1
        $record.FullyQualifiedErrorId | Should -BeLike 'IamRequestTimeout*'
        $record.Exception.Message | Should -Match "IAM GetUser on user 'never-answers-user' at .* got no answer: waited [0-9.]+ s over [1-9] attempts?"
    }

    It 'a bad timeout setting is refused before any call, naming the variable' {
        $env:BACKUPIAM_TOTAL_TIMEOUT = 'soon'
        try {
            $Error.Clear()
            $out = @(try { New-BackupBucket -BucketName never-answers -SkipEncryption @script:common *>&1 } catch { $_ })
            $record = @($out | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }) + @($Error) | Select-Object -First 1
            $record.FullyQualifiedErrorId | Should -BeLike 'AwsTimeoutInvalid*'
            $record.Exception.Message | Should -Match 'BACKUPIAM_TOTAL_TIMEOUT'
        }
        finally { $env:BACKUPIAM_TOTAL_TIMEOUT = '2' }
    }
}

Describe 'A folder key that points outside the named bucket' {
    It 'is refused, and no request reaches or creates another bucket' {
        New-BackupBucket -BucketName victim-bucket -SkipEncryption @script:common | Out-Null
        Start-MotoRecording -Url $script:url
        $Error.Clear()
        $out = @(try { New-BackupBucket -BucketName my-backups -Folder '../victim-bucket/planted/', '../escape/' -SkipEncryption @script:common *>&1 } catch { $_ })
        @($out | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }) + @($Error) | Should -Not -BeNullOrEmpty
        $calls = @(Get-MotoCall -Url $script:url | Where-Object Service -EQ 's3')
        @($calls | Where-Object { $_.Name -like '/victim-bucket*' -or $_.Name -like '/escape*' }) | Should -BeNullOrEmpty
        $calls | Where-Object { $_.Name -notlike '/my-backups*' -and $_.Name -ne '/' } | Should -BeNullOrEmpty
        # moto (which checks no signature) still has no bucket named escape, and nothing in victim-bucket
        (Invoke-WebRequest -Method Head -Uri "$($script:url)/escape" -SkipHttpErrorCheck -UseBasicParsing).StatusCode | Should -Be 404
        (Invoke-WebRequest -Uri "$($script:url)/victim-bucket?list-type=2" -UseBasicParsing).Content | Should -Not -Match '<Key>'
    }
}

Describe 'A credentials file with a malformed line' {
    BeforeAll {
        $script:canary = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCY' + [guid]::NewGuid().ToString('N').Substring(0, 10)
        $script:file = Join-Path ([System.IO.Path]::GetTempPath()) ('bi-malformed-' + [guid]::NewGuid().ToString('N'))
        Set-Content -Path $script:file -Value @(
            '[default]'
            'aws_access_key_id = AKIAIOSFODNN7EXAMPLE'
            'aws_secret_access_key = not-the-canary'
            ''
            '[other]'
            'aws_access_key_id = AKIAOTHEROTHEROTHER1'
            "aws_secret_access_key $script:canary")
    }
    AfterAll { Remove-Item -Force $script:file -ErrorAction SilentlyContinue }

    It '-ProfileLocation: AwsProfileFileMalformed names the file, line and profile; the secret is in no stream and not in $Error' {
        $Error.Clear()
        $DebugPreference = 'Continue'
        $out = @(try { New-BackupGroup -GroupName malformed-group -ProfileName default -ProfileLocation $script:file -EndpointUrl $script:url -Verbose -Debug *>&1 } catch { $_ })
        $DebugPreference = 'SilentlyContinue'
        $text = Get-AllText -Captured $out
        $text | Should -Match 'AwsProfileFileMalformed'
        $text | Should -Match ([regex]::Escape("'$($script:file)'"))
        $text | Should -Match "line 7 \(profile 'other'\): the setting aws_secret_access_key has no '='"
        $text | Should -Not -Match ([regex]::Escape($script:canary))
        $text | Should -Not -Match 'wJalrXUtnFEMI'
    }

    It '-StoreLocation: CredentialFileUnreadable names the file, line and profile; the secret is in no stream and not in $Error' {
        New-BackupUser -UserName malformed-store-user @script:common | Out-Null
        $Error.Clear()
        $out = @(try { New-BackupAccessKey -UserName malformed-store-user -StoreAs backup -StoreLocation $script:file @script:common -Verbose *>&1 } catch { $_ })
        $text = Get-AllText -Captured $out
        $text | Should -Match 'CredentialFileUnreadable'
        $text | Should -Match "line 7 \(profile 'other'\)"
        $text | Should -Not -Match ([regex]::Escape($script:canary))
    }
}
