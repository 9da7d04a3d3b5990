using System;

namespace BackupIam.Engine.Lint
{
    /// <summary>How serious a <see cref="PolicyFinding"/> is.</summary>
    public enum FindingSeverity
    {
        /// <summary>The policy is wrong: AWS rejects it, or it does not do what it is meant to do.</summary>
        Error,

        /// <summary>The policy works but grants more than a backup needs, or leaves backups at risk.</summary>
        Warning,

        /// <summary>The policy could be tighter.</summary>
        Suggestion,
    }

    /// <summary>Where a policy is attached; decides the size quota and whether a Principal is required or forbidden.</summary>
    public enum PolicyContainer
    {
        /// <summary>An inline policy of an IAM user (2,048 characters, whitespace not counted).</summary>
        UserInline,

        /// <summary>An inline policy of an IAM group (5,120 characters, whitespace not counted).</summary>
        GroupInline,

        /// <summary>An inline policy of an IAM role (10,240 characters, whitespace not counted).</summary>
        RoleInline,

        /// <summary>A customer managed policy (6,144 characters, whitespace not counted).</summary>
        Managed,

        /// <summary>An S3 bucket policy (20 KB, 20,480 bytes); statements need a Principal.</summary>
        BucketPolicy,
    }

    /// <summary>What the linter knows about the policy's purpose and the bucket it protects.</summary>
    public sealed class LintOptions
    {
        private bool _writeOnlyIntent;

        /// <summary>Where the policy is attached. Default <see cref="PolicyContainer.UserInline"/>.</summary>
        public PolicyContainer Container { get; set; } = PolicyContainer.UserInline;

        /// <summary>The policy's name, if any; a name such as "backup-write-only" or "UploadFiles" implies <see cref="WriteOnlyIntent"/>.</summary>
        public string? PolicyName { get; set; }

        /// <summary>Whether versioning is enabled on the bucket; null when unknown.</summary>
        public bool? VersioningEnabled { get; set; }

        /// <summary>
        /// True when the policy is meant to let the backup client write but never delete. Also reads as true when
        /// <see cref="PolicyName"/> contains "write-only", "writeonly", "write_only" or "upload" (any case); the linter
        /// applies the same rule to the policy document's Id.
        /// </summary>
        public bool WriteOnlyIntent
        {
            get => _writeOnlyIntent || NameImpliesWriteOnly(PolicyName);
            set => _writeOnlyIntent = value;
        }

        /// <summary>True when the backup client must list the account's buckets (s3:ListAllMyBuckets) to find its bucket.</summary>
        public bool NeedsBucketDiscovery { get; set; }

        /// <summary>True when the bucket has Object Ownership "BucketOwnerEnforced", so ACLs are disabled.</summary>
        public bool AclsDisabled { get; set; }

        /// <summary>True when something outside this policy already prevents overwrites (for example a bucket policy that denies s3:PutObject without If-None-Match).</summary>
        public bool HasNoOverwriteRule { get; set; }

        internal static bool NameImpliesWriteOnly(string? name)
        {
            if (string.IsNullOrEmpty(name))
            {
                return false;
            }

            string n = name!;
            return n.IndexOf("write-only", StringComparison.OrdinalIgnoreCase) >= 0
                || n.IndexOf("writeonly", StringComparison.OrdinalIgnoreCase) >= 0
                || n.IndexOf("write_only", StringComparison.OrdinalIgnoreCase) >= 0
                || n.IndexOf("upload", StringComparison.OrdinalIgnoreCase) >= 0;
        }
    }

    /// <summary>One problem the linter found, with a concrete way to fix it.</summary>
    public sealed class PolicyFinding
    {
        /// <summary>Creates a finding.</summary>
        public PolicyFinding(FindingSeverity severity, string id, int? statementIndex, string? sid, string? action, string message, string fix)
        {
            Severity = severity;
            Id = id ?? throw new ArgumentNullException(nameof(id));
            StatementIndex = statementIndex;
            Sid = sid;
            Action = action;
            Message = message ?? throw new ArgumentNullException(nameof(message));
            Fix = fix ?? throw new ArgumentNullException(nameof(fix));
        }

        /// <summary>Error, Warning or Suggestion.</summary>
        public FindingSeverity Severity { get; }

        /// <summary>The stable PascalCase rule id, such as <c>UnknownAction</c> (see <see cref="FindingIds"/>).</summary>
        public string Id { get; }

        /// <summary>The 0-based index of the statement in the policy's Statement list, or null for whole-policy findings.</summary>
        public int? StatementIndex { get; }

        /// <summary>The statement's Sid, if it has one.</summary>
        public string? Sid { get; }

        /// <summary>The action entry (as written) the finding is about, if any.</summary>
        public string? Action { get; }

        /// <summary>What is wrong.</summary>
        public string Message { get; }

        /// <summary>How to fix it.</summary>
        public string Fix { get; }

        /// <inheritdoc/>
        public override string ToString()
        {
            string where = StatementIndex.HasValue
                ? "Statement[" + StatementIndex.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]" + (Sid != null ? " (" + Sid + ")" : string.Empty)
                : "Policy";
            return Severity + " " + Id + " at " + where + ": " + Message;
        }
    }

    /// <summary>The stable ids of linter findings.</summary>
    public static class FindingIds
    {
        /// <summary>An s3 action (or wildcard pattern) that is not in the S3 action catalogue.</summary>
        public const string UnknownAction = "UnknownAction";

        /// <summary>An action whose statement resources can never match the action's resource type.</summary>
        public const string ResourceTypeMismatch = "ResourceTypeMismatch";

        /// <summary>An s3: condition key that none of the statement's actions supports.</summary>
        public const string UnsupportedConditionKey = "UnsupportedConditionKey";

        /// <summary>The policy is over the size quota of its container.</summary>
        public const string PolicyTooLarge = "PolicyTooLarge";

        /// <summary>A write-only policy that allows an s3:Delete* action.</summary>
        public const string DeleteInWriteOnlyPolicy = "DeleteInWriteOnlyPolicy";

        /// <summary>s3:PutObjectAcl or s3:PutObjectVersionAcl is allowed while ACLs are enabled.</summary>
        public const string ObjectAclCanMakePublic = "ObjectAclCanMakePublic";

        /// <summary>s3:ListAllMyBuckets is allowed although the client does not need to discover buckets.</summary>
        public const string UnneededListAllMyBuckets = "UnneededListAllMyBuckets";

        /// <summary>s3:PutObject is allowed without versioning or a no-overwrite rule, so backups can be overwritten.</summary>
        public const string OverwritableBackups = "OverwritableBackups";

        /// <summary>An Allow statement with the action "*" or "s3:*".</summary>
        public const string WildcardAction = "WildcardAction";

        /// <summary>The policy JSON has no Version element, so AWS evaluates it with the 2008-10-17 rules (policy variables are literal).</summary>
        public const string MissingVersion = "MissingVersion";

        /// <summary>A statement without Resource or NotResource.</summary>
        public const string MissingResource = "MissingResource";

        /// <summary>A bucket policy statement without Principal or NotPrincipal.</summary>
        public const string MissingPrincipal = "MissingPrincipal";

        /// <summary>An identity (IAM) policy statement with a Principal or NotPrincipal.</summary>
        public const string PrincipalInIdentityPolicy = "PrincipalInIdentityPolicy";

        /// <summary>A Sid that IAM (letters and digits only) or S3 (no control character or unpaired surrogate) refuses.</summary>
        public const string SidInvalid = "SidInvalid";

        /// <summary>A bucket policy Principal ARN that names nobody (unknown partition, malformed ARN).</summary>
        public const string PrincipalArnInvalid = "PrincipalArnInvalid";
    }
}
