using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime.CredentialManagement;
using BackupIam.Engine.Errors;

namespace BackupIam.Engine.Provisioning
{
    /// <summary>Where to store a new access key: a profile in the shared credentials file.</summary>
    public sealed class AccessKeyStoreRequest
    {
        public AccessKeyStoreRequest(string profileName, string? profileLocation, bool overwrite = false)
        {
            ProfileName = profileName;
            ProfileLocation = profileLocation;
            Overwrite = overwrite;
        }

        /// <summary>Replace a profile that holds another key (one not of this user). Without it such a profile is refused.</summary>
        public bool Overwrite { get; }

        public string ProfileName { get; }

        /// <summary>The credentials file; the SDK's default (~/.aws/credentials, or AWS_SHARED_CREDENTIALS_FILE) when null.</summary>
        public string? ProfileLocation { get; }
    }

    /// <summary>
    /// Writes access keys to the shared credentials file through AWSSDK.Core's credential-file support, with owner-only
    /// permissions (mode 0600 on Linux and macOS; on Windows the file inherits the user profile folder's ACL).
    /// </summary>
    public static class CredentialFileStore
    {
        /// <summary>Checks, before any key is created, that the credentials file can be written.</summary>
        public static void CheckWritable(AccessKeyStoreRequest request)
        {
            string path = ResolvePath(request.ProfileLocation);
            if (Directory.Exists(path))
            {
                throw new InputValidationException("CredentialFileNotWritable", "StoreLocation",
                    $"'{path}' is a folder, not a credentials file. Give a file path, for example ~/.aws/credentials.");
            }

            // A folder on the way that is a regular file (…/afile/creds) can never be created: refuse it now, not after
            // a key has been made.
            for (string? parent = Path.GetDirectoryName(path); !string.IsNullOrEmpty(parent); parent = Path.GetDirectoryName(parent))
            {
                if (File.Exists(parent))
                {
                    throw new InputValidationException("CredentialFileNotWritable", "StoreLocation",
                        $"The credentials file '{path}' cannot be created: '{parent}' is a file, not a folder. Give a file path in a folder, for example ~/.aws/credentials.");
                }

                if (Directory.Exists(parent))
                {
                    break;
                }
            }

            try
            {
                // Nothing is created here (this also runs under -WhatIf): the folder is made when the key is stored.
                if (File.Exists(path))
                {
                    using (new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite))
                    {
                    }
                }
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new InputValidationException("CredentialFileNotWritable", "StoreLocation",
                    $"The credentials file '{path}' cannot be written ({ex.Message}). Give a writable -StoreLocation, for example ~/.aws/credentials.");
            }
        }

        /// <summary>
        /// Whether the profile exists in the file, and the access key id it holds (null for a role, SSO or process profile).
        /// </summary>
        public static bool TryReadProfile(AccessKeyStoreRequest request, out string? accessKeyId)
        {
            accessKeyId = null;
            string path = ResolvePath(request.ProfileLocation);
            if (!File.Exists(path))
            {
                return false;
            }

            try
            {
                using (Lock(path))
                {
                    var file = new SharedCredentialsFile(path);
                    if (!file.TryGetProfile(request.ProfileName, out CredentialProfile profile))
                    {
                        return false;
                    }

                    accessKeyId = profile.Options?.AccessKey;
                    return true;
                }
            }
            catch (BackupIamException)
            {
                throw;
            }
            catch (Exception ex) when (!(ex is OutOfMemoryException))
            {
                throw new InputValidationException("CredentialFileUnreadable", "StoreLocation",
                    $"The credentials file '{path}' could not be read ({Describe(path, ex)}). Fix the file, or give another -StoreLocation, for example ~/.aws/backup-credentials.");
            }
        }

        /// <summary>Why the file could not be read, never quoting a line of it (AWSSDK's parse errors quote the line, which may be a secret).</summary>
        private static string Describe(string path, Exception ex) =>
            Aws.CredentialFileDiagnostics.FindProblem(path)
            ?? (ex is InvalidDataException ? "a malformed line; its text is not shown because it may hold a secret" : ex.Message);

        /// <summary>How long a writer waits for another writer's lock on the same credentials file.</summary>
        public static TimeSpan LockWait { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary>
        /// The access key ids that any profile of the file holds (an empty set when there is no file). A key held here
        /// has its secret stored.
        /// </summary>
        public static HashSet<string> HeldKeyIds(AccessKeyStoreRequest request)
        {
            var held = new HashSet<string>(StringComparer.Ordinal);
            string path = ResolvePath(request.ProfileLocation);
            if (!File.Exists(path))
            {
                return held;
            }

            try
            {
                using (Lock(path))
                {
                    var file = new SharedCredentialsFile(path);
                    foreach (CredentialProfile profile in file.ListProfiles())
                    {
                        if (!string.IsNullOrEmpty(profile.Options?.AccessKey))
                        {
                            held.Add(profile.Options!.AccessKey);
                        }
                    }
                }
            }
            catch (BackupIamException)
            {
                throw;
            }
            catch (Exception ex) when (!(ex is OutOfMemoryException))
            {
                throw new InputValidationException("CredentialFileUnreadable", "StoreLocation",
                    $"The credentials file '{path}' could not be read ({Describe(path, ex)}). Fix the file, or give another -StoreLocation, for example ~/.aws/backup-credentials.");
            }

            return held;
        }

        /// <summary>
        /// Stores the key as a profile and returns the file's path. Writers of this module take the file's lock
        /// (&lt;file&gt;.lock) and wait for each other; a write that still meets a change by another program (the SDK's
        /// "modified since it was last read") is re-read and retried. The secret never appears in exceptions.
        /// </summary>
        public static async Task<string> StoreAsync(AccessKeyStoreRequest request, string accessKeyId, string secretAccessKey, CancellationToken cancellationToken)
        {
            string path = ResolvePath(request.ProfileLocation);
            string? folder = Path.GetDirectoryName(path);
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
            }

            using (await FileLock.AcquireAsync(path + ".lock", LockWait, $"the credentials file '{path}'", cancellationToken).ConfigureAwait(false))
            {
                for (int attempt = 1; ; attempt++)
                {
                    try
                    {
                        if (!File.Exists(path))
                        {
                            using (File.Create(path))
                            {
                            }
                        }

                        RestrictToOwner(path);
                        var file = new SharedCredentialsFile(path);
                        var options = new CredentialProfileOptions { AccessKey = accessKeyId, SecretKey = secretAccessKey };
                        file.RegisterProfile(new CredentialProfile(request.ProfileName, options));
                        RestrictToOwner(path);
                        return path;
                    }
                    catch (Exception ex) when (attempt < 10 && IsConcurrentChange(ex))
                    {
                        await Task.Delay(50 * attempt, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
        }

        /// <summary>Blocking form of <see cref="StoreAsync"/>.</summary>
        public static string Store(AccessKeyStoreRequest request, string accessKeyId, string secretAccessKey) =>
            StoreAsync(request, accessKeyId, secretAccessKey, CancellationToken.None).ConfigureAwait(false).GetAwaiter().GetResult();

        private static bool IsConcurrentChange(Exception ex) =>
            ex.Message.IndexOf("modified since it was last read", StringComparison.OrdinalIgnoreCase) >= 0;

        /// <summary>The file's lock for a short read; none where the lock file cannot be made (a read-only folder).</summary>
        private static IDisposable? Lock(string path)
        {
            try
            {
                return FileLock.Acquire(path + ".lock", LockWait, $"the credentials file '{path}'");
            }
            catch (UnauthorizedAccessException)
            {
                return null;
            }
        }

        public static string ResolvePath(string? profileLocation)
        {
            if (!string.IsNullOrEmpty(profileLocation))
            {
                return Path.GetFullPath(ExpandHome(profileLocation!));
            }

            string? fromEnvironment = Environment.GetEnvironmentVariable("AWS_SHARED_CREDENTIALS_FILE");
            if (!string.IsNullOrEmpty(fromEnvironment))
            {
                return Path.GetFullPath(ExpandHome(fromEnvironment!));
            }

            return SharedCredentialsFile.DefaultFilePath;
        }

        private static string ExpandHome(string path)
        {
            if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal) || path.StartsWith("~\\", StringComparison.Ordinal))
            {
                return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.Substring(Math.Min(2, path.Length)));
            }

            return path;
        }

        private static void RestrictToOwner(string path)
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                return;
            }

            // 0600: read and write for the owner only.
            if (chmod(path, Convert.ToInt32("600", 8)) != 0)
            {
                throw new IOException($"Could not restrict '{path}' to its owner (chmod 600 failed with errno {Marshal.GetLastWin32Error()}).");
            }
        }

        [DllImport("libc", SetLastError = true)]
        private static extern int chmod(string pathname, int mode);
    }
}
