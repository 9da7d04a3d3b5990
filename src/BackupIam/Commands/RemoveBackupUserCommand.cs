using System.Linq;
using System.Management.Automation;
using BackupIam.Abstractions;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Naming;
using BackupIam.Engine.Provisioning;

namespace BackupIam.Commands
{
    /// <summary>
    /// Removes an IAM user and everything that keeps it alive; a re-run finishes a partial removal. Reports the
    /// bucket-policy statements that name the user (the -BucketName buckets, else the module's managed buckets), and
    /// with -RemoveBucketStatements takes the user out of them first, while its ARN is still what the policies show.
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "BackupUser", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, HelpUri = HelpLinks.HelpSource + "Remove-BackupUser.md")]
    [OutputType(typeof(BackupRemoval))]
    public sealed class RemoveBackupUserCommand : IdentityRemovalCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.UserNameCompleter))]
        public string UserName { get; set; } = "";

        /// <summary>The buckets whose policies are searched for the user; none: the buckets tagged backupiam:managed=true.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.BucketNameCompleter))]
        public string[]? BucketName { get; set; }

        /// <summary>Take the user out of the bucket-policy statements that name it (the whole statement when it is the only principal).</summary>
        [Parameter]
        public SwitchParameter RemoveBucketStatements { get; set; }

        private protected override void ValidateBoundParameters()
        {
            if (IsBound(nameof(UserName)))
            {
                IamNames.ValidateUserName(UserName);
            }

            foreach (string bucket in BucketName ?? new string[0])
            {
                S3Names.ValidateBucketName(bucket, nameof(BucketName));
            }
        }

        protected override void ProcessRecord()
        {
            try
            {
                IdentityTeardown teardown = Teardown;
                var scope = new UserBucketScope(S3) { BucketNames = BucketName?.Distinct().ToList(), RemoveStatements = RemoveBucketStatements.IsPresent };
                UserTeardownPlan plan = Run(ct => teardown.PlanUserAsync(UserName, scope, ct));
                foreach (BucketPrincipalMatch match in plan.BucketStatements)
                {
                    WriteWarning(RemoveBucketStatements.IsPresent
                        ? $"IAM user '{UserName}' is named in the policy of {match}; it is taken out of it."
                        : $"IAM user '{UserName}' is named in the policy of {match}. Give -RemoveBucketStatements to take it out, or the statement will name a deleted user (AWS then shows its unique id).");
                }

                BackupRemoval removal = ApplyRemoval(plan, "User", UserName, "iam:DeleteUser", plan.IamUsersNotSupported, out PlanOutcome outcome);
                bool applied = outcome.Status != ResourceStatus.Planned;
                string[] bucketsWritten = applied && RemoveBucketStatements.IsPresent
                    ? plan.Changes.Where(c => c.Service == "s3").Select(c => c.Target).ToArray()
                    : new string[0];
                removal.BucketStatements = plan.BucketStatements.Select(m => new BackupUserBucketStatement
                {
                    UserName = UserName,
                    BucketName = m.BucketName,
                    Sid = m.Sid,
                    Effect = m.Effect,
                    UserPrincipals = m.Matched.ToArray(),
                    OtherPrincipals = m.OtherPrincipals.ToArray(),
                    WholeStatement = m.WholeStatement,
                    Removed = bucketsWritten.Contains("bucket " + m.BucketName),
                }).ToArray();
                WriteObject(removal);
            }
            catch (BackupIamException ex)
            {
                WriteFailure(ex, UserName);
            }
        }
    }
}
