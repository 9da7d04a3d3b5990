using System.Collections.Generic;
using System.Management.Automation;
using BackupIam.Engine.Aws.Iam;
using BackupIam.Abstractions;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Naming;
using BackupIam.Engine.Provisioning;

namespace BackupIam.Commands
{
    /// <summary>Adds a backup user to a group, unless it is already a member.</summary>
    [Cmdlet(VerbsCommon.Add, "BackupUserToGroup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.HelpSource + "Add-BackupUserToGroup.md")]
    [OutputType(typeof(BackupGroupMembership))]
    public sealed class AddBackupUserToGroupCommand : AwsCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.UserNameCompleter))]
        public string UserName { get; set; } = "";

        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.GroupNameCompleter))]
        public string GroupName { get; set; } = "";

        private protected override (string Read, string Parameter)? UpstreamRead => (PipelineReads.GroupsForUser, nameof(UserName));

        private protected override void ValidateBoundParameters()
        {
            if (IsBound(nameof(UserName)))
            {
                IamNames.ValidateUserName(UserName);
            }

            if (IsBound(nameof(GroupName)))
            {
                IamNames.ValidateGroupName(GroupName);
            }
        }

        protected override void ProcessRecord()
        {
            try
            {
                var planner = new IdentityPlanner(Iam);
                bool justCreated = IsJustCreated("user", UserName); // on the pipeline thread, where the upstream cmdlet announced it
                var early = justCreated ? null : TakePipelineRead<IReadOnlyList<Group>>("user", UserName, PipelineReads.GroupsForUser);
                MembershipPlan plan = Run(ct => planner.PlanMembershipAsync(UserName, GroupName, IsWhatIf, ct, justCreated, early));
                PlanOutcome outcome = ApplyPlan(plan);
                WriteObject(new BackupGroupMembership
                {
                    UserName = UserName,
                    GroupName = GroupName,
                    Status = outcome.Status.ToString(),
                    Changes = outcome.Actions,
                });
            }
            catch (BackupIamException ex)
            {
                WriteFailure(ex, UserName);
            }
        }
    }
}
