# Issue 17, buckets, regions and confirmation, against a real moto server:
# - New-BackupBucket reports the bucket's real region (GetBucketLocation) and warns when it differs from -Region;
#   with a custom endpoint it sends LocationConstraint for a region other than us-east-1.
# - A policy that names a bucket that does not exist gets a warning when it is applied.
# - Confirm levels: writes that replace or remove statements, rules or data ask at the default $ConfirmPreference
#   (ConfirmImpact High); answering No to CreateBucket declines the steps that need the bucket without asking again.
#   Prompts are answered by a real PSHost in a runspace of this process (no -NonInteractive shortcut).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:moto = Enter-MotoTestSession -AccessKey 'AKIAVIEWSBUCKETS0001' -SecretKey 'views-test-secret-not-real'

    # A host whose UI answers every PromptForChoice (ShouldProcess under -Confirm, ShouldContinue) with a set answer
    # and records each question.
    if (-not ('BackupIamTests.AnsweringHost' -as [type])) {
        Add-Type -TypeDefinition @'
using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;

namespace BackupIamTests
{
    public sealed class AnsweringUI : PSHostUserInterface
    {
        public string Answer = "No";
        public readonly List<string> Questions = new List<string>();
        public readonly List<string> Warnings = new List<string>();
        public readonly List<string> Lines = new List<string>();
        public override PSHostRawUserInterface RawUI => null;
        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
        {
            Questions.Add(caption + ": " + message);
            for (int i = 0; i < choices.Count; i++)
            {
                if (string.Equals(choices[i].Label.Replace("&", ""), Answer, StringComparison.OrdinalIgnoreCase)) { return i; }
            }
            throw new InvalidOperationException("no choice " + Answer);
        }
        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) => throw new NotSupportedException(message);
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) => throw new NotSupportedException();
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw new NotSupportedException();
        public override string ReadLine() => throw new NotSupportedException();
        public override SecureString ReadLineAsSecureString() => throw new NotSupportedException();
        public override void Write(string value) { }
        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) { }
        public override void WriteLine(string value) { Lines.Add(value); }
        public override void WriteErrorLine(string value) { }
        public override void WriteDebugLine(string message) { }
        public override void WriteProgress(long sourceId, ProgressRecord record) { }
        public override void WriteVerboseLine(string message) { }
        public override void WriteWarningLine(string message) { Warnings.Add(message); }
    }

    public sealed class AnsweringHost : PSHost
    {
        private readonly Guid _id = Guid.NewGuid();
        public readonly AnsweringUI Answering = new AnsweringUI();
        public override string Name => "BackupIamTestHost";
        public override Version Version => new Version(1, 0);
        public override Guid InstanceId => _id;
        public override PSHostUserInterface UI => Answering;
        public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;
        public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;
        public override void SetShouldExit(int exitCode) { }
        public override void EnterNestedPrompt() => throw new NotSupportedException();
        public override void ExitNestedPrompt() => throw new NotSupportedException();
        public override void NotifyBeginApplication() { }
        public override void NotifyEndApplication() { }
    }
}
'@
    }

    function Invoke-WithAnswer {
        # Runs a script in a new runspace of this process whose host answers every question with $Answer.
        param([Parameter(Mandatory)] [string] $Answer, [Parameter(Mandatory)] [string] $Script)
        $hostObject = [BackupIamTests.AnsweringHost]::new()
        $hostObject.Answering.Answer = $Answer
        $runspace = [runspacefactory]::CreateRunspace($hostObject)
        $runspace.Open()
        try {
            $ps = [powershell]::Create()
            $ps.Runspace = $runspace
            $null = $ps.AddScript("Import-Module '$(Get-BuiltModuleManifest)' -ErrorAction Stop`n$Script")
            $output = @($ps.Invoke())
            [pscustomobject]@{
                Output = $output
                Errors = @($ps.Streams.Error)
                Questions = @($hostObject.Answering.Questions)
                Warnings = @($ps.Streams.Warning | ForEach-Object Message)
                Lines = @($hostObject.Answering.Lines)
            }
        }
        finally { $runspace.Dispose() }
    }
}

AfterAll {
    Exit-MotoTestSession $script:moto
}

Describe 'New-BackupBucket: the bucket''s real region' {
    It 'creates a bucket in eu-west-1 on a custom endpoint (LocationConstraint sent) and reports that region' {
        Start-MotoRecording -Url $script:moto.Url
        $bucket = New-BackupBucket -BucketName views-eu-bucket -Region eu-west-1 -ErrorAction Stop
        $bucket.Status | Should -Be 'Created'
        $bucket.Region | Should -Be 'eu-west-1'
        @(Get-MotoWriteCall -Url $script:moto.Url | Where-Object Operation -EQ 'PUT /views-eu-bucket/') | Should -HaveCount 1
    }

    It 'reports the real region of an existing bucket and warns when -Region differs' {
        $again = New-BackupBucket -BucketName views-eu-bucket -Region us-east-1 -WarningVariable warnings -WarningAction SilentlyContinue -ErrorAction Stop
        $again.Status | Should -Be 'Unchanged'
        $again.Region | Should -Be 'eu-west-1' -Because 'GetBucketLocation says so, whatever -Region asked for'
        ($warnings -join "`n") | Should -Match "Bucket 'views-eu-bucket' is in region eu-west-1, not us-east-1"
        $same = New-BackupBucket -BucketName views-eu-bucket -Region eu-west-1 -WarningVariable quiet -ErrorAction Stop
        $same.Region | Should -Be 'eu-west-1'
        @($quiet | Where-Object { "$_" -match 'is in region' }) | Should -HaveCount 0
    }

    It 'sends no LocationConstraint for us-east-1 and reports us-east-1' {
        $bucket = New-BackupBucket -BucketName views-us-bucket -ErrorAction Stop
        $bucket.Region | Should -Be 'us-east-1'
        (New-BackupBucket -BucketName views-us-bucket -ErrorAction Stop).Region | Should -Be 'us-east-1'
    }
}

Describe 'A policy for a bucket that does not exist' {
    BeforeAll {
        $null = New-BackupUser -UserName views-rclone -ErrorAction Stop
        $null = New-BackupBucket -BucketName views-existing-bucket -ErrorAction Stop
    }

    It 'warns at apply time, naming the bucket and New-BackupBucket' {
        $result = New-BackupPolicy -Preset Rclone -BucketName views-missing-bucket -Prefix backups/ -PolicyName ViewsMissing |
            Set-BackupUserPolicy -UserName views-rclone -WarningVariable warnings -WarningAction SilentlyContinue -ErrorAction Stop
        $result.Status | Should -Be 'Created' -Because 'the policy is still applied'
        ($warnings -join "`n") | Should -Match "names bucket 'views-missing-bucket', which does not exist"
        ($warnings -join "`n") | Should -Match 'New-BackupBucket -BucketName views-missing-bucket'
    }

    It 'does not warn for a bucket that exists, nor under -WhatIf' {
        $null = New-BackupPolicy -Preset Rclone -BucketName views-existing-bucket -Prefix backups/ -PolicyName ViewsExisting |
            Set-BackupUserPolicy -UserName views-rclone -WarningVariable present -ErrorAction Stop
        @($present) | Should -HaveCount 0
        $null = New-BackupPolicy -Preset Rclone -BucketName views-other-missing -Prefix backups/ -PolicyName ViewsPlanned |
            Set-BackupUserPolicy -UserName views-rclone -WhatIf -WarningVariable planned -ErrorAction Stop
        @($planned) | Should -HaveCount 0
    }

    It 'takes the policy from -Path and warns the same way' {
        $file = Join-Path ([System.IO.Path]::GetTempPath()) ("views-policy-" + [guid]::NewGuid() + '.json')
        try {
            (New-BackupPolicy -Preset UploadOnly -BucketName views-path-missing -Prefix backup/).PolicyDocument | Set-Content $file
            $result = Set-BackupGroupPolicy -GroupName views-group -Path $file -PolicyName FromFile -WarningVariable warnings -WarningAction SilentlyContinue -ErrorVariable failed -ErrorAction SilentlyContinue
            # The group does not exist: the write fails, and nothing is warned about a policy that was not applied.
            $failed | Should -Not -BeNullOrEmpty
            $null = New-BackupGroup -GroupName views-group -ErrorAction Stop
            $result = Set-BackupGroupPolicy -GroupName views-group -Path $file -WarningVariable warnings -WarningAction SilentlyContinue -ErrorAction Stop
            $result.PolicyName | Should -Be ([System.IO.Path]::GetFileNameWithoutExtension($file))
            $result.Status | Should -Be 'Created'
            ($warnings -join "`n") | Should -Match "names bucket 'views-path-missing'"
        }
        finally { Remove-Item $file -ErrorAction SilentlyContinue }
    }
}

Describe 'Confirm levels' {
    It 'answering No to CreateBucket under -Confirm asks once and writes nothing' {
        Start-MotoRecording -Url $script:moto.Url
        $run = Invoke-WithAnswer -Answer No -Script 'New-BackupBucket -BucketName views-declined -Folder backup/ -Confirm'
        $run.Errors | Should -HaveCount 0
        $run.Questions | Should -HaveCount 1 -Because "the steps that need the bucket are not asked about: $($run.Questions -join ' | ')"
        $run.Questions[0] | Should -Match "Create S3 bucket 'views-declined'"
        $run.Output[0].Status | Should -Be 'Planned'
        @(Get-MotoWriteCall -Url $script:moto.Url) | Should -HaveCount 0
    }

    It 'answering Yes under -Confirm asks for each step and creates the bucket' {
        Start-MotoRecording -Url $script:moto.Url
        $run = Invoke-WithAnswer -Answer Yes -Script 'New-BackupBucket -BucketName views-accepted -Folder backup/ -Confirm'
        $run.Errors | Should -HaveCount 0
        $run.Questions.Count | Should -BeGreaterThan 1
        $run.Output[0].Status | Should -Be 'Created'
        @(Get-MotoWriteCall -Url $script:moto.Url | Where-Object Operation -EQ 'PUT /views-accepted/') | Should -HaveCount 1
    }

    It 'still shows every What if line of a new bucket under -WhatIf (nothing is declined there)' {
        Start-MotoRecording -Url $script:moto.Url
        $run = Invoke-WithAnswer -Answer No -Script 'New-BackupBucket -BucketName views-whatif -Folder backup/ -WhatIf'
        $run.Questions | Should -HaveCount 0
        $whatIf = @($run.Lines | Where-Object { $_ -like 'What if:*' })
        $whatIf[0] | Should -Match "Create S3 bucket 'views-whatif'"
        $whatIf.Count | Should -BeGreaterThan 2 -Because "the steps after CreateBucket are shown too: $($whatIf -join ' | ')"
        @(Get-MotoWriteCall -Url $script:moto.Url) | Should -HaveCount 0
    }

    It 'asks before Set-BackupBucketPolicy -Replace drops statements, with no -Confirm given (ConfirmImpact High)' {
        $null = New-BackupBucket -BucketName views-policy-bucket -ErrorAction Stop
        $keep = '{"Version":"2012-10-17","Statement":[{"Sid":"KeepMe","Effect":"Deny","Principal":"*","Action":"s3:DeleteBucket","Resource":"arn:aws:s3:::views-policy-bucket"}]}'
        $other = '{"Version":"2012-10-17","Statement":[{"Sid":"Other","Effect":"Deny","Principal":"*","Action":"s3:PutBucketAcl","Resource":"arn:aws:s3:::views-policy-bucket"}]}'
        # Adding statements is Medium: no question.
        $added = Invoke-WithAnswer -Answer No -Script "Set-BackupBucketPolicy -BucketName views-policy-bucket -PolicyDocument '$keep'"
        $added.Questions | Should -HaveCount 0
        $added.Output[0].Status | Should -Be 'Created'

        Start-MotoRecording -Url $script:moto.Url
        $declined = Invoke-WithAnswer -Answer No -Script "Set-BackupBucketPolicy -BucketName views-policy-bucket -PolicyDocument '$other' -Replace"
        $declined.Questions | Should -HaveCount 1
        $declined.Questions[0] | Should -Match 'removes or replaces'
        $declined.Output[0].Status | Should -Be 'Planned'
        @(Get-MotoWriteCall -Url $script:moto.Url) | Should -HaveCount 0

        $quiet = Invoke-WithAnswer -Answer No -Script "Set-BackupBucketPolicy -BucketName views-policy-bucket -PolicyDocument '$other' -Replace -Confirm:`$false"
        $quiet.Questions | Should -HaveCount 0 -Because '-Confirm:$false skips the question'
        $quiet.Output[0].Status | Should -Be 'Updated'
        $quiet.Output[0].Replaced | Should -Contain 'KeepMe'
    }

    It 'asks before a lifecycle rule that expires current objects, and not before a new noncurrent-version rule' {
        $null = New-BackupBucket -BucketName views-lifecycle-bucket -ErrorAction Stop | Enable-BackupVersioning -ErrorAction Stop
        $plain = Invoke-WithAnswer -Answer No -Script 'Set-BackupLifecycle -BucketName views-lifecycle-bucket -NoncurrentVersionExpirationDays 30'
        $plain.Questions | Should -HaveCount 0
        $plain.Output[0].Status | Should -Be 'Created'

        Start-MotoRecording -Url $script:moto.Url
        $expiry = Invoke-WithAnswer -Answer No -Script 'Set-BackupLifecycle -BucketName views-lifecycle-bucket -RuleId expire-all -ExpirationDays 90 -Force'
        $expiry.Questions | Should -HaveCount 1
        $expiry.Output[0].Status | Should -Be 'Planned'
        @(Get-MotoWriteCall -Url $script:moto.Url) | Should -HaveCount 0

        $accepted = Invoke-WithAnswer -Answer Yes -Script 'Set-BackupLifecycle -BucketName views-lifecycle-bucket -RuleId expire-all -ExpirationDays 90 -Force'
        $accepted.Questions | Should -HaveCount 1
        $accepted.Output[0].Status | Should -Be 'Created'
    }

    It 'declares ConfirmImpact Medium on the cmdlets and raises it per write' -ForEach 'Set-BackupBucketPolicy', 'Set-BackupLifecycle', 'New-BackupBucket' {
        (Get-Command $_).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact | Should -Be 'Medium'
    }
}

Describe 'New-BackupBucket on Ceph RGW: regions the store does not know' {
    BeforeAll {
        # RGW names its location after its zonegroup ("default") and refuses an AWS region as LocationConstraint.
        $script:rgw = Start-RgwServer
        $script:rgwArgs = @{ EndpointUrl = $script:rgw.Url; AccessKey = $script:rgw.AdminAccessKey; SecretKey = $script:rgw.AdminSecretKey }
    }
    AfterAll { if ($script:rgw) { Stop-RgwServer $script:rgw } }

    It 'explains InvalidLocationConstraint when -Region eu-west-1 is sent to RGW' {
        $err = $null
        try { New-BackupBucket -BucketName views-rgw-eu -Region eu-west-1 @script:rgwArgs -WarningAction SilentlyContinue -ErrorAction Stop } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.Exception.Message | Should -Match 'InvalidLocationConstraint'
        $err.Exception.Message | Should -Match "zonegroup's name"
        $err.Exception.Message | Should -Match '-Region us-east-1 to send no LocationConstraint'
    }

    It 'reports the store''s own location name for an existing bucket, with no region warning' {
        $first = New-BackupBucket -BucketName views-rgw-us -Region us-east-1 @script:rgwArgs -WarningAction SilentlyContinue -ErrorAction Stop
        $first.Status | Should -Be 'Created'
        $again = New-BackupBucket -BucketName views-rgw-us -Region us-east-1 @script:rgwArgs -WarningVariable warnings -WarningAction SilentlyContinue -ErrorAction Stop
        $again.Region | Should -Be 'default' -Because 'RGW answers GetBucketLocation with its zonegroup'
        @($warnings | Where-Object { "$_" -match 'is in region' }) | Should -HaveCount 0
    }
}
