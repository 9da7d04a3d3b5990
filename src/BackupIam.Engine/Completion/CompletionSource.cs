using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Amazon;
using Amazon.S3;
using Amazon.S3.Model;
using BackupIam.Engine.Aws;
using BackupIam.Engine.Aws.Iam;
using BackupIam.Engine.Presets;

namespace BackupIam.Engine.Completion
{
    /// <summary>A credential profile name and the file it was found in.</summary>
    public sealed class ProfileEntry
    {
        public ProfileEntry(string name, string file)
        {
            Name = name;
            File = file;
        }

        public string Name { get; }

        public string File { get; }
    }

    /// <summary>
    /// What argument completion offers: preset names, region names, profile names (from the section headers of the
    /// shared files only: no value, so no secret, is ever parsed) and, from AWS, user and bucket names within a deadline.
    /// </summary>
    public static class CompletionSource
    {
        /// <summary>
        /// How long a completion may wait on AWS before it gives up and offers nothing: 1 s, or the milliseconds in
        /// BACKUPIAM_COMPLETION_TIMEOUT_MS (tests on a loaded machine give the first, cold listing more time).
        /// </summary>
        public static TimeSpan AwsDeadline =>
            int.TryParse(Environment.GetEnvironmentVariable("BACKUPIAM_COMPLETION_TIMEOUT_MS"), out int ms) && ms > 0
                ? TimeSpan.FromMilliseconds(ms)
                : TimeSpan.FromSeconds(1);

        private static readonly Regex SectionHeader = new Regex(@"^\s*\[\s*(?<profile>profile\s+)?(?<name>[^\]\s][^\]]*?)\s*\]\s*$", RegexOptions.CultureInvariant);

        /// <summary>The preset names, in catalogue order.</summary>
        public static IReadOnlyList<string> PresetNames(string prefix)
        {
            return PresetCatalog.All.Select(p => p.Name).Where(n => n.StartsWith(prefix ?? "", StringComparison.OrdinalIgnoreCase)).ToList();
        }

        /// <summary>
        /// Region names starting with <paramref name="prefix"/>. With no prefix, only the regions of the partition of
        /// <paramref name="currentRegion"/> (aws when it is null); a prefix such as cn- or us-gov- reaches other partitions.
        /// </summary>
        public static IReadOnlyList<string> RegionNames(string prefix, string? currentRegion)
        {
            string partition = AwsSessionFactory.PartitionOf(string.IsNullOrEmpty(currentRegion) ? AwsSessionFactory.FallbackRegion : currentRegion!);
            IEnumerable<string> names = RegionEndpoint.EnumerableAllRegions.Select(r => r.SystemName).Distinct(StringComparer.Ordinal);
            names = string.IsNullOrEmpty(prefix)
                ? names.Where(n => AwsSessionFactory.PartitionOf(n) == partition)
                : names.Where(n => n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));
            return names.OrderBy(n => n, StringComparer.Ordinal).ToList();
        }

        /// <summary>
        /// Profile names from the credentials file and the config file ('[name]' and '[profile name]' sections; not
        /// sso-session or services sections). Only section header lines are looked at. Missing files give nothing.
        /// </summary>
        public static IReadOnlyList<ProfileEntry> ProfileNames(string prefix, string? credentialsFile, string? configFile)
        {
            var result = new List<ProfileEntry>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach ((string? path, bool isConfig) in new[] { (credentialsFile, false), (configFile, true) })
            {
                if (string.IsNullOrEmpty(path) || !File.Exists(path))
                {
                    continue;
                }

                IEnumerable<string> lines;
                try
                {
                    lines = File.ReadLines(path!);
                    foreach (string line in lines)
                    {
                        Match m = SectionHeader.Match(line);
                        if (!m.Success)
                        {
                            continue;
                        }

                        string name = m.Groups["name"].Value;
                        // In the config file a profile is '[profile x]', except the default one, '[default]'.
                        if (isConfig && !m.Groups["profile"].Success && name != "default")
                        {
                            continue;
                        }

                        if (name.StartsWith(prefix ?? "", StringComparison.OrdinalIgnoreCase) && seen.Add(name))
                        {
                            result.Add(new ProfileEntry(name, path!));
                        }
                    }
                }
                catch (IOException)
                {
                }
                catch (UnauthorizedAccessException)
                {
                }
            }

            return result;
        }

        /// <summary>The shared credentials file the SDK reads: AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials.</summary>
        public static string DefaultCredentialsFile() =>
            Environment.GetEnvironmentVariable("AWS_SHARED_CREDENTIALS_FILE") is string f && f.Length > 0 ? f : Path.Combine(HomeDirectory(), ".aws", "credentials");

        /// <summary>The shared config file the SDK reads: AWS_CONFIG_FILE, else ~/.aws/config.</summary>
        public static string DefaultConfigFile() =>
            Environment.GetEnvironmentVariable("AWS_CONFIG_FILE") is string f && f.Length > 0 ? f : Path.Combine(HomeDirectory(), ".aws", "config");

        /// <summary>IAM user names starting with <paramref name="prefix"/> (the first page of iam:ListUsers), or nothing within the deadline.</summary>
        public static IReadOnlyList<string> UserNames(AwsConnectionSettings settings, string prefix)
        {
            return WithinDeadline(async (session, ct) =>
            {
                var options = new IamClientOptions { RequestTimeout = AwsDeadline, MaxAttempts = 1 };
                using (var iam = new IamQueryClient(session, options))
                {
                    ListUsersResponse page = await iam.ListUsersAsync(new ListUsersRequest { MaxItems = 1000 }, ct).ConfigureAwait(false);
                    return page.Users.Select(u => u.UserName).ToList();
                }
            }, settings, prefix);
        }

        /// <summary>IAM group names starting with <paramref name="prefix"/> (the first page of iam:ListGroups), or nothing within the deadline.</summary>
        public static IReadOnlyList<string> GroupNames(AwsConnectionSettings settings, string prefix)
        {
            return WithinDeadline(async (session, ct) =>
            {
                var options = new IamClientOptions { RequestTimeout = AwsDeadline, MaxAttempts = 1 };
                using (var iam = new IamQueryClient(session, options))
                {
                    ListGroupsResponse page = await iam.ListGroupsAsync(new ListGroupsRequest { MaxItems = 1000 }, ct).ConfigureAwait(false);
                    return page.Groups.Select(g => g.GroupName).ToList();
                }
            }, settings, prefix);
        }

        /// <summary>Bucket names starting with <paramref name="prefix"/> (s3:ListAllMyBuckets), or nothing within the deadline.</summary>
        public static IReadOnlyList<string> BucketNames(AwsConnectionSettings settings, string prefix)
        {
            return WithinDeadline(async (session, ct) =>
            {
                AmazonS3Config config = S3Gateway.CreateConfig(session);
                config.Timeout = AwsDeadline;
                config.MaxErrorRetry = 0;
                using (var s3 = new AmazonS3Client(session.Credentials, config))
                {
                    ListBucketsResponse response = await s3.ListBucketsAsync(new ListBucketsRequest(), ct).ConfigureAwait(false);
                    return (response.Buckets ?? new List<S3Bucket>()).Select(b => b.BucketName).ToList();
                }
            }, settings, prefix);
        }

        private static IReadOnlyList<string> WithinDeadline(
            Func<AwsSession, CancellationToken, Task<List<string>>> list, AwsConnectionSettings settings, string prefix)
        {
            TimeSpan deadline = AwsDeadline;
            using (var cts = new CancellationTokenSource(deadline))
            {
                // On the thread pool, so that credential resolution that blocks (a profile's credential_process, an
                // instance-metadata probe) cannot hold the prompt past the deadline either.
                Task<List<string>> task = Task.Run(() => list(AwsSessionFactory.Create(settings), cts.Token), cts.Token);
                try
                {
                    if (!task.Wait(deadline))
                    {
                        cts.Cancel();
                        _ = task.ContinueWith(t => _ = t.Exception, TaskScheduler.Default);
                        return Array.Empty<string>();
                    }

                    return task.Result.Where(n => n.StartsWith(prefix ?? "", StringComparison.Ordinal)).OrderBy(n => n, StringComparer.Ordinal).ToList();
                }
                catch (AggregateException)
                {
                    // No credentials, access denied, no network: completion offers nothing rather than an error.
                    return Array.Empty<string>();
                }
            }
        }

        private static string HomeDirectory()
        {
            string? home = Environment.GetEnvironmentVariable("HOME");
            return string.IsNullOrEmpty(home) ? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) : home!;
        }
    }
}
