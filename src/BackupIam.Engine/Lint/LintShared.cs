using System;
using System.Collections.Generic;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Simulation;

namespace BackupIam.Engine.Lint
{
    /// <summary>Helpers that several lint rules share: action and resource classification.</summary>
    internal static class LintShared
    {
        internal const int AllTypes = -1;

        internal static bool IsS3Action(string action) =>
            action.Length >= 3 && (action[0] == 's' || action[0] == 'S') && action[1] == '3' && action[2] == ':';

        internal static bool HasWildcard(string s) => s.IndexOf('*') >= 0 || s.IndexOf('?') >= 0;

        internal static int Bit(S3ResourceType t) => 1 << (int)t;

        internal static int TypeMask(S3ActionInfo info)
        {
            int mask = 0;
            foreach (S3ResourceType t in info.ResourceTypes)
            {
                mask |= Bit(t);
            }

            return mask;
        }

        /// <summary>The resource types a Resource entry can match, as a bit mask; all bits when unknown.</summary>
        internal static int ResourceMask(string resource, out bool matchesStar)
        {
            matchesStar = false;
            if (resource == "*")
            {
                matchesStar = true;
                return AllTypes;
            }

            if (!resource.StartsWith("arn:", StringComparison.OrdinalIgnoreCase))
            {
                return AllTypes; // Not an ARN: leave it to the grammar check.
            }

            // arn:partition:service:region:account:resource
            int p1 = resource.IndexOf(':', 4);
            int p2 = p1 < 0 ? -1 : resource.IndexOf(':', p1 + 1);
            int p3 = p2 < 0 ? -1 : resource.IndexOf(':', p2 + 1);
            int p4 = p3 < 0 ? -1 : resource.IndexOf(':', p3 + 1);
            if (p4 < 0)
            {
                return AllTypes;
            }

            string service = resource.Substring(p1 + 1, p2 - p1 - 1);
            string region = resource.Substring(p2 + 1, p3 - p2 - 1);
            string account = resource.Substring(p3 + 1, p4 - p3 - 1);
            string rest = resource.Substring(p4 + 1);
            if (HasWildcard(service))
            {
                matchesStar = rest == "*";
                return AllTypes;
            }

            if (string.Equals(service, "s3-object-lambda", StringComparison.OrdinalIgnoreCase))
            {
                return Bit(S3ResourceType.ObjectLambdaAccessPoint);
            }

            if (!string.Equals(service, "s3", StringComparison.OrdinalIgnoreCase))
            {
                return 0;
            }

            if (rest == "*")
            {
                matchesStar = (region.Length == 0 || region == "*") && (account.Length == 0 || account == "*");
                return AllTypes;
            }

            bool wild = HasWildcard(rest);
            if (region.Length == 0 && account.Length == 0)
            {
                int mask = 0;
                if (rest.IndexOf('/') < 0)
                {
                    mask |= Bit(S3ResourceType.Bucket);
                }

                if (rest.IndexOf('/') >= 0 || wild)
                {
                    mask |= Bit(S3ResourceType.Object);
                }

                return mask;
            }

            if (HasWildcard(region) || HasWildcard(account))
            {
                return AllTypes;
            }

            string lower = rest.ToLowerInvariant();
            if (lower.StartsWith("accesspoint/", StringComparison.Ordinal))
            {
                string tail = lower.Substring("accesspoint/".Length);
                bool objectPath = tail.IndexOf("/object/", StringComparison.Ordinal) >= 0;
                int pointType = region.Length == 0 ? Bit(S3ResourceType.MultiRegionAccessPoint) : Bit(S3ResourceType.AccessPoint) | Bit(S3ResourceType.Bucket);
                if (objectPath)
                {
                    return Bit(S3ResourceType.Object);
                }

                return wild ? pointType | Bit(S3ResourceType.Object) : pointType;
            }

            if (lower.StartsWith("job/", StringComparison.Ordinal))
            {
                return Bit(S3ResourceType.Job);
            }

            if (lower.StartsWith("storage-lens", StringComparison.Ordinal))
            {
                return Bit(S3ResourceType.StorageLens);
            }

            if (lower.StartsWith("access-grants/", StringComparison.Ordinal))
            {
                return Bit(S3ResourceType.AccessGrants);
            }

            if (lower.StartsWith("async-request/", StringComparison.Ordinal))
            {
                return Bit(S3ResourceType.Other);
            }

            return AllTypes;
        }

        internal static string DescribeTypes(S3ActionInfo info)
        {
            return info.ResourceTypeNames.Count == 0 ? "\"*\"" : string.Join(" or ", info.ResourceTypeNames);
        }

        internal static bool MatchesAny(List<string> patterns, S3ActionInfo info, S3ActionCatalog catalog)
        {
            foreach (string p in patterns)
            {
                if (p == null)
                {
                    continue;
                }

                if (ContainsInfo(catalog.Match(p), info))
                {
                    return true;
                }
            }

            return false;
        }

        internal static bool ContainsInfo(IReadOnlyList<S3ActionInfo> list, S3ActionInfo info)
        {
            for (int k = 0; k < list.Count; k++)
            {
                if (ReferenceEquals(list[k], info))
                {
                    return true;
                }
            }

            return false;
        }

        internal static bool AllowsAction(PolicyStatement st, S3ActionInfo info, S3ActionCatalog catalog)
        {
            bool listed = MatchesAny(st.Actions, info, catalog);
            return st.IsNotAction ? !listed : listed;
        }

        internal static bool IsDelete(S3ActionInfo info) => info.Name.StartsWith("s3:Delete", StringComparison.OrdinalIgnoreCase);

        internal static string Describe(PolicyContainer container)
        {
            switch (container)
            {
                case PolicyContainer.UserInline: return "user inline";
                case PolicyContainer.GroupInline: return "group inline";
                case PolicyContainer.RoleInline: return "role inline";
                case PolicyContainer.Managed: return "managed";
                default: return "bucket";
            }
        }
    }
}
