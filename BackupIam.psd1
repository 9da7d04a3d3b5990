@{
    # The version is written here by build.ps1 from Directory.Build.props (the one place it lives).
    # A binary root module: PowerShell loads bin/BackupIam.dll (the cmdlets) and its ModuleInitializer puts the
    # engine and the AWSSDK copies (bin/deps) into BackupIam's own AssemblyLoadContext on PowerShell 7.
    RootModule           = 'bin/BackupIam.dll'
    ModuleVersion        = '0.0.0'
    GUID                 = '5b0e6f1e-3c3a-4b8e-9f0e-8d3f2a7c41d2'
    Author               = 'BackupIam contributors'
    CompanyName          = 'BackupIam'
    Copyright            = '(c) BackupIam contributors. MIT License.'
    Description          = 'Least-privilege AWS IAM and S3 setups for backup software: build, simulate, lint, provision and prove the policies.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    # BackupIam.Format.ps1xml is loaded by the first BackupIam cmdlet that runs (see FormatLoader), not at import.
    CmdletsToExport      = @(
        'Add-BackupUserToGroup'
        'Enable-BackupVersioning'
        'Get-BackupBucket'
        'Get-BackupBucketPosture'
        'Get-BackupGroup'
        'Get-BackupPolicyFinding'
        'Get-BackupPreset'
        'Get-BackupUser'
        'Invoke-BackupKeyRotation'
        'New-BackupAccessKey'
        'New-BackupBucket'
        'New-BackupGroup'
        'New-BackupPolicy'
        'New-BackupRole'
        'New-BackupUser'
        'New-WriteOnlyBucketPolicy'
        'Remove-BackupBucketSetup'
        'Remove-BackupGroup'
        'Remove-BackupUser'
        'Set-BackupBucketPolicy'
        'Set-BackupBucketProtection'
        'Set-BackupGroupPolicy'
        'Set-BackupLifecycle'
        'Set-BackupUserPolicy'
        'Test-BackupCredential'
        'Test-BackupPolicy'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('AWS', 'IAM', 'S3', 'Backup', 'LeastPrivilege', 'Policy')
            # The repository address is HelpLinks.Repository in src/BackupIam/Abstractions/HelpLinks.cs (every cmdlet's
            # HelpUri starts with it); a Pester test keeps these in step with it.
            ProjectUri   = 'https://github.com/backupiam/BackupIam'
            LicenseUri   = 'https://github.com/backupiam/BackupIam/blob/main/LICENSE'
            ReleaseNotes = 'SSO profiles (AWSSDK.SSO/SSOOIDC shipped), -SecretKey takes a SecureString, argument completion for -Preset/-Region/-ProfileName and names, complete help (-WhatIf/-Confirm, related links, Get-Help -Online), about_BackupIam_Errors.'
        }
    }
}
