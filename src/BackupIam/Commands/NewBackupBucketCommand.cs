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
                };
                var planner = new BucketPlanner(S3);
                BucketPlan plan = Run(ct => planner.PlanBucketAsync(spec, ct));
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

                WriteObject(new BackupBucket
                {
                    BucketName = BucketName,
                    Region = region,
                    Folders = plan.Folders.ToArray(),
                    BlockPublicAccess = spec.BlockPublicAccess,
                    BucketOwnerEnforced = spec.EnforceBucketOwnership && !plan.UnsupportedProtections.Any(p => p.StartsWith("object ownership", System.StringComparison.Ordinal)),
                    DefaultEncryption = spec.DefaultEncryption && !plan.UnsupportedProtections.Any(p => p.StartsWith("default encryption", System.StringComparison.Ordinal)),
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
