using System;
using System.Globalization;
using BackupIam.Engine.Aws;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Naming;

namespace BackupIam.Engine.Probing
{
    /// <summary>What to probe, with which key, against what expectation.</summary>
    public sealed class CredentialProbeSettings
    {
        /// <summary>The default folder (under the prefix) the canaries are written to.</summary>
        public const string DefaultProbePrefix = "backupiam-probe/";

        /// <summary>The session of the key under test. Required.</summary>
        public AwsSession? KeySession { get; set; }

        /// <summary>The access key id of the key under test, for the report (never the secret).</summary>
        public string AccessKeyId { get; set; } = string.Empty;

        /// <summary>
        /// Optional admin credentials: used only to read the bucket's current policy, versioning and lifecycle (so the
        /// no-change probes can send them back), to place an object the key did not write, and to remove canaries the key
        /// could not delete.
        /// </summary>
        public AwsSession? AdminSession { get; set; }

        /// <summary>The backup bucket. Required.</summary>
        public string BucketName { get; set; } = string.Empty;

        /// <summary>The prefix the backups live under ("" or null: the whole bucket).</summary>
        public string? Prefix { get; set; }

        /// <summary>The folder under the prefix the canaries go to (default <c>backupiam-probe/</c>); each run adds a folder of its own.</summary>
        public string ProbePrefix { get; set; } = DefaultProbePrefix;

        /// <summary>What the key should be able to do. Required.</summary>
        public ProbeExpectation? Expectation { get; set; }

        /// <summary>The store, or null to detect it from its answers (RGW's request ids on a custom endpoint).</summary>
        public StoreKind? Store { get; set; }

        /// <summary>How long a new key may answer InvalidAccessKeyId/SignatureDoesNotMatch before it is reported as not propagated (default 60 s).</summary>
        public TimeSpan PropagationTimeout { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary>The timeout of one HTTP request (default 15 s; the SDK tries a failed request twice at most).</summary>
        public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(15);

        /// <summary>Count answers that differ from AWS as the store is known to (RGW's owner rights) as failures.</summary>
        public bool FailOnStoreDifference { get; set; }

        /// <summary>Reports progress while the key propagates (called from a worker thread).</summary>
        public IProgress<PropagationProgress>? Progress { get; set; }

        /// <summary>The run's id (folder and probe bucket name); a new one when null.</summary>
        public string? RunId { get; set; }

        internal string NormalizedPrefix { get; private set; } = string.Empty;

        internal string NormalizedProbePrefix { get; private set; } = DefaultProbePrefix;

        /// <summary>Checks every setting before any request: bucket, prefixes, timeouts and the expectation.</summary>
        /// <exception cref="InputValidationException">Naming the setting and a valid example.</exception>
        public void Validate()
        {
            S3Names.ValidateBucketName(BucketName, "BucketName");
            ValidateFolders();
            if (PropagationTimeout < TimeSpan.Zero || PropagationTimeout > TimeSpan.FromHours(1))
            {
                throw new InputValidationException("PropagationTimeoutInvalid", "PropagationTimeout",
                    "The propagation timeout must be between 0 and 3600 seconds, for example 60; it was " + PropagationTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture) + ".");
            }

            if (RequestTimeout <= TimeSpan.Zero || RequestTimeout > TimeSpan.FromMinutes(10))
            {
                throw new InputValidationException("RequestTimeoutInvalid", "RequestTimeout",
                    "The request timeout must be between 1 and 600 seconds, for example 15; it was " + RequestTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture) + ".");
            }

            if (KeySession == null)
            {
                throw new InputValidationException("KeyRequired", "Key", "Give the key to test.");
            }

            if (Expectation == null)
            {
                throw new InputValidationException("ExpectationRequired", "Preset",
                    "Say what the key should be able to do: -Preset (with its options), -Policy, or -AllowedProbe.");
            }
        }

        /// <summary>Checks and normalizes <see cref="Prefix"/> and <see cref="ProbePrefix"/> only.</summary>
        /// <exception cref="InputValidationException">ErrorId <c>PrefixInvalid</c>, naming the parameter.</exception>
        public void ValidateFolders()
        {
            NormalizedPrefix = CheckFolder(Prefix, "Prefix", allowEmpty: true);
            NormalizedProbePrefix = CheckFolder(ProbePrefix, "ProbePrefix", allowEmpty: false);
        }

        /// <summary>The access key id of a session's credentials (resolving a profile; never the secret).</summary>
        /// <exception cref="BackupIamException">ErrorId <c>KeyProfileUnreadable</c>.</exception>
        public static string AccessKeyIdOf(AwsSession session, string description)
        {
            if (session == null)
            {
                throw new ArgumentNullException(nameof(session));
            }

            try
            {
                return session.Credentials.GetCredentials().AccessKey;
            }
            catch (Exception ex) when (ex is Amazon.Runtime.AmazonClientException || ex is InvalidOperationException || ex is System.IO.IOException || ex is ArgumentException)
            {
                throw new BackupIamException("KeyProfileUnreadable", FailureKind.InvalidArgument,
                    "The key under test could not be read from " + description + " (" + ex.GetType().Name + "). Check -KeyProfileName and -KeyProfileLocation.", ex)
                {
                    Target = description,
                };
            }
        }

        private static string CheckFolder(string? value, string parameterName, bool allowEmpty)
        {
            if (!string.IsNullOrEmpty(value) && value![0] == '/')
            {
                throw new InputValidationException("PrefixInvalid", parameterName,
                    $"-{parameterName} '{value}' starts with '/': S3 keys have no leading slash. Give it as '{value.TrimStart('/')}'.")
                {
                    Target = value,
                };
            }

            string normalized = S3Names.NormalizePrefix(value, parameterName);
            foreach (string segment in normalized.Split('/'))
            {
                if (segment == ".." || segment == ".")
                {
                    throw new InputValidationException("PrefixInvalid", parameterName,
                        $"-{parameterName} '{value}' has a '{segment}' folder: a prefix names folders below the bucket, such as 'backups/dataset-1/', and never one above it.")
                    {
                        Target = value,
                    };
                }
            }

            if (!allowEmpty && normalized.Length == 0)
            {
                throw new InputValidationException("PrefixInvalid", parameterName,
                    $"-{parameterName} must name a folder for the canaries, such as '{DefaultProbePrefix}'.");
            }

            return normalized;
        }
    }
}
