using System;
using System.Collections.Generic;
using BackupIam.Engine.Policies;

namespace BackupIam.Engine.Presets
{
    /// <summary>Where a preset policy is attached.</summary>
    public enum PresetPolicyKind
    {
        /// <summary>An identity policy attached to a user, group or role (no Principal element).</summary>
        Identity,

        /// <summary>A bucket policy; every statement names the backup principal.</summary>
        Bucket,
    }

    /// <summary>Inputs to <see cref="PresetCatalog.Build"/>.</summary>
    public sealed class PresetOptions
    {
        /// <summary>The backup bucket, e.g. <c>my-backup-bucket</c>. Required.</summary>
        public string BucketName { get; set; } = string.Empty;

        /// <summary>
        /// Key prefix the backups live under. Null uses the preset's <see cref="PresetDefinition.DefaultPrefix"/>;
        /// "" means the whole bucket. A trailing "/" is added when missing (see <c>S3Names.NormalizePrefix</c>).
        /// </summary>
        public string? Prefix { get; set; }

        /// <summary>The principal a bucket policy grants to, e.g. <c>arn:aws:iam::123456789012:user/backup</c>. Required for <see cref="PresetPolicyKind.Bucket"/>, ignored for identity policies.</summary>
        public string? PrincipalArn { get; set; }

        /// <summary>Identity or bucket policy; null uses the preset's <see cref="PresetDefinition.DefaultKind"/>.</summary>
        public PresetPolicyKind? Kind { get; set; }

        /// <summary>WriteOnly: drop s3:ListBucket (true write-only).</summary>
        public bool NoListBucket { get; set; }

        /// <summary>Rclone: also allow s3:PutObjectAcl on the objects.</summary>
        public bool AllowObjectAcl { get; set; }

        /// <summary>Rclone: allow listing and aborting multipart uploads.</summary>
        public bool AllowMultipart { get; set; }

        /// <summary>Rclone: allow s3:ListAllMyBuckets (on *) and s3:GetBucketLocation, so the tool can list buckets.</summary>
        public bool AllowBucketDiscovery { get; set; }

        /// <summary>Rclone: allow s3:CreateBucket on the backup bucket.</summary>
        public bool AllowCreateBucket { get; set; }

        /// <summary>
        /// Deny every s3:PutObject that does not carry <c>x-amz-acl: bucket-owner-full-control</c>. On stores where the
        /// writer owns what it uploads (Ceph RGW), this is what lets the bucket owner read the backups for a restore; every
        /// client must then send the header (see <see cref="PresetDefinition.ClientFlag"/>).
        /// </summary>
        public bool RequireBucketOwnerFullControl { get; set; }
    }

    /// <summary>A named, documented backup policy template.</summary>
    public sealed class PresetDefinition
    {
        internal PresetDefinition(
            string name,
            int setup,
            string setupTitle,
            string source,
            string description,
            PresetPolicyKind defaultKind,
            PresetPolicyKind[] supportedKinds,
            string[] supportedOptions,
            string defaultPrefix,
            bool prefixRequired,
            Func<PresetContext, List<PolicyStatement>> build,
            bool hardened = false,
            string tool = "",
            string clientFlag = "")
        {
            Name = name;
            Setup = setup;
            SetupTitle = setupTitle;
            Source = source;
            Description = description;
            DefaultKind = defaultKind;
            SupportedKinds = Array.AsReadOnly(supportedKinds);
            SupportedOptions = Array.AsReadOnly(supportedOptions);
            DefaultPrefix = defaultPrefix;
            PrefixRequired = prefixRequired;
            Builder = build;
            Hardened = hardened;
            Tool = tool;
            ClientFlag = clientFlag;
        }

        /// <summary>The preset name, e.g. <c>UploadOnly</c>.</summary>
        public string Name { get; }

        /// <summary>Which of the five documented backup setups (1..5) this preset implements; 0 for a tool preset.</summary>
        public int Setup { get; }

        /// <summary>Short title of the setup, e.g. "Upload-only group".</summary>
        public string SetupTitle { get; }

        /// <summary>Where the setup comes from (the guide it reproduces).</summary>
        public string Source { get; }

        /// <summary>What the policy allows, and what it does not protect against.</summary>
        public string Description { get; }

        /// <summary>The policy kind used when <see cref="PresetOptions.Kind"/> is null.</summary>
        public PresetPolicyKind DefaultKind { get; }

        /// <summary>The kinds this preset can be rendered as.</summary>
        public IReadOnlyList<PresetPolicyKind> SupportedKinds { get; }

        /// <summary>Names of the switch options (properties of <see cref="PresetOptions"/>) this preset accepts.</summary>
        public IReadOnlyList<string> SupportedOptions { get; }

        /// <summary>The prefix used when <see cref="PresetOptions.Prefix"/> is null ("" = whole bucket).</summary>
        public string DefaultPrefix { get; }

        /// <summary>True when the preset needs a non-empty prefix.</summary>
        public bool PrefixRequired { get; }

        /// <summary>
        /// True when the preset adds explicit Deny statements (see <see cref="PresetCatalog"/>): reading, re-ACLing and
        /// deleting what the preset does not allow, public canned ACLs, bucket reconfiguration and bucket creation. They
        /// change nothing that the Allow statements grant; they hold where the store gives the writer owner rights (Ceph RGW).
        /// </summary>
        public bool Hardened { get; }

        /// <summary>The backup tool the preset is made for (rclone, restic, s3cmd, aws), or "" for a setup preset.</summary>
        public string Tool { get; }

        /// <summary>
        /// The client option that makes the tool upload with <c>x-amz-acl: bucket-owner-full-control</c>, or "" when the tool
        /// has none (restic) or the preset is not for one tool.
        /// </summary>
        public string ClientFlag { get; }

        internal Func<PresetContext, List<PolicyStatement>> Builder { get; }

        public override string ToString() => Name;
    }

    /// <summary>Validated inputs handed to a preset's statement builder.</summary>
    internal sealed class PresetContext
    {
        public PresetContext(string bucket, string prefix, string partition, PresetOptions options, PresetPolicyKind kind)
        {
            Bucket = bucket;
            Prefix = prefix;
            Partition = partition;
            Options = options;
            Kind = kind;
        }

        public string Bucket { get; }

        /// <summary>Normalised prefix: "" or ending in "/".</summary>
        public string Prefix { get; }

        public string Partition { get; }

        public PresetOptions Options { get; }

        public PresetPolicyKind Kind { get; }
    }
}
