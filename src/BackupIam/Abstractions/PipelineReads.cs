using System;
using System.Collections.Generic;
using System.Threading.Tasks;

namespace BackupIam.Abstractions
{
    /// <summary>
    /// Reads of an existing user or bucket that a later cmdlet of the same pipeline will make, sent early and together
    /// (issue 16; for a bucket: Enable-BackupVersioning's GetBucketVersioning and Set-BackupLifecycle's
    /// GetBucketLifecycleConfiguration, sent by New-BackupBucket with its own reads of an existing bucket).
    /// A downstream cmdlet that plans from a piped user (Add-BackupUserToGroup: ListGroupsForUser; New-BackupAccessKey:
    /// the planning ListAccessKeys) says so in its BeginProcessing, which PowerShell runs for every cmdlet of a pipeline
    /// before any record flows (<see cref="Want"/>); Set-BackupUserPolicy/Set-BackupGroupPolicy want GetUserPolicy/
    /// GetGroupPolicy of a policy named on the command line (<see cref="ForPolicy"/>). New-BackupUser (New-BackupGroup,
    /// New-BackupBucket) starts those reads together with its existence check, drops them unread when the resource does not
    /// exist (round 4), and otherwise offers them while it writes the resource's record (<see cref="Offer"/>), the
    /// same scope as <see cref="FreshResources"/>: the downstream cmdlet takes the answer (<see cref="Take"/>, once) instead
    /// of sending the same request a few round trips later. Nothing in between writes a user's groups or keys. A read
    /// nobody takes is dropped; its failure is the downstream cmdlet's to report, exactly as if it had sent it.
    /// </summary>
    internal static class PipelineReads
    {
        public const string GroupsForUser = "ListGroupsForUser";
        public const string AccessKeys = "ListAccessKeys";
        public const string BucketVersioning = "GetBucketVersioning";
        public const string BucketLifecycle = "GetBucketLifecycleConfiguration";
        public const string UserPolicy = "GetUserPolicy";
        public const string GroupPolicy = "GetGroupPolicy";

        /// <summary>An inline policy read's entry (<see cref="UserPolicy"/> or <see cref="GroupPolicy"/>): the policy's name is part of it.</summary>
        public static string ForPolicy(string read, string policyName) => read + "\n" + policyName;

        /// <summary>The policy names for which a cmdlet of this pipeline wants <paramref name="read"/> (<see cref="ForPolicy"/>).</summary>
        public static IReadOnlyList<string> WantedPolicyNames(string read)
        {
            var names = new List<string>();
            if (_wanted != null)
            {
                string prefix = read + "\n";
                foreach (string entry in _wanted.Keys)
                {
                    if (entry.StartsWith(prefix, StringComparison.Ordinal))
                    {
                        names.Add(entry.Substring(prefix.Length));
                    }
                }
            }

            return names;
        }

        /// <summary>A bucket read's entry: the expected owner is part of it, so a read sent with another owner's header (or none) is never taken.</summary>
        public static string ForOwner(string read, string? expectedBucketOwner) => read + "\n" + (expectedBucketOwner ?? "");

        [ThreadStatic]
        private static Dictionary<string, int>? _wanted;

        [ThreadStatic]
        private static Dictionary<string, Task>? _offered;

        /// <summary>Says that a cmdlet of this pipeline will make <paramref name="read"/> for piped users until the scope ends.</summary>
        public static IDisposable Want(string read)
        {
            _wanted ??= new Dictionary<string, int>(StringComparer.Ordinal);
            _wanted.TryGetValue(read, out int count);
            _wanted[read] = count + 1;
            return new Scope(() =>
            {
                if (_wanted != null && _wanted.TryGetValue(read, out int n))
                {
                    if (n <= 1)
                    {
                        _wanted.Remove(read);
                    }
                    else
                    {
                        _wanted[read] = n - 1;
                    }
                }
            });
        }

        public static bool IsWanted(string read) => _wanted != null && _wanted.ContainsKey(read);

        /// <summary>
        /// A read started before the resource is known to exist (issue 16): its failure is observed here, so that a read the
        /// cmdlet drops unread (the resource is missing, or planning failed) never surfaces; whoever awaits it still gets it.
        /// </summary>
        public static Task<T> Started<T>(Task<T> task)
        {
            _ = task.ContinueWith(t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
            return task;
        }

        /// <summary>Offers a started read of a resource (its <see cref="Engine.Provisioning.FreshResourceKey"/>) until the scope ends.</summary>
        public static IDisposable Offer(string key, string read, Task task)
        {
            // Observed here so that a read nobody takes never surfaces as an unobserved task exception.
            _ = task.ContinueWith(t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
            _offered ??= new Dictionary<string, Task>(StringComparer.Ordinal);
            string entry = key + "\n" + read;
            _offered[entry] = task;
            return new Scope(() => _offered?.Remove(entry));
        }

        /// <summary>The offered read, removed (a second cmdlet reads for itself, after the first one's writes); null when none.</summary>
        public static Task<T>? Take<T>(string key, string read)
        {
            string entry = key + "\n" + read;
            if (_offered == null || !_offered.TryGetValue(entry, out Task? task))
            {
                return null;
            }

            _offered.Remove(entry);
            return task as Task<T>;
        }

        private sealed class Scope : IDisposable
        {
            private Action? _end;

            public Scope(Action end)
            {
                _end = end;
            }

            public void Dispose()
            {
                _end?.Invoke();
                _end = null;
            }
        }

        /// <summary>
        /// Not a read: the versioning record (issue 16). Enable-BackupVersioning wants it, for a bucket it receives from
        /// the pipeline, only when nothing can decline its write (no -WhatIf, no question to ask); New-BackupBucket then
        /// writes <c>backupiam:versioning=enabled-by-module</c> with the managed tag of a bucket it creates, and offers this
        /// entry (<see cref="ForOwner"/>, a completed task) only once that write succeeded, so that Enable-BackupVersioning
        /// sends PutBucketVersioning alone. Without the offer it writes the record itself, as before.
        /// </summary>
        public const string VersioningRecord = "VersioningRecord";
    }
}
