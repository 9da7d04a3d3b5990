using System;
using System.Collections.Generic;
using System.Linq;

namespace BackupIam.Engine.Provisioning
{
    /// <summary>
    /// The bucket tags the module writes, and the one way it changes a bucket's tag set: read, merge, write back. S3's
    /// PutBucketTagging replaces the whole set, so every tag the module does not own is written back as it was read.
    /// </summary>
    public static class BucketTags
    {
        /// <summary>The tag that marks a bucket the module created or configured: <c>backupiam:managed</c>.</summary>
        public const string ManagedKey = "backupiam:managed";

        /// <summary>The managed tag's value: <c>true</c>.</summary>
        public const string ManagedValue = "true";

        /// <summary>
        /// The record that the module itself turned versioning on (<c>backupiam:versioning</c> = <see cref="VersioningEnabledByModule"/>),
        /// so that removing the bucket's backup setup suspends versioning only then.
        /// </summary>
        public const string VersioningKey = "backupiam:versioning";

        /// <summary>The value of <see cref="VersioningKey"/>: <c>enabled-by-module</c>.</summary>
        public const string VersioningEnabledByModule = "enabled-by-module";

        /// <summary>Tags whose key starts with this prefix belong to the module.</summary>
        public const string ModulePrefix = "backupiam:";

        /// <summary>True when the tag set carries <c>backupiam:managed=true</c> (value compared without case).</summary>
        public static bool IsManaged(IReadOnlyDictionary<string, string>? tags) =>
            tags != null && tags.TryGetValue(ManagedKey, out string? value) && string.Equals(value, ManagedValue, StringComparison.OrdinalIgnoreCase);

        /// <summary>True when the tag set records that the module enabled versioning.</summary>
        public static bool VersioningEnabledByUs(IReadOnlyDictionary<string, string>? tags) =>
            tags != null && tags.TryGetValue(VersioningKey, out string? value) && string.Equals(value, VersioningEnabledByModule, StringComparison.Ordinal);

        /// <summary>
        /// The tag set after setting <paramref name="set"/> and removing the keys in <paramref name="remove"/>; every other
        /// tag of <paramref name="existing"/> stays as it was. <see cref="BucketTagMerge.Changed"/> is false when the result
        /// equals what is there (nothing to write).
        /// </summary>
        public static BucketTagMerge Merge(
            IReadOnlyDictionary<string, string>? existing, IReadOnlyDictionary<string, string>? set, IEnumerable<string>? remove)
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            if (existing != null)
            {
                foreach (KeyValuePair<string, string> t in existing)
                {
                    result[t.Key] = t.Value;
                }
            }

            var added = new List<string>();
            var removed = new List<string>();
            foreach (string key in remove ?? Enumerable.Empty<string>())
            {
                if (result.Remove(key))
                {
                    removed.Add(key);
                }
            }

            if (set != null)
            {
                foreach (KeyValuePair<string, string> t in set)
                {
                    if (!result.TryGetValue(t.Key, out string? old) || !string.Equals(old, t.Value, StringComparison.Ordinal))
                    {
                        added.Add(t.Key + "=" + t.Value);
                    }

                    result[t.Key] = t.Value;
                    removed.Remove(t.Key);
                }
            }

            bool changed = added.Count > 0 || removed.Count > 0;
            return new BucketTagMerge(result, changed, added, removed);
        }

        /// <summary>The managed tag as a one-entry set, for <see cref="Merge"/>.</summary>
        public static IReadOnlyDictionary<string, string> Managed() =>
            new Dictionary<string, string>(StringComparer.Ordinal) { [ManagedKey] = ManagedValue };

        /// <summary>The managed tag and the record that the module turned versioning on, as one set (Enable-BackupVersioning's record).</summary>
        public static IReadOnlyDictionary<string, string> ManagedWithVersioningRecord() =>
            new Dictionary<string, string>(StringComparer.Ordinal) { [ManagedKey] = ManagedValue, [VersioningKey] = VersioningEnabledByModule };
    }

    /// <summary>The outcome of <see cref="BucketTags.Merge"/>.</summary>
    public sealed class BucketTagMerge
    {
        internal BucketTagMerge(IReadOnlyDictionary<string, string> tags, bool changed, IReadOnlyList<string> added, IReadOnlyList<string> removed)
        {
            Tags = tags;
            Changed = changed;
            Added = added;
            Removed = removed;
        }

        /// <summary>The whole tag set to write (PutBucketTagging; DeleteBucketTagging when empty).</summary>
        public IReadOnlyDictionary<string, string> Tags { get; }

        /// <summary>False when the set equals what the bucket has.</summary>
        public bool Changed { get; }

        /// <summary>Tags set or changed, as <c>key=value</c>.</summary>
        public IReadOnlyList<string> Added { get; }

        /// <summary>Keys removed.</summary>
        public IReadOnlyList<string> Removed { get; }
    }
}
