using System;
using System.Linq;
using System.Management.Automation;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using BackupIam.Abstractions;
using BackupIam.Engine.Aws;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Naming;
using BackupIam.Engine.Probing;
using BackupIam.Engine.Provisioning;
using BackupIam.Engine.Secrets;

namespace BackupIam.Commands
{
    /// <summary>
    /// Rotates a backup user's access key: makes and stores a new key, waits until it works, deactivates the old one,
    /// and deletes it when asked or, in a later run, once a grace period has passed. Re-running finishes a rotation
    /// that stopped half way.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "BackupKeyRotation", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.HelpSource + "Invoke-BackupKeyRotation.md")]
    [OutputType(typeof(BackupKeyRotation))]
    public sealed class InvokeBackupKeyRotationCommand : AccessKeyCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.UserNameCompleter))]
        public string UserName { get; set; } = "";

        /// <summary>When the user has two keys: the one to delete first, to make room for the new key.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? RetireAccessKeyId { get; set; }

        /// <summary>Delete the old key in this run, right after deactivating it.</summary>
        [Parameter]
        public SwitchParameter DeleteRetiredKey { get; set; }

        /// <summary>Delete the deactivated old key in a later run, once this many days have passed since it was deactivated.</summary>
        [Parameter]
        [ValidateRange(0, 3650)]
        public int? RetiredKeyGraceDays { get; set; }

        /// <summary>Start a new rotation only when the current key is at least this many days old.</summary>
        [Parameter]
        [ValidateRange(0, 3650)]
        public int? MinimumKeyAgeDays { get; set; }

        /// <summary>The bucket the new key is checked against (GetBucketLocation); without it, ListAllMyBuckets.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string? BucketName { get; set; }

        /// <summary>How long the new key may answer InvalidAccessKeyId while it propagates (default 60).</summary>
        [Parameter]
        [ValidateRange(0, 3600)]
        public int PropagationTimeoutSec { get; set; } = 60;

        /// <summary>Deactivate the old key without checking that the new one works.</summary>
        [Parameter]
        public SwitchParameter SkipVerification { get; set; }

        private protected override string StoredKey => "the new key";

        private protected override void ValidateBoundParameters()
        {
            if (IsBound(nameof(UserName)))
            {
                IamNames.ValidateUserName(UserName);
            }

            ValidateKeyDelivery();

            if (DeleteRetiredKey && RetiredKeyGraceDays != null)
            {
                throw new InputValidationException("RotationSwitchesConflict", "RetiredKeyGraceDays",
                    $"-DeleteRetiredKey deletes the old key now, and -RetiredKeyGraceDays {RetiredKeyGraceDays} keeps it for a while: give one of them.");
            }

            if (SkipVerification && (BucketName != null || IsBound(nameof(PropagationTimeoutSec))))
            {
                throw new InputValidationException("RotationSwitchesConflict", "SkipVerification",
                    "-SkipVerification skips the check that the new key works, so -BucketName and -PropagationTimeoutSec (which configure that check) do not apply: give one or the other.");
            }

            if (RetireAccessKeyId != null && !System.Text.RegularExpressions.Regex.IsMatch(RetireAccessKeyId, "^[A-Z0-9]{16,128}$"))
            {
                throw new InputValidationException("RetireAccessKeyIdInvalid", "RetireAccessKeyId",
                    $"-RetireAccessKeyId '{RetireAccessKeyId}' is not an access key id: it is 16 to 128 upper-case letters and digits, for example AKIAIOSFODNN7EXAMPLE.");
            }

            if (BucketName != null)
            {
                S3Names.ValidateBucketName(BucketName, nameof(BucketName));
            }
        }

        protected override void ProcessRecord()
        {
            KeyRotationPlan? plan = null;
            try
            {
                IdentityPlanner planner = NewKeyPlanner();
                var rotator = new KeyRotator(Iam, KeyJournal, KeyRotationJournal.ForEndpoint(Session.IamEndpoint), planner, VerifyAsync);
                var request = new KeyRotationRequest
                {
                    UserName = UserName,
                    Store = Store,
                    RetireAccessKeyId = RetireAccessKeyId,
                    DeleteRetiredKey = DeleteRetiredKey,
                    RetiredKeyGracePeriod = RetiredKeyGraceDays == null ? (TimeSpan?)null : TimeSpan.FromDays(RetiredKeyGraceDays.Value),
                    MinimumKeyAge = MinimumKeyAgeDays == null ? (TimeSpan?)null : TimeSpan.FromDays(MinimumKeyAgeDays.Value),
                    SkipVerification = SkipVerification,
                };

                plan = Run(ct => rotator.PlanAsync(request, ct));
                PlanOutcome outcome;
                try
                {
                    outcome = ApplyPlan(plan);
                }
                catch (BackupIamException)
                {
                    DeliverToPipeline(plan.CreatedKey, UserName);
                    if (plan.CreatedKey != null && plan.StoredAs == null)
                    {
                        // The new key's secret is held only here: hand it over before reporting the failure.
                        WriteObject(ToResult(plan, "Failed", new string[0]));
                    }

                    throw;
                }

                foreach (string step in plan.Steps)
                {
                    WriteVerbose(step);
                }

                DeliverToPipeline(plan.CreatedKey, UserName);

                WriteObject(ToResult(plan, outcome.Status.ToString(), outcome.Actions));
            }
            catch (BackupIamException ex)
            {
                WriteFailure(ex, UserName);
            }
        }

        private static BackupKeyRotation ToResult(KeyRotationPlan plan, string status, string[] actions) => new BackupKeyRotation
        {
            UserName = plan.UserName,
            Status = status,
            Changes = actions.Where(a => a.StartsWith("iam:", StringComparison.Ordinal)).ToArray(),
            Phase = plan.Phase,
            NewAccessKeyId = plan.NewAccessKeyId,
            NewSecretAccessKey = plan.StoredAs == null ? plan.CreatedKey?.SecretAccessKey : null,
            StoredAs = plan.StoredAs,
            ProfileLocation = plan.StoredIn,
            Verified = plan.Verified,
            PropagationWait = plan.PropagationWait,
            RetiredAccessKeyId = plan.RetiringKey?.AccessKeyId,
            RetiredKeyStatus = plan.RetiringKeyStatus ?? plan.RetiringKey?.Status,
            RetiredKeyDeleteAfter = plan.RetiredKeyDeleteAfter,
            RemovedAccessKeyId = plan.RemovedFirst,
            Steps = plan.Steps.ToArray(),
        };

        /// <summary>Waits until the store accepts the new key: from its secret, or (a re-run) from the profile it was stored in.</summary>
        private async Task<(bool Accepted, TimeSpan Waited, string Detail)> VerifyAsync(string accessKeyId, SecureString? secret, CancellationToken cancellationToken)
        {
            var settings = new AwsConnectionSettings
            {
                Region = Session.RegionName,
                EndpointUrl = EndpointUrl,
                CredentialsSource = "the new access key " + accessKeyId,
            };
            if (secret != null)
            {
                settings.AccessKey = accessKeyId;
                settings.SecretKey = SecretText.Reveal(secret);
            }
            else
            {
                settings.ProfileName = StoreAs;
                settings.ProfileLocation = Store!.ProfileLocation;
            }

            if (IsBound(nameof(ForcePathStyleAddressing)))
            {
                settings.ForcePathStyle = ForcePathStyleAddressing.IsPresent;
            }

            AwsSession keySession = AwsSessionFactory.Create(settings);
            KeyAcceptance acceptance = await KeyAcceptanceProbe.WaitAsync(keySession, BucketName, TimeSpan.FromSeconds(PropagationTimeoutSec),
                Session.RequestLimits.AttemptTimeout, null, cancellationToken).ConfigureAwait(false);
            string what = BucketName == null ? "ListAllMyBuckets" : "GetBucketLocation on " + BucketName;
            return (acceptance.Accepted, acceptance.Waited, $"{what} answered {acceptance.LastAnswer} after {acceptance.Attempts} not-yet answers");
        }
    }
}
