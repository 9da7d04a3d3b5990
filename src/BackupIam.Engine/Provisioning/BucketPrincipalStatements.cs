using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using BackupIam.Engine.Aws;
using BackupIam.Engine.Json;

namespace BackupIam.Engine.Provisioning
{
    /// <summary>A bucket-policy statement that names a principal (Remove-BackupUser).</summary>
    public sealed class BucketPrincipalMatch
    {
        public string BucketName { get; internal set; } = "";

        /// <summary>The statement's Sid, or null.</summary>
        public string? Sid { get; internal set; }

        /// <summary>The position of the statement in the policy (0-based).</summary>
        public int Index { get; internal set; }

        public string Effect { get; internal set; } = "";

        /// <summary>The statement's AWS principals that are the user's (ARN or unique id).</summary>
        public IReadOnlyList<string> Matched { get; internal set; } = new string[0];

        /// <summary>Its other principals, which stay when only the user is taken out.</summary>
        public IReadOnlyList<string> OtherPrincipals { get; internal set; } = new string[0];

        /// <summary>True when removing the user removes the whole statement (the user was its only principal).</summary>
        public bool WholeStatement => OtherPrincipals.Count == 0;

        /// <summary>For messages: <c>bucket b, statement 'Sid' (Allow)</c>.</summary>
        public override string ToString() =>
            $"bucket {BucketName}, statement {(Sid == null ? "#" + Index : "'" + Sid + "'")} ({Effect}" + (WholeStatement ? "" : $", {OtherPrincipals.Count} other principal(s)") + ")";
    }

    /// <summary>What a search of bucket policies for a principal found.</summary>
    public sealed class BucketPrincipalSearch
    {
        /// <summary>The buckets whose policies were read.</summary>
        public IReadOnlyList<string> BucketsSearched { get; internal set; } = new string[0];

        public IReadOnlyList<BucketPrincipalMatch> Matches { get; internal set; } = new BucketPrincipalMatch[0];

        /// <summary>What could not be read (a bucket list, a bucket's tags or policy), each with the store's answer.</summary>
        public IReadOnlyList<string> Problems { get; internal set; } = new string[0];
    }

    /// <summary>Finds the bucket-policy statements that name a principal, and takes the principal out of them.</summary>
    public static class BucketPrincipalStatements
    {
        /// <summary>
        /// Reads the policies of <paramref name="bucketNames"/> (null: the buckets tagged <c>backupiam:managed=true</c>)
        /// concurrently, at most <see cref="ManagedBuckets.DefaultConcurrency"/> at a time, and lists every statement whose
        /// Principal names one of <paramref name="principals"/>. Nothing here throws for a bucket that cannot be read: it is a problem in the result.
        /// </summary>
        public static async Task<BucketPrincipalSearch> FindAsync(
            IS3Gateway s3, IReadOnlyList<string>? bucketNames, IReadOnlyCollection<string> principals, CancellationToken cancellationToken)
        {
            var problems = new List<string>();
            IReadOnlyList<string> buckets;
            if (bucketNames != null)
            {
                buckets = bucketNames.Distinct(StringComparer.Ordinal).ToList();
            }
            else
            {
                try
                {
                    ManagedBucketList managed = await ManagedBuckets.ListAsync(s3, cancellationToken).ConfigureAwait(false);
                    buckets = managed.BucketNames;
                    problems.AddRange(managed.Unreadable.Select(u => $"bucket '{u.BucketName}': its tags could not be read ({u.AwsErrorCode}), so it was not searched"));
                }
                catch (S3ServiceException ex)
                {
                    problems.Add($"the buckets could not be listed (ListBuckets answered HTTP {ex.HttpStatus} {ex.AwsErrorCode}); give -BucketName to search given buckets");
                    buckets = new string[0];
                }
            }

            var found = new List<BucketPrincipalMatch>[buckets.Count];
            var failed = new string?[buckets.Count];
            using (var gate = new SemaphoreSlim(ManagedBuckets.DefaultConcurrency))
            {
                await Task.WhenAll(buckets.Select(async (bucket, i) =>
                {
                    await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                    try
                    {
                        string? policy = await s3.GetBucketPolicyAsync(bucket, cancellationToken).ConfigureAwait(false);
                        found[i] = policy == null ? new List<BucketPrincipalMatch>() : Match(bucket, BucketTeardown.ParsePolicy(bucket, policy), principals);
                    }
                    catch (S3ServiceException ex)
                    {
                        failed[i] = $"bucket '{bucket}': its policy could not be read (GetBucketPolicy answered HTTP {ex.HttpStatus} {ex.AwsErrorCode})";
                    }
                    catch (Errors.BackupIamException ex) when (ex.ErrorId == "BucketPolicyUnreadable")
                    {
                        failed[i] = ex.Message;
                    }
                    finally
                    {
                        gate.Release();
                    }
                })).ConfigureAwait(false);
            }

            problems.AddRange(failed.Where(f => f != null).Select(f => f!));
            return new BucketPrincipalSearch
            {
                BucketsSearched = buckets.Where((b, i) => failed[i] == null).ToList(),
                Matches = found.Where(f => f != null).SelectMany(f => f).ToList(),
                Problems = problems,
            };
        }

        /// <summary>The statements of one policy that name one of the principals.</summary>
        public static List<BucketPrincipalMatch> Match(string bucketName, JsonObject policy, IReadOnlyCollection<string> principals)
        {
            var matches = new List<BucketPrincipalMatch>();
            IReadOnlyList<JsonObject> statements = BucketSetup.Statements(policy);
            for (int i = 0; i < statements.Count; i++)
            {
                JsonObject st = statements[i];
                if (!(st["Principal"] is JsonObject principal))
                {
                    continue;
                }

                IReadOnlyList<string> aws = BucketSetup.Strings(principal["AWS"]);
                var matched = aws.Where(v => BucketSetup.Names(principals, v)).ToList();
                if (matched.Count == 0)
                {
                    continue;
                }

                matches.Add(new BucketPrincipalMatch
                {
                    BucketName = bucketName,
                    Sid = BucketSetup.SidOf(st),
                    Index = i,
                    Effect = (st["Effect"] as JsonString)?.Value ?? "",
                    Matched = matched,
                    OtherPrincipals = BucketSetup.PrincipalsOf(st).Where(p => !(p.StartsWith("AWS:", StringComparison.Ordinal) && BucketSetup.Names(principals, p.Substring(4)))).ToList(),
                });
            }

            return matches;
        }
    }
}
