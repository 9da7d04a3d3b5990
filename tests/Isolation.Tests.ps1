# Load-context isolation of the BUILT module, each case in a FRESH pwsh: another module that loads a different
# AWSSDK.Core into the default load context (the stand-in for AWS.Tools V5 in fixtures/StandInAwsModule) works next to
# BackupIam in either import order, its credential objects cross the load-context boundary, the import itself loads no
# AWSSDK, and re-imports keep every cmdlet. The child scripts print one '##RESULT <json>' line that is parsed here.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:manifest = (Resolve-Path (Get-BuiltModuleManifest)).Path
    $script:standIn = (Resolve-Path (Join-Path $PSScriptRoot 'fixtures/StandInAwsModule/StandInAwsModule.psd1')).Path
    $script:moto = Start-MotoServer
    $script:url = $script:moto.Url

    # The AWSSDK.Core that BackupIam ships (the build copies it next to the cmdlet assembly).
    $ownSdk = Join-Path (Split-Path $script:manifest) 'bin/deps/AWSSDK.Core.dll'
    $script:ownSdkFileVersion = [System.Diagnostics.FileVersionInfo]::GetVersionInfo($ownSdk).FileVersion
    $script:standInSdkFileVersion = '4.0.3.3'

    function Invoke-IsolationScript {
        <# Runs $Body in a fresh pwsh with $manifest, $standIn and $url defined and returns the child's $result. #>
        param([Parameter(Mandatory)] [string] $Body)
        $quote = { param($s) "'" + ($s -replace "'", "''") + "'" }
        $script = @"
`$ErrorActionPreference = 'Continue'
`$ProgressPreference = 'SilentlyContinue'
`$manifest = $(& $quote $script:manifest)
`$standIn = $(& $quote $script:standIn)
`$url = $(& $quote $script:url)
foreach (`$name in 'AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL_IAM', 'AWS_ENDPOINT_URL_STS') {
    Remove-Item -Path "Env:`$name" -ErrorAction SilentlyContinue
}
`$env:AWS_ACCESS_KEY_ID = 'AKIAISOLATIONENV0001'
`$env:AWS_SECRET_ACCESS_KEY = 'isolation-env-secret'
`$env:AWS_REGION = 'us-east-1'
function Get-SdkCore {
    @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'AWSSDK.Core' } | ForEach-Object {
        [ordered]@{
            Context     = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext(`$_).Name
            FileVersion = [System.Diagnostics.FileVersionInfo]::GetVersionInfo(`$_.Location).FileVersion
            Location    = `$_.Location
        }
    })
}
function Get-ContextName([object] `$value) { [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext(`$value.GetType().Assembly).Name }
`$result = [ordered]@{}
`$Error.Clear()
try {
$Body
}
catch {
    `$result.Exception = `$_.ToString()
}
`$result.Errors = @(`$Error | ForEach-Object { `$_.ToString() })
'##RESULT ' + (ConvertTo-Json -InputObject `$result -Compress -Depth 6)
"@
        $lines = @(Invoke-FreshPwsh -Script $script)
        $line = $lines | Where-Object { $_ -is [string] -and $_.StartsWith('##RESULT ') } | Select-Object -Last 1
        if (-not $line) { throw "The child pwsh printed no result. Its output:`n$($lines -join "`n")" }
        $line.Substring('##RESULT '.Length) | ConvertFrom-Json
    }
}

AfterAll {
    if ($script:moto) { Stop-MotoServer -Server $script:moto }
}

Describe 'A module that loads another AWSSDK.Core into the default load context' {
    Context 'imported BEFORE BackupIam (order A)' {
        BeforeAll {
            $script:a = Invoke-IsolationScript -Body @'
Import-Module $standIn -ErrorAction Stop
$cred = New-StandInCredential -AccessKey AKIASTANDINORDERA01 -SecretKey x
$result.StandInBefore = [ordered]@{ Type = $cred.GetType().FullName; Context = (Get-ContextName $cred); AccessKey = $cred.GetCredentials().AccessKey }
$result.StandInSdk = Get-StandInSdkVersion | Select-Object FileVersion, LoadContext
Import-Module $manifest -ErrorAction Stop
$bucket = New-BackupBucket -BucketName iso-a-bucket -EndpointUrl $url
$result.Bucket = [ordered]@{ Name = $bucket.BucketName; Status = $bucket.Status; Context = (Get-ContextName $bucket) }
$cred = New-StandInCredential -AccessKey AKIASTANDINORDERA02 -SecretKey x
$result.StandInAfter = [ordered]@{ Type = $cred.GetType().FullName; Context = (Get-ContextName $cred); AccessKey = $cred.GetCredentials().AccessKey }
$result.Sdk = Get-SdkCore
'@
        }

        It 'writes no error' {
            $script:a.Exception | Should -BeNullOrEmpty
            @($script:a.Errors) | Should -HaveCount 0
        }

        It 'the stand-in works with its own AWSSDK.Core 4.0.3.3 in the default context, before and after BackupIam' {
            $script:a.StandInSdk.FileVersion | Should -Be $script:standInSdkFileVersion
            $script:a.StandInSdk.LoadContext | Should -Be 'Default'
            foreach ($c in $script:a.StandInBefore, $script:a.StandInAfter) {
                $c.Type | Should -Be 'Amazon.Runtime.BasicAWSCredentials'
                $c.Context | Should -Be 'Default'
            }
            $script:a.StandInBefore.AccessKey | Should -Be 'AKIASTANDINORDERA01'
            $script:a.StandInAfter.AccessKey | Should -Be 'AKIASTANDINORDERA02'
        }

        It 'BackupIam''s AWS cmdlet succeeds against moto' {
            $script:a.Bucket.Name | Should -Be 'iso-a-bucket'
            $script:a.Bucket.Status | Should -Be 'Created'
            # Output objects come from the cmdlet assembly, which PowerShell loads into Default; it has no AWSSDK types.
            $script:a.Bucket.Context | Should -Be 'Default'
        }

        It 'two AWSSDK.Core builds are loaded: BackupIam''s in the BackupIam context, the stand-in''s in Default' {
            $sdk = @($script:a.Sdk)
            $sdk | Should -HaveCount 2
            $own = @($sdk | Where-Object Context -EQ 'BackupIam')
            $own | Should -HaveCount 1
            $own[0].FileVersion | Should -Be $script:ownSdkFileVersion
            $own[0].Location | Should -BeLike "$(Split-Path $script:manifest)*"
            $default = @($sdk | Where-Object Context -EQ 'Default')
            $default | Should -HaveCount 1
            $default[0].FileVersion | Should -Be $script:standInSdkFileVersion
            $own[0].FileVersion | Should -Not -Be $default[0].FileVersion
        }
    }

    Context 'imported AFTER BackupIam has loaded its AWSSDK (order B)' {
        BeforeAll {
            $script:b = Invoke-IsolationScript -Body @'
Import-Module $manifest -ErrorAction Stop
$bucket = New-BackupBucket -BucketName iso-b-bucket -EndpointUrl $url
$result.BucketBefore = [ordered]@{ Name = $bucket.BucketName; Status = $bucket.Status }
$result.SdkBefore = Get-SdkCore
Import-Module $standIn -ErrorAction Stop
$cred = New-StandInCredential -AccessKey AKIASTANDINORDERB01 -SecretKey x
$result.StandIn = [ordered]@{ Type = $cred.GetType().FullName; Context = (Get-ContextName $cred); AccessKey = $cred.GetCredentials().AccessKey }
$result.StandInSdk = Get-StandInSdkVersion | Select-Object FileVersion, LoadContext
$bucket = New-BackupBucket -BucketName iso-b-bucket-2 -EndpointUrl $url
$result.BucketAfter = [ordered]@{ Name = $bucket.BucketName; Status = $bucket.Status }
$result.Sdk = Get-SdkCore
'@
        }

        It 'writes no error' {
            $script:b.Exception | Should -BeNullOrEmpty
            @($script:b.Errors) | Should -HaveCount 0
        }

        It 'BackupIam had loaded its own AWSSDK.Core (in its context) before the stand-in came' {
            $before = @($script:b.SdkBefore)
            $before | Should -HaveCount 1
            $before[0].Context | Should -Be 'BackupIam'
            $before[0].FileVersion | Should -Be $script:ownSdkFileVersion
            $script:b.BucketBefore.Status | Should -Be 'Created'
        }

        It 'the stand-in then loads and uses its AWSSDK.Core 4.0.3.3 in the default context' {
            $script:b.StandInSdk.FileVersion | Should -Be $script:standInSdkFileVersion
            $script:b.StandInSdk.LoadContext | Should -Be 'Default'
            $script:b.StandIn.Type | Should -Be 'Amazon.Runtime.BasicAWSCredentials'
            $script:b.StandIn.Context | Should -Be 'Default'
            $script:b.StandIn.AccessKey | Should -Be 'AKIASTANDINORDERB01'
        }

        It 'BackupIam still works after the stand-in loaded' {
            $script:b.BucketAfter.Name | Should -Be 'iso-b-bucket-2'
            $script:b.BucketAfter.Status | Should -Be 'Created'
        }

        It 'two AWSSDK.Core builds are loaded: BackupIam''s in the BackupIam context, the stand-in''s in Default' {
            $sdk = @($script:b.Sdk)
            $sdk | Should -HaveCount 2
            @($sdk | Where-Object { $_.Context -eq 'BackupIam' -and $_.FileVersion -eq $script:ownSdkFileVersion }) | Should -HaveCount 1
            @($sdk | Where-Object { $_.Context -eq 'Default' -and $_.FileVersion -eq $script:standInSdkFileVersion }) | Should -HaveCount 1
        }
    }
}

Describe 'The stand-in''s AWSCredentials passed to -Credential' {
    It 'signs BackupIam''s requests with that key across load contexts (<Order>)' -ForEach @(
        @{ Order = 'stand-in first'; Bucket = 'iso-cred-a'; Body = @'
Import-Module $standIn -ErrorAction Stop
Import-Module $manifest -ErrorAction Stop
'@ }
        @{ Order = 'BackupIam first, SDK already loaded'; Bucket = 'iso-cred-b'; Body = @'
Import-Module $manifest -ErrorAction Stop
$null = New-BackupBucket -BucketName iso-cred-b-warmup -EndpointUrl $url
Import-Module $standIn -ErrorAction Stop
'@ }
    ) {
        Start-MotoRecording -Url $script:url
        $r = Invoke-IsolationScript -Body ($Body + @"

`$cred = New-StandInCredential -AccessKey AKIAISOLATIONTEST01 -SecretKey x
`$result.CredentialContext = Get-ContextName `$cred
`$bucket = New-BackupBucket -BucketName $Bucket -EndpointUrl `$url -Credential `$cred
`$result.Status = `$bucket.Status
"@)
        $r.Exception | Should -BeNullOrEmpty
        @($r.Errors) | Should -HaveCount 0
        $r.CredentialContext | Should -Be 'Default'
        $r.Status | Should -Be 'Created'

        $calls = @(Get-MotoCall -Url $script:url | Where-Object { $_.Service -eq 's3' -and $_.Name -like "/$Bucket/*" })
        @($calls | Where-Object IsWrite) | Should -Not -BeNullOrEmpty -Because 'the bucket was created on the server'
        foreach ($call in $calls) {
            $call.Authorization | Should -Match 'Credential=AKIAISOLATIONTEST01/' -Because "$($call.Operation) must be signed with the stand-in's key"
        }
    }
}

Describe 'Importing BackupIam' {
    It 'never hands its private AWSSDK to others who resolve AWSSDK.Core by name in the default context' {
        $r = Invoke-IsolationScript -Body @'
$env:AWS_ACCESS_KEY_ID = 'AKIAISOLATIONTEST99'; $env:AWS_SECRET_ACCESS_KEY = 'x'
Import-Module $manifest -ErrorAction Stop
$null = New-BackupBucket -BucketName iso-byname-bucket -EndpointUrl $url
$result.OwnLoaded = @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'AWSSDK.Core' } | ForEach-Object { [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name })
try {
    $asm = [System.Runtime.Loader.AssemblyLoadContext]::Default.LoadFromAssemblyName([System.Reflection.AssemblyName]::new('AWSSDK.Core'))
    $result.ByName = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($asm).Name
}
catch { $result.ByName = 'not found' }
'@
        $r.Exception | Should -BeNullOrEmpty
        @($r.OwnLoaded) | Should -Be @('BackupIam')
        $r.ByName | Should -Be 'not found' -Because 'the default context must not resolve AWSSDK.Core to BackupIam''s private copy'
    }

    It 'keeps AWSSDK out of the cmdlet assembly, which lives in the shared Default context' {
        # Any AWSSDK reference from BackupIam.dll would resolve in Default, where another module's AWSSDK.Core may sit.
        $cmdlets = Join-Path (Split-Path $script:manifest) 'bin/BackupIam.dll'
        $pe = [System.Reflection.PortableExecutable.PEReader]::new([System.IO.File]::OpenRead($cmdlets))
        try {
            $md = [System.Reflection.Metadata.PEReaderExtensions]::GetMetadataReader($pe)
            $references = @($md.AssemblyReferences | ForEach-Object { $md.GetString($md.GetAssemblyReference($_).Name) })
        }
        finally { $pe.Dispose() }
        $references | Should -Contain 'BackupIam.Engine'
        @($references | Where-Object { $_ -like 'AWSSDK*' }) | Should -HaveCount 0
    }

    It 'loads no AWSSDK assembly until an AWS cmdlet runs (an offline cmdlet included)' {
        $r = Invoke-IsolationScript -Body @'
Import-Module $manifest -ErrorAction Stop
$result.Presets = @(Get-BackupPreset).Count
$result.Sdk = @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -like 'AWSSDK*' } | ForEach-Object { $_.GetName().Name })
$result.BackupIam = @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'BackupIam' } | ForEach-Object { [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name })
$result.Engine = @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'BackupIam.Engine' } | ForEach-Object { [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name })
'@
        $r.Exception | Should -BeNullOrEmpty
        @($r.Errors) | Should -HaveCount 0
        $r.Presets | Should -BeGreaterThan 0
        @($r.BackupIam) | Should -Be @('Default') -Because 'PowerShell loads the binary module (the thin cmdlet assembly) into Default'
        @($r.Engine) | Should -Be @('BackupIam') -Because 'the engine and its dependencies live in BackupIam''s own load context'
        @($r.Sdk) | Should -HaveCount 0 -Because "no AWSSDK assembly should load at import; found: $($r.Sdk -join ', ')"
    }

    It 'Import-Module -Force twice, then Remove-Module and Import-Module, keep every exported cmdlet working' {
        $r = Invoke-IsolationScript -Body @'
function Get-Exported { @(Get-Command -Module BackupIam -CommandType Cmdlet -ErrorAction SilentlyContinue | ForEach-Object Name | Sort-Object) }
function Get-Resolvable([string[]] $names) { @($names | Where-Object { (Get-Command -Name $_ -ErrorAction SilentlyContinue).Source -eq 'BackupIam' }) }
$expected = @((Import-PowerShellDataFile $manifest).CmdletsToExport | Sort-Object)
$result.Expected = $expected
$steps = [ordered]@{}
Import-Module $manifest -ErrorAction Stop
$steps.Import = [ordered]@{ Exported = Get-Exported; Resolvable = Get-Resolvable $expected; Presets = @(Get-BackupPreset).Count }
Import-Module $manifest -Force -ErrorAction Stop
$steps.Force1 = [ordered]@{ Exported = Get-Exported; Resolvable = Get-Resolvable $expected; Presets = @(Get-BackupPreset).Count }
Import-Module $manifest -Force -ErrorAction Stop
$steps.Force2 = [ordered]@{ Exported = Get-Exported; Resolvable = Get-Resolvable $expected; Presets = @(Get-BackupPreset).Count }
Remove-Module BackupIam -ErrorAction Stop
$result.AfterRemove = @(Get-Exported)
Import-Module $manifest -ErrorAction Stop
$steps.Reimport = [ordered]@{ Exported = Get-Exported; Resolvable = Get-Resolvable $expected; Presets = @(Get-BackupPreset).Count }
$bucket = New-BackupBucket -BucketName iso-reimport-bucket -EndpointUrl $url
$result.Bucket = $bucket.Status
$result.Steps = $steps
'@
        $r.Exception | Should -BeNullOrEmpty
        @($r.Errors) | Should -HaveCount 0
        $expected = @($r.Expected)
        $expected.Count | Should -BeGreaterThan 10
        foreach ($step in 'Import', 'Force1', 'Force2', 'Reimport') {
            $s = $r.Steps.$step
            @($s.Exported) | Should -Be $expected -Because "after '$step' Get-Command -Module BackupIam must list the manifest's CmdletsToExport"
            @($s.Resolvable) | Should -Be $expected -Because "after '$step' every cmdlet must resolve by name to BackupIam"
            $s.Presets | Should -BeGreaterThan 0 -Because "after '$step' the cmdlets must run"
        }
        @($r.AfterRemove) | Should -HaveCount 0 -Because 'Remove-Module removes the cmdlets'
        $r.Bucket | Should -Be 'Created' -Because 'an AWS cmdlet still works after the re-import'
    }
}
