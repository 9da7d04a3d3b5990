using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using BackupIam.Engine.Aws;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Json;

namespace BackupIam.Engine.Provisioning
{
    /// <summary>A bucket's backup setup as read (Get-BackupBucket), with what the module added marked.</summary>
    public sealed class BucketSetupInfo
    {
        public string BucketName { get; internal set; } = "";

        /// <summary>The bucket's real region (GetBucketLocation), or null when it could not be read.</summary>
        public string? Region { get; internal set; }

        public IReadOnlyDictionary<string, string> Tags { get; internal set; } = new Dictionary<string, string>();

        /// <summary>Tagged <c>backupiam:managed=true</c>.</summary>
        public bool Managed { get; internal set; }

        /// <summary><c>Off</c>, <c>Enabled</c> or <c>Suspended</c>; null when it could not be read.</summary>
        public string? Versioning { get; internal set; }

        public bool MfaDelete { get; internal set; }

        /// <summary>The tag records that the module turned versioning on.</summary>
        /// <summary>The tag records that the module turned versioning on, and versioning is not Off (or could not be read).</summary>
        public bool VersioningEnabledByModule { get; internal set; }

        /// <summary>The Object Lock configuration, or null when Object Lock is off (or could not be read).</summary>
        public S3ObjectLockConfiguration? ObjectLock { get; internal set; }

        public IReadOnlyList<BucketLifecycleRuleInfo> LifecycleRules { get; internal set; } = new BucketLifecycleRuleInfo[0];

        public IReadOnlyList<BucketStatementInfo> PolicyStatements { get; internal set; } = new BucketStatementInfo[0];

        /// <summary>The bucket policy as stored, or null when there is none.</summary>
        public string? PolicyDocument { get; internal set; }

        /// <summary>Keys ending in <c>/</c> among the bucket's first 1000 keys.</summary>
        public IReadOnlyList<string> FolderPlaceholders { get; internal set; } = new string[0];

        /// <summary>True when the bucket has more than 1000 keys (placeholders after them are not listed).</summary>
        public bool FolderListingTruncated { get; internal set; }

        /// <summary>Settings that could not be read, each with the store's answer.</summary>
        public IReadOnlyList<string> Unreadable { get; internal set; } = new string[0];
    }

    /// <summary>One lifecycle rule of a bucket.</summary>
    public sealed class BucketLifecycleRuleInfo
    {
        public string Id { get; internal set; } = "";

        public string Prefix { get; internal set; } = "";

        public string Status { get; internal set; } = "";

        /// <summary>A readable summary of the rule's actions.</summary>
        public string Summary { get; internal set; } = "";

        public bool AddedByModule { get; internal set; }
    }

    /// <summary>One statement of a bucket policy.</summary>
    public sealed class BucketStatementInfo
    {
        /// <summary>The Sid, or null.</summary>
        public string? Sid { get; internal set; }

        public string Effect { get; internal set; } = "";

        public IReadOnlyList<string> Actions { get; internal set; } = new string[0];

        /// <summary>Principals as <c>TYPE:value</c> or <c>*</c>; NotPrincipal values start with <c>NotPrincipal </c>.</summary>
        public IReadOnlyList<string> Principals { get; internal set; } = new string[0];

        public bool AddedByModule { get; internal set; }

        /// <summary>The statement as stored (compact JSON).</summary>
        public string Json { get; internal set; } = "";
    }

    /// <summary>Reads a bucket's setup; every read is sent at once.</summary>
    public static class BucketSetupReader
    {
        /// <summary>Reads one bucket. A bucket that does not exist throws <see cref="S3ServiceException"/> (S3NoSuchBucket);
        /// a setting the store or the credentials refuse to show is listed in <see cref="BucketSetupInfo.Unreadable"/>.</summary>
        public static async Task<BucketSetupInfo> ReadAsync(IS3Gateway s3, string bucketName, CancellationToken cancellationToken)
        {
            if (s3 == null)
            {
                throw new ArgumentNullException(nameof(s3));
            }

            Naming.S3Names.ValidateBucketName(bucketName, "BucketName");
            Task<string> location = s3.GetBucketLocationAsync(bucketName, cancellationToken);
            Task<IReadOnlyDictionary<string, string>> tags = s3.GetBucketTaggingAsync(bucketName, cancellationToken);
            Task<S3VersioningInfo> versioning = s3.GetBucketVersioningInfoAsync(bucketName, cancellationToken);
            Task<S3ObjectLockConfiguration?> objectLock = s3.GetObjectLockConfigurationAsync(bucketName, cancellationToken);
            Task<IReadOnlyList<S3LifecycleRule>?> lifecycle = s3.GetBucketLifecycleConfigurationAsync(bucketName, cancellationToken);
            Task<string?> policy = s3.GetBucketPolicyAsync(bucketName, cancellationToken);
            Task<S3KeyPage> keys = s3.ListObjectKeysPageAsync(bucketName, null, 1000, cancellationToken);
            try
            {
                await Task.WhenAll(location, tags, versioning, objectLock, lifecycle, policy, keys).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Each read is looked at below.
            }

            var unreadable = new List<string>();
            var info = new BucketSetupInfo { BucketName = bucketName };
            info.Region = Take(location, "region (GetBucketLocation)", unreadable);
            info.Tags = Take(tags, "tags (GetBucketTagging)", unreadable) ?? new Dictionary<string, string>();
            info.Managed = BucketTags.IsManaged(info.Tags);
            S3VersioningInfo? v = Take(versioning, "versioning (GetBucketVersioning)", unreadable);
            info.Versioning = v?.State.ToString();
            info.MfaDelete = v?.MfaDelete == true;
            // The record with versioning still Off (the pipeline stopped between the record and PutBucketVersioning):
            // the module has not turned it on, whatever the tag says (teardown suspends only Enabled versioning too).
            info.VersioningEnabledByModule = BucketTags.VersioningEnabledByUs(info.Tags) && info.Versioning != nameof(S3VersioningState.Off);
            info.ObjectLock = Take(objectLock, "Object Lock (GetObjectLockConfiguration)", unreadable);
            IReadOnlyCollection<string> moduleRules = BucketSetup.ModuleRuleIds(info.Tags);
            info.LifecycleRules = (Take(lifecycle, "lifecycle rules (GetBucketLifecycleConfiguration)", unreadable) ?? new S3LifecycleRule[0])
                .Select(r => new BucketLifecycleRuleInfo
                {
                    Id = r.Id,
                    Prefix = r.Prefix,
                    Status = r.Status,
                    Summary = BucketPlanner.Describe(r) + (r.HasUnmodelledSettings ? ", and other settings" : ""),
                    AddedByModule = moduleRules.Contains(r.Id),
                }).ToList();
            info.PolicyDocument = Take(policy, "bucket policy (GetBucketPolicy)", unreadable);
            if (info.PolicyDocument != null)
            {
                try
                {
                    info.PolicyStatements = Describe(JsonReader.Parse(info.PolicyDocument));
                }
                catch (BackupIamException ex)
                {
                    unreadable.Add("bucket policy: not readable JSON (" + ex.Message + ")");
                }
            }

            S3KeyPage? page = Take(keys, "folder placeholders (ListObjectsV2)", unreadable);
            if (page != null)
            {
                info.FolderPlaceholders = page.Keys.Where(k => k.EndsWith("/", StringComparison.Ordinal)).ToList();
                info.FolderListingTruncated = page.Truncated;
            }

            info.Unreadable = unreadable;
            return info;
        }

        /// <summary>The statements of a bucket policy, the module's marked.</summary>
        public static IReadOnlyList<BucketStatementInfo> Describe(JsonNode policy) =>
            BucketSetup.Statements(policy).Select(st => new BucketStatementInfo
            {
                Sid = BucketSetup.SidOf(st),
                Effect = (st["Effect"] as JsonString)?.Value ?? "",
                Actions = BucketSetup.Strings(st["Action"]).Concat(BucketSetup.Strings(st["NotAction"]).Select(a => "NotAction " + a)).ToList(),
                Principals = BucketSetup.PrincipalsOf(st).Concat(BucketSetup.PrincipalsOf(st, "NotPrincipal").Select(p => "NotPrincipal " + p)).ToList(),
                AddedByModule = BucketSetup.IsModuleSid(BucketSetup.SidOf(st)),
                Json = JsonWriter.Write(st, indented: false),
            }).ToList();

        private static T? Take<T>(Task<T> read, string what, List<string> unreadable)
        {
            if (read.Status == TaskStatus.RanToCompletion)
            {
                return read.Result;
            }

            Exception? ex = read.Exception?.GetBaseException();
            if (read.IsCanceled || ex is OperationCanceledException)
            {
                throw new OperationCanceledException("The read of the bucket's " + what + " was cancelled.", ex);
            }

            if (ex is S3ServiceException s3 && s3.AwsErrorCode == "NoSuchBucket")
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(s3).Throw();
            }

            if (ex is S3ServiceException answer)
            {
                unreadable.Add($"{what}: HTTP {answer.HttpStatus} {answer.AwsErrorCode}");
                return default;
            }

            if (ex is BackupIamException other)
            {
                unreadable.Add($"{what}: {other.Message}");
                return default;
            }

            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex!).Throw();
            return default;
        }
    }
}
