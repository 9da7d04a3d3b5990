using System;
using System.Collections.Generic;
using System.Linq;
using BackupIam.Engine.Aws.Iam;

namespace BackupIam.Engine.Inspection
{
    /// <summary>
    /// The tag the module puts on every IAM user and role it creates or manages (<c>backupiam:managed</c> = <c>true</c>), so
    /// that Get-BackupUser can list what the module manages. IAM groups cannot carry tags (there is no TagGroup):
    /// Get-BackupGroup finds the module's groups as the groups of managed users.
    /// </summary>
    public static class ManagedTag
    {
        /// <summary>The tag key.</summary>
        public const string Key = "backupiam:managed";

        /// <summary>The tag value.</summary>
        public const string Value = "true";

        /// <summary>A new tag object.</summary>
        public static Tag Create() => new Tag(Key, Value);

        /// <summary>True when the tags hold the managed tag (the value compared without case, as IAM keeps it as given).</summary>
        public static bool IsIn(IEnumerable<Tag>? tags) =>
            tags != null && tags.Any(t => string.Equals(t.Key, Key, StringComparison.Ordinal) && string.Equals(t.Value, Value, StringComparison.OrdinalIgnoreCase));

        /// <summary>The caller's tags plus the managed tag (the caller's own value for the key, if any, is replaced).</summary>
        public static IDictionary<string, string> AddTo(IDictionary<string, string>? tags)
        {
            var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
            if (tags != null)
            {
                foreach (KeyValuePair<string, string> tag in tags)
                {
                    result[tag.Key] = tag.Value;
                }
            }

            result[Key] = Value;
            return result;
        }
    }
}
