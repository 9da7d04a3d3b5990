# Foundation checks on the BUILT module: manifest, exports, OutputType, help, and a real pipeline.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-BuiltModule
    $script:commands = @(Get-Command -Module BackupIam -CommandType Cmdlet | ForEach-Object { @{ Name = $_.Name } })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-BuiltModule
    $script:manifestPath = Get-BuiltModuleManifest
    $script:manifestData = Import-PowerShellDataFile $script:manifestPath
    $script:commonParameters = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
}

Describe 'The built manifest' {
    It 'passes Test-ModuleManifest' {
        $info = Test-ModuleManifest -Path $script:manifestPath -ErrorAction Stop
        $info.Name | Should -Be 'BackupIam'
        $info.Version | Should -BeGreaterThan ([version]'0.0.0')
    }

    It 'declares both editions and PowerShell 5.1' {
        $script:manifestData.CompatiblePSEditions | Should -Be @('Desktop', 'Core')
        $script:manifestData.PowerShellVersion | Should -Be '5.1'
    }

    It 'exports no functions or aliases and lists cmdlets explicitly' {
        $script:manifestData.FunctionsToExport.Count | Should -Be 0
        $script:manifestData.AliasesToExport.Count | Should -Be 0
        $script:manifestData.CmdletsToExport | Should -Not -Contain '*'
    }

    It 'takes its version from Directory.Build.props' {
        $props = [xml](Get-Content -Raw (Join-Path $PSScriptRoot '../Directory.Build.props'))
        $expected = @($props.Project.PropertyGroup | ForEach-Object { $_.Version } | Where-Object { $_ })[0]
        $script:manifestData.ModuleVersion | Should -Be $expected
    }

    It 'Get-Command lists exactly the manifest''s CmdletsToExport' {
        $exported = @(Get-Command -Module BackupIam | Select-Object -ExpandProperty Name | Sort-Object)
        $exported | Should -Be @($script:manifestData.CmdletsToExport | Sort-Object)
    }
}

Describe 'Cmdlet <Name>' -ForEach $script:commands {
    BeforeAll {
        $script:command = Get-Command -Name $Name -Module BackupIam
        $script:help = Get-Help -Name $Name -Full
    }

    It 'declares [OutputType]' {
        $script:command.OutputType.Count | Should -BeGreaterThan 0
        foreach ($type in $script:command.OutputType) { $type.Name | Should -Match '^BackupIam\.' }
    }

    It 'has a synopsis and a description' {
        $script:help.Synopsis | Should -Not -BeNullOrEmpty
        $script:help.Synopsis | Should -Not -Match ([regex]::Escape($Name) + '\s*\[')
        ($script:help.description | Out-String).Trim() | Should -Not -BeNullOrEmpty
    }

    It 'describes every parameter' {
        $parameters = @($script:command.Parameters.Keys | Where-Object { $_ -notin $script:commonParameters })
        foreach ($p in $parameters) {
            $text = (Get-Help -Name $Name -Parameter $p | Select-Object -ExpandProperty description | Out-String).Trim()
            $text | Should -Not -BeNullOrEmpty -Because "-$p needs a description"
        }
    }

    It 'has at least two examples, each with code and a remark' {
        $examples = @($script:help.examples.example)
        $examples.Count | Should -BeGreaterOrEqual 2
        foreach ($example in $examples) {
            $example.code | Should -Match 'PS> '
            ($example.remarks | Out-String).Trim() | Should -Not -BeNullOrEmpty
        }
    }

    It 'supports ShouldProcess when it changes anything' {
        # New-BackupPolicy and New-WriteOnlyBucketPolicy only build documents in memory: they change nothing.
        $offlineBuilders = 'New-BackupPolicy', 'New-WriteOnlyBucketPolicy'
        if ($Name -in $offlineBuilders) {
            $script:command.Parameters.Keys | Should -Not -Contain 'EndpointUrl'
        }
        elseif ($script:command.Verb -notin 'Get', 'Test', 'Find', 'Show', 'Measure', 'Resolve', 'Compare', 'ConvertTo', 'ConvertFrom', 'Format') {
            $script:command.Parameters.Keys | Should -Contain 'WhatIf'
            $script:command.Parameters.Keys | Should -Contain 'Confirm'
        }
    }
}

Describe 'about_BackupIam' {
    It 'is shown by Get-Help' {
        $about = Get-Help about_BackupIam | Out-String
        $about | Should -Match 'about_BackupIam'
        foreach ($n in 1..5) { $about | Should -Match "SETUP $n" }
    }
}
