using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;

namespace BackupIam.Engine.Aws
{
    /// <summary>How a session's credentials were found: given explicitly (never cached), resolved now, or reused.</summary>
    public enum CredentialResolution
    {
        /// <summary>Explicit keys or a credentials object: nothing to resolve, nothing cached.</summary>
        Explicit,

        /// <summary>Resolved by this call (a profile, web identity or the default chain) and kept for later calls.</summary>
        Resolved,

        /// <summary>Served from the cache: an earlier call in this process resolved the same inputs.</summary>
        Cached,
    }

    /// <summary>
    /// Credentials resolved once per process (one PowerShell session) for the same inputs: a profile (by name and
    /// location), web identity (token file, role, session name) and AWSSDK.Core's default chain. What is kept is the
    /// SDK's credentials OBJECT, never copied values, so temporary credentials (assume-role, SSO, web identity,
    /// container) are refreshed by the SDK when they expire, and a secret lives exactly as long as that object.
    /// Explicit keys are never kept here (there is nothing to resolve).
    /// <para>
    /// An entry is valid only while the files it was read from are unchanged: each entry holds the path, size and
    /// last-write time of the shared credentials and config files (and the web identity token file); any difference, a
    /// file created or deleted included, resolves again and replaces the entry. A failed resolution is never cached.
    /// </para>
    /// </summary>
    internal static class SessionCredentialCache
    {
        private static readonly ConcurrentDictionary<string, Entry> Entries = new ConcurrentDictionary<string, Entry>(StringComparer.Ordinal);

        /// <summary>A resolved profile: the profile (its region too) and its credentials object, made on first need.</summary>
        internal sealed class ProfileEntry
        {
            private readonly object _gate = new object();
            private readonly CredentialProfileStoreChain _chain;
            private AWSCredentials? _credentials;

            internal ProfileEntry(CredentialProfileStoreChain chain, CredentialProfile profile)
            {
                _chain = chain;
                Profile = profile;
            }

            public CredentialProfile Profile { get; }

            /// <summary>The profile's credentials object, made once; false (not remembered) when the profile has none.</summary>
            public bool TryGetCredentials(out AWSCredentials credentials, out bool reused)
            {
                lock (_gate)
                {
                    reused = _credentials != null;
                    if (_credentials == null && _chain.TryGetAWSCredentials(Profile.Name, out AWSCredentials made))
                    {
                        _credentials = made;
                    }

                    credentials = _credentials!;
                    return _credentials != null;
                }
            }
        }

        private sealed class Entry
        {
            public Entry(string stamp, object value)
            {
                Stamp = stamp;
                Value = value;
            }

            public string Stamp { get; }

            public object Value { get; }
        }

        /// <summary>
        /// The profile <paramref name="profileName"/> from <paramref name="profileLocation"/> (null: the SDK's default
        /// files), read once while its files are unchanged; false when no such profile exists (never cached).
        /// </summary>
        public static bool TryGetProfile(string profileName, string? profileLocation, out ProfileEntry entry, out bool reused)
        {
            string key = "profile\n" + profileName + "\n" + (profileLocation ?? "");
            string stamp = Stamp(ProfileFiles(profileLocation));
            if (Entries.TryGetValue(key, out Entry? found) && found.Stamp == stamp)
            {
                entry = (ProfileEntry)found.Value;
                reused = true;
                return true;
            }

            reused = false;
            var chain = new CredentialProfileStoreChain(profileLocation);
            if (!chain.TryGetProfile(profileName, out CredentialProfile profile))
            {
                Entries.TryRemove(key, out _);
                entry = null!;
                return false;
            }

            entry = new ProfileEntry(chain, profile);
            Entries[key] = new Entry(stamp, entry);
            return true;
        }

        /// <summary>A credentials object for other inputs (web identity, the default chain), made once per key and stamp.</summary>
        public static AWSCredentials GetOrCreate(string key, IEnumerable<string> files, Func<AWSCredentials> create, out bool reused)
        {
            string stamp = Stamp(files);
            if (Entries.TryGetValue(key, out Entry? found) && found.Stamp == stamp)
            {
                reused = true;
                return (AWSCredentials)found.Value;
            }

            reused = false;
            AWSCredentials made = create();
            Entries[key] = new Entry(stamp, made);
            return made;
        }

        /// <summary>Forgets everything (tests).</summary>
        internal static void Clear()
        {
            Entries.Clear();
        }

        /// <summary>
        /// The files AWSSDK.Core reads for a profile: the given credentials file and the config file beside it, or the
        /// shared credentials and config files (AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE, ~/.aws/), and on Windows
        /// the SDK's own encrypted store.
        /// </summary>
        internal static IEnumerable<string> ProfileFiles(string? profileLocation)
        {
            if (!string.IsNullOrEmpty(profileLocation))
            {
                yield return profileLocation!;
                string? dir = Path.GetDirectoryName(Path.GetFullPath(profileLocation));
                if (dir != null)
                {
                    yield return Path.Combine(dir, "config");
                }
            }

            string home = Environment.GetEnvironmentVariable("HOME") ?? Environment.GetEnvironmentVariable("USERPROFILE")
                ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            yield return NonEmpty(Environment.GetEnvironmentVariable("AWS_SHARED_CREDENTIALS_FILE")) ?? Path.Combine(home, ".aws", "credentials");
            yield return NonEmpty(Environment.GetEnvironmentVariable("AWS_CONFIG_FILE")) ?? Path.Combine(home, ".aws", "config");
            string local = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
            if (!string.IsNullOrEmpty(local))
            {
                yield return Path.Combine(local, "AWSToolkit", "RegisteredAccounts.json");
            }
        }

        /// <summary>Path, size and last-write time (UTC ticks) of each file; "missing" for one that does not exist.</summary>
        internal static string Stamp(IEnumerable<string> files)
        {
            var sb = new StringBuilder();
            foreach (string path in files)
            {
                sb.Append(path).Append('|');
                try
                {
                    var info = new FileInfo(path);
                    sb.Append(info.Exists ? info.Length + ":" + info.LastWriteTimeUtc.Ticks : "missing");
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is ArgumentException || ex is NotSupportedException)
                {
                    sb.Append("unreadable");
                }

                sb.Append('\n');
            }

            return sb.ToString();
        }

        private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
    }
}
