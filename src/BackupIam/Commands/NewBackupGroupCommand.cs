using System.Management.Automation;
using BackupIam.Abstractions;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Naming;
using BackupIam.Engine.Provisioning;

namespace BackupIam.Commands
{
    /// <summary>Creates (or confirms) an IAM group for backup users.</summary>
    [Cmdlet(VerbsCommon.New, "BackupGroup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.HelpSource + "New-BackupGroup.md")]
    [OutputType(typeof(BackupGroup))]
    public sealed class NewBackupGroupCommand : AwsCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[] GroupName { get; set; } = new string[0];

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Path { get; set; }

        private protected override void ValidateBoundParameters()
        {
            if (IsBound(nameof(GroupName)))
            {
                foreach (string name in GroupName)
                {
                    IamNames.ValidateGroupName(name);
                }
            }

            IamNames.ValidatePath(Path);
        }

        protected override void ProcessRecord()
        {
            foreach (string name in GroupName)
            {
                try
                {
                    var planner = new IdentityPlanner(Iam);
                    GroupPlan plan = Run(ct => planner.PlanGroupAsync(name, Path, ct));
                    PlanOutcome outcome = ApplyPlan(plan);
                    WriteObject(new BackupGroup
                    {
                        GroupName = name,
                        GroupId = plan.Group?.GroupId,
                        Arn = plan.Group?.Arn,
                        Path = plan.Group?.Path ?? Path ?? "/",
                        Status = outcome.Status.ToString(),
                        Changes = outcome.Actions,
                    });
                }
                catch (BackupIamException ex)
                {
                    WriteFailure(ex, name);
                }
            }
        }
    }
}
