using System.Collections.Generic;

namespace BackupIam.Engine.Aws.Iam
{
    /// <summary>Members every IAM response has.</summary>
    public abstract class IamResponse
    {
        /// <summary>The request id AWS returned (quote it to AWS support).</summary>
        public string? RequestId { get; set; }
    }

    /// <summary>Paging members of every List* response and GetGroup.</summary>
    public abstract class IamPagedResponse : IamResponse
    {
        /// <summary>True when more items follow; pass <see cref="Marker"/> to get them.</summary>
        public bool IsTruncated { get; set; }

        /// <summary>Where the next page starts, when <see cref="IsTruncated"/> is true.</summary>
        public string? Marker { get; set; }
    }

#pragma warning disable CS1591 // Response members mirror the IAM API reference one to one.
    public sealed class GetUserResponse : IamResponse { public User User { get; set; } = new User(); }

    public sealed class CreateUserResponse : IamResponse { public User User { get; set; } = new User(); }

    public sealed class DeleteUserResponse : IamResponse { }

    public sealed class TagUserResponse : IamResponse { }

    public sealed class PutUserPermissionsBoundaryResponse : IamResponse { }

    public sealed class GetLoginProfileResponse : IamResponse { public LoginProfile LoginProfile { get; set; } = new LoginProfile(); }

    public sealed class DeleteLoginProfileResponse : IamResponse { }

    public sealed class ListUsersResponse : IamPagedResponse { public List<User> Users { get; set; } = new List<User>(); }

    public sealed class ListAccessKeysResponse : IamPagedResponse
    {
        public List<AccessKeyMetadata> AccessKeyMetadata { get; set; } = new List<AccessKeyMetadata>();
    }

    public sealed class CreateAccessKeyResponse : IamResponse { public AccessKey AccessKey { get; set; } = new AccessKey(); }

    public sealed class UpdateAccessKeyResponse : IamResponse { }

    public sealed class DeleteAccessKeyResponse : IamResponse { }

    public sealed class GetAccessKeyLastUsedResponse : IamResponse
    {
        public string UserName { get; set; } = "";
        public AccessKeyLastUsed AccessKeyLastUsed { get; set; } = new AccessKeyLastUsed();
    }

    public sealed class GetGroupResponse : IamPagedResponse
    {
        public Group Group { get; set; } = new Group();
        public List<User> Users { get; set; } = new List<User>();
    }

    public sealed class CreateGroupResponse : IamResponse { public Group Group { get; set; } = new Group(); }

    public sealed class DeleteGroupResponse : IamResponse { }

    public sealed class AddUserToGroupResponse : IamResponse { }

    public sealed class RemoveUserFromGroupResponse : IamResponse { }

    public sealed class ListGroupsForUserResponse : IamPagedResponse { public List<Group> Groups { get; set; } = new List<Group>(); }

    public sealed class PutGroupPolicyResponse : IamResponse { }

    /// <summary>An inline group policy. <see cref="PolicyDocument"/> is already URL-decoded JSON.</summary>
    public sealed class GetGroupPolicyResponse : IamResponse
    {
        public string GroupName { get; set; } = "";
        public string PolicyName { get; set; } = "";
        public string PolicyDocument { get; set; } = "";
    }

    public sealed class DeleteGroupPolicyResponse : IamResponse { }

    public sealed class ListGroupPoliciesResponse : IamPagedResponse { public List<string> PolicyNames { get; set; } = new List<string>(); }

    public sealed class PutUserPolicyResponse : IamResponse { }

    /// <summary>An inline user policy. <see cref="PolicyDocument"/> is already URL-decoded JSON.</summary>
    public sealed class GetUserPolicyResponse : IamResponse
    {
        public string UserName { get; set; } = "";
        public string PolicyName { get; set; } = "";
        public string PolicyDocument { get; set; } = "";
    }

    public sealed class DeleteUserPolicyResponse : IamResponse { }

    public sealed class ListUserPoliciesResponse : IamPagedResponse { public List<string> PolicyNames { get; set; } = new List<string>(); }

    public sealed class ListAttachedUserPoliciesResponse : IamPagedResponse
    {
        public List<AttachedPolicyType> AttachedPolicies { get; set; } = new List<AttachedPolicyType>();
    }

    public sealed class ListAttachedGroupPoliciesResponse : IamPagedResponse
    {
        public List<AttachedPolicyType> AttachedPolicies { get; set; } = new List<AttachedPolicyType>();
    }
#pragma warning restore CS1591
}
