using System;
using System.IO;
using System.Management.Automation;
using BackupIam.Engine.Ci;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Naming;
using BackupIam.Engine.Provisioning;

namespace BackupIam.Abstractions
{
    /// <summary>
    /// Shared body of the cmdlets that create access keys (New-BackupAccessKey, Invoke-BackupKeyRotation): where the
    /// new secret goes (-StoreAs, -StoreLocation, -Force, -SetPipelineVariable), the checks of those parameters before
    /// any call, and, on a CI runner, the masking of the secret before the module writes it out (issue 15).
    /// </summary>
    public abstract class AccessKeyCmdlet : AwsCmdlet
    {
        private CiRunner? _runner;

        /// <summary>The profile the new key is stored as; without it the secret is returned as a SecureString.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? StoreAs { get; set; }

        /// <summary>The credentials file -StoreAs writes to (default ~/.aws/credentials; not -ProfileLocation, which is read).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? StoreLocation { get; set; }

        /// <summary>With -StoreAs: replace a profile that holds credentials other than this user's key.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>
        /// On GitHub Actions or Azure Pipelines: the prefix of the pipeline variables the new key is set as
        /// (PREFIX_ACCESS_KEY_ID, and PREFIX_SECRET_ACCESS_KEY as a secret). (Not -PipelineVariable: that is a common parameter.)
        /// </summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? SetPipelineVariable { get; set; }

        /// <summary>What -StoreAs stores, in the StoreAsRequired message ("the key", "the new key").</summary>
        private protected abstract string StoredKey { get; }

        private protected AccessKeyStoreRequest? Store => StoreAs == null ? null : new AccessKeyStoreRequest(StoreAs,
            StoreLocation == null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(StoreLocation), Force);

        /// <summary>The CI runner this process runs on (GITHUB_ACTIONS, TF_BUILD), read once per command.</summary>
        private protected CiRunner Runner => _runner ??= CiRunner.Detect(Environment.GetEnvironmentVariable);

        /// <summary>Checks -StoreAs, -StoreLocation, -Force and -SetPipelineVariable; call it from ValidateBoundParameters.</summary>
        private protected void ValidateKeyDelivery()
        {
            if (StoreAs == null && (StoreLocation != null || Force))
            {
                throw new InputValidationException("StoreAsRequired", "StoreAs",
                    $"-StoreLocation and -Force only apply to storing {StoredKey}: give -StoreAs with a profile name too, for example -StoreAs mysite-backup.");
            }

            if (SetPipelineVariable != null)
            {
                Runner.ValidateVariablePrefix(SetPipelineVariable, nameof(SetPipelineVariable));
            }

            if (Store != null)
            {
                IamNames.ValidateProfileName(StoreAs);
                CredentialFileStore.CheckWritable(Store);
            }
        }

        /// <summary>
        /// A planner whose new secret is masked on a CI runner right before -StoreAs writes it to the credentials file.
        /// Workflow commands go to the process's standard output (Console.Out), where the runner reads them: not to the
        /// pipeline or the host, so never into a transcript. The planner calls this from a worker thread.
        /// </summary>
        private protected IdentityPlanner NewKeyPlanner()
        {
            var planner = new IdentityPlanner(Iam, KeyJournal) { UncertainKeyWait = Session.RequestLimits.AttemptTimeout };
            CiRunner runner = Runner;
            if (runner.Kind != CiRunnerKind.None)
            {
                planner.BeforeSecretStored = (id, secret) => runner.Mask(id, secret, Console.Out);
            }

            return planner;
        }

        /// <summary>
        /// -SetPipelineVariable: sets the new key as the runner's pipeline variables (masked first). Nothing without the
        /// parameter; a warning when this run made no key (an existing key's secret cannot be read back).
        /// </summary>
        private protected void DeliverToPipeline(CreatedAccessKey? key, string userName)
        {
            if (SetPipelineVariable == null || IsWhatIf)
            {
                return;
            }

            if (key == null)
            {
                WriteWarning($"No pipeline variable was set: this run made no new access key for IAM user '{userName}', and an existing key's secret cannot be read back.");
                return;
            }

            try
            {
                string[] names = Runner.SetVariables(SetPipelineVariable, key.AccessKeyId, key.SecretAccessKey, Console.Out);
                WriteVerbose($"Set access key {key.AccessKeyId} as pipeline variables {string.Join(" and ", names)} ({Runner.Kind}; the secret one masked).");
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is BackupIamException)
            {
                WriteFailure(new BackupIamException("PipelineVariableWriteFailed", FailureKind.InvalidData,
                    $"Access key {key.AccessKeyId} of IAM user '{userName}' was made, but could not be set as pipeline variables with prefix {SetPipelineVariable}: {ex.Message} " +
                    "The key is in the command's output (or its -StoreAs profile).", ex), userName);
            }
        }
    }
}
