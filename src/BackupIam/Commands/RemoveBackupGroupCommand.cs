using System.Management.Automation;
using BackupIam.Abstractions;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Naming;
using BackupIam.Engine.Provisioning;

namespace BackupIam.Commands
{
    /// <summary>Removes an IAM group and everything that keeps it alive; a re-run finishes a partial removal.</summary>
    [Cmdlet(VerbsCommon.Remove, "BackupGroup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, HelpUri = HelpLinks.HelpSource + "Remove-BackupGroup.md")]
    [OutputType(typeof(BackupRemoval))]
    public sealed class RemoveBackupGroupCommand : IdentityRemovalCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.GroupNameCompleter))]
        public string GroupName { get; set; } = "";

        private protected override void ValidateBoundParameters()
        {
            if (IsBound(nameof(GroupName)))
            {
                IamNames.ValidateGroupName(GroupName);
            }
        }

        protected override void ProcessRecord()
        {
            try
            {
                IdentityTeardown teardown = Teardown;
                ResourcePlan plan = Run(ct => teardown.PlanGroupAsync(GroupName, ct));
                WriteObject(ApplyRemoval(plan, "Group", GroupName, "iam:DeleteGroup", partlyOnly: false, out _));
            }
            catch (BackupIamException ex)
            {
                WriteFailure(ex, GroupName);
            }
        }
    }
}
