using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using BackupIam.Engine.Aws;
using BackupIam.Engine.Aws.Iam;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Provisioning;

namespace BackupIam.Abstractions
{
    /// <summary>
    /// Base of every AWS-touching cmdlet: AWS Tools for PowerShell's credential, region and endpoint parameters,
    /// its session defaults ($StoredAWSCredentials, $StoredAWSRegion), lazily created gateways, and the one way plans
    /// are applied (ShouldProcess per write, -WhatIf shows the plan and writes nothing).
    /// </summary>
    public abstract class AwsCmdlet : BackupIamCmdlet
    {
        private AwsSession? _session;
        private IIamClient? _iam;
        private IS3Gateway? _s3;
        private bool _identityAnnounced;

        [Parameter]
        [Alias("StoredCredentials", "AWSProfileName")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.ProfileNameCompleter))]
        public string? ProfileName { get; set; }

        [Parameter]
        [Alias("AWSProfilesLocation", "ProfilesLocation")]
        [ValidateNotNullOrEmpty]
        public string? ProfileLocation { get; set; }

        [Parameter]
        [Alias("AK")]
        [ValidateNotNullOrEmpty]
        public string? AccessKey { get; set; }

        [Parameter]
        [Alias("SK", "SecretAccessKey")]
        [ValidateNotNullOrEmpty]
        [SecretTextTransformation]
        public string? SecretKey { get; set; }

        [Parameter]
        [Alias("ST")]
        [ValidateNotNullOrEmpty]
        public string? SessionToken { get; set; }

        /// <summary>An AWSCredentials object (AWS.Tools' objects are accepted by shape, whatever AWSSDK.Core made them).</summary>
        [Parameter]
        [ValidateNotNull]
        public object? Credential { get; set; }

        [Parameter]
        [Alias("RegionToCall")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.RegionCompleter))]
        public string? Region { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? EndpointUrl { get; set; }

        /// <summary>Path-style S3 addressing; on by default with a custom endpoint. -ForcePathStyleAddressing:$false turns it off.</summary>
        [Parameter]
        public SwitchParameter ForcePathStyleAddressing { get; set; }

        /// <summary>When AWSSDK.S3 computes request checksums; WhenRequired by default with a custom endpoint.</summary>
        [Parameter]
        [ValidateSet("WhenRequired", "WhenSupported")]
        public string? ChecksumCalculation { get; set; }

        /// <summary>True when the command runs under -WhatIf (then resources made earlier in the pipeline may only be planned).</summary>
        protected bool IsWhatIf
        {
            get
            {
                if (MyInvocation.BoundParameters.TryGetValue("WhatIf", out object? value) && value is SwitchParameter s)
                {
                    return s.IsPresent;
                }

                object? preference = SessionState.PSVariable.GetValue("WhatIfPreference");
                return preference is SwitchParameter sp ? sp.IsPresent : preference is bool b && b;
            }
        }

        private protected AwsSession Session => _session ??= CreateSession();

        /// <summary>-ProfileLocation resolved against PowerShell's current location (not the process's working directory).</summary>
        private protected string? ResolvedProfileLocation =>
            ProfileLocation == null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(ProfileLocation);

        private protected IIamClient Iam => _iam ??= new IamQueryClient(Session);

        /// <summary>
        /// The journal of access keys being created, and the per-user locks, for this session's IAM endpoint (see
        /// New-BackupAccessKey's help).
        /// </summary>
        private protected AccessKeyJournal KeyJournal => AccessKeyJournal.ForEndpoint(Session.IamEndpoint);

        private protected IS3Gateway S3 => _s3 ??= new S3Gateway(Session);

        /// <summary>
        /// Runs for every cmdlet of a pipeline before any of them processes a record: the credentials, region, endpoint
        /// and every parameter given on the command line are checked here, so bad input in a later stage stops the
        /// pipeline before an earlier stage has written anything.
        /// </summary>
        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            try
            {
                ValidateExpectedBucketOwner();
                _ = Session;
                ValidateBoundParameters();
                bool takesLockOver = false;
                if (UpstreamRead is (string read, string parameter) && MyInvocation.PipelinePosition > 1 && !IsBound(parameter))
                {
                    Want(read);
                    if (WantedWhenUndeclinable is string entry && !IsWhatIf && !MayAskToConfirm())
                    {
                        Want(entry);
                        takesLockOver = entry == FreshResources.UserLockWanted;
                    }
                }

                if (MayLockUsers && !takesLockOver && MyInvocation.PipelinePosition > 1)
                {
                    Want(FreshResources.UserLockTakenElsewhere);
                }

                if (OwnCmdletAttribute?.SupportsShouldProcess == true && MyInvocation.PipelineLength > 1 && MayAskToConfirm())
                {
                    Want(FreshResources.MayAskToConfirm);
                }

                if (Session.CredentialResolution == CredentialResolution.Cached)
                {
                    WriteVerbose($"Credentials resolved from {Session.CredentialSource} (cached: resolved earlier in this session for the same profile, files unchanged).");
                }
                else if (Session.CredentialResolution == CredentialResolution.Resolved)
                {
                    WriteVerbose($"Credentials resolved from {Session.CredentialSource} (resolved now; later commands in this session reuse them while the files are unchanged).");
                }
            }
            catch (BackupIamException ex)
            {
                ThrowFailure(ex, ex.Target);
            }
        }

        /// <summary>
        /// Writes the record of a resource this cmdlet reports; when it was just created, later cmdlets of the pipeline
        /// that receive this record know the resource is empty and skip their read (<see cref="FreshResources"/>).
        /// </summary>
        private protected void WriteResult(object record, string kind, string name, ResourceStatus status, HandedLock? userLock = null)
        {
            if (status != ResourceStatus.Created)
            {
                WriteObject(record);
                return;
            }

            IDisposable? scope = null;
            try
            {
                scope = FreshResources.Announce(FreshKey(kind, name), userLock);
            }
            catch (Exception ex) when (!(ex is PipelineStoppedException))
            {
                // No key, no announcement: later cmdlets read as before.
                WriteDebug("Not announced as just created: " + ex.Message);
            }

            using (scope)
            {
                WriteObject(record);
            }
        }

        /// <summary>True when an earlier cmdlet of this pipeline has just created the resource and handed its record on.</summary>
        private protected bool IsJustCreated(string kind, string name)
        {
            try
            {
                return FreshResources.IsFresh(FreshKey(kind, name));
            }
            catch (Exception ex) when (!(ex is PipelineStoppedException))
            {
                WriteDebug("Not known as just created (read as usual): " + ex.Message);
                return false; // credentials that cannot be resolved here: read as before (the read reports the problem)
            }
        }

        /// <summary>Notes that a bucket exists (created or found by this cmdlet), for <see cref="KnownBuckets"/>.</summary>
        private protected void NoteBucketExists(string bucketName)
        {
            try
            {
                KnownBuckets.Add(FreshKey("bucket", bucketName));
            }
            catch (Exception ex) when (!(ex is PipelineStoppedException))
            {
                WriteDebug("Not noted as existing: " + ex.Message);
            }
        }

        /// <summary>True when a cmdlet earlier in this session created or found the bucket (<see cref="KnownBuckets"/>).</summary>
        private protected bool IsBucketKnownToExist(string bucketName)
        {
            try
            {
                return KnownBuckets.Contains(FreshKey("bucket", bucketName));
            }
            catch (Exception ex) when (!(ex is PipelineStoppedException))
            {
                WriteDebug("Not known to exist (checked as usual): " + ex.Message);
                return false;
            }
        }

        /// <summary>
        /// The read of a piped user or bucket (named by <c>Parameter</c>) this cmdlet plans with, which an upstream
        /// New-BackupUser or New-BackupBucket may send early (<see cref="PipelineReads"/>).
        /// </summary>
        private protected virtual (string Read, string Parameter)? UpstreamRead => null;

        /// <summary>What this cmdlet said in BeginProcessing that it wants from upstream (<see cref="PipelineReads.Want"/>), until it ends.</summary>
        private readonly List<IDisposable> _wants = new List<IDisposable>();

        private void Want(string entry) => _wants.Add(PipelineReads.Want(entry));

        private void ReleaseWants()
        {
            foreach (IDisposable want in _wants)
            {
                want.Dispose();
            }

            _wants.Clear();
        }

        /// <summary>
        /// What this cmdlet wants from the upstream cmdlet that hands it its resource (the same condition as
        /// <see cref="UpstreamRead"/>) when nothing can decline its writes (no -WhatIf, no question): New-BackupAccessKey a
        /// new user's lock (<see cref="FreshResources.UserLockWanted"/>), Enable-BackupVersioning the versioning record
        /// with a new bucket's tag (<see cref="PipelineReads.VersioningRecord"/>). Null: nothing.
        /// </summary>
        private protected virtual string? WantedWhenUndeclinable => null;

        /// <summary>True for a cmdlet that may take a user's key lock (<see cref="Engine.Provisioning.AccessKeyJournal.LockUserAsync"/>).</summary>
        private protected virtual bool MayLockUsers => false;

        /// <summary>
        /// True when a downstream cmdlet of this pipeline would take over a new user's lock, no cmdlet of it may ask a
        /// question, and no other downstream cmdlet may take a user's lock itself.
        /// </summary>
        private protected static bool UserLockWantedDownstream => PipelineReads.IsWanted(FreshResources.UserLockWanted)
            && !PipelineReads.IsWanted(FreshResources.MayAskToConfirm) && !PipelineReads.IsWanted(FreshResources.UserLockTakenElsewhere);

        /// <summary>The lock New-BackupUser took before creating this user a moment ago in this pipeline, now this cmdlet's (null when none).</summary>
        private protected Engine.Provisioning.FileLock? TakeUserLockFromCreate(string userName)
        {
            try
            {
                Engine.Provisioning.FileLock? userLock = FreshResources.TakeUserLock(FreshKey("user", userName));
                if (userLock != null)
                {
                    WriteDebug($"User lock taken over: IAM user '{userName}' was created a moment ago in this pipeline under its lock, so it has no access key.");
                }

                return userLock;
            }
            catch (Exception ex) when (!(ex is PipelineStoppedException))
            {
                WriteDebug("No user lock taken over: " + ex.Message);
                return null;
            }
        }

        /// <summary>Offers a read of a user or bucket this cmdlet started early, while its record flows down the pipeline.</summary>
        private protected IDisposable? OfferPipelineRead(string kind, string name, string read, System.Threading.Tasks.Task? task)
        {
            try
            {
                return task == null ? null : PipelineReads.Offer(FreshKey(kind, name), read, task);
            }
            catch (Exception ex) when (!(ex is PipelineStoppedException))
            {
                WriteDebug("Read not offered: " + ex.Message);
                return null;
            }
        }

        /// <summary>Offers several reads of one user or group (<see cref="OfferPipelineRead"/>) until the returned scope ends.</summary>
        private protected IDisposable OfferPipelineReads(string kind, string name, IEnumerable<(string Read, System.Threading.Tasks.Task Task)> reads)
        {
            var scopes = new List<IDisposable?>();
            foreach ((string read, System.Threading.Tasks.Task task) in reads)
            {
                scopes.Add(OfferPipelineRead(kind, name, read, task));
            }

            return new Scopes(scopes);
        }

        private sealed class Scopes : IDisposable
        {
            private readonly List<IDisposable?> _scopes;

            public Scopes(List<IDisposable?> scopes)
            {
                _scopes = scopes;
            }

            public void Dispose()
            {
                foreach (IDisposable? scope in _scopes)
                {
                    scope?.Dispose();
                }

                _scopes.Clear();
            }
        }

        /// <summary>The read an upstream cmdlet of this pipeline sent early for this resource, or null (then read as usual).</summary>
        private protected System.Threading.Tasks.Task<T>? TakePipelineRead<T>(string kind, string name, string read)
        {
            try
            {
                var early = PipelineReads.Take<T>(FreshKey(kind, name), read);
                if (early != null)
                {
                    WriteDebug($"Early read taken: {read.Split('\n')[0]} of {kind} '{name}', sent by an earlier cmdlet of this pipeline.");
                }

                return early;
            }
            catch (Exception ex) when (!(ex is PipelineStoppedException))
            {
                WriteDebug("No early read taken: " + ex.Message);
                return null;
            }
        }

        /// <summary>
        /// True when an upstream cmdlet of this pipeline offered <paramref name="entry"/> for this resource as a fact already
        /// made true (a completed task, not a read; <see cref="PipelineReads.VersioningRecord"/>), taken once; else false.
        /// </summary>
        private protected bool TakePipelineFact(string kind, string name, string entry)
        {
            try
            {
                System.Threading.Tasks.Task<bool>? fact = PipelineReads.Take<bool>(FreshKey(kind, name), entry);
                bool taken = fact != null && fact.Status == System.Threading.Tasks.TaskStatus.RanToCompletion && fact.Result;
                if (taken)
                {
                    WriteDebug($"Taken from an earlier cmdlet of this pipeline: {entry.Split('\n')[0]} of {kind} '{name}' is written.");
                }

                return taken;
            }
            catch (Exception ex) when (!(ex is PipelineStoppedException))
            {
                WriteDebug("Nothing taken from an earlier cmdlet: " + ex.Message);
                return false;
            }
        }

        /// <summary>The resource's identity for <see cref="FreshResources"/> (built in the engine: no AWSSDK type here).</summary>
        private string FreshKey(string kind, string name) => FreshResourceKey.For(Session, kind, name);

        /// <summary>Checks the parameters bound from the command line (pipeline-bound ones are checked per record).</summary>
        private protected virtual void ValidateBoundParameters()
        {
        }

        /// <summary>
        /// True when ShouldProcess may ask a question (-Confirm, or $ConfirmPreference at or below this cmdlet's
        /// ConfirmImpact), or a verbose, debug, warning, information or error line would (its preference or -*Action is
        /// Inquire): then no lock is held while the question waits for an answer.
        /// </summary>
        private protected bool MayAskToConfirm() => ShouldProcessMayAsk() || AnyStreamInquires();

        private static readonly (string Parameter, string Variable)[] StreamPreferences =
        {
            ("", "VerbosePreference"),
            ("", "DebugPreference"),
            ("WarningAction", "WarningPreference"),
            ("InformationAction", "InformationPreference"),
            ("ErrorAction", "ErrorActionPreference"),
        };

        private bool AnyStreamInquires()
        {
            foreach ((string parameter, string variable) in StreamPreferences)
            {
                object? value = parameter.Length > 0 && MyInvocation.BoundParameters.TryGetValue(parameter, out object? bound)
                    ? bound
                    : SessionState.PSVariable.GetValue(variable);
                if (value is ActionPreference action ? action == ActionPreference.Inquire
                    : value != null && string.Equals(value.ToString(), nameof(ActionPreference.Inquire), StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }

            return false;
        }

        private bool ShouldProcessMayAsk()
        {
            if (MyInvocation.BoundParameters.TryGetValue("Confirm", out object? value) && value is SwitchParameter confirm)
            {
                return confirm.IsPresent;
            }

            object? preference = SessionState.PSVariable.GetValue("ConfirmPreference");
            ConfirmImpact threshold = preference is ConfirmImpact c ? c
                : preference != null && Enum.TryParse(preference.ToString(), true, out ConfirmImpact parsed) ? parsed : ConfirmImpact.High;
            ConfirmImpact impact = OwnCmdletAttribute?.ConfirmImpact ?? ConfirmImpact.Medium;
            return threshold != ConfirmImpact.None && impact >= threshold;
        }

        private CmdletAttribute? OwnCmdletAttribute => (CmdletAttribute?)Attribute.GetCustomAttribute(GetType(), typeof(CmdletAttribute));

        /// <summary>True when the parameter was given on the command line (and so is known before the pipeline runs).</summary>
        private protected bool IsBound(string parameterName) => MyInvocation.BoundParameters.ContainsKey(parameterName);

        protected override void EndProcessing()
        {
            ReleaseWants();
            DisposeClients();
        }

        /// <summary>Disposes the AWS clients also when the pipeline stops (Ctrl+C) or fails before EndProcessing.</summary>
        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                ReleaseWants();
                DisposeClients();
            }

            base.Dispose(disposing);
        }

        /// <summary>
        /// Applies a plan: warnings and notes first, then each write behind ShouldProcess. Returns the outcome and the
        /// actions written (or, under -WhatIf, the actions planned).
        /// </summary>
        private protected PlanOutcome ApplyPlan(ResourcePlan plan) => ApplyPlan(plan, highImpact: false);

        /// <summary>
        /// Applies a plan; with <paramref name="highImpact"/> (the writes remove or replace existing statements, rules or
        /// data) each write is confirmed as ConfirmImpact High would be: it prompts at the default $ConfirmPreference
        /// (High) unless -Confirm:$false. When the write that creates the resource is declined, the writes that need the
        /// resource are declined with it, without a prompt each.
        /// </summary>
        private protected PlanOutcome ApplyPlan(ResourcePlan plan, bool highImpact)
        {
            foreach (string warning in plan.Warnings)
            {
                WriteWarning(warning);
            }

            foreach (string note in plan.Notes)
            {
                WriteVerbose(note);
            }

            if (plan.IsUpToDate)
            {
                WriteVerbose($"{plan.ResourceType} '{plan.Name}' already matches: nothing to change.");
                return new PlanOutcome(ResourceStatus.Unchanged, new string[0]);
            }

            // Who the writes would be made as, before the first of them (and under -WhatIf, before the plan is shown).
            AnnounceIdentity();
            // A plan that creates its resource: when that first write is declined, the writes that need the resource
            // are declined with it, without a question each.
            bool creating = !plan.Exists;
            bool createDeclined = false;
            int index = 0;
            PlanApplyResult result;
            try
            {
                result = plan.Apply(
                    change =>
                    {
                        bool first = index++ == 0;
                        if (createDeclined)
                        {
                            return false;
                        }

                        bool approved = ShouldProcess(change.Target, change.Description) && (!highImpact || change.AddsRecordOnly || ConfirmHighImpact(change));
                        // Under -WhatIf every write is "declined" and each must still show its What if line.
                        createDeclined = creating && first && !approved && !IsWhatIf
                            && change.Operation.StartsWith("Create", StringComparison.Ordinal);
                        return approved;
                    },
                    CancellationToken,
                    change => WriteVerbose($"{change.Action} on {change.Target}"));
            }
            catch (OperationCanceledException) when (CancellationToken.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }

            if (result.PartlyApplied)
            {
                WriteWarning($"{plan.ResourceType} '{plan.Name}' is only partly applied: declined {string.Join(", ", result.Declined)}. Run the command again to complete it.");
            }

            return new PlanOutcome(result.Status, result.Actions.ToArray());
        }

        private bool _yesToAll;
        private bool _noToAll;

        /// <summary>
        /// The extra confirmation of a High-impact write. ShouldProcess has already prompted when -Confirm was given or
        /// $ConfirmPreference is Medium or lower, and has returned false under -WhatIf; here it is asked at the default
        /// $ConfirmPreference (High), and never with -Confirm:$false or $ConfirmPreference = 'None'.
        /// </summary>
        private bool ConfirmHighImpact(PlannedChange change)
        {
            if (MyInvocation.BoundParameters.ContainsKey("Confirm"))
            {
                return true;
            }

            object? preference = SessionState.PSVariable.GetValue("ConfirmPreference");
            ConfirmImpact threshold = preference is ConfirmImpact c ? c
                : preference != null && Enum.TryParse(preference.ToString(), true, out ConfirmImpact parsed) ? parsed : ConfirmImpact.High;
            if (threshold == ConfirmImpact.None || threshold != ConfirmImpact.High)
            {
                // None: never ask. Low/Medium: ShouldProcess has asked already (this cmdlet's impact is Medium).
                return true;
            }

            return ShouldContinue(
                $"{change.Description} on {change.Target}? This removes or replaces what is there now (ConfirmImpact High; -Confirm:$false skips this question).",
                "Confirm", ref _yesToAll, ref _noToAll);
        }

        private void AnnounceIdentity()
        {
            if (_identityAnnounced)
            {
                return;
            }

            _identityAnnounced = true;
            object? verbose = null;
            bool verboseOn = MyInvocation.BoundParameters.TryGetValue("Verbose", out verbose)
                ? verbose is SwitchParameter s && s.IsPresent
                : SessionState.PSVariable.GetValue("VerbosePreference") is ActionPreference p && p != ActionPreference.SilentlyContinue && p != ActionPreference.Ignore;
            if (!verboseOn)
            {
                return;
            }

            WriteVerbose($"Credentials: {Session.CredentialSource}; region {Session.RegionName} ({Session.RegionSource}); IAM endpoint {Session.IamEndpoint}.");
            try
            {
                using (var sts = new StsGateway(Session))
                {
                    CallerIdentity who = Run(ct => sts.GetCallerIdentityAsync(ct));
                    WriteVerbose($"Acting as {who.Arn} (account {who.Account}), from sts:GetCallerIdentity.");
                }
            }
            catch (Exception ex) when (!(ex is PipelineStoppedException))
            {
                WriteVerbose($"Could not ask sts:GetCallerIdentity who these credentials are: {ex.Message}");
            }
        }

        private AwsSession CreateSession()
        {
            var settings = new AwsConnectionSettings
            {
                ProfileName = ProfileName,
                ProfileLocation = ResolvedProfileLocation,
                AccessKey = AccessKey,
                SecretKey = SecretKey,
                SessionToken = SessionToken,
                Region = Region,
                EndpointUrl = EndpointUrl,
            };

            if (ProfileLocation != null && ProfileName == null)
            {
                // As AWS.Tools does: a credentials file without a profile name means its default profile.
                string? envProfile = Environment.GetEnvironmentVariable("AWS_PROFILE");
                settings.ProfileName = string.IsNullOrEmpty(envProfile) ? "default" : envProfile;
            }

            if (IsBound(nameof(ForcePathStyleAddressing)))
            {
                settings.ForcePathStyle = ForcePathStyleAddressing.IsPresent;
            }

            if (ChecksumCalculation != null)
            {
                settings.ChecksumWhenRequired = ChecksumCalculation == "WhenRequired";
            }

            if (Credential != null)
            {
                settings.CredentialObject = Credential is PSObject wrapped ? wrapped.BaseObject : Credential;
                settings.CredentialObjectName = nameof(Credential);
            }

            bool explicitCredentials = AccessKey != null || Credential != null || ProfileName != null || ProfileLocation != null;
            if (!explicitCredentials)
            {
                // AWS.Tools' session defaults, set by Set-AWSCredential and Set-DefaultAWSRegion.
                object? stored = SessionState.PSVariable.GetValue("StoredAWSCredentials");
                if (stored != null)
                {
                    settings.CredentialObject = stored is PSObject wrapped ? wrapped.BaseObject : stored;
                    settings.CredentialObjectName = "$StoredAWSCredentials";
                    settings.CredentialsSource = "$StoredAWSCredentials (AWS.Tools session default)";
                }
            }

            if (Region == null)
            {
                object? storedRegion = SessionState.PSVariable.GetValue("StoredAWSRegion");
                string? regionName = (storedRegion is PSObject ps ? ps.BaseObject : storedRegion)?.ToString();
                if (!string.IsNullOrEmpty(regionName))
                {
                    settings.Region = regionName;
                    settings.RegionSource = "$StoredAWSRegion (AWS.Tools session default)";
                }
            }

            return AwsSessionFactory.Create(settings);
        }

        /// <summary>
        /// The S3 gateway for one bucket's requests: with <paramref name="expectedBucketOwner"/> (a bucket cmdlet's
        /// -ExpectedBucketOwner, given or bound by property name from an upstream record) every bucket request sends it
        /// as x-amz-expected-bucket-owner; without it, none does (issue 17). Checked before any call.
        /// </summary>
        private protected IS3Gateway BucketGateway(string? expectedBucketOwner)
        {
            if (!string.IsNullOrEmpty(expectedBucketOwner))
            {
                Engine.Naming.IamNames.ValidateAccountId(expectedBucketOwner, "ExpectedBucketOwner");
            }

            S3.ExpectedBucketOwner = string.IsNullOrEmpty(expectedBucketOwner) ? null : expectedBucketOwner;
            if (S3.ExpectedBucketOwner != null && Session.S3ServiceUrl != null)
            {
                WriteVerbose($"x-amz-expected-bucket-owner {S3.ExpectedBucketOwner} goes with every bucket request; S3-compatible stores may ignore it (Ceph RGW 16 and moto do), so on {Session.S3ServiceUrl} it may protect nothing.");
            }

            return S3;
        }

        /// <summary>A bucket cmdlet's -ExpectedBucketOwner given on the command line is checked with the other parameters.</summary>
        private void ValidateExpectedBucketOwner()
        {
            if (MyInvocation.BoundParameters.TryGetValue("ExpectedBucketOwner", out object? owner) && owner is string text && text.Length > 0)
            {
                Engine.Naming.IamNames.ValidateAccountId(text, "ExpectedBucketOwner");
            }
        }

        private void DisposeClients()
        {
            _iam?.Dispose();
            _s3?.Dispose();
            _iam = null;
            _s3 = null;
        }
    }

    /// <summary>What applying a plan did.</summary>
    internal sealed class PlanOutcome
    {
        public PlanOutcome(ResourceStatus status, string[] actions)
        {
            Status = status;
            Actions = actions;
        }

        public ResourceStatus Status { get; }

        /// <summary>The write calls made, or under -WhatIf the ones planned.</summary>
        public string[] Actions { get; }
    }
}
