using System.Management.Automation;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Naming;
using BackupIam.Engine.Provisioning;

namespace BackupIam.Abstractions
{
    /// <summary>Shared body of Set-BackupGroupPolicy and Set-BackupUserPolicy.</summary>
    public abstract class InlinePolicyCmdlet : PolicyApplyCmdlet
    {
        private const string DocumentSet = "Document";
        private const string PolicySet = "Policy";
        private const string PathSet = "Path";

        [Parameter(Mandatory = true, ParameterSetName = DocumentSet, ValueFromPipelineByPropertyName = true)]
        [Parameter(ParameterSetName = PathSet)]
        [ValidateNotNullOrEmpty]
        public string PolicyName { get; set; } = "";

        /// <summary>Policy JSON: the whole text, or its lines (Get-Content without -Raw).</summary>
        [Parameter(Mandatory = true, ParameterSetName = DocumentSet, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[] PolicyDocument { get; set; } = new string[0];

        /// <summary>A policy JSON file; the policy name defaults to the file name without its extension.</summary>
        [Parameter(Mandatory = true, ParameterSetName = PathSet)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = "";

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
            else if (IsBound(nameof(Path)))
            {
                (string name, string document) = ReadPolicy();
                IdentityPlanner.ValidateInlinePolicy(Owner, name, document);
            }
            else if (IsBound(nameof(PolicyName)) && IsBound(nameof(PolicyDocument)))
            {
                PolicyParameterErrors.Check(nameof(PolicyDocument), () => IdentityPlanner.ValidateInlinePolicy(Owner, PolicyName, PolicyDocumentText.FromLines(PolicyDocument, nameof(PolicyDocument))));
            }
            else if (IsBound(nameof(PolicyName)))
            {
                IamNames.ValidatePolicyName(PolicyName);
            }
        }

        /// <summary>
        /// The policy read a piped New-BackupUser/New-BackupGroup may send with its own existence check (issue 16;
        /// PipelineReads): known here only when the policy's name is given on the command line (-Policy, -PolicyName).
        /// </summary>
        private protected override (string Read, string Parameter)? UpstreamRead =>
            KnownPolicyName() is string name && name.Length > 0
                ? (PipelineReads.ForPolicy(IsUserPolicy ? PipelineReads.UserPolicy : PipelineReads.GroupPolicy, name), OwnerParameterName)
                : ((string, string)?)null;

        private string? KnownPolicyName() => Policy != null ? Policy.PolicyName : IsBound(nameof(PolicyName)) ? PolicyName : null;

        protected override void ProcessRecord()
        {
            try
            {
                (string policyName, string document) = ReadPolicy();
                var planner = new IdentityPlanner(Iam);
                string kind = Owner == InlinePolicyOwner.User ? "user" : "group";
                bool justCreated = IsJustCreated(kind, OwnerName); // on the pipeline thread, where the upstream cmdlet announced it
                var early = justCreated ? null : TakePipelineRead<string>(kind, OwnerName,
                    PipelineReads.ForPolicy(IsUserPolicy ? PipelineReads.UserPolicy : PipelineReads.GroupPolicy, policyName));
                InlinePolicyPlan plan = Run(ct => planner.PlanInlinePolicyAsync(Owner, OwnerName, policyName, document, IsWhatIf, ct, justCreated, early));
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
                WarnAboutMissingBuckets(document, policyName);
            }
            catch (BackupIamException ex)
            {
                WriteFailure(ex, OwnerName);
            }
        }

        /// <summary>The policy's name and JSON, from -Policy, -Path or -PolicyName/-PolicyDocument.</summary>
        private (string Name, string Document) ReadPolicy()
        {
            if (Policy != null)
            {
                return (Policy.PolicyName ?? string.Empty, Policy.PolicyDocument);
            }

            if (ParameterSetName == PathSet)
            {
                string resolved = ResolvePolicyPath(Path);
                var parsed = PolicyDocumentText.FromFile(resolved, nameof(Path));
                return (IsBound(nameof(PolicyName)) ? PolicyName : parsed.Name, parsed.Text);
            }

            return (PolicyName, PolicyDocumentText.FromLines(PolicyDocument, nameof(PolicyDocument)));
        }
    }
}
