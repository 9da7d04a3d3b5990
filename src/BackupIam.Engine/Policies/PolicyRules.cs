using System;
using System.Collections.Generic;
using System.Globalization;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Naming;

namespace BackupIam.Engine.Policies
{
    /// <summary>
    /// What IAM and S3 refuse in a policy beyond its grammar, checked before a policy is written so that no call is made
    /// with a policy the service would reject (or, worse, accept and apply where it was not meant):
    /// <list type="bullet">
    /// <item>Sid. IAM policies: only ASCII letters and digits (IAM's documented rule). Bucket policies: S3 accepts more
    /// (its own examples use spaces and periods), so any text of printable characters; in both, a control character or an
    /// unpaired UTF-16 surrogate (which has no UTF-8 encoding) is refused.</item>
    /// <item>Bucket policies: every Resource names the bucket the policy is applied to (or "*"), and every AWS principal
    /// that is an ARN is in a known partition (and, for users, roles and roots, well formed; see <see cref="IamArns"/>).</item>
    /// </list>
    /// </summary>
    public static class PolicyRules
    {
        /// <summary>ErrorId for a Sid IAM or S3 refuses.</summary>
        public const string SidInvalidErrorId = "PolicySidInvalid";

        /// <summary>ErrorId for a bucket policy resource in another bucket.</summary>
        public const string ResourceOutsideBucketErrorId = "BucketPolicyResourceOutsideBucket";

        /// <summary>ErrorId for a principal ARN that names nobody.</summary>
        public const string PrincipalArnInvalidErrorId = "PrincipalArnInvalid";

        /// <summary>Checks an identity (user, group, role or managed) policy before it is written.</summary>
        /// <exception cref="InputValidationException">ErrorId <c>PolicySidInvalid</c>, naming the statement and the Sid.</exception>
        public static void CheckIdentityPolicy(PolicyDocument document, string parameterName = "PolicyDocument")
        {
            for (int i = 0; i < document.Statements.Count; i++)
            {
                string? sid = document.Statements[i].Sid;
                string? problem = sid == null ? null : SidProblem(sid, identityPolicy: true);
                if (problem != null)
                {
                    throw SidError(parameterName, i, sid!, problem);
                }
            }
        }

        /// <summary>Why IAM (identity policy) or S3 (bucket policy) would refuse this Sid, or null when it is fine.</summary>
        internal static string? SidProblem(string sid, bool identityPolicy)
        {
            for (int k = 0; k < sid.Length; k++)
            {
                char c = sid[k];
                if (identityPolicy)
                {
                    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
                    {
                        return DescribeChar(sid, k) + " at position " + (k + 1).ToString(CultureInfo.InvariantCulture)
                            + " is not allowed: IAM accepts only ASCII letters and digits in a Sid (for example \"UploadBackups\")";
                    }
                }
                else if (char.IsControl(c) || IsLoneSurrogate(sid, k))
                {
                    return DescribeChar(sid, k) + " at position " + (k + 1).ToString(CultureInfo.InvariantCulture)
                        + " is not allowed: a Sid is printable text (for example \"BackupWriteOnly\")";
                }
            }

            return null;
        }

        /// <summary>Why an AWS principal value names nobody (unknown partition, malformed user/role/root ARN), or null.</summary>
        internal static string? PrincipalProblem(string value)
        {
            if (value == null || !value.StartsWith("arn:", StringComparison.Ordinal))
            {
                return null; // "*", an account id or a unique id.
            }

            string[] parts = value.Split(new[] { ':' }, 6);
            string partition = parts.Length > 1 ? parts[1] : string.Empty;
            if (!IamArns.IsKnownPartition(partition))
            {
                return "the partition '" + partition + "' is not an AWS partition (use " + string.Join(", ", IamArns.KnownPartitions) + ")";
            }

            string? problem = null;
            if (parts.Length == 6 && parts[2] == "iam" && (parts[5] == "root" || parts[5].StartsWith("user/", StringComparison.Ordinal) || parts[5].StartsWith("role/", StringComparison.Ordinal)))
            {
                IamArns.TryParsePrincipal(value, allowRoot: true, out problem);
            }

            return problem;
        }

        /// <summary>Checks a bucket policy that is to be applied to <paramref name="bucketName"/>.</summary>
        /// <exception cref="InputValidationException">
        /// ErrorId <c>PolicySidInvalid</c>, <c>BucketPolicyResourceOutsideBucket</c> or <c>PrincipalArnInvalid</c>, naming the value.
        /// </exception>
        public static void CheckBucketPolicy(PolicyDocument document, string bucketName, string parameterName = "PolicyDocument")
        {
            for (int i = 0; i < document.Statements.Count; i++)
            {
                PolicyStatement st = document.Statements[i];
                string? sidProblem = st.Sid == null ? null : SidProblem(st.Sid, identityPolicy: false);
                if (sidProblem != null)
                {
                    throw SidError(parameterName, i, st.Sid!, sidProblem);
                }

                if (!st.IsNotResource)
                {
                    foreach (string resource in st.Resources)
                    {
                        CheckResource(resource, bucketName, i, st.Sid, parameterName);
                    }
                }

                CheckPrincipals(st.Principal, i, st.Sid, parameterName);
                CheckPrincipals(st.NotPrincipal, i, st.Sid, parameterName);
            }
        }

        private static void CheckResource(string resource, string bucketName, int index, string? sid, string parameterName)
        {
            if (resource == "*")
            {
                return;
            }

            // arn:PARTITION:s3:::BUCKET[/KEY]
            string[] parts = resource.Split(new[] { ':' }, 6);
            string bucketPart = parts.Length == 6 ? parts[5] : string.Empty;
            int slash = bucketPart.IndexOf('/');
            string bucket = slash >= 0 ? bucketPart.Substring(0, slash) : bucketPart;
            bool s3 = parts.Length == 6 && parts[2] == "s3" && parts[3].Length == 0 && parts[4].Length == 0;
            if (s3 && GlobMatches(bucket, bucketName))
            {
                return;
            }

            throw new InputValidationException(
                ResourceOutsideBucketErrorId, parameterName,
                $"{Where(index, sid)} names the resource '{resource}', which is not in bucket '{bucketName}': a bucket policy applied to '{bucketName}' may only name "
                + $"'arn:aws:s3:::{bucketName}' and objects under it ('arn:aws:s3:::{bucketName}/backup/*'). Apply a policy for another bucket to that bucket.")
            {
                Target = resource,
            };
        }

        private static void CheckPrincipals(PrincipalBlock? block, int index, string? sid, string parameterName)
        {
            if (block == null || block.IsWildcard || !block.Values.TryGetValue("AWS", out List<string>? values))
            {
                return;
            }

            foreach (string value in values)
            {
                string? problem = PrincipalProblem(value);
                if (problem != null)
                {
                    throw new InputValidationException(
                        PrincipalArnInvalidErrorId, parameterName,
                        $"{Where(index, sid)} names the principal '{value}', which names nobody: {problem}. Use an ARN such as 'arn:aws:iam::123456789012:user/backup' (on Ceph RGW 'arn:aws:iam:::user/backup').")
                    {
                        Target = value,
                    };
                }
            }
        }

        /// <summary>True when an S3 bucket pattern (with * and ?) matches the bucket name.</summary>
        private static bool GlobMatches(string pattern, string name)
        {
            int p = 0, n = 0, star = -1, mark = 0;
            while (n < name.Length)
            {
                if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == name[n]))
                {
                    p++;
                    n++;
                }
                else if (p < pattern.Length && pattern[p] == '*')
                {
                    star = p++;
                    mark = n;
                }
                else if (star >= 0)
                {
                    p = star + 1;
                    n = ++mark;
                }
                else
                {
                    return false;
                }
            }

            while (p < pattern.Length && pattern[p] == '*')
            {
                p++;
            }

            return p == pattern.Length;
        }

        private static bool IsLoneSurrogate(string s, int i) =>
            (char.IsHighSurrogate(s[i]) && (i + 1 >= s.Length || !char.IsLowSurrogate(s[i + 1])))
            || (char.IsLowSurrogate(s[i]) && (i == 0 || !char.IsHighSurrogate(s[i - 1])));

        private static string DescribeChar(string s, int i)
        {
            char c = s[i];
            if (char.IsSurrogate(c))
            {
                return (IsLoneSurrogate(s, i) ? "the unpaired surrogate " : "the character ") + "U+" + ((int)c).ToString("X4", CultureInfo.InvariantCulture);
            }

            return char.IsControl(c) || char.IsWhiteSpace(c)
                ? "the character U+" + ((int)c).ToString("X4", CultureInfo.InvariantCulture) + (c == ' ' ? " (a space)" : string.Empty)
                : "'" + c + "'";
        }

        private static string Where(int index, string? sid) =>
            "Statement[" + index.ToString(CultureInfo.InvariantCulture) + "]" + (sid != null ? " (Sid '" + Printable(sid) + "')" : string.Empty);

        private static string Printable(string text)
        {
            var chars = text.ToCharArray();
            for (int i = 0; i < chars.Length; i++)
            {
                if (char.IsControl(chars[i]) || char.IsSurrogate(chars[i]))
                {
                    chars[i] = '?';
                }
            }

            return new string(chars);
        }

        private static InputValidationException SidError(string parameterName, int index, string sid, string rule) =>
            new InputValidationException(
                SidInvalidErrorId, parameterName,
                $"{Where(index, null)} has the Sid '{Printable(sid)}', which is not valid: {rule}.")
            {
                Target = sid,
            };
    }
}
