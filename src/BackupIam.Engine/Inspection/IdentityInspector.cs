using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using BackupIam.Engine.Aws;
using BackupIam.Engine.Aws.Iam;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Naming;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Provisioning;
using BackupIam.Engine.Simulation;

namespace BackupIam.Engine.Inspection
{
    /// <summary>
    /// Reads what decides a backup identity's access today (Get-BackupUser, Get-BackupGroup, the posture's identity check):
    /// keys and their last use, groups, inline and attached policies (managed policies' default versions), console
    /// password, MFA devices, and the bucket policies that name the user; then simulates them together offline. Read-only.
    /// Independent reads run concurrently, at most <see cref="MaxConcurrency"/> IAM calls at a time; managed policies,
    /// groups and bucket policies are read once per inspector however many users share them.
    /// </summary>
    public sealed class IdentityInspector
    {
        /// <summary>How many IAM/S3 calls an inspector makes at once by default.</summary>
        public const int DefaultMaxConcurrency = 8;

        private readonly IIamClient _iam;
        private readonly IS3Gateway? _s3;
        private readonly SemaphoreSlim _gate;
        private readonly ConcurrentDictionary<string, Lazy<Task<InspectedPolicy>>> _managed = new ConcurrentDictionary<string, Lazy<Task<InspectedPolicy>>>(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, Lazy<Task<GroupInspection>>> _groups = new ConcurrentDictionary<string, Lazy<Task<GroupInspection>>>(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, Lazy<Task<BucketPolicyRead>>> _bucketPolicies = new ConcurrentDictionary<string, Lazy<Task<BucketPolicyRead>>>(StringComparer.Ordinal);

        private readonly object _sync = new object();
        private Task<(IReadOnlyList<string> Names, string? Warning)>? _managedBuckets;

        /// <param name="iam">The IAM client.</param>
        /// <param name="s3">The S3 gateway for bucket policies; null reads none.</param>
        /// <param name="maxConcurrency">At most this many calls at once.</param>
        public IdentityInspector(IIamClient iam, IS3Gateway? s3, int maxConcurrency = DefaultMaxConcurrency)
        {
            _iam = iam ?? throw new ArgumentNullException(nameof(iam));
            _s3 = s3;
            MaxConcurrency = Math.Max(1, maxConcurrency);
            _gate = new SemaphoreSlim(MaxConcurrency, MaxConcurrency);
        }

        /// <summary>At most this many calls at once.</summary>
        public int MaxConcurrency { get; }

        /// <summary>The names of every user that carries the managed tag (ListUsers, then ListUserTags per user, concurrently).</summary>
        public async Task<IReadOnlyList<string>> ListManagedUserNamesAsync(CancellationToken cancellationToken)
        {
            IReadOnlyList<User> users = await CallAsync(ct => _iam.ListAllUsersAsync(null, ct), cancellationToken).ConfigureAwait(false);
            var tagged = await Task.WhenAll(users.Select(async u =>
            {
                try
                {
                    IReadOnlyList<Tag> tags = await CallAsync(ct => _iam.ListAllUserTagsAsync(u.UserName, ct), cancellationToken).ConfigureAwait(false);
                    return ManagedTag.IsIn(tags) ? u.UserName : null;
                }
                catch (NoSuchEntityException)
                {
                    return null; // deleted between the two calls
                }
            })).ConfigureAwait(false);
            return tagged.Where(n => n != null).Select(n => n!).OrderBy(n => n, StringComparer.Ordinal).ToList();
        }

        /// <summary>
        /// The module's groups. IAM groups cannot carry tags (there is no TagGroup), so these are the groups that managed
        /// users belong to; an empty group is found only by its name.
        /// </summary>
        public async Task<IReadOnlyList<string>> ListManagedGroupNamesAsync(CancellationToken cancellationToken)
        {
            IReadOnlyList<string> users = await ListManagedUserNamesAsync(cancellationToken).ConfigureAwait(false);
            var groups = await Task.WhenAll(users.Select(async u =>
            {
                try
                {
                    return await CallAsync(ct => _iam.ListAllGroupsForUserAsync(u, ct), cancellationToken).ConfigureAwait(false);
                }
                catch (NoSuchEntityException)
                {
                    return (IReadOnlyList<Group>)new Group[0];
                }
            })).ConfigureAwait(false);
            return groups.SelectMany(g => g).Select(g => g.GroupName).Distinct(StringComparer.Ordinal).OrderBy(n => n, StringComparer.Ordinal).ToList();
        }

        /// <summary>Reads a user's keys, groups, policies, console password, MFA devices and naming bucket statements, and simulates them.</summary>
        /// <param name="userName">The user.</param>
        /// <param name="buckets">The buckets to look at; null or empty: the buckets the user's policies name.</param>
        /// <param name="cancellationToken">Cancels the reads.</param>
        /// <exception cref="BackupIamException">ErrorId <c>IamUserNotFound</c> when the user does not exist.</exception>
        public Task<UserInspection> InspectUserAsync(string userName, IReadOnlyList<string>? buckets, CancellationToken cancellationToken) =>
            InspectUserAsync(userName, buckets, policiesOnly: false, cancellationToken);

        /// <summary>A user's identity policies (its own and its groups'), without keys, login profile, MFA or buckets.</summary>
        public Task<UserInspection> ReadUserPoliciesAsync(string userName, CancellationToken cancellationToken) =>
            InspectUserAsync(userName, null, policiesOnly: true, cancellationToken);

        private async Task<UserInspection> InspectUserAsync(string userName, IReadOnlyList<string>? buckets, bool policiesOnly, CancellationToken cancellationToken)
        {
            IamNames.ValidateUserName(userName);
            foreach (string bucket in buckets ?? new string[0])
            {
                S3Names.ValidateBucketName(bucket, "BucketName");
            }

            var report = new UserInspection();
            Task<User> user = GetUserAsync(userName, cancellationToken);
            Task<IReadOnlyList<Tag>> tags = CallAsync(ct => _iam.ListAllUserTagsAsync(userName, ct), cancellationToken);
            Task<IReadOnlyList<Group>> groups = CallAsync(ct => _iam.ListAllGroupsForUserAsync(userName, ct), cancellationToken);
            Task<IReadOnlyList<string>> inlineNames = CallAsync(ct => _iam.ListAllUserPolicyNamesAsync(userName, ct), cancellationToken);
            Task<IReadOnlyList<AttachedPolicyType>> attached = CallAsync(ct => _iam.ListAllAttachedUserPoliciesAsync(userName, ct), cancellationToken);
            Task<IReadOnlyList<InspectedAccessKey>>? keys = policiesOnly ? null : ReadKeysAsync(userName, cancellationToken);
            Task<bool?>? loginProfile = policiesOnly ? null : Optional(report, "GetLoginProfile", ct => _iam.HasLoginProfileAsync(userName, ct), cancellationToken);
            Task<IReadOnlyList<MFADevice>?>? mfa = policiesOnly ? null : Optional(report, "ListMFADevices", ct => _iam.ListAllMFADevicesAsync(userName, ct), cancellationToken);
            try
            {
                report.User = await user.ConfigureAwait(false);
            }
            finally
            {
                // The other reads fail too when the user is missing: observe them so none is left unobserved.
                await Task.WhenAll(new Task[] { tags, groups, inlineNames, attached, keys ?? Task.CompletedTask, loginProfile ?? Task.CompletedTask, mfa ?? Task.CompletedTask }
                    .Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default))).ConfigureAwait(false);
            }

            report.Tags = await tags.ConfigureAwait(false);
            string owner = "user " + userName;
            Task<InspectedPolicy[]> inline = Task.WhenAll((await inlineNames.ConfigureAwait(false)).Select(name => ReadInlineAsync(owner, name,
                ct => _iam.GetUserPolicyAsync(new GetUserPolicyRequest { UserName = userName, PolicyName = name }, ct), r => r.PolicyDocument, cancellationToken)));
            Task<InspectedPolicy[]> managed = Task.WhenAll((await attached.ConfigureAwait(false)).Select(a => ReadManagedAsync(a, owner, cancellationToken)));
            Task<GroupInspection[]> groupReads = Task.WhenAll((await groups.ConfigureAwait(false)).Select(g => ReadGroupCachedAsync(g.GroupName, cancellationToken)));
            await Task.WhenAll(inline, managed, groupReads).ConfigureAwait(false);
            report.InlinePolicies = inline.Result.OrderBy(p => p.PolicyName, StringComparer.Ordinal).ToList();
            report.AttachedPolicies = managed.Result.OrderBy(p => p.PolicyName, StringComparer.Ordinal).ToList();
            report.Groups = groupReads.Result.OrderBy(g => g.Group.GroupName, StringComparer.Ordinal).ToList();
            if (policiesOnly)
            {
                return report;
            }

            report.AccessKeys = await keys!.ConfigureAwait(false);
            report.HasLoginProfile = (await loginProfile!.ConfigureAwait(false)) ?? false;
            report.MfaDevices = (await mfa!.ConfigureAwait(false)) ?? new MFADevice[0];

            IReadOnlyList<InspectedPolicy> identity = report.AllIdentityPolicies.ToList();
            bool given = buckets != null && buckets.Count > 0;
            IReadOnlyList<string> named = given ? buckets!.Distinct(StringComparer.Ordinal).ToList() : BucketsNamedIn(identity, report.Warnings);

            // Without -BucketName: the buckets the user's policies name, and the module's buckets whose policy names the user.
            IReadOnlyList<string> candidates = named;
            if (!given)
            {
                IReadOnlyList<string> managedBuckets = await ListManagedBucketsCachedAsync(report.Warnings, cancellationToken).ConfigureAwait(false);
                candidates = named.Union(managedBuckets, StringComparer.Ordinal).OrderBy(b => b, StringComparer.Ordinal).ToList();
            }

            BucketPolicyRead[] policies = await Task.WhenAll(candidates.Select(b => ReadBucketPolicyCachedAsync(b, cancellationToken))).ConfigureAwait(false);
            var statements = new List<NamingStatement>();
            var access = new List<BucketAccess>();
            var looked = new List<string>();
            foreach (BucketPolicyRead read in policies)
            {
                List<NamingStatement> naming = StatementsNaming(read, report.User).ToList();
                if (!named.Contains(read.BucketName, StringComparer.Ordinal) && naming.Count == 0)
                {
                    continue; // a managed bucket that has nothing to do with this user
                }

                looked.Add(read.BucketName);
                if (read.Warning != null)
                {
                    report.Warnings.Add(read.Warning);
                }

                statements.AddRange(naming);
                BucketAccess? matrix = Simulate(identity, read, PrincipalInfo.FromArn(report.User.Arn, "UserName"), report.Warnings);
                if (matrix != null)
                {
                    access.Add(matrix);
                }
            }

            report.Buckets = looked;
            report.BucketPolicyStatements = statements;
            report.Access = access;
            if (looked.Count == 0)
            {
                report.Warnings.Add($"The policies of IAM user '{userName}' name no bucket and no bucket policy of the module's buckets names it: no access matrix. Give -BucketName to see what the user can do there.");
            }

            return report;
        }

        private Task<IReadOnlyList<string>> ListManagedBucketsCachedAsync(IList<string> warnings, CancellationToken cancellationToken)
        {
            if (_s3 == null)
            {
                return Task.FromResult<IReadOnlyList<string>>(new string[0]);
            }

            Task<(IReadOnlyList<string> Names, string? Warning)> listing;
            lock (_sync)
            {
                listing = _managedBuckets ??= ListManagedBucketsOnceAsync(cancellationToken); // once per inspector
            }

            return Unwrap();

            async Task<IReadOnlyList<string>> Unwrap()
            {
                var (names, warning) = await listing.ConfigureAwait(false);
                if (warning != null)
                {
                    lock (warnings)
                    {
                        warnings.Add(warning);
                    }
                }

                return names;
            }
        }

        private async Task<(IReadOnlyList<string> Names, string? Warning)> ListManagedBucketsOnceAsync(CancellationToken cancellationToken)
        {
            try
            {
                ManagedBucketList list = await ManagedBuckets.ListAsync(_s3!, MaxConcurrency, cancellationToken).ConfigureAwait(false);
                string? warning = list.Unreadable.Count == 0 ? null
                    : $"The tags of bucket(s) {string.Join(", ", list.Unreadable.Select(u => "'" + u.BucketName + "'"))} could not be read, so whether the module manages them is unknown; give -BucketName to include them.";
                return (list.BucketNames, warning);
            }
            catch (BackupIamException ex) when (!(ex is InputValidationException))
            {
                return (new string[0], $"The module's buckets could not be listed ({ex.ErrorId}: {ex.Message}); only the buckets the policies name were looked at. Give -BucketName to look at others.");
            }
        }

        /// <summary>Reads a group's members and policies and simulates them for a member with no policies of its own.</summary>
        /// <exception cref="BackupIamException">ErrorId <c>IamGroupNotFound</c> when the group does not exist.</exception>
        public async Task<GroupInspection> InspectGroupAsync(string groupName, IReadOnlyList<string>? buckets, CancellationToken cancellationToken)
        {
            IamNames.ValidateGroupName(groupName);
            foreach (string bucket in buckets ?? new string[0])
            {
                S3Names.ValidateBucketName(bucket, "BucketName");
            }

            GroupInspection cached = await ReadGroupCachedAsync(groupName, cancellationToken).ConfigureAwait(false);
            var group = new GroupInspection
            {
                Group = cached.Group,
                Members = cached.Members,
                InlinePolicies = cached.InlinePolicies,
                AttachedPolicies = cached.AttachedPolicies,
            };
            foreach (string warning in cached.Warnings)
            {
                group.Warnings.Add(warning);
            }

            IReadOnlyList<InspectedPolicy> identity = group.InlinePolicies.Concat(group.AttachedPolicies).ToList();
            IReadOnlyList<string> scope = buckets != null && buckets.Count > 0 ? buckets.Distinct(StringComparer.Ordinal).ToList() : BucketsNamedIn(identity, group.Warnings);
            if (scope.Count == 0)
            {
                group.Warnings.Add($"The policies of IAM group '{groupName}' name no bucket: no access matrix. Give -BucketName to see what its members can do there.");
                return group;
            }

            // Bucket policies name users, never groups: the group's matrix is that of a member with no policies of its own.
            PrincipalInfo member = GroupMember(group.Group);
            var access = new List<BucketAccess>();
            foreach (string bucket in scope)
            {
                BucketAccess? matrix = Simulate(identity, new BucketPolicyRead(bucket, null, null), member, group.Warnings);
                if (matrix != null)
                {
                    access.Add(matrix);
                }
            }

            group.Access = access;
            return group;
        }

        /// <summary>Decides actions on a resource for each principal's identity policies plus a bucket policy (the posture's delete check).</summary>
        public static IReadOnlyList<(string Action, EvaluationResult Result)> Decide(
            IEnumerable<InspectedPolicy> identity, string? bucketPolicyJson, string principalArn, IEnumerable<string> actions, string resource)
        {
            List<NamedPolicy> named = ToNamedPolicies(identity, null);
            NamedPolicy? bucketPolicy = null;
            if (!string.IsNullOrWhiteSpace(bucketPolicyJson))
            {
                try
                {
                    bucketPolicy = new NamedPolicy("BucketPolicy", PolicyJson.Parse(bucketPolicyJson!), isResourcePolicy: true);
                }
                catch (BackupIamException)
                {
                    // An unreadable bucket policy is reported by the posture's own policy check.
                }
            }

            PrincipalInfo principal = PrincipalInfo.FromArn(principalArn, "UserName");
            var evaluator = new PolicyEvaluator();
            return actions.Select(a => (a, evaluator.Evaluate(named, bucketPolicy, new EvaluationRequest(a, resource, principal)))).ToList();
        }

        // ------------------------------------------------------------------ reads

        private async Task<User> GetUserAsync(string userName, CancellationToken cancellationToken)
        {
            try
            {
                return (await CallAsync(ct => _iam.GetUserAsync(new GetUserRequest { UserName = userName }, ct), cancellationToken).ConfigureAwait(false)).User;
            }
            catch (NoSuchEntityException ex)
            {
                throw new BackupIamException("IamUserNotFound", FailureKind.NotFound,
                    $"IAM user '{userName}' does not exist. List the users the module manages with Get-BackupUser (no -UserName), or create it with New-BackupUser -UserName {userName}.", ex)
                { Target = userName };
            }
        }

        private async Task<IReadOnlyList<InspectedAccessKey>> ReadKeysAsync(string userName, CancellationToken cancellationToken)
        {
            IReadOnlyList<AccessKeyMetadata> keys = await CallAsync(ct => _iam.ListAllAccessKeysAsync(userName, ct), cancellationToken).ConfigureAwait(false);
            var read = await Task.WhenAll(keys.Select(async k =>
            {
                AccessKeyLastUsed used = (await CallAsync(ct => _iam.GetAccessKeyLastUsedAsync(new GetAccessKeyLastUsedRequest { AccessKeyId = k.AccessKeyId }, ct), cancellationToken).ConfigureAwait(false)).AccessKeyLastUsed;
                return new InspectedAccessKey
                {
                    AccessKeyId = k.AccessKeyId,
                    Status = k.Status,
                    CreateDate = k.CreateDate,
                    LastUsedDate = used.LastUsedDate,
                    LastUsedService = NullIfNotApplicable(used.ServiceName),
                    LastUsedRegion = NullIfNotApplicable(used.Region),
                };
            })).ConfigureAwait(false);
            return read.OrderBy(k => k.CreateDate).ThenBy(k => k.AccessKeyId, StringComparer.Ordinal).ToList();
        }

        private static string? NullIfNotApplicable(string? value) =>
            string.IsNullOrEmpty(value) || string.Equals(value, "N/A", StringComparison.OrdinalIgnoreCase) ? null : value;

        private async Task<InspectedPolicy> ReadInlineAsync<TResponse>(string owner, string name, Func<CancellationToken, Task<TResponse>> get, Func<TResponse, string> document, CancellationToken cancellationToken)
        {
            TResponse response = await CallAsync(get, cancellationToken).ConfigureAwait(false);
            return new InspectedPolicy { PolicyName = name, Kind = "Inline", Owner = owner, PolicyDocument = document(response) };
        }

        private Task<InspectedPolicy> ReadManagedAsync(AttachedPolicyType attached, string owner, CancellationToken cancellationToken)
        {
            Task<InspectedPolicy> shared = _managed.GetOrAdd(attached.PolicyArn, arn => new Lazy<Task<InspectedPolicy>>(() => ReadManagedOnceAsync(attached, cancellationToken))).Value;
            return WithOwner(shared, owner);

            static async Task<InspectedPolicy> WithOwner(Task<InspectedPolicy> read, string who)
            {
                InspectedPolicy p = await read.ConfigureAwait(false);
                return new InspectedPolicy { PolicyName = p.PolicyName, Kind = p.Kind, Owner = who, PolicyArn = p.PolicyArn, VersionId = p.VersionId, PolicyDocument = p.PolicyDocument };
            }
        }

        private async Task<InspectedPolicy> ReadManagedOnceAsync(AttachedPolicyType attached, CancellationToken cancellationToken)
        {
            // GetPolicy gives the default version's id; GetPolicyVersion its document, so the simulator sees what applies.
            ManagedPolicy policy = (await CallAsync(ct => _iam.GetPolicyAsync(new GetPolicyRequest { PolicyArn = attached.PolicyArn }, ct), cancellationToken).ConfigureAwait(false)).Policy;
            PolicyVersion version = (await CallAsync(ct => _iam.GetPolicyVersionAsync(new GetPolicyVersionRequest { PolicyArn = attached.PolicyArn, VersionId = policy.DefaultVersionId }, ct), cancellationToken).ConfigureAwait(false)).PolicyVersion;
            return new InspectedPolicy
            {
                PolicyName = string.IsNullOrEmpty(attached.PolicyName) ? policy.PolicyName : attached.PolicyName,
                Kind = "Managed",
                PolicyArn = attached.PolicyArn,
                VersionId = policy.DefaultVersionId,
                PolicyDocument = version.Document,
            };
        }

        private Task<GroupInspection> ReadGroupCachedAsync(string groupName, CancellationToken cancellationToken) =>
            _groups.GetOrAdd(groupName, name => new Lazy<Task<GroupInspection>>(() => ReadGroupOnceAsync(name, cancellationToken))).Value;

        private async Task<GroupInspection> ReadGroupOnceAsync(string groupName, CancellationToken cancellationToken)
        {
            GetGroupResponse first;
            try
            {
                first = await CallAsync(ct => _iam.GetGroupAsync(new GetGroupRequest { GroupName = groupName }, ct), cancellationToken).ConfigureAwait(false);
            }
            catch (NoSuchEntityException ex)
            {
                throw new BackupIamException("IamGroupNotFound", FailureKind.NotFound,
                    $"IAM group '{groupName}' does not exist. List the module's groups with Get-BackupGroup (no -GroupName), or create it with New-BackupGroup -GroupName {groupName}.", ex)
                { Target = groupName };
            }

            Task<IReadOnlyList<User>> members = first.IsTruncated
                ? CallAsync(ct => _iam.ListAllGroupUsersAsync(groupName, ct), cancellationToken)
                : Task.FromResult<IReadOnlyList<User>>(first.Users);
            string owner = "group " + groupName;
            Task<IReadOnlyList<string>> names = CallAsync(ct => _iam.ListAllGroupPolicyNamesAsync(groupName, ct), cancellationToken);
            Task<IReadOnlyList<AttachedPolicyType>> attached = CallAsync(ct => _iam.ListAllAttachedGroupPoliciesAsync(groupName, ct), cancellationToken);
            Task<InspectedPolicy[]> inline = Task.WhenAll((await names.ConfigureAwait(false)).Select(name => ReadInlineAsync(owner, name,
                ct => _iam.GetGroupPolicyAsync(new GetGroupPolicyRequest { GroupName = groupName, PolicyName = name }, ct), r => r.PolicyDocument, cancellationToken)));
            Task<InspectedPolicy[]> managed = Task.WhenAll((await attached.ConfigureAwait(false)).Select(a => ReadManagedAsync(a, owner, cancellationToken)));
            await Task.WhenAll(members, inline, managed).ConfigureAwait(false);
            return new GroupInspection
            {
                Group = first.Group,
                Members = members.Result.Select(u => u.UserName).OrderBy(n => n, StringComparer.Ordinal).ToList(),
                InlinePolicies = inline.Result.OrderBy(p => p.PolicyName, StringComparer.Ordinal).ToList(),
                AttachedPolicies = managed.Result.OrderBy(p => p.PolicyName, StringComparer.Ordinal).ToList(),
            };
        }

        private Task<BucketPolicyRead> ReadBucketPolicyCachedAsync(string bucket, CancellationToken cancellationToken) =>
            _bucketPolicies.GetOrAdd(bucket, name => new Lazy<Task<BucketPolicyRead>>(() => ReadBucketPolicyOnceAsync(name, cancellationToken))).Value;

        private async Task<BucketPolicyRead> ReadBucketPolicyOnceAsync(string bucket, CancellationToken cancellationToken)
        {
            if (_s3 == null)
            {
                return new BucketPolicyRead(bucket, null, null);
            }

            string? json;
            try
            {
                json = await CallAsync(ct => _s3.GetBucketPolicyAsync(bucket, ct), cancellationToken).ConfigureAwait(false);
            }
            catch (BackupIamException ex) when (!(ex is InputValidationException))
            {
                return new BucketPolicyRead(bucket, null, $"The policy of bucket '{bucket}' could not be read ({ex.ErrorId}: {ex.Message}); the access matrix leaves it out.");
            }

            if (string.IsNullOrWhiteSpace(json))
            {
                return new BucketPolicyRead(bucket, null, null);
            }

            try
            {
                return new BucketPolicyRead(bucket, PolicyJson.Parse(json!), null) { Json = json };
            }
            catch (BackupIamException ex)
            {
                return new BucketPolicyRead(bucket, null, $"The policy of bucket '{bucket}' is not one the simulator reads ({ex.Message}); the access matrix leaves it out.");
            }
        }

        // ------------------------------------------------------------------ analysis

        /// <summary>The concrete buckets named in the policies' S3 resource ARNs (no wildcards, no policy variables).</summary>
        internal static IReadOnlyList<string> BucketsNamedIn(IEnumerable<InspectedPolicy> policies, IList<string> warnings)
        {
            var buckets = new SortedSet<string>(StringComparer.Ordinal);
            foreach (InspectedPolicy policy in policies)
            {
                PolicyDocument? document = ParseOrWarn(policy, warnings);
                if (document == null)
                {
                    continue;
                }

                buckets.UnionWith(PolicyBuckets.NamedIn(document));
            }

            return buckets.ToList();
        }

        private static PolicyDocument? ParseOrWarn(InspectedPolicy policy, IList<string>? warnings)
        {
            if (string.IsNullOrWhiteSpace(policy.PolicyDocument))
            {
                return null;
            }

            try
            {
                return PolicyJson.Parse(policy.PolicyDocument!);
            }
            catch (BackupIamException ex)
            {
                string warning = $"Policy '{policy.PolicyName}' of {policy.Owner} is not one the simulator reads ({ex.Message}); the access matrix leaves it out.";
                if (warnings != null && !warnings.Contains(warning))
                {
                    warnings.Add(warning);
                }

                return null;
            }
        }

        private static List<NamedPolicy> ToNamedPolicies(IEnumerable<InspectedPolicy> identity, IList<string>? warnings)
        {
            var named = new List<NamedPolicy>();
            foreach (InspectedPolicy policy in identity)
            {
                PolicyDocument? document = ParseOrWarn(policy, warnings);
                if (document != null)
                {
                    named.Add(new NamedPolicy(policy.SimulationName, document));
                }
            }

            return named;
        }

        /// <summary>The statements of a bucket policy whose Principal names the user (its ARN or unique id).</summary>
        private static IEnumerable<NamingStatement> StatementsNaming(BucketPolicyRead read, User user)
        {
            if (read.Document == null)
            {
                yield break;
            }

            for (int i = 0; i < read.Document.Statements.Count; i++)
            {
                PolicyStatement statement = read.Document.Statements[i];
                if (statement.Principal == null || !statement.Principal.Values.TryGetValue("AWS", out List<string>? principals))
                {
                    continue;
                }

                if (!principals.Any(p => string.Equals(p, user.Arn, StringComparison.Ordinal) || (!string.IsNullOrEmpty(user.UserId) && string.Equals(p, user.UserId, StringComparison.Ordinal))))
                {
                    continue;
                }

                var single = new PolicyDocument();
                single.Statements.Add(statement);
                string json = PolicyJson.ToJson(single, indented: false);
                int start = json.IndexOf("\"Statement\":[", StringComparison.Ordinal);
                yield return new NamingStatement
                {
                    BucketName = read.BucketName,
                    Index = i,
                    Sid = statement.Sid,
                    Effect = statement.Effect.ToString(),
                    Actions = statement.Actions.ToList(),
                    Resources = statement.Resources.ToList(),
                    Statement = start < 0 ? json : json.Substring(start + 13, json.Length - start - 13 - 2),
                };
            }
        }

        private static BucketAccess? Simulate(IReadOnlyList<InspectedPolicy> identity, BucketPolicyRead bucketPolicy, PrincipalInfo principal, IList<string> warnings)
        {
            var policies = new List<ParsedPolicy>();
            foreach (NamedPolicy named in ToNamedPolicies(identity, warnings))
            {
                policies.Add(PolicySource.FromDocument(named.Document, PolicyJson.ToJson(named.Document, indented: false), named.Name, isBucketPolicy: false, declaredName: named.Name, declaredPrefix: null));
            }

            ParsedPolicy? resource = bucketPolicy.Document == null ? null
                : PolicySource.FromDocument(bucketPolicy.Document, bucketPolicy.Json ?? PolicyJson.ToJson(bucketPolicy.Document, indented: false), "BucketPolicy", isBucketPolicy: true, declaredName: "BucketPolicy", declaredPrefix: null);
            if (policies.Count == 0 && resource == null)
            {
                return null;
            }

            // The prefix the identity policies' object ARNs share (a bucket policy usually grants the whole bucket), else the whole bucket.
            string? prefix = MatrixScope.InferPrefix(policies.Select(p => p.Document), bucketPolicy.BucketName);
            var result = PolicySimulator.Run(policies, resource, new SimulationScope { BucketName = bucketPolicy.BucketName, PrincipalArn = principal.Arn, Prefix = prefix ?? string.Empty });
            return new BucketAccess { BucketName = bucketPolicy.BucketName, Prefix = S3Names.NormalizePrefix(prefix ?? string.Empty, "Prefix"), WithBucketPolicy = resource != null, Matrix = result.Matrix! };
        }

        private static PrincipalInfo GroupMember(Group group)
        {
            // arn:PARTITION:iam::ACCOUNT:group/PATH/NAME -> a member user of that account.
            string[] parts = group.Arn.Split(':');
            string partition = parts.Length > 1 && parts[1].Length > 0 ? parts[1] : "aws";
            string account = parts.Length > 4 ? parts[4] : SimulationScope.DefaultAccountId;
            return PrincipalInfo.FromArn($"arn:{partition}:iam::{account}:user/{group.GroupName}-member", "GroupName");
        }

        // ------------------------------------------------------------------ concurrency

        private async Task<T> CallAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await call(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _gate.Release();
            }
        }

        /// <summary>A read the store may not offer (Ceph RGW answers 405): its absence is a warning, not a failure.</summary>
        private async Task<T?> Optional<T>(UserInspection report, string operation, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
            where T : class
        {
            try
            {
                return await CallAsync(call, cancellationToken).ConfigureAwait(false);
            }
            catch (BackupIamException ex) when (ex.ErrorId == "IamOperationNotSupported")
            {
                lock (report.Warnings)
                {
                    report.Warnings.Add($"IAM {operation} is not offered by this endpoint ({ex.Message}); left out.");
                }

                return null;
            }
        }

        private async Task<bool?> Optional(UserInspection report, string operation, Func<CancellationToken, Task<bool>> call, CancellationToken cancellationToken)
        {
            try
            {
                return await CallAsync(call, cancellationToken).ConfigureAwait(false);
            }
            catch (BackupIamException ex) when (ex.ErrorId == "IamOperationNotSupported")
            {
                lock (report.Warnings)
                {
                    report.Warnings.Add($"IAM {operation} is not offered by this endpoint ({ex.Message}); left out.");
                }

                return null;
            }
        }

        private sealed class BucketPolicyRead
        {
            public BucketPolicyRead(string bucketName, PolicyDocument? document, string? warning)
            {
                BucketName = bucketName;
                Document = document;
                Warning = warning;
            }

            public string BucketName { get; }

            public PolicyDocument? Document { get; }

            public string? Json { get; set; }

            public string? Warning { get; }
        }
    }
}
