using System;
using System.Collections.Generic;

namespace BackupIam.Abstractions
{
    /// <summary>
    /// Resources that an earlier cmdlet of the same pipeline has just created, while the record that reports the creation
    /// flows down the pipeline (issue 16). A new user has no groups, keys or inline policies, a new group no inline
    /// policies, a new bucket no versioning or lifecycle rules: a later cmdlet that receives that record needs no read to
    /// learn it. The scope is exactly the creating cmdlet's WriteObject call (downstream cmdlets process the record
    /// synchronously on the pipeline's thread), so a later statement, a re-run or anything that collects its input first
    /// (Sort-Object, a variable) reads as before.
    /// </summary>
    internal static class FreshResources
    {
        [ThreadStatic]
        private static HashSet<string>? _current;

        /// <summary>Marks a resource as just created until the returned scope is disposed.</summary>
        public static IDisposable Announce(string key)
        {
            _current ??= new HashSet<string>(StringComparer.Ordinal);
            return _current.Add(key) ? new Scope(key) : new Scope(null);
        }

        /// <summary>True while an upstream cmdlet of this pipeline is handing on the record of this resource's creation.</summary>
        public static bool IsFresh(string key) => _current != null && _current.Contains(key);

        private sealed class Scope : IDisposable
        {
            private string? _key;

            public Scope(string? key)
            {
                _key = key;
            }

            public void Dispose()
            {
                if (_key != null)
                {
                    _current?.Remove(_key);
                    _key = null;
                }
            }
        }
    }
}
