using System.Management.Automation;
using BackupIam.Abstractions;
using BackupIam.Engine.Aws;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Naming;
using BackupIam.Engine.Provisioning;

namespace BackupIam.Commands
{
    /// <summary>Turns on versioning for a backup bucket, so overwritten or deleted backups can be recovered.</summary>
    [Cmdlet(VerbsLifecycle.Enable, "BackupVersioning", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.HelpSource + "Enable-BackupVersioning.md")]
    [OutputType(typeof(BackupBucketVersioning))]
    public sealed class EnableBackupVersioningCommand : BucketCmdlet
    {
        private protected override (string Read, string Parameter)? UpstreamRead => (PipelineReads.BucketVersioning, nameof(BucketName));

        /// <summary>
        /// Nothing can decline this cmdlet's write and the bucket comes from the pipeline: an upstream New-BackupBucket may
        /// write the versioning record with the managed tag of a bucket it creates (issue 16; <see cref="PipelineReads.VersioningRecord"/>).
        /// </summary>
        private protected override string? WantedWhenUndeclinable => PipelineReads.VersioningRecord;

        private protected override void ValidateBoundParameters()
        {
            if (IsBound(nameof(BucketName)))
            {
                S3Names.ValidateBucketName(BucketName, nameof(BucketName));
            }
        }

        protected override void ProcessRecord()
        {
            try
            {
                var planner = new BucketPlanner(BucketGateway(ExpectedBucketOwner));
                bool justCreated = IsJustCreated("bucket", BucketName); // on the pipeline thread, where the upstream cmdlet announced it
                var early = justCreated ? null : TakePipelineRead<S3VersioningState>("bucket", BucketName, PipelineReads.ForOwner(PipelineReads.BucketVersioning, S3.ExpectedBucketOwner));
                // The record written by New-BackupBucket with the managed tag of the bucket it just created (issue 16): only
                // offered when this cmdlet wanted it (nothing can decline its write) and that write succeeded.
                bool recordWritten = justCreated && TakePipelineFact("bucket", BucketName, PipelineReads.ForOwner(PipelineReads.VersioningRecord, S3.ExpectedBucketOwner));
                VersioningPlan plan = Run(ct => planner.PlanVersioningAsync(BucketName, IsWhatIf, ct, justCreated, early, recordWritten));
                PlanOutcome outcome = ApplyPlan(plan);
                WriteObject(new BackupBucketVersioning
                {
                    ExpectedBucketOwner = S3.ExpectedBucketOwner,
                    BucketName = BucketName,
                    PreviousVersioning = plan.Before.ToString(),
                    Versioning = outcome.Status == ResourceStatus.Planned ? plan.Before.ToString() : S3VersioningState.Enabled.ToString(),
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
