using System;
using System.Management.Automation;
using BackupIam.Abstractions;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Naming;
using BackupIam.Engine.Provisioning;

namespace BackupIam.Commands
{
    /// <summary>Creates an access key for a backup user, returning the secret as a SecureString or storing it as a profile.</summary>
    [Cmdlet(VerbsCommon.New, "BackupAccessKey", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.HelpSource + "New-BackupAccessKey.md")]
    [OutputType(typeof(BackupAccessKey))]
    public sealed class NewBackupAccessKeyCommand : AwsCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.UserNameCompleter))]
        public string UserName { get; set; } = "";

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? StoreAs { get; set; }

        /// <summary>The credentials file -StoreAs writes to (not the file credentials are read from: that is -ProfileLocation).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? StoreLocation { get; set; }

        [Parameter]
        public SwitchParameter Additional { get; set; }

        /// <summary>
        /// With -StoreAs: replace a profile that holds a key of someone else, and delete a key of this user that no
        /// profile of the file holds (its secret cannot be read back) before a new one is made and stored.
        /// </summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        private AccessKeyStoreRequest? Store => StoreAs == null ? null : new AccessKeyStoreRequest(StoreAs,
            StoreLocation == null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(StoreLocation), Force);

        private protected override void ValidateBoundParameters()
        {
            if (IsBound(nameof(UserName)))
            {
                IamNames.ValidateUserName(UserName);
            }

            if (StoreAs == null && (StoreLocation != null || Force))
            {
                throw new InputValidationException("StoreAsRequired", "StoreAs",
                    "-StoreLocation and -Force only apply to storing the key: give -StoreAs with a profile name too, for example -StoreAs mysite-backup.");
            }

            if (Store != null)
            {
                IamNames.ValidateProfileName(StoreAs);
                CredentialFileStore.CheckWritable(Store);
            }
        }

        protected override void ProcessRecord()
        {
            try
            {
                AccessKeyStoreRequest? store = Store;
                var planner = new IdentityPlanner(Iam, KeyJournal);
                // After an uncertain CreateAccessKey, look again for as long as one attempt may take.
                planner.UncertainKeyWait = Session.RequestLimits.AttemptTimeout;

                AccessKeyPlan plan = Run(ct => planner.PlanAccessKeyAsync(UserName, Additional, store, IsWhatIf, ct));
                PlanOutcome outcome = ApplyPlan(plan);
                var result = new BackupAccessKey { UserName = UserName, Status = outcome.Status.ToString(), Changes = outcome.Actions };
                if (plan.CreatedKey != null)
                {
                    result.AccessKeyId = plan.CreatedKey.AccessKeyId;
                    result.SecretAccessKey = plan.CreatedKey.SecretAccessKey;
                    result.KeyStatus = "Active";
                    result.CreateDate = plan.CreatedKey.CreateDate;
                    result.StoredAs = plan.StoredAs;
                    result.ProfileLocation = plan.StoredIn;
                    if (plan.StoredAs != null)
                    {
                        WriteVerbose($"Stored access key {plan.CreatedKey.AccessKeyId} as profile '{plan.StoredAs}' in {plan.StoredIn} (owner-only permissions).");
                    }
                }
                else if (plan.ExistingKeys.Count > 0)
                {
                    result.StoredAs = plan.StoredAs;
                    result.ProfileLocation = plan.StoredIn;
                    if (StoreAs != null && plan.StoredAs == null && outcome.Status == ResourceStatus.Unchanged)
                    {
                        WriteWarning($"Nothing was stored as profile '{StoreAs}': IAM user '{UserName}' already has access key {plan.ExistingKeys[0].AccessKeyId}, whose secret cannot be read back. Use -Additional to create and store a second key.");
                    }

                    result.AccessKeyId = plan.ExistingKeys[0].AccessKeyId;
                    result.KeyStatus = plan.ExistingKeys[0].Status;
                    result.CreateDate = plan.ExistingKeys[0].CreateDate;
                }

                WriteObject(result);
            }
            catch (BackupIamException ex)
            {
                WriteFailure(ex, UserName);
            }
        }
    }
}
