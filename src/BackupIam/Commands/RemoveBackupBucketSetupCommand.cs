using System.Linq;
using System.Management.Automation;
using BackupIam.Abstractions;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Naming;
using BackupIam.Engine.Provisioning;

namespace BackupIam.Commands
{
    /// <summary>
    /// Removes what the module added to a bucket (its bucket-policy statements, lifecycle rules, the versioning it turned
    /// on, its tags) and nothing else; the bucket and its objects stay. A re-run finishes a partial removal.
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "BackupBucketSetup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, HelpUri = HelpLinks.HelpSource + "Remove-BackupBucketSetup.md")]
    [OutputType(typeof(BackupBucketSetupRemoval))]
    public sealed class RemoveBackupBucketSetupCommand : AwsCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Bucket")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.BucketNameCompleter))]
        public string[] BucketName { get; set; } = new string[0];

        private protected override void ValidateBoundParameters()
        {
            if (IsBound(nameof(BucketName)))
            {
                foreach (string name in BucketName)
                {
                    S3Names.ValidateBucketName(name, nameof(BucketName));
                }
            }
        }

        protected override void ProcessRecord()
        {
            foreach (string bucket in BucketName)
            {
                try
                {
                    S3Names.ValidateBucketName(bucket, nameof(BucketName));
                    var teardown = new BucketTeardown(S3);
                    BucketTeardownPlan plan = Run(ct => teardown.PlanAsync(bucket, ct));
                    string[] steps = plan.Changes.Select(c => c.Description).ToArray();
                    PlanOutcome outcome = ApplyPlan(plan);
                    string status = !plan.Exists ? "NotFound"
                        : plan.IsUpToDate ? "Unchanged"
                        : outcome.Status == ResourceStatus.Planned ? "Planned"
                        : plan.Changes.All(c => outcome.Actions.Contains(c.Action)) ? "Removed"
                        : "PartlyRemoved";
                    WriteObject(new BackupBucketSetupRemoval
                    {
                        BucketName = bucket,
                        Status = status,
                        Changes = outcome.Actions,
                        Steps = steps,
                        StatementsRemoved = plan.StatementsRemoved.ToArray(),
                        StatementsKept = plan.StatementsKept.ToArray(),
                        LifecycleRulesRemoved = plan.RulesRemoved.ToArray(),
                        LifecycleRulesKept = plan.RulesKept.ToArray(),
                        VersioningSuspended = plan.SuspendsVersioning && outcome.Status != ResourceStatus.Planned && outcome.Actions.Contains("s3:PutBucketVersioning"),
                        TagsRemoved = plan.TagsRemoved.ToArray(),
                        TagsKept = plan.TagsKept.ToArray(),
                    });
                }
                catch (BackupIamException ex)
                {
                    WriteFailure(ex, bucket);
                }
            }
        }
    }
}
