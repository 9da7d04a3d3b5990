# Issue 17, output: every view of the module renders at 120 columns with no line longer than 120, nothing cut with
# PowerShell's ellipsis, and the key text (the whole action name, the resource relative to the bucket, the status)
# whole on one line. Also the -Summary pivot of Test-BackupPolicy, and the -Path / line-array input of Set-*Policy.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-BuiltModule
    # The view file is loaded at the first use of one of the module's cmdlets in a runspace.
    $null = Get-BackupPreset

    function Show-At120 {
        param([Parameter(ValueFromPipeline)] $InputObject, [switch] $List)
        begin { $items = [System.Collections.Generic.List[object]]::new() }
        process { $items.Add($InputObject) }
        end {
            $text = if ($List) { $items | Format-List | Out-String -Width 120 } else { $items | Out-String -Width 120 }
            , @($text -split '\r?\n')
        }
    }

    function Assert-Fits {
        param([string[]] $Lines)
        $long = @($Lines | Where-Object { $_.Length -gt 120 })
        $long | Should -HaveCount 0 -Because "no line may be longer than 120 characters: $($long -join ' | ')"
        ($Lines -join "`n") | Should -Not -Match '…' -Because 'nothing may be cut off with an ellipsis'
    }

    function Find-Line {
        # The rendered line that holds every one of the given texts whole.
        param([string[]] $Lines, [string[]] $Text)
        @($Lines | Where-Object { $line = $_; @($Text | Where-Object { -not $line.Contains($_) }).Count -eq 0 })
    }
}

Describe 'Simulator and linter views at 120 columns' {
    It 'shows the README headline example with the whole action and the resource relative to the bucket' {
        $lines = New-BackupPolicy -Preset UploadOnly -BucketName your-bucket-name -Prefix backup/ | Test-BackupPolicy -AllowedOnly | Show-At120
        Assert-Fits $lines
        $lines[1] | Should -Match '^Decision\s+Action\s+ResourceKind\s+Resource\s*$'
        Find-Line $lines 'Allowed', 's3:PutObject', 'ObjectInPrefix', 'backup/example-object' | Should -HaveCount 1
        ($lines -join "`n") | Should -Not -Match 'arn:aws:s3:::your-bucket-name/backup' -Because 'the resource is shown relative to the bucket'
    }

    It 'shows the longest S3 action names whole in the full matrix' {
        $decisions = @(New-BackupPolicy -Preset Rclone -BucketName a-rather-long-backup-bucket-name-for-views -Prefix backups/dataset-1/ | Test-BackupPolicy)
        $lines = $decisions | Show-At120
        Assert-Fits $lines
        $longest = $decisions | Sort-Object { $_.Action.Length } -Descending | Select-Object -First 1
        $longest.Action.Length | Should -BeGreaterThan 40 -Because 'the matrix probes every S3 action, long names included'
        Find-Line $lines $longest.Action | Should -Not -BeNullOrEmpty
        Find-Line $lines 'Allowed', 's3:ListBucket', 'ListContext', '(bucket) prefix=backups/dataset-1/' | Should -Not -BeNullOrEmpty
        Find-Line $lines 'ImplicitDeny', 's3:PutObject', 'OtherBucketObject', 'other-bucket/' | Should -Not -BeNullOrEmpty
        # The list view keeps the full ARN and who decided.
        $list = $decisions | Where-Object { $_.Decision -eq 'Allowed' } | Select-Object -First 1 | Show-At120 -List
        ($list -join "`n") | Should -Match 'Resource\s+: arn:aws:s3:::a-rather-long-backup-bucket-name-for-views'
        ($list -join "`n") | Should -Match 'DecidedBy\s+: \S'
    }

    It 'shows a finding''s whole Message and Fix (wrapped, never cut)' {
        $policy = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject","s3:PutObjectAcl","s3:DeleteObject"],"Resource":"arn:aws:s3:::bkt/backup/*"},{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}'
        $findings = @($policy | Get-BackupPolicyFinding)
        $findings.Count | Should -BeGreaterThan 1
        $lines = $findings | Show-At120
        Assert-Fits $lines
        $flat = (($lines | ForEach-Object { $_.TrimEnd() }) -join ' ') -replace '\s+', ' '
        foreach ($finding in $findings) {
            Find-Line $lines $finding.Severity, $finding.Id | Should -Not -BeNullOrEmpty -Because "$($finding.Id) starts a row"
            # Every word of the message and fix is in the table (the columns wrap at word boundaries).
            foreach ($word in (($finding.Message + ' ' + $finding.Fix) -split '\s+' | Where-Object { $_.Length -gt 3 -and $_.Length -lt 30 })) {
                $flat | Should -Match ([regex]::Escape($word)) -Because "'$word' of $($finding.Id) must not be cut"
            }
        }
    }

    It 'shows -Expect differences with the whole action name' {
        $lines = New-BackupPolicy -Preset UploadOnly -BucketName b1-bucket -Prefix backup/ |
            Test-BackupPolicy -Expect s3:PutObject, s3:GetObject, s3:DeleteObjectVersion | Show-At120
        Assert-Fits $lines
        Find-Line $lines 'Allowed', 's3:GetObject' | Should -Not -BeNullOrEmpty
    }

    It 'pivots the access matrix: one row per action group, a column per resource kind' {
        $rows = @(New-BackupPolicy -Preset Rclone -BucketName rclone-backups -Prefix backups/dataset-1/ | Test-BackupPolicy -Summary)
        $rows.ActionGroup | Should -Be @('List', 'Read', 'Write', 'Delete', 'Permissions', 'Tagging')
        $delete = $rows | Where-Object ActionGroup -EQ 'Delete'
        $delete.ObjectInPrefix | Should -Match '^[1-9]\d*/\d+$' -Because 'rclone deletes inside its prefix'
        $delete.ObjectOutsidePrefix | Should -Match '^0/\d+$' -Because 'and nowhere else'
        $delete.OtherBucketObject | Should -Match '^0/\d+$'
        $delete.AllowedActions | Should -Contain 's3:DeleteObject'
        ($rows | Where-Object ActionGroup -EQ 'Permissions').AllowedActions | Should -HaveCount 0
        # The counts agree with the full matrix.
        $matrix = @(New-BackupPolicy -Preset Rclone -BucketName rclone-backups -Prefix backups/dataset-1/ | Test-BackupPolicy)
        $write = $rows | Where-Object ActionGroup -EQ 'Write'
        $allowedInPrefix = @($matrix | Where-Object { $_.ResourceKind -eq 'ObjectInPrefix' -and $_.Decision -eq 'Allowed' -and $write.AllowedActions -contains $_.Action } | Select-Object -ExpandProperty Action -Unique)
        [int]($write.ObjectInPrefix -split '/')[0] | Should -Be $allowedInPrefix.Count
        $allowedInPrefix.Count | Should -BeGreaterThan 0
        $lines = $rows | Show-At120
        Assert-Fits $lines
        $lines[1] | Should -Match '^ActionGroup\s+Bucket\s+InPrefix\s+OutsidePrefix\s+ListContext\s+OtherBucket\s+OtherObject\s+AllResources$'
    }

    It 'refuses -Summary together with -Action' {
        { New-BackupPolicy -Preset UploadOnly -BucketName b1-bucket | Test-BackupPolicy -Summary -Action s3:PutObject -ErrorAction Stop } |
            Should -Throw -ErrorId 'AmbiguousParameterSet,BackupIam.Commands.TestBackupPolicyCommand'
    }

    It 'shows New-BackupPolicy as a table, with the JSON only in the list view' {
        $policy = New-BackupPolicy -Preset Rclone -BucketName rclone-backups -Prefix backups/dataset-1/ -AllowMultipart -PolicyName RcloneDataset1
        $lines = $policy | Show-At120
        Assert-Fits $lines
        Find-Line $lines 'RcloneDataset1', 'Identity', 'Rclone', 'rclone-backups', 'backups/dataset-1/' | Should -HaveCount 1
        ($lines -join "`n") | Should -Not -Match '"Statement"'
        ($policy | Show-At120 -List) -join "`n" | Should -Match '"Statement"'
    }
}

Describe 'Provisioning result views at 120 columns' {
    BeforeAll {
        $longUser = 'u' * 64
        $script:results = @(
            [BackupIam.BackupUser]@{ UserName = 'MySiteBackupUser'; Arn = 'arn:aws:iam::123456789012:user/MySiteBackupUser'; Status = 'Created'; Changes = @('iam:CreateUser') }
            [BackupIam.BackupUser]@{ UserName = $longUser; Arn = "arn:aws:iam::123456789012:user/$longUser"; Status = 'Unchanged' }
            [BackupIam.BackupAccessKey]@{ UserName = 'MySiteBackupUser'; AccessKeyId = 'AKIAIOSFODNN7EXAMPLE'; KeyStatus = 'Active'; StoredAs = 'mysite-backup'; Status = 'Created'; Changes = @('iam:CreateAccessKey') }
            [BackupIam.BackupGroup]@{ GroupName = 'MySiteBackupUsers'; Arn = 'arn:aws:iam::123456789012:group/MySiteBackupUsers'; Status = 'Created'; Changes = @('iam:CreateGroup') }
            [BackupIam.BackupGroupMembership]@{ UserName = 'MySiteBackupUser'; GroupName = 'MySiteBackupUsers'; Status = 'Updated'; Changes = @('iam:AddUserToGroup') }
            [BackupIam.BackupInlinePolicy]@{ OwnerType = 'User'; UserName = 'rclone'; PolicyName = 'RcloneDataset1'; Status = 'Created'; Changes = @('iam:PutUserPolicy'); PolicyDocument = '{"Version":"2012-10-17","Statement":[]}' }
            [BackupIam.BackupBucket]@{ BucketName = 'a' * 63; Region = 'ap-southeast-2'; Status = 'Created'; Changes = @('s3:CreateBucket', 's3:PutPublicAccessBlock', 's3:PutBucketOwnershipControls', 's3:PutBucketEncryption', 's3:PutObject') }
            [BackupIam.BackupBucketPolicy]@{ BucketName = 'my-backup-bucket'; Status = 'Updated'; Added = @('AllowPut'); Replaced = @('KeepMe'); Changes = @('s3:PutBucketPolicy'); PolicyDocument = '{"Version":"2012-10-17","Statement":[]}' }
            [BackupIam.BackupBucketVersioning]@{ BucketName = 'wp-backups'; Versioning = 'Enabled'; PreviousVersioning = 'Off'; Status = 'Updated'; Changes = @('s3:PutBucketVersioning') }
            [BackupIam.BackupLifecycleRule]@{ BucketName = 'wp-backups'; RuleId = 'backup-retention'; Description = 'noncurrent versions expire after 30 days; incomplete uploads aborted after 7 days'; Status = 'Created'; Changes = @('s3:PutBucketLifecycleConfiguration') }
        )
    }

    It 'renders <_> as a table of at most 120 columns with its status and changes' -ForEach @(
        'BackupUser', 'BackupAccessKey', 'BackupGroup', 'BackupGroupMembership', 'BackupInlinePolicy', 'BackupBucket',
        'BackupBucketPolicy', 'BackupBucketVersioning', 'BackupLifecycleRule') {
        $typeName = $_
        $items = @($script:results | Where-Object { $_.GetType().Name -eq $typeName })
        $lines = $items | Show-At120
        Assert-Fits $lines
        $lines[1] | Should -Match '\bStatus\b' -Because 'the view is a table with a Status column'
        $lines[1] | Should -Match '\bChanges\s*$'
        ($lines -join "`n") | Should -Not -Match 'PolicyDocument|"Statement"' -Because 'the JSON is only in the list view'
        Find-Line $lines $items[0].Status, $items[0].Changes[0] | Should -Not -BeNullOrEmpty
    }

    It 'names the resource whole: user, owner of a policy, bucket, rule' {
        # One type at a time: in one Out-String, PowerShell shows objects of a later type as a list.
        $text = ($script:results | ForEach-Object { ($_ | Show-At120) -join "`n" }) -join "`n"
        $text | Should -Match 'MySiteBackupUser\s+Created\s+arn:aws:iam::123456789012:user/MySiteBackupUser\s+iam:CreateUser'
        $text | Should -Match 'user rclone\s+RcloneDataset1\s+Created\s+iam:PutUserPolicy'
        $text | Should -Match 'my-backup-bucket\s+Updated\s+\+AllowPut ~KeepMe\s+s3:PutBucketPolicy'
        $text | Should -Match 'wp-backups\s+backup-retention\s+Created'
        $text | Should -Match 'ap-southeast-2'
    }

    It 'keeps the policy JSON in the list view of <_>' -ForEach 'BackupInlinePolicy', 'BackupBucketPolicy' {
        $typeName = $_
        $list = ($script:results | Where-Object { $_.GetType().Name -eq $typeName } | Show-At120 -List) -join "`n"
        $list | Should -Match 'PolicyDocument\s+: \{"Version":"2012-10-17"'
    }
}

Describe 'Set-*Policy: -Path, line arrays, and a path given as -PolicyDocument' {
    BeforeAll {
        $script:dir = Join-Path ([System.IO.Path]::GetTempPath()) ("bi-views-" + [guid]::NewGuid())
        $null = New-Item -ItemType Directory -Path $script:dir
        New-BackupPolicy -Preset Rclone -BucketName rclone-backups -Prefix backups/dataset-1/ | Select-Object -ExpandProperty PolicyDocument |
            Set-Content -Path (Join-Path $script:dir 'policy.json')
        # No AWS call is made in these tests: validation comes first. Credentials are given so that the session resolves.
        $script:aws = @{ AccessKey = 'AKIAVIEWSTEST000001'; SecretKey = 'not-a-real-secret'; Region = 'us-east-1'; EndpointUrl = 'http://127.0.0.1:9' }
    }
    AfterAll { Remove-Item -Recurse -Force $script:dir -ErrorAction SilentlyContinue }

    It '<Cmdlet> -PolicyDocument ./policy.json says it looks like a file path, before any AWS call' -ForEach @(
        @{ Cmdlet = 'Set-BackupUserPolicy'; Owner = @{ UserName = 'rclone'; PolicyName = 'P' } }
        @{ Cmdlet = 'Set-BackupGroupPolicy'; Owner = @{ GroupName = 'backup'; PolicyName = 'P' } }
        @{ Cmdlet = 'Set-BackupBucketPolicy'; Owner = @{ BucketName = 'rclone-backups' } }) {
        $err = $null
        try { & $Cmdlet @Owner -PolicyDocument ./policy.json @script:aws -ErrorAction Stop } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike 'PolicyDocumentLooksLikePath,*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Match 'looks like a file path'
        $err.Exception.Message | Should -Match '-Path \./policy\.json'
        $err.Exception.Message | Should -Match 'Get-Content -Raw'
        $err.Exception.Message | Should -Not -Match 'Unexpected'
    }

    It 'takes -Path and line arrays as policy input (validated before any AWS call)' {
        Push-Location $script:dir
        try {
            # A file whose policy breaks the user's rules shows that the file was read and checked: a bucket policy.
            '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}' |
                Set-Content bucket.json
            $err = $null
            try { Set-BackupUserPolicy -UserName rclone -Path ./bucket.json @script:aws -ErrorAction Stop } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'PolicyNotIdentityPolicy,*'
            $err = $null
            try { Set-BackupUserPolicy -UserName rclone -PolicyName P -PolicyDocument (Get-Content ./bucket.json) @script:aws -ErrorAction Stop } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'PolicyNotIdentityPolicy,*'
            $err = $null
            try { Set-BackupGroupPolicy -GroupName g -Path ./missing.json @script:aws -ErrorAction Stop } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'PolicyFileNotFound,*'
            $err = $null
            try { Set-BackupBucketPolicy -BucketName bkt -Path ./*.json @script:aws -ErrorAction Stop } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'PolicyPathNotSingle,*'
            $err = $null
            try { Set-BackupUserPolicy -UserName rclone -PolicyName P -PolicyDocument (@(Get-Content ./policy.json) + @(Get-Content ./policy.json)) @script:aws -ErrorAction Stop } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'PolicyDocumentNotSingle,*'
        }
        finally { Pop-Location }
    }

    It 'documents -Path on every Set-*Policy cmdlet' -ForEach 'Set-BackupUserPolicy', 'Set-BackupGroupPolicy', 'Set-BackupBucketPolicy' {
        (Get-Help $_ -Parameter Path | Out-String) | Should -Match 'file'
        (Get-Help $_ -Examples | Out-String) | Should -Match '-Path \./'
    }
}

# Issue 16: the views are loaded while the first AWS cmdlet's requests are on their way, or before the first object is
# written, no longer at the start of every pipeline's first cmdlet. The first output of a fresh session must still
# come out in the module's views, whether the cmdlet called AWS or not, and whether it is shown at once or later.
Describe 'The first output of a fresh session is shown in the module''s views' {
    BeforeAll {
        $script:moto = Enter-MotoTestSession
        $script:manifest = Get-BuiltModuleManifest
    }
    AfterAll { Exit-MotoTestSession $script:moto }

    It 'an offline cmdlet as the first command: New-BackupPolicy as its table, the JSON only in the list view' {
        $out = Invoke-FreshPwsh "Import-Module '$script:manifest'; New-BackupPolicy -Preset UploadOnly -BucketName first-view-bucket -Prefix backup/ -PolicyName FirstView | Out-String -Width 120"
        $text = $out -join "`n"
        $text | Should -Match 'FirstView'
        $text | Should -Not -Match '"Statement"' -Because 'the default list formatting (no view loaded) would show the PolicyDocument JSON'
    }

    It 'an AWS cmdlet as the first command, shown by Out-Default and again later from a variable' {
        $name = 'first-view-' + [guid]::NewGuid().ToString('N').Substring(0, 8)
        $out = Invoke-FreshPwsh "Import-Module '$script:manifest'; New-BackupUser -UserName '$name-a' | Out-String -Width 120; `$u = New-BackupUser -UserName '$name-b'; 'SEPARATOR'; `$u | Out-String -Width 120"
        $text = $out -join "`n"
        $first, $later = $text -split 'SEPARATOR'
        foreach ($part in $first, $later) {
            $lines = @($part -split '\r?\n' | Where-Object { $_.Trim() })
            $lines[0] | Should -Match '\bStatus\b' -Because "the BackupUser view is a table with a Status column (got: $part)"
            $lines[0] | Should -Match '\bChanges\s*$'
        }
    }
}
