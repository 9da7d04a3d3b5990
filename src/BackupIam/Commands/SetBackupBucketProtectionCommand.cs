using System;
using System.Linq;
using System.Management.Automation;
using BackupIam.Abstractions;
using BackupIam.Engine.Aws;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Posture;
using BackupIam.Engine.Provisioning;

namespace BackupIam.Commands
{
    /// <summary>
    /// Merges the ransomware-posture Deny statements into a bucket policy: TLS only, and delete protection beyond the key
    /// (only a break-glass principal may delete versions or change versioning, lifecycle or the policy). Refuses a policy
    /// that would lock out the caller unless -Force.
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "BackupBucketProtection", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, HelpUri = HelpLinks.HelpSource + "Set-BackupBucketProtection.md")]
    [OutputType(typeof(BackupBucketPolicy))]
    public sealed class SetBackupBucketProtectionCommand : BucketCmdlet
    {
        [Parameter]
        public SwitchParameter RequireTls { get; set; }

        [Parameter]
        [Alias("BreakGlassRoleArn")]
        [ValidateNotNullOrEmpty]
        public string? BreakGlassPrincipalArn { get; set; }

        /// <summary>Skips the lock-out checks (caller is not the break-glass principal; TLS only over a plain-http endpoint).</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        private BucketProtectionSpec Spec() => new BucketProtectionSpec
        {
            BucketName = BucketName,
            RequireTls = RequireTls,
            BreakGlassPrincipalArn = BreakGlassPrincipalArn,
        };

        private protected override void ValidateBoundParameters()
        {
            if (IsBound(nameof(BucketName)))
            {
                BucketProtection.Validate(Spec());
            }
        }

        protected override void ProcessRecord()
        {
            try
            {
                PolicyDocument statements = BucketProtection.Build(Spec());
                var planner = new BucketPlanner(BucketGateway(ExpectedBucketOwner));
                BucketPolicyPlan plan = Run(ct => planner.PlanBucketPolicyAsync(BucketName, PolicyJson.ToJson(statements, indented: false), false, IsWhatIf, ct));
                if (!plan.IsUpToDate && !Force)
                {
                    CheckLockout();
                }

                PlanOutcome outcome = ApplyPlan(plan);
                WriteObject(BackupBucketPolicy.From(BucketName, S3.ExpectedBucketOwner, plan, outcome));
            }
            catch (BackupIamException ex)
            {
                WriteFailure(ex, BucketName);
            }
        }

        /// <summary>
        /// Refuses what would lock the caller out: a delete protection whose break-glass principal is not the caller
        /// (sts:GetCallerIdentity), and TLS only while the bucket is reached over plain http.
        /// </summary>
        private void CheckLockout()
        {
            Uri? endpoint = Session.S3ServiceUrl;
            if (RequireTls && endpoint != null && string.Equals(endpoint.Scheme, "http", StringComparison.OrdinalIgnoreCase))
            {
                throw new BackupIamException("BucketPolicyWouldLockOutCaller", FailureKind.PermissionDenied,
                    $"-RequireTls would deny every request to bucket '{BucketName}' made over {endpoint.Scheme}://{endpoint.Authority}, the endpoint this command uses, so you (and every backup tool using it) would be locked out; " +
                    "on Ceph RGW 16 over plain http even the bucket owner is. Serve the store over https first, or give -Force if that is what you want.") { Target = BucketName };
            }

            if (BreakGlassPrincipalArn == null)
            {
                return;
            }

            CallerIdentity who;
            try
            {
                using (var sts = new StsGateway(Session))
                {
                    who = Run(ct => sts.GetCallerIdentityAsync(ct));
                }
            }
            catch (BackupIamException ex)
            {
                throw new BackupIamException("BucketPolicyLockoutCheckFailed", FailureKind.PermissionDenied,
                    $"Could not ask sts:GetCallerIdentity who these credentials are ({ex.Message}), so it is not known whether the delete protection would lock you out of bucket '{BucketName}'. " +
                    $"Run it with the break-glass principal's credentials ({BreakGlassPrincipalArn}), or give -Force if you are sure you can use them later.", ex) { Target = BucketName };
            }

            if (S3.ExpectedBucketOwner == null && Engine.Naming.IamArns.IsAccountId(who.Account))
            {
                // Only the bucket owner's account may change its policy, and the caller is that break-glass principal:
                // the policy write expects the caller's account to own the bucket (issue 17).
                S3.ExpectedBucketOwner = who.Account;
            }

            if (!BucketProtection.IsBreakGlass(who.Arn, BreakGlassPrincipalArn))
            {
                throw new BackupIamException("BucketPolicyWouldLockOutCaller", FailureKind.PermissionDenied,
                    $"You are {who.Arn}, not the break-glass principal {BreakGlassPrincipalArn}: after this policy you could no longer change or remove the policy of bucket '{BucketName}', " +
                    "nor its versioning or lifecycle, nor delete object versions. Run it as the break-glass principal (assume the role first), or give -Force once you have checked that you can assume it.") { Target = BucketName };
            }
        }
    }
}
