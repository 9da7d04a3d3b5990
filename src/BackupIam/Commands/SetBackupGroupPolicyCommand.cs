using System.Management.Automation;
using BackupIam.Abstractions;

namespace BackupIam.Commands
{
    /// <summary>Sets an inline policy on an IAM group, writing only when the policy differs.</summary>
    [Cmdlet(VerbsCommon.Set, "BackupGroupPolicy", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.HelpSource + "Set-BackupGroupPolicy.md")]
    [OutputType(typeof(BackupInlinePolicy))]
    public sealed class SetBackupGroupPolicyCommand : InlinePolicyCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.GroupNameCompleter))]
        public string GroupName { get; set; } = "";

        private protected override bool IsUserPolicy => false;

        private protected override string OwnerParameterName => nameof(GroupName);

        private protected override string OwnerName => GroupName;
    }
}
