# about_BackupIam_Errors lists every ErrorId the sources can raise; scripts catch errors by ErrorId and category, and
# $ErrorActionPreference = 'Stop' makes a scheduled script (pwsh -File) exit non-zero on a service error.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'SourceErrorIds.psm1') -Force
    Import-BuiltModule
    $script:manifest = (Resolve-Path (Get-BuiltModuleManifest)).Path
    $script:topicPath = Join-Path $PSScriptRoot '../en-US/about_BackupIam_Errors.help.txt'
    $script:sourceIds = @(Get-SourceErrorId -SourceRoot (Join-Path $PSScriptRoot '../src'))
    # Entries are "    <ErrorId> (<ErrorCategory>)" lines.
    $script:entries = @([regex]::Matches([System.IO.File]::ReadAllText($script:topicPath), '(?m)^ {4}(?<id>[A-Z][A-Za-z0-9]+) \((?<category>[A-Za-z]+)\)\s*$') |
            ForEach-Object { [pscustomobject]@{ ErrorId = $_.Groups['id'].Value; Category = $_.Groups['category'].Value } })

    function Invoke-PwshFile {
        <# Runs a script file the way a scheduler does (pwsh -File) and returns its output and exit code. #>
        param([string] $Text)
        $file = Join-Path ([System.IO.Path]::GetTempPath()) "backupiam-script-$([guid]::NewGuid().ToString('N')).ps1"
        [System.IO.File]::WriteAllText($file, $Text)
        try {
            $self = [System.Diagnostics.Process]::GetCurrentProcess().MainModule.FileName
            $output = if ([System.IO.Path]::GetFileNameWithoutExtension($self) -in 'pwsh', 'powershell') {
                & $self -NoProfile -NonInteractive -File $file 2>&1
            }
            else { & $self (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -File $file 2>&1 }
            [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = ($output | Out-String) }
        }
        finally { Remove-Item $file -ErrorAction SilentlyContinue }
    }
}

Describe 'about_BackupIam_Errors' {
    It 'is shown by Get-Help' {
        $text = Get-Help about_BackupIam_Errors | Out-String
        $text | Should -Match 'about_BackupIam_Errors'
        $text | Should -Match 'IamGroupNotFound'
    }

    It 'finds the ErrorIds in every form the sources use (a check of the collector itself)' {
        # const field, errorId-parameter method, errorId assignment, ': base(...)', ?: choice, new ErrorRecord.
        foreach ($id in 'BucketNameInvalid', 'IamUserNameInvalid', 'S3NoSuchBucket', 'IamEntityAlreadyExists', 'StsAuthenticationFailed', 'StsServiceError', 'UnexpectedError', 'AwsCredentialPairIncomplete') {
            $script:sourceIds.ErrorId | Should -Contain $id
        }
        # Lint finding ids, AWS error codes and action names are not ErrorIds.
        foreach ($notAnId in 'UnknownAction', 'NoSuchEntity', 'CreateUser', 'PutObject') { $script:sourceIds.ErrorId | Should -Not -Contain $notAnId }
    }

    It 'lists every ErrorId used in the sources' {
        $missing = @($script:sourceIds | Where-Object { $_.ErrorId -cnotin $script:entries.ErrorId } | ForEach-Object ErrorId)
        $missing | Should -HaveCount 0 -Because "about_BackupIam_Errors.help.txt needs an entry '    <ErrorId> (<Category>)' for each of: $($missing -join ', ')"
    }

    It 'lists no ErrorId that the sources no longer use' {
        $stale = @($script:entries.ErrorId | Where-Object { $_ -cnotin $script:sourceIds.ErrorId })
        $stale | Should -HaveCount 0 -Because "these entries of about_BackupIam_Errors.help.txt name no ErrorId in src/: $($stale -join ', ')"
    }

    It 'gives each entry a real ErrorCategory, once' {
        $categories = [enum]::GetNames([System.Management.Automation.ErrorCategory])
        foreach ($entry in $script:entries) { $entry.Category | Should -BeIn $categories -Because "$($entry.ErrorId)'s category" }
        @($script:entries.ErrorId | Group-Object | Where-Object Count -GT 1 | ForEach-Object Name) | Should -HaveCount 0
    }

    It 'documents catching by FullyQualifiedErrorId with -ErrorAction Stop, and $ErrorActionPreference = ''Stop''' {
        $text = [System.IO.File]::ReadAllText($script:topicPath)
        $text | Should -Match '-ErrorAction Stop'
        $text | Should -Match '\$_\.FullyQualifiedErrorId'
        $text | Should -Match "\`$ErrorActionPreference = 'Stop'"
    }
}

Describe 'Scheduled-script examples in the help' {
    It 'start with $ErrorActionPreference = ''Stop''' {
        $checked = 0
        foreach ($command in Get-Command -Module BackupIam -CommandType Cmdlet) {
            foreach ($example in @((Get-Help $command.Name).examples.example)) {
                $about = "$($example.title) $(($example.remarks | Out-String))"
                if ($about -match 'schedul') {
                    $checked++
                    $example.code | Should -Match "\`$ErrorActionPreference = 'Stop'" -Because "$($command.Name) $($example.title.Trim(' -')) is a scheduled-script example"
                }
            }
        }
        $checked | Should -BeGreaterThan 0 -Because 'the help has scheduled-script examples'
    }
}

Describe 'Errors in a script run with pwsh -File' {
    BeforeAll {
        $script:moto = Start-MotoServer
        # The script gets its own fake keys and endpoint, whatever the test machine's environment holds.
        $script:prologue = @"
Import-Module '$($script:manifest)'
`$aws = @{ EndpointUrl = '$($script:moto.Url)'; AccessKey = 'AKIASCRIPTTEST000001'; SecretKey = 'script-secret'; Region = 'us-east-1' }
"@
    }

    AfterAll {
        if ($script:moto) { Stop-MotoServer -Server $script:moto }
    }

    It 'catches a service error by FullyQualifiedErrorId and category with -ErrorAction Stop' {
        $result = Invoke-PwshFile @"
$($script:prologue)
New-BackupUser -UserName script-user @aws | Out-Null
try {
    Add-BackupUserToGroup -UserName script-user -GroupName script-missing-group @aws -ErrorAction Stop
    'not caught'
}
catch {
    if (`$_.FullyQualifiedErrorId -like 'IamGroupNotFound,*') {
        "caught id=`$((`$_.FullyQualifiedErrorId -split ',')[0]) category=`$(`$_.CategoryInfo.Category) target=`$(`$_.TargetObject)"
    }
    else { throw }
}
"@
        $result.Output | Should -Match 'caught id=IamGroupNotFound category=ObjectNotFound target=script-missing-group'
        $result.Output | Should -Not -Match 'not caught'
        $result.ExitCode | Should -Be 0
    }

    It 'cannot catch by the engine''s exception type, which is why the topic says to catch by ErrorId' {
        $result = Invoke-PwshFile @"
$($script:prologue)
try { Add-BackupUserToGroup -UserName nobody-here -GroupName none @aws -ErrorAction Stop }
catch [BackupIam.Engine.Errors.BackupIamException] { 'CAUGHT' + '-BY-TYPE' }
"@
        $result.Output | Should -Not -Match 'CAUGHT-BY-TYPE'
        $result.Output | Should -Match 'Unable to find type \[BackupIam\.Engine\.Errors\.BackupIamException\]'
    }

    It 'exits 0 after a failing last command by default (PowerShell''s convention), and 1 with $ErrorActionPreference = ''Stop''' {
        $failing = "Add-BackupUserToGroup -UserName nobody-here -GroupName none @aws`n'AFTER' + '-THE-FAILURE'`nAdd-BackupUserToGroup -UserName nobody-here -GroupName none @aws"
        $default = Invoke-PwshFile "$($script:prologue)`n$failing"
        $default.Output | Should -Match "IAM user 'nobody-here' does not exist"
        $default.Output | Should -Match 'AFTER-THE-FAILURE'
        $default.ExitCode | Should -Be 0

        $strict = Invoke-PwshFile "`$ErrorActionPreference = 'Stop'`n$($script:prologue)`n$failing"
        $strict.Output | Should -Match "IAM user 'nobody-here' does not exist"
        $strict.Output | Should -Not -Match 'AFTER-THE-FAILURE'
        $strict.ExitCode | Should -Be 1
    }
}
