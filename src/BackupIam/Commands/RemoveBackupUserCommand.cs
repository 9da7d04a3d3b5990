using System.Linq;
using System.Management.Automation;
using BackupIam.Abstractions;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Naming;
using BackupIam.Engine.Provisioning;

namespace BackupIam.Commands
{
    /// <summary>Removes an IAM user and everything that keeps it alive; a re-run finishes a partial removal.</summary>
    [Cmdlet(VerbsCommon.Remove, "BackupUser", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, HelpUri = HelpLinks.HelpSource + "Remove-BackupUser.md")]
    [OutputType(typeof(BackupRemoval))]
    public sealed class RemoveBackupUserCommand : AwsCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.UserNameCompleter))]
        public string UserName { get; set; } = "";

        private protected override void ValidateBoundParameters()
        {
            if (IsBound(nameof(UserName)))
            {
                IamNames.ValidateUserName(UserName);
            }
        }

        protected override void ProcessRecord()
        {
            try
            {
                var teardown = new IdentityTeardown(Iam);
                ResourcePlan plan = Run(ct => teardown.PlanUserAsync(UserName, ct));
                var steps = plan.Changes.Select(c => c.Description).ToArray();
                PlanOutcome outcome = ApplyPlan(plan);
                string status = !plan.Exists ? "NotFound"
                    : outcome.Status == ResourceStatus.Planned ? "Planned"
                    : outcome.Actions.Contains("iam:DeleteUser") || plan.Changes.All(c => outcome.Actions.Contains(c.Action)) ? "Removed"
                    : "PartlyRemoved";
                WriteObject(new BackupRemoval { ResourceType = "User", Name = UserName, Status = status, Changes = outcome.Actions, Steps = steps });
            }
            catch (BackupIamException ex)
            {
                WriteFailure(ex, UserName);
            }
        }
    }
}
