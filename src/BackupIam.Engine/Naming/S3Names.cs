using System;
using System.Globalization;
using System.Text;
using BackupIam.Engine.Errors;

namespace BackupIam.Engine.Naming
{
    /// <summary>S3 bucket-name and key-prefix rules, and ARN helpers for buckets and objects.</summary>
    public static class S3Names
    {
        /// <summary>ErrorId thrown by <see cref="ValidateBucketName"/>.</summary>
        public const string BucketNameInvalidErrorId = "BucketNameInvalid";

        /// <summary>ErrorId thrown by <see cref="NormalizePrefix"/>.</summary>
        public const string PrefixInvalidErrorId = "PrefixInvalid";

        /// <summary>Longest S3 object key, in UTF-8 bytes.</summary>
        public const int MaxKeyBytes = 1024;

        private const string ExampleBucket = "my-backup-bucket";

        private static readonly string[] ReservedPrefixes = { "xn--", "sthree-", "amzn-s3-demo-" };

        private static readonly string[] ReservedSuffixes = { "-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3" };

        /// <summary>
        /// Checks the AWS naming rules for general-purpose buckets: 3 to 63 characters; only lowercase letters, digits,
        /// dots and hyphens; begins and ends with a letter or digit; no two adjacent periods; not formatted as an IP
        /// address; not starting with xn--, sthree- or amzn-s3-demo-; not ending with -s3alias, --ol-s3, .mrap, --x-s3
        /// or --table-s3.
        /// </summary>
        /// <param name="name">The bucket name.</param>
        /// <param name="parameterName">The parameter the name came from, used in the error.</param>
        /// <exception cref="InputValidationException">ErrorId <c>BucketNameInvalid</c>, naming the parameter and the rule broken.</exception>
        public static void ValidateBucketName(string name, string parameterName)
        {
            if (string.IsNullOrEmpty(name))
            {
                throw BucketError(parameterName, name, "a bucket name is required");
            }

            if (name.Length < 3 || name.Length > 63)
            {
                throw BucketError(parameterName, name, "it must be 3 to 63 characters long, not " + name.Length.ToString(CultureInfo.InvariantCulture));
            }

            for (int i = 0; i < name.Length; i++)
            {
                char c = name[i];
                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-'))
                {
                    string what = c >= 'A' && c <= 'Z'
                        ? "it must not contain uppercase letters ('" + c + "' at position " + (i + 1).ToString(CultureInfo.InvariantCulture) + ")"
                        : "it may contain only lowercase letters, digits, dots (.) and hyphens (-); " + DescribeChar(c) + " at position " + (i + 1).ToString(CultureInfo.InvariantCulture) + " is not allowed";
                    throw BucketError(parameterName, name, what);
                }
            }

            if (!IsLetterOrDigit(name[0]) || !IsLetterOrDigit(name[name.Length - 1]))
            {
                throw BucketError(parameterName, name, "it must begin and end with a lowercase letter or a digit");
            }

            if (name.IndexOf("..", StringComparison.Ordinal) >= 0)
            {
                throw BucketError(parameterName, name, "it must not contain two adjacent periods (..)");
            }

            if (LooksLikeIpAddress(name))
            {
                throw BucketError(parameterName, name, "it must not be formatted as an IP address (such as 192.168.5.4)");
            }

            foreach (string prefix in ReservedPrefixes)
            {
                if (name.StartsWith(prefix, StringComparison.Ordinal))
                {
                    throw BucketError(parameterName, name, "it must not start with the reserved prefix '" + prefix + "'");
                }
            }

            foreach (string suffix in ReservedSuffixes)
            {
                if (name.EndsWith(suffix, StringComparison.Ordinal))
                {
                    throw BucketError(parameterName, name, "it must not end with the reserved suffix '" + suffix + "'");
                }
            }
        }

        /// <summary>
        /// Normalises a key prefix so it can be used in ARNs and conditions: null or "" gives "" (the whole bucket);
        /// a single leading "/" is removed; a trailing "/" is added when missing, so "backup" becomes "backup/" and
        /// the prefix always names a folder, never a partial key name (so "backup" cannot also match "backup-old/").
        /// </summary>
        /// <exception cref="InputValidationException">
        /// ErrorId <c>PrefixInvalid</c> when the prefix contains '*', '?', "${", a control character, "//", or a
        /// '..' or '.' folder name,
        /// or is longer than 1024 UTF-8 bytes.
        /// </exception>
        public static string NormalizePrefix(string? prefix, string parameterName)
        {
            if (string.IsNullOrEmpty(prefix))
            {
                return string.Empty;
            }

            string p = prefix!;
            if (p[0] == '/')
            {
                p = p.Substring(1);
            }

            for (int i = 0; i < p.Length; i++)
            {
                char c = p[i];
                if (c == '*' || c == '?')
                {
                    throw PrefixError(parameterName, prefix!, "it must not contain the wildcard '" + c + "' (wildcards are added by the policy itself)");
                }

                if (char.IsControl(c))
                {
                    throw PrefixError(parameterName, prefix!, "it must not contain control characters (" + DescribeChar(c) + " at position " + (i + 1).ToString(CultureInfo.InvariantCulture) + ")");
                }
            }

            if (p.IndexOf("${", StringComparison.Ordinal) >= 0)
            {
                throw PrefixError(parameterName, prefix!, "it must not contain '${' (IAM would read it as a policy variable)");
            }

            if (p.IndexOf("//", StringComparison.Ordinal) >= 0 || p.StartsWith("/", StringComparison.Ordinal))
            {
                throw PrefixError(parameterName, prefix!, "it must not contain an empty folder name ('//')");
            }

            foreach (string segment in p.Split('/'))
            {
                if (segment == ".." || segment == ".")
                {
                    throw PrefixError(parameterName, prefix!, "it must not contain a '" + segment + "' folder name (a request path with it can reach another folder or another bucket)");
                }
            }

            if (p.Length == 0)
            {
                return string.Empty;
            }

            if (p[p.Length - 1] != '/')
            {
                p += "/";
            }

            int bytes = Encoding.UTF8.GetByteCount(p);
            if (bytes > MaxKeyBytes)
            {
                throw PrefixError(parameterName, prefix!, "it is " + bytes.ToString(CultureInfo.InvariantCulture) + " UTF-8 bytes long; S3 keys are at most " + MaxKeyBytes.ToString(CultureInfo.InvariantCulture) + " bytes");
            }

            return p;
        }

        /// <summary>
        /// Checks and normalises a folder key that becomes part of a request path (a folder placeholder, a canary's
        /// folder): the rules of <see cref="NormalizePrefix"/>, and also no leading '/' (it is refused, not stripped, so
        /// that a key never silently changes) and not empty. Returns the key with a trailing '/'.
        /// </summary>
        /// <exception cref="InputValidationException">ErrorId <c>PrefixInvalid</c>, naming the parameter and the value.</exception>
        public static string NormalizeFolderKey(string? folder, string parameterName)
        {
            if (string.IsNullOrEmpty(folder))
            {
                throw PrefixError(parameterName, folder ?? string.Empty, "a folder name is required (an empty one names the bucket itself)");
            }

            if (folder![0] == '/')
            {
                throw PrefixError(parameterName, folder, "it must not start with '/' (S3 keys have no leading slash; write '" + folder.TrimStart('/') + "')");
            }

            return NormalizePrefix(folder, parameterName);
        }

        /// <summary>
        /// A warning for a prefix that <see cref="NormalizePrefix"/> changed beyond adding the trailing '/' (a leading '/'
        /// was removed), showing both forms; null when there is nothing to warn about.
        /// </summary>
        public static string? DescribeNormalization(string? given, string normalized, string parameterName)
        {
            if (string.IsNullOrEmpty(given) || given![0] != '/')
            {
                return null;
            }

            return "-" + parameterName + " '" + given + "' is used as '" + normalized + "': S3 keys have no leading slash. Give '" + normalized + "' to silence this warning.";
        }

        /// <summary>The ARN of a bucket, e.g. <c>arn:aws:s3:::my-backup-bucket</c>.</summary>
        public static string BucketArn(string bucket, string partition = "aws")
        {
            if (bucket == null)
            {
                throw new ArgumentNullException(nameof(bucket));
            }

            return "arn:" + (partition ?? "aws") + ":s3:::" + bucket;
        }

        /// <summary>The ARN of objects in a bucket, e.g. <c>ObjectArn("b", "backup/*")</c> is <c>arn:aws:s3:::b/backup/*</c>.</summary>
        public static string ObjectArn(string bucket, string keyPattern, string partition = "aws")
        {
            if (keyPattern == null)
            {
                throw new ArgumentNullException(nameof(keyPattern));
            }

            return BucketArn(bucket, partition) + "/" + keyPattern;
        }

        private static bool IsLetterOrDigit(char c) => (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');

        private static bool LooksLikeIpAddress(string name)
        {
            string[] parts = name.Split('.');
            if (parts.Length != 4)
            {
                return false;
            }

            foreach (string part in parts)
            {
                if (part.Length == 0 || part.Length > 3)
                {
                    return false;
                }

                foreach (char c in part)
                {
                    if (c < '0' || c > '9')
                    {
                        return false;
                    }
                }
            }

            return true;
        }

        private static string DescribeChar(char c)
        {
            if (char.IsControl(c) || char.IsWhiteSpace(c))
            {
                return "character U+" + ((int)c).ToString("X4", CultureInfo.InvariantCulture);
            }

            return "'" + c + "'";
        }

        private static InputValidationException BucketError(string parameterName, string? name, string rule)
        {
            return new InputValidationException(
                BucketNameInvalidErrorId,
                parameterName,
                "The value of " + parameterName + " ('" + (name ?? string.Empty) + "') is not a valid S3 bucket name: " + rule +
                ". A valid name looks like '" + ExampleBucket + "'.")
            {
                Target = name,
            };
        }

        private static InputValidationException PrefixError(string parameterName, string prefix, string rule)
        {
            string shown = prefix.Length > 80 ? prefix.Substring(0, 77) + "..." : prefix;
            var sb = new StringBuilder();
            foreach (char c in shown)
            {
                sb.Append(char.IsControl(c) ? '?' : c);
            }

            return new InputValidationException(
                PrefixInvalidErrorId,
                parameterName,
                "The value of " + parameterName + " ('" + sb + "') is not a valid key prefix: " + rule +
                ". A valid prefix looks like 'backup/' or 'backups/dataset-1/'.")
            {
                Target = prefix,
            };
        }
    }
}
