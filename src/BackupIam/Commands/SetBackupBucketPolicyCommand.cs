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
    [Cmdlet(VerbsCommon.Set, "BackupBucketPolicy", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = DocumentSet, HelpUri = HelpLinks.HelpSource + "Set-BackupBucketPolicy.md")]
    [OutputType(typeof(BackupBucketPolicy))]
    public sealed class SetBackupBucketPolicyCommand : PolicyApplyCmdlet
    {
        private const string DocumentSet = "Document";
        private const string PathSet = "Path";

        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Bucket")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.BucketNameCompleter))]
        public string BucketName { get; set; } = "";

        /// <summary>The account id that must own the bucket: sent as x-amz-expected-bucket-owner on every bucket request (issue 17).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? ExpectedBucketOwner { get; set; }

        /// <summary>Policy JSON: the whole text, or its lines (Get-Content without -Raw).</summary>
        [Parameter(Mandatory = true, Position = 1, ParameterSetName = DocumentSet, ValueFromPipelineByPropertyName = true)]
        [Alias("Policy")]
        [ValidateNotNullOrEmpty]
        public string[] PolicyDocument { get; set; } = new string[0];

        /// <summary>A bucket policy JSON file.</summary>
        [Parameter(Mandatory = true, ParameterSetName = PathSet)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = "";

        [Parameter]
        public SwitchParameter Replace { get; set; }

        private protected override void ValidateBoundParameters()
        {
            if (IsBound(nameof(BucketName)))
            {
                S3Names.ValidateBucketName(BucketName, nameof(BucketName));
            }

            if (IsBound(nameof(PolicyDocument)) || IsBound(nameof(Path)))
            {
                PolicyDocument document = ParameterSetName == PathSet
                    ? BucketPlanner.ValidateBucketPolicy(ReadPolicy())
                    : PolicyParameterErrors.Check(nameof(PolicyDocument), () => BucketPlanner.ValidateBucketPolicy(ReadPolicy()));
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
                string policy = ReadPolicy();
                var planner = new BucketPlanner(BucketGateway(ExpectedBucketOwner));
                BucketPolicyPlan plan = Run(ct => planner.PlanBucketPolicyAsync(BucketName, policy, Replace, IsWhatIf, ct));
                if (Replace && plan.Merge != null && plan.Merge.Changed && plan.Merge.Replaced.Count > 0)
                {
                    WriteVerbose($"-Replace drops the bucket's existing statements: {string.Join(", ", plan.Merge.Replaced)}.");
                }

                // Dropping or replacing statements that are there now is ConfirmImpact High; adding new ones is Medium.
                bool replaces = plan.Merge != null && plan.Merge.Replaced.Count > 0;
                PlanOutcome outcome = ApplyPlan(plan, highImpact: replaces);
                WriteObject(BackupBucketPolicy.From(BucketName, S3.ExpectedBucketOwner, plan, outcome));
            }
            catch (BackupIamException ex)
            {
                WriteFailure(ex, BucketName);
            }
        }

        private string ReadPolicy() => ParameterSetName == PathSet
            ? PolicyDocumentText.FromFile(ResolvePolicyPath(Path), nameof(Path)).Text
            : PolicyDocumentText.FromLines(PolicyDocument, nameof(PolicyDocument));
    }
}
