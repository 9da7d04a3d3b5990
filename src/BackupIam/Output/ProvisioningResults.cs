using System;
using System.Linq;
using System.Security;

namespace BackupIam
{
    /// <summary>
    /// Common shape of what the provisioning cmdlets output: Status (Created, Updated, Unchanged, or Planned under
    /// -WhatIf) and Changes (the write calls made, or planned).
    /// </summary>
    public abstract class BackupResourceResult
    {
        public string Status { get; set; } = "";

        /// <summary>The write calls made (e.g. iam:CreateUser); under -WhatIf, the ones that would be made.</summary>
        public string[] Changes { get; set; } = new string[0];
    }

    /// <summary>An IAM user for a backup job. Binds into the next cmdlet by UserName and Arn.</summary>
    public sealed class BackupUser : BackupResourceResult
    {
        public string UserName { get; set; } = "";
        public string? UserId { get; set; }
        public string? Arn { get; set; }
        public string Path { get; set; } = "/";
        public string? AccountId { get; set; }
        public DateTime? CreateDate { get; set; }
        public string? PermissionsBoundary { get; set; }

        public override string ToString() => UserName;
    }

    /// <summary>An access key. SecretAccessKey is a SecureString, and only set when the key was just created.</summary>
    public sealed class BackupAccessKey : BackupResourceResult
    {
        public string UserName { get; set; } = "";
        public string? AccessKeyId { get; set; }
        public SecureString? SecretAccessKey { get; set; }

        /// <summary>Active or Inactive.</summary>
        public string? KeyStatus { get; set; }
        public DateTime? CreateDate { get; set; }

        /// <summary>The credential profile the new key was written to, if -StoreAs was given.</summary>
        public string? StoredAs { get; set; }
        public string? ProfileLocation { get; set; }

        public override string ToString() => AccessKeyId ?? UserName;
    }

    /// <summary>An IAM group. Binds into the next cmdlet by GroupName.</summary>
    public sealed class BackupGroup : BackupResourceResult
    {
        public string GroupName { get; set; } = "";
        public string? GroupId { get; set; }
        public string? Arn { get; set; }
        public string Path { get; set; } = "/";

        public override string ToString() => GroupName;
    }

    /// <summary>A user's membership of a group. Binds into the next cmdlet by UserName and GroupName.</summary>
    public sealed class BackupGroupMembership : BackupResourceResult
    {
        public string UserName { get; set; } = "";
        public string GroupName { get; set; } = "";

        public override string ToString() => UserName + " in " + GroupName;
    }

    /// <summary>An inline policy of a user or a group, and whether applying it changed anything.</summary>
    public sealed class BackupInlinePolicy : BackupResourceResult
    {
        /// <summary>User or Group.</summary>
        public string OwnerType { get; set; } = "";
        public string? UserName { get; set; }
        public string? GroupName { get; set; }
        public string PolicyName { get; set; } = "";
        public bool Changed { get; set; }
        public string PolicyDocument { get; set; } = "";

        public override string ToString() => PolicyName;
    }

    /// <summary>A backup bucket and the protections it was given. Binds into the next cmdlet by BucketName.</summary>
    public sealed class BackupBucket : BackupResourceResult
    {
        public string BucketName { get; set; } = "";
        public string? Region { get; set; }
        public string[] Folders { get; set; } = new string[0];
        public bool BlockPublicAccess { get; set; }
        public bool BucketOwnerEnforced { get; set; }
        public bool DefaultEncryption { get; set; }

        /// <summary>True when Object Lock was asked for (and is on once Status says so).</summary>
        public bool ObjectLockEnabled { get; set; }

        /// <summary>Default retention mode, GOVERNANCE or COMPLIANCE, or null.</summary>
        public string? ObjectLockMode { get; set; }
        public int? ObjectLockRetentionDays { get; set; }
        public int? ObjectLockRetentionYears { get; set; }

        /// <summary>The account id the bucket's requests expected as owner (-ExpectedBucketOwner), or null; binds to the next bucket cmdlet's -ExpectedBucketOwner.</summary>
        public string? ExpectedBucketOwner { get; set; }

        public override string ToString() => BucketName;
    }

    /// <summary>A bucket policy after merging, and what the merge did.</summary>
    public sealed class BackupBucketPolicy : BackupResourceResult
    {
        public string BucketName { get; set; } = "";

        /// <summary>The account id the bucket's requests expected as owner (-ExpectedBucketOwner), or null; binds to the next bucket cmdlet's -ExpectedBucketOwner.</summary>
        public string? ExpectedBucketOwner { get; set; }
        public bool Changed { get; set; }
        public string[] Added { get; set; } = new string[0];
        public string[] Replaced { get; set; } = new string[0];
        public string[] Kept { get; set; } = new string[0];
        public string PolicyDocument { get; set; } = "";

        public override string ToString() => BucketName;

        /// <summary>
        /// What Set-BackupBucketPolicy and Set-BackupBucketProtection write: the merged policy, what the merge did with
        /// each statement, and what applying it did.
        /// </summary>
        internal static BackupBucketPolicy From(string bucketName, string? expectedBucketOwner, Engine.Provisioning.BucketPolicyPlan plan, Abstractions.PlanOutcome outcome) =>
            new BackupBucketPolicy
            {
                ExpectedBucketOwner = expectedBucketOwner,
                BucketName = bucketName,
                PolicyDocument = plan.PolicyDocument,
                Changed = outcome.Actions.Length > 0 && outcome.Status != Engine.Provisioning.ResourceStatus.Planned,
                Added = plan.Merge?.Added.ToArray() ?? new string[0],
                Replaced = plan.Merge?.Replaced.ToArray() ?? new string[0],
                Kept = plan.Merge?.Kept.ToArray() ?? new string[0],
                Status = outcome.Status.ToString(),
                Changes = outcome.Actions,
            };
    }

    /// <summary>A bucket's versioning state.</summary>
    public sealed class BackupBucketVersioning : BackupResourceResult
    {
        public string BucketName { get; set; } = "";

        /// <summary>The account id the bucket's requests expected as owner (-ExpectedBucketOwner), or null; binds to the next bucket cmdlet's -ExpectedBucketOwner.</summary>
        public string? ExpectedBucketOwner { get; set; }

        /// <summary>Enabled once applied.</summary>
        public string Versioning { get; set; } = "";
        public string PreviousVersioning { get; set; } = "";

        public override string ToString() => BucketName;
    }

    /// <summary>A lifecycle rule on a bucket.</summary>
    public sealed class BackupLifecycleRule : BackupResourceResult
    {
        public string BucketName { get; set; } = "";

        /// <summary>The account id the bucket's requests expected as owner (-ExpectedBucketOwner), or null; binds to the next bucket cmdlet's -ExpectedBucketOwner.</summary>
        public string? ExpectedBucketOwner { get; set; }
        public string RuleId { get; set; } = "";
        public string Prefix { get; set; } = "";
        public int? NoncurrentVersionExpirationDays { get; set; }
        public int? NewerNoncurrentVersions { get; set; }
        public int? AbortIncompleteMultipartUploadDays { get; set; }
        public int? ExpirationDays { get; set; }
        public int OtherRules { get; set; }
        public string Description { get; set; } = "";

        public override string ToString() => RuleId;
    }
}
