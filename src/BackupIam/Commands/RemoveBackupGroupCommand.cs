using System.Linq;
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
    public sealed class RemoveBackupGroupCommand : AwsCmdlet
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
                var teardown = new IdentityTeardown(Iam);
                ResourcePlan plan = Run(ct => teardown.PlanGroupAsync(GroupName, ct));
                var steps = plan.Changes.Select(c => c.Description).ToArray();
                PlanOutcome outcome = ApplyPlan(plan);
                string status = !plan.Exists ? "NotFound"
                    : outcome.Status == ResourceStatus.Planned ? "Planned"
                    : outcome.Actions.Contains("iam:DeleteGroup") || plan.Changes.All(c => outcome.Actions.Contains(c.Action)) ? "Removed"
                    : "PartlyRemoved";
                WriteObject(new BackupRemoval { ResourceType = "Group", Name = GroupName, Status = status, Changes = outcome.Actions, Steps = steps });
            }
            catch (BackupIamException ex)
            {
                WriteFailure(ex, GroupName);
            }
        }
    }
}
