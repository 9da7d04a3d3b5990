using System;
using System.Collections.Generic;
using BackupIam.Engine.Policies;

namespace BackupIam.Engine.Simulation
{
    /// <summary>Reads the bucket and key prefix a policy is about from its S3 resource ARNs, for the access matrix.</summary>
    public static class MatrixScope
    {
        private const string S3ArnMarker = ":s3:::";

        /// <summary>The first concrete bucket named in an S3 resource ARN (Allow statements first), or null.</summary>
        public static string? InferBucketName(IEnumerable<PolicyDocument> documents)
        {
            if (documents == null)
            {
                throw new ArgumentNullException(nameof(documents));
            }

            var list = new List<PolicyDocument>(documents);
            return FirstBucket(list, PolicyEffect.Allow) ?? FirstBucket(list, PolicyEffect.Deny);
        }

        /// <summary>
        /// The folder prefix shared by the object ARNs of <paramref name="bucketName"/> in the Allow statements: the text of
        /// each key pattern before its first wildcard or variable, cut back to its last '/', and of those the longest common
        /// folder path. <c>arn:aws:s3:::b/backup/*</c> gives <c>backup/</c>; <c>b/*</c> or keys in unrelated folders give
        /// null (the whole bucket).
        /// </summary>
        public static string? InferPrefix(IEnumerable<PolicyDocument> documents, string bucketName)
        {
            if (documents == null)
            {
                throw new ArgumentNullException(nameof(documents));
            }

            string? common = null;
            foreach (PolicyDocument doc in documents)
            {
                foreach (PolicyStatement st in doc.Statements)
                {
                    if (st == null || st.Effect != PolicyEffect.Allow || st.IsNotResource)
                    {
                        continue;
                    }

                    foreach (string resource in st.Resources)
                    {
                        string? key = KeyPattern(resource, bucketName);
                        if (key == null)
                        {
                            continue;
                        }

                        string folder = FolderOf(key);
                        common = common == null ? folder : CommonFolder(common, folder);
                        if (common.Length == 0)
                        {
                            return null;
                        }
                    }
                }
            }

            return string.IsNullOrEmpty(common) ? null : common;
        }

        private static string? FirstBucket(List<PolicyDocument> documents, PolicyEffect effect)
        {
            foreach (PolicyDocument doc in documents)
            {
                foreach (PolicyStatement st in doc.Statements)
                {
                    if (st == null || st.Effect != effect || st.IsNotResource)
                    {
                        continue;
                    }

                    foreach (string resource in st.Resources)
                    {
                        string? bucket = BucketOf(resource);
                        if (bucket != null)
                        {
                            return bucket;
                        }
                    }
                }
            }

            return null;
        }

        private static string? BucketOf(string? resource)
        {
            int at = resource == null || !resource.StartsWith("arn:", StringComparison.Ordinal) ? -1 : resource.IndexOf(S3ArnMarker, StringComparison.Ordinal);
            if (at < 0)
            {
                return null;
            }

            string rest = resource!.Substring(at + S3ArnMarker.Length);
            int slash = rest.IndexOf('/');
            string bucket = slash < 0 ? rest : rest.Substring(0, slash);
            return bucket.Length == 0 || bucket.IndexOfAny(new[] { '*', '?', '$' }) >= 0 ? null : bucket;
        }

        private static string? KeyPattern(string? resource, string bucketName)
        {
            int at = resource == null || !resource.StartsWith("arn:", StringComparison.Ordinal) ? -1 : resource.IndexOf(S3ArnMarker, StringComparison.Ordinal);
            if (at < 0)
            {
                return null;
            }

            string rest = resource!.Substring(at + S3ArnMarker.Length);
            return rest.Length > bucketName.Length && rest[bucketName.Length] == '/' && rest.StartsWith(bucketName, StringComparison.Ordinal)
                ? rest.Substring(bucketName.Length + 1)
                : null;
        }

        private static string FolderOf(string keyPattern)
        {
            int stop = keyPattern.IndexOfAny(new[] { '*', '?', '$' });
            string literal = stop < 0 ? keyPattern : keyPattern.Substring(0, stop);
            int slash = literal.LastIndexOf('/');
            return slash < 0 ? string.Empty : literal.Substring(0, slash + 1);
        }

        private static string CommonFolder(string a, string b)
        {
            int n = Math.Min(a.Length, b.Length);
            int lastSlash = -1;
            for (int i = 0; i < n && a[i] == b[i]; i++)
            {
                if (a[i] == '/')
                {
                    lastSlash = i;
                }
            }

            return lastSlash < 0 ? string.Empty : a.Substring(0, lastSlash + 1);
        }
    }
}
