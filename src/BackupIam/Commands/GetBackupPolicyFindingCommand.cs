using System;
using System.Management.Automation;
using BackupIam.Abstractions;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Lint;

namespace BackupIam.Commands
{
    /// <summary>Lints policies: unknown actions, resource-type mismatches, unsupported condition keys, size limits and risks.</summary>
    [Cmdlet(VerbsCommon.Get, "BackupPolicyFinding", DefaultParameterSetName = InputSet, HelpUri = HelpLinks.HelpSource + "Get-BackupPolicyFinding.md")]
    [OutputType(typeof(BackupPolicyFinding))]
    public sealed class GetBackupPolicyFindingCommand : BackupIamCmdlet
    {
        private const string InputSet = "Input";
        private const string PathSet = "Path";
        private readonly PolicyTextCollector _text = new PolicyTextCollector();
        private int _count;

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
                foreach (string path in Path)
                {
                    foreach (string resolved in GetResolvedProviderPathFromPSPath(path, out _))
                    {
                        LintOne(() => PolicyInput.FromFile(resolved, nameof(Path)), resolved);
                    }
                }

                return;
            }

            foreach (object item in Policy)
            {
                object unwrapped = item is PSObject ps ? ps.BaseObject : item;
                if (unwrapped is string line)
                {
                    // Get-Content without -Raw sends one line at a time: join them into whole documents.
                    string? whole = _text.Add(line);
                    if (whole != null)
                    {
                        LintText(whole);
                    }

                    continue;
                }

                FlushText();
                int position = ++_count;
                LintOne(() => PolicyInput.FromObject(item, nameof(Policy), position), item);
            }
        }

        protected override void EndProcessing()
        {
            FlushText();
        }

        private void FlushText()
        {
            string? pending = _text.Flush();
            if (pending != null)
            {
                LintText(pending);
            }
        }

        private void LintText(string text)
        {
            int position = ++_count;
            LintOne(() => PolicyInput.FromText(text, $"Policy{position}", nameof(Policy)), text);
        }

        private void LintOne(Func<PolicyInput> read, object target)
        {
            try
            {
                PolicyInput input = read();
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
                foreach (PolicyFinding finding in PolicyLinter.Lint(input.Text, options))
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
            catch (Exception ex) when (ex is BackupIamException)
            {
                WriteFailure(ex, target);
            }
        }
    }
}
