using System.Management.Automation;
using BackupIam.Abstractions;

namespace BackupIam.Commands
{
    /// <summary>Sets an inline policy on an IAM user, writing only when the policy differs.</summary>
    [Cmdlet(VerbsCommon.Set, "BackupUserPolicy", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.HelpSource + "Set-BackupUserPolicy.md")]
    [OutputType(typeof(BackupInlinePolicy))]
    public sealed class SetBackupUserPolicyCommand : InlinePolicyCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.UserNameCompleter))]
        public string UserName { get; set; } = "";

        private protected override bool IsUserPolicy => true;

        private protected override string OwnerParameterName => nameof(UserName);

        private protected override string OwnerName => UserName;
    }
}
