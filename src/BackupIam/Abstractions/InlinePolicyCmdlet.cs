using System.Management.Automation;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Naming;
using BackupIam.Engine.Provisioning;

namespace BackupIam.Abstractions
{
    /// <summary>Shared body of Set-BackupGroupPolicy and Set-BackupUserPolicy.</summary>
    public abstract class InlinePolicyCmdlet : AwsCmdlet
    {
        private const string DocumentSet = "Document";
        private const string PolicySet = "Policy";

        [Parameter(Mandatory = true, ParameterSetName = DocumentSet, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string PolicyName { get; set; } = "";

        [Parameter(Mandatory = true, ParameterSetName = DocumentSet, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string PolicyDocument { get; set; } = "";

        /// <summary>A BackupPolicy from New-BackupPolicy, instead of -PolicyName and -PolicyDocument.</summary>
        [Parameter(Mandatory = true, ParameterSetName = PolicySet)]
        [ValidateNotNull]
        public BackupPolicy? Policy { get; set; }

        /// <summary>True for Set-BackupUserPolicy, false for Set-BackupGroupPolicy. (Engine types stay out of signatures
        /// that PowerShell loads at import, before the engine is loadable.)</summary>
        private protected abstract bool IsUserPolicy { get; }

        private protected abstract string OwnerName { get; }

        private InlinePolicyOwner Owner => IsUserPolicy ? InlinePolicyOwner.User : InlinePolicyOwner.Group;

        /// <summary>The name of the owner parameter (UserName or GroupName).</summary>
        private protected abstract string OwnerParameterName { get; }

        private protected override void ValidateBoundParameters()
        {
            if (IsBound(OwnerParameterName))
            {
                if (IsUserPolicy)
                {
                    IamNames.ValidateUserName(OwnerName);
                }
                else
                {
                    IamNames.ValidateGroupName(OwnerName);
                }
            }

            if (Policy != null)
            {
                IdentityPlanner.ValidateInlinePolicy(Owner, Policy.PolicyName ?? string.Empty, Policy.PolicyDocument);
            }
            else if (IsBound(nameof(PolicyName)) && IsBound(nameof(PolicyDocument)))
            {
                PolicyParameterErrors.Check(nameof(PolicyDocument), () => IdentityPlanner.ValidateInlinePolicy(Owner, PolicyName, PolicyDocument));
            }
            else if (IsBound(nameof(PolicyName)))
            {
                IamNames.ValidatePolicyName(PolicyName);
            }
        }

        protected override void ProcessRecord()
        {
            string policyName = Policy?.PolicyName ?? PolicyName;
            string document = Policy?.PolicyDocument ?? PolicyDocument;
            try
            {
                var planner = new IdentityPlanner(Iam);
                bool justCreated = IsJustCreated(Owner == InlinePolicyOwner.User ? "user" : "group", OwnerName); // on the pipeline thread, where the upstream cmdlet announced it
                InlinePolicyPlan plan = Run(ct => planner.PlanInlinePolicyAsync(Owner, OwnerName, policyName, document, IsWhatIf, ct, justCreated));
                PlanOutcome outcome = ApplyPlan(plan);
                WriteObject(new BackupInlinePolicy
                {
                    OwnerType = Owner.ToString(),
                    UserName = Owner == InlinePolicyOwner.User ? OwnerName : null,
                    GroupName = Owner == InlinePolicyOwner.Group ? OwnerName : null,
                    PolicyName = policyName,
                    PolicyDocument = plan.PolicyDocument,
                    Changed = outcome.Actions.Length > 0 && outcome.Status != ResourceStatus.Planned,
                    Status = outcome.Status.ToString(),
                    Changes = outcome.Actions,
                });
            }
            catch (BackupIamException ex)
            {
                WriteFailure(ex, OwnerName);
            }
        }
    }
}
