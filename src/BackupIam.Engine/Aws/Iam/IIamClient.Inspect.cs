using System.Threading;
using System.Threading.Tasks;

namespace BackupIam.Engine.Aws.Iam
{
    /// <summary>Read operations behind Get-BackupUser/Get-BackupGroup and the managed tag (issue 15), shaped like AWSSDK's.</summary>
    public partial interface IIamClient
    {
        /// <summary>IAM <c>ListUserTags</c> (one page).</summary>
        Task<ListUserTagsResponse> ListUserTagsAsync(ListUserTagsRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>ListGroups</c> (one page).</summary>
        Task<ListGroupsResponse> ListGroupsAsync(ListGroupsRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>GetPolicy</c> (a managed policy's metadata, with its default version id).</summary>
        Task<GetPolicyResponse> GetPolicyAsync(GetPolicyRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>GetPolicyVersion</c> (a managed policy version's document).</summary>
        Task<GetPolicyVersionResponse> GetPolicyVersionAsync(GetPolicyVersionRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>TagRole</c>.</summary>
        Task<TagRoleResponse> TagRoleAsync(TagRoleRequest request, CancellationToken cancellationToken);

        /// <summary>IAM <c>ListRoleTags</c> (one page).</summary>
        Task<ListRoleTagsResponse> ListRoleTagsAsync(ListRoleTagsRequest request, CancellationToken cancellationToken);
    }
}
