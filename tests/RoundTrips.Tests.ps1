# Issue 16: fewer sequential round trips, same behaviour. Requests are counted by moto's own request recording.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-BuiltModule
    $script:moto = Start-MotoServer
    $script:saved = @{}
    foreach ($name in 'AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'AWS_PROFILE') {
        $script:saved[$name] = [Environment]::GetEnvironmentVariable($name)
    }
    $env:AWS_ENDPOINT_URL = $script:moto.Url
    $env:AWS_ACCESS_KEY_ID = 'AKIAROUNDTRIPTEST01'
    $env:AWS_SECRET_ACCESS_KEY = 'round-trip-test-secret-not-real'
    $env:AWS_REGION = 'us-east-1'
    Remove-Item Env:AWS_PROFILE -ErrorAction SilentlyContinue
    $script:policy = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::rt-bucket"}]}'

    function Get-ReadCall {
        @(Get-MotoCall -Url $script:moto.Url | Where-Object { -not $_.IsWrite } | ForEach-Object { "$($_.Service) $($_.Operation)" })
    }
}

AfterAll {
    Stop-MotoServer $script:moto
    foreach ($name in $script:saved.Keys) { Restore-EnvironmentVariable -Name $name -Value $script:saved[$name] }
}

Describe 'Reads that cannot tell anything' {
    It 'skips the reads of a user and a group that an earlier cmdlet of the same pipeline just created' {
        Start-MotoRecording -Url $script:moto.Url
        New-BackupGroup -GroupName rt-group | Set-BackupGroupPolicy -PolicyName P -PolicyDocument $script:policy | Out-Null
        New-BackupUser -UserName rt-user | Add-BackupUserToGroup -GroupName rt-group | New-BackupAccessKey | Out-Null
        $reads = Get-ReadCall
        $reads | Should -Not -Contain 'iam GetGroupPolicy'
        $reads | Should -Not -Contain 'iam ListGroupsForUser'
        # The planning read is skipped; the check under the per-user lock before CreateAccessKey stays (keys-faults).
        @($reads | Where-Object { $_ -eq 'iam ListAccessKeys' }).Count | Should -Be 1
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
        Start-MotoRecording -Url $script:moto.Url
        New-BackupBucket -BucketName rt-bucket | Enable-BackupVersioning | Set-BackupLifecycle -NoncurrentVersionExpirationDays 30 | Out-Null
        $reads = Get-ReadCall
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
