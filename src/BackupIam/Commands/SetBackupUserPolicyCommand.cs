using System.Management.Automation;
using BackupIam.Abstractions;
using BackupIam.Engine.Provisioning;

namespace BackupIam.Commands
{
    /// <summary>Sets an inline policy on an IAM user, writing only when the policy differs.</summary>
    [Cmdlet(VerbsCommon.Set, "BackupUserPolicy", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(BackupInlinePolicy))]
    public sealed class SetBackupUserPolicyCommand : InlinePolicyCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string UserName { get; set; } = "";

        protected override InlinePolicyOwner Owner => InlinePolicyOwner.User;

        protected override string OwnerName => UserName;
    }
}
