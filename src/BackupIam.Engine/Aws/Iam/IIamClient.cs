using System;
using System.Threading;
using System.Threading.Tasks;

namespace BackupIam.Engine.Aws.Iam
{
    /// <summary>
    /// The IAM operations the engine uses, shaped like AWSSDK's <c>IAmazonIdentityManagementService</c> (same method,
    /// request and response names) so an SDK-backed implementation can replace <see cref="IamQueryClient"/> one day.
    /// Failures surface as <see cref="IamServiceException"/> subclasses. List* calls return one page; the
    /// <see cref="IamClientExtensions"/> ListAll* helpers follow markers.
    /// </summary>
    public partial interface IIamClient : IDisposable
    {
        /// <summary>IAM <c>GetUser</c>.</summary>
        Task<GetUserResponse> GetUserAsync(GetUserRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>CreateUser</c>.</summary>
        Task<CreateUserResponse> CreateUserAsync(CreateUserRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>DeleteUser</c>.</summary>
        Task<DeleteUserResponse> DeleteUserAsync(DeleteUserRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>TagUser</c>.</summary>
        Task<TagUserResponse> TagUserAsync(TagUserRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>PutUserPermissionsBoundary</c>.</summary>
        Task<PutUserPermissionsBoundaryResponse> PutUserPermissionsBoundaryAsync(PutUserPermissionsBoundaryRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>GetLoginProfile</c>.</summary>
        Task<GetLoginProfileResponse> GetLoginProfileAsync(GetLoginProfileRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>DeleteLoginProfile</c>.</summary>
        Task<DeleteLoginProfileResponse> DeleteLoginProfileAsync(DeleteLoginProfileRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>ListUsers</c>.</summary>
        Task<ListUsersResponse> ListUsersAsync(ListUsersRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>ListAccessKeys</c>.</summary>
        Task<ListAccessKeysResponse> ListAccessKeysAsync(ListAccessKeysRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>CreateAccessKey</c>.</summary>
        Task<CreateAccessKeyResponse> CreateAccessKeyAsync(CreateAccessKeyRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>UpdateAccessKey</c>.</summary>
        Task<UpdateAccessKeyResponse> UpdateAccessKeyAsync(UpdateAccessKeyRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>DeleteAccessKey</c>.</summary>
        Task<DeleteAccessKeyResponse> DeleteAccessKeyAsync(DeleteAccessKeyRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>GetAccessKeyLastUsed</c>.</summary>
        Task<GetAccessKeyLastUsedResponse> GetAccessKeyLastUsedAsync(GetAccessKeyLastUsedRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>GetGroup</c>.</summary>
        Task<GetGroupResponse> GetGroupAsync(GetGroupRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>CreateGroup</c>.</summary>
        Task<CreateGroupResponse> CreateGroupAsync(CreateGroupRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>DeleteGroup</c>.</summary>
        Task<DeleteGroupResponse> DeleteGroupAsync(DeleteGroupRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>AddUserToGroup</c>.</summary>
        Task<AddUserToGroupResponse> AddUserToGroupAsync(AddUserToGroupRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>RemoveUserFromGroup</c>.</summary>
        Task<RemoveUserFromGroupResponse> RemoveUserFromGroupAsync(RemoveUserFromGroupRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>ListGroupsForUser</c>.</summary>
        Task<ListGroupsForUserResponse> ListGroupsForUserAsync(ListGroupsForUserRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>PutGroupPolicy</c>.</summary>
        Task<PutGroupPolicyResponse> PutGroupPolicyAsync(PutGroupPolicyRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>GetGroupPolicy</c>.</summary>
        Task<GetGroupPolicyResponse> GetGroupPolicyAsync(GetGroupPolicyRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>DeleteGroupPolicy</c>.</summary>
        Task<DeleteGroupPolicyResponse> DeleteGroupPolicyAsync(DeleteGroupPolicyRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>ListGroupPolicies</c>.</summary>
        Task<ListGroupPoliciesResponse> ListGroupPoliciesAsync(ListGroupPoliciesRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>PutUserPolicy</c>.</summary>
        Task<PutUserPolicyResponse> PutUserPolicyAsync(PutUserPolicyRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>GetUserPolicy</c>.</summary>
        Task<GetUserPolicyResponse> GetUserPolicyAsync(GetUserPolicyRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>DeleteUserPolicy</c>.</summary>
        Task<DeleteUserPolicyResponse> DeleteUserPolicyAsync(DeleteUserPolicyRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>ListUserPolicies</c>.</summary>
        Task<ListUserPoliciesResponse> ListUserPoliciesAsync(ListUserPoliciesRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>ListAttachedUserPolicies</c>.</summary>
        Task<ListAttachedUserPoliciesResponse> ListAttachedUserPoliciesAsync(ListAttachedUserPoliciesRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>ListAttachedGroupPolicies</c>.</summary>
        Task<ListAttachedGroupPoliciesResponse> ListAttachedGroupPoliciesAsync(ListAttachedGroupPoliciesRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>DetachUserPolicy</c>.</summary>
        Task<DetachUserPolicyResponse> DetachUserPolicyAsync(DetachUserPolicyRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>DetachGroupPolicy</c>.</summary>
        Task<DetachGroupPolicyResponse> DetachGroupPolicyAsync(DetachGroupPolicyRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>ListMFADevices</c>.</summary>
        Task<ListMFADevicesResponse> ListMFADevicesAsync(ListMFADevicesRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>DeactivateMFADevice</c>.</summary>
        Task<DeactivateMFADeviceResponse> DeactivateMFADeviceAsync(DeactivateMFADeviceRequest request, CancellationToken cancellationToken);
    }
}
