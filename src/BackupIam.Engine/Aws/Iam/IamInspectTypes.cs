using System;
using System.Collections.Generic;

namespace BackupIam.Engine.Aws.Iam
{
    // Requests, responses and models of the IAM reads behind Get-BackupUser/Get-BackupGroup and the managed tag
    // (issue 15), shaped like AWSSDK's. Kept in one file so that the shared request/response files stay as they were.
#pragma warning disable CS1591 // Members mirror the IAM API reference one to one.

    /// <summary>A customer or AWS managed policy (GetPolicy).</summary>
    public sealed class ManagedPolicy
    {
        public string PolicyName { get; set; } = "";
        public string PolicyId { get; set; } = "";
        public string Arn { get; set; } = "";
        public string Path { get; set; } = "/";
        public string DefaultVersionId { get; set; } = "";
        public int AttachmentCount { get; set; }
        public bool IsAttachable { get; set; }
        public string? Description { get; set; }
        public DateTime CreateDate { get; set; }
        public DateTime UpdateDate { get; set; }
        public List<Tag> Tags { get; set; } = new List<Tag>();
    }

    /// <summary>One version of a managed policy (GetPolicyVersion).</summary>
    public sealed class PolicyVersion
    {
        /// <summary>The policy JSON, decoded.</summary>
        public string Document { get; set; } = "";
        public string VersionId { get; set; } = "";
        public bool IsDefaultVersion { get; set; }
        public DateTime CreateDate { get; set; }
    }

    public sealed class ListUserTagsRequest : IamPagedRequest { public string UserName { get; set; } = ""; }

    public sealed class ListUserTagsResponse : IamPagedResponse { public List<Tag> Tags { get; set; } = new List<Tag>(); }

    public sealed class ListGroupsRequest : IamPagedRequest { public string? PathPrefix { get; set; } }

    public sealed class ListGroupsResponse : IamPagedResponse { public List<Group> Groups { get; set; } = new List<Group>(); }

    public sealed class GetPolicyRequest { public string PolicyArn { get; set; } = ""; }

    public sealed class GetPolicyResponse : IamResponse { public ManagedPolicy Policy { get; set; } = new ManagedPolicy(); }

    public sealed class GetPolicyVersionRequest
    {
        public string PolicyArn { get; set; } = "";
        public string VersionId { get; set; } = "";
    }

    public sealed class GetPolicyVersionResponse : IamResponse { public PolicyVersion PolicyVersion { get; set; } = new PolicyVersion(); }

    public sealed class TagRoleRequest
    {
        public string RoleName { get; set; } = "";
        public List<Tag> Tags { get; set; } = new List<Tag>();
    }

    public sealed class TagRoleResponse : IamResponse { }

    public sealed class ListRoleTagsRequest : IamPagedRequest { public string RoleName { get; set; } = ""; }

    public sealed class ListRoleTagsResponse : IamPagedResponse { public List<Tag> Tags { get; set; } = new List<Tag>(); }
}
