using System.Linq;
using BackupIam.Engine.Provisioning;

namespace BackupIam.Abstractions
{
    /// <summary>
    /// Shared body of Remove-BackupUser and Remove-BackupGroup: applies a teardown plan (one ShouldProcess question per
    /// step, through <see cref="AwsCmdlet.ApplyPlan(ResourcePlan, bool)"/>) and reports it as a BackupRemoval whose
    /// Status says how far it got: NotFound, Planned (-WhatIf), Removed or PartlyRemoved (a re-run finishes it).
    /// </summary>
    public abstract class IdentityRemovalCmdlet : AwsCmdlet
    {
        private protected IdentityTeardown Teardown => new IdentityTeardown(Iam);

        /// <summary>
        /// Applies <paramref name="plan"/> and returns its report. <paramref name="deleteAction"/> is the plan's last
        /// step (iam:DeleteUser, iam:DeleteGroup); with <paramref name="partlyOnly"/> an applied plan is PartlyRemoved
        /// whatever it did (the store has no IAM users, so the identity itself cannot go).
        /// </summary>
        private protected BackupRemoval ApplyRemoval(ResourcePlan plan, string resourceType, string name, string deleteAction, bool partlyOnly, out PlanOutcome outcome)
        {
            var steps = plan.Changes.Select(c => c.Description).ToArray();
            PlanOutcome applied = ApplyPlan(plan);
            outcome = applied;
            string status = !plan.Exists ? "NotFound"
                : applied.Status == ResourceStatus.Planned ? "Planned"
                : partlyOnly ? "PartlyRemoved"
                : applied.Actions.Contains(deleteAction) || plan.Changes.All(c => applied.Actions.Contains(c.Action)) ? "Removed"
                : "PartlyRemoved";
            return new BackupRemoval { ResourceType = resourceType, Name = name, Status = status, Changes = applied.Actions, Steps = steps };
        }
    }
}
