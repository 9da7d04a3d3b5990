using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using BackupIam.Engine.Aws;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Lint;
using BackupIam.Engine.Naming;
using BackupIam.Engine.Policies;

namespace BackupIam.Engine.Provisioning
{
    /// <summary>The desired state of a backup bucket.</summary>
    public sealed class BucketSpec
    {
        public string BucketName { get; set; } = "";

        /// <summary>Folder placeholders to create, such as backup/ and backup/schemas/.</summary>
        public IList<string> Folders { get; set; } = new List<string>();

        public bool BlockPublicAccess { get; set; } = true;

        public bool EnforceBucketOwnership { get; set; } = true;

        public bool DefaultEncryption { get; set; } = true;

        /// <summary>Tag the bucket <c>backupiam:managed=true</c> (merged into its tags; others' tags stay), so that it can be listed and torn down.</summary>
        public bool ManagedTag { get; set; } = true;

        /// <summary>Object Lock: created with the bucket, or turned on for an existing versioned bucket; null leaves it alone.</summary>
        public ObjectLockSpec? ObjectLock { get; set; }

        /// <summary>
        /// Also writes the versioning record (<c>backupiam:versioning=enabled-by-module</c>) with the managed tag of a bucket
        /// this plan creates (issue 16): set when a later Enable-BackupVersioning of the same pipeline, which nothing can
        /// decline, will turn versioning on, so that it need not write the record itself. Only a bucket without Object Lock
        /// (whose versioning the module does not turn on), and only the tag written without a merge read onto a bucket this
        /// plan's CreateBucket made: <see cref="BucketPlan.VersioningRecorded"/> says whether it went out.
        /// </summary>
        public bool VersioningRecord { get; set; }
    }

    /// <summary>Object Lock with an optional default retention (mode with days or years).</summary>
    public sealed class ObjectLockSpec
    {
        public const string Governance = "GOVERNANCE";
        public const string Compliance = "COMPLIANCE";

        /// <summary><see cref="Governance"/>, <see cref="Compliance"/>, or null for Object Lock without a default retention.</summary>
        public string? Mode { get; set; }

        public int? Days { get; set; }

        public int? Years { get; set; }

        /// <summary>Checks the combination without any call; throws InputValidationException naming the parameter.</summary>
        public void Validate()
        {
            if (Mode != null && Mode != Governance && Mode != Compliance)
            {
                throw new InputValidationException("ObjectLockModeInvalid", "ObjectLockMode", $"-ObjectLockMode is Governance or Compliance; got '{Mode}'.");
            }

            if (Days != null && Years != null)
            {
                throw new InputValidationException("ObjectLockRetentionInvalid", "ObjectLockRetentionYears",
                    "Give the default retention in days or in years, not both: for example -ObjectLockRetentionDays 30 or -ObjectLockRetentionYears 1.");
            }

            if (Mode != null && Days == null && Years == null)
            {
                throw new InputValidationException("ObjectLockRetentionInvalid", "ObjectLockRetentionDays",
                    "-ObjectLockMode needs a default retention: add -ObjectLockRetentionDays (1 to 36500) or -ObjectLockRetentionYears (1 to 100).");
            }

            if (Mode == null && (Days != null || Years != null))
            {
                throw new InputValidationException("ObjectLockRetentionInvalid", "ObjectLockMode",
                    "A default retention needs a mode: add -ObjectLockMode Governance (the owner can still remove it with a bypass) or -ObjectLockMode Compliance (nobody can, until it ends).");
            }

            if (Days != null && (Days < 1 || Days > 36500))
            {
                throw new InputValidationException("ObjectLockRetentionInvalid", "ObjectLockRetentionDays", $"-ObjectLockRetentionDays must be from 1 to 36500, for example 30; got {Days}.");
            }

            if (Years != null && (Years < 1 || Years > 100))
            {
                throw new InputValidationException("ObjectLockRetentionInvalid", "ObjectLockRetentionYears", $"-ObjectLockRetentionYears must be from 1 to 100, for example 1; got {Years}.");
            }
        }

        /// <summary>A readable form, for example "COMPLIANCE 30 days".</summary>
        public override string ToString() => Mode == null ? "no default retention" : Mode + " " + (Days != null ? Days + " day(s)" : Years + " year(s)");

        internal bool Matches(S3ObjectLockConfiguration? current) =>
            current != null && current.Enabled && (Mode == null || (current.Mode == Mode && current.Days == Days && current.Years == Years));
    }

    public sealed class BucketPlan : ResourcePlan
    {
        internal BucketPlan(string name) : base("Bucket", name) { }

        /// <summary>The normalized folder keys of the spec.</summary>
        public IReadOnlyList<string> Folders { get; internal set; } = new string[0];

        /// <summary>Protections the store does not support (e.g. "default encryption (SSE-S3)"), found while planning or applying.</summary>
        public IReadOnlyList<string> UnsupportedProtections => _unsupported;

        /// <summary>The Object Lock configuration read while planning (null for a new bucket or one without Object Lock).</summary>
        public S3ObjectLockConfiguration? ObjectLockBefore { get; internal set; }

        /// <summary>
        /// The region GetBucketLocation reports for a bucket that exists (null when the bucket is new or the location could
        /// not be read); a bucket's region never changes, whatever -Region asks for.
        /// </summary>
        public string? ActualRegion { get; internal set; }

        /// <summary>True once this plan's CreateBucket made the bucket (not when the store answered BucketAlreadyOwnedByYou).</summary>
        internal bool CreatedNow { get; set; }

        /// <summary>
        /// True once the managed tag's write carried the versioning record too and succeeded (<see cref="BucketSpec.VersioningRecord"/>);
        /// false when it was not asked for, the bucket was not made by this plan, or the write failed, was declined or was
        /// not supported: then Enable-BackupVersioning writes the record itself.
        /// </summary>
        public bool VersioningRecorded { get; internal set; }

        /// <summary>True when the store gets IgnorePublicAcls and RestrictPublicBuckets only (Ceph RGW).</summary>
        public bool PublicAccessBlockRestricted { get; internal set; }

        /// <summary>
        /// Warnings about the store, found while planning or applying (a new bucket's settings are read at apply time);
        /// each names the protection and the store's answer. Read them after applying.
        /// </summary>
        public IReadOnlyList<string> StoreWarnings => _storeWarnings;

        private readonly List<string> _unsupported = new List<string>();
        private readonly List<string> _storeWarnings = new List<string>();

        internal void AddUnsupported(string protection, S3ServiceException ex)
        {
            lock (_storeWarnings)
            {
                if (_unsupported.Contains(protection))
                {
                    return;
                }

                // The protections are applied concurrently (issue 16): keep this list in plan order all the same.
                _unsupported.Insert(InsertAt(_unsupported.Select(Rank).ToList(), Rank(protection)), protection);
            }

            AddStoreWarning(protection, $"{ex.Operation} answered HTTP {ex.HttpStatus} {ex.AwsErrorCode}" + (string.IsNullOrEmpty(ex.AwsMessage) ? "" : ": " + ex.AwsMessage.Trim()),
                "the bucket is made without it");
        }

        internal void AddStoreWarning(string protection, string answer, string consequence) =>
            AddWarningInPlanOrder(protection, $"Bucket '{Name}': the store does not support {protection} as AWS does ({answer}); {consequence}.");

        /// <summary>A write of <paramref name="protection"/> refused to these credentials (HTTP 403): a permission, not the store.</summary>
        internal void AddRefusedWarning(string protection, string answer, string consequence) =>
            AddWarningInPlanOrder(protection, $"Bucket '{Name}': these credentials may not write its {protection} ({answer}); {consequence}.");

        private void AddWarningInPlanOrder(string protection, string text)
        {
            lock (_storeWarnings)
            {
                if (!_storeWarnings.Contains(text))
                {
                    // Written concurrently by the protections (issue 16): kept in plan order all the same.
                    int at = InsertAt(_warningRanks, Rank(protection));
                    _storeWarnings.Insert(at, text);
                    _warningRanks.Insert(at, Rank(protection));
                }
            }
        }

        private readonly List<int> _warningRanks = new List<int>();

        /// <summary>Where an item of <paramref name="rank"/> goes: after every item of the same or a lower rank.</summary>
        private static int InsertAt(List<int> ranks, int rank)
        {
            int at = ranks.Count;
            while (at > 0 && ranks[at - 1] > rank)
            {
                at--;
            }

            return at;
        }

        /// <summary>The plan order of the protections, for a stable order of warnings written concurrently.</summary>
        private static int Rank(string protection) =>
            protection.StartsWith("Block Public Access", StringComparison.Ordinal) ? 0
            : protection.StartsWith("object ownership", StringComparison.Ordinal) ? 1
            : protection.StartsWith("default encryption", StringComparison.Ordinal) ? 2
            : 3;
    }

    public sealed class BucketPolicyPlan : ResourcePlan
    {
        internal BucketPolicyPlan(string bucketName) : base("BucketPolicy", bucketName) { }

        /// <summary>The policy the bucket has once the plan is applied (canonical, pretty-printed).</summary>
        public string PolicyDocument { get; internal set; } = "";

        public BucketPolicyMerge? Merge { get; internal set; }
    }

    public sealed class VersioningPlan : ResourcePlan
    {
        internal VersioningPlan(string bucketName) : base("BucketVersioning", bucketName) { }

        public S3VersioningState Before { get; internal set; }
    }

    /// <summary>A lifecycle rule for backup retention.</summary>
    public sealed class LifecycleSpec
    {
        public string RuleId { get; set; } = "backup-retention";

        public string? Prefix { get; set; }

        public int? NoncurrentVersionExpirationDays { get; set; }

        public int? NewerNoncurrentVersions { get; set; }

        public int? AbortIncompleteMultipartUploadDays { get; set; }

        public int? ExpirationDays { get; set; }

        /// <summary>Allow <see cref="ExpirationDays"/> without a prefix, which expires every current object of the bucket.</summary>
        public bool AllowWholeBucketExpiration { get; set; }
    }

    public sealed class LifecyclePlan : ResourcePlan
    {
        internal LifecyclePlan(string bucketName) : base("BucketLifecycle", bucketName) { }

        /// <summary>All rules of the bucket once the plan is applied.</summary>
        public IReadOnlyList<S3LifecycleRule> Rules { get; internal set; } = new S3LifecycleRule[0];

        public S3LifecycleRule? Rule { get; internal set; }
    }

    /// <summary>Plans S3 bucket changes (bucket, folders, public access, ownership, encryption, policy, versioning, lifecycle).</summary>
    public sealed class BucketPlanner
    {
        private const string OwnershipEnforced = "BucketOwnerEnforced";
        private readonly IS3Gateway _s3;

        public BucketPlanner(IS3Gateway s3)
        {
            _s3 = s3 ?? throw new ArgumentNullException(nameof(s3));
        }

        /// <param name="readsAhead">
        /// Called as HeadBucket is sent, with the bucket's own reads (issue 16): the caller starts the reads a later step
        /// needs of an existing bucket, so that they travel together with it. When the plan says the bucket does not
        /// exist (<see cref="ResourcePlan.Exists"/> false), or planning fails, the caller drops them unread.
        /// </param>
        public async Task<BucketPlan> PlanBucketAsync(BucketSpec spec, CancellationToken cancellationToken, Action? readsAhead = null)
        {
            S3Names.ValidateBucketName(spec.BucketName, "BucketName");
            var folders = new List<string>();
            foreach (string folder in spec.Folders)
            {
                string normalized = S3Names.NormalizeFolderKey(folder, "Folder");
                if (normalized.Length == 0)
                {
                    throw new InputValidationException("FolderInvalid", "Folder", "An empty folder name was given; use names such as backup/ or backup/schemas/.");
                }

                if (!folders.Contains(normalized))
                {
                    folders.Add(normalized);
                }
            }

            string bucket = spec.BucketName;
            string target = "bucket " + bucket;
            var plan = new BucketPlan(bucket) { Folders = folders };
            // A 403 (another account's bucket, or the caller's own with a policy that denies it) is explained by the
            // gateway: plainly, and as S3BucketOwnerMismatch when the expected owner's header made the difference.
            Task<S3BucketHead> head = _s3.HeadBucketAsync(bucket, cancellationToken);

            // An existing bucket's reads are sent together with HeadBucket, not after its answer (issue 16): its location
            // (unless this store's HeadBucket names the region), Object Lock, settings, tags and folders, and the caller's
            // reads for later steps. They do not depend on one another, and each answer is awaited below where the plan
            // needs it, so the plan, its warnings and its errors come in the same order. When HeadBucket finds no bucket,
            // or fails, they are dropped unread: no warning or error ever comes from them (ReadAheadOf: not even the
            // HeadBucket requests that explain a 403).
            Task<string>? locationRead = null;
            Task<S3ObjectLockConfiguration?>? objectLockRead = null;
            Task<S3PublicAccessBlock?>? publicAccessRead = null;
            Task<string?>? ownershipRead = null;
            Task<bool>? encryptionRead = null;
            Task<IReadOnlyDictionary<string, string>>? tagsRead = null;
            var folderReads = new Dictionary<string, Task<bool>>(StringComparer.Ordinal);
            using (_s3.ReadAheadOf(ExistsAsync(head)))
            {
                if (!_s3.HeadBucketNamesRegion)
                {
                    locationRead = _s3.GetBucketLocationAsync(bucket, cancellationToken);
                }

                if (spec.ObjectLock != null)
                {
                    objectLockRead = _s3.GetObjectLockConfigurationAsync(bucket, cancellationToken);
                }

                readsAhead?.Invoke();
                publicAccessRead = _s3.GetPublicAccessBlockAsync(bucket, cancellationToken);
                if (spec.ManagedTag)
                {
                    tagsRead = _s3.GetBucketTaggingAsync(bucket, cancellationToken);
                }

                if (spec.EnforceBucketOwnership)
                {
                    ownershipRead = _s3.GetBucketOwnershipControlsAsync(bucket, cancellationToken);
                }

                if (spec.DefaultEncryption)
                {
                    encryptionRead = ReadEncryptionAsync(bucket, cancellationToken);
                }

                foreach (string folder in folders)
                {
                    folderReads[folder] = _s3.ObjectExistsAsync(bucket, folder, cancellationToken);
                }
            }

            // Observed now, so that a read nobody awaits (the bucket is missing, or planning stops) never surfaces as an
            // unobserved task exception; an await below still gets its failure.
            Observe(locationRead, objectLockRead, publicAccessRead, ownershipRead, encryptionRead, tagsRead);
            Observe(folderReads.Values.ToArray());
            S3BucketHead found = await head.ConfigureAwait(false);
            plan.Exists = found.Exists;
            ObjectLockSpec? objectLock = spec.ObjectLock;
            objectLock?.Validate();
            if (plan.Exists)
            {
                // x-amz-bucket-region where the store sends it (AWS, moto), else GetBucketLocation (Ceph RGW 16). A
                // GetBucketLocation sent all the same (the first HeadBucket to this store) is waited for, unread: it left
                // with the settings reads awaited below, and an answer left in flight would be cut off by the cmdlet's end.
                string? location = found.Region == null || locationRead != null ? await ReadRegionAsync(bucket, locationRead, cancellationToken).ConfigureAwait(false) : null;
                plan.ActualRegion = found.Region ?? location;
            }
            else
            {
                plan.Add("s3", "CreateBucket", target, $"Create S3 bucket '{bucket}'" + (objectLock != null ? " with Object Lock enabled (versioning on, cannot be turned off)" : ""), async ct =>
                {
                    try
                    {
                        if (objectLock != null)
                        {
                            await _s3.CreateBucketWithObjectLockAsync(bucket, ct).ConfigureAwait(false);
                        }
                        else
                        {
                            await _s3.CreateBucketAsync(bucket, ct).ConfigureAwait(false);
                        }

                        plan.CreatedNow = true;
                    }
                    catch (S3ServiceException ex) when (ex.AwsErrorCode == "BucketAlreadyOwnedByYou")
                    {
                        // A retried CreateBucket whose first attempt went through (or a concurrent run): it is ours.
                    }
                    catch (S3ServiceException ex) when (ExplainCreateBucketFailure(ex) is string advice)
                    {
                        throw new S3ServiceException(ex.ErrorId, ex.Kind, ex.Operation, bucket, ex.AwsErrorCode, ex.AwsMessage + ". " + advice,
                            ex.RequestId, ex.HttpStatus, ex);
                    }
                });

                // The reads sent with HeadBucket are dropped unread: a new bucket's settings are read at apply time, below.
                publicAccessRead = null;
                ownershipRead = null;
                encryptionRead = null;
                tagsRead = null;
                objectLockRead = null;
                folderReads.Clear();
            }

            if (objectLock != null)
            {
                await PlanObjectLockAsync(plan, objectLock, objectLockRead, cancellationToken).ConfigureAwait(false);
            }

            // For a new bucket the settings are read again at apply time: AWS now creates buckets with Block Public
            // Access, BucketOwnerEnforced and SSE-S3 already on, and a write that changes nothing is not made. The
            // answers also tell what the store supports (S3-compatible stores such as Ceph RGW lack some protections).
            // A new bucket's managed tag goes out with these reads (issue 16), and each protection's write waits until
            // the tag's write has ended (see PlanManagedTagAsync): set below once the tag is planned.
            PlannedChange? tagFirst = null;
            Func<CancellationToken, Task> afterTag = ct => tagFirst == null ? Task.CompletedTask : PlannedChange.WhenEndedAsync(tagFirst, ct);
            int protectionsFrom = plan.Changes.Count;
            if (spec.BlockPublicAccess)
            {
                S3PublicAccessBlock? current = publicAccessRead != null ? await publicAccessRead.ConfigureAwait(false) : null;
                if (current != null)
                {
                    NoteRestrictedPublicAccessBlock(plan, current);
                }

                if (!plan.Exists || !Satisfies(current, DesiredPublicAccessBlock(current)))
                {
                    string description = current == null || current.StoreRootElement == null
                        ? $"Turn on all four Block Public Access settings of bucket '{bucket}' (where BlockPublicAcls would reject every upload, as on Ceph RGW 16, only IgnorePublicAcls and RestrictPublicBuckets)"
                        : $"Set Block Public Access of bucket '{bucket}' to IgnorePublicAcls and RestrictPublicBuckets (BlockPublicAcls off: on this store it rejects every upload)";
                    plan.Add("s3", "PutPublicAccessBlock", target, description, async ct =>
                    {
                        S3PublicAccessBlock? now = current;
                        if (!plan.Exists)
                        {
                            now = await _s3.GetPublicAccessBlockAsync(bucket, ct).ConfigureAwait(false);
                            if (now != null)
                            {
                                NoteRestrictedPublicAccessBlock(plan, now);
                            }
                        }

                        S3PublicAccessBlock desired = DesiredPublicAccessBlock(now);
                        if (Satisfies(now, desired))
                        {
                            return false;
                        }

                        await afterTag(ct).ConfigureAwait(false);
                        await _s3.PutPublicAccessBlockAsync(bucket, desired, ct).ConfigureAwait(false);
                        return true;
                    }).Batch = ProtectionsBatch;
                }
            }

            else if (plan.Exists)
            {
                // Skipped, yet a bucket that rejects every upload is never left so: on a store where BlockPublicAcls does
                // that (Ceph RGW), an earlier run's BlockPublicAcls=true is turned off and nothing else is touched.
                S3PublicAccessBlock? current = null;
                try
                {
                    current = await publicAccessRead!.ConfigureAwait(false);
                }
                catch (S3ServiceException ex) when (ex.HttpStatus == 403)
                {
                    // Skipped and not readable with these credentials: left alone, as before.
                }

                if (current != null && current.StoreRootElement != null && current.BlockPublicAcls)
                {
                    var repaired = new S3PublicAccessBlock
                    {
                        BlockPublicAcls = false,
                        IgnorePublicAcls = current.IgnorePublicAcls,
                        BlockPublicPolicy = current.BlockPublicPolicy,
                        RestrictPublicBuckets = current.RestrictPublicBuckets,
                    };
                    plan.PublicAccessBlockRestricted = true;
                    plan.AddStoreWarning("Block Public Access", $"the store answered GetPublicAccessBlock under <{current.StoreRootElement}> as Ceph RGW does, where BlockPublicAcls=true rejects every upload",
                        "BlockPublicAcls is turned off although Block Public Access was skipped, so that the bucket takes uploads again; the other settings are left as they are");
                    plan.Add("s3", "PutPublicAccessBlock", target, $"Turn off BlockPublicAcls of bucket '{bucket}' (on this store it rejects every upload), leaving the other settings",
                        ct => _s3.PutPublicAccessBlockAsync(bucket, repaired, ct)).Batch = ProtectionsBatch;
                }
            }

            if (spec.EnforceBucketOwnership)
            {
                const string protection = "object ownership controls (" + OwnershipEnforced + ")";
                bool supported = true;
                bool enforced = false;
                if (plan.Exists)
                {
                    (supported, enforced) = await ReadSettingAsync(plan, protection,
                        async ct => IsOwnershipEnforced(await ownershipRead!.ConfigureAwait(false)), cancellationToken).ConfigureAwait(false);
                }

                if (supported && !enforced)
                {
                    plan.Add("s3", "PutBucketOwnershipControls", target, $"Set object ownership of bucket '{bucket}' to {OwnershipEnforced} (ACLs disabled)", async ct =>
                    {
                        if (!plan.Exists)
                        {
                            var (ok, on) = await ReadSettingAsync(plan, protection,
                                async c => IsOwnershipEnforced(await _s3.GetBucketOwnershipControlsAsync(bucket, c).ConfigureAwait(false)), ct).ConfigureAwait(false);
                            if (!ok || on)
                            {
                                return false;
                            }
                        }

                        await afterTag(ct).ConfigureAwait(false);
                        return await WriteSettingAsync(plan, protection, c => _s3.PutBucketOwnershipControlsAsync(bucket, OwnershipEnforced, c), ct).ConfigureAwait(false);
                    }).Batch = ProtectionsBatch;
                }
            }

            if (spec.DefaultEncryption)
            {
                const string protection = "default encryption (SSE-S3)";
                bool supported = true;
                bool encrypted = false;
                if (plan.Exists)
                {
                    (supported, encrypted) = await ReadSettingAsync(plan, protection, ct => encryptionRead!, cancellationToken).ConfigureAwait(false);
                }

                if (supported && !encrypted)
                {
                    plan.Add("s3", "PutBucketEncryption", target, $"Turn on default encryption (SSE-S3) for bucket '{bucket}'", async ct =>
                    {
                        if (!plan.Exists)
                        {
                            var (ok, on) = await ReadSettingAsync(plan, protection,
                                async c => await _s3.GetBucketEncryptionAsync(bucket, c).ConfigureAwait(false) != null, ct).ConfigureAwait(false);
                            if (!ok || on)
                            {
                                return false;
                            }
                        }

                        await afterTag(ct).ConfigureAwait(false);
                        return await WriteSettingAsync(plan, protection, c => _s3.PutBucketEncryptionAsync(bucket, c), ct).ConfigureAwait(false);
                    }).Batch = ProtectionsBatch;
                }
            }

            bool protectionsPlanned = plan.Changes.Count > protectionsFrom;
            PlannedChange? tag = null;
            if (spec.ManagedTag)
            {
                tag = await PlanManagedTagAsync(plan, tagsRead, spec.VersioningRecord && objectLock == null, cancellationToken).ConfigureAwait(false);
            }

            if (tag != null && !plan.Exists && protectionsPlanned)
            {
                // A bucket this plan creates (issue 16): the tag joins the protections' batch, the change right after
                // them, so approval and -WhatIf keep plan order. It is sent with their reads; their writes wait for it.
                tag.Batch = ProtectionsBatch;
                tagFirst = tag;
            }

            bool foldersPlanned = false;
            foreach (string folder in folders)
            {
                if (!plan.Exists || !await folderReads[folder].ConfigureAwait(false))
                {
                    plan.Add("s3", "PutObject", $"object {bucket}/{folder}", $"Create folder placeholder '{folder}' in bucket '{bucket}'", ct => _s3.PutObjectAsync(bucket, folder, null, ct))
                        .Batch = FoldersBatch;
                    foldersPlanned = true;
                }
            }

            if (tag != null && tagFirst == null && foldersPlanned)
            {
                // The tag goes out with the folders (issue 16): a PutObject does not rewrite the bucket's attributes, so
                // this is not the concurrency that lost a tag on Ceph RGW (see PlanManagedTagAsync). It is the change
                // just before them, so approval and -WhatIf keep plan order.
                tag.Batch = FoldersBatch;
            }

            return plan;
        }

        /// <summary>
        /// The managed tag (issue 15): <c>backupiam:managed=true</c>, merged into the bucket's tags at apply time (read
        /// again then, so a tag someone added meanwhile is kept). An existing bucket already tagged gets no write. A store
        /// without bucket tagging, or credentials that may not read or write tags, give a warning, never a failure. With
        /// <paramref name="versioningRecord"/>, a bucket this plan creates gets the versioning record in the same write
        /// (<see cref="BucketSpec.VersioningRecord"/>).
        /// </summary>
        private async Task<PlannedChange?> PlanManagedTagAsync(BucketPlan plan, Task<IReadOnlyDictionary<string, string>>? tagsRead, bool versioningRecord,
            CancellationToken cancellationToken)
        {
            string bucket = plan.Name;
            int others = 0;
            if (plan.Exists && tagsRead != null)
            {
                IReadOnlyDictionary<string, string> tags;
                try
                {
                    tags = await tagsRead.ConfigureAwait(false);
                }
                catch (S3ServiceException ex) when (IsNotSupportedByStore(ex) || ex.HttpStatus == 403)
                {
                    plan.Warnings.Add(TagWarning(bucket, ex));
                    return null;
                }

                if (BucketTags.IsManaged(tags))
                {
                    return null;
                }

                others = tags.Count;
            }

            string keeping = plan.Exists ? $" (merged: its {others} other tag(s) stay)" : "";
            bool withRecord = versioningRecord && !plan.Exists;
            string record = withRecord
                ? $", and {BucketTags.VersioningKey}={BucketTags.VersioningEnabledByModule} for Enable-BackupVersioning later in this pipeline when this run creates the bucket"
                : "";
            PlannedChange tag = plan.Add("s3", "PutBucketTagging", "bucket " + bucket, $"Tag bucket '{bucket}' {BucketTags.ManagedKey}={BucketTags.ManagedValue}{keeping}{record}", async ct =>
            {
                try
                {
                    if (plan.CreatedNow)
                    {
                        // This plan's CreateBucket made the bucket a moment ago: it has no tags, nothing to read and merge
                        // (issue 16). A bucket that answered BucketAlreadyOwnedByYou is read and merged as any other.
                        // With the record: written before versioning is turned on, as Enable-BackupVersioning would
                        // write it (PlanVersioningAsync), one round trip earlier; a record with versioning still off (the
                        // pipeline stops before Enable-BackupVersioning's write) is harmless to a teardown.
                        await _s3.PutBucketTaggingAsync(bucket, withRecord ? BucketTags.ManagedWithVersioningRecord() : BucketTags.Managed(), ct).ConfigureAwait(false);
                        plan.VersioningRecorded = withRecord;
                        return true;
                    }

                    return await MergeTagsAsync(bucket, BucketTags.Managed(), null, ct).ConfigureAwait(false);
                }
                catch (S3ServiceException ex) when (IsNotSupportedByStore(ex) || ex.HttpStatus == 403)
                {
                    string answer = $"{ex.Operation} answered HTTP {ex.HttpStatus} {ex.AwsErrorCode}";
                    string consequence = $"the bucket is not tagged {BucketTags.ManagedKey}, so Get-BackupBucket and teardown without -BucketName will not find it";
                    if (ex.HttpStatus == 403)
                    {
                        plan.AddRefusedWarning("tags", answer, consequence + "; give them s3:PutBucketTagging (and s3:GetBucketTagging) and run the command again");
                    }
                    else
                    {
                        plan.AddStoreWarning("bucket tagging", answer, consequence);
                    }

                    return false;
                }
            });
            // Never concurrent with a protection's write: Ceph RGW keeps a bucket's tags and its Block Public Access in the
            // same bucket attributes, and two concurrent writes of them were seen to lose one (the tag was gone on a
            // re-run). For a new bucket the tag joins the protections' batch (PlanBucketAsync): it goes out with their
            // reads, and each of their writes waits until the tag's write has ended (PlannedChange.WhenEndedAsync),
            // whether it wrote, warned or failed, so the protections are written all the same.
            tag.AddsRecordOnly = true;
            return tag;
        }

        private static string TagWarning(string bucket, S3ServiceException ex) =>
            $"Bucket '{bucket}': its tags could not be read ({ex.Operation} answered HTTP {ex.HttpStatus} {ex.AwsErrorCode}), so it is not tagged "
            + $"{BucketTags.ManagedKey}={BucketTags.ManagedValue}; Get-BackupBucket and Remove-BackupBucketSetup still work with -BucketName.";

        /// <summary>Reads the bucket's tags, merges, and writes the whole set only when it changes; false when nothing was written.</summary>
        internal async Task<bool> MergeTagsAsync(string bucket, IReadOnlyDictionary<string, string>? set, IEnumerable<string>? remove, CancellationToken ct)
        {
            IReadOnlyDictionary<string, string> now = await _s3.GetBucketTaggingAsync(bucket, ct).ConfigureAwait(false);
            BucketTagMerge merge = BucketTags.Merge(now, set, remove);
            if (!merge.Changed)
            {
                return false;
            }

            await _s3.PutBucketTaggingAsync(bucket, merge.Tags, ct).ConfigureAwait(false);
            return true;
        }

        public async Task<BucketPolicyPlan> PlanBucketPolicyAsync(string bucketName, string policyDocument, bool replace, bool bucketMayBePlanned, CancellationToken cancellationToken)
        {
            S3Names.ValidateBucketName(bucketName, "BucketName");
            PolicyDocument desired = ValidateBucketPolicy(policyDocument);
            PolicyRules.CheckBucketPolicy(desired, bucketName);

            var plan = new BucketPolicyPlan(bucketName);
            string? current = null;
            try
            {
                current = await _s3.GetBucketPolicyAsync(bucketName, cancellationToken).ConfigureAwait(false);
            }
            catch (S3ServiceException ex) when (bucketMayBePlanned && ex.AwsErrorCode == "NoSuchBucket")
            {
            }

            PolicyDocument? existing = current == null ? null : PolicyJson.Parse(current);
            plan.Exists = existing != null;
            BucketPolicyMerge merge = BucketPolicyMerger.Merge(existing, desired, replace);
            plan.Merge = merge;
            plan.PolicyDocument = PolicyJson.ToJson(merge.Result, indented: true);
            int bytes = PolicySizeLimits.Measure(merge.Result, PolicyContainer.BucketPolicy);
            int limit = PolicySizeLimits.GetLimit(PolicyContainer.BucketPolicy);
            if (bytes > limit)
            {
                throw new InputValidationException("PolicyTooLarge", "PolicyDocument",
                    $"The merged bucket policy would be {bytes} bytes; S3 allows {limit}. Remove statements, or use -Replace to drop the existing ones.");
            }

            if (merge.Changed)
            {
                string what = replace ? "Replace the bucket policy" :
                    $"Merge statements into the bucket policy (add: {Join(merge.Added)}; replace: {Join(merge.Replaced)}; keep: {Join(merge.Kept)})";
                string json = PolicyJson.ToJson(merge.Result, indented: false);
                plan.Add("s3", "PutBucketPolicy", "bucket " + bucketName, what + $" of bucket '{bucketName}'", ct => _s3.PutBucketPolicyAsync(bucketName, json, ct));
            }

            return plan;
        }

        /// <summary>
        /// Object Lock: read GetObjectLockConfiguration and write only what differs. A new bucket is created with
        /// Object Lock (the default retention is then set); an existing bucket must be versioned, and the store must
        /// allow turning it on afterwards (AWS does; Ceph RGW 16 answers 409 InvalidBucketState, mapped to ObjectLockNotEnableable).
        /// </summary>
        /// <param name="objectLockRead">GetObjectLockConfiguration, sent with HeadBucket (issue 16); null for a new bucket.</param>
        private async Task PlanObjectLockAsync(BucketPlan plan, ObjectLockSpec objectLock, Task<S3ObjectLockConfiguration?>? objectLockRead, CancellationToken cancellationToken)
        {
            string bucket = plan.Name;
            S3ObjectLockConfiguration? current = null;
            if (plan.Exists)
            {
                current = await (objectLockRead ?? _s3.GetObjectLockConfigurationAsync(bucket, cancellationToken)).ConfigureAwait(false);
                plan.ObjectLockBefore = current;
                if (objectLock.Matches(current))
                {
                    return;
                }

                if (current == null)
                {
                    S3VersioningState versioning = await _s3.GetBucketVersioningAsync(bucket, cancellationToken).ConfigureAwait(false);
                    if (versioning != S3VersioningState.Enabled)
                    {
                        throw new BackupIamException("ObjectLockNeedsVersioning", FailureKind.InvalidData,
                            $"Bucket '{bucket}' has versioning {versioning}; Object Lock can only be turned on for a bucket with versioning Enabled. Run Enable-BackupVersioning -BucketName {bucket} first, or create a new bucket with New-BackupBucket -ObjectLockMode.") { Target = bucket };
                    }
                }
            }
            else if (objectLock.Mode == null)
            {
                // CreateBucket with Object Lock is all that is needed.
                return;
            }

            string what = current == null && plan.Exists
                ? $"Turn on Object Lock for existing bucket '{bucket}' ({objectLock}); it cannot be turned off again"
                : $"Set the default Object Lock retention of bucket '{bucket}' to {objectLock}";
            if (objectLock.Mode == ObjectLockSpec.Compliance)
            {
                what += ". COMPLIANCE: no one, not even the account root, can delete or shorten the retention of an object version until it ends";
            }

            plan.Add("s3", "PutObjectLockConfiguration", "bucket " + bucket, what, async ct =>
            {
                try
                {
                    await _s3.PutObjectLockConfigurationAsync(bucket, objectLock.Mode, objectLock.Days, objectLock.Years, ct).ConfigureAwait(false);
                }
                catch (S3ServiceException ex) when (ex.HttpStatus == 409 || ex.AwsErrorCode == "InvalidBucketState")
                {
                    throw new BackupIamException("ObjectLockNotEnableable", FailureKind.NotImplemented,
                        $"The store refused to turn on Object Lock for existing bucket '{bucket}' (PutObjectLockConfiguration answered HTTP {ex.HttpStatus} {ex.AwsErrorCode}). " +
                        "Stores such as Ceph RGW 16 only allow Object Lock on buckets created with it: create a new bucket with New-BackupBucket -ObjectLockMode and copy the backups into it.", ex) { Target = bucket };
                }
            });
        }

        /// <summary>Parses a bucket policy and checks that every statement names a Principal; throws on bad input.</summary>
        /// <summary>What to tell the user about a CreateBucket refusal that AWS's own words do not explain; null otherwise.</summary>
        internal static string? ExplainCreateBucketFailure(S3ServiceException ex)
        {
            switch (ex.AwsErrorCode)
            {
                case "BucketAlreadyExists":
                    return $"Bucket '{ex.BucketName}': {BucketOwnership.GlobalNames}. Choose another name (for example "
                        + "with your account id or a random suffix)";
                case "IllegalLocationConstraintException":
                case "InvalidLocationConstraint":
                    return "The store refused the bucket's region (LocationConstraint). On AWS, -Region must be the region the "
                        + "endpoint serves; an S3-compatible store such as Ceph RGW accepts only its own zonegroup's name, so give "
                        + "that name as -Region, or -Region us-east-1 to send no LocationConstraint";
                default:
                    return null;
            }
        }

        /// <param name="locationRead">GetBucketLocation, sent with HeadBucket (issue 16), or null to send it now.</param>
        private async Task<string?> ReadRegionAsync(string bucket, Task<string>? locationRead, CancellationToken cancellationToken)
        {
            try
            {
                return await (locationRead ?? _s3.GetBucketLocationAsync(bucket, cancellationToken)).ConfigureAwait(false);
            }
            catch (S3ServiceException)
            {
                // The location is a report, not a requirement: a store or a policy that refuses GetBucketLocation leaves it unknown.
                return null;
            }
        }

        private static async Task<bool> ExistsAsync(Task<S3BucketHead> head) => (await head.ConfigureAwait(false)).Exists;

        /// <summary>Marks the failures of reads sent ahead of the existence check as observed (an await still gets them).</summary>
        private static void Observe(params Task?[] reads)
        {
            foreach (Task? read in reads)
            {
                _ = read?.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }

        public static PolicyDocument ValidateBucketPolicy(string policyDocument)
        {
            PolicyDocument desired = PolicyJson.Parse(policyDocument);
            IdentityPlanner.RequireResources(desired);
            for (int i = 0; i < desired.Statements.Count; i++)
            {
                if (desired.Statements[i].Principal == null && desired.Statements[i].NotPrincipal == null)
                {
                    throw new InputValidationException("PolicyNotBucketPolicy", "PolicyDocument",
                        $"Statement[{i}] has no Principal: a bucket policy must name who it grants to. Build one with New-WriteOnlyBucketPolicy or New-BackupPolicy -AsBucketPolicy -PrincipalArn.");
                }
            }

            return desired;
        }

        /// <param name="bucketJustCreated">True when the caller knows the bucket was created a moment ago in the same pipeline (issue 16): versioning is off, no read; its tags are at most the managed tag, so the record is written without a merge read.</param>
        /// <param name="versioningRead">GetBucketVersioning for this bucket, already sent by the caller (issue 16), or null to send it here.</param>
        /// <param name="recordWritten">With <paramref name="bucketJustCreated"/>: New-BackupBucket wrote the versioning record with the bucket's managed tag (<see cref="BucketPlan.VersioningRecorded"/>), so only PutBucketVersioning is sent.</param>
        public async Task<VersioningPlan> PlanVersioningAsync(string bucketName, bool bucketMayBePlanned, CancellationToken cancellationToken, bool bucketJustCreated = false,
            Task<S3VersioningState>? versioningRead = null, bool recordWritten = false)
        {
            S3Names.ValidateBucketName(bucketName, "BucketName");
            var plan = new VersioningPlan(bucketName);
            try
            {
                plan.Before = bucketJustCreated ? S3VersioningState.Off : await (versioningRead ?? _s3.GetBucketVersioningAsync(bucketName, cancellationToken)).ConfigureAwait(false);
            }
            catch (S3ServiceException ex) when (bucketMayBePlanned && ex.AwsErrorCode == "NoSuchBucket")
            {
                plan.Before = S3VersioningState.Off;
            }

            // Versioning is a setting of the bucket, so turning it on updates the bucket rather than creating anything.
            plan.Exists = true;
            if (plan.Before != S3VersioningState.Enabled && bucketJustCreated && recordWritten)
            {
                // The record is there already (issue 16): written by New-BackupBucket with the managed tag of the bucket it
                // created a moment ago in this pipeline, before this write.
                plan.Add("s3", "PutBucketVersioning", "bucket " + bucketName,
                    $"Enable versioning on bucket '{bucketName}' (was {plan.Before}); New-BackupBucket recorded {BucketTags.VersioningKey}={BucketTags.VersioningEnabledByModule} in its tags already, so that Remove-BackupBucketSetup knows the module turned it on",
                    ct => _s3.PutBucketVersioningAsync(bucketName, true, ct));
            }
            else if (plan.Before != S3VersioningState.Enabled)
            {
                // The record first (issue 15), in the same step: a teardown suspends versioning only where the module
                // turned it on. A failure between the two writes leaves a record and versioning not yet on, which the
                // re-run completes; the other order could leave versioning on with no record.
                IReadOnlyDictionary<string, string> record = BucketTags.ManagedWithVersioningRecord();
                plan.Add("s3", "PutBucketVersioning", "bucket " + bucketName,
                    $"Enable versioning on bucket '{bucketName}' (was {plan.Before}), first recording in its tags (PutBucketTagging, merged: other tags stay) {BucketTags.VersioningKey}={BucketTags.VersioningEnabledByModule}, so that Remove-BackupBucketSetup knows the module turned it on",
                    async ct =>
                    {
                        try
                        {
                            if (bucketJustCreated)
                            {
                                // Created a moment ago in this pipeline (issue 16): its tags are at most the managed tag that
                                // New-BackupBucket wrote, which this set holds too, so nothing is read to merge.
                                await _s3.PutBucketTaggingAsync(bucketName, record, ct).ConfigureAwait(false);
                            }
                            else
                            {
                                await MergeTagsAsync(bucketName, record, null, ct).ConfigureAwait(false);
                            }
                        }
                        catch (S3ServiceException ex) when (IsNotSupportedByStore(ex) || ex.HttpStatus == 403)
                        {
                            // No record (the store has no bucket tagging, or the credentials may not tag): versioning is
                            // still turned on; Remove-BackupBucketSetup will then leave it on.
                        }

                        await _s3.PutBucketVersioningAsync(bucketName, true, ct).ConfigureAwait(false);
                    });
            }

            return plan;
        }

        /// <param name="bucketJustCreated">True when the caller knows the bucket was created a moment ago in the same pipeline (issue 16): it has no rules, no read.</param>
        /// <param name="lifecycleRead">GetBucketLifecycleConfiguration for this bucket, already sent by the caller (issue 16), or null to send it here.</param>
        public async Task<LifecyclePlan> PlanLifecycleAsync(string bucketName, LifecycleSpec spec, bool bucketMayBePlanned, CancellationToken cancellationToken, bool bucketJustCreated = false,
            Task<IReadOnlyList<S3LifecycleRule>?>? lifecycleRead = null)
        {
            S3Names.ValidateBucketName(bucketName, "BucketName");
            ValidateLifecycle(spec);
            var rule = new S3LifecycleRule
            {
                Id = spec.RuleId,
                Prefix = S3Names.NormalizePrefix(spec.Prefix, "Prefix"),
                Status = "Enabled",
                ExpirationDays = spec.ExpirationDays,
                NoncurrentVersionExpirationDays = spec.NoncurrentVersionExpirationDays,
                NewerNoncurrentVersions = spec.NewerNoncurrentVersions,
                AbortIncompleteMultipartUploadDays = spec.AbortIncompleteMultipartUploadDays,
            };
            var plan = new LifecyclePlan(bucketName) { Rule = rule };
            IReadOnlyList<S3LifecycleRule>? current = null;
            try
            {
                current = bucketJustCreated ? null : await (lifecycleRead ?? _s3.GetBucketLifecycleConfigurationAsync(bucketName, cancellationToken)).ConfigureAwait(false);
            }
            catch (S3ServiceException ex) when (bucketMayBePlanned && ex.AwsErrorCode == "NoSuchBucket")
            {
            }

            var rules = new List<S3LifecycleRule>(current ?? new S3LifecycleRule[0]);
            int index = rules.FindIndex(r => string.Equals(r.Id, rule.Id, StringComparison.Ordinal));
            plan.Exists = index >= 0;
            if (index >= 0 && SameRule(rules[index], rule))
            {
                plan.Rules = rules;
                return plan;
            }

            if (index >= 0)
            {
                if (rules[index].HasUnmodelledSettings)
                {
                    plan.Warnings.Add($"Lifecycle rule '{rule.Id}' on bucket '{bucketName}' has settings (transitions, tag or size filters, dates) that the new rule does not keep. Give your rule another -RuleId to keep it.");
                }

                rules[index] = rule;
            }
            else
            {
                rules.Add(rule);
            }

            plan.Rules = rules;
            bool record = !string.Equals(rule.Id, BucketSetup.DefaultLifecycleRuleId, StringComparison.Ordinal)
                && await RuleNeedsRecordAsync(plan, bucketName, rule.Id, bucketMayBePlanned, cancellationToken).ConfigureAwait(false);
            string verb = index >= 0 ? "Replace" : "Add";
            string recordText = record
                ? $", first recording in the bucket's tags (PutBucketTagging, merged: other tags stay) {BucketSetup.LifecycleRulesKey} with '{rule.Id}', so that Remove-BackupBucketSetup knows the rule is the module's"
                : "";
            plan.Add("s3", "PutBucketLifecycleConfiguration", "bucket " + bucketName,
                $"{verb} lifecycle rule '{rule.Id}' on bucket '{bucketName}' ({Describe(rule)}), keeping {rules.Count - 1} other rule(s){recordText}",
                async ct =>
                {
                    if (record)
                    {
                        // The record goes first, in the same step, so that declining the rule declines the record too.
                        await RecordRuleIdAsync(plan, bucketName, rule.Id, ct).ConfigureAwait(false);
                    }

                    await _s3.PutBucketLifecycleConfigurationAsync(bucketName, rules, ct).ConfigureAwait(false);
                });
            return plan;
        }

        /// <summary>
        /// A rule id other than the default is recorded in the bucket tag <see cref="BucketSetup.LifecycleRulesKey"/> before the
        /// rule is written (issue 15), so that removing the bucket's backup setup knows the rule is the module's. False (with a
        /// warning) when it cannot be recorded, or when it is recorded already.
        /// </summary>
        private async Task<bool> RuleNeedsRecordAsync(LifecyclePlan plan, string bucketName, string ruleId, bool bucketMayBePlanned, CancellationToken cancellationToken)
        {
            if (!BucketSetup.IsTagSafe(ruleId))
            {
                plan.Warnings.Add($"Lifecycle rule '{ruleId}' on bucket '{bucketName}' cannot be recorded as the module's in a bucket tag (use letters, digits and + - = . _ : / @), so Remove-BackupBucketSetup will leave it.");
                return false;
            }

            IReadOnlyDictionary<string, string> tags;
            try
            {
                tags = await _s3.GetBucketTaggingAsync(bucketName, cancellationToken).ConfigureAwait(false);
            }
            catch (S3ServiceException ex) when (bucketMayBePlanned && ex.AwsErrorCode == "NoSuchBucket")
            {
                return true;
            }
            catch (S3ServiceException ex) when (IsNotSupportedByStore(ex) || ex.HttpStatus == 403)
            {
                plan.Warnings.Add(TagWarning(bucketName, ex) + $" Lifecycle rule '{ruleId}' is not recorded as the module's either, so Remove-BackupBucketSetup will leave it.");
                return false;
            }

            try
            {
                return BucketSetup.RecordRuleId(tags, ruleId) != null || !BucketTags.IsManaged(tags);
            }
            catch (ArgumentException ex)
            {
                plan.Warnings.Add($"Lifecycle rule '{ruleId}' on bucket '{bucketName}' is not recorded as the module's ({ex.Message}), so Remove-BackupBucketSetup will leave it.");
                return false;
            }
        }

        /// <summary>Reads the tags again and merges the rule id into the record (and the managed tag); a store without tagging only loses the record.</summary>
        private async Task RecordRuleIdAsync(ResourcePlan plan, string bucketName, string ruleId, CancellationToken ct)
        {
            try
            {
                IReadOnlyDictionary<string, string> now = await _s3.GetBucketTaggingAsync(bucketName, ct).ConfigureAwait(false);
                var set = new Dictionary<string, string>(StringComparer.Ordinal) { [BucketTags.ManagedKey] = BucketTags.ManagedValue };
                string? value = BucketSetup.RecordRuleId(now, ruleId);
                if (value != null)
                {
                    set[BucketSetup.LifecycleRulesKey] = value;
                }

                BucketTagMerge merge = BucketTags.Merge(now, set, null);
                if (merge.Changed)
                {
                    await _s3.PutBucketTaggingAsync(bucketName, merge.Tags, ct).ConfigureAwait(false);
                }
            }
            catch (ArgumentException)
            {
                // The record tag would be over 256 characters: the rule is written unrecorded (it was warned about while planning when known).
            }
        }

        /// <summary>A readable summary of a lifecycle rule.</summary>
        public static string Describe(S3LifecycleRule rule)
        {
            var parts = new List<string> { "prefix '" + rule.Prefix + "'" };
            if (rule.NoncurrentVersionExpirationDays != null)
            {
                parts.Add($"noncurrent versions expire after {rule.NoncurrentVersionExpirationDays} days" +
                    (rule.NewerNoncurrentVersions != null ? $" keeping {rule.NewerNoncurrentVersions} newer" : string.Empty));
            }

            if (rule.AbortIncompleteMultipartUploadDays != null)
            {
                parts.Add($"incomplete multipart uploads aborted after {rule.AbortIncompleteMultipartUploadDays} days");
            }

            if (rule.ExpirationDays != null)
            {
                parts.Add($"current objects expire after {rule.ExpirationDays} days");
            }

            return string.Join(", ", parts);
        }

        /// <summary>Checks a lifecycle rule's input (ids, days, combinations) without any call; throws InputValidationException.</summary>
        public static void ValidateLifecycle(LifecycleSpec spec)
        {
            if (string.IsNullOrWhiteSpace(spec.RuleId) || spec.RuleId.Length > 255)
            {
                throw new InputValidationException("LifecycleRuleIdInvalid", "RuleId", "A lifecycle rule id is 1 to 255 characters, for example backup-retention.");
            }

            if (spec.NoncurrentVersionExpirationDays == null && spec.AbortIncompleteMultipartUploadDays == null && spec.ExpirationDays == null)
            {
                throw new InputValidationException("LifecycleRuleEmpty", "NoncurrentVersionExpirationDays",
                    "A lifecycle rule needs at least one action: give -NoncurrentVersionExpirationDays, -AbortIncompleteMultipartUploadDays or -ExpirationDays, for example -NoncurrentVersionExpirationDays 30.");
            }

            CheckDays(spec.NoncurrentVersionExpirationDays, "NoncurrentVersionExpirationDays");
            CheckDays(spec.AbortIncompleteMultipartUploadDays, "AbortIncompleteMultipartUploadDays");
            CheckDays(spec.ExpirationDays, "ExpirationDays");
            if (spec.NewerNoncurrentVersions != null)
            {
                if (spec.NoncurrentVersionExpirationDays == null)
                {
                    throw new InputValidationException("LifecycleRuleInvalid", "NewerNoncurrentVersions",
                        "-NewerNoncurrentVersions only applies together with -NoncurrentVersionExpirationDays.");
                }

                if (spec.NewerNoncurrentVersions < 1 || spec.NewerNoncurrentVersions > 100)
                {
                    throw new InputValidationException("LifecycleRuleInvalid", "NewerNoncurrentVersions", "-NewerNoncurrentVersions must be between 1 and 100, for example 3.");
                }
            }

            if (spec.ExpirationDays != null && string.IsNullOrEmpty(S3Names.NormalizePrefix(spec.Prefix, "Prefix")) && !spec.AllowWholeBucketExpiration)
            {
                throw new InputValidationException("LifecycleExpirationNeedsPrefix", "Prefix",
                    "-ExpirationDays deletes current objects, and without -Prefix it would delete every backup in the bucket. " +
                    "Limit it with -Prefix (for example -Prefix tmp/), or give -Force if the whole bucket is meant.");
            }
        }

        private static void CheckDays(int? days, string parameterName)
        {
            if (days != null && (days < 1 || days > 36500))
            {
                throw new InputValidationException("LifecycleDaysInvalid", parameterName, $"-{parameterName} must be a whole number of days from 1 to 36500, for example 30; got {days}.");
            }
        }

        private static bool SameRule(S3LifecycleRule a, S3LifecycleRule b) =>
            a.Id == b.Id && (a.Prefix ?? string.Empty) == (b.Prefix ?? string.Empty) && a.Status == b.Status &&
            a.ExpirationDays == b.ExpirationDays && a.NoncurrentVersionExpirationDays == b.NoncurrentVersionExpirationDays &&
            a.NewerNoncurrentVersions == b.NewerNoncurrentVersions && a.AbortIncompleteMultipartUploadDays == b.AbortIncompleteMultipartUploadDays;

        /// <summary>
        /// The Block Public Access settings to apply, given what the store answered. AWS (and any store answering in
        /// AWS's form): all four. Ceph RGW (it answers under <c>BlockPublicAccessBlockConfiguration</c>): there
        /// BlockPublicAcls=true rejects every PutObject, the owner's included, and BlockPublicPolicy=true rejects even a
        /// non-public bucket policy; so IgnorePublicAcls and RestrictPublicBuckets, BlockPublicAcls off (which repairs a
        /// bucket an earlier version left blocked), BlockPublicPolicy as it is.
        /// </summary>
        public static S3PublicAccessBlock DesiredPublicAccessBlock(S3PublicAccessBlock? current)
        {
            if (current?.StoreRootElement == null)
            {
                return S3PublicAccessBlock.All();
            }

            return new S3PublicAccessBlock
            {
                BlockPublicAcls = false,
                IgnorePublicAcls = true,
                BlockPublicPolicy = current.BlockPublicPolicy,
                RestrictPublicBuckets = true,
                StoreRootElement = current.StoreRootElement,
            };
        }

        private static bool Satisfies(S3PublicAccessBlock? current, S3PublicAccessBlock desired) =>
            current != null && current.BlockPublicAcls == desired.BlockPublicAcls && current.IgnorePublicAcls == desired.IgnorePublicAcls &&
            current.BlockPublicPolicy == desired.BlockPublicPolicy && current.RestrictPublicBuckets == desired.RestrictPublicBuckets;

        private static void NoteRestrictedPublicAccessBlock(BucketPlan plan, S3PublicAccessBlock current)
        {
            if (current.StoreRootElement == null)
            {
                return;
            }

            plan.PublicAccessBlockRestricted = true;
            plan.AddStoreWarning("Block Public Access", $"the store answered GetPublicAccessBlock under <{current.StoreRootElement}> as Ceph RGW does, where BlockPublicAcls=true rejects every upload",
                "IgnorePublicAcls and RestrictPublicBuckets are applied and BlockPublicAcls is kept off; public ACLs are ignored, not refused");
        }

        /// <summary>
        /// Reads a protection's setting; when the store does not implement it, records a warning and reports it unsupported.
        /// </summary>
        private static async Task<(bool Supported, bool On)> ReadSettingAsync(BucketPlan plan, string protection, Func<CancellationToken, Task<bool>> read, CancellationToken cancellationToken)
        {
            try
            {
                return (true, await read(cancellationToken).ConfigureAwait(false));
            }
            catch (S3ServiceException ex) when (IsNotSupportedByStore(ex))
            {
                plan.AddUnsupported(protection, ex);
                return (false, false);
            }
        }

        /// <summary>Writes a protection's setting; a store that refuses it as unsupported gets a warning, and the run goes on (false: nothing changed).</summary>
        private static async Task<bool> WriteSettingAsync(BucketPlan plan, string protection, Func<CancellationToken, Task> write, CancellationToken cancellationToken)
        {
            try
            {
                await write(cancellationToken).ConfigureAwait(false);
            }
            catch (S3ServiceException ex) when (IsNotSupportedByStore(ex))
            {
                plan.AddUnsupported(protection, ex);
                return false;
            }

            return true;
        }

        /// <summary>
        /// The answers of a store that lacks an API or a setting: 501 NotImplemented, 405 MethodNotAllowed, and 400
        /// InvalidArgument to a request that AWS accepts (Ceph RGW 16 to BucketOwnerEnforced and to SSE-S3).
        /// </summary>
        private static bool IsNotSupportedByStore(S3ServiceException ex) =>
            ex.HttpStatus == 501 || ex.HttpStatus == 405 ||
            ex.AwsErrorCode == "NotImplemented" || ex.AwsErrorCode == "MethodNotAllowed" || ex.AwsErrorCode == "InvalidArgument";

        /// <summary>A bucket's protections: independent of one another, applied concurrently (after CreateBucket).</summary>
        private const string ProtectionsBatch = "protections";

        /// <summary>A bucket's folder placeholders: independent of one another, written concurrently after the protections.</summary>
        private const string FoldersBatch = "folders";

        private async Task<bool> ReadEncryptionAsync(string bucket, CancellationToken cancellationToken) =>
            await _s3.GetBucketEncryptionAsync(bucket, cancellationToken).ConfigureAwait(false) != null;

        private static bool IsOwnershipEnforced(string? ownership) => string.Equals(ownership, OwnershipEnforced, StringComparison.Ordinal);

        private static string Join(IReadOnlyList<string> items) => items.Count == 0 ? "none" : string.Join(", ", items);
    }
}
