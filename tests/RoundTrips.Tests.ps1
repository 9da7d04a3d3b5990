# Issue 16: fewer sequential round trips, same behaviour. Requests are counted by moto's own request recording.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:moto = Enter-MotoTestSession -AccessKey 'AKIAROUNDTRIPTEST01' -SecretKey 'round-trip-test-secret-not-real'
    $script:policy = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::rt-bucket"}]}'

    function Get-ReadCall {
        @(Get-MotoCall -Url $script:moto.Url | Where-Object { -not $_.IsWrite } | ForEach-Object { "$($_.Service) $($_.Operation)" })
    }

    # The fault proxy in front of the same moto, for order facts that must not depend on timing (issue 16, round 4).
    $script:proxy = Start-FaultProxy -TargetUrl $script:moto.Url

    function Invoke-WithHold {
        <#
        Runs -Script with the module pointed at the fault proxy, which holds each request named in -Hold (as
        Get-FaultProxyRequest names it: 'GetUser', 'HEAD /bucket/') for -Seconds before it forwards it. Returns what the
        script wrote (Output) and moto's calls in the order moto received them (Calls, 'service operation'). A request the
        module sends before it has the held request's answer reaches moto before the held request; one it sends only
        after that answer reaches moto after it, however loaded the machine is.
        #>
        param([string[]] $Hold, [scriptblock] $Script, [int] $Seconds = 3)
        Reset-FaultProxy -Proxy $script:proxy
        Set-FaultRule -Proxy $script:proxy -Rule @($Hold | ForEach-Object { @{ Operation = $_; Fault = 'delay-before'; Seconds = $Seconds } })
        $saved = $env:AWS_ENDPOINT_URL
        $env:AWS_ENDPOINT_URL = $script:proxy.Url
        Start-MotoRecording -Url $script:moto.Url
        try { $output = @(& $Script) }
        finally {
            $env:AWS_ENDPOINT_URL = $saved
            Reset-FaultProxy -Proxy $script:proxy
        }
        [pscustomobject]@{ Output = $output; Calls = @(Get-MotoCall -Url $script:moto.Url | ForEach-Object { "$($_.Service) $($_.Operation)" }) }
    }

    function Split-DebugOutput([object[]] $Records) {
        # What a pipeline run with its debug stream merged (5>&1) wrote: its records (Result), and its 'Early read taken:'
        # debug lines (Taken), which say which reads an upstream cmdlet sent early for it: deterministic, unlike the order
        # in which the server received them.
        [pscustomobject]@{
            Result = @($Records | Where-Object { $_ -isnot [System.Management.Automation.DebugRecord] })
            Taken  = @($Records | Where-Object { $_ -is [System.Management.Automation.DebugRecord] -and $_.Message -like 'Early read taken:*' } | ForEach-Object Message)
        }
    }

    function Invoke-WithDebug([scriptblock] $Script) {
        # Runs -Script with debug lines on (in this function's scope only) and splits what it wrote (Split-DebugOutput).
        $DebugPreference = 'Continue'
        Split-DebugOutput @(& $Script 5>&1)
    }

    function Select-CallAfter([string[]] $Calls, [string] $Marker) {
        # The calls moto received after the first $Marker (which must be there).
        $at = [array]::IndexOf($Calls, $Marker)
        if ($at -lt 0) { throw "'$Marker' is not among the calls: $($Calls -join ', ')" }
        @($Calls | Select-Object -Skip ($at + 1))
    }
}

AfterAll {
    if ($script:proxy) { Stop-FaultProxy $script:proxy }
    Exit-MotoTestSession $script:moto
}

Describe 'Reads that cannot tell anything' {
    It 'skips the reads of a user and a group that an earlier cmdlet of the same pipeline just created' {
        # Round 4: New-BackupGroup/New-BackupUser send these reads with GetGroup/GetUser, before they know whether the
        # group or user exists, and drop them unread when it does not: so they may be sent before the create, never after
        # it (the creates are held so that a read sent before one reaches moto before it, whatever the load).
        $run = Invoke-WithHold -Hold 'CreateGroup', 'CreateUser' -Seconds 2 -Script {
            New-BackupGroup -GroupName rt-group | Set-BackupGroupPolicy -PolicyName P -PolicyDocument $script:policy | Out-Null
            New-BackupUser -UserName rt-user | Add-BackupUserToGroup -GroupName rt-group | New-BackupAccessKey | Out-Null
        }
        Select-CallAfter $run.Calls 'iam CreateGroup' | Should -Not -Contain 'iam GetGroupPolicy'
        $afterUser = Select-CallAfter $run.Calls 'iam CreateUser'
        $afterUser | Should -Not -Contain 'iam ListGroupsForUser'
        # The planning read is skipped, and (round 5) so is the check before CreateAccessKey: New-BackupUser took the
        # user's lock before CreateUser and handed it to New-BackupAccessKey, so no other run can have made a key.
        $afterUser | Should -Not -Contain 'iam ListAccessKeys'
    }

    It 'still reads in a later statement, and a re-run finds everything in place with zero writes' {
        Start-MotoRecording -Url $script:moto.Url
        $group = Set-BackupGroupPolicy -GroupName rt-group -PolicyName P -PolicyDocument $script:policy
        $membership = Add-BackupUserToGroup -UserName rt-user -GroupName rt-group
        $calls = @(Get-MotoCall -Url $script:moto.Url)
        @($calls | Where-Object IsWrite).Count | Should -Be 0
        @($calls | ForEach-Object { "$($_.Service) $($_.Operation)" }) | Should -Contain 'iam GetGroupPolicy'
        @($calls | ForEach-Object { "$($_.Service) $($_.Operation)" }) | Should -Contain 'iam ListGroupsForUser'
        $group.Status | Should -Be 'Unchanged'
        $membership.Status | Should -Be 'Unchanged'
    }

    It 'reads a user that already existed although it is piped from New-BackupUser' {
        New-BackupUser -UserName rt-existing | Out-Null
        Start-MotoRecording -Url $script:moto.Url
        $result = New-BackupUser -UserName rt-existing | Set-BackupUserPolicy -PolicyName P -PolicyDocument $script:policy
        Get-ReadCall | Should -Contain 'iam GetUserPolicy'
        $result.Status | Should -Be 'Created'
    }

    It 'skips the versioning and lifecycle reads of a bucket created earlier in the pipeline, and reads them on a re-run' {
        # Round 4: sent with HeadBucket and dropped unread when the bucket is missing, so never after CreateBucket.
        $run = Invoke-WithHold -Hold 'PUT /rt-bucket/' -Seconds 2 -Script {
            New-BackupBucket -BucketName rt-bucket | Enable-BackupVersioning | Set-BackupLifecycle -NoncurrentVersionExpirationDays 30 | Out-Null
        }
        $reads = Select-CallAfter $run.Calls 's3 PUT /rt-bucket/'
        $reads | Should -Not -Contain 's3 GET /rt-bucket/?versioning'
        $reads | Should -Not -Contain 's3 GET /rt-bucket/?lifecycle'

        Start-MotoRecording -Url $script:moto.Url
        $again = @(New-BackupBucket -BucketName rt-bucket | Enable-BackupVersioning | Set-BackupLifecycle -NoncurrentVersionExpirationDays 30)
        $calls = @(Get-MotoCall -Url $script:moto.Url)
        @($calls | Where-Object IsWrite).Count | Should -Be 0
        @($calls | ForEach-Object { "$($_.Service) $($_.Operation)" }) | Should -Contain 's3 GET /rt-bucket/?versioning'
        @($calls | ForEach-Object { "$($_.Service) $($_.Operation)" }) | Should -Contain 's3 GET /rt-bucket/?lifecycle'
        $again | ForEach-Object { $_.Status | Should -Be 'Unchanged' }
    }
}

Describe 'Independent requests in parallel' {
    It 'writes a new bucket''s protections and folders, and -WhatIf shows them in plan order every time' {
        $whatIf = 1..3 | ForEach-Object {
            (New-BackupBucket -BucketName rt-parallel -Folder a/, b/, c/ -WhatIf).Changes -join ','
        }
        @($whatIf | Sort-Object -Unique).Count | Should -Be 1
        $whatIf[0] | Should -Be 's3:CreateBucket,s3:PutPublicAccessBlock,s3:PutBucketOwnershipControls,s3:PutBucketEncryption,s3:PutBucketTagging,s3:PutObject,s3:PutObject,s3:PutObject'

        Start-MotoRecording -Url $script:moto.Url
        $bucket = New-BackupBucket -BucketName rt-parallel -Folder a/, b/, c/
        $bucket.Status | Should -Be 'Created'
        $bucket.Changes -join ',' | Should -Be 's3:CreateBucket,s3:PutPublicAccessBlock,s3:PutBucketOwnershipControls,s3:PutBucketEncryption,s3:PutBucketTagging,s3:PutObject,s3:PutObject,s3:PutObject'
        @(Get-MotoWriteCall -Url $script:moto.Url).Count | Should -Be 8   # issue 15: + the managed tag
        $bucket.BlockPublicAccess | Should -BeTrue
        $bucket.BucketOwnerEnforced | Should -BeTrue
        $bucket.DefaultEncryption | Should -BeTrue
    }
}

Describe 'A new bucket''s managed tag, and buckets known to exist (round 3)' {
    It 'tags a bucket it creates without reading its tags, and the tag is there' {
        # Round 4: the tag read is sent with HeadBucket and dropped unread when the bucket is missing: never after CreateBucket.
        $run = Invoke-WithHold -Hold 'PUT /rt-tag-new/' -Seconds 2 -Script { New-BackupBucket -BucketName rt-tag-new -Folder a/, b/ }
        $bucket = $run.Output[0]
        $bucket.Status | Should -Be 'Created'
        $bucket.Changes -join ',' | Should -Be 's3:CreateBucket,s3:PutPublicAccessBlock,s3:PutBucketOwnershipControls,s3:PutBucketEncryption,s3:PutBucketTagging,s3:PutObject,s3:PutObject'
        Select-CallAfter $run.Calls 's3 PUT /rt-tag-new/' | Should -Not -Contain 's3 GET /rt-tag-new/?tagging'
        $run.Calls | Should -Contain 's3 PUT /rt-tag-new/?tagging'
        (Get-BackupBucket -BucketName rt-tag-new).Managed | Should -BeTrue
    }

    It 'still reads and merges the tags of an existing bucket that is not tagged yet' {
        New-BackupBucket -BucketName rt-tag-old | Out-Null
        # Someone else's tag and no managed tag: the next run must keep theirs.
        $s3 = "$($script:moto.Url)/rt-tag-old?tagging"
        $null = Invoke-WebRequest -Method Put -Uri $s3 -UseBasicParsing -ContentType 'application/xml' -Body '<Tagging><TagSet><Tag><Key>team</Key><Value>ops</Value></Tag></TagSet></Tagging>' `
            -Headers @{ Authorization = 'AWS4-HMAC-SHA256 Credential=AKIAROUNDTRIPTEST01/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0' }
        Start-MotoRecording -Url $script:moto.Url
        $again = New-BackupBucket -BucketName rt-tag-old
        $again.Changes | Should -Be 's3:PutBucketTagging'
        Get-ReadCall | Should -Contain 's3 GET /rt-tag-old/?tagging'
        $tags = (Get-BackupBucket -BucketName rt-tag-old).Tags
        $tags['team'] | Should -Be 'ops'
    }

    It 'sends no HeadBucket for the missing-bucket check of a bucket created earlier in the session' {
        New-BackupBucket -BucketName rt-known | Out-Null
        $policy = $script:policy -replace 'rt-bucket', 'rt-known'
        Start-MotoRecording -Url $script:moto.Url
        New-BackupGroup -GroupName rt-known-group | Set-BackupGroupPolicy -PolicyName P -PolicyDocument $policy -WarningVariable warnings | Out-Null
        @(Get-ReadCall | Where-Object { $_ -like 's3 HEAD /rt-known*' }).Count | Should -Be 0
        $warnings | Should -BeNullOrEmpty
    }

    It 'still checks, and warns about, a bucket not known in this session' {
        $policy = $script:policy -replace 'rt-bucket', 'rt-never-made'
        Start-MotoRecording -Url $script:moto.Url
        Set-BackupGroupPolicy -GroupName rt-known-group -PolicyName Q -PolicyDocument $policy -WarningVariable warnings 3>$null | Out-Null
        @(Get-ReadCall | Where-Object { $_ -like 's3 HEAD /rt-never-made*' }).Count | Should -Be 1
        ($warnings -join "`n") | Should -Match "names bucket 'rt-never-made', which does not exist"
    }
}

Describe 'An existing user''s reads sent together (round 3)' {
    It 'sends the piped user''s ListGroupsForUser and ListAccessKeys once, with New-BackupUser''s reads, before its writes' {
        New-BackupGroup -GroupName rt-early-group | Out-Null
        New-BackupUser -UserName rt-early | Add-BackupUserToGroup -GroupName rt-early-group | New-BackupAccessKey | Out-Null
        Start-MotoRecording -Url $script:moto.Url
        # A new tag makes New-BackupUser write (TagUser) before it hands the user on: the downstream cmdlets' reads, sent
        # early, are at the server before that write; sent by the downstream cmdlets themselves they would come after it.
        $run = Invoke-WithDebug { New-BackupUser -UserName rt-early -Tag @{ team = 'ops' } | Add-BackupUserToGroup -GroupName rt-early-group | New-BackupAccessKey }
        $result = $run.Result; $taken = $run.Taken
        $calls = @(Get-MotoCall -Url $script:moto.Url | ForEach-Object { "$($_.Service) $($_.Operation)" })
        $result[0].Status | Should -Be 'Unchanged'
        @($calls | Where-Object { $_ -eq 'iam ListGroupsForUser' }).Count | Should -Be 1
        @($calls | Where-Object { $_ -eq 'iam ListAccessKeys' }).Count | Should -Be 1
        # Deterministic (no dependence on which request reaches moto first): the downstream cmdlets say they took the
        # reads New-BackupUser sent, so they sent none themselves.
        @($taken | Where-Object { $_ -like "*GroupsForUser*rt-early*" }).Count | Should -Be 1
        @($taken | Where-Object { $_ -like "*AccessKeys*rt-early*" }).Count | Should -Be 1
        @($calls | Where-Object { $_ -notlike 'iam Get*' -and $_ -notlike 'iam List*' }) | Should -Be @('iam TagUser')
    }

    It 'sends no early read when no later cmdlet needs it' {
        Start-MotoRecording -Url $script:moto.Url
        New-BackupUser -UserName rt-early | Out-Null
        $calls = @(Get-MotoCall -Url $script:moto.Url | ForEach-Object { "$($_.Service) $($_.Operation)" })
        $calls | Should -Not -Contain 'iam ListGroupsForUser'
        $calls | Should -Not -Contain 'iam ListAccessKeys'
    }
}

Describe 'A bucket''s versioning and lifecycle (round 3)' {
    It 'records versioning on a bucket created earlier in the pipeline without reading its tags' {
        # Round 4: the tag read sent with HeadBucket is dropped unread (the bucket is missing): never after CreateBucket.
        $run = Invoke-WithHold -Hold 'PUT /rt-ver/' -Seconds 2 -Script {
            New-BackupBucket -BucketName rt-ver | Enable-BackupVersioning | Set-BackupLifecycle -NoncurrentVersionExpirationDays 30 | Out-Null
        }
        Select-CallAfter $run.Calls 's3 PUT /rt-ver/' | Should -Not -Contain 's3 GET /rt-ver/?tagging'
        $tags = (Get-BackupBucket -BucketName rt-ver).Tags
        $tags['backupiam:managed'] | Should -Be 'true'
        $tags['backupiam:versioning'] | Should -Not -BeNullOrEmpty
    }

    It 'on a re-run sends the versioning and lifecycle reads with the bucket''s own reads, once each' {
        Start-MotoRecording -Url $script:moto.Url
        # A new folder makes New-BackupBucket write (PutObject) before it hands the bucket on: the downstream reads, sent
        # early, are at the server before that write; sent by the downstream cmdlets themselves they would come after it.
        $run = Invoke-WithDebug { New-BackupBucket -BucketName rt-ver -Folder z/ | Enable-BackupVersioning | Set-BackupLifecycle -NoncurrentVersionExpirationDays 30 }
        $result = $run.Result; $taken = $run.Taken
        $calls = @(Get-MotoCall -Url $script:moto.Url | ForEach-Object { "$($_.Service) $($_.Operation)" })
        $result[0].Status | Should -Be 'Unchanged'
        @($calls | Where-Object { $_ -eq 's3 GET /rt-ver/?versioning' }).Count | Should -Be 1
        @($calls | Where-Object { $_ -eq 's3 GET /rt-ver/?lifecycle' }).Count | Should -Be 1
        # Deterministic: the downstream cmdlets say they took New-BackupBucket's reads instead of sending their own.
        @($taken | Where-Object { $_ -like "*ersioning*rt-ver*" }).Count | Should -Be 1
        @($taken | Where-Object { $_ -like "*ifecycle*rt-ver*" }).Count | Should -Be 1
        @($calls | Where-Object { $_ -like 's3 PUT*' }) | Should -Be @('s3 PUT /rt-ver/z/')
    }

    It 'never takes a bucket read sent with another expected owner' {
        Start-MotoRecording -Url $script:moto.Url
        # New-BackupBucket without an expected owner; the next stage asks for one: it reads for itself, with its header
        # (moto ignores the header, so both reads are answered; the early one is sent and left).
        $result = New-BackupBucket -BucketName rt-ver | Enable-BackupVersioning -ExpectedBucketOwner 111122223333
        $result.Status | Should -Be 'Unchanged'
        @(Get-ReadCall | Where-Object { $_ -eq 's3 GET /rt-ver/?versioning' }).Count | Should -Be 2
    }
}

Describe 'Connections kept after successful writes (round 4)' {
    It 'sends the S3 request that follows a successful PUT on a kept connection (a custom endpoint gives one up only after a refused body)' {
        # The recording proxy logs, per request the server received, whether it opened its client connection.
        $log = Join-Path ([System.IO.Path]::GetTempPath()) ("rt-connections-" + [guid]::NewGuid().ToString('n') + '.jsonl')
        $proxy = Start-CountingProxy -TargetUrl $script:moto.Url -LogPath $log
        $saved = $env:AWS_ENDPOINT_URL
        try {
            $env:AWS_ENDPOINT_URL = $proxy.Url
            New-BackupBucket -BucketName rt-conn | Enable-BackupVersioning |
                Set-BackupLifecycle -NoncurrentVersionExpirationDays 30 -AbortIncompleteMultipartUploadDays 7 | Out-Null
            # Round 5: the pipeline above sends the versioning record with the managed tag, no longer alone after the
            # protections; this read, alone after the lifecycle PUT, keeps three such requests to look at.
            Enable-BackupVersioning -BucketName rt-conn | Out-Null
            New-BackupBucket -BucketName rt-conn -Folder a/, b/ | Out-Null
        }
        finally {
            $env:AWS_ENDPOINT_URL = $saved
            Stop-CountingProxy $proxy
        }
        # S3 only (IAM/STS form POSTs carry an Action); in the order the server received them.
        $s3 = @(Get-Content $log | Where-Object { $_.Trim() } | ConvertFrom-Json | Where-Object { -not $_.action } | Sort-Object start)
        Remove-Item $log -ErrorAction SilentlyContinue
        # A request sent alone (no other S3 request overlaps it), right after a successful PUT was answered: that PUT's
        # connection is idle and must carry it. (Requests sent together may open connections of their own.)
        $afterPut = @(foreach ($r in $s3) {
                $before = @($s3 | Where-Object { $_ -ne $r -and $_.end -le $r.start } | Sort-Object end)
                $overlapping = @($s3 | Where-Object { $_ -ne $r -and $_.start -lt $r.end -and $_.end -gt $r.start })
                if ($before.Count -and $before[-1].method -eq 'PUT' -and $before[-1].status -lt 300 -and -not $overlapping.Count) { $r }
            })
        $afterPut.Count | Should -BeGreaterOrEqual 3
        @($afterPut | Where-Object newConnection | ForEach-Object { "$($_.method) $($_.path)?$($_.query)" }) | Should -BeNullOrEmpty
    }
}

Describe 'A re-run''s reads sent with the existence check (round 4)' {
    BeforeAll {
        New-BackupBucket -BucketName rt-ahead -Folder a/ | Enable-BackupVersioning | Set-BackupLifecycle -NoncurrentVersionExpirationDays 30 | Out-Null
        New-BackupGroup -GroupName rt-ahead-group | Set-BackupGroupPolicy -PolicyName P -PolicyDocument $script:policy | Out-Null
        New-BackupUser -UserName rt-ahead-user | Add-BackupUserToGroup -GroupName rt-ahead-group | New-BackupAccessKey | Out-Null
    }

    It 'sends an existing bucket''s reads, and the later cmdlets'' ones, before HeadBucket''s answer' {
        # HeadBucket is held at the proxy: every read sent before its answer reaches moto before it. On main the reads
        # waited for that answer (and GetBucketLocation's), so HeadBucket came first.
        $run = Invoke-WithHold -Hold 'HEAD /rt-ahead/' -Script {
            New-BackupBucket -BucketName rt-ahead -Folder a/ | Enable-BackupVersioning | Set-BackupLifecycle -NoncurrentVersionExpirationDays 30
        }
        $run.Output | ForEach-Object { $_.Status | Should -Be 'Unchanged' }
        @($run.Calls | Where-Object { $_ -like 's3 PUT*' -or $_ -like 's3 DELETE*' -or $_ -like 's3 POST*' }) | Should -BeNullOrEmpty
        $head = [array]::IndexOf($run.Calls, 's3 HEAD /rt-ahead/')
        $head | Should -BeGreaterThan -1
        foreach ($read in 's3 GET /rt-ahead/?publicAccessBlock', 's3 GET /rt-ahead/?ownershipControls', 's3 GET /rt-ahead/?encryption',
            's3 GET /rt-ahead/?tagging', 's3 HEAD /rt-ahead/a/', 's3 GET /rt-ahead/?versioning', 's3 GET /rt-ahead/?lifecycle') {
            [array]::IndexOf($run.Calls, $read) | Should -BeLessThan $head -Because "$read is sent with HeadBucket ($($run.Calls -join ', '))"
        }
        @($run.Calls | Where-Object { $_ -eq 's3 GET /rt-ahead/?versioning' }).Count | Should -Be 1
        @($run.Calls | Where-Object { $_ -eq 's3 GET /rt-ahead/?lifecycle' }).Count | Should -Be 1
    }

    It 'sends an existing user''s reads, and the later cmdlets'' ones, before GetUser''s answer' {
        $run = Invoke-WithHold -Hold 'GetUser' -Script {
            $DebugPreference = 'Continue'
            & { New-BackupUser -UserName rt-ahead-user | Add-BackupUserToGroup -GroupName rt-ahead-group | New-BackupAccessKey } 5>&1
        }
        $split = Split-DebugOutput $run.Output
        $result = $split.Result; $taken = $split.Taken
        $result[0].Status | Should -Be 'Unchanged'
        @($run.Calls | Where-Object { $_ -notlike 'iam Get*' -and $_ -notlike 'iam List*' }) | Should -BeNullOrEmpty
        $getUser = [array]::IndexOf($run.Calls, 'iam GetUser')
        $getUser | Should -BeGreaterThan -1
        foreach ($read in 'iam GetLoginProfile', 'iam ListGroupsForUser', 'iam ListAccessKeys') {
            [array]::IndexOf($run.Calls, $read) | Should -BeLessThan $getUser -Because "$read is sent with GetUser ($($run.Calls -join ', '))"
        }
        @($taken | Where-Object { $_ -like '*GroupsForUser*rt-ahead-user*' }).Count | Should -Be 1
        @($taken | Where-Object { $_ -like '*AccessKeys*rt-ahead-user*' }).Count | Should -Be 1
    }

    It 'sends a piped Set-BackupGroupPolicy''s GetGroupPolicy before GetGroup''s answer, once' {
        $run = Invoke-WithHold -Hold 'GetGroup' -Script {
            $DebugPreference = 'Continue'
            & { New-BackupGroup -GroupName rt-ahead-group | Set-BackupGroupPolicy -PolicyName P -PolicyDocument $script:policy } 5>&1
        }
        $split = Split-DebugOutput $run.Output
        $result = $split.Result; $taken = $split.Taken
        $result | ForEach-Object { $_.Status | Should -Be 'Unchanged' }
        [array]::IndexOf($run.Calls, 'iam GetGroupPolicy') | Should -BeLessThan ([array]::IndexOf($run.Calls, 'iam GetGroup')) -Because ($run.Calls -join ', ')
        @($run.Calls | Where-Object { $_ -eq 'iam GetGroupPolicy' }).Count | Should -Be 1
        @($taken | Where-Object { $_ -like '*GetGroupPolicy*rt-ahead-group*' }).Count | Should -Be 1
    }

    It 'drops the reads of a bucket, user and group that do not exist: no warning, no error, each read sent once' {
        Start-MotoRecording -Url $script:moto.Url
        $bucket = New-BackupBucket -BucketName rt-ahead-new -Folder a/ -WhatIf -WarningVariable bucketWarnings -ErrorVariable bucketErrors | Enable-BackupVersioning -WhatIf
        $user = New-BackupUser -UserName rt-ahead-new -WhatIf -WarningVariable userWarnings -ErrorVariable userErrors | Add-BackupUserToGroup -GroupName rt-ahead-group -WhatIf
        Start-Sleep -Milliseconds 500   # a dropped read cut off when its cmdlet ended was retried by AWSSDK at once
        $calls = @(Get-MotoCall -Url $script:moto.Url | ForEach-Object { "$($_.Service) $($_.Operation)" })
        @($bucketWarnings) + @($userWarnings) | Should -BeNullOrEmpty
        @($bucketErrors) + @($userErrors) | Should -BeNullOrEmpty
        @($bucket)[0].Status | Should -Be 'Planned'
        @($user)[0].Status | Should -Be 'Planned'
        @($calls | Where-Object { $_ -like 's3 *' -and $_ -ne 's3 GET /rt-ahead-new/?versioning' } | Group-Object | Where-Object Count -GT 1) | Should -BeNullOrEmpty -Because ($calls -join ', ')
    }

    It 'asks no GetBucketLocation once this store''s HeadBucket named the region, and still reports and warns about it' {
        New-BackupBucket -BucketName rt-ahead-eu -Region eu-west-1 | Out-Null
        New-BackupBucket -BucketName rt-ahead-eu -Region eu-west-1 | Out-Null   # moto's HeadBucket names the region
        Start-MotoRecording -Url $script:moto.Url
        $again = New-BackupBucket -BucketName rt-ahead-eu -Region us-east-1 -WarningVariable warnings -WarningAction SilentlyContinue
        $again.Status | Should -Be 'Unchanged'
        $again.Region | Should -Be 'eu-west-1'
        ($warnings -join "`n") | Should -Match "Bucket 'rt-ahead-eu' is in region eu-west-1, not us-east-1"
        Get-ReadCall | Should -Not -Contain 's3 GET /rt-ahead-eu/?location'
    }
}

Describe 'A new bucket''s managed tag goes out with its protections'' reads (round 4)' {
    BeforeAll {
        # The counting proxy logs when each request reached it and when its answer left (one clock, one process): an
        # order between requests, not a timing.
        $script:proxyLog = Join-Path ([System.IO.Path]::GetTempPath()) ("rt-writes-" + [guid]::NewGuid() + '.jsonl')
        $script:counting = Start-CountingProxy -TargetUrl $script:moto.Url -LogPath $script:proxyLog
        function Get-ProxyEntry {
            @(Get-Content $script:proxyLog | Where-Object { $_.Trim() } | ForEach-Object { $_ | ConvertFrom-Json })
        }
    }

    AfterAll {
        Stop-CountingProxy $script:counting
        Remove-Item $script:proxyLog -ErrorAction SilentlyContinue
    }

    It 'writes the tag before any protection, and each protection''s write starts only after the tag''s has ended' {
        Clear-Content $script:proxyLog
        $bucket = New-BackupBucket -BucketName rt-tag-first -EndpointUrl $script:counting.Url
        $bucket.Changes -join ',' | Should -Be 's3:CreateBucket,s3:PutPublicAccessBlock,s3:PutBucketOwnershipControls,s3:PutBucketEncryption,s3:PutBucketTagging'
        $entries = Get-ProxyEntry
        $tag = @($entries | Where-Object { $_.method -eq 'PUT' -and $_.query -eq 'tagging' })
        $tag.Count | Should -Be 1
        $protectionWrites = @($entries | Where-Object { $_.method -eq 'PUT' -and $_.query -in 'publicAccessBlock', 'ownershipControls', 'encryption' })
        $protectionWrites.Count | Should -Be 3
        # On main the tag went alone after the protections (a round trip of its own); now it travels with their reads,
        # and Block Public Access (with ownership and encryption) is written only once the tag's write has ended: Ceph
        # RGW keeps both in the same bucket attributes and lost a tag written concurrently with Block Public Access.
        foreach ($write in $protectionWrites) { $write.start | Should -BeGreaterThan $tag[0].end -Because "PUT ?$($write.query) must wait for the tag" }
        (Get-BackupBucket -BucketName rt-tag-first).Managed | Should -BeTrue
        $again = New-BackupBucket -BucketName rt-tag-first
        $again.Status | Should -Be 'Unchanged'
    }

    It 'keeps -WhatIf in plan order with the tag among the protections, every time' {
        $whatIf = 1..3 | ForEach-Object { (New-BackupBucket -BucketName rt-tag-whatif -WhatIf).Changes -join ',' }
        $whatIf | Should -Be @(1..3 | ForEach-Object { 's3:CreateBucket,s3:PutPublicAccessBlock,s3:PutBucketOwnershipControls,s3:PutBucketEncryption,s3:PutBucketTagging' })
    }
}

Describe 'A new bucket whose tag write fails (round 4)' {
    BeforeAll {
        $script:faultProxy = Start-FaultProxy -TargetUrl $script:moto.Url
    }

    AfterAll {
        Stop-FaultProxy $script:faultProxy
    }

    It 'still writes the protections, reports the tag''s failure, and a re-run adds only the tag' {
        Reset-FaultProxy -Proxy $script:faultProxy
        Set-FaultRule -Proxy $script:faultProxy -Rule @{ Method = 'PUT'; Path = '\?tagging'; Fault = '500'; Times = 0 }
        $result = New-BackupBucket -BucketName rt-tag-fails -EndpointUrl $script:faultProxy.Url -ErrorVariable failed -ErrorAction SilentlyContinue
        Set-FaultRule -Proxy $script:faultProxy
        @(Get-FaultReport -Proxy $script:faultProxy).Count | Should -BeGreaterThan 0
        $failed.Count | Should -Be 1
        "$($failed[0])" | Should -Match 'PutBucketTagging'
        $sent = @(Get-FaultProxyRequest -Proxy $script:faultProxy | Where-Object write | ForEach-Object operation)
        foreach ($protection in 'publicAccessBlock', 'ownershipControls', 'encryption') { $sent | Should -Contain "PUT /rt-tag-fails/?$protection" }
        (Get-BackupBucket -BucketName rt-tag-fails).Managed | Should -BeFalse

        # The protections are in place: the re-run writes only the tag.
        $again = New-BackupBucket -BucketName rt-tag-fails
        $again.Changes | Should -Be 's3:PutBucketTagging'
        (Get-BackupBucket -BucketName rt-tag-fails).Managed | Should -BeTrue
    }
}

Describe 'New-BackupAccessKey''s ListAccessKeys under the user''s lock (rounds 4 and 5)' {
    BeforeAll {
        $script:savedStateDir = $env:BACKUPIAM_STATE_DIR
        $env:BACKUPIAM_STATE_DIR = Join-Path ([System.IO.Path]::GetTempPath()) ("rt-writes-state-" + [guid]::NewGuid())
        function Get-KeyListCount {
            @(Get-MotoCall -Url $script:moto.Url | Where-Object { $_.Service -eq 'iam' -and $_.Operation -eq 'ListAccessKeys' }).Count
        }
        function Assert-NoUserLockHeld {
            # Every per-user lock file of the state folder can be taken now: none was left held (this process included:
            # the lock is an exclusive open, which a second open in the same process cannot get either).
            $locks = @(Get-ChildItem -Path (Join-Path $env:BACKUPIAM_STATE_DIR 'pending-keys') -Filter '*.lock')
            $locks.Count | Should -BeGreaterThan 0
            foreach ($lock in $locks) {
                $stream = [System.IO.File]::Open($lock.FullName, 'OpenOrCreate', 'ReadWrite', 'None')
                $stream.Dispose()
            }
        }
    }

    AfterAll {
        Remove-Item -Recurse -Force $env:BACKUPIAM_STATE_DIR -ErrorAction SilentlyContinue
        Restore-EnvironmentVariable -Name BACKUPIAM_STATE_DIR -Value $script:savedStateDir
    }

    It 'sends ListAccessKeys once for a user made in an earlier statement: under the user''s lock, held until CreateAccessKey' {
        $user = New-BackupUser -UserName rt-key-own
        Start-MotoRecording -Url $script:moto.Url
        $key = $user | New-BackupAccessKey
        $key.Status | Should -Be 'Created'
        # On main: twice, one after the other (the planning read, then the check under the lock before CreateAccessKey).
        Get-KeyListCount | Should -Be 1
        @(Get-MotoWriteCall -Url $script:moto.Url | ForEach-Object Operation) | Should -Be @('CreateAccessKey')
        @(Get-MotoAccessKey -Url $script:moto.Url -UserName rt-key-own).Count | Should -Be 1
        Assert-NoUserLockHeld
    }

    It 'reads once and writes nothing when the user has a key; -Additional makes a second one with one read' {
        Start-MotoRecording -Url $script:moto.Url
        (New-BackupAccessKey -UserName rt-key-own).Status | Should -Be 'Unchanged'
        Get-KeyListCount | Should -Be 1
        @(Get-MotoWriteCall -Url $script:moto.Url).Count | Should -Be 0

        Start-MotoRecording -Url $script:moto.Url
        (New-BackupAccessKey -UserName rt-key-own -Additional).Status | Should -Be 'Created'
        Get-KeyListCount | Should -Be 1
        @(Get-MotoAccessKey -Url $script:moto.Url -UserName rt-key-own).Count | Should -Be 2
        Assert-NoUserLockHeld

        # A third is refused before any write, as before, and the lock is let go.
        Start-MotoRecording -Url $script:moto.Url
        New-BackupAccessKey -UserName rt-key-own -Additional -ErrorVariable refused -ErrorAction SilentlyContinue | Out-Null
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'AccessKeyLimitReached*'
        @(Get-MotoWriteCall -Url $script:moto.Url).Count | Should -Be 0
        Assert-NoUserLockHeld
    }

    It 'sends no ListAccessKeys at all for a user New-BackupUser creates in the same pipeline, and lets the lock go (round 5)' {
        # New-BackupUser takes the user's lock before CreateUser and hands it to New-BackupAccessKey, which releases it
        # when CreateAccessKey has ended. On main: one ListAccessKeys after CreateUser (the check under the lock).
        $run = Invoke-WithHold -Hold 'CreateUser' -Seconds 1 -Script {
            New-BackupUser -UserName rt-key-fresh | New-BackupAccessKey
        }
        $run.Output.Status | Should -Be 'Created'
        Select-CallAfter $run.Calls 'iam CreateUser' | Should -Be @('iam CreateAccessKey')
        @(Get-MotoAccessKey -Url $script:moto.Url -UserName rt-key-fresh).Count | Should -Be 1
        Assert-NoUserLockHeld
    }

    It 'hands the lock to one key cmdlet only: a second one in the same pipeline checks under the lock and makes no second key' {
        # The first key cmdlet's record goes to the second, whose record is the pipeline's output.
        $keys = @(New-BackupUser -UserName rt-key-twice | New-BackupAccessKey | New-BackupAccessKey)
        $keys.Status | Should -Be 'Unchanged'
        @(Get-MotoAccessKey -Url $script:moto.Url -UserName rt-key-twice).Count | Should -Be 1
        Assert-NoUserLockHeld
    }

    It 'hands no lock on when another cmdlet of the pipeline may take a user''s lock itself (a rotation)' {
        # Invoke-BackupKeyRotation takes the user's lock on its own: New-BackupUser keeps none, so nothing in the pipeline
        # waits for a lock the pipeline holds, and New-BackupAccessKey checks under the lock as before.
        $DebugPreference = 'Continue'
        $taken = { param($records) @($records | Where-Object { $_ -is [System.Management.Automation.DebugRecord] -and $_.Message -like 'User lock taken over:*' }).Count }
        & $taken @(& { New-BackupUser -UserName rt-key-handed | New-BackupAccessKey } 5>&1) | Should -Be 1
        & $taken @(& { New-BackupUser -UserName rt-key-rotated | New-BackupAccessKey | Invoke-BackupKeyRotation -SkipVerification -WhatIf -Confirm:$false } 5>&1 6>$null) | Should -Be 0
        @(Get-MotoAccessKey -Url $script:moto.Url -UserName rt-key-rotated).Count | Should -Be 1
        Assert-NoUserLockHeld
    }

    It 'holds no lock while a line may ask (a stream''s preference is Inquire): lists before and under the lock, hands none on' {
        # Nothing in these runs writes a warning, so nothing asks; the point is that nothing would wait holding the lock.
        $user = New-BackupUser -UserName rt-key-inquire
        Start-MotoRecording -Url $script:moto.Url
        ($user | New-BackupAccessKey -WarningAction Inquire).Status | Should -Be 'Created'
        # Round 4's one-read path is not taken: the planning read, then the check under the lock before CreateAccessKey.
        Get-KeyListCount | Should -Be 2
        $DebugPreference = 'Continue'
        $records = @(& { New-BackupUser -UserName rt-key-inquire-new | New-BackupAccessKey -WarningAction Inquire } 5>&1)
        @($records | Where-Object { $_ -is [System.Management.Automation.DebugRecord] -and $_.Message -like 'User lock taken over:*' }).Count | Should -Be 0
        @(Get-MotoAccessKey -Url $script:moto.Url -UserName rt-key-inquire-new).Count | Should -Be 1
        Assert-NoUserLockHeld
    }

    It 'hands no lock to a key cmdlet that runs under -WhatIf' {
        $run = Invoke-WithHold -Hold 'CreateUser' -Seconds 1 -Script {
            New-BackupUser -UserName rt-key-fresh-whatif | New-BackupAccessKey -WhatIf
        }
        $run.Output.Status | Should -Be 'Planned'
        @(Get-MotoAccessKey -Url $script:moto.Url -UserName rt-key-fresh-whatif).Count | Should -Be 0
        Assert-NoUserLockHeld
    }

    It 'under -WhatIf reads once, takes no lock and writes nothing' {
        New-BackupUser -UserName rt-key-whatif | Out-Null
        Start-MotoRecording -Url $script:moto.Url
        (New-BackupAccessKey -UserName rt-key-whatif -WhatIf).Changes | Should -Be 'iam:CreateAccessKey'
        Get-KeyListCount | Should -Be 1
        @(Get-MotoWriteCall -Url $script:moto.Url).Count | Should -Be 0
    }
}

Describe 'A new bucket''s versioning record goes with its managed tag (round 5)' {
    BeforeAll {
        function Get-TaggingPut([string] $Bucket) {
            # The tag sets moto received in PUT /<bucket>/?tagging since Start-MotoRecording, in order (from its recording:
            # the request bodies, as sent).
            $text = (Invoke-WebRequest -Uri "$($script:moto.Url)/moto-api/recorder/download-recording" -UseBasicParsing).Content
            if ($text -is [byte[]]) { $text = [System.Text.Encoding]::UTF8.GetString($text) }
            foreach ($line in ($text -split "`n")) {
                if (-not $line.Trim()) { continue }
                $entry = $line | ConvertFrom-Json
                $uri = [uri]$entry.url
                if ($entry.method -ne 'PUT' -or $uri.AbsolutePath -ne "/$Bucket/" -or $uri.Query -notmatch '^\?tagging') { continue }
                $body = [string]$entry.body
                if ($entry.body_encoded) { $body = [System.Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($body)) }
                $tags = @{}
                foreach ($tag in ([xml]$body).GetElementsByTagName('Tag')) { $tags[$tag.Key] = $tag.Value }
                , $tags
            }
        }
    }

    It 'writes the record in New-BackupBucket''s one tag write, before PutBucketVersioning, for the setup-5 pipeline on a new bucket' {
        Start-MotoRecording -Url $script:moto.Url
        $DebugPreference = 'Continue'   # this test's scope only
        $out = @(. {
                New-BackupBucket -BucketName rt-record | Enable-BackupVersioning -OutVariable versioning |
                    Set-BackupLifecycle -NoncurrentVersionExpirationDays 30 -AbortIncompleteMultipartUploadDays 7
            } 5>&1)
        $DebugPreference = 'SilentlyContinue'
        $result = @($out | Where-Object { $_ -isnot [System.Management.Automation.DebugRecord] })
        $debug = @($out | Where-Object { $_ -is [System.Management.Automation.DebugRecord] } | ForEach-Object Message)
        $calls = @(Get-MotoCall -Url $script:moto.Url | ForEach-Object { "$($_.Service) $($_.Operation)" })
        # On main: two, New-BackupBucket's managed tag and then Enable-BackupVersioning's record, one round trip each.
        $puts = @(Get-TaggingPut rt-record)
        $puts.Count | Should -Be 1 -Because ($calls -join ', ')
        $puts[0]['backupiam:managed'] | Should -Be 'true'
        $puts[0]['backupiam:versioning'] | Should -Be 'enabled-by-module'
        @($calls | Where-Object { $_ -eq 's3 PUT /rt-record/?tagging' }).Count | Should -Be 1
        [array]::IndexOf($calls, 's3 PUT /rt-record/?versioning') | Should -BeGreaterThan ([array]::IndexOf($calls, 's3 PUT /rt-record/?tagging')) -Because ($calls -join ', ')
        $result.Count | Should -Be 1   # Set-BackupLifecycle's rule
        $versioning.Count | Should -Be 1
        $versioning[0].Status | Should -Be 'Updated'
        $versioning[0].Versioning | Should -Be 'Enabled'
        $versioning[0].Changes | Should -Be 's3:PutBucketVersioning'
        # Deterministic: Enable-BackupVersioning says it took New-BackupBucket's word that the record is written.
        @($debug | Where-Object { $_ -like '*VersioningRecord*rt-record*written*' }).Count | Should -Be 1
        $bucket = Get-BackupBucket -BucketName rt-record
        $bucket.Tags['backupiam:managed'] | Should -Be 'true'
        $bucket.Tags['backupiam:versioning'] | Should -Be 'enabled-by-module'
        $bucket.VersioningEnabledByModule | Should -BeTrue

        # A re-run finds everything in place.
        Start-MotoRecording -Url $script:moto.Url
        $again = @(New-BackupBucket -BucketName rt-record | Enable-BackupVersioning | Set-BackupLifecycle -NoncurrentVersionExpirationDays 30 -AbortIncompleteMultipartUploadDays 7)
        @(Get-MotoWriteCall -Url $script:moto.Url).Count | Should -Be 0
        $again | ForEach-Object { $_.Status | Should -Be 'Unchanged' }
    }

    It 'leaves the record to Enable-BackupVersioning, as before, when it runs with -WhatIf, -Confirm:$false aside' {
        # -WhatIf downstream: nothing can be promised, New-BackupBucket's tag is the managed tag alone.
        Start-MotoRecording -Url $script:moto.Url
        $planned = New-BackupBucket -BucketName rt-record-whatif | Enable-BackupVersioning -WhatIf
        $planned.Status | Should -Be 'Planned'
        $planned.Changes | Should -Be 's3:PutBucketVersioning'
        $puts = @(Get-TaggingPut rt-record-whatif)
        $puts.Count | Should -Be 1
        $puts[0].Keys | Should -Be @('backupiam:managed')
        (Get-BackupBucket -BucketName rt-record-whatif).VersioningEnabledByModule | Should -BeFalse

        # The bucket exists now: the same pipeline without -WhatIf leaves New-BackupBucket with nothing to write, and
        # Enable-BackupVersioning reads the tags, merges and writes the record itself before PutBucketVersioning.
        Start-MotoRecording -Url $script:moto.Url
        $enabled = New-BackupBucket -BucketName rt-record-whatif | Enable-BackupVersioning -Confirm:$false
        $calls = @(Get-MotoCall -Url $script:moto.Url | ForEach-Object { "$($_.Service) $($_.Operation)" })
        $enabled.Status | Should -Be 'Updated'
        @(Get-MotoWriteCall -Url $script:moto.Url | ForEach-Object Operation) | Should -Be @('PUT /rt-record-whatif/?tagging', 'PUT /rt-record-whatif/?versioning')
        $puts = @(Get-TaggingPut rt-record-whatif)
        $puts[0]['backupiam:managed'] | Should -Be 'true'
        $puts[0]['backupiam:versioning'] | Should -Be 'enabled-by-module'
        $calls | Should -Contain 's3 GET /rt-record-whatif/?tagging'
        (Get-BackupBucket -BucketName rt-record-whatif).VersioningEnabledByModule | Should -BeTrue
    }

    It 'leaves the record to Enable-BackupVersioning when New-BackupBucket runs with -WhatIf or the bucket is named on its command line' {
        Start-MotoRecording -Url $script:moto.Url
        $planned = New-BackupBucket -BucketName rt-record-plan -WhatIf | Enable-BackupVersioning -WhatIf
        $planned.Changes | Should -Be 's3:PutBucketVersioning'
        @(Get-MotoWriteCall -Url $script:moto.Url).Count | Should -Be 0

        # -BucketName given downstream: Enable-BackupVersioning does not take the bucket from the pipeline, wants nothing.
        Start-MotoRecording -Url $script:moto.Url
        New-BackupBucket -BucketName rt-record-named | Enable-BackupVersioning -BucketName rt-record-named | Out-Null
        $puts = @(Get-TaggingPut rt-record-named)
        $puts.Count | Should -Be 2
        $puts[0].Keys | Should -Be @('backupiam:managed')
        $puts[1]['backupiam:versioning'] | Should -Be 'enabled-by-module'
        (Get-BackupBucket -BucketName rt-record-named).VersioningEnabledByModule | Should -BeTrue
    }
}

Describe 'A new bucket whose tag write the store refuses keeps the record with Enable-BackupVersioning (round 5)' {
    BeforeAll {
        # moto with authentication on, after three unauthenticated calls that make a user whose policy denies
        # s3:PutBucketTagging: New-BackupBucket's tag write is answered 403, which it tolerates (a warning).
        $env:INITIAL_NO_AUTH_ACTION_COUNT = '3'
        try { $script:authMoto = Start-MotoServer } finally { Remove-Item Env:INITIAL_NO_AUTH_ACTION_COUNT -ErrorAction SilentlyContinue }
        $deny = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"s3:PutBucketTagging","Resource":"*"}]}'
        $null = & aws --endpoint-url $script:authMoto.Url --region us-east-1 iam create-user --user-name rt-no-tags
        $null = & aws --endpoint-url $script:authMoto.Url --region us-east-1 iam put-user-policy --user-name rt-no-tags --policy-name NoTags --policy-document $deny
        $script:noTagKey = (& aws --endpoint-url $script:authMoto.Url --region us-east-1 --output json iam create-access-key --user-name rt-no-tags | ConvertFrom-Json).AccessKey
    }

    AfterAll { if ($script:authMoto) { Stop-MotoServer -Server $script:authMoto } }

    It 'hands no record on: Enable-BackupVersioning sends its own PUT ?tagging (refused too) and still turns versioning on' {
        $as = @{ EndpointUrl = $script:authMoto.Url; AccessKey = $script:noTagKey.AccessKeyId; SecretKey = $script:noTagKey.SecretAccessKey; Region = 'us-east-1' }
        Start-MotoRecording -Url $script:authMoto.Url
        $DebugPreference = 'Continue'   # this test's scope only
        $out = @(. { New-BackupBucket -BucketName rt-no-tags @as -WarningVariable warned 3>$null | Enable-BackupVersioning @as } 5>&1)
        $DebugPreference = 'SilentlyContinue'
        $result = @($out | Where-Object { $_ -isnot [System.Management.Automation.DebugRecord] })
        $debug = @($out | Where-Object { $_ -is [System.Management.Automation.DebugRecord] } | ForEach-Object Message)
        $calls = @(Get-MotoCall -Url $script:authMoto.Url | ForEach-Object { "$($_.Service) $($_.Operation)" })
        ($warned -join "`n") | Should -Match 'PutBucketTagging answered HTTP 403'
        ($warned -join "`n") | Should -Match 'these credentials may not write its tags'
        $result.Count | Should -Be 1
        $result[0].Status | Should -Be 'Updated'
        $result[0].Versioning | Should -Be 'Enabled'
        # New-BackupBucket's tag write (with the record) was refused, so it offered nothing; with an offer taken anyway
        # there would be one PUT ?tagging here.
        @($calls | Where-Object { $_ -eq 's3 PUT /rt-no-tags/?tagging' }).Count | Should -Be 2 -Because ($calls -join ', ')
        [array]::IndexOf($calls, 's3 PUT /rt-no-tags/?versioning') | Should -BeGreaterThan ([array]::LastIndexOf($calls, 's3 PUT /rt-no-tags/?tagging'))
        @($debug | Where-Object { $_ -like '*VersioningRecord*' }) | Should -BeNullOrEmpty
    }
}
