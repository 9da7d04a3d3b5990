using System.Linq;
using System.Management.Automation;
using BackupIam.Abstractions;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Naming;
using BackupIam.Engine.Provisioning;

namespace BackupIam.Commands
{
    /// <summary>Creates (or confirms) a backup bucket with folder placeholders, Block Public Access, BucketOwnerEnforced and default encryption.</summary>
    [Cmdlet(VerbsCommon.New, "BackupBucket", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.HelpSource + "New-BackupBucket.md")]
    [OutputType(typeof(BackupBucket))]
    public sealed class NewBackupBucketCommand : AwsCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Bucket")]
        [ValidateNotNullOrEmpty]
        public string BucketName { get; set; } = "";

        /// <summary>The account id that must own the bucket: sent as x-amz-expected-bucket-owner on every bucket request (issue 17).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? ExpectedBucketOwner { get; set; }

        [Parameter(Position = 1)]
        [Alias("Folders")]
        [ValidateNotNull]
        public string[] Folder { get; set; } = new string[0];

        [Parameter]
        public SwitchParameter SkipPublicAccessBlock { get; set; }

        [Parameter]
        public SwitchParameter SkipOwnershipControls { get; set; }

        [Parameter]
        public SwitchParameter SkipEncryption { get; set; }

        /// <summary>Object Lock without a default retention (implied by -ObjectLockMode).</summary>
        [Parameter]
        public SwitchParameter ObjectLock { get; set; }

        [Parameter]
        [ValidateSet("Governance", "Compliance")]
        public string? ObjectLockMode { get; set; }

        [Parameter]
        public int? ObjectLockRetentionDays { get; set; }

        [Parameter]
        public int? ObjectLockRetentionYears { get; set; }

        /// <summary>Skips the confirmation that COMPLIANCE retention asks for.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        private ObjectLockSpec? LockSpec()
        {
            if (!ObjectLock && ObjectLockMode == null && ObjectLockRetentionDays == null && ObjectLockRetentionYears == null)
            {
                return null;
            }

            return new ObjectLockSpec
            {
                Mode = ObjectLockMode?.ToUpperInvariant(),
                Days = ObjectLockRetentionDays,
                Years = ObjectLockRetentionYears,
            };
        }

        private protected override void ValidateBoundParameters()
        {
            if (IsBound(nameof(BucketName)))
            {
                S3Names.ValidateBucketName(BucketName, nameof(BucketName));
            }

            foreach (string folder in Folder)
            {
                S3Names.NormalizeFolderKey(folder, nameof(Folder));
            }

            LockSpec()?.Validate();
        }

        /// <summary>True for an AWS region name such as eu-west-1 or us-gov-west-1.</summary>
        private static bool IsRegionName(string region) =>
            System.Text.RegularExpressions.Regex.IsMatch(region, "^[a-z]{2}(-[a-z]+)+-[0-9]+$");

        protected override void ProcessRecord()
        {
            try
            {
                var spec = new BucketSpec
                {
                    BucketName = BucketName,
                    Folders = Folder.ToList(),
                    BlockPublicAccess = !SkipPublicAccessBlock,
                    EnforceBucketOwnership = !SkipOwnershipControls,
                    DefaultEncryption = !SkipEncryption,
                    ObjectLock = LockSpec(),
                    // A later Enable-BackupVersioning that nothing can decline wants the record written with a new bucket's
                    // managed tag (issue 16); only when nothing can decline this cmdlet's writes either, so that -WhatIf and
                    // -Confirm show and ask what they always did.
                    VersioningRecord = PipelineReads.IsWanted(PipelineReads.VersioningRecord) && !IsWhatIf && !MayAskToConfirm(),
                };
                Engine.Aws.IS3Gateway gateway = BucketGateway(ExpectedBucketOwner);
                var planner = new BucketPlanner(gateway);
                // Reads a later cmdlet of this pipeline will make of an existing bucket, sent with HeadBucket and this
                // bucket's own reads (issue 16; PipelineReads), and dropped unread when the bucket does not exist. Their
                // entries name the expected owner whose header they carry.
                System.Threading.Tasks.Task<Engine.Aws.S3VersioningState>? versioningRead = null;
                System.Threading.Tasks.Task<System.Collections.Generic.IReadOnlyList<Engine.Aws.S3LifecycleRule>?>? lifecycleRead = null;
                bool wantVersioning = PipelineReads.IsWanted(PipelineReads.BucketVersioning);
                bool wantLifecycle = PipelineReads.IsWanted(PipelineReads.BucketLifecycle);
                string name = BucketName;
                System.Threading.CancellationToken token = CancellationToken;
                System.Action? readsAhead = !wantVersioning && !wantLifecycle ? null : () =>
                {
                    versioningRead = wantVersioning ? PipelineReads.Started(gateway.GetBucketVersioningAsync(name, token)) : null;
                    lifecycleRead = wantLifecycle ? PipelineReads.Started(gateway.GetBucketLifecycleConfigurationAsync(name, token)) : null;
                };
                BucketPlan plan = Run(ct => planner.PlanBucketAsync(spec, ct, readsAhead));
                if (!plan.Exists)
                {
                    versioningRead = null; // a read of a bucket that does not exist: dropped unread
                    lifecycleRead = null;
                }

                if (!ConfirmCompliance(plan, spec.ObjectLock))
                {
                    return;
                }

                PlanOutcome outcome;
                try
                {
                    outcome = ApplyPlan(plan);
                }
                finally
                {
                    // What the store does not support is found while planning or, for a new bucket, while applying.
                    foreach (string warning in plan.StoreWarnings)
                    {
                        WriteWarning(warning);
                    }
                }

                if (outcome.Status != ResourceStatus.Planned || plan.Exists)
                {
                    NoteBucketExists(BucketName); // for the Set-*Policy missing-bucket check (issue 16)
                }

                // An existing bucket stays in the region it was created in: report that one, and say when it is not the one asked for.
                string region = plan.ActualRegion ?? Session.RegionName;
                if (!IsRegionName(region))
                {
                    // An S3-compatible store answers with its own name (Ceph RGW: the zonegroup, "default"), which no -Region matches.
                    WriteVerbose($"The store reports bucket '{BucketName}' in '{region}' (its own location name, not an AWS region).");
                }
                else if (!string.Equals(region, Session.RegionName, System.StringComparison.Ordinal))
                {
                    WriteWarning(
                        $"Bucket '{BucketName}' is in region {region}, not {Session.RegionName} ({Session.RegionSource}): it already existed, "
                        + $"and a bucket's region never changes. Use -Region {region} for this bucket, or another bucket name for {Session.RegionName}.");
                }

                using (OfferPipelineRead("bucket", BucketName, PipelineReads.ForOwner(PipelineReads.BucketVersioning, gateway.ExpectedBucketOwner), versioningRead))
                using (OfferPipelineRead("bucket", BucketName, PipelineReads.ForOwner(PipelineReads.BucketLifecycle, gateway.ExpectedBucketOwner), lifecycleRead))
                using (OfferPipelineRead("bucket", BucketName, PipelineReads.ForOwner(PipelineReads.VersioningRecord, gateway.ExpectedBucketOwner),
                    plan.VersioningRecorded && outcome.Status == ResourceStatus.Created ? System.Threading.Tasks.Task.FromResult(true) : null))
                WriteResult(new BackupBucket
                {
                    BucketName = BucketName,
                    Region = region,
                    Folders = plan.Folders.ToArray(),
                    BlockPublicAccess = spec.BlockPublicAccess,
                    BucketOwnerEnforced = spec.EnforceBucketOwnership && !plan.UnsupportedProtections.Any(p => p.StartsWith("object ownership", System.StringComparison.Ordinal)),
                    DefaultEncryption = spec.DefaultEncryption && !plan.UnsupportedProtections.Any(p => p.StartsWith("default encryption", System.StringComparison.Ordinal)),
                    ObjectLockMode = spec.ObjectLock?.Mode ?? plan.ObjectLockBefore?.Mode,
                    ObjectLockRetentionDays = spec.ObjectLock?.Mode != null ? spec.ObjectLock.Days : plan.ObjectLockBefore?.Days,
                    ObjectLockRetentionYears = spec.ObjectLock?.Mode != null ? spec.ObjectLock.Years : plan.ObjectLockBefore?.Years,
                    ObjectLockEnabled = spec.ObjectLock != null || plan.ObjectLockBefore != null,
                    ExpectedBucketOwner = S3.ExpectedBucketOwner,
                    Status = outcome.Status.ToString(),
                    Changes = outcome.Actions,
                }, "bucket", BucketName, outcome.Status);
            }
            catch (BackupIamException ex)
            {
                WriteFailure(ex, BucketName);
            }
        }

        /// <summary>
        /// COMPLIANCE retention cannot be undone, so that step asks as a High-impact change would: unless -Force (or
        /// -WhatIf, which only shows the plan), the user confirms; declining writes nothing at all.
        /// </summary>
        private bool ConfirmCompliance(BucketPlan plan, ObjectLockSpec? objectLock)
        {
            if (objectLock?.Mode != ObjectLockSpec.Compliance || Force || MyInvocation.BoundParameters.ContainsKey("WhatIf") ||
                !plan.Changes.Any(c => c.Action.EndsWith("PutObjectLockConfiguration", System.StringComparison.Ordinal)))
            {
                return true;
            }

            string query = $"Object Lock in COMPLIANCE mode on bucket '{BucketName}' ({objectLock}) cannot be undone: every object version written " +
                "while it is on can be neither deleted nor overwritten by anyone, the account root included, until its retention ends, and the bucket cannot be deleted before then. Continue?";
            return ShouldContinue(query, "Confirm COMPLIANCE Object Lock");
        }
    }
}
