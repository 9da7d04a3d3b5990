using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;
using System.Management.Automation;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Naming;
using BackupIam.Engine.Policies;

namespace BackupIam.Abstractions
{
    /// <summary>
    /// Shared base of the Set-*Policy cmdlets: resolves -Path to one file, and after a policy is applied warns about
    /// every bucket it names that does not exist (a policy for a bucket nobody created is a backup that fails later).
    /// </summary>
    public abstract class PolicyApplyCmdlet : AwsCmdlet
    {
        /// <summary>ErrorId for a -Path that names no file or several.</summary>
        private protected const string PathNotSingleErrorId = "PolicyPathNotSingle";

        /// <summary>Resolves a -Path (relative to PowerShell's location, wildcards allowed) to exactly one file.</summary>
        private protected string ResolvePolicyPath(string path)
        {
            Collection<string> resolved;
            try
            {
                resolved = GetResolvedProviderPathFromPSPath(path, out _);
            }
            catch (ItemNotFoundException)
            {
                throw new InputValidationException("PolicyFileNotFound", "Path", $"The policy file '{path}' does not exist.") { Target = path };
            }

            if (resolved.Count != 1)
            {
                throw new InputValidationException(
                    PathNotSingleErrorId, "Path",
                    $"-Path '{path}' matches {resolved.Count} files; give one policy file (one Set-* call per policy).")
                {
                    Target = path,
                };
            }

            return resolved[0];
        }

        /// <summary>
        /// After a write (never under -WhatIf, where earlier stages may only have planned the bucket): warns for each
        /// bucket the policy names that HeadBucket reports missing. A bucket that cannot be checked is only noted.
        /// </summary>
        private protected void WarnAboutMissingBuckets(string policyJson, string policyName)
        {
            if (IsWhatIf)
            {
                return;
            }

            foreach (string bucket in BucketsNamedIn(policyJson))
            {
                if (IsBucketKnownToExist(bucket))
                {
                    // Created or found earlier in this session (issue 16): no HeadBucket. A bucket deleted since then
                    // only misses this advisory warning.
                    continue;
                }

                try
                {
                    if (Run(ct => S3.BucketExistsAsync(bucket, ct)))
                    {
                        NoteBucketExists(bucket);
                    }
                    else
                    {
                        WriteWarning(
                            $"The policy '{policyName}' names bucket '{bucket}', which does not exist. The policy is applied, but a backup "
                            + $"with it fails until the bucket exists: create it with New-BackupBucket -BucketName {bucket}.");
                    }
                }
                catch (Exception ex) when (!(ex is PipelineStoppedException))
                {
                    WriteVerbose($"Could not check whether bucket '{bucket}' exists: {ex.Message}");
                }
            }
        }

        /// <summary>The bucket names (no wildcards or policy variables) in a policy's S3 resource ARNs.</summary>
        internal static IReadOnlyList<string> BucketsNamedIn(string policyJson)
        {
            PolicyDocument document;
            try
            {
                document = PolicyJson.Parse(policyJson);
            }
            catch (Exception)
            {
                return new string[0];
            }

            return PolicyBuckets.NamedIn(document);
        }
    }
}
