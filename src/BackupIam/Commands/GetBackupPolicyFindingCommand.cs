using System;
using System.Management.Automation;
using BackupIam.Abstractions;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Lint;
using BackupIam.Engine.Policies;

namespace BackupIam.Commands
{
    /// <summary>Lints policies: unknown actions, resource-type mismatches, unsupported condition keys, size limits and risks.</summary>
    [Cmdlet(VerbsCommon.Get, "BackupPolicyFinding", DefaultParameterSetName = InputSet, HelpUri = HelpLinks.HelpSource + "Get-BackupPolicyFinding.md")]
    [OutputType(typeof(BackupPolicyFinding))]
    public sealed class GetBackupPolicyFindingCommand : PolicyInputCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = InputSet)]
        [Alias("PolicyDocument", "InputObject")]
        public object[] Policy { get; set; } = new object[0];

        [Parameter(Mandatory = true, ParameterSetName = PathSet)]
        [Alias("FullName")]
        public string[] Path { get; set; } = new string[0];

        [Parameter]
        [ValidateSet("UserInline", "GroupInline", "RoleInline", "Managed", "BucketPolicy")]
        public string? Container { get; set; }

        [Parameter]
        public string? PolicyName { get; set; }

        [Parameter]
        public SwitchParameter WriteOnly { get; set; }

        [Parameter]
        public bool? VersioningEnabled { get; set; }

        [Parameter]
        public SwitchParameter NeedsBucketDiscovery { get; set; }

        [Parameter]
        public SwitchParameter AclsDisabled { get; set; }

        [Parameter]
        public SwitchParameter NoOverwriteRule { get; set; }

        [Parameter]
        [ValidateSet("Suggestion", "Warning", "Error")]
        public string MinimumSeverity { get; set; } = "Suggestion";

        protected override void ProcessRecord()
        {
            if (ParameterSetName == PathSet)
            {
                // A missing or unreadable file is reported and the other files are still linted.
                ReadPaths(Path, nameof(Path), LintOne);
                return;
            }

            ReadItems(Policy, nameof(Policy), LintOne, WriteFailure);
        }

        protected override void EndProcessing()
        {
            FlushLines(nameof(Policy), LintOne, WriteFailure);
        }

        private void LintOne(ParsedPolicy input, object target)
        {
            try
            {
                string name = PolicyName ?? input.Name;
                var options = new LintOptions
                {
                    Container = Container != null
                        ? (PolicyContainer)Enum.Parse(typeof(PolicyContainer), Container, ignoreCase: true)
                        : (input.IsBucketPolicy ? PolicyContainer.BucketPolicy : PolicyContainer.UserInline),
                    PolicyName = name,
                    WriteOnlyIntent = WriteOnly,
                    VersioningEnabled = VersioningEnabled,
                    NeedsBucketDiscovery = NeedsBucketDiscovery,
                    AclsDisabled = AclsDisabled,
                    HasNoOverwriteRule = NoOverwriteRule,
                };
                var minimum = (FindingSeverity)Enum.Parse(typeof(FindingSeverity), MinimumSeverity, ignoreCase: true);
                foreach (PolicyFinding finding in PolicyLinter.Lint(input, options))
                {
                    if (finding.Severity > minimum)
                    {
                        continue;
                    }

                    WriteObject(new BackupPolicyFinding
                    {
                        Severity = finding.Severity.ToString(),
                        Id = finding.Id,
                        PolicyName = name,
                        Statement = finding.StatementIndex,
                        Sid = finding.Sid,
                        Action = finding.Action,
                        Message = finding.Message,
                        Fix = finding.Fix,
                    });
                }
            }
            catch (BackupIamException ex)
            {
                WriteFailure(ex, target);
            }
        }
    }
}
