using System;
using System.Collections.Generic;
using System.Linq;
using BackupIam.Engine.Errors;

namespace BackupIam.Engine.Probing
{
    /// <summary>Which resource a probe acts on.</summary>
    public enum ProbeTarget
    {
        /// <summary>The canary the key writes under the probe folder.</summary>
        Canary,

        /// <summary>An object under the prefix that the key did not write.</summary>
        ForeignObject,

        /// <summary>A new object under the probe folder (the multipart upload's key).</summary>
        NewObjectInPrefix,

        /// <summary>An object outside the prefix.</summary>
        ObjectOutsidePrefix,

        /// <summary>The backup bucket.</summary>
        Bucket,

        /// <summary>A bucket that does not exist yet.</summary>
        NewBucket,

        /// <summary>No resource (s3:ListAllMyBuckets).</summary>
        AllBuckets,
    }

    /// <summary>One probe: the S3 request, the action that authorises it and the resource it acts on.</summary>
    public sealed class ProbeDefinition
    {
        internal ProbeDefinition(string name, string operation, string action, ProbeTarget target, string description)
        {
            Name = name;
            Operation = operation;
            Action = action;
            Target = target;
            Description = description;
        }

        /// <summary>The probe's stable name, e.g. <c>DeleteCanary</c>.</summary>
        public string Name { get; }

        /// <summary>The S3 operation sent.</summary>
        public string Operation { get; }

        /// <summary>The IAM action that authorises it.</summary>
        public string Action { get; }

        /// <summary>The resource it acts on.</summary>
        public ProbeTarget Target { get; }

        /// <summary>What the probe shows.</summary>
        public string Description { get; }

        /// <inheritdoc />
        public override string ToString() => Name;
    }

    /// <summary>The probe set of Test-BackupCredential, in the order results are reported.</summary>
    public static class ProbeCatalog
    {
        /// <summary>PutObject of the canary under the prefix.</summary>
        public const string PutCanary = "PutCanary";

        /// <summary>PutObject over the existing canary.</summary>
        public const string OverwriteCanary = "OverwriteCanary";

        /// <summary>PutObject with If-None-Match: * over the existing canary.</summary>
        public const string PutIfNoneMatch = "PutIfNoneMatch";

        /// <summary>HeadObject of the canary.</summary>
        public const string HeadCanary = "HeadCanary";

        /// <summary>GetObject of the canary.</summary>
        public const string GetCanary = "GetCanary";

        /// <summary>HeadObject of an object the key did not write.</summary>
        public const string HeadForeignObject = "HeadForeignObject";

        /// <summary>GetObject of an object the key did not write.</summary>
        public const string GetForeignObject = "GetForeignObject";

        /// <summary>ListObjectsV2 at the prefix.</summary>
        public const string ListPrefix = "ListPrefix";

        /// <summary>ListObjectsV2 at the bucket root.</summary>
        public const string ListBucketRoot = "ListBucketRoot";

        /// <summary>ListObjectsV2 at a sibling of the prefix.</summary>
        public const string ListSiblingPrefix = "ListSiblingPrefix";

        /// <summary>PutObjectAcl public-read on the canary.</summary>
        public const string PutObjectAclPublicRead = "PutObjectAclPublicRead";

        /// <summary>DeleteObject of a version of the canary.</summary>
        public const string DeleteCanaryVersion = "DeleteCanaryVersion";

        /// <summary>DeleteObject of the canary.</summary>
        public const string DeleteCanary = "DeleteCanary";

        /// <summary>CreateMultipartUpload under the probe folder.</summary>
        public const string CreateMultipartUpload = "CreateMultipartUpload";

        /// <summary>AbortMultipartUpload of that upload.</summary>
        public const string AbortMultipartUpload = "AbortMultipartUpload";

        /// <summary>GetBucketLocation.</summary>
        public const string GetBucketLocation = "GetBucketLocation";

        /// <summary>ListBuckets.</summary>
        public const string ListAllMyBuckets = "ListAllMyBuckets";

        /// <summary>PutObject outside the prefix.</summary>
        public const string PutOutsidePrefix = "PutOutsidePrefix";

        /// <summary>PutBucketPolicy with the current policy.</summary>
        public const string PutBucketPolicy = "PutBucketPolicy";

        /// <summary>PutBucketVersioning with the current status.</summary>
        public const string PutBucketVersioning = "PutBucketVersioning";

        /// <summary>PutBucketLifecycleConfiguration with the current rules.</summary>
        public const string PutBucketLifecycle = "PutBucketLifecycle";

        /// <summary>CreateBucket of a probe bucket.</summary>
        public const string CreateBucket = "CreateBucket";

        private static readonly ProbeDefinition[] Definitions =
        {
            new ProbeDefinition(PutCanary, "PutObject", "s3:PutObject", ProbeTarget.Canary, "writes a small canary under the prefix (x-amz-acl: bucket-owner-full-control)"),
            new ProbeDefinition(OverwriteCanary, "PutObject", "s3:PutObject", ProbeTarget.Canary, "overwrites the canary"),
            new ProbeDefinition(PutIfNoneMatch, "PutObject (If-None-Match: *)", "s3:PutObject", ProbeTarget.Canary, "writes over the canary only if it does not exist: 412 shows that overwrites can be blocked"),
            new ProbeDefinition(HeadCanary, "HeadObject", "s3:GetObject", ProbeTarget.Canary, "reads the canary's metadata"),
            new ProbeDefinition(GetCanary, "GetObject", "s3:GetObject", ProbeTarget.Canary, "reads the canary back"),
            new ProbeDefinition(HeadForeignObject, "HeadObject", "s3:GetObject", ProbeTarget.ForeignObject, "reads the metadata of an object the key did not write"),
            new ProbeDefinition(GetForeignObject, "GetObject (Range: bytes=0-0)", "s3:GetObject", ProbeTarget.ForeignObject, "reads the first byte of an object the key did not write"),
            new ProbeDefinition(ListPrefix, "ListObjectsV2 (prefix, delimiter /)", "s3:ListBucket", ProbeTarget.Bucket, "lists the prefix"),
            new ProbeDefinition(ListBucketRoot, "ListObjectsV2 (prefix \"\", delimiter /)", "s3:ListBucket", ProbeTarget.Bucket, "lists the bucket root"),
            new ProbeDefinition(ListSiblingPrefix, "ListObjectsV2 (sibling prefix, delimiter /)", "s3:ListBucket", ProbeTarget.Bucket, "lists a prefix next to the backup prefix"),
            new ProbeDefinition(PutObjectAclPublicRead, "PutObjectAcl (public-read)", "s3:PutObjectAcl", ProbeTarget.Canary, "tries to make the canary public (reverted at once if it works)"),
            new ProbeDefinition(DeleteCanaryVersion, "DeleteObject (versionId)", "s3:DeleteObjectVersion", ProbeTarget.Canary, "deletes the canary's first version for good"),
            new ProbeDefinition(DeleteCanary, "DeleteObject", "s3:DeleteObject", ProbeTarget.Canary, "deletes the canary"),
            new ProbeDefinition(CreateMultipartUpload, "CreateMultipartUpload", "s3:PutObject", ProbeTarget.NewObjectInPrefix, "starts a multipart upload under the prefix"),
            new ProbeDefinition(AbortMultipartUpload, "AbortMultipartUpload", "s3:AbortMultipartUpload", ProbeTarget.NewObjectInPrefix, "aborts that upload"),
            new ProbeDefinition(GetBucketLocation, "GetBucketLocation", "s3:GetBucketLocation", ProbeTarget.Bucket, "reads the bucket's region"),
            new ProbeDefinition(ListAllMyBuckets, "ListBuckets", "s3:ListAllMyBuckets", ProbeTarget.AllBuckets, "lists the account's buckets"),
            new ProbeDefinition(PutOutsidePrefix, "PutObject", "s3:PutObject", ProbeTarget.ObjectOutsidePrefix, "writes an object outside the prefix"),
            new ProbeDefinition(PutBucketPolicy, "PutBucketPolicy (no change)", "s3:PutBucketPolicy", ProbeTarget.Bucket, "sends the bucket's current policy (or an unparseable one): never changes the bucket"),
            new ProbeDefinition(PutBucketVersioning, "PutBucketVersioning (no change)", "s3:PutBucketVersioning", ProbeTarget.Bucket, "sends the bucket's current versioning status (or an invalid one): never suspends versioning"),
            new ProbeDefinition(PutBucketLifecycle, "PutBucketLifecycleConfiguration (no change)", "s3:PutLifecycleConfiguration", ProbeTarget.Bucket, "sends the bucket's current lifecycle rules (DeleteBucketLifecycle when it has none): never changes retention"),
            new ProbeDefinition(CreateBucket, "CreateBucket", "s3:CreateBucket", ProbeTarget.NewBucket, "creates a probe bucket (removed again at once if it works)"),
        };

        /// <summary>Every probe, in report order.</summary>
        public static IReadOnlyList<ProbeDefinition> All { get; } = Array.AsReadOnly(Definitions);

        /// <summary>Finds a probe by name, ignoring case.</summary>
        /// <param name="name">The probe name.</param>
        /// <param name="parameterName">The parameter the name came from, named in the error.</param>
        /// <exception cref="InputValidationException">ErrorId <c>ProbeNameUnknown</c>, with the nearest name and the list.</exception>
        public static ProbeDefinition Get(string name, string parameterName = "AllowedProbe")
        {
            string trimmed = (name ?? string.Empty).Trim();
            ProbeDefinition? found = Definitions.FirstOrDefault(d => string.Equals(d.Name, trimmed, StringComparison.OrdinalIgnoreCase));
            if (found != null)
            {
                return found;
            }

            string? near = Definitions
                .Select(d => d.Name)
                .OrderBy(n => Distance(n.ToLowerInvariant(), trimmed.ToLowerInvariant()))
                .FirstOrDefault();
            throw new InputValidationException(
                "ProbeNameUnknown", parameterName,
                $"-{parameterName} '{trimmed}' is not a probe." + (near != null ? $" Did you mean '{near}'?" : string.Empty)
                + " Probes: " + string.Join(", ", Definitions.Select(d => d.Name)) + ".")
            {
                Target = name,
            };
        }

        private static int Distance(string a, string b)
        {
            var d = new int[a.Length + 1, b.Length + 1];
            for (int i = 0; i <= a.Length; i++)
            {
                d[i, 0] = i;
            }

            for (int j = 0; j <= b.Length; j++)
            {
                d[0, j] = j;
            }

            for (int i = 1; i <= a.Length; i++)
            {
                for (int j = 1; j <= b.Length; j++)
                {
                    int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                    d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                }
            }

            return d[a.Length, b.Length];
        }
    }
}
