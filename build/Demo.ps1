<#
.SYNOPSIS
    The module's main job, offline: build a least-privilege backup policy and show what it allows.
#>
[CmdletBinding()]
param([Parameter(Mandatory)] [string] $ModuleManifest)
$ErrorActionPreference = 'Stop'
Import-Module $ModuleManifest

Write-Host "PS> New-BackupPolicy -Preset UploadOnly -BucketName your-bucket-name -Prefix backup/ -PolicyName UploadFilesToBackup" -ForegroundColor Cyan
$policy = New-BackupPolicy -Preset UploadOnly -BucketName your-bucket-name -Prefix backup/ -PolicyName UploadFilesToBackup
$policy.PolicyDocument | Out-Host

Write-Host "`nPS> `$policy | Test-BackupPolicy | Where-Object Decision -eq Allowed" -ForegroundColor Cyan
$matrix = @($policy | Test-BackupPolicy)
$matrix | Where-Object Decision -EQ 'Allowed' | Format-Table -AutoSize | Out-String -Width 200 | Out-Host
Write-Host ("Access matrix: {0} checks; {1} allowed, {2} implicitly denied, {3} explicitly denied." -f $matrix.Count,
    @($matrix | Where-Object Decision -EQ 'Allowed').Count, @($matrix | Where-Object Decision -EQ 'ImplicitDeny').Count,
    @($matrix | Where-Object Decision -EQ 'ExplicitDeny').Count)

Write-Host "`nPS> `$policy | Get-BackupPolicyFinding" -ForegroundColor Cyan
$policy | Get-BackupPolicyFinding | Format-List Severity, Id, Statement, Message, Fix | Out-String -Width 120 | Out-Host
