using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using BackupIam.Abstractions;
using BackupIam.Engine.Aws;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Presets;
using BackupIam.Engine.Probing;
using BackupIam.Engine.Naming;
using BackupIam.Engine.Simulation;

namespace BackupIam.Commands
{
    /// <summary>
    /// Proves live what a backup key can and cannot do: probes the store with the key under test and compares every
    /// answer with a preset, a policy (decided by the simulator) or a list of allowed probes.
    /// </summary>
    /// <remarks>
    /// -AccessKey/-SecretKey/-ProfileName/-Credential (the shared AWS parameters) are the ADMIN credentials, optional and
    /// used only to read the bucket's settings, place an object the key did not write and remove canaries. The key under
    /// test comes from the pipeline (-Key), -KeyProfileName, or -KeyAccessKeyId with -KeySecretAccessKey.
    /// </remarks>
    [Cmdlet(VerbsDiagnostic.Test, "BackupCredential", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = PresetSet, HelpUri = HelpLinks.HelpSource + "Test-BackupCredential.md")]
    [OutputType(typeof(BackupCredentialProbe), typeof(BackupCredentialTest))]
    public sealed class TestBackupCredentialCommand : AwsCmdlet
    {
        private const string PresetSet = "Preset";
        private const string PolicySet = "Policy";
        private const string AllowedProbeSet = "AllowedProbe";

        /// <summary>The key under test as an object: New-BackupAccessKey's output, or anything with AccessKeyId and SecretAccessKey (or StoredAs).</summary>
        [Parameter(ValueFromPipeline = true)]
        [Alias("InputObject")]
        public object? Key { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? KeyProfileName { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? KeyProfileLocation { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? KeyAccessKeyId { get; set; }

        /// <summary>The secret of -KeyAccessKeyId: a SecureString (preferred) or a string.</summary>
        [Parameter]
        [ValidateNotNull]
        public object? KeySecretAccessKey { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = PresetSet)]
        [ValidateNotNullOrEmpty]
        public string Preset { get; set; } = "";

        [Parameter(ParameterSetName = PresetSet)]
        public SwitchParameter NoListBucket { get; set; }

        [Parameter(ParameterSetName = PresetSet)]
        public SwitchParameter AllowObjectAcl { get; set; }

        [Parameter(ParameterSetName = PresetSet)]
        public SwitchParameter AllowMultipart { get; set; }

        [Parameter(ParameterSetName = PresetSet)]
        public SwitchParameter AllowBucketDiscovery { get; set; }

        [Parameter(ParameterSetName = PresetSet)]
        public SwitchParameter AllowCreateBucket { get; set; }

        [Parameter(ParameterSetName = PresetSet)]
        public SwitchParameter RequireBucketOwnerFullControl { get; set; }

        /// <summary>The policies the key is expected to follow: BackupPolicy objects or JSON (identity policies and at most one bucket policy).</summary>
        [Parameter(Mandatory = true, ParameterSetName = PolicySet)]
        [ValidateNotNullOrEmpty]
        public object[] Policy { get; set; } = new object[0];

        /// <summary>Who the key belongs to, for bucket policies that name principals.</summary>
        [Parameter(ParameterSetName = PolicySet)]
        [ValidateNotNullOrEmpty]
        public string? PrincipalArn { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = AllowedProbeSet)]
        [AllowEmptyCollection]
        public string[] AllowedProbe { get; set; } = new string[0];

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Bucket")]
        [ValidateNotNullOrEmpty]
        public string? BucketName { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString]
        public string? Prefix { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string ProbePrefix { get; set; } = CredentialProbeSettings.DefaultProbePrefix;

        [Parameter]
        [ValidateSet("Auto", "Aws", "CephRgw")]
        public string Store { get; set; } = "Auto";

        [Parameter]
        [ValidateRange(0, 3600)]
        public int PropagationTimeoutSec { get; set; } = 60;

        [Parameter]
        [ValidateRange(1, 600)]
        public int RequestTimeoutSec { get; set; } = 15;

        [Parameter]
        public SwitchParameter FailOnStoreDifference { get; set; }

        private bool HasAdminCredentials =>
            IsBound(nameof(AccessKey)) || IsBound(nameof(ProfileName)) || IsBound(nameof(Credential)) || IsBound(nameof(ProfileLocation));

        private protected override void ValidateBoundParameters()
        {
            if (IsBound(nameof(BucketName)))
            {
                S3Names.ValidateBucketName(BucketName!, nameof(BucketName));
            }

            if (IsBound(nameof(Prefix)))
            {
                CheckFolder(Prefix, nameof(Prefix));
            }

            CheckFolder(ProbePrefix, nameof(ProbePrefix));
            if (ParameterSetName == PresetSet)
            {
                PresetCatalog.Get(Preset);
            }
            else if (ParameterSetName == AllowedProbeSet)
            {
                ProbeExpectation.FromAllowedProbes(AllowedProbe, nameof(AllowedProbe));
            }
            else
            {
                ReadPolicies();
                if (PrincipalArn != null)
                {
                    ProbeExpectation.PrincipalFromArn(PrincipalArn, nameof(PrincipalArn));
                }
            }

            if (KeyAccessKeyId != null || KeySecretAccessKey != null)
            {
                ReadSecret(KeySecretAccessKey);
                if (KeyAccessKeyId == null)
                {
                    throw new InputValidationException("KeyAccessKeyIdRequired", nameof(KeyAccessKeyId),
                        "-KeySecretAccessKey needs -KeyAccessKeyId: give the access key id of the key under test too, for example -KeyAccessKeyId AKIAIOSFODNN7EXAMPLE.");
                }

                if (KeyProfileName != null)
                {
                    throw new InputValidationException("KeySourceAmbiguous", nameof(KeyProfileName),
                        "Give the key under test one way: -KeyProfileName, or -KeyAccessKeyId with -KeySecretAccessKey, not both.");
                }
            }

            if (KeyProfileLocation != null && KeyProfileName == null)
            {
                throw new InputValidationException("KeyProfileNameRequired", nameof(KeyProfileName),
                    "-KeyProfileLocation names the file the key under test is read from: give -KeyProfileName too, for example -KeyProfileName backup.");
            }

            if (!MyInvocation.ExpectingInput && KeyAccessKeyId == null && KeyProfileName == null && !IsBound(nameof(Key)))
            {
                throw NoKey();
            }
        }

        protected override void ProcessRecord()
        {
            object? target = BucketName;
            try
            {
                KeySource key = ResolveKey();
                target = key.AccessKeyId;
                var settings = BuildSettings(key);
                if (IsWhatIf)
                {
                    ShowPlan(settings, key);
                    return;
                }

                string where = "s3://" + settings.BucketName + "/" + S3Names.NormalizePrefix(settings.Prefix, nameof(Prefix));
                if (!ShouldProcess(where, $"Probe with key {key.AccessKeyId}: {ProbeCatalog.All.Count} probes, canaries under {S3Names.NormalizePrefix(settings.Prefix, nameof(Prefix))}{ProbePrefix}"))
                {
                    return;
                }

                WriteVerbose($"Probing {where} with key {key.AccessKeyId} ({key.Source}); expecting {settings.Expectation!.Description}"
                    + (settings.AdminSession != null ? "; admin credentials: " + settings.AdminSession.CredentialSource : "; no admin credentials") + ".");
                CredentialProbeReport report = RunWithProgress(settings, key.AccessKeyId);
                Write(report);
            }
            catch (BackupIamException ex)
            {
                WriteFailure(ex, ex.Target ?? target);
            }
        }

        private void Write(CredentialProbeReport report)
        {
            var probes = report.Results.Select(r => new BackupCredentialProbe
            {
                Probe = r.Probe,
                Operation = r.Operation,
                Action = r.Action,
                Resource = r.Resource,
                Expected = r.Expected.ToString(),
                ExpectedOnAws = r.ExpectedOnAws.ToString(),
                Actual = r.Actual.ToString(),
                HttpStatus = r.HttpStatus,
                ErrorCode = r.ErrorCode,
                Agrees = r.Agrees,
                Outcome = r.Outcome.ToString(),
                Reason = r.Reason,
                DecidedBy = r.DecidedBy,
                StoreNote = r.StoreNote,
                Detail = r.Detail,
                DurationMs = Math.Round(r.Duration.TotalMilliseconds, 1),
                AccessKeyId = report.AccessKeyId,
                BucketName = report.BucketName,
            }).ToArray();
            foreach (BackupCredentialProbe probe in probes)
            {
                WriteObject(probe);
            }

            var summary = new BackupCredentialTest
            {
                AccessKeyId = report.AccessKeyId,
                BucketName = report.BucketName,
                Prefix = report.Prefix,
                Passed = report.Passed,
                Expectation = report.ExpectationSource,
                Store = report.Store.ToString(),
                StoreSource = report.StoreSource,
                Propagated = report.Propagated,
                PropagationWait = report.PropagationWait,
                Disagreements = report.Disagreements.Select(d => d.Probe).ToArray(),
                DiffersFromAws = report.Results.Where(r => r.Outcome == ProbeOutcome.DiffersFromAws).Select(r => r.Probe).ToArray(),
                NotRun = report.Results.Where(r => r.Outcome == ProbeOutcome.NotRun).Select(r => r.Probe + ": " + r.Detail).ToArray(),
                CanariesLeft = report.CanariesLeft.ToArray(),
                Cleanup = report.CleanupLog.ToArray(),
                ProbeFolder = report.ProbeFolder,
                Elapsed = report.Elapsed,
                ProbeTime = report.ProbeTime,
                KeyRequests = report.KeyRequestCount,
                AdminRequests = report.AdminRequestCount,
                Summary = report.Summary,
                Probes = probes,
            };
            WriteVerbose($"{report.KeyRequestCount} requests with the key and {report.AdminRequestCount} with the admin credentials; probe set {report.ProbeTime.TotalMilliseconds:0} ms after a propagation wait of {report.PropagationWait.TotalSeconds:0.0} s.");
            foreach (CredentialProbeResult r in report.Results.Where(r => r.Outcome == ProbeOutcome.DiffersFromAws))
            {
                WriteVerbose($"{r.Probe} differs from AWS on {report.Store}: {r.StoreNote}");
            }

            if (report.CanariesLeft.Count > 0)
            {
                WriteWarning("The probes left " + string.Join("; ", report.CanariesLeft)
                    + ". The key could not remove them" + (report.AdminRequestCount > 0 ? " and neither could the admin credentials" : "; give admin credentials (-AccessKey/-SecretKey, -ProfileName or -Credential) to have them removed") + ".");
            }

            WriteObject(summary);
            if (!report.Passed)
            {
                var failure = report.Propagated
                    ? new BackupIamException("BackupCredentialDrift", FailureKind.InvalidData, report.Summary)
                    : new BackupIamException("BackupCredentialNotPropagated", FailureKind.OperationTimeout, report.Summary);
                WriteFailure(failure, report.AccessKeyId);
            }
        }

        private void ShowPlan(CredentialProbeSettings settings, KeySource key)
        {
            foreach (PlannedProbe probe in CredentialProbeRunner.Plan(settings))
            {
                ShouldProcess(probe.Resource, $"{probe.Operation} with key {key.AccessKeyId} (probe {probe.Name}: {probe.Description})");
            }

            string admin = settings.AdminSession != null ? "with the admin credentials" : "with the key (no admin credentials given)";
            ShouldProcess("s3://" + settings.BucketName, $"remove the canaries the probes leave {admin}");
        }

        private CredentialProbeReport RunWithProgress(CredentialProbeSettings settings, string accessKeyId)
        {
            var queue = new ConcurrentQueue<PropagationProgress>();
            settings.Progress = new QueueProgress(queue);
            Task<CredentialProbeReport> task = Task.Run(() => CredentialProbeRunner.RunAsync(settings, CancellationToken), CancellationToken);
            var record = new ProgressRecord(1, "Test-BackupCredential", $"Waiting for key {accessKeyId} to propagate");
            bool shown = false;
            while (!((IAsyncResult)task).AsyncWaitHandle.WaitOne(100))
            {
                shown |= DrainProgress(queue, record);
            }

            shown |= DrainProgress(queue, record);
            if (shown)
            {
                record.RecordType = ProgressRecordType.Completed;
                WriteProgress(record);
            }

            try
            {
                return task.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (CancellationToken.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
        }

        private bool DrainProgress(ConcurrentQueue<PropagationProgress> queue, ProgressRecord record)
        {
            PropagationProgress? last = null;
            while (queue.TryDequeue(out PropagationProgress? p))
            {
                last = p;
            }

            if (last == null)
            {
                return false;
            }

            record.PercentComplete = last.Percent;
            record.StatusDescription = $"Waiting for the key to propagate: {last.Attempts} request(s) answered {last.LastErrorCode}";
            record.CurrentOperation = $"{last.Waited.TotalSeconds:0} s of at most {last.Limit.TotalSeconds:0} s";
            record.SecondsRemaining = (int)Math.Max(0, (last.Limit - last.Waited).TotalSeconds);
            WriteProgress(record);
            return true;
        }

        private CredentialProbeSettings BuildSettings(KeySource key)
        {
            string? bucket = BucketName;
            string? prefix = Prefix;
            ProbeExpectation expectation;
            var documents = new List<PolicyInput>();
            if (ParameterSetName == PolicySet)
            {
                documents = ReadPolicies();
                bucket ??= documents.Select(p => p.Source?.BucketName).FirstOrDefault(b => !string.IsNullOrEmpty(b))
                    ?? MatrixScope.InferBucketName(documents.Select(p => p.Document));
            }

            if (string.IsNullOrEmpty(bucket))
            {
                throw new InputValidationException("BucketNameRequired", nameof(BucketName),
                    "Give the bucket to probe with -BucketName, for example -BucketName my-backups.");
            }

            S3Names.ValidateBucketName(bucket!, nameof(BucketName));
            if (ParameterSetName == PresetSet)
            {
                PresetDefinition preset = PresetCatalog.Get(Preset);
                prefix ??= preset.DefaultPrefix;
                expectation = ProbeExpectation.FromPreset(preset.Name, new PresetOptions
                {
                    BucketName = bucket!,
                    Prefix = prefix,
                    NoListBucket = NoListBucket,
                    AllowObjectAcl = AllowObjectAcl,
                    AllowMultipart = AllowMultipart,
                    AllowBucketDiscovery = AllowBucketDiscovery,
                    AllowCreateBucket = AllowCreateBucket,
                    RequireBucketOwnerFullControl = RequireBucketOwnerFullControl,
                });
            }
            else if (ParameterSetName == AllowedProbeSet)
            {
                expectation = ProbeExpectation.FromAllowedProbes(AllowedProbe, nameof(AllowedProbe));
            }
            else
            {
                prefix ??= documents.Select(p => p.Source?.Prefix).FirstOrDefault(p => p != null)
                    ?? MatrixScope.InferPrefix(documents.Select(p => p.Document), bucket!);
                var identity = documents.Where(p => !p.IsBucketPolicy).Select(p => new NamedPolicy(p.Name, p.Document)).ToList();
                var bucketPolicies = documents.Where(p => p.IsBucketPolicy).ToList();
                if (bucketPolicies.Count > 1)
                {
                    throw new InputValidationException("MultipleBucketPolicies", nameof(Policy), "-Policy takes at most one bucket policy (plus any identity policies).");
                }

                NamedPolicy? bucketPolicy = bucketPolicies.Count == 0 ? null : new NamedPolicy(bucketPolicies[0].Name, bucketPolicies[0].Document, isResourcePolicy: true);
                string principalArn = PrincipalArn
                    ?? bucketPolicies.Select(p => p.Source?.PrincipalArn).FirstOrDefault(a => !string.IsNullOrEmpty(a))
                    ?? bucketPolicy?.Document.Statements
                        .Where(s => s.Principal != null && s.Principal.Values.ContainsKey("AWS"))
                        .SelectMany(s => s.Principal!.Values["AWS"])
                        .FirstOrDefault(a => a.StartsWith("arn:", StringComparison.Ordinal) && (a.Contains(":user/") || a.Contains(":role/")))
                    ?? ProbeExpectation.SyntheticPrincipalArn;
                PrincipalInfo principal = ProbeExpectation.PrincipalFromArn(principalArn, nameof(PrincipalArn));
                string description = "the policy " + string.Join(" + ", documents.Select(p => p.Name));
                expectation = ProbeExpectation.FromPolicies(identity, bucketPolicy, principal, description);
            }

            var settings = new CredentialProbeSettings
            {
                KeySession = key.Session,
                AccessKeyId = key.AccessKeyId,
                AdminSession = HasAdminCredentials ? Session : null,
                BucketName = bucket!,
                Prefix = prefix ?? string.Empty,
                ProbePrefix = ProbePrefix,
                Expectation = expectation,
                Store = Store == "Auto" ? (StoreKind?)null : StoreRules.Parse(Store),
                PropagationTimeout = TimeSpan.FromSeconds(PropagationTimeoutSec),
                RequestTimeout = TimeSpan.FromSeconds(RequestTimeoutSec),
                FailOnStoreDifference = FailOnStoreDifference,
            };
            settings.Validate();
            return settings;
        }

        private List<PolicyInput> ReadPolicies()
        {
            var list = new List<PolicyInput>();
            int position = 1;
            foreach (object item in Policy)
            {
                list.Add(PolicyInput.FromObject(item, nameof(Policy), position++));
            }

            return list;
        }

        /// <summary>The key under test, from -KeyAccessKeyId/-KeySecretAccessKey, -KeyProfileName or the piped object.</summary>
        private KeySource ResolveKey()
        {
            string? accessKeyId = KeyAccessKeyId;
            string? secret = KeySecretAccessKey == null ? null : ReadSecret(KeySecretAccessKey);
            string? profile = KeyProfileName;
            string? profileLocation = KeyProfileLocation;
            string? region = Region;
            string? endpoint = EndpointUrl;
            string source;
            if (accessKeyId != null)
            {
                source = "-KeyAccessKeyId/-KeySecretAccessKey";
            }
            else if (profile != null)
            {
                source = "profile '" + profile + "'";
            }
            else if (Key != null)
            {
                PSObject piped = PSObject.AsPSObject(Key);
                if (piped.BaseObject is string name)
                {
                    profile = name;
                    source = "profile '" + name + "'";
                }
                else
                {
                    accessKeyId = piped.Properties["AccessKeyId"]?.Value?.ToString();
                    object? pipedSecret = piped.Properties["SecretAccessKey"]?.Value;
                    if (pipedSecret != null)
                    {
                        secret = ReadSecret(pipedSecret is PSObject ps ? ps.BaseObject : pipedSecret, "the piped object's SecretAccessKey");
                        source = "the piped key";
                    }
                    else if (piped.Properties["StoredAs"]?.Value is object stored && stored.ToString().Length > 0)
                    {
                        profile = stored.ToString();
                        profileLocation = piped.Properties["ProfileLocation"]?.Value?.ToString();
                        source = "profile '" + profile + "' (the piped key's StoredAs)";
                    }
                    else
                    {
                        throw new InputValidationException("KeySecretMissing", nameof(Key),
                            "The piped key " + (accessKeyId ?? "object") + " carries no secret: AWS shows a secret only when the key is created, and this key was not stored as a profile. "
                            + "Pipe the output of New-BackupAccessKey that created the key, or give -KeyProfileName.")
                        {
                            Target = accessKeyId,
                        };
                    }

                    region ??= piped.Properties["Region"]?.Value?.ToString();
                    endpoint ??= piped.Properties["EndpointUrl"]?.Value?.ToString();
                }
            }
            else
            {
                throw NoKey();
            }

            var settings = new AwsConnectionSettings
            {
                Region = string.IsNullOrEmpty(region) ? null : region,
                EndpointUrl = string.IsNullOrEmpty(endpoint) ? null : endpoint,
                CredentialsSource = "the key under test",
            };
            if (accessKeyId != null && secret != null)
            {
                settings.AccessKey = accessKeyId;
                settings.SecretKey = secret;
            }
            else
            {
                settings.ProfileName = profile;
                settings.ProfileLocation = profileLocation == null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(profileLocation);
            }

            if (IsBound(nameof(ForcePathStyleAddressing)))
            {
                settings.ForcePathStyle = ForcePathStyleAddressing.IsPresent;
            }

            if (ChecksumCalculation != null)
            {
                settings.ChecksumWhenRequired = ChecksumCalculation == "WhenRequired";
            }

            AwsSession session = AwsSessionFactory.Create(settings);
            if (accessKeyId == null || secret == null)
            {
                // A profile: its key id (never its secret) for the report.
                accessKeyId = CredentialProbeSettings.AccessKeyIdOf(session, source);
            }

            return new KeySource(session, accessKeyId ?? "", source);
        }

        private static string ReadSecret(object? value, string name = "-KeySecretAccessKey")
        {
            object? v = value is PSObject ps ? ps.BaseObject : value;
            if (v is SecureString secure)
            {
                IntPtr ptr = Marshal.SecureStringToGlobalAllocUnicode(secure);
                try
                {
                    return Marshal.PtrToStringUni(ptr) ?? "";
                }
                finally
                {
                    Marshal.ZeroFreeGlobalAllocUnicode(ptr);
                }
            }

            if (v is string text && text.Length > 0)
            {
                if (text == typeof(SecureString).FullName)
                {
                    throw new InputValidationException("KeySecretAccessKeyInvalid", "KeySecretAccessKey",
                        $"{name} is the text '{text}', not a secret: a SecureString was turned into a string on the way. Pass the SecureString itself, for example -KeySecretAccessKey $key.SecretAccessKey.");
                }

                return text;
            }

            throw new InputValidationException("KeySecretAccessKeyInvalid", "KeySecretAccessKey",
                $"{name} must be a SecureString (for example from Read-Host -AsSecureString or New-BackupAccessKey) or a non-empty string; it was {(v == null ? "empty" : "a " + v.GetType().Name)}.");
        }

        private static InputValidationException NoKey() => new InputValidationException("KeyRequired", "Key",
            "No key under test was given. Pipe New-BackupAccessKey's output, or give -KeyProfileName, or -KeyAccessKeyId with -KeySecretAccessKey. "
            + "(-AccessKey/-SecretKey/-ProfileName are the admin credentials, used only to read the bucket's settings and remove canaries.)");

        private static void CheckFolder(string? value, string parameterName)
        {
            new CredentialProbeSettings { BucketName = "placeholder-bucket", Prefix = parameterName == nameof(Prefix) ? value : null, ProbePrefix = parameterName == nameof(ProbePrefix) ? value ?? "" : CredentialProbeSettings.DefaultProbePrefix, KeySession = null }
                .ValidateFolders();
        }

        private sealed class KeySource
        {
            public KeySource(AwsSession session, string accessKeyId, string source)
            {
                Session = session;
                AccessKeyId = accessKeyId;
                Source = source;
            }

            public AwsSession Session { get; }

            public string AccessKeyId { get; }

            public string Source { get; }
        }

        private sealed class QueueProgress : IProgress<PropagationProgress>
        {
            private readonly ConcurrentQueue<PropagationProgress> _queue;

            public QueueProgress(ConcurrentQueue<PropagationProgress> queue) => _queue = queue;

            public void Report(PropagationProgress value) => _queue.Enqueue(value);
        }
    }
}
