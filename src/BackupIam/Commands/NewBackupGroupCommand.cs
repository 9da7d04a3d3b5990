using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
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
                    // A piped Set-BackupGroupPolicy's GetGroupPolicy, sent together with GetGroup and dropped unread
                    // when the group does not exist (issue 16; PipelineReads).
                    var early = new List<(string Read, Task Task)>();
                    IReadOnlyList<string> wantPolicies = PipelineReads.WantedPolicyNames(PipelineReads.GroupPolicy);
                    CancellationToken token = CancellationToken;
                    Action? readsAhead = wantPolicies.Count == 0 ? null : () =>
                    {
                        foreach (string policyName in wantPolicies)
                        {
                            early.Add((PipelineReads.ForPolicy(PipelineReads.GroupPolicy, policyName),
                                PipelineReads.Started(planner.ReadInlinePolicyAsync(InlinePolicyOwner.Group, name, policyName, token))));
                        }
                    };
                    GroupPlan plan = Run(ct => planner.PlanGroupAsync(name, Path, ct, readsAhead));
                    if (!plan.Exists)
                    {
                        early.Clear(); // reads of a group that does not exist: dropped unread
                    }

                    PlanOutcome outcome = ApplyPlan(plan);
                    using (OfferPipelineReads("group", name, early))
                    WriteResult(new BackupGroup
                    {
                        GroupName = name,
                        GroupId = plan.Group?.GroupId,
                        Arn = plan.Group?.Arn,
                        Path = plan.Group?.Path ?? Path ?? "/",
                        Status = outcome.Status.ToString(),
                        Changes = outcome.Actions,
                    }, "group", name, outcome.Status);
                }
                catch (BackupIamException ex)
                {
                    WriteFailure(ex, name);
                }
            }
        }
    }
}
