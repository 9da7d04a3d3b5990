using System.Collections.Generic;

namespace BackupIam.Engine.Aws.Iam
{
    /// <summary>Paging members shared by every List* request and GetGroup.</summary>
    public abstract class IamPagedRequest
    {
        /// <summary>The <c>Marker</c> from the previous page, or null for the first page.</summary>
        public string? Marker { get; set; }

        /// <summary>Largest page wanted (1-1000), or null for the service default (100).</summary>
        public int? MaxItems { get; set; }
    }

#pragma warning disable CS1591 // Request members mirror the IAM API reference one to one.
    public sealed class GetUserRequest { public string? UserName { get; set; } }

    public sealed class CreateUserRequest
    {
        public string UserName { get; set; } = "";
        public string? Path { get; set; }
        public string? PermissionsBoundary { get; set; }
        public List<Tag> Tags { get; set; } = new List<Tag>();
    }

    public sealed class DeleteUserRequest { public string UserName { get; set; } = ""; }

    public sealed class TagUserRequest
    {
        public string UserName { get; set; } = "";
        public List<Tag> Tags { get; set; } = new List<Tag>();
    }

    public sealed class PutUserPermissionsBoundaryRequest
    {
        public string UserName { get; set; } = "";
        public string PermissionsBoundary { get; set; } = "";
    }

    public sealed class GetLoginProfileRequest { public string UserName { get; set; } = ""; }

    public sealed class DeleteLoginProfileRequest { public string UserName { get; set; } = ""; }

    public sealed class ListUsersRequest : IamPagedRequest { public string? PathPrefix { get; set; } }

    public sealed class ListAccessKeysRequest : IamPagedRequest { public string? UserName { get; set; } }

    public sealed class CreateAccessKeyRequest { public string? UserName { get; set; } }

    public sealed class UpdateAccessKeyRequest
    {
        public string? UserName { get; set; }
        public string AccessKeyId { get; set; } = "";
        public string Status { get; set; } = StatusType.Active;
    }

    public sealed class DeleteAccessKeyRequest
    {
        public string? UserName { get; set; }
        public string AccessKeyId { get; set; } = "";
    }

    public sealed class GetAccessKeyLastUsedRequest { public string AccessKeyId { get; set; } = ""; }

    public sealed class GetGroupRequest : IamPagedRequest { public string GroupName { get; set; } = ""; }

    public sealed class CreateGroupRequest
    {
        public string GroupName { get; set; } = "";
        public string? Path { get; set; }
    }

    public sealed class DeleteGroupRequest { public string GroupName { get; set; } = ""; }

    public sealed class AddUserToGroupRequest
    {
        public string GroupName { get; set; } = "";
        public string UserName { get; set; } = "";
    }

    public sealed class RemoveUserFromGroupRequest
    {
        public string GroupName { get; set; } = "";
        public string UserName { get; set; } = "";
    }

    public sealed class ListGroupsForUserRequest : IamPagedRequest { public string UserName { get; set; } = ""; }

    public sealed class PutGroupPolicyRequest
    {
        public string GroupName { get; set; } = "";
        public string PolicyName { get; set; } = "";
        public string PolicyDocument { get; set; } = "";
    }

    public sealed class GetGroupPolicyRequest
    {
        public string GroupName { get; set; } = "";
        public string PolicyName { get; set; } = "";
    }

    public sealed class DeleteGroupPolicyRequest
    {
        public string GroupName { get; set; } = "";
        public string PolicyName { get; set; } = "";
    }

    public sealed class ListGroupPoliciesRequest : IamPagedRequest { public string GroupName { get; set; } = ""; }

    public sealed class PutUserPolicyRequest
    {
        public string UserName { get; set; } = "";
        public string PolicyName { get; set; } = "";
        public string PolicyDocument { get; set; } = "";
    }

    public sealed class GetUserPolicyRequest
    {
        public string UserName { get; set; } = "";
        public string PolicyName { get; set; } = "";
    }

    public sealed class DeleteUserPolicyRequest
    {
        public string UserName { get; set; } = "";
        public string PolicyName { get; set; } = "";
    }

    public sealed class ListUserPoliciesRequest : IamPagedRequest { public string UserName { get; set; } = ""; }

    public sealed class ListAttachedUserPoliciesRequest : IamPagedRequest
    {
        public string UserName { get; set; } = "";
        public string? PathPrefix { get; set; }
    }

    public sealed class ListAttachedGroupPoliciesRequest : IamPagedRequest
    {
        public string GroupName { get; set; } = "";
        public string? PathPrefix { get; set; }
    }
#pragma warning restore CS1591
}
