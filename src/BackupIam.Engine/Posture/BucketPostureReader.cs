using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using BackupIam.Engine.Aws;
using BackupIam.Engine.Aws.Iam;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Inspection;
using BackupIam.Engine.Naming;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Simulation;

namespace BackupIam.Engine.Posture
{
    /// <summary>How a posture check came out.</summary>
    public enum PostureStatus
    {
        Pass,
        Warn,
        Fail,

        /// <summary>The setting could not be read (access denied, not supported by the store).</summary>
        Unknown,

        /// <summary>Not checked by this version.</summary>
        NotChecked,
    }

    /// <summary>How hard the bucket's backups are to destroy, worst first.</summary>
    public enum PostureGrade
    {
        /// <summary>A key that may write or delete can destroy backups (no versioning, or public access not blocked).</summary>
        Exposed,

        /// <summary>Versioning keeps old versions, but any key allowed to delete versions (or the admin) can remove them.</summary>
        Basic,

        /// <summary>Deleting versions needs more than a key: Object Lock GOVERNANCE, MFA delete, or a bucket policy that denies it.</summary>
        Resistant,

        /// <summary>Object Lock COMPLIANCE with a default retention: nobody can delete a version before its retention ends.</summary>
        Immutable,
    }

    /// <summary>One finding of a posture report.</summary>
    public sealed class PostureFinding
    {
        public PostureFinding(string area, PostureStatus status, string detail, string fix)
        {
            Area = area;
            Status = status;
            Detail = detail;
            Fix = fix;
        }

        public string Area { get; }
        public PostureStatus Status { get; }
        public string Detail { get; }

        /// <summary>What to do about it ("" when nothing is needed).</summary>
        public string Fix { get; }
    }

    /// <summary>The posture of one bucket.</summary>
    public sealed class BucketPostureReport
    {
        public string BucketName { get; internal set; } = "";
        public PostureGrade Grade { get; internal set; }
        public string Reason { get; internal set; } = "";
        public S3VersioningState Versioning { get; internal set; }
        public bool MfaDelete { get; internal set; }
        public bool ObjectLockEnabled { get; internal set; }
        public string? ObjectLockMode { get; internal set; }
        public int? ObjectLockRetentionDays { get; internal set; }
        public int? ObjectLockRetentionYears { get; internal set; }
        public bool PolicyDeniesDelete { get; internal set; }
        public bool PolicyDeniesOverwrite { get; internal set; }
        public bool PolicyDeniesChanges { get; internal set; }
        public List<PostureFinding> Findings { get; } = new List<PostureFinding>();
    }

    /// <summary>
    /// Reads a bucket's protections (concurrently, read-only) and grades how well its backups resist a stolen key or
    /// admin key. The bucket policy's effect is decided with the simulator, for a key of the account that may do
    /// anything in S3 (so that only the bucket policy's Deny statements stand in its way).
    /// </summary>
    public sealed class BucketPostureReader
    {
        private const string ProbeAccount = "123456789012";
        private readonly IS3Gateway _s3;
        private readonly IIamClient? _iam;

        /// <param name="s3">The S3 gateway.</param>
        /// <param name="iam">The IAM client for the "who can delete" check of the module's users; null leaves it NotChecked.</param>
        public BucketPostureReader(IS3Gateway s3, IIamClient? iam = null)
        {
            _s3 = s3 ?? throw new ArgumentNullException(nameof(s3));
            _iam = iam;
        }

        /// <summary>The partition of the bucket's ARN in the delete check.</summary>
        public string Partition { get; set; } = "aws";

        /// <summary>Reads and grades the bucket. Throws S3ServiceException when the bucket does not exist.</summary>
        public async Task<BucketPostureReport> ReadAsync(string bucketName, CancellationToken cancellationToken)
        {
            S3Names.ValidateBucketName(bucketName, "BucketName");

            // Every read at once; each keeps its own failure so one missing permission does not hide the others.
            var versioning = Read(ct => _s3.GetBucketVersioningInfoAsync(bucketName, ct), cancellationToken);
            var objectLock = Read(ct => _s3.GetObjectLockConfigurationAsync(bucketName, ct), cancellationToken);
            var lifecycle = Read(ct => _s3.GetBucketLifecycleConfigurationAsync(bucketName, ct), cancellationToken);
            var publicAccess = Read(ct => _s3.GetPublicAccessBlockAsync(bucketName, ct), cancellationToken);
            var ownership = Read(ct => _s3.GetBucketOwnershipControlsAsync(bucketName, ct), cancellationToken);
            var encryption = Read(ct => _s3.GetBucketEncryptionAsync(bucketName, ct), cancellationToken);
            var policy = Read(ct => _s3.GetBucketPolicyAsync(bucketName, ct), cancellationToken);
            var users = ReadUsers(cancellationToken);
            await Task.WhenAll(versioning, objectLock, lifecycle, publicAccess, ownership, encryption, policy, users).ConfigureAwait(false);

            // A bucket that does not exist (or cannot be reached) is an error, not a report.
            S3ServiceException? missing = new[] { versioning.Result.Error, policy.Result.Error }.FirstOrDefault(e => e != null && (e.AwsErrorCode == "NoSuchBucket" || e.HttpStatus == 404 && e.Operation == "GetBucketVersioning"));
            if (missing != null)
            {
                throw missing;
            }

            var report = new BucketPostureReport { BucketName = bucketName };
            CheckVersioning(report, versioning.Result);
            CheckObjectLock(report, objectLock.Result);
            CheckLifecycle(report, lifecycle.Result);
            CheckPublicAccess(report, publicAccess.Result);
            CheckOwnership(report, ownership.Result);
            CheckEncryption(report, encryption.Result);
            CheckPolicy(report, bucketName, policy.Result);
            report.Findings.Add(CheckIdentities(report, bucketName, users.Result, policy.Result));
            Grade(report, publicAccess.Result);
            return report;
        }

        private async Task<(IReadOnlyList<UserInspection>? Users, BackupIamException? Error)> ReadUsers(CancellationToken cancellationToken)
        {
            if (_iam == null)
            {
                return (null, null);
            }

            try
            {
                return (await IdentityDeleteCheck.ReadManagedUsersAsync(_iam, cancellationToken).ConfigureAwait(false), null);
            }
            catch (BackupIamException ex) when (!(ex is InputValidationException))
            {
                return (null, ex);
            }
        }

        private PostureFinding CheckIdentities(BucketPostureReport report, string bucketName, (IReadOnlyList<UserInspection>? Users, BackupIamException? Error) users, Outcome<string?> policy)
        {
            if (users.Error != null)
            {
                return IdentityDeleteCheck.Unreadable(users.Error);
            }

            if (users.Users == null)
            {
                return new PostureFinding("IdentityPolicies", PostureStatus.NotChecked,
                    "Which of the module's users may delete is not checked without an IAM client.",
                    "Check a user with Get-BackupUser -UserName <name> -BucketName " + bucketName + ".");
            }

            // An unreadable bucket policy is reported by its own findings; the users are then decided without it.
            return IdentityDeleteCheck.Decide(users.Users, bucketName, policy.Error == null ? policy.Value : null, report.Versioning == S3VersioningState.Enabled, Partition);
        }

        private sealed class Outcome<T>
        {
            public T Value { get; set; } = default!;
            public S3ServiceException? Error { get; set; }
        }

        private static async Task<Outcome<T>> Read<T>(Func<CancellationToken, Task<T>> read, CancellationToken cancellationToken)
        {
            try
            {
                return new Outcome<T> { Value = await read(cancellationToken).ConfigureAwait(false) };
            }
            catch (S3ServiceException ex)
            {
                return new Outcome<T> { Error = ex };
            }
        }

        private static PostureFinding Unreadable(string area, S3ServiceException ex, string permission) =>
            new PostureFinding(area, PostureStatus.Unknown, $"Not readable: {ex.Operation} answered HTTP {ex.HttpStatus} {ex.AwsErrorCode}.",
                ex.HttpStatus == 403 ? $"Run with credentials that have {permission}." : "The store may not support this setting; check it with the store's own tools.");

        private static void CheckVersioning(BucketPostureReport report, Outcome<S3VersioningInfo> r)
        {
            if (r.Error != null)
            {
                report.Findings.Add(Unreadable("Versioning", r.Error, "s3:GetBucketVersioning"));
                report.Findings.Add(Unreadable("MfaDelete", r.Error, "s3:GetBucketVersioning"));
                return;
            }

            report.Versioning = r.Value.State;
            report.MfaDelete = r.Value.MfaDelete;
            report.Findings.Add(r.Value.State == S3VersioningState.Enabled
                ? new PostureFinding("Versioning", PostureStatus.Pass, "Versioning is Enabled: an overwrite or delete keeps the old version.", "")
                : new PostureFinding("Versioning", PostureStatus.Fail, $"Versioning is {r.Value.State}: an overwrite or delete destroys the backup.", $"Enable-BackupVersioning -BucketName {report.BucketName}"));
            report.Findings.Add(r.Value.MfaDelete
                ? new PostureFinding("MfaDelete", PostureStatus.Pass, "MFA delete is Enabled: deleting a version or suspending versioning needs the root user's MFA code.", "")
                : new PostureFinding("MfaDelete", PostureStatus.Warn, "MFA delete is off: any principal allowed s3:DeleteObjectVersion can delete old versions.",
                    "Use Object Lock (New-BackupBucket -ObjectLockMode) or a bucket policy delete protection (Set-BackupBucketProtection -BreakGlassPrincipalArn); MFA delete can only be turned on by the root user with the AWS CLI."));
        }

        private static void CheckObjectLock(BucketPostureReport report, Outcome<S3ObjectLockConfiguration?> r)
        {
            if (r.Error != null)
            {
                report.Findings.Add(Unreadable("ObjectLock", r.Error, "s3:GetBucketObjectLockConfiguration"));
                return;
            }

            S3ObjectLockConfiguration? c = r.Value;
            if (c == null)
            {
                report.Findings.Add(new PostureFinding("ObjectLock", PostureStatus.Warn, "Object Lock is off: the bucket owner or an admin key can delete every version.",
                    $"New-BackupBucket -BucketName {report.BucketName} -ObjectLockMode Governance -ObjectLockRetentionDays 30 (on stores that allow it for an existing bucket; else a new bucket)"));
                return;
            }

            report.ObjectLockEnabled = true;
            report.ObjectLockMode = c.Mode;
            report.ObjectLockRetentionDays = c.Days;
            report.ObjectLockRetentionYears = c.Years;
            string retention = c.Days != null ? c.Days + " day(s)" : c.Years + " year(s)";
            if (c.Mode == null)
            {
                report.Findings.Add(new PostureFinding("ObjectLock", PostureStatus.Warn, "Object Lock is on but has no default retention: only objects uploaded with a retention are locked.",
                    $"New-BackupBucket -BucketName {report.BucketName} -ObjectLockMode Governance -ObjectLockRetentionDays 30"));
            }
            else if (c.Mode == "COMPLIANCE")
            {
                report.Findings.Add(new PostureFinding("ObjectLock", PostureStatus.Pass, $"Object Lock COMPLIANCE, {retention}: nobody can delete a version before its retention ends.", ""));
            }
            else
            {
                report.Findings.Add(new PostureFinding("ObjectLock", PostureStatus.Pass, $"Object Lock GOVERNANCE, {retention}: only principals with s3:BypassGovernanceRetention can delete a version early.",
                    "Deny s3:BypassGovernanceRetention to all but a break-glass role, or move to COMPLIANCE once the retention is right."));
            }
        }

        private static void CheckLifecycle(BucketPostureReport report, Outcome<IReadOnlyList<S3LifecycleRule>?> r)
        {
            if (r.Error != null)
            {
                report.Findings.Add(Unreadable("NoncurrentVersionRetention", r.Error, "s3:GetLifecycleConfiguration"));
                report.Findings.Add(Unreadable("AbortIncompleteUploads", r.Error, "s3:GetLifecycleConfiguration"));
                return;
            }

            var rules = (r.Value ?? new S3LifecycleRule[0]).Where(x => string.Equals(x.Status, "Enabled", StringComparison.OrdinalIgnoreCase)).ToList();
            var noncurrent = rules.Where(x => x.NoncurrentVersionExpirationDays != null).ToList();
            if (noncurrent.Count == 0)
            {
                report.Findings.Add(new PostureFinding("NoncurrentVersionRetention", PostureStatus.Warn, "No rule expires noncurrent versions: old versions are kept (and paid for) forever.",
                    $"Set-BackupLifecycle -BucketName {report.BucketName} -NoncurrentVersionExpirationDays 30"));
            }
            else
            {
                int shortest = noncurrent.Min(x => x.NoncurrentVersionExpirationDays!.Value);
                report.Findings.Add(shortest < 7
                    ? new PostureFinding("NoncurrentVersionRetention", PostureStatus.Warn, $"Noncurrent versions expire after {shortest} day(s): an attack noticed later than that leaves nothing to restore.",
                        $"Set-BackupLifecycle -BucketName {report.BucketName} -NoncurrentVersionExpirationDays 30")
                    : new PostureFinding("NoncurrentVersionRetention", PostureStatus.Pass, $"Noncurrent versions are kept {shortest} day(s).", ""));
            }

            var wholeBucketExpiry = rules.Where(x => x.ExpirationDays != null && string.IsNullOrEmpty(x.Prefix)).ToList();
            if (wholeBucketExpiry.Count > 0)
            {
                report.Findings.Add(new PostureFinding("CurrentVersionExpiration", PostureStatus.Warn,
                    $"Rule '{wholeBucketExpiry[0].Id}' expires every current object after {wholeBucketExpiry[0].ExpirationDays} day(s).", "Limit it to a prefix, or remove it."));
            }

            report.Findings.Add(rules.Any(x => x.AbortIncompleteMultipartUploadDays != null)
                ? new PostureFinding("AbortIncompleteUploads", PostureStatus.Pass, "Incomplete multipart uploads are aborted.", "")
                : new PostureFinding("AbortIncompleteUploads", PostureStatus.Warn, "No rule aborts incomplete multipart uploads: their parts are stored (and paid for) until removed.",
                    $"Set-BackupLifecycle -BucketName {report.BucketName} -NoncurrentVersionExpirationDays 30 -AbortIncompleteMultipartUploadDays 7"));
        }

        private static void CheckPublicAccess(BucketPostureReport report, Outcome<S3PublicAccessBlock?> r)
        {
            if (r.Error != null)
            {
                report.Findings.Add(Unreadable("PublicAccessBlock", r.Error, "s3:GetBucketPublicAccessBlock"));
                return;
            }

            S3PublicAccessBlock? p = r.Value;
            if (p != null && p.BlockPublicAcls && p.IgnorePublicAcls && p.BlockPublicPolicy && p.RestrictPublicBuckets)
            {
                report.Findings.Add(new PostureFinding("PublicAccessBlock", PostureStatus.Pass, "All four Block Public Access settings are on.", ""));
            }
            else if (p != null && p.StoreRootElement != null && p.IgnorePublicAcls && p.RestrictPublicBuckets)
            {
                report.Findings.Add(new PostureFinding("PublicAccessBlock", PostureStatus.Pass,
                    "IgnorePublicAcls and RestrictPublicBuckets are on (the most this store takes: on Ceph RGW BlockPublicAcls rejects every upload).", ""));
            }
            else
            {
                report.Findings.Add(new PostureFinding("PublicAccessBlock", PostureStatus.Fail,
                    p == null ? "Block Public Access is not set on the bucket." : "Block Public Access is only partly on.", $"New-BackupBucket -BucketName {report.BucketName}"));
            }
        }

        private static void CheckOwnership(BucketPostureReport report, Outcome<string?> r)
        {
            if (r.Error != null)
            {
                report.Findings.Add(Unreadable("ObjectOwnership", r.Error, "s3:GetBucketOwnershipControls"));
                return;
            }

            report.Findings.Add(string.Equals(r.Value, "BucketOwnerEnforced", StringComparison.Ordinal)
                ? new PostureFinding("ObjectOwnership", PostureStatus.Pass, "BucketOwnerEnforced: ACLs are off and the bucket owner owns every object.", "")
                : new PostureFinding("ObjectOwnership", PostureStatus.Warn, $"Object ownership is {r.Value ?? "not set"}: writers own their uploads and can set ACLs on them.",
                    $"New-BackupBucket -BucketName {report.BucketName} (on Ceph RGW 16, which lacks it: the hardened presets' Deny statements instead)"));
        }

        private static void CheckEncryption(BucketPostureReport report, Outcome<S3BucketEncryption?> r)
        {
            if (r.Error != null)
            {
                report.Findings.Add(Unreadable("DefaultEncryption", r.Error, "s3:GetEncryptionConfiguration"));
                return;
            }

            report.Findings.Add(r.Value != null
                ? new PostureFinding("DefaultEncryption", PostureStatus.Pass, $"Default encryption {r.Value.Algorithm}" + (r.Value.KmsKeyId != null ? " with key " + r.Value.KmsKeyId : "") + ".", "")
                : new PostureFinding("DefaultEncryption", PostureStatus.Warn, "No default encryption.", $"New-BackupBucket -BucketName {report.BucketName}"));
        }

        private static void CheckPolicy(BucketPostureReport report, string bucket, Outcome<string?> r)
        {
            string[] areas = { "PolicyDeniesDelete", "PolicyDeniesOverwrite", "PolicyDeniesChanges", "TlsOnly" };
            if (r.Error != null)
            {
                foreach (string area in areas)
                {
                    report.Findings.Add(Unreadable(area, r.Error, "s3:GetBucketPolicy"));
                }

                return;
            }

            PolicyDocument? doc = null;
            if (r.Value != null)
            {
                try
                {
                    doc = PolicyJson.Parse(r.Value);
                }
                catch (BackupIamException ex)
                {
                    foreach (string area in areas)
                    {
                        report.Findings.Add(new PostureFinding(area, PostureStatus.Unknown, "The bucket policy could not be read as a policy: " + ex.Message, "Fix the bucket policy."));
                    }

                    return;
                }
            }

            var probe = new PolicyProbe(doc, bucket);
            string objectArn = S3Names.ObjectArn(bucket, "backup/posture-probe", "aws");
            string bucketArn = S3Names.BucketArn(bucket, "aws");

            string? deleteWho = probe.DeniedTo(new[] { "s3:DeleteObjectVersion" }, objectArn, null);
            report.PolicyDeniesDelete = deleteWho != null && deleteWho.StartsWith("every", StringComparison.Ordinal);
            report.Findings.Add(deleteWho != null
                ? new PostureFinding("PolicyDeniesDelete", report.PolicyDeniesDelete ? PostureStatus.Pass : PostureStatus.Warn, "The bucket policy denies s3:DeleteObjectVersion to " + deleteWho + ".",
                    report.PolicyDeniesDelete ? "" : $"Set-BackupBucketProtection -BucketName {bucket} -BreakGlassPrincipalArn <break-glass role ARN>")
                : new PostureFinding("PolicyDeniesDelete", PostureStatus.Warn, "The bucket policy does not deny deleting object versions: any key or admin allowed to do so can.",
                    $"Set-BackupBucketProtection -BucketName {bucket} -BreakGlassPrincipalArn <break-glass role ARN>"));

            string? overwriteWho = probe.DeniedTo(new[] { "s3:PutObject" }, objectArn, null);
            string? safeWho = probe.DeniedTo(new[] { "s3:PutObject" }, objectArn, "*");
            report.PolicyDeniesOverwrite = overwriteWho != null && safeWho == null;
            report.Findings.Add(report.PolicyDeniesOverwrite
                ? new PostureFinding("PolicyDeniesOverwrite", PostureStatus.Pass, "The bucket policy denies uploads without If-None-Match (overwrites) to " + overwriteWho + ".", "")
                : new PostureFinding("PolicyDeniesOverwrite", report.Versioning == S3VersioningState.Enabled ? PostureStatus.Pass : PostureStatus.Warn,
                    "The bucket policy does not deny overwrites" + (report.Versioning == S3VersioningState.Enabled ? "; versioning keeps the overwritten version." : ", and versioning is off."),
                    report.Versioning == S3VersioningState.Enabled ? "" : $"Enable-BackupVersioning -BucketName {bucket}, or build the writers' policy with -DenyOverwrite (New-BackupPolicy, New-WriteOnlyBucketPolicy)"));

            string[] changes = { "s3:PutBucketPolicy", "s3:PutBucketVersioning", "s3:PutLifecycleConfiguration" };
            var changeWho = changes.Select(a => probe.DeniedTo(new[] { a }, bucketArn, null)).ToList();
            report.PolicyDeniesChanges = changeWho.All(w => w != null && w.StartsWith("every", StringComparison.Ordinal));
            string notDenied = string.Join(", ", changes.Where((a, i) => changeWho[i] == null));
            report.Findings.Add(report.PolicyDeniesChanges
                ? new PostureFinding("PolicyDeniesChanges", PostureStatus.Pass, "The bucket policy denies changing the policy, versioning and lifecycle to " + changeWho[0] + ".", "")
                : new PostureFinding("PolicyDeniesChanges", PostureStatus.Warn,
                    notDenied.Length > 0 ? "The bucket policy does not deny " + notDenied + " to every principal: whoever may change them can undo the protections." : "The bucket policy denies changes to some principals only: " + string.Join("; ", changeWho) + ".",
                    $"Set-BackupBucketProtection -BucketName {bucket} -BreakGlassPrincipalArn <break-glass role ARN>"));

            bool tlsFalse = probe.IsDeniedToEveryone("s3:GetObject", objectArn, new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase) { ["aws:SecureTransport"] = new[] { "false" } });
            bool tlsAbsent = probe.IsDeniedToEveryone("s3:GetObject", objectArn, new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase));
            report.Findings.Add(tlsFalse
                ? new PostureFinding("TlsOnly", PostureStatus.Pass, tlsAbsent ? "Requests without TLS are denied, also where the store sets no aws:SecureTransport." : "Requests without TLS are denied (aws:SecureTransport false).",
                    tlsAbsent ? "" : "Where the store sets no aws:SecureTransport (Ceph RGW 16 over http) this Deny never matches; Set-BackupBucketProtection -RequireTls adds the Null form.")
                : new PostureFinding("TlsOnly", PostureStatus.Warn, "The bucket policy does not deny requests without TLS.", $"Set-BackupBucketProtection -BucketName {bucket} -RequireTls"));
        }

        private static void Grade(BucketPostureReport report, Outcome<S3PublicAccessBlock?> publicAccess)
        {
            PostureFinding pab = report.Findings.First(f => f.Area == "PublicAccessBlock");
            if (report.Versioning != S3VersioningState.Enabled && !report.ObjectLockEnabled)
            {
                report.Grade = PostureGrade.Exposed;
                report.Reason = $"Versioning is {report.Versioning}: a key that may write or delete can destroy the backups for good.";
            }
            else if (pab.Status == PostureStatus.Fail)
            {
                report.Grade = PostureGrade.Exposed;
                report.Reason = "Block Public Access is not fully on: a public ACL or policy could expose the backups.";
            }
            else if (report.ObjectLockMode == "COMPLIANCE")
            {
                report.Grade = PostureGrade.Immutable;
                report.Reason = "Object Lock COMPLIANCE with a default retention: nobody, the root user included, can delete a version before its retention ends.";
            }
            else if (report.ObjectLockMode == "GOVERNANCE" || report.MfaDelete || (report.PolicyDeniesDelete && report.PolicyDeniesChanges))
            {
                report.Grade = PostureGrade.Resistant;
                report.Reason = "Versioning is on and deleting versions needs more than a key: " +
                    (report.ObjectLockMode == "GOVERNANCE" ? "Object Lock GOVERNANCE (a principal with s3:BypassGovernanceRetention can still delete)" :
                     report.MfaDelete ? "MFA delete" : "the bucket policy denies deleting versions and changing the protections to all but named principals") + ".";
            }
            else
            {
                report.Grade = PostureGrade.Basic;
                report.Reason = "Versioning keeps old versions, but any key or admin allowed s3:DeleteObjectVersion (or to suspend versioning or change the policy) can remove them: add Object Lock or a delete protection.";
            }
        }

        /// <summary>Simulates requests of a key that may do anything in S3 against the bucket policy's Deny statements.</summary>
        private sealed class PolicyProbe
        {
            private static readonly string[] ExceptionKeys = { "aws:PrincipalArn", "aws:userid", "aws:username", "aws:SourceArn" };
            private readonly PolicyEvaluator _evaluator = new PolicyEvaluator();
            private readonly NamedPolicy? _bucketPolicy;
            private readonly NamedPolicy[] _admin;
            private readonly PolicyDocument? _doc;

            public PolicyProbe(PolicyDocument? doc, string bucket)
            {
                _doc = doc;
                _bucketPolicy = doc == null ? null : new NamedPolicy("BucketPolicy", doc, isResourcePolicy: true);
                var admin = new PolicyDocument();
                var st = new PolicyStatement { Effect = PolicyEffect.Allow };
                st.Actions.Add("s3:*");
                st.Resources.Add("*");
                admin.Statements.Add(st);
                _admin = new[] { new NamedPolicy("AdminKey", admin) };
            }

            private Decision Decide(string action, string resource, PrincipalInfo who, IDictionary<string, IReadOnlyList<string>> context) =>
                _evaluator.Evaluate(_admin, _bucketPolicy, new EvaluationRequest(action, resource, who, context)).Decision;

            public bool IsDeniedToEveryone(string action, string resource, IDictionary<string, IReadOnlyList<string>> context) =>
                _bucketPolicy != null && Decide(action, resource, PrincipalInfo.ForUser(ProbeAccount, "posture-probe"), context) == Decision.ExplicitDeny;

            /// <summary>
            /// To whom the bucket policy denies the action: "every principal" (with the exceptions its conditions name),
            /// the principals it names, or null when it denies it to no one. With <paramref name="ifNoneMatch"/> the
            /// request carries If-None-Match.
            /// </summary>
            public string? DeniedTo(string[] actions, string resource, string? ifNoneMatch)
            {
                if (_bucketPolicy == null || _doc == null)
                {
                    return null;
                }

                var context = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase) { ["aws:SecureTransport"] = new[] { "true" } };
                if (ifNoneMatch != null)
                {
                    context["s3:if-none-match"] = new[] { ifNoneMatch };
                }

                string action = actions[0];
                if (Decide(action, resource, PrincipalInfo.ForUser(ProbeAccount, "posture-probe"), context) == Decision.ExplicitDeny)
                {
                    var exceptions = _doc.Statements.Where(s => s.Effect == PolicyEffect.Deny)
                        .SelectMany(s => s.Conditions)
                        .Where(c => c.Operator.IndexOf("Not", StringComparison.Ordinal) >= 0 && ExceptionKeys.Any(k => string.Equals(k, c.Key, StringComparison.OrdinalIgnoreCase)))
                        .SelectMany(c => c.Values).Distinct().ToList();
                    return "every principal" + (exceptions.Count > 0 ? " except " + string.Join(", ", exceptions) : "");
                }

                var named = new List<string>();
                foreach (PolicyStatement st in _doc.Statements.Where(s => s.Effect == PolicyEffect.Deny && s.Principal != null))
                {
                    if (!st.Principal!.Values.TryGetValue("AWS", out List<string>? arns))
                    {
                        continue;
                    }

                    foreach (string arn in arns)
                    {
                        PrincipalInfo who;
                        try
                        {
                            who = PrincipalInfo.FromArn(arn);
                        }
                        catch (BackupIamException)
                        {
                            continue;
                        }

                        if (!named.Contains(arn) && Decide(action, resource, who, context) == Decision.ExplicitDeny)
                        {
                            named.Add(arn);
                        }
                    }
                }

                return named.Count == 0 ? null : string.Join(", ", named);
            }
        }
    }
}
