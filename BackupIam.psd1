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
            ReleaseNotes = 'Operating over time: Get-BackupUser, Get-BackupGroup, Get-BackupBucket, Remove-BackupBucketSetup, Remove-BackupUser -RemoveBucketStatements, the backupiam:managed tag, GitHub Actions/Azure Pipelines secret masking (-SetPipelineVariable). -ExpectedBucketOwner on every bucket call. Posture reads who can delete. ReadyToRun images for PowerShell 7 on linux-x64, credentials resolved once per session, fewer round trips. Earlier: SSO profiles, SecureString -SecretKey, argument completion, complete help, about_BackupIam_Errors.'
        }
    }
}
