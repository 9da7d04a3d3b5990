using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;

namespace BackupIam.Engine.Provisioning
{
    /// <summary>
    /// The small per-user files of BackupIam's state folder (the access key journal, rotations in progress): their
    /// names, their <c>name=value</c> lines, and how they are replaced. No secret is ever written to them. Locks are
    /// <see cref="FileLock"/>.
    /// </summary>
    internal static class StateFiles
    {
        /// <summary>
        /// A file-name-safe stem for a user at an IAM endpoint (<paramref name="scope"/>): the readable part of the name
        /// (IAM user names are [\w+=,.@-]) and 16 hex digits of a SHA-256 of scope and name.
        /// </summary>
        public static string Stem(string scope, string userName)
        {
            using (SHA256 sha = SHA256.Create())
            {
                byte[] hash = sha.ComputeHash(Encoding.UTF8.GetBytes(scope + "\n" + userName));
                string hex = string.Concat(hash.Take(8).Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
                string safe = new string(userName.Select(c => char.IsLetterOrDigit(c) || c == '-' || c == '_' || c == '.' ? c : '_').ToArray());
                return safe + "-" + hex;
            }
        }

        /// <summary>The <c>name=value</c> lines of a state file, in order (lines without a name are skipped).</summary>
        public static IEnumerable<KeyValuePair<string, string>> Fields(IEnumerable<string> lines)
        {
            foreach (string line in lines)
            {
                int eq = line.IndexOf('=');
                if (eq > 0)
                {
                    yield return new KeyValuePair<string, string>(line.Substring(0, eq), line.Substring(eq + 1));
                }
            }
        }

        /// <summary>A UTC time as the files write it (round-trip format).</summary>
        public static string FormatUtc(DateTime utc) => utc.ToString("o", CultureInfo.InvariantCulture);

        public static bool TryParseUtc(string value, out DateTime utc) =>
            DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out utc);

        /// <summary>Writes the whole file to a temporary file next to it and moves that into place (throws IO errors).</summary>
        public static void Replace(string path, string text)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            string temp = path + ".tmp";
            File.WriteAllText(temp, text);
            if (File.Exists(path))
            {
                File.Delete(path);
            }

            File.Move(temp, path);
        }

        /// <summary>Deletes the file; one that cannot be deleted is left (the callers' entries are safe to find again).</summary>
        public static void TryDelete(string path)
        {
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
            }
        }
    }
}
