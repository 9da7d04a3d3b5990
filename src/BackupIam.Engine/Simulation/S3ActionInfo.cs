using System;
using System.Collections.Generic;

namespace BackupIam.Engine.Simulation
{
    /// <summary>The kind of resource an S3 action can be scoped to in a policy's Resource element.</summary>
    public enum S3ResourceType
    {
        /// <summary>The action supports only <c>"Resource": "*"</c> (no resource-level permissions).</summary>
        Any,

        /// <summary>A bucket: <c>arn:aws:s3:::bucket</c>.</summary>
        Bucket,

        /// <summary>An object: <c>arn:aws:s3:::bucket/key</c>.</summary>
        Object,

        /// <summary>An access point: <c>arn:aws:s3:region:account:accesspoint/name</c>.</summary>
        AccessPoint,

        /// <summary>A Multi-Region Access Point: <c>arn:aws:s3::account:accesspoint/alias</c>.</summary>
        MultiRegionAccessPoint,

        /// <summary>A Batch Operations job: <c>arn:aws:s3:region:account:job/id</c>.</summary>
        Job,

        /// <summary>A Storage Lens configuration or Storage Lens group.</summary>
        StorageLens,

        /// <summary>An Access Grants instance, location or grant.</summary>
        AccessGrants,

        /// <summary>An Object Lambda access point: <c>arn:aws:s3-object-lambda:region:account:accesspoint/name</c>.</summary>
        ObjectLambdaAccessPoint,

        /// <summary>Any other resource type (for example a Multi-Region Access Point request ARN).</summary>
        Other,
    }

    /// <summary>One action of the <c>s3</c> service prefix, as listed in the AWS Service Authorization Reference.</summary>
    public sealed class S3ActionInfo
    {
        private readonly HashSet<string> _exactKeys;
        private readonly string[] _keyPrefixes;

        internal S3ActionInfo(
            string name,
            string accessLevel,
            IReadOnlyList<S3ResourceType> resourceTypes,
            IReadOnlyList<string> resourceTypeNames,
            IReadOnlyList<string> conditionKeys)
        {
            Name = name;
            AccessLevel = accessLevel;
            ResourceTypes = resourceTypes;
            ResourceTypeNames = resourceTypeNames;
            ConditionKeys = conditionKeys;
            _exactKeys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var prefixes = new List<string>();
            foreach (string key in conditionKeys)
            {
                // Tag-style keys are written "s3:ExistingObjectTag/<key>" or "aws:RequestTag/${TagKey}".
                int slash = key.IndexOf('/');
                if (slash > 0 && (key.IndexOf('<', slash) > 0 || key.IndexOf("${", slash, StringComparison.Ordinal) > 0))
                {
                    prefixes.Add(key.Substring(0, slash + 1));
                }
                else
                {
                    _exactKeys.Add(key);
                }
            }

            _keyPrefixes = prefixes.ToArray();
        }

        /// <summary>The full action name with its prefix, e.g. <c>s3:PutObject</c>.</summary>
        public string Name { get; }

        /// <summary>The access level: List, Read, Write, Permissions management or Tagging.</summary>
        public string AccessLevel { get; }

        /// <summary>The resource types the action can be scoped to; empty when it supports only <c>"*"</c>.</summary>
        public IReadOnlyList<S3ResourceType> ResourceTypes { get; }

        /// <summary>The resource type names as the reference writes them (bucket, object, accesspoint, storagelensgroup, ...).</summary>
        public IReadOnlyList<string> ResourceTypeNames { get; }

        /// <summary>Condition keys the action supports, as written in the reference (e.g. <c>s3:ExistingObjectTag/&lt;key&gt;</c>).</summary>
        public IReadOnlyList<string> ConditionKeys { get; }

        /// <summary>True when the action supports only <c>"Resource": "*"</c>.</summary>
        public bool SupportsOnlyAnyResource => ResourceTypes.Count == 0;

        /// <summary>
        /// True when the action can apply to a resource of type <paramref name="type"/>.
        /// For <see cref="S3ResourceType.Any"/>, true only when the action supports no resource-level permissions.
        /// </summary>
        public bool AppliesTo(S3ResourceType type)
        {
            if (type == S3ResourceType.Any)
            {
                return ResourceTypes.Count == 0;
            }

            for (int i = 0; i < ResourceTypes.Count; i++)
            {
                if (ResourceTypes[i] == type)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// True when <paramref name="key"/> (case-insensitive) is one of the action's condition keys; tag-style keys
        /// such as <c>s3:ExistingObjectTag/&lt;key&gt;</c> match any tag name (<c>s3:ExistingObjectTag/backup</c>).
        /// </summary>
        public bool SupportsConditionKey(string key)
        {
            if (string.IsNullOrEmpty(key))
            {
                return false;
            }

            if (_exactKeys.Contains(key))
            {
                return true;
            }

            foreach (string prefix in _keyPrefixes)
            {
                if (key.Length > prefix.Length && key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }

            return false;
        }

        /// <inheritdoc/>
        public override string ToString() => Name;
    }
}
