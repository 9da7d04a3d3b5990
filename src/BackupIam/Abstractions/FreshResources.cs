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
        /// <summary>
        /// The <see cref="PipelineReads.Want"/> entry of a downstream New-BackupAccessKey that nothing can decline (no
        /// -WhatIf, no question): it would take a new user's lock from New-BackupUser (<see cref="TakeUserLock"/>).
        /// </summary>
        public const string UserLockWanted = "UserLockFromCreate";

        /// <summary>
        /// The <see cref="PipelineReads.Want"/> entry of any cmdlet of the pipeline that may ask a question (-Confirm,
        /// $ConfirmPreference, a stream's preference of Inquire: AwsCmdlet.MayAskToConfirm): then no user lock is handed on, so that none is held while a question waits.
        /// </summary>
        public const string MayAskToConfirm = "MayAskToConfirm";

        /// <summary>
        /// The <see cref="PipelineReads.Want"/> entry of any other downstream cmdlet that may take a user's lock itself
        /// (Invoke-BackupKeyRotation, a New-BackupAccessKey that would not take it over): then no user lock is handed on,
        /// so that such a cmdlet never waits for a lock its own pipeline holds.
        /// </summary>
        public const string UserLockTakenElsewhere = "UserLockTakenElsewhere";

        [ThreadStatic]
        private static HashSet<string>? _current;

        [ThreadStatic]
        private static Dictionary<string, HandedLock>? _locks;

        /// <summary>Marks a resource as just created until the returned scope is disposed.</summary>
        public static IDisposable Announce(string key) => Announce(key, null);

        /// <summary>
        /// Marks a resource as just created until the returned scope is disposed, with the user's lock that the creating
        /// cmdlet took before creating it (issue 16): a downstream cmdlet may take it over once (<see cref="TakeUserLock"/>).
        /// The lock stays the creator's (<paramref name="userLock"/> disposes it) when nobody takes it.
        /// </summary>
        public static IDisposable Announce(string key, HandedLock? userLock)
        {
            _current ??= new HashSet<string>(StringComparer.Ordinal);
            if (!_current.Add(key))
            {
                return new Scope(null);
            }

            if (userLock != null)
            {
                // While this scope holds the key, no other announcement can hand a lock for it.
                _locks ??= new Dictionary<string, HandedLock>(StringComparer.Ordinal);
                _locks[key] = userLock;
            }

            return new Scope(key);
        }

        /// <summary>True while an upstream cmdlet of this pipeline is handing on the record of this resource's creation.</summary>
        public static bool IsFresh(string key) => _current != null && _current.Contains(key);

        /// <summary>
        /// The lock the creator of this just-created user has held since before it created it, now the caller's to release
        /// (null when none was handed on or another cmdlet took it first).
        /// </summary>
        public static Engine.Provisioning.FileLock? TakeUserLock(string key)
        {
            if (_locks == null || !_locks.TryGetValue(key, out HandedLock? handed))
            {
                return null;
            }

            _locks.Remove(key);
            return handed.Take();
        }

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
                    _locks?.Remove(_key); // a lock nobody took stays its creator's, who releases it

                    _key = null;
                }
            }
        }
    }

    /// <summary>
    /// A lock a cmdlet took and may hand to a downstream cmdlet (<see cref="FreshResources.Announce(string, HandedLock)"/>):
    /// whoever has it last releases it. Disposing releases it unless it was taken.
    /// </summary>
    internal sealed class HandedLock : IDisposable
    {
        private Engine.Provisioning.FileLock? _lock;

        public HandedLock(Engine.Provisioning.FileLock fileLock)
        {
            _lock = fileLock;
        }

        /// <summary>The lock, now the caller's (null once taken or released).</summary>
        public Engine.Provisioning.FileLock? Take() => System.Threading.Interlocked.Exchange(ref _lock, null);

        public void Dispose() => Take()?.Dispose();
    }
}
