using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using System.Xml.Linq;
using Amazon.Runtime;
using BackupIam.Engine.Errors;
using static BackupIam.Engine.Aws.Iam.IamQueryTransport;

namespace BackupIam.Engine.Aws.Iam
{
    /// <summary>
    /// <see cref="IIamClient"/> over the IAM Query protocol (API version 2010-05-08): each operation turns its request into
    /// Query parameters and reads its answer; signing, timeouts, retries and error mapping live in
    /// <see cref="IamQueryTransport"/>. Dispose it (it owns one HttpClient).
    /// </summary>
    public sealed partial class IamQueryClient : IIamClient
    {
        /// <summary>The IAM API version this client speaks.</summary>
        public const string ApiVersion = IamQueryTransport.ApiVersion;

        private readonly IamQueryTransport _transport;

        /// <summary>Creates a client for the session's IAM endpoint and credentials; the session's request limits apply unless options are given.</summary>
        public IamQueryClient(AwsSession session, IamClientOptions? options = null)
            : this(Check(session).IamEndpoint, session.IamSigningRegion, session.Credentials, options ?? IamClientOptions.FromLimits(session.RequestLimits))
        {
        }

        /// <summary>Creates a client for an explicit endpoint (tests, S3-compatible stores with an IAM API).</summary>
        public IamQueryClient(Uri endpoint, string signingRegion, AWSCredentials credentials, IamClientOptions? options = null)
        {
            _transport = new IamQueryTransport(endpoint, signingRegion, credentials, options ?? new IamClientOptions());
        }

        /// <summary>The endpoint requests go to.</summary>
        public Uri Endpoint => _transport.Endpoint;

        /// <inheritdoc />
        public void Dispose() => _transport.Dispose();

        // ------------------------------------------------------------------ users

        /// <inheritdoc />
        public async Task<GetUserResponse> GetUserAsync(GetUserRequest request, CancellationToken cancellationToken)
        {
            var p = new Params().Add("UserName", Check(request).UserName);
            var r = await _transport.InvokeAsync("GetUser", p, cancellationToken).ConfigureAwait(false);
            return new GetUserResponse { User = IamXml.ReadUser(r.Result.Child("User")), RequestId = r.RequestId };
        }

        /// <inheritdoc />
        public async Task<CreateUserResponse> CreateUserAsync(CreateUserRequest request, CancellationToken cancellationToken)
        {
            var p = new Params()
                .Add("UserName", Required(Check(request).UserName, "UserName", "CreateUser"))
                .Add("Path", request.Path)
                .Add("PermissionsBoundary", request.PermissionsBoundary)
                .AddTags(request.Tags);
            var r = await _transport.InvokeAsync("CreateUser", p, cancellationToken).ConfigureAwait(false);
            return new CreateUserResponse { User = IamXml.ReadUser(r.Result.Child("User")), RequestId = r.RequestId };
        }

        /// <inheritdoc />
        public async Task<DeleteUserResponse> DeleteUserAsync(DeleteUserRequest request, CancellationToken cancellationToken)
        {
            var p = new Params().Add("UserName", Required(Check(request).UserName, "UserName", "DeleteUser"));
            var r = await _transport.InvokeAsync("DeleteUser", p, cancellationToken).ConfigureAwait(false);
            return new DeleteUserResponse { RequestId = r.RequestId };
        }

        /// <inheritdoc />
        public async Task<TagUserResponse> TagUserAsync(TagUserRequest request, CancellationToken cancellationToken)
        {
            var p = new Params().Add("UserName", Required(Check(request).UserName, "UserName", "TagUser")).AddTags(request.Tags);
            var r = await _transport.InvokeAsync("TagUser", p, cancellationToken).ConfigureAwait(false);
            return new TagUserResponse { RequestId = r.RequestId };
        }

        /// <inheritdoc />
        public async Task<PutUserPermissionsBoundaryResponse> PutUserPermissionsBoundaryAsync(PutUserPermissionsBoundaryRequest request, CancellationToken cancellationToken)
        {
            var p = new Params()
                .Add("UserName", Required(Check(request).UserName, "UserName", "PutUserPermissionsBoundary"))
                .Add("PermissionsBoundary", Required(request.PermissionsBoundary, "PermissionsBoundary", "PutUserPermissionsBoundary"));
            var r = await _transport.InvokeAsync("PutUserPermissionsBoundary", p, cancellationToken).ConfigureAwait(false);
            return new PutUserPermissionsBoundaryResponse { RequestId = r.RequestId };
        }

        /// <inheritdoc />
        public async Task<GetLoginProfileResponse> GetLoginProfileAsync(GetLoginProfileRequest request, CancellationToken cancellationToken)
        {
            var p = new Params().Add("UserName", Required(Check(request).UserName, "UserName", "GetLoginProfile"));
            var r = await _transport.InvokeAsync("GetLoginProfile", p, cancellationToken).ConfigureAwait(false);
            XElement? lp = r.Result.Child("LoginProfile");
            return new GetLoginProfileResponse
            {
                LoginProfile = new LoginProfile
                {
                    UserName = lp.Text("UserName"),
                    CreateDate = lp.Date("CreateDate"),
                    PasswordResetRequired = lp.Bool("PasswordResetRequired"),
                },
                RequestId = r.RequestId,
            };
        }

        /// <inheritdoc />
        public async Task<DeleteLoginProfileResponse> DeleteLoginProfileAsync(DeleteLoginProfileRequest request, CancellationToken cancellationToken)
        {
            var p = new Params().Add("UserName", Required(Check(request).UserName, "UserName", "DeleteLoginProfile"));
            var r = await _transport.InvokeAsync("DeleteLoginProfile", p, cancellationToken).ConfigureAwait(false);
            return new DeleteLoginProfileResponse { RequestId = r.RequestId };
        }

        /// <inheritdoc />
        public async Task<ListUsersResponse> ListUsersAsync(ListUsersRequest request, CancellationToken cancellationToken)
        {
            var p = new Params().Add("PathPrefix", Check(request).PathPrefix).AddPaging(request);
            var r = await _transport.InvokeAsync("ListUsers", p, cancellationToken).ConfigureAwait(false);
            var response = new ListUsersResponse { Users = r.Result.Members("Users").Select(IamXml.ReadUser).ToList() };
            return Paged(response, r);
        }

        // ------------------------------------------------------------------ access keys

        /// <inheritdoc />
        public async Task<ListAccessKeysResponse> ListAccessKeysAsync(ListAccessKeysRequest request, CancellationToken cancellationToken)
        {
            var p = new Params().Add("UserName", Check(request).UserName).AddPaging(request);
            var r = await _transport.InvokeAsync("ListAccessKeys", p, cancellationToken).ConfigureAwait(false);
            var response = new ListAccessKeysResponse
            {
                AccessKeyMetadata = r.Result.Members("AccessKeyMetadata").Select(IamXml.ReadAccessKeyMetadata).ToList(),
            };
            return Paged(response, r);
        }

        /// <inheritdoc />
        public async Task<CreateAccessKeyResponse> CreateAccessKeyAsync(CreateAccessKeyRequest request, CancellationToken cancellationToken)
        {
            var p = new Params().Add("UserName", Check(request).UserName);
            var r = await _transport.InvokeAsync("CreateAccessKey", p, cancellationToken, sensitiveResponse: true).ConfigureAwait(false);
            XElement? k = r.Result.Child("AccessKey");
            return new CreateAccessKeyResponse
            {
                AccessKey = new AccessKey
                {
                    AccessKeyId = k.Text("AccessKeyId"),
                    SecretAccessKey = k.Text("SecretAccessKey"),
                    Status = k.Text("Status"),
                    UserName = k.Text("UserName"),
                    CreateDate = k.Date("CreateDate"),
                },
                RequestId = r.RequestId,
            };
        }

        /// <inheritdoc />
        public async Task<UpdateAccessKeyResponse> UpdateAccessKeyAsync(UpdateAccessKeyRequest request, CancellationToken cancellationToken)
        {
            var p = new Params()
                .Add("UserName", Check(request).UserName)
                .Add("AccessKeyId", Required(request.AccessKeyId, "AccessKeyId", "UpdateAccessKey"))
                .Add("Status", Required(request.Status, "Status", "UpdateAccessKey"));
            var r = await _transport.InvokeAsync("UpdateAccessKey", p, cancellationToken).ConfigureAwait(false);
            return new UpdateAccessKeyResponse { RequestId = r.RequestId };
        }

        /// <inheritdoc />
        public async Task<DeleteAccessKeyResponse> DeleteAccessKeyAsync(DeleteAccessKeyRequest request, CancellationToken cancellationToken)
        {
            var p = new Params()
                .Add("UserName", Check(request).UserName)
                .Add("AccessKeyId", Required(request.AccessKeyId, "AccessKeyId", "DeleteAccessKey"));
            var r = await _transport.InvokeAsync("DeleteAccessKey", p, cancellationToken).ConfigureAwait(false);
            return new DeleteAccessKeyResponse { RequestId = r.RequestId };
        }

        /// <inheritdoc />
        public async Task<GetAccessKeyLastUsedResponse> GetAccessKeyLastUsedAsync(GetAccessKeyLastUsedRequest request, CancellationToken cancellationToken)
        {
            var p = new Params().Add("AccessKeyId", Required(Check(request).AccessKeyId, "AccessKeyId", "GetAccessKeyLastUsed"));
            var r = await _transport.InvokeAsync("GetAccessKeyLastUsed", p, cancellationToken).ConfigureAwait(false);
            XElement? u = r.Result.Child("AccessKeyLastUsed");
            return new GetAccessKeyLastUsedResponse
            {
                UserName = r.Result.Text("UserName"),
                AccessKeyLastUsed = new AccessKeyLastUsed
                {
                    LastUsedDate = u.DateOrNull("LastUsedDate"),
                    ServiceName = u.Text("ServiceName"),
                    Region = u.Text("Region"),
                },
                RequestId = r.RequestId,
            };
        }

        // ------------------------------------------------------------------ groups

        /// <inheritdoc />
        public async Task<GetGroupResponse> GetGroupAsync(GetGroupRequest request, CancellationToken cancellationToken)
        {
            var p = new Params().Add("GroupName", Required(Check(request).GroupName, "GroupName", "GetGroup")).AddPaging(request);
            var r = await _transport.InvokeAsync("GetGroup", p, cancellationToken).ConfigureAwait(false);
            var response = new GetGroupResponse
            {
                Group = IamXml.ReadGroup(r.Result.Child("Group")),
                Users = r.Result.Members("Users").Select(IamXml.ReadUser).ToList(),
            };
            return Paged(response, r);
        }

        /// <inheritdoc />
        public async Task<CreateGroupResponse> CreateGroupAsync(CreateGroupRequest request, CancellationToken cancellationToken)
        {
            var p = new Params().Add("GroupName", Required(Check(request).GroupName, "GroupName", "CreateGroup")).Add("Path", request.Path);
            var r = await _transport.InvokeAsync("CreateGroup", p, cancellationToken).ConfigureAwait(false);
            return new CreateGroupResponse { Group = IamXml.ReadGroup(r.Result.Child("Group")), RequestId = r.RequestId };
        }

        /// <inheritdoc />
        public async Task<DeleteGroupResponse> DeleteGroupAsync(DeleteGroupRequest request, CancellationToken cancellationToken)
        {
            var p = new Params().Add("GroupName", Required(Check(request).GroupName, "GroupName", "DeleteGroup"));
            var r = await _transport.InvokeAsync("DeleteGroup", p, cancellationToken).ConfigureAwait(false);
            return new DeleteGroupResponse { RequestId = r.RequestId };
        }

        /// <inheritdoc />
        public async Task<AddUserToGroupResponse> AddUserToGroupAsync(AddUserToGroupRequest request, CancellationToken cancellationToken)
        {
            var p = new Params()
                .Add("GroupName", Required(Check(request).GroupName, "GroupName", "AddUserToGroup"))
                .Add("UserName", Required(request.UserName, "UserName", "AddUserToGroup"));
            var r = await _transport.InvokeAsync("AddUserToGroup", p, cancellationToken).ConfigureAwait(false);
            return new AddUserToGroupResponse { RequestId = r.RequestId };
        }

        /// <inheritdoc />
        public async Task<RemoveUserFromGroupResponse> RemoveUserFromGroupAsync(RemoveUserFromGroupRequest request, CancellationToken cancellationToken)
        {
            var p = new Params()
                .Add("GroupName", Required(Check(request).GroupName, "GroupName", "RemoveUserFromGroup"))
                .Add("UserName", Required(request.UserName, "UserName", "RemoveUserFromGroup"));
            var r = await _transport.InvokeAsync("RemoveUserFromGroup", p, cancellationToken).ConfigureAwait(false);
            return new RemoveUserFromGroupResponse { RequestId = r.RequestId };
        }

        /// <inheritdoc />
        public async Task<ListGroupsForUserResponse> ListGroupsForUserAsync(ListGroupsForUserRequest request, CancellationToken cancellationToken)
        {
            var p = new Params().Add("UserName", Required(Check(request).UserName, "UserName", "ListGroupsForUser")).AddPaging(request);
            var r = await _transport.InvokeAsync("ListGroupsForUser", p, cancellationToken).ConfigureAwait(false);
            var response = new ListGroupsForUserResponse { Groups = r.Result.Members("Groups").Select(IamXml.ReadGroup).ToList() };
            return Paged(response, r);
        }

        // ------------------------------------------------------------------ inline policies

        /// <inheritdoc />
        public async Task<PutGroupPolicyResponse> PutGroupPolicyAsync(PutGroupPolicyRequest request, CancellationToken cancellationToken)
        {
            var p = new Params()
                .Add("GroupName", Required(Check(request).GroupName, "GroupName", "PutGroupPolicy"))
                .Add("PolicyName", Required(request.PolicyName, "PolicyName", "PutGroupPolicy"))
                .Add("PolicyDocument", Required(request.PolicyDocument, "PolicyDocument", "PutGroupPolicy"));
            var r = await _transport.InvokeAsync("PutGroupPolicy", p, cancellationToken).ConfigureAwait(false);
            return new PutGroupPolicyResponse { RequestId = r.RequestId };
        }

        /// <inheritdoc />
        public async Task<GetGroupPolicyResponse> GetGroupPolicyAsync(GetGroupPolicyRequest request, CancellationToken cancellationToken)
        {
            var p = new Params()
                .Add("GroupName", Required(Check(request).GroupName, "GroupName", "GetGroupPolicy"))
                .Add("PolicyName", Required(request.PolicyName, "PolicyName", "GetGroupPolicy"));
            var r = await _transport.InvokeAsync("GetGroupPolicy", p, cancellationToken).ConfigureAwait(false);
            return new GetGroupPolicyResponse
            {
                GroupName = r.Result.Text("GroupName"),
                PolicyName = r.Result.Text("PolicyName"),
                PolicyDocument = IamXml.DecodePolicyDocument(r.Result.Text("PolicyDocument")),
                RequestId = r.RequestId,
            };
        }

        /// <inheritdoc />
        public async Task<DeleteGroupPolicyResponse> DeleteGroupPolicyAsync(DeleteGroupPolicyRequest request, CancellationToken cancellationToken)
        {
            var p = new Params()
                .Add("GroupName", Required(Check(request).GroupName, "GroupName", "DeleteGroupPolicy"))
                .Add("PolicyName", Required(request.PolicyName, "PolicyName", "DeleteGroupPolicy"));
            var r = await _transport.InvokeAsync("DeleteGroupPolicy", p, cancellationToken).ConfigureAwait(false);
            return new DeleteGroupPolicyResponse { RequestId = r.RequestId };
        }

        /// <inheritdoc />
        public async Task<ListGroupPoliciesResponse> ListGroupPoliciesAsync(ListGroupPoliciesRequest request, CancellationToken cancellationToken)
        {
            var p = new Params().Add("GroupName", Required(Check(request).GroupName, "GroupName", "ListGroupPolicies")).AddPaging(request);
            var r = await _transport.InvokeAsync("ListGroupPolicies", p, cancellationToken).ConfigureAwait(false);
            var response = new ListGroupPoliciesResponse { PolicyNames = r.Result.Members("PolicyNames").Select(m => m.Value).ToList() };
            return Paged(response, r);
        }

        /// <inheritdoc />
        public async Task<PutUserPolicyResponse> PutUserPolicyAsync(PutUserPolicyRequest request, CancellationToken cancellationToken)
        {
            var p = new Params()
                .Add("UserName", Required(Check(request).UserName, "UserName", "PutUserPolicy"))
                .Add("PolicyName", Required(request.PolicyName, "PolicyName", "PutUserPolicy"))
                .Add("PolicyDocument", Required(request.PolicyDocument, "PolicyDocument", "PutUserPolicy"));
            var r = await _transport.InvokeAsync("PutUserPolicy", p, cancellationToken).ConfigureAwait(false);
            return new PutUserPolicyResponse { RequestId = r.RequestId };
        }

        /// <inheritdoc />
        public async Task<GetUserPolicyResponse> GetUserPolicyAsync(GetUserPolicyRequest request, CancellationToken cancellationToken)
        {
            var p = new Params()
                .Add("UserName", Required(Check(request).UserName, "UserName", "GetUserPolicy"))
                .Add("PolicyName", Required(request.PolicyName, "PolicyName", "GetUserPolicy"));
            var r = await _transport.InvokeAsync("GetUserPolicy", p, cancellationToken).ConfigureAwait(false);
            return new GetUserPolicyResponse
            {
                UserName = r.Result.Text("UserName"),
                PolicyName = r.Result.Text("PolicyName"),
                PolicyDocument = IamXml.DecodePolicyDocument(r.Result.Text("PolicyDocument")),
                RequestId = r.RequestId,
            };
        }

        /// <inheritdoc />
        public async Task<DeleteUserPolicyResponse> DeleteUserPolicyAsync(DeleteUserPolicyRequest request, CancellationToken cancellationToken)
        {
            var p = new Params()
                .Add("UserName", Required(Check(request).UserName, "UserName", "DeleteUserPolicy"))
                .Add("PolicyName", Required(request.PolicyName, "PolicyName", "DeleteUserPolicy"));
            var r = await _transport.InvokeAsync("DeleteUserPolicy", p, cancellationToken).ConfigureAwait(false);
            return new DeleteUserPolicyResponse { RequestId = r.RequestId };
        }

        /// <inheritdoc />
        public async Task<ListUserPoliciesResponse> ListUserPoliciesAsync(ListUserPoliciesRequest request, CancellationToken cancellationToken)
        {
            var p = new Params().Add("UserName", Required(Check(request).UserName, "UserName", "ListUserPolicies")).AddPaging(request);
            var r = await _transport.InvokeAsync("ListUserPolicies", p, cancellationToken).ConfigureAwait(false);
            var response = new ListUserPoliciesResponse { PolicyNames = r.Result.Members("PolicyNames").Select(m => m.Value).ToList() };
            return Paged(response, r);
        }

        /// <inheritdoc />
        public async Task<ListAttachedUserPoliciesResponse> ListAttachedUserPoliciesAsync(ListAttachedUserPoliciesRequest request, CancellationToken cancellationToken)
        {
            var p = new Params()
                .Add("UserName", Required(Check(request).UserName, "UserName", "ListAttachedUserPolicies"))
                .Add("PathPrefix", request.PathPrefix)
                .AddPaging(request);
            var r = await _transport.InvokeAsync("ListAttachedUserPolicies", p, cancellationToken).ConfigureAwait(false);
            var response = new ListAttachedUserPoliciesResponse
            {
                AttachedPolicies = r.Result.Members("AttachedPolicies").Select(IamXml.ReadAttachedPolicy).ToList(),
            };
            return Paged(response, r);
        }

        /// <inheritdoc />
        public async Task<ListAttachedGroupPoliciesResponse> ListAttachedGroupPoliciesAsync(ListAttachedGroupPoliciesRequest request, CancellationToken cancellationToken)
        {
            var p = new Params()
                .Add("GroupName", Required(Check(request).GroupName, "GroupName", "ListAttachedGroupPolicies"))
                .Add("PathPrefix", request.PathPrefix)
                .AddPaging(request);
            var r = await _transport.InvokeAsync("ListAttachedGroupPolicies", p, cancellationToken).ConfigureAwait(false);
            var response = new ListAttachedGroupPoliciesResponse
            {
                AttachedPolicies = r.Result.Members("AttachedPolicies").Select(IamXml.ReadAttachedPolicy).ToList(),
            };
            return Paged(response, r);
        }

        // ------------------------------------------------------------------ helpers

        private static T Paged<T>(T response, RawResult r)
            where T : IamPagedResponse
        {
            response.IsTruncated = r.Result.Bool("IsTruncated");
            response.Marker = r.Result.TextOrNull("Marker");
            response.RequestId = r.RequestId;
            return response;
        }

        /// <inheritdoc />
        public async Task<DetachUserPolicyResponse> DetachUserPolicyAsync(DetachUserPolicyRequest request, CancellationToken cancellationToken)
        {
            var p = new Params()
                .Add("UserName", Required(Check(request).UserName, "UserName", "DetachUserPolicy"))
                .Add("PolicyArn", Required(request.PolicyArn, "PolicyArn", "DetachUserPolicy"));
            var r = await _transport.InvokeAsync("DetachUserPolicy", p, cancellationToken).ConfigureAwait(false);
            return new DetachUserPolicyResponse { RequestId = r.RequestId };
        }

        /// <inheritdoc />
        public async Task<DetachGroupPolicyResponse> DetachGroupPolicyAsync(DetachGroupPolicyRequest request, CancellationToken cancellationToken)
        {
            var p = new Params()
                .Add("GroupName", Required(Check(request).GroupName, "GroupName", "DetachGroupPolicy"))
                .Add("PolicyArn", Required(request.PolicyArn, "PolicyArn", "DetachGroupPolicy"));
            var r = await _transport.InvokeAsync("DetachGroupPolicy", p, cancellationToken).ConfigureAwait(false);
            return new DetachGroupPolicyResponse { RequestId = r.RequestId };
        }

        /// <inheritdoc />
        public async Task<ListMFADevicesResponse> ListMFADevicesAsync(ListMFADevicesRequest request, CancellationToken cancellationToken)
        {
            var p = new Params().Add("UserName", Required(Check(request).UserName, "UserName", "ListMFADevices")).AddPaging(request);
            var r = await _transport.InvokeAsync("ListMFADevices", p, cancellationToken).ConfigureAwait(false);
            var response = new ListMFADevicesResponse
            {
                MFADevices = r.Result.Members("MFADevices").Select(e => new MFADevice
                {
                    UserName = e.Text("UserName"),
                    SerialNumber = e.Text("SerialNumber"),
                    EnableDate = e.Date("EnableDate"),
                }).ToList(),
            };
            return Paged(response, r);
        }

        /// <inheritdoc />
        public async Task<DeactivateMFADeviceResponse> DeactivateMFADeviceAsync(DeactivateMFADeviceRequest request, CancellationToken cancellationToken)
        {
            var p = new Params()
                .Add("UserName", Required(Check(request).UserName, "UserName", "DeactivateMFADevice"))
                .Add("SerialNumber", Required(request.SerialNumber, "SerialNumber", "DeactivateMFADevice"));
            var r = await _transport.InvokeAsync("DeactivateMFADevice", p, cancellationToken).ConfigureAwait(false);
            return new DeactivateMFADeviceResponse { RequestId = r.RequestId };
        }

        private static string Required(string? value, string field, string action)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new InputValidationException("IamParameterMissing", field,
                    "IAM " + action + " needs " + field + "; it was empty. Give a non-empty value, for example a name like 'backup-veeam'.");
            }

            return value!;
        }

        private static T Check<T>(T value)
            where T : class
        {
            return value ?? throw new ArgumentNullException("request");
        }
    }
}
