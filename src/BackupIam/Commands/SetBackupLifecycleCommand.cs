using System.Collections.Generic;
using System.Management.Automation;
using BackupIam.Abstractions;
using BackupIam.Engine.Aws;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Naming;
using BackupIam.Engine.Provisioning;

namespace BackupIam.Commands
{
    /// <summary>Adds or updates a retention lifecycle rule on a backup bucket, keeping its other rules.</summary>
    [Cmdlet(VerbsCommon.Set, "BackupLifecycle", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.HelpSource + "Set-BackupLifecycle.md")]
    [OutputType(typeof(BackupLifecycleRule))]
    public sealed class SetBackupLifecycleCommand : BucketCmdlet
    {
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string RuleId { get; set; } = "backup-retention";

        [Parameter]
        [AllowEmptyString]
        public string? Prefix { get; set; }

        [Parameter]
        public int? NoncurrentVersionExpirationDays { get; set; }

        [Parameter]
        public int? NewerNoncurrentVersions { get; set; }

        [Parameter]
        public int? AbortIncompleteMultipartUploadDays { get; set; }

        [Parameter]
        public int? ExpirationDays { get; set; }

        /// <summary>Allows -ExpirationDays without -Prefix, which expires every current object in the bucket.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        private LifecycleSpec Spec => new LifecycleSpec
        {
            RuleId = RuleId,
            Prefix = Prefix,
            NoncurrentVersionExpirationDays = NoncurrentVersionExpirationDays,
            NewerNoncurrentVersions = NewerNoncurrentVersions,
            AbortIncompleteMultipartUploadDays = AbortIncompleteMultipartUploadDays,
            ExpirationDays = ExpirationDays,
            AllowWholeBucketExpiration = Force,
        };

        private protected override (string Read, string Parameter)? UpstreamRead => (PipelineReads.BucketLifecycle, nameof(BucketName));

        private protected override void ValidateBoundParameters()
        {
            if (IsBound(nameof(BucketName)))
            {
                S3Names.ValidateBucketName(BucketName, nameof(BucketName));
            }

            BucketPlanner.ValidateLifecycle(Spec);
            WarnIfNormalized(Prefix, nameof(Prefix));
        }

        protected override void ProcessRecord()
        {
            try
            {
                LifecycleSpec spec = Spec;
                var planner = new BucketPlanner(BucketGateway(ExpectedBucketOwner));
                bool justCreated = IsJustCreated("bucket", BucketName); // on the pipeline thread, where the upstream cmdlet announced it
                var early = justCreated ? null : TakePipelineRead<IReadOnlyList<S3LifecycleRule>?>("bucket", BucketName, PipelineReads.ForOwner(PipelineReads.BucketLifecycle, S3.ExpectedBucketOwner));
                LifecyclePlan plan = Run(ct => planner.PlanLifecycleAsync(BucketName, spec, IsWhatIf, ct, justCreated, early));
                // Expiring current objects deletes data, and rewriting a rule that is there replaces it: ConfirmImpact High.
                bool highImpact = ExpirationDays.HasValue || plan.Exists;
                PlanOutcome outcome = ApplyPlan(plan, highImpact);
                WriteObject(new BackupLifecycleRule
                {
                    ExpectedBucketOwner = S3.ExpectedBucketOwner,
                    BucketName = BucketName,
                    RuleId = RuleId,
                    Prefix = plan.Rule?.Prefix ?? string.Empty,
                    NoncurrentVersionExpirationDays = NoncurrentVersionExpirationDays,
                    NewerNoncurrentVersions = NewerNoncurrentVersions,
                    AbortIncompleteMultipartUploadDays = AbortIncompleteMultipartUploadDays,
                    ExpirationDays = ExpirationDays,
                    OtherRules = plan.Rules.Count - 1,
                    Description = plan.Rule == null ? string.Empty : BucketPlanner.Describe(plan.Rule),
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
