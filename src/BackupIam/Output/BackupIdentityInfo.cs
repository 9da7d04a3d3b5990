using System;

namespace BackupIam
{
    /// <summary>An access key of a user, without its secret: status, age and last use (GetAccessKeyLastUsed).</summary>
    public sealed class BackupAccessKeyInfo
    {
        public string UserName { get; set; } = "";
        public string AccessKeyId { get; set; } = "";

        /// <summary>Active or Inactive.</summary>
        public string Status { get; set; } = "";
        public DateTime CreateDate { get; set; }

        /// <summary>Whole days since the key was created.</summary>
        public int AgeDays { get; set; }

        /// <summary>When the key was last used (UTC), or null when never.</summary>
        public DateTime? LastUsedDate { get; set; }

        /// <summary>The service the key last called (for example s3), or null when never used.</summary>
        public string? LastUsedService { get; set; }
        public string? LastUsedRegion { get; set; }

        public override string ToString() => AccessKeyId + " (" + Status + ")";
    }

    /// <summary>An identity policy of a user or group: an inline policy, or an attached managed policy's default version.</summary>
    public sealed class BackupIdentityPolicy
    {
        public string PolicyName { get; set; } = "";

        /// <summary>Inline or Managed.</summary>
        public string Kind { get; set; } = "";

        /// <summary>Whose it is: "user NAME" or "group NAME".</summary>
        public string Owner { get; set; } = "";

        /// <summary>The managed policy's ARN; null for an inline policy.</summary>
        public string? PolicyArn { get; set; }

        /// <summary>The managed policy's default version id; null for an inline policy.</summary>
        public string? VersionId { get; set; }
        public string? PolicyDocument { get; set; }

        public override string ToString() => PolicyArn ?? PolicyName;
    }

    /// <summary>A statement of a bucket policy whose Principal names the user.</summary>
    public sealed class BackupNamingStatement
    {
        public string BucketName { get; set; } = "";

        /// <summary>The statement's position in the bucket policy (0-based).</summary>
        public int Index { get; set; }
        public string? Sid { get; set; }

        /// <summary>Allow or Deny.</summary>
        public string Effect { get; set; } = "";
        public string[] Action { get; set; } = new string[0];
        public string[] Resource { get; set; } = new string[0];

        /// <summary>The statement as JSON.</summary>
        public string Statement { get; set; } = "";

        public override string ToString() => BucketName + ": " + Effect + " " + string.Join(",", Action) + (Sid == null ? string.Empty : " (" + Sid + ")");
    }

    /// <summary>
    /// Get-BackupGroup's answer: a group's members, its inline and attached policies, and the access matrix of a member
    /// with no policies of its own. Inside a <see cref="BackupUserInfo"/> the matrix is left empty (the user's own covers it).
    /// </summary>
    public sealed class BackupGroupInfo
    {
        public string GroupName { get; set; } = "";
        public string? GroupId { get; set; }
        public string? Arn { get; set; }
        public string Path { get; set; } = "/";
        public DateTime? CreateDate { get; set; }
        public string[] Members { get; set; } = new string[0];
        public BackupIdentityPolicy[] InlinePolicies { get; set; } = new BackupIdentityPolicy[0];
        public BackupIdentityPolicy[] AttachedPolicies { get; set; } = new BackupIdentityPolicy[0];

        /// <summary>The buckets simulated: those given, else those the group's policies name.</summary>
        public string[] Buckets { get; set; } = new string[0];

        /// <summary>The access matrix of every bucket in <see cref="Buckets"/>.</summary>
        public BackupAccessDecision[] Access { get; set; } = new BackupAccessDecision[0];

        /// <summary>The allowed requests of the matrix, as "Action Target" (for example "s3:PutObject backup/example-object").</summary>
        public string[] Allowed { get; set; } = new string[0];
        public string[] Warnings { get; set; } = new string[0];

        public override string ToString() => GroupName;
    }

    /// <summary>
    /// Get-BackupUser's answer to "what can this backup key do today?": the user's keys, groups, policies, console
    /// password and MFA devices, the bucket policy statements that name it, and the access matrix of all of that combined.
    /// </summary>
    public sealed class BackupUserInfo
    {
        public string UserName { get; set; } = "";
        public string? UserId { get; set; }
        public string? Arn { get; set; }
        public string Path { get; set; } = "/";
        public DateTime? CreateDate { get; set; }

        /// <summary>True when the user carries the module's tag backupiam:managed=true.</summary>
        public bool Managed { get; set; }

        /// <summary>The user's tags as "Key=Value".</summary>
        public string[] Tags { get; set; } = new string[0];
        public BackupAccessKeyInfo[] AccessKeys { get; set; } = new BackupAccessKeyInfo[0];
        public BackupGroupInfo[] Groups { get; set; } = new BackupGroupInfo[0];
        public BackupIdentityPolicy[] InlinePolicies { get; set; } = new BackupIdentityPolicy[0];
        public BackupIdentityPolicy[] AttachedPolicies { get; set; } = new BackupIdentityPolicy[0];

        /// <summary>
        /// Every identity policy that applies to the user: its own inline and attached ones, then its groups'. Pipe them to
        /// Test-BackupPolicy (for example with -Expect) to check them for drift.
        /// </summary>
        public BackupIdentityPolicy[] IdentityPolicies { get; set; } = new BackupIdentityPolicy[0];

        /// <summary>True when the user has a console password (a login profile); a backup user needs none.</summary>
        public bool HasConsolePassword { get; set; }

        /// <summary>Serial numbers (or ARNs) of the user's MFA devices.</summary>
        public string[] MfaDevices { get; set; } = new string[0];

        /// <summary>The buckets looked at: those given, else those the policies name and the module's buckets whose policy names the user.</summary>
        public string[] Buckets { get; set; } = new string[0];
        public BackupNamingStatement[] BucketPolicyStatements { get; set; } = new BackupNamingStatement[0];

        /// <summary>The access matrix of every bucket in <see cref="Buckets"/>: identity policies and the bucket's policy together.</summary>
        public BackupAccessDecision[] Access { get; set; } = new BackupAccessDecision[0];

        /// <summary>The allowed requests of the matrix, as "Action Target" (for example "s3:PutObject backup/example-object").</summary>
        public string[] Allowed { get; set; } = new string[0];
        public string[] Warnings { get; set; } = new string[0];

        public override string ToString() => UserName;
    }
}
