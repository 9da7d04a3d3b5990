using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using BackupIam.Engine.Errors;

namespace BackupIam.Engine.Aws.Iam
{
    /// <summary>
    /// Helpers that follow IAM's <c>Marker</c>/<c>IsTruncated</c> paging to the end and return every item.
    /// Work with any <see cref="IIamClient"/>.
    /// </summary>
    public static partial class IamClientExtensions
    {
        /// <summary>Safety stop: no IAM listing the engine makes needs more pages than this.</summary>
        public const int MaxPages = 1000;

        /// <summary>All users, optionally under a path prefix.</summary>
        public static Task<IReadOnlyList<User>> ListAllUsersAsync(this IIamClient client, string? pathPrefix, CancellationToken cancellationToken)
        {
            return CollectAsync("ListUsers",
                (marker, ct) => client.ListUsersAsync(new ListUsersRequest { PathPrefix = pathPrefix, Marker = marker }, ct),
                r => r.Users, cancellationToken);
        }

        /// <summary>All access keys of a user (null: the caller's own).</summary>
        public static Task<IReadOnlyList<AccessKeyMetadata>> ListAllAccessKeysAsync(this IIamClient client, string? userName, CancellationToken cancellationToken)
        {
            return CollectAsync("ListAccessKeys",
                (marker, ct) => client.ListAccessKeysAsync(new ListAccessKeysRequest { UserName = userName, Marker = marker }, ct),
                r => r.AccessKeyMetadata, cancellationToken);
        }

        /// <summary>All members of a group.</summary>
        public static Task<IReadOnlyList<User>> ListAllGroupUsersAsync(this IIamClient client, string groupName, CancellationToken cancellationToken)
        {
            return CollectAsync("GetGroup",
                (marker, ct) => client.GetGroupAsync(new GetGroupRequest { GroupName = groupName, Marker = marker }, ct),
                r => r.Users, cancellationToken);
        }

        /// <summary>All groups a user belongs to.</summary>
        public static Task<IReadOnlyList<Group>> ListAllGroupsForUserAsync(this IIamClient client, string userName, CancellationToken cancellationToken)
        {
            return CollectAsync("ListGroupsForUser",
                (marker, ct) => client.ListGroupsForUserAsync(new ListGroupsForUserRequest { UserName = userName, Marker = marker }, ct),
                r => r.Groups, cancellationToken);
        }

        /// <summary>Names of all inline policies of a group.</summary>
        public static Task<IReadOnlyList<string>> ListAllGroupPolicyNamesAsync(this IIamClient client, string groupName, CancellationToken cancellationToken)
        {
            return CollectAsync("ListGroupPolicies",
                (marker, ct) => client.ListGroupPoliciesAsync(new ListGroupPoliciesRequest { GroupName = groupName, Marker = marker }, ct),
                r => r.PolicyNames, cancellationToken);
        }

        /// <summary>Names of all inline policies of a user.</summary>
        public static Task<IReadOnlyList<string>> ListAllUserPolicyNamesAsync(this IIamClient client, string userName, CancellationToken cancellationToken)
        {
            return CollectAsync("ListUserPolicies",
                (marker, ct) => client.ListUserPoliciesAsync(new ListUserPoliciesRequest { UserName = userName, Marker = marker }, ct),
                r => r.PolicyNames, cancellationToken);
        }

        /// <summary>All managed policies attached to a user.</summary>
        public static Task<IReadOnlyList<AttachedPolicyType>> ListAllAttachedUserPoliciesAsync(this IIamClient client, string userName, CancellationToken cancellationToken)
        {
            return CollectAsync("ListAttachedUserPolicies",
                (marker, ct) => client.ListAttachedUserPoliciesAsync(new ListAttachedUserPoliciesRequest { UserName = userName, Marker = marker }, ct),
                r => r.AttachedPolicies, cancellationToken);
        }

        /// <summary>All managed policies attached to a group.</summary>
        public static Task<IReadOnlyList<AttachedPolicyType>> ListAllAttachedGroupPoliciesAsync(this IIamClient client, string groupName, CancellationToken cancellationToken)
        {
            return CollectAsync("ListAttachedGroupPolicies",
                (marker, ct) => client.ListAttachedGroupPoliciesAsync(new ListAttachedGroupPoliciesRequest { GroupName = groupName, Marker = marker }, ct),
                r => r.AttachedPolicies, cancellationToken);
        }

        /// <summary>All MFA devices of a user.</summary>
        public static Task<IReadOnlyList<MFADevice>> ListAllMFADevicesAsync(this IIamClient client, string userName, CancellationToken cancellationToken)
        {
            return CollectAsync("ListMFADevices",
                (marker, ct) => client.ListMFADevicesAsync(new ListMFADevicesRequest { UserName = userName, Marker = marker }, ct),
                r => r.MFADevices, cancellationToken);
        }

        /// <summary>Whether the user has a console password (GetLoginProfile; NoSuchEntity means none).</summary>
        public static async Task<bool> HasLoginProfileAsync(this IIamClient client, string userName, CancellationToken cancellationToken)
        {
            try
            {
                await client.GetLoginProfileAsync(new GetLoginProfileRequest { UserName = userName }, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (NoSuchEntityException)
            {
                return false;
            }
        }

        private static async Task<IReadOnlyList<TItem>> CollectAsync<TResponse, TItem>(
            string action,
            Func<string?, CancellationToken, Task<TResponse>> fetch,
            Func<TResponse, IEnumerable<TItem>> items,
            CancellationToken cancellationToken)
            where TResponse : IamPagedResponse
        {
            var all = new List<TItem>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            string? marker = null;
            for (int page = 0; page < MaxPages; page++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                TResponse response = await fetch(marker, cancellationToken).ConfigureAwait(false);
                all.AddRange(items(response));
                if (!response.IsTruncated)
                {
                    return all;
                }

                if (string.IsNullOrEmpty(response.Marker) || !seen.Add(response.Marker!))
                {
                    throw new BackupIamException("IamPagingBroken", FailureKind.InvalidData,
                        "IAM " + action + " said more results follow (IsTruncated) but gave " + (string.IsNullOrEmpty(response.Marker) ? "no" : "a repeated")
                        + " Marker; stopped after " + all.Count + " items to avoid looping.");
                }

                marker = response.Marker;
            }

            throw new BackupIamException("IamPagingBroken", FailureKind.LimitExceeded,
                "IAM " + action + " returned more than " + MaxPages + " pages; stopped after " + all.Count + " items.");
        }
    }
}
