using System.Threading;
using System.Threading.Tasks;

namespace BackupIam.Engine.Aws.Iam
{
    /// <summary>Role and OIDC identity provider operations (New-BackupRole), shaped like AWSSDK's.</summary>
    public partial interface IIamClient
    {
        /// <summary>IAM <c>GetRole</c>.</summary>
        Task<GetRoleResponse> GetRoleAsync(GetRoleRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>CreateRole</c>.</summary>
        Task<CreateRoleResponse> CreateRoleAsync(CreateRoleRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>UpdateRole</c> (description, maximum session duration).</summary>
        Task<UpdateRoleResponse> UpdateRoleAsync(UpdateRoleRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>UpdateAssumeRolePolicy</c> (the trust policy).</summary>
        Task<UpdateAssumeRolePolicyResponse> UpdateAssumeRolePolicyAsync(UpdateAssumeRolePolicyRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>PutRolePermissionsBoundary</c>.</summary>
        Task<PutRolePermissionsBoundaryResponse> PutRolePermissionsBoundaryAsync(PutRolePermissionsBoundaryRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>PutRolePolicy</c>.</summary>
        Task<PutRolePolicyResponse> PutRolePolicyAsync(PutRolePolicyRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>GetRolePolicy</c>.</summary>
        Task<GetRolePolicyResponse> GetRolePolicyAsync(GetRolePolicyRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>ListRolePolicies</c> (one page).</summary>
        Task<ListRolePoliciesResponse> ListRolePoliciesAsync(ListRolePoliciesRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>ListOpenIDConnectProviders</c> (the API does not page).</summary>
        Task<ListOpenIDConnectProvidersResponse> ListOpenIDConnectProvidersAsync(ListOpenIDConnectProvidersRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>GetOpenIDConnectProvider</c>.</summary>
        Task<GetOpenIDConnectProviderResponse> GetOpenIDConnectProviderAsync(GetOpenIDConnectProviderRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>CreateOpenIDConnectProvider</c>.</summary>
        Task<CreateOpenIDConnectProviderResponse> CreateOpenIDConnectProviderAsync(CreateOpenIDConnectProviderRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>AddClientIDToOpenIDConnectProvider</c>.</summary>
        Task<AddClientIDToOpenIDConnectProviderResponse> AddClientIDToOpenIDConnectProviderAsync(AddClientIDToOpenIDConnectProviderRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>UpdateOpenIDConnectProviderThumbprint</c>.</summary>
        Task<UpdateOpenIDConnectProviderThumbprintResponse> UpdateOpenIDConnectProviderThumbprintAsync(UpdateOpenIDConnectProviderThumbprintRequest request, CancellationToken cancellationToken);
    }
}
