using System;
using System.Collections.Concurrent;

namespace BackupIam.Abstractions
{
    /// <summary>
    /// Buckets known to exist in this session (issue 16): created by New-BackupBucket, found by it or by Get-BackupBucket,
    /// or found by an earlier missing-bucket check, keyed per endpoint and access key ID (<see cref="Engine.Provisioning.FreshResourceKey"/>).
    /// Only the advisory "policy for a bucket that does not exist" warning of the Set-*Policy cmdlets trusts it, to skip
    /// its HeadBucket: a bucket deleted later in the session (outside the module) only costs that warning, never a write
    /// or a wrong result. Bounded: past <see cref="Limit"/> names it starts again empty.
    /// </summary>
    internal static class KnownBuckets
    {
        internal const int Limit = 10000;

        private static readonly ConcurrentDictionary<string, bool> Known = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);

        public static void Add(string key)
        {
            if (Known.Count >= Limit)
            {
                Known.Clear();
            }

            Known[key] = true;
        }

        public static bool Contains(string key) => Known.ContainsKey(key);
    }
}
