using System.Linq;
using System.Management.Automation;
using BackupIam.Abstractions;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Naming;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Provisioning;

namespace BackupIam.Commands
{
    /// <summary>Merges statements into a bucket's policy by Sid (or replaces it with -Replace).</summary>
    [Cmdlet(VerbsCommon.Set, "BackupBucketPolicy", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.HelpSource + "Set-BackupBucketPolicy.md")]
    [OutputType(typeof(BackupBucketPolicy))]
    public sealed class SetBackupBucketPolicyCommand : AwsCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Bucket")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.BucketNameCompleter))]
        public string BucketName { get; set; } = "";

        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
        [Alias("Policy")]
        [ValidateNotNullOrEmpty]
        public string PolicyDocument { get; set; } = "";

        [Parameter]
        public SwitchParameter Replace { get; set; }

        private protected override void ValidateBoundParameters()
        {
            if (IsBound(nameof(BucketName)))
            {
                S3Names.ValidateBucketName(BucketName, nameof(BucketName));
            }

            if (IsBound(nameof(PolicyDocument)))
            {
                PolicyDocument document = BucketPlanner.ValidateBucketPolicy(PolicyDocument);
                if (IsBound(nameof(BucketName)))
                {
                    PolicyRules.CheckBucketPolicy(document, BucketName);
                }
            }
        }

        protected override void ProcessRecord()
        {
            try
            {
                var planner = new BucketPlanner(S3);
                BucketPolicyPlan plan = Run(ct => planner.PlanBucketPolicyAsync(BucketName, PolicyDocument, Replace, IsWhatIf, ct));
                if (Replace && plan.Merge != null && plan.Merge.Changed && plan.Merge.Replaced.Count > 0)
                {
                    WriteVerbose($"-Replace drops the bucket's existing statements: {string.Join(", ", plan.Merge.Replaced)}.");
                }

                PlanOutcome outcome = ApplyPlan(plan);
                WriteObject(new BackupBucketPolicy
                {
                    BucketName = BucketName,
                    PolicyDocument = plan.PolicyDocument,
                    Changed = outcome.Actions.Length > 0 && outcome.Status != ResourceStatus.Planned,
                    Added = plan.Merge?.Added.ToArray() ?? new string[0],
                    Replaced = plan.Merge?.Replaced.ToArray() ?? new string[0],
                    Kept = plan.Merge?.Kept.ToArray() ?? new string[0],
                    Status = outcome.Status.ToString(),
                    Changes = outcome.Actions,
                });
            }
            catch (BackupIamException ex)
            {
                WriteFailure(ex, BucketName);
            }
        }
    }
}
