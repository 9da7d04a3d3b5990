using System;
using System.Collections.Generic;
using BackupIam.Engine.Errors;

namespace BackupIam.Engine.Aws
{
    /// <summary>HeadBucket's answer: whether the bucket exists, and the region the store named (null when it named none).</summary>
    public sealed class S3BucketHead
    {
        public S3BucketHead(bool exists, string? region)
        {
            Exists = exists;
            Region = region;
        }

        public bool Exists { get; }

        /// <summary>The bucket's region from x-amz-bucket-region (AWS, moto); null when the answer named none (Ceph RGW 16).</summary>
        public string? Region { get; }
    }

    /// <summary>S3 Block Public Access settings of a bucket.</summary>
    public sealed class S3PublicAccessBlock
    {
        /// <summary>Reject requests that set public ACLs.</summary>
        public bool BlockPublicAcls { get; set; }

        /// <summary>Ignore public ACLs already present.</summary>
        public bool IgnorePublicAcls { get; set; }

        /// <summary>Reject bucket policies that grant public access.</summary>
        public bool BlockPublicPolicy { get; set; }

        /// <summary>Restrict access to buckets with public policies to AWS principals of the account.</summary>
        public bool RestrictPublicBuckets { get; set; }

        /// <summary>
        /// The root element of the store's answer when it was not AWS's <c>PublicAccessBlockConfiguration</c>
        /// (Ceph RGW answers <c>BlockPublicAccessBlockConfiguration</c>); null for AWS's own answer.
        /// </summary>
        public string? StoreRootElement { get; set; }

        /// <summary>All four switches on, the recommended setting for backup buckets.</summary>
        public static S3PublicAccessBlock All() => new S3PublicAccessBlock
        {
            BlockPublicAcls = true,
            IgnorePublicAcls = true,
            BlockPublicPolicy = true,
            RestrictPublicBuckets = true,
        };
    }

    /// <summary>Default encryption of a bucket.</summary>
    public sealed class S3BucketEncryption
    {
        /// <summary><c>AES256</c> (SSE-S3), <c>aws:kms</c> or <c>aws:kms:dsse</c>.</summary>
        public string Algorithm { get; set; } = "";

        /// <summary>KMS key id for SSE-KMS, otherwise null.</summary>
        public string? KmsKeyId { get; set; }

        /// <summary>Whether an S3 Bucket Key is used.</summary>
        public bool BucketKeyEnabled { get; set; }
    }

    /// <summary>Versioning state of a bucket as S3 reports it.</summary>
    public enum S3VersioningState
    {
        /// <summary>Versioning was never enabled.</summary>
        Off,

        /// <summary>Versioning is on.</summary>
        Enabled,

        /// <summary>Versioning was on and is now suspended.</summary>
        Suspended,
    }

    /// <summary>A lifecycle rule, limited to what backup buckets need.</summary>
    public sealed class S3LifecycleRule
    {
        /// <summary>Rule id (unique in the bucket).</summary>
        public string Id { get; set; } = "";

        /// <summary>Key prefix the rule applies to; empty for the whole bucket.</summary>
        public string Prefix { get; set; } = "";

        /// <summary><c>Enabled</c> or <c>Disabled</c>.</summary>
        public string Status { get; set; } = "Enabled";

        /// <summary>Expire current objects after this many days.</summary>
        public int? ExpirationDays { get; set; }

        /// <summary>Delete noncurrent versions this many days after they became noncurrent.</summary>
        public int? NoncurrentVersionExpirationDays { get; set; }

        /// <summary>Keep this many newer noncurrent versions regardless of age.</summary>
        public int? NewerNoncurrentVersions { get; set; }

        /// <summary>Abort incomplete multipart uploads after this many days.</summary>
        public int? AbortIncompleteMultipartUploadDays { get; set; }

        /// <summary>
        /// True when the rule read from S3 has settings this model does not carry (transitions, tag or size filters,
        /// date expirations, delete-marker cleanup). Such a rule is written back exactly as it was read.
        /// </summary>
        public bool HasUnmodelledSettings { get; internal set; }

        /// <summary>The SDK rule this was read from: written back unchanged, so no setting of another rule is lost.</summary>
        internal object? Original { get; set; }
    }

    /// <summary>What GetBucketVersioning answers: the state and MFA delete.</summary>
    public sealed class S3VersioningInfo
    {
        public S3VersioningState State { get; set; }

        /// <summary>True when MFA delete is Enabled.</summary>
        public bool MfaDelete { get; set; }
    }

    /// <summary>The Object Lock configuration of a bucket.</summary>
    public sealed class S3ObjectLockConfiguration
    {
        /// <summary>True when ObjectLockEnabled is <c>Enabled</c>.</summary>
        public bool Enabled { get; set; }

        /// <summary>Default retention mode (<c>GOVERNANCE</c> or <c>COMPLIANCE</c>), or null when there is no default retention.</summary>
        public string? Mode { get; set; }

        /// <summary>Default retention in days, when given in days.</summary>
        public int? Days { get; set; }

        /// <summary>Default retention in years, when given in years.</summary>
        public int? Years { get; set; }
    }

    /// <summary>One bucket of a ListBuckets answer.</summary>
    public sealed class S3BucketEntry
    {
        /// <summary>The bucket's name.</summary>
        public string BucketName { get; set; } = "";

        /// <summary>When the bucket was created, as the store reports it (null when it gives none).</summary>
        public DateTime? CreationDate { get; set; }

        /// <summary>The bucket's region when the store reports it in the listing (AWS does when asked with paging), else null.</summary>
        public string? Region { get; set; }
    }

    /// <summary>One page of a bucket listing.</summary>
    public sealed class S3KeyPage
    {
        /// <summary>The keys of the page, in the store's order.</summary>
        public IReadOnlyList<string> Keys { get; set; } = new string[0];

        /// <summary>True when the bucket has more keys than the page holds.</summary>
        public bool Truncated { get; set; }
    }

    /// <summary>
    /// S3 answered with an error. Keeps AWS's code, message and request id. ErrorIds: <c>S3NoSuchBucket</c>,
    /// <c>S3AccessDenied</c>, <c>S3BucketAlreadyOwnedByYou</c>, <c>S3BucketAlreadyExists</c>, <c>S3Throttled</c>,
    /// <c>S3AuthenticationFailed</c>, <c>S3InvalidRequest</c>, otherwise <c>S3ServiceError</c>.
    /// </summary>
    public sealed class S3ServiceException : AwsServiceException
    {
        /// <summary>Creates the exception.</summary>
        public S3ServiceException(
            string errorId, FailureKind kind, string operation, string? bucketName, string awsErrorCode, string awsMessage,
            string? requestId, int httpStatus, Exception? inner)
            : base(AwsService.S3, errorId, kind, operation, bucketName == null ? null : "bucket '" + bucketName + "'", awsErrorCode, awsMessage,
                requestId, httpStatus, null, inner)
        {
            BucketName = bucketName;
            Target = bucketName;
        }

        /// <summary>The bucket involved.</summary>
        public string? BucketName { get; }

        /// <summary>Classifies an S3 error answer and creates the exception.</summary>
        public static S3ServiceException Create(
            string operation, string? bucketName, string awsErrorCode, string awsMessage, string? requestId, int httpStatus, Exception? inner)
        {
            AwsErrorClass c = AwsErrorClassifier.Classify(AwsService.S3, operation, awsErrorCode, httpStatus);
            return new S3ServiceException(c.ErrorId, c.Kind, operation, bucketName, awsErrorCode, awsMessage, requestId, httpStatus, inner);
        }
    }
}
