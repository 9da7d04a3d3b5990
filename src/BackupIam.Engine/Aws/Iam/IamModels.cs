using System;
using System.Collections.Generic;

namespace BackupIam.Engine.Aws.Iam
{
    /// <summary>A tag on an IAM entity.</summary>
    public sealed class Tag
    {
        /// <summary>Creates an empty tag.</summary>
        public Tag()
        {
        }

        /// <summary>Creates a tag.</summary>
        public Tag(string key, string value)
        {
            Key = key;
            Value = value;
        }

        /// <summary>Tag key.</summary>
        public string Key { get; set; } = "";

        /// <summary>Tag value.</summary>
        public string Value { get; set; } = "";
    }

    /// <summary>The permissions boundary attached to a user.</summary>
    public sealed class AttachedPermissionsBoundary
    {
        /// <summary>ARN of the managed policy used as the boundary.</summary>
        public string PermissionsBoundaryArn { get; set; } = "";

        /// <summary>Always <c>PermissionsBoundaryPolicy</c> today.</summary>
        public string PermissionsBoundaryType { get; set; } = "";
    }

    /// <summary>An IAM user.</summary>
    public sealed class User
    {
        /// <summary>User name.</summary>
        public string UserName { get; set; } = "";

        /// <summary>Stable unique id (AIDA...).</summary>
        public string UserId { get; set; } = "";

        /// <summary>User ARN.</summary>
        public string Arn { get; set; } = "";

        /// <summary>Path, <c>/</c> by default.</summary>
        public string Path { get; set; } = "/";

        /// <summary>When the user was created (UTC).</summary>
        public DateTime CreateDate { get; set; }

        /// <summary>When the password was last used, if ever.</summary>
        public DateTime? PasswordLastUsed { get; set; }

        /// <summary>The permissions boundary, if any.</summary>
        public AttachedPermissionsBoundary? PermissionsBoundary { get; set; }

        /// <summary>Tags (GetUser returns them; ListUsers does not).</summary>
        public List<Tag> Tags { get; set; } = new List<Tag>();
    }

    /// <summary>An IAM group.</summary>
    public sealed class Group
    {
        /// <summary>Group name.</summary>
        public string GroupName { get; set; } = "";

        /// <summary>Stable unique id (AGPA...).</summary>
        public string GroupId { get; set; } = "";

        /// <summary>Group ARN.</summary>
        public string Arn { get; set; } = "";

        /// <summary>Path, <c>/</c> by default.</summary>
        public string Path { get; set; } = "/";

        /// <summary>When the group was created (UTC).</summary>
        public DateTime CreateDate { get; set; }
    }

    /// <summary>Access key status values.</summary>
    public static class StatusType
    {
        /// <summary>The key can be used.</summary>
        public const string Active = "Active";

        /// <summary>The key is disabled.</summary>
        public const string Inactive = "Inactive";
    }

    /// <summary>An access key without its secret.</summary>
    public sealed class AccessKeyMetadata
    {
        /// <summary>Access key id.</summary>
        public string AccessKeyId { get; set; } = "";

        /// <summary><see cref="StatusType.Active"/> or <see cref="StatusType.Inactive"/>.</summary>
        public string Status { get; set; } = "";

        /// <summary>When the key was created (UTC).</summary>
        public DateTime CreateDate { get; set; }

        /// <summary>Owner of the key.</summary>
        public string UserName { get; set; } = "";
    }

    /// <summary>A newly created access key, with its secret. The secret is only ever returned once by AWS.</summary>
    public sealed class AccessKey
    {
        /// <summary>Access key id.</summary>
        public string AccessKeyId { get; set; } = "";

        /// <summary>The secret. Never log it; <see cref="ToString"/> does not show it.</summary>
        public string SecretAccessKey { get; set; } = "";

        /// <summary>Status, <c>Active</c> for new keys.</summary>
        public string Status { get; set; } = "";

        /// <summary>Owner of the key.</summary>
        public string UserName { get; set; } = "";

        /// <summary>When the key was created (UTC).</summary>
        public DateTime CreateDate { get; set; }

        /// <summary>Safe to log: the secret is masked.</summary>
        public override string ToString()
        {
            return "AccessKey { AccessKeyId = " + AccessKeyId + ", UserName = " + UserName + ", Status = " + Status + ", SecretAccessKey = *** }";
        }
    }

    /// <summary>Information about when an access key was last used.</summary>
    public sealed class AccessKeyLastUsed
    {
        /// <summary>Last use (UTC), or null when never used.</summary>
        public DateTime? LastUsedDate { get; set; }

        /// <summary>Service last called, or <c>N/A</c>.</summary>
        public string ServiceName { get; set; } = "";

        /// <summary>Region last used in, or <c>N/A</c>.</summary>
        public string Region { get; set; } = "";
    }

    /// <summary>A console login profile (password) of a user.</summary>
    public sealed class LoginProfile
    {
        /// <summary>User name.</summary>
        public string UserName { get; set; } = "";

        /// <summary>When the password was created (UTC).</summary>
        public DateTime CreateDate { get; set; }

        /// <summary>Whether the user must set a new password at next sign-in.</summary>
        public bool PasswordResetRequired { get; set; }
    }

    /// <summary>A managed policy attached to a user or group.</summary>
    public sealed class AttachedPolicyType
    {
        /// <summary>Policy name.</summary>
        public string PolicyName { get; set; } = "";

        /// <summary>Policy ARN.</summary>
        public string PolicyArn { get; set; } = "";
    }
}
