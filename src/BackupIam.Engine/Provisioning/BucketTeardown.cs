using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using BackupIam.Engine.Aws;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Json;
using BackupIam.Engine.Naming;

namespace BackupIam.Engine.Provisioning
{
    /// <summary>The plan that removes a bucket's backup setup, with what it removes and what it keeps.</summary>
    public sealed class BucketTeardownPlan : ResourcePlan
    {
        internal BucketTeardownPlan(string bucketName) : base("BucketSetup", bucketName) { }

        /// <summary>The module's bucket-policy statements removed (their Sids).</summary>
        public IReadOnlyList<string> StatementsRemoved { get; internal set; } = new string[0];

        /// <summary>Others' statements that stay (Sid, or "(no Sid)").</summary>
        public IReadOnlyList<string> StatementsKept { get; internal set; } = new string[0];

        public IReadOnlyList<string> RulesRemoved { get; internal set; } = new string[0];

        public IReadOnlyList<string> RulesKept { get; internal set; } = new string[0];

        /// <summary>True when versioning is suspended (the module had turned it on).</summary>
        public bool SuspendsVersioning { get; internal set; }

        public IReadOnlyList<string> TagsRemoved { get; internal set; } = new string[0];

        public IReadOnlyList<string> TagsKept { get; internal set; } = new string[0];
    }

    /// <summary>
    /// Removes what the module added to a bucket, and only that (issue 15): its bucket-policy statements (by Sid), its
    /// lifecycle rules (by id), versioning when the module turned it on (suspended: S3 cannot turn it off; never on an
    /// Object Lock bucket), and its tags. Others' statements, rules and tags are written back as read. The bucket, its
    /// objects and its protections (Block Public Access, ownership, encryption) stay. Each step reads the setting again
    /// when it runs, so a re-run after a partial run plans only what is left and a change made meanwhile is kept.
    /// </summary>
    public sealed class BucketTeardown
    {
        private readonly IS3Gateway _s3;

        public BucketTeardown(IS3Gateway s3)
        {
            _s3 = s3 ?? throw new ArgumentNullException(nameof(s3));
        }

        public async Task<BucketTeardownPlan> PlanAsync(string bucketName, CancellationToken cancellationToken)
        {
            S3Names.ValidateBucketName(bucketName, "BucketName");
            var plan = new BucketTeardownPlan(bucketName) { Exists = true };
            string target = "bucket " + bucketName;
            if (!await _s3.BucketExistsAsync(bucketName, cancellationToken).ConfigureAwait(false))
            {
                plan.Exists = false;
                plan.Notes.Add($"Bucket '{bucketName}' does not exist: nothing to remove.");
                return plan;
            }

            Task<IReadOnlyDictionary<string, string>?> tagsRead = ReadTagsAsync(plan, bucketName, cancellationToken);
            Task<string?> policyRead = _s3.GetBucketPolicyAsync(bucketName, cancellationToken);
            Task<IReadOnlyList<S3LifecycleRule>?> rulesRead = _s3.GetBucketLifecycleConfigurationAsync(bucketName, cancellationToken);
            Task<S3VersioningInfo> versioningRead = _s3.GetBucketVersioningInfoAsync(bucketName, cancellationToken);
            Task<S3ObjectLockConfiguration?> lockRead = ReadObjectLockAsync(bucketName, cancellationToken);
            try
            {
                await Task.WhenAll(tagsRead, policyRead, rulesRead, versioningRead, lockRead).ConfigureAwait(false);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                // The first failure in plan order is thrown below by awaiting each read.
            }

            IReadOnlyDictionary<string, string>? tagsOrNull = await tagsRead.ConfigureAwait(false);
            IReadOnlyDictionary<string, string> tags = tagsOrNull ?? new Dictionary<string, string>();

            // 1. Bucket-policy statements: access goes first.
            string? policy = await policyRead.ConfigureAwait(false);
            if (policy != null)
            {
                JsonObject document = ParsePolicy(bucketName, policy);
                var statements = BucketSetup.Statements(document);
                var removed = statements.Where(IsModuleStatement).Select(Label).ToList();
                plan.StatementsRemoved = removed;
                plan.StatementsKept = statements.Where(s => !IsModuleStatement(s)).Select(Label).ToList();
                if (removed.Count > 0)
                {
                    bool all = plan.StatementsKept.Count == 0;
                    string what = all
                        ? $"Delete the bucket policy of bucket '{bucketName}': its {removed.Count} statement(s) are all the module's ({string.Join(", ", removed)})"
                        : $"Remove the module's {removed.Count} statement(s) ({string.Join(", ", removed)}) from the bucket policy of bucket '{bucketName}', keeping {plan.StatementsKept.Count} other statement(s) as they are ({string.Join(", ", plan.StatementsKept)})";
                    plan.Add("s3", all ? "DeleteBucketPolicy" : "PutBucketPolicy", target, what,
                        ct => RewritePolicyAsync(bucketName, doc => BucketSetup.WithStatements(doc, s => IsModuleStatement(s) ? null : s), ct));
                }
            }

            // 2. Lifecycle rules.
            IReadOnlyList<S3LifecycleRule> rules = await rulesRead.ConfigureAwait(false) ?? new S3LifecycleRule[0];
            IReadOnlyCollection<string> moduleRuleIds = BucketSetup.ModuleRuleIds(tags);
            plan.RulesRemoved = rules.Where(r => moduleRuleIds.Contains(r.Id)).Select(r => r.Id).ToList();
            plan.RulesKept = rules.Where(r => !moduleRuleIds.Contains(r.Id)).Select(r => r.Id).ToList();
            if (plan.RulesRemoved.Count > 0)
            {
                bool all = plan.RulesKept.Count == 0;
                string what = all
                    ? $"Delete the lifecycle configuration of bucket '{bucketName}': its rule(s) {string.Join(", ", plan.RulesRemoved)} are all the module's"
                    : $"Remove the module's lifecycle rule(s) {string.Join(", ", plan.RulesRemoved)} from bucket '{bucketName}', keeping {plan.RulesKept.Count} other rule(s) as they are ({string.Join(", ", plan.RulesKept)})";
                plan.Add("s3", all ? "DeleteBucketLifecycle" : "PutBucketLifecycleConfiguration", target, what,
                    ct => RemoveRulesAsync(bucketName, moduleRuleIds, ct));
            }

            // 3. Versioning, only where the module turned it on.
            S3VersioningInfo versioning = await versioningRead.ConfigureAwait(false);
            S3ObjectLockConfiguration? objectLock = null;
            bool lockUnknown = false;
            try
            {
                objectLock = await lockRead.ConfigureAwait(false);
            }
            catch (S3ServiceException ex) when (ex.HttpStatus == 403)
            {
                lockUnknown = true;
            }

            if (BucketTags.VersioningEnabledByUs(tags) && versioning.State == S3VersioningState.Enabled)
            {
                if (lockUnknown)
                {
                    plan.Warnings.Add($"Bucket '{bucketName}': its Object Lock configuration could not be read (403), so versioning stays Enabled: suspending it is refused on an Object Lock bucket. Give these credentials s3:GetBucketObjectLockConfiguration and run the command again.");
                }
                else if (objectLock != null && objectLock.Enabled)
                {
                    plan.Notes.Add($"Bucket '{bucketName}' has Object Lock, which keeps versioning on for good: versioning stays Enabled.");
                }
                else if (versioning.MfaDelete)
                {
                    plan.Warnings.Add($"Bucket '{bucketName}' has MFA delete on: versioning can only be suspended with the root user's MFA code, so it stays Enabled. Suspend it with the AWS CLI (--mfa) if it is no longer wanted.");
                }
                else
                {
                    plan.SuspendsVersioning = true;
                    plan.Add("s3", "PutBucketVersioning", target,
                        $"Suspend versioning of bucket '{bucketName}' (the module turned it on; existing object versions stay, S3 cannot turn versioning off)",
                        async ct =>
                        {
                            S3VersioningState now = await _s3.GetBucketVersioningAsync(bucketName, ct).ConfigureAwait(false);
                            if (now != S3VersioningState.Enabled)
                            {
                                return false;
                            }

                            await _s3.PutBucketVersioningAsync(bucketName, false, ct).ConfigureAwait(false);
                            return true;
                        });
                }
            }
            else if (versioning.State == S3VersioningState.Enabled)
            {
                plan.Notes.Add($"Versioning of bucket '{bucketName}' stays Enabled: no record says the module turned it on.");
            }

            // 4. The module's tags, last: until then the bucket is still found as managed.
            var ours = tags.Keys.Where(IsModuleTag).OrderBy(k => k, StringComparer.Ordinal).ToList();
            plan.TagsRemoved = ours;
            plan.TagsKept = tags.Keys.Where(k => !IsModuleTag(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
            if (ours.Count > 0)
            {
                bool all = plan.TagsKept.Count == 0;
                string what = all
                    ? $"Delete the tags of bucket '{bucketName}': {string.Join(", ", ours)} are all the module's"
                    : $"Remove the module's tag(s) {string.Join(", ", ours)} from bucket '{bucketName}', keeping {plan.TagsKept.Count} other tag(s) as they are";
                plan.Add("s3", all ? "DeleteBucketTagging" : "PutBucketTagging", target, what, async ct =>
                {
                    IReadOnlyDictionary<string, string> now = await _s3.GetBucketTaggingAsync(bucketName, ct).ConfigureAwait(false);
                    BucketTagMerge merge = BucketTags.Merge(now, null, now.Keys.Where(IsModuleTag).ToList());
                    if (!merge.Changed)
                    {
                        return false;
                    }

                    await _s3.PutBucketTaggingAsync(bucketName, merge.Tags, ct).ConfigureAwait(false);
                    return true;
                });
            }

            plan.Notes.Add($"Bucket '{bucketName}', its objects and its protections (Block Public Access, object ownership, encryption, Object Lock) stay.");
            return plan;
        }

        /// <summary>Reads the bucket policy now, rewrites it with <paramref name="rewrite"/>, and writes it (or deletes it when nothing is left) only when it changed.</summary>
        internal async Task<bool> RewritePolicyAsync(string bucketName, Func<JsonObject, JsonObject?> rewrite, CancellationToken ct)
        {
            string? now = await _s3.GetBucketPolicyAsync(bucketName, ct).ConfigureAwait(false);
            if (now == null)
            {
                return false;
            }

            JsonObject document = ParsePolicy(bucketName, now);
            JsonObject? rewritten = rewrite(document);
            if (rewritten == null)
            {
                await _s3.DeleteBucketPolicyAsync(bucketName, ct).ConfigureAwait(false);
                return true;
            }

            string json = JsonWriter.Write(rewritten, indented: false);
            if (json == JsonWriter.Write(document, indented: false))
            {
                return false;
            }

            await _s3.PutBucketPolicyAsync(bucketName, json, ct).ConfigureAwait(false);
            return true;
        }

        private async Task<bool> RemoveRulesAsync(string bucketName, IReadOnlyCollection<string> moduleRuleIds, CancellationToken ct)
        {
            IReadOnlyList<S3LifecycleRule> now = await _s3.GetBucketLifecycleConfigurationAsync(bucketName, ct).ConfigureAwait(false) ?? new S3LifecycleRule[0];
            var kept = now.Where(r => !moduleRuleIds.Contains(r.Id)).ToList();
            if (kept.Count == now.Count)
            {
                return false;
            }

            if (kept.Count == 0)
            {
                await _s3.DeleteBucketLifecycleConfigurationAsync(bucketName, ct).ConfigureAwait(false);
            }
            else
            {
                // Each kept rule goes back as it was read (S3LifecycleRule keeps the SDK rule it came from).
                await _s3.PutBucketLifecycleConfigurationAsync(bucketName, kept, ct).ConfigureAwait(false);
            }

            return true;
        }

        private async Task<IReadOnlyDictionary<string, string>?> ReadTagsAsync(BucketTeardownPlan plan, string bucketName, CancellationToken ct)
        {
            try
            {
                return await _s3.GetBucketTaggingAsync(bucketName, ct).ConfigureAwait(false);
            }
            catch (S3ServiceException ex) when (ex.HttpStatus == 403 || ex.HttpStatus == 501 || ex.HttpStatus == 405 || ex.AwsErrorCode == "NotImplemented")
            {
                // Without the tags there is no record of the versioning or of non-default rule ids: those stay.
                plan.Warnings.Add($"Bucket '{bucketName}': its tags could not be read (GetBucketTagging answered HTTP {ex.HttpStatus} {ex.AwsErrorCode}), so versioning and lifecycle rules other than '{BucketSetup.DefaultLifecycleRuleId}' stay, and its tags are not changed.");
                return null;
            }
        }

        private async Task<S3ObjectLockConfiguration?> ReadObjectLockAsync(string bucketName, CancellationToken ct)
        {
            try
            {
                return await _s3.GetObjectLockConfigurationAsync(bucketName, ct).ConfigureAwait(false);
            }
            catch (S3ServiceException ex) when (ex.HttpStatus == 501 || ex.AwsErrorCode == "NotImplemented")
            {
                return null; // a store without Object Lock
            }
        }

        internal static JsonObject ParsePolicy(string bucketName, string policy)
        {
            JsonNode node;
            try
            {
                node = JsonReader.Parse(policy);
            }
            catch (BackupIamException ex)
            {
                throw new BackupIamException("BucketPolicyUnreadable", FailureKind.InvalidData,
                    $"The bucket policy of bucket '{bucketName}' is not JSON the module can read ({ex.Message}); nothing was changed. Fix or remove it by hand.", ex) { Target = bucketName };
            }

            if (!(node is JsonObject document))
            {
                throw new BackupIamException("BucketPolicyUnreadable", FailureKind.InvalidData,
                    $"The bucket policy of bucket '{bucketName}' is not a JSON object; nothing was changed. Fix or remove it by hand.") { Target = bucketName };
            }

            return document;
        }

        private static bool IsModuleStatement(JsonObject statement) => BucketSetup.IsModuleSid(BucketSetup.SidOf(statement));

        private static bool IsModuleTag(string key) => key.StartsWith(BucketTags.ModulePrefix, StringComparison.Ordinal);

        private static string Label(JsonObject statement) => BucketSetup.SidOf(statement) ?? "(no Sid)";
    }
}
