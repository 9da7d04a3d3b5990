using System;
using System.Collections.Generic;
using System.Linq;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Naming;

namespace BackupIam.Engine.Policies
{
    /// <summary>The buckets a policy names (Get-BackupUser/Get-BackupGroup's default scope, the Set-*Policy missing-bucket warning).</summary>
    public static class PolicyBuckets
    {
        /// <summary>
        /// The concrete bucket names in the S3 resource ARNs of the policy's Resource statements (no wildcards, no policy
        /// variables, only valid bucket names), each once, in the order they first appear.
        /// </summary>
        public static IReadOnlyList<string> NamedIn(PolicyDocument document)
        {
            var buckets = new List<string>();
            foreach (PolicyStatement statement in document.Statements.Where(s => s != null && !s.IsNotResource))
            {
                foreach (string resource in statement.Resources)
                {
                    int s3 = resource.IndexOf(":s3:::", StringComparison.Ordinal);
                    if (!resource.StartsWith("arn:", StringComparison.Ordinal) || s3 < 0)
                    {
                        continue;
                    }

                    string rest = resource.Substring(s3 + 6);
                    int slash = rest.IndexOf('/');
                    string bucket = slash >= 0 ? rest.Substring(0, slash) : rest;
                    if (bucket.Length == 0 || bucket.IndexOfAny(new[] { '*', '?', '$' }) >= 0 || !IsBucketName(bucket))
                    {
                        continue;
                    }

                    if (!buckets.Contains(bucket, StringComparer.Ordinal))
                    {
                        buckets.Add(bucket);
                    }
                }
            }

            return buckets;
        }

        private static bool IsBucketName(string bucket)
        {
            try
            {
                S3Names.ValidateBucketName(bucket, "BucketName");
                return true;
            }
            catch (InputValidationException)
            {
                return false;
            }
        }
    }
}
