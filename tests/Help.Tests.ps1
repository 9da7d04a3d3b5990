# Help as PowerShell's own: -WhatIf/-Confirm in SYNTAX and PARAMETERS, RELATED LINKS, a HelpUri for Get-Help -Online,
# the manifest's project links, and a publish/install/import round trip through a local PSResourceGet repository.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-BuiltModule
    $script:commands = @(Get-Command -Module BackupIam -CommandType Cmdlet | ForEach-Object { @{ Name = $_.Name } })
    $script:shouldProcessCommands = @(Get-Command -Module BackupIam -CommandType Cmdlet |
            Where-Object { $_.Parameters.ContainsKey('WhatIf') } | ForEach-Object { @{ Name = $_.Name } })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-BuiltModule
    $script:manifestPath = Get-BuiltModuleManifest
    $script:manifestData = Import-PowerShellDataFile $script:manifestPath
    $script:projectUri = [string]$script:manifestData.PrivateData.PSData.ProjectUri
}

Describe 'Help of <Name> lists -WhatIf and -Confirm' -ForEach $script:shouldProcessCommands {
    It 'answers Get-Help -Parameter WhatIf and -Parameter Confirm with a description' {
        foreach ($p in 'WhatIf', 'Confirm') {
            $help = Get-Help -Name $Name -Parameter $p -ErrorAction Stop
            $help.name | Should -Be $p
            ($help.description | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "-$p needs a description"
        }
    }

    It 'shows [-WhatIf] [-Confirm] in every SYNTAX line' {
        $syntax = @((Get-Help -Name $Name).syntax.syntaxItem)
        $syntax.Count | Should -BeGreaterThan 0
        foreach ($item in $syntax) {
            @($item.parameter.name) | Should -Contain 'WhatIf'
            @($item.parameter.name) | Should -Contain 'Confirm'
        }
        # Get-Help wraps long SYNTAX lines wherever the width ends, even inside a word: join the lines again.
        ((Get-Help -Name $Name | Out-String -Width 400) -replace '\r?\n\s*', '') | Should -Match '\[-WhatIf\]\s*\[-Confirm\]\s*\[<CommonParameters>\]'
    }
}

Describe 'Online help and related links of <Name>' -ForEach $script:commands {
    It 'has a HelpUri that points at its help source in the repository' {
        $uri = (Get-Command -Name $Name -Module BackupIam).HelpUri
        $uri | Should -Be "$($script:projectUri)/blob/main/en-US/$Name.md"
        $source = Join-Path $PSScriptRoot "../en-US/$Name.md"
        Test-Path $source | Should -BeTrue -Because 'the HelpUri names a file that exists in the repository'
    }

    It 'has RELATED LINKS: the online version first, then other help' {
        $links = @((Get-Help -Name $Name).relatedLinks.navigationLink)
        $links.Count | Should -BeGreaterThan 1
        $links[0].linkText | Should -Be 'Online Version:'
        $links[0].uri | Should -Be (Get-Command -Name $Name -Module BackupIam).HelpUri
        @($links.linkText) | Should -Contain 'about_BackupIam_Errors'
        foreach ($other in @($links | Select-Object -Skip 1 | Where-Object { $_.linkText -notlike 'about_*' })) {
            Get-Command -Name $other.linkText -Module BackupIam -ErrorAction SilentlyContinue | Should -Not -BeNullOrEmpty -Because "'$($other.linkText)' should name a BackupIam cmdlet"
        }
    }
}

Describe 'The help build' {
    It 'fails when a page has no RELATED LINKS section' {
        $work = Join-Path ([System.IO.Path]::GetTempPath()) "help-build-$([guid]::NewGuid().ToString('N'))"
        $null = New-Item -ItemType Directory -Path $work
        try {
            Copy-Item (Join-Path $PSScriptRoot '../en-US/*') $work
            $page = Join-Path $work 'Get-BackupPreset.md'
            $text = [System.IO.File]::ReadAllText($page)
            [System.IO.File]::WriteAllText($page, ($text -replace '(?s)## RELATED LINKS.*$', ''))
            $script = "try { & '$(Join-Path $PSScriptRoot '../build/New-ModuleHelp.ps1')' -ModuleManifest '$($script:manifestPath)' -SourceDirectory '$work' -Destination '$work/out'; 'built' } catch { `"failed: `$(`$_.Exception.Message)`" }"
            $output = (Invoke-FreshPwsh -Script $script) -join "`n"
            $output | Should -Match 'Get-BackupPreset: missing ## RELATED LINKS'
            $output | Should -Match '^failed: Help is incomplete'
            $output | Should -Not -Match 'built'
        }
        finally { Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue }
    }
}

Describe 'The manifest''s project links' {
    It 'names the project, its license and the release notes, on the same repository as the HelpUris' {
        $psData = $script:manifestData.PrivateData.PSData
        $script:projectUri | Should -Match '^https://github\.com/[^/]+/[^/]+$'
        $psData.LicenseUri | Should -Be "$($script:projectUri)/blob/main/LICENSE"
        ([string]$psData.ReleaseNotes).Trim() | Should -Not -BeNullOrEmpty
        foreach ($command in Get-Command -Module BackupIam -CommandType Cmdlet) {
            $command.HelpUri | Should -BeLike "$($script:projectUri)/*"
        }
    }

    It 'ships an MIT LICENSE in the repository and in the built module' {
        foreach ($path in (Join-Path $PSScriptRoot '../LICENSE'), (Join-Path (Split-Path $script:manifestPath) 'LICENSE')) {
            Test-Path $path | Should -BeTrue
            Get-Content -Raw $path | Should -Match '^MIT License'
        }
    }
}

Describe 'Publishing the built module' {
    It 'publishes to a local repository, installs from it into a temp path and imports by name' {
        $work = Join-Path ([System.IO.Path]::GetTempPath()) "publish-$([guid]::NewGuid().ToString('N'))"
        $moduleRoot = Split-Path $script:manifestPath
        $version = $script:manifestData.ModuleVersion
        # A fresh pwsh with its own HOME: the repository registration and NuGet settings stay out of the user's.
        $script = @"
`$ErrorActionPreference = 'Stop'
`$work = '$work'
`$data = Join-Path `$work 'home/.local/share'
`$config = Join-Path `$work 'home/.config'
# The folders must exist: .NET answers an empty special-folder path for a missing one, and NuGet and PSResourceGet
# then write their settings relative to the process's working directory.
`$null = New-Item -ItemType Directory -Force -Path `$data, `$config, (Join-Path `$work 'repo'), (Join-Path `$work 'modules')
`$env:HOME = Join-Path `$work 'home'; `$env:XDG_DATA_HOME = `$data; `$env:XDG_CONFIG_HOME = `$config
Set-Location `$work
[System.Environment]::CurrentDirectory = `$work
Import-Module Microsoft.PowerShell.PSResourceGet
Register-PSResourceRepository -Name BackupIamLocal -Uri (Join-Path `$work 'repo') -Trusted
Publish-PSResource -Path '$moduleRoot' -Repository BackupIamLocal
`$found = Find-PSResource -Name BackupIam -Repository BackupIamLocal
"found=`$(`$found.Name) `$(`$found.Version) `$(`$found.ProjectUri) `$(`$found.LicenseUri)"
Save-PSResource -Name BackupIam -Repository BackupIamLocal -Path (Join-Path `$work 'modules') -TrustRepository
`$env:PSModulePath = (Join-Path `$work 'modules') + [System.IO.Path]::PathSeparator + `$env:PSModulePath
Import-Module BackupIam
`$m = Get-Module BackupIam
"imported=`$(`$m.Name) `$(`$m.Version) `$(`$m.ModuleBase)"
"preset=`$((Get-BackupPreset -Name Rclone).Name)"
"@
        try {
            $output = Invoke-FreshPwsh -Script $script
            $text = $output -join "`n"
            Test-Path (Join-Path $work "repo/BackupIam.$version.nupkg") | Should -BeTrue -Because $text
            $text | Should -Match ([regex]::Escape("found=BackupIam $version $($script:projectUri)"))
            $text | Should -Match ([regex]::Escape("imported=BackupIam $version $(Join-Path $work 'modules/BackupIam')"))
            $text | Should -Match 'preset=Rclone'
        }
        finally { Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue }
    }
}
