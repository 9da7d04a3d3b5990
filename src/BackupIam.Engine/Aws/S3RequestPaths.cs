using System;
using BackupIam.Engine.Errors;

namespace BackupIam.Engine.Aws
{
    /// <summary>
    /// The S3 gateway's last line of defence: no bucket name or object key may change which bucket or which path a request
    /// addresses. AWSSDK.S3 percent-encodes every key character that has a meaning in a URL (<c>?</c>, <c>#</c>, <c>%</c>,
    /// <c>\</c>, spaces), but it keeps <c>/</c>, and .NET's <see cref="Uri"/> then removes <c>.</c> and <c>..</c> segments:
    /// with path-style addressing <c>my-backups</c> + <c>../victim-bucket/planted/</c> became <c>PUT /victim-bucket/planted/</c>.
    /// So a key with such a segment is refused here, as is an empty key (which would address the bucket itself), a key with a leading slash (which the SDK drops) and a bucket
    /// name that could leave its path segment. Parameter-level validation, with its own clearer errors, happens earlier.
    /// </summary>
    public static class S3RequestPaths
    {
        /// <summary>Throws an <see cref="InputValidationException"/> when the bucket or key could change the request's path.</summary>
        /// <param name="operation">The S3 operation, for the message.</param>
        /// <param name="bucketName">The bucket.</param>
        /// <param name="key">The object key, or null for a bucket-level request.</param>
        public static void Check(string operation, string bucketName, string? key)
        {
            if (string.IsNullOrEmpty(bucketName) || bucketName == "." || bucketName == ".."
                || bucketName.IndexOfAny(new[] { '/', '\\', '?', '#', '%' }) >= 0 || HasControlOrSpace(bucketName))
            {
                throw new InputValidationException("S3BucketNameUnsafe", "BucketName",
                    "S3 " + operation + " was not sent: the bucket name '" + Printable(bucketName ?? "") + "' could change the request's path. "
                    + "A bucket name has 3 to 63 lower-case letters, digits, dots and hyphens, for example 'my-backups'.");
            }

            if (key == null)
            {
                return;
            }

            if (key.Length == 0)
            {
                throw new InputValidationException("S3KeyEmpty", "Key",
                    "S3 " + operation + " on bucket '" + bucketName + "' was not sent: the object key is empty, which would address the bucket itself. "
                    + "Give a key such as 'backup/' or 'backup/canary.txt'.");
            }

            if (key[0] == '/')
            {
                // AWSSDK.S3 drops a leading slash: '/abs/' would silently be written as 'abs/'.
                throw new InputValidationException("S3KeyLeadingSlash", "Key",
                    "S3 " + operation + " on bucket '" + bucketName + "' was not sent: the object key '" + Printable(key) + "' starts with '/', "
                    + "which AWSSDK.S3 drops, so another key would be written. Give the key without the leading slash, for example 'backup/'.");
            }

            string[] segments = key.Split('/');
            for (int i = 0; i < segments.Length; i++)
            {
                if (segments[i] == "." || segments[i] == "..")
                {
                    throw new InputValidationException("S3KeyDotSegment", "Key",
                        "S3 " + operation + " on bucket '" + bucketName + "' was not sent: the object key '" + Printable(key) + "' has a '"
                        + segments[i] + "' segment (segment " + (i + 1) + "), which would make the request address another path or another bucket. "
                        + "Keys and prefixes may not contain '.' or '..' between slashes; give for example 'backup/' or 'backup/2024/'.");
                }
            }
        }

        private static bool HasControlOrSpace(string value)
        {
            foreach (char c in value)
            {
                if (char.IsControl(c) || char.IsWhiteSpace(c))
                {
                    return true;
                }
            }

            return false;
        }

        private static string Printable(string value)
        {
            var chars = value.ToCharArray();
            for (int i = 0; i < chars.Length; i++)
            {
                if (char.IsControl(chars[i]))
                {
                    chars[i] = '?';
                }
            }

            string text = new string(chars);
            return text.Length > 200 ? text.Substring(0, 200) + "..." : text;
        }
    }
}
