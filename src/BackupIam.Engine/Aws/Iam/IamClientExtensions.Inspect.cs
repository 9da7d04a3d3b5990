using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace BackupIam.Engine.Aws.Iam
{
    /// <summary>Paging helpers for the reads behind Get-BackupUser/Get-BackupGroup.</summary>
    public static partial class IamClientExtensions
    {
        /// <summary>All tags of a user.</summary>
        public static Task<IReadOnlyList<Tag>> ListAllUserTagsAsync(this IIamClient client, string userName, CancellationToken cancellationToken)
        {
            return CollectAsync("ListUserTags",
                (marker, ct) => client.ListUserTagsAsync(new ListUserTagsRequest { UserName = userName, Marker = marker }, ct),
                r => r.Tags, cancellationToken);
        }

        /// <summary>All tags of a role.</summary>
        public static Task<IReadOnlyList<Tag>> ListAllRoleTagsAsync(this IIamClient client, string roleName, CancellationToken cancellationToken)
        {
            return CollectAsync("ListRoleTags",
                (marker, ct) => client.ListRoleTagsAsync(new ListRoleTagsRequest { RoleName = roleName, Marker = marker }, ct),
                r => r.Tags, cancellationToken);
        }

        /// <summary>All groups, optionally under a path prefix.</summary>
        public static Task<IReadOnlyList<Group>> ListAllGroupsAsync(this IIamClient client, string? pathPrefix, CancellationToken cancellationToken)
        {
            return CollectAsync("ListGroups",
                (marker, ct) => client.ListGroupsAsync(new ListGroupsRequest { PathPrefix = pathPrefix, Marker = marker }, ct),
                r => r.Groups, cancellationToken);
        }
    }
}
