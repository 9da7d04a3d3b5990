using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace BackupIam.Engine.Aws
{
    /// <summary>
    /// The S3 bucket operations the engine uses, with the engine's own small types. Missing configurations come back as
    /// null; other failures as <see cref="S3ServiceException"/>.
    /// </summary>
    public interface IS3Gateway : IDisposable
    {
        /// <summary>
        /// The account id that must own the bucket, or null when it is not known: once set, every request whose S3 API
        /// takes it (not CreateBucket, not ListBuckets) sends it as x-amz-expected-bucket-owner, and a refusal that the
        /// header caused is reported as <c>S3BucketOwnerMismatch</c> (issue 17).
        /// </summary>
        string? ExpectedBucketOwner { get; set; }

        /// <summary>HeadBucket: true when the bucket exists (also when it lives in another region), false on 404.</summary>
        Task<bool> BucketExistsAsync(string bucketName, CancellationToken cancellationToken);

        /// <summary>
        /// HeadBucket, with the region the store named in its answer (x-amz-bucket-region: AWS, moto), or null when it
        /// named none (Ceph RGW 16) or the bucket is missing or in another region (301).
        /// </summary>
        Task<S3BucketHead> HeadBucketAsync(string bucketName, CancellationToken cancellationToken);

        /// <summary>
        /// True once a HeadBucket through this gateway's endpoint named the bucket's region in this process (issue 16): a
        /// planner then sends no GetBucketLocation alongside it.
        /// </summary>
        bool HeadBucketNamesRegion { get; }

        /// <summary>
        /// Marks the reads started until the scope ends as sent ahead of <paramref name="existence"/>, the bucket's
        /// existence check (issue 16): a read refused with 403 is explained (owner mismatch or access denied, with the
        /// HeadBucket requests that takes) only once that check has found the bucket; otherwise the answer is for a bucket
        /// that is missing or not readable, which the caller drops unread, so nothing more is sent for it.
        /// </summary>
        IDisposable ReadAheadOf(Task<bool> existence);

        /// <summary>Creates a bucket in the session's region (LocationConstraint omitted for us-east-1 only).</summary>
        Task CreateBucketAsync(string bucketName, CancellationToken cancellationToken);

        /// <summary>The bucket's region as a system name (<c>us-east-1</c> for an empty LocationConstraint).</summary>
        Task<string> GetBucketLocationAsync(string bucketName, CancellationToken cancellationToken);

        /// <summary>Puts an object; null or empty content makes an empty object (a folder placeholder such as <c>backup/</c>).</summary>
        Task PutObjectAsync(string bucketName, string key, string? content, CancellationToken cancellationToken);

        /// <summary>True when the key exists (HEAD object).</summary>
        Task<bool> ObjectExistsAsync(string bucketName, string key, CancellationToken cancellationToken);

        /// <summary>Every key under a prefix (follows continuation tokens).</summary>
        Task<IReadOnlyList<string>> ListObjectKeysAsync(string bucketName, string? prefix, CancellationToken cancellationToken);

        /// <summary>Deletes an object (no error when it is absent).</summary>
        Task DeleteObjectAsync(string bucketName, string key, CancellationToken cancellationToken);

        /// <summary>Deletes an empty bucket.</summary>
        Task DeleteBucketAsync(string bucketName, CancellationToken cancellationToken);

        /// <summary>The bucket policy JSON, or null when the bucket has none.</summary>
        Task<string?> GetBucketPolicyAsync(string bucketName, CancellationToken cancellationToken);

        /// <summary>Replaces the bucket policy.</summary>
        Task PutBucketPolicyAsync(string bucketName, string policyJson, CancellationToken cancellationToken);

        /// <summary>Removes the bucket policy (no error when there is none).</summary>
        Task DeleteBucketPolicyAsync(string bucketName, CancellationToken cancellationToken);

        /// <summary>Block Public Access settings, or null when none are set on the bucket.</summary>
        Task<S3PublicAccessBlock?> GetPublicAccessBlockAsync(string bucketName, CancellationToken cancellationToken);

        /// <summary>Sets Block Public Access settings.</summary>
        Task PutPublicAccessBlockAsync(string bucketName, S3PublicAccessBlock settings, CancellationToken cancellationToken);

        /// <summary>Object ownership (<c>BucketOwnerEnforced</c>, <c>BucketOwnerPreferred</c>, <c>ObjectWriter</c>), or null when not set.</summary>
        Task<string?> GetBucketOwnershipControlsAsync(string bucketName, CancellationToken cancellationToken);

        /// <summary>Sets object ownership.</summary>
        Task PutBucketOwnershipControlsAsync(string bucketName, string objectOwnership, CancellationToken cancellationToken);

        /// <summary>Default encryption, or null when none is configured.</summary>
        Task<S3BucketEncryption?> GetBucketEncryptionAsync(string bucketName, CancellationToken cancellationToken);

        /// <summary>Sets SSE-S3 (AES256) default encryption.</summary>
        Task PutBucketEncryptionAsync(string bucketName, CancellationToken cancellationToken);

        /// <summary>Versioning state.</summary>
        Task<S3VersioningState> GetBucketVersioningAsync(string bucketName, CancellationToken cancellationToken);

        /// <summary>Enables or suspends versioning.</summary>
        Task PutBucketVersioningAsync(string bucketName, bool enabled, CancellationToken cancellationToken);

        /// <summary>Lifecycle rules, or null when the bucket has no lifecycle configuration.</summary>
        Task<IReadOnlyList<S3LifecycleRule>?> GetBucketLifecycleConfigurationAsync(string bucketName, CancellationToken cancellationToken);

        /// <summary>Replaces the lifecycle configuration with these rules.</summary>
        Task PutBucketLifecycleConfigurationAsync(string bucketName, IEnumerable<S3LifecycleRule> rules, CancellationToken cancellationToken);

        /// <summary>Creates a bucket with S3 Object Lock enabled (which also turns versioning on); otherwise as <see cref="CreateBucketAsync"/>.</summary>
        Task CreateBucketWithObjectLockAsync(string bucketName, CancellationToken cancellationToken);

        /// <summary>The bucket's Object Lock configuration, or null when Object Lock is not enabled on it.</summary>
        Task<S3ObjectLockConfiguration?> GetObjectLockConfigurationAsync(string bucketName, CancellationToken cancellationToken);

        /// <summary>Sets ObjectLockEnabled=Enabled and the default retention (none when <paramref name="mode"/> is null).</summary>
        Task PutObjectLockConfigurationAsync(string bucketName, string? mode, int? days, int? years, CancellationToken cancellationToken);

        /// <summary>Versioning state and whether MFA delete is enabled (GetBucketVersioning).</summary>
        Task<S3VersioningInfo> GetBucketVersioningInfoAsync(string bucketName, CancellationToken cancellationToken);
        /// <summary>
        /// ListBuckets: every bucket the caller owns (all regions on AWS), following continuation tokens when the store
        /// pages. Ordered as the store answers (by name on AWS).
        /// </summary>
        Task<IReadOnlyList<S3BucketEntry>> ListBucketsAsync(CancellationToken cancellationToken);

        /// <summary>
        /// GetBucketTagging: the bucket's tags (key to value, ordinal keys). A bucket with no tag set (AWS and Ceph RGW
        /// answer 404 <c>NoSuchTagSet</c>) gives an empty dictionary, never an error.
        /// </summary>
        Task<IReadOnlyDictionary<string, string>> GetBucketTaggingAsync(string bucketName, CancellationToken cancellationToken);

        /// <summary>
        /// PutBucketTagging: REPLACES the bucket's whole tag set with <paramref name="tags"/> (S3 has no per-tag call).
        /// Callers that add or remove the module's own tags use <see cref="BackupIam.Engine.Provisioning.BucketTags.Merge"/>
        /// on what <see cref="GetBucketTaggingAsync"/> read, so others' tags are written back unchanged; an empty set is
        /// sent as DeleteBucketTagging (S3 refuses an empty TagSet).
        /// </summary>
        Task PutBucketTaggingAsync(string bucketName, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken);

        /// <summary>DeleteBucketTagging: removes every tag of the bucket (no error when it has none).</summary>
        Task DeleteBucketTaggingAsync(string bucketName, CancellationToken cancellationToken);
        /// <summary>DeleteBucketLifecycle: removes the whole lifecycle configuration (no error when there is none).</summary>
        Task DeleteBucketLifecycleConfigurationAsync(string bucketName, CancellationToken cancellationToken);

        /// <summary>One ListObjectsV2 page of at most <paramref name="maxKeys"/> keys (1 to 1000), and whether more follow.</summary>
        Task<S3KeyPage> ListObjectKeysPageAsync(string bucketName, string? prefix, int maxKeys, CancellationToken cancellationToken);
    }
}
