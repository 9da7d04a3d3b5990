using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace BackupIam.Engine.Aws.Iam
{
    /// <summary>Paging helpers for role operations.</summary>
    public static partial class IamClientExtensions
    {
        /// <summary>Names of all inline policies of a role.</summary>
        public static Task<IReadOnlyList<string>> ListAllRolePolicyNamesAsync(this IIamClient client, string roleName, CancellationToken cancellationToken)
        {
            return CollectAsync("ListRolePolicies",
                (marker, ct) => client.ListRolePoliciesAsync(new ListRolePoliciesRequest { RoleName = roleName, Marker = marker }, ct),
                r => r.PolicyNames, cancellationToken);
        }
    }
}
