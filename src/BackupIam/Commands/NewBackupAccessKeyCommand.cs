using System;
using System.Collections.Generic;
using System.Management.Automation;
using BackupIam.Engine.Aws.Iam;
using BackupIam.Abstractions;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Naming;
using BackupIam.Engine.Provisioning;

namespace BackupIam.Commands
{
    /// <summary>Creates an access key for a backup user, returning the secret as a SecureString or storing it as a profile.</summary>
    [Cmdlet(VerbsCommon.New, "BackupAccessKey", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.HelpSource + "New-BackupAccessKey.md")]
    [OutputType(typeof(BackupAccessKey))]
    public sealed class NewBackupAccessKeyCommand : AccessKeyCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.UserNameCompleter))]
        public string UserName { get; set; } = "";

        [Parameter]
        public SwitchParameter Additional { get; set; }

        /// <summary>What -StoreAs stores. (With -StoreAs, -Force also deletes a key of this user that no profile of the file holds.)</summary>
        private protected override string StoredKey => "the key";

        private protected override (string Read, string Parameter)? UpstreamRead => (PipelineReads.AccessKeys, nameof(UserName));

        private protected override string? WantedWhenUndeclinable => FreshResources.UserLockWanted;

        private protected override void ValidateBoundParameters()
        {
            if (IsBound(nameof(UserName)))
            {
                IamNames.ValidateUserName(UserName);
            }

            ValidateKeyDelivery();
        }

        protected override void ProcessRecord()
        {
            try
            {
                AccessKeyStoreRequest? store = Store;
                // After an uncertain CreateAccessKey it looks again for as long as one attempt may take.
                IdentityPlanner planner = NewKeyPlanner();

                bool justCreated = IsJustCreated("user", UserName); // on the pipeline thread, where the upstream cmdlet announced it

                var early = justCreated ? null : TakePipelineRead<IReadOnlyList<AccessKeyMetadata>>("user", UserName, PipelineReads.AccessKeys);
                // Nothing can decline the plan (no -WhatIf, no question to ask): its ListAccessKeys is made under the
                // user's lock, held until CreateAccessKey has ended, and is not sent again there (issue 16).
                bool readUnderLock = !IsWhatIf && !MayAskToConfirm();
                // A user New-BackupUser created a moment ago under its lock, which it hands on: no key can have been
                // made meanwhile, so no ListAccessKeys at all; the plan releases the lock when CreateAccessKey has ended.
                FileLock? lockSinceCreate = justCreated && readUnderLock ? TakeUserLockFromCreate(UserName) : null;
                AccessKeyPlan plan;
                try
                {
                    plan = Run(ct => planner.PlanAccessKeyAsync(UserName, Additional, store, IsWhatIf, ct, justCreated, early, readUnderLock, lockSinceCreate));
                }
                catch
                {
                    lockSinceCreate?.Dispose(); // the planner releases it on its own failures; this covers a stop before it ran (a second release is harmless)
                    throw;
                }

                PlanOutcome outcome;
                using (plan)
                {
                    // Released here at the latest, before the record goes down the pipeline.
                    outcome = ApplyPlan(plan);
                }

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

                DeliverToPipeline(plan.CreatedKey, UserName);
                WriteObject(result);
            }
            catch (BackupIamException ex)
            {
                WriteFailure(ex, UserName);
            }
        }
    }
}
