using System;
using System.IO;
using System.Runtime.InteropServices;
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
                var file = new SharedCredentialsFile(path);
                if (!file.TryGetProfile(request.ProfileName, out CredentialProfile profile))
                {
                    return false;
                }

                accessKeyId = profile.Options?.AccessKey;
                return true;
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

        /// <summary>Stores the key as a profile and returns the file's path. The secret never appears in exceptions.</summary>
        public static string Store(AccessKeyStoreRequest request, string accessKeyId, string secretAccessKey)
        {
            string path = ResolvePath(request.ProfileLocation);
            string? folder = Path.GetDirectoryName(path);
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
            }

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
