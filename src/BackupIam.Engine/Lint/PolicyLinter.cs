using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using BackupIam.Engine.Naming;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Simulation;

namespace BackupIam.Engine.Lint
{
    /// <summary>
    /// Checks an S3 backup policy for mistakes (unknown actions, resources of the wrong type, unsupported condition
    /// keys, size and Principal rules) and for risks (deletes in a write-only policy, object ACLs, overwritable
    /// backups, wildcards). Only Allow statements are considered for risk findings. Every finding has a fix.
    /// </summary>
    public static class PolicyLinter
    {
        private const int AllTypes = -1;

        private static readonly Dictionary<string, string> KnownMistakes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["s3:HeadBucket"] = "Remove \"s3:HeadBucket\": it is not an IAM action. HeadBucket is authorized by \"s3:ListBucket\" on the bucket ARN (arn:aws:s3:::bucket).",
            ["s3:HeadObject"] = "Remove \"s3:HeadObject\": it is not an IAM action. HeadObject is authorized by \"s3:GetObject\" on the object ARN (arn:aws:s3:::bucket/*).",
            ["s3:PutObjectAclVersion"] = "Replace \"s3:PutObjectAclVersion\" with \"s3:PutObjectVersionAcl\" (the real action name), or drop it if the client does not set ACLs on object versions.",
            ["s3:GetObjectAclVersion"] = "Replace \"s3:GetObjectAclVersion\" with \"s3:GetObjectVersionAcl\".",
            ["s3:ListObjects"] = "Replace with \"s3:ListBucket\" on the bucket ARN: ListObjects and ListObjectsV2 are authorized by s3:ListBucket.",
            ["s3:ListObjectsV2"] = "Replace with \"s3:ListBucket\" on the bucket ARN: ListObjectsV2 is authorized by s3:ListBucket.",
            ["s3:ListObjectVersions"] = "Replace with \"s3:ListBucketVersions\" on the bucket ARN.",
            ["s3:DeleteObjects"] = "Replace with \"s3:DeleteObject\": the multi-object delete API is authorized per object by s3:DeleteObject.",
            ["s3:CopyObject"] = "Replace with \"s3:GetObject\" on the source and \"s3:PutObject\" on the destination: CopyObject has no action of its own.",
            ["s3:CreateMultipartUpload"] = "Replace with \"s3:PutObject\": multipart uploads are authorized by s3:PutObject.",
            ["s3:UploadPart"] = "Replace with \"s3:PutObject\": UploadPart is authorized by s3:PutObject.",
            ["s3:UploadPartCopy"] = "Replace with \"s3:PutObject\" (and s3:GetObject on the source).",
            ["s3:CompleteMultipartUpload"] = "Replace with \"s3:PutObject\": CompleteMultipartUpload is authorized by s3:PutObject.",
            ["s3:ListParts"] = "Replace with \"s3:ListMultipartUploadParts\".",
            ["s3:ListMultipartUploads"] = "Replace with \"s3:ListBucketMultipartUploads\" on the bucket ARN.",
            ["s3:ListBuckets"] = "Replace with \"s3:ListAllMyBuckets\" on \"*\".",
            ["s3:GetBucketVersions"] = "Replace with \"s3:ListBucketVersions\".",
            ["s3:PutBucketLifecycle"] = "Replace with \"s3:PutLifecycleConfiguration\".",
            ["s3:PutBucketLifecycleConfiguration"] = "Replace with \"s3:PutLifecycleConfiguration\".",
            ["s3:GetBucketLifecycleConfiguration"] = "Replace with \"s3:GetLifecycleConfiguration\".",
            ["s3:DeleteBucketLifecycle"] = "Replace with \"s3:PutLifecycleConfiguration\": deleting a lifecycle configuration is authorized by it.",
            ["s3:PutBucketEncryption"] = "Replace with \"s3:PutEncryptionConfiguration\".",
            ["s3:GetBucketEncryption"] = "Replace with \"s3:GetEncryptionConfiguration\".",
            ["s3:PutBucketReplication"] = "Replace with \"s3:PutReplicationConfiguration\".",
            ["s3:GetBucketReplication"] = "Replace with \"s3:GetReplicationConfiguration\".",
            ["s3:DeleteBucketOwnershipControls"] = "Replace with \"s3:PutBucketOwnershipControls\": deleting ownership controls is authorized by it.",
            ["s3:PutObjectLockConfiguration"] = "Replace with \"s3:PutBucketObjectLockConfiguration\".",
            ["s3:GetObjectLockConfiguration"] = "Replace with \"s3:GetBucketObjectLockConfiguration\".",
        };

        /// <summary>The size quota of a container (see <see cref="PolicySizeLimits.GetLimit"/>).</summary>
        public static int GetSizeLimit(PolicyContainer container) => PolicySizeLimits.GetLimit(container);

        /// <summary>The size a container's quota is measured in (see <see cref="PolicySizeLimits.Measure(string, PolicyContainer)"/>).</summary>
        public static int MeasureSize(string policyJson, PolicyContainer container) => PolicySizeLimits.Measure(policyJson, container);

        /// <summary>Parses <paramref name="policyJson"/> and lints it; the size is measured on the text as given.</summary>
        /// <exception cref="ArgumentNullException">An argument is null.</exception>
        /// <exception cref="PolicyFormatException">The text is not JSON or breaks the IAM policy grammar.</exception>
        public static IReadOnlyList<PolicyFinding> Lint(string policyJson, LintOptions options)
        {
            if (policyJson == null)
            {
                throw new ArgumentNullException(nameof(policyJson));
            }

            if (options == null)
            {
                throw new ArgumentNullException(nameof(options));
            }

            PolicyDocument doc = PolicyJson.Parse(policyJson);
            return LintCore(doc, options, MeasureSize(policyJson, options.Container));
        }

        /// <summary>Lints a policy document; the size is measured on its compact canonical JSON.</summary>
        /// <exception cref="ArgumentNullException">An argument is null.</exception>
        public static IReadOnlyList<PolicyFinding> Lint(PolicyDocument doc, LintOptions options)
        {
            if (doc == null)
            {
                throw new ArgumentNullException(nameof(doc));
            }

            if (options == null)
            {
                throw new ArgumentNullException(nameof(options));
            }

            int? size;
            try
            {
                size = MeasureSize(PolicyJson.ToJson(doc, indented: false), options.Container);
            }
            catch (PolicyFormatException)
            {
                size = null; // The document cannot be rendered; the other checks still run.
            }

            return LintCore(doc, options, size);
        }

        private static IReadOnlyList<PolicyFinding> LintCore(PolicyDocument doc, LintOptions options, int? size)
        {
            S3ActionCatalog catalog = S3ActionCatalog.Default;
            var findings = new List<PolicyFinding>();
            PolicyContainer container = options.Container;

            if (size.HasValue && size.Value > GetSizeLimit(container))
            {
                int limit = GetSizeLimit(container);
                string unit = container == PolicyContainer.BucketPolicy ? "bytes" : "characters";
                findings.Add(new PolicyFinding(
                    FindingSeverity.Error,
                    FindingIds.PolicyTooLarge,
                    null,
                    null,
                    null,
                    string.Format(CultureInfo.InvariantCulture, "The policy is {0:N0} {1} (whitespace not counted), over the {2:N0}-{1} quota of a {3} policy.", size.Value, unit, limit, Describe(container)),
                    container == PolicyContainer.UserInline || container == PolicyContainer.GroupInline
                        ? "Merge statements that share a Resource, replace long action lists with a few precise wildcards such as \"s3:GetObject*\", or use a managed policy (6,144) or a role (10,240) instead."
                        : "Merge statements that share a Resource, drop actions the backup client never calls, and use precise wildcards such as \"s3:GetObject*\" instead of long lists."));
            }

            if (doc.VersionMissing)
            {
                bool usesVariables = UsesPolicyVariables(doc);
                findings.Add(new PolicyFinding(
                    FindingSeverity.Warning,
                    FindingIds.MissingVersion,
                    null,
                    null,
                    null,
                    "The policy has no \"Version\" element, so AWS evaluates it with the 2008-10-17 rules: policy variables such as ${aws:username} are literal text"
                    + (usesVariables ? " (this policy uses some, which therefore match nothing but the literal characters)." : "."),
                    "Add \"Version\": \"2012-10-17\" as the first element. Policy variables (${...}) then start to be evaluated, so check that each one resolves as intended."));
            }

            bool writeOnly = options.WriteOnlyIntent || LintOptions.NameImpliesWriteOnly(doc.Id);
            bool checkOverwrites = options.VersioningEnabled != true && !options.HasNoOverwriteRule;
            OverwriteProbe? overwrites = null;

            for (int i = 0; i < doc.Statements.Count; i++)
            {
                PolicyStatement st = doc.Statements[i];
                if (st == null)
                {
                    continue;
                }

                string? sid = st.Sid;
                bool allow = st.Effect == PolicyEffect.Allow;
                CheckStructure(findings, st, i, container);
                CheckActions(findings, st, i, catalog);
                CheckResourceTypes(findings, st, i, catalog);
                CheckConditionKeys(findings, st, i, catalog);
                if (!allow)
                {
                    continue;
                }

                CheckWildcards(findings, st, i);
                if (writeOnly)
                {
                    CheckDeletes(findings, st, i, catalog);
                }

                if (!options.AclsDisabled)
                {
                    CheckObjectAcls(findings, st, i, catalog);
                }

                if (!options.NeedsBucketDiscovery)
                {
                    CheckListAllMyBuckets(findings, st, i, catalog);
                }

                if (checkOverwrites)
                {
                    CheckOverwrites(findings, st, i, catalog, options.VersioningEnabled, () => overwrites ??= new OverwriteProbe(doc, container == PolicyContainer.BucketPolicy));
                }
            }

            if (findings.Count > 1)
            {
                // Stable order: whole-policy findings first, then by statement.
                var indexed = new List<KeyValuePair<int, PolicyFinding>>(findings.Count);
                for (int k = 0; k < findings.Count; k++)
                {
                    indexed.Add(new KeyValuePair<int, PolicyFinding>(k, findings[k]));
                }

                indexed.Sort((a, b) =>
                {
                    int sa = a.Value.StatementIndex ?? -1;
                    int sb = b.Value.StatementIndex ?? -1;
                    return sa != sb ? sa.CompareTo(sb) : a.Key.CompareTo(b.Key);
                });
                for (int k = 0; k < indexed.Count; k++)
                {
                    findings[k] = indexed[k].Value;
                }
            }

            return findings.AsReadOnly();
        }

        /// <summary>
        /// s3:ListAllMyBuckets allowed by name, or by a wildcard ("s3:List*", "s3:*", "*", NotAction) on a resource that
        /// reaches it ("*" or "arn:aws:s3:::*").
        /// </summary>
        private static void CheckListAllMyBuckets(List<PolicyFinding> findings, PolicyStatement st, int i, S3ActionCatalog catalog)
        {
            if (!catalog.TryGet("s3:ListAllMyBuckets", out S3ActionInfo listAll) || !AllowsAction(st, listAll, catalog))
            {
                return;
            }

            string? entry = null;
            if (!st.IsNotAction)
            {
                foreach (string a in st.Actions)
                {
                    if (a != null && ContainsInfo(catalog.Match(a), listAll))
                    {
                        entry = a;
                        break;
                    }
                }
            }

            bool exact = entry != null && !HasWildcard(entry);
            if (!exact)
            {
                // A wildcard only grants it where the resources reach "*".
                bool reaches = st.IsNotResource;
                foreach (string r in st.Resources)
                {
                    if (r != null)
                    {
                        ResourceMask(r, out bool star);
                        reaches |= star;
                    }
                }

                if (!reaches)
                {
                    return;
                }
            }

            string what = exact ? "s3:ListAllMyBuckets" : (st.IsNotAction ? "The NotAction statement" : "\"" + entry + "\"") + " includes s3:ListAllMyBuckets, which";
            findings.Add(new PolicyFinding(
                FindingSeverity.Suggestion,
                FindingIds.UnneededListAllMyBuckets,
                i,
                st.Sid,
                entry,
                what + " lets the client see the names of every bucket in the account, and the backup client does not need to discover buckets.",
                exact
                    ? "Remove \"s3:ListAllMyBuckets\" and configure the bucket name in the backup client; keep it only if the client insists on listing buckets (then set NeedsBucketDiscovery)."
                    : "Replace \"" + (entry ?? "NotAction") + "\" with the exact actions the client needs on the bucket and object ARNs (for example \"s3:ListBucket\" on \"arn:aws:s3:::bucket\"), so that s3:ListAllMyBuckets is not granted on \"*\"."));
        }

        private static bool UsesPolicyVariables(PolicyDocument doc)
        {
            foreach (PolicyStatement st in doc.Statements)
            {
                if (st == null)
                {
                    continue;
                }

                foreach (string r in st.Resources)
                {
                    if (r != null && r.IndexOf("${", StringComparison.Ordinal) >= 0)
                    {
                        return true;
                    }
                }

                foreach (ConditionClause c in st.Conditions)
                {
                    if (c == null)
                    {
                        continue;
                    }

                    foreach (string v in c.Values)
                    {
                        if (v != null && v.IndexOf("${", StringComparison.Ordinal) >= 0)
                        {
                            return true;
                        }
                    }
                }
            }

            return false;
        }

        private static string Describe(PolicyContainer container)
        {
            switch (container)
            {
                case PolicyContainer.UserInline: return "user inline";
                case PolicyContainer.GroupInline: return "group inline";
                case PolicyContainer.RoleInline: return "role inline";
                case PolicyContainer.Managed: return "managed";
                default: return "bucket";
            }
        }

        private static void CheckStructure(List<PolicyFinding> findings, PolicyStatement st, int i, PolicyContainer container)
        {
            bool bucketPolicy = container == PolicyContainer.BucketPolicy;
            if (st.Resources.Count == 0 && !st.IsNotResource)
            {
                findings.Add(new PolicyFinding(
                    FindingSeverity.Error,
                    FindingIds.MissingResource,
                    i,
                    st.Sid,
                    null,
                    bucketPolicy
                        ? "The statement has no Resource or NotResource; S3 rejects the bucket policy."
                        : "The statement has no Resource or NotResource; IAM rejects identity policies whose statements name no resource.",
                    "Add \"Resource\": the bucket ARN (\"arn:aws:s3:::bucket\") for bucket actions such as s3:ListBucket, and the object ARN (\"arn:aws:s3:::bucket/prefix/*\") for object actions such as s3:PutObject."));
            }

            bool hasPrincipal = st.Principal != null || st.NotPrincipal != null;
            if (bucketPolicy && !hasPrincipal)
            {
                findings.Add(new PolicyFinding(
                    FindingSeverity.Error,
                    FindingIds.MissingPrincipal,
                    i,
                    st.Sid,
                    null,
                    "The bucket policy statement has no Principal; S3 rejects bucket policies whose statements do not say whom they apply to.",
                    "Add \"Principal\": {\"AWS\": \"arn:aws:iam::123456789012:user/backup\"} naming the backup user or role (avoid \"*\" on Allow statements)."));
            }
            else if (!bucketPolicy && hasPrincipal)
            {
                string field = st.Principal != null ? "Principal" : "NotPrincipal";
                findings.Add(new PolicyFinding(
                    FindingSeverity.Error,
                    FindingIds.PrincipalInIdentityPolicy,
                    i,
                    st.Sid,
                    null,
                    "The statement has a " + field + " element, which IAM rejects in a " + Describe(container) + " policy: an identity policy applies to the user, group or role it is attached to.",
                    "Remove \"" + field + "\" from the statement, or put the statement in the bucket policy instead (Container BucketPolicy)."));
            }
        }

        private static bool IsS3Action(string action) =>
            action.Length >= 3 && (action[0] == 's' || action[0] == 'S') && action[1] == '3' && action[2] == ':';

        private static bool HasWildcard(string s) => s.IndexOf('*') >= 0 || s.IndexOf('?') >= 0;

        private static void CheckActions(List<PolicyFinding> findings, PolicyStatement st, int i, S3ActionCatalog catalog)
        {
            foreach (string action in st.Actions)
            {
                if (action == null || !IsS3Action(action))
                {
                    continue;
                }

                if (HasWildcard(action))
                {
                    if (catalog.Match(action).Count == 0)
                    {
                        findings.Add(new PolicyFinding(
                            FindingSeverity.Error,
                            FindingIds.UnknownAction,
                            i,
                            st.Sid,
                            action,
                            "The pattern \"" + action + "\" matches no S3 action, so it grants nothing.",
                            "Fix the pattern so that it matches the intended actions (for example \"s3:GetObject*\" or \"s3:List*\"), or remove it."));
                    }

                    continue;
                }

                if (catalog.TryGet(action, out _))
                {
                    continue;
                }

                findings.Add(new PolicyFinding(
                    FindingSeverity.Error,
                    FindingIds.UnknownAction,
                    i,
                    st.Sid,
                    action,
                    "\"" + action + "\" is not an S3 action, so it grants nothing" + (st.Effect == PolicyEffect.Deny ? " and denies nothing." : ".") ,
                    FixForUnknown(action, catalog)));
            }
        }

        private static string FixForUnknown(string action, S3ActionCatalog catalog)
        {
            if (KnownMistakes.TryGetValue(action, out string? known))
            {
                return known;
            }

            // Two actions run together when a comma or quote was lost: "s3:AbortMultipartUploads3:ListMultipartUploadParts".
            if (action.IndexOf("s3:", 3, StringComparison.OrdinalIgnoreCase) > 0)
            {
                var parts = new List<string>();
                int start = 0;
                while (start < action.Length)
                {
                    int next = action.IndexOf("s3:", start + 3, StringComparison.OrdinalIgnoreCase);
                    int end = next < 0 ? action.Length : next;
                    parts.Add(action.Substring(start, end - start));
                    start = end;
                }

                var sb = new StringBuilder("Split it into separate entries of the Action list: ");
                for (int k = 0; k < parts.Count; k++)
                {
                    if (k > 0)
                    {
                        sb.Append(", ");
                    }

                    string part = parts[k];
                    sb.Append('"').Append(catalog.TryGet(part, out S3ActionInfo info) ? info.Name : part).Append('"');
                }

                sb.Append(" (a comma or quote is missing between them).");
                return sb.ToString();
            }

            string? closest = Closest(action, catalog);
            return closest != null
                ? "Did you mean \"" + closest + "\"? Replace the entry with the correct action name from the Service Authorization Reference."
                : "Replace it with an action from the Service Authorization Reference for Amazon S3, or remove it.";
        }

        private static string? Closest(string action, S3ActionCatalog catalog) => catalog.FindClosest(action);

        private static int Bit(S3ResourceType t) => 1 << (int)t;

        private static int TypeMask(S3ActionInfo info)
        {
            int mask = 0;
            foreach (S3ResourceType t in info.ResourceTypes)
            {
                mask |= Bit(t);
            }

            return mask;
        }

        /// <summary>The resource types a Resource entry can match, as a bit mask; all bits when unknown.</summary>
        internal static int ResourceMask(string resource, out bool matchesStar)
        {
            matchesStar = false;
            if (resource == "*")
            {
                matchesStar = true;
                return AllTypes;
            }

            if (!resource.StartsWith("arn:", StringComparison.OrdinalIgnoreCase))
            {
                return AllTypes; // Not an ARN: leave it to the grammar check.
            }

            // arn:partition:service:region:account:resource
            int p1 = resource.IndexOf(':', 4);
            int p2 = p1 < 0 ? -1 : resource.IndexOf(':', p1 + 1);
            int p3 = p2 < 0 ? -1 : resource.IndexOf(':', p2 + 1);
            int p4 = p3 < 0 ? -1 : resource.IndexOf(':', p3 + 1);
            if (p4 < 0)
            {
                return AllTypes;
            }

            string service = resource.Substring(p1 + 1, p2 - p1 - 1);
            string region = resource.Substring(p2 + 1, p3 - p2 - 1);
            string account = resource.Substring(p3 + 1, p4 - p3 - 1);
            string rest = resource.Substring(p4 + 1);
            if (HasWildcard(service))
            {
                matchesStar = rest == "*";
                return AllTypes;
            }

            if (string.Equals(service, "s3-object-lambda", StringComparison.OrdinalIgnoreCase))
            {
                return Bit(S3ResourceType.ObjectLambdaAccessPoint);
            }

            if (!string.Equals(service, "s3", StringComparison.OrdinalIgnoreCase))
            {
                return 0;
            }

            if (rest == "*")
            {
                matchesStar = (region.Length == 0 || region == "*") && (account.Length == 0 || account == "*");
                return AllTypes;
            }

            bool wild = HasWildcard(rest);
            if (region.Length == 0 && account.Length == 0)
            {
                int mask = 0;
                if (rest.IndexOf('/') < 0)
                {
                    mask |= Bit(S3ResourceType.Bucket);
                }

                if (rest.IndexOf('/') >= 0 || wild)
                {
                    mask |= Bit(S3ResourceType.Object);
                }

                return mask;
            }

            if (HasWildcard(region) || HasWildcard(account))
            {
                return AllTypes;
            }

            string lower = rest.ToLowerInvariant();
            if (lower.StartsWith("accesspoint/", StringComparison.Ordinal))
            {
                string tail = lower.Substring("accesspoint/".Length);
                bool objectPath = tail.IndexOf("/object/", StringComparison.Ordinal) >= 0;
                int pointType = region.Length == 0 ? Bit(S3ResourceType.MultiRegionAccessPoint) : Bit(S3ResourceType.AccessPoint) | Bit(S3ResourceType.Bucket);
                if (objectPath)
                {
                    return Bit(S3ResourceType.Object);
                }

                return wild ? pointType | Bit(S3ResourceType.Object) : pointType;
            }

            if (lower.StartsWith("job/", StringComparison.Ordinal))
            {
                return Bit(S3ResourceType.Job);
            }

            if (lower.StartsWith("storage-lens", StringComparison.Ordinal))
            {
                return Bit(S3ResourceType.StorageLens);
            }

            if (lower.StartsWith("access-grants/", StringComparison.Ordinal))
            {
                return Bit(S3ResourceType.AccessGrants);
            }

            if (lower.StartsWith("async-request/", StringComparison.Ordinal))
            {
                return Bit(S3ResourceType.Other);
            }

            return AllTypes;
        }

        private static void CheckResourceTypes(List<PolicyFinding> findings, PolicyStatement st, int i, S3ActionCatalog catalog)
        {
            if (st.IsNotResource || st.IsNotAction || st.Resources.Count == 0)
            {
                return;
            }

            int union = 0;
            bool anyStar = false;
            foreach (string r in st.Resources)
            {
                if (r == null)
                {
                    continue;
                }

                union |= ResourceMask(r, out bool star);
                anyStar |= star;
            }

            if (union == AllTypes && anyStar)
            {
                return;
            }

            foreach (string action in st.Actions)
            {
                if (action == null || !IsS3Action(action))
                {
                    continue;
                }

                IReadOnlyList<S3ActionInfo> infos = catalog.Match(action);
                if (infos.Count == 0)
                {
                    continue;
                }

                bool anyFits = false;
                foreach (S3ActionInfo info in infos)
                {
                    if (info.SupportsOnlyAnyResource ? anyStar : (TypeMask(info) & union) != 0)
                    {
                        anyFits = true;
                        break;
                    }
                }

                if (anyFits)
                {
                    continue;
                }

                string resources = string.Join(", ", st.Resources);
                string message;
                string fix;
                if (infos.Count == 1)
                {
                    S3ActionInfo info = infos[0];
                    message = info.SupportsOnlyAnyResource
                        ? "\"" + action + "\" supports only \"Resource\": \"*\", but the statement scopes it to " + resources + ", so it never applies."
                        : "\"" + action + "\" applies to " + DescribeTypes(info) + " resources, but the statement's resources (" + resources + ") can never be one, so it never applies.";
                    fix = FixForType(info, st.Resources);
                }
                else
                {
                    message = "None of the " + infos.Count.ToString(CultureInfo.InvariantCulture) + " actions matched by \"" + action + "\" applies to the statement's resources (" + resources + ").";
                    fix = "Move \"" + action + "\" to a statement whose Resource has the right type: bucket actions take \"arn:aws:s3:::bucket\", object actions \"arn:aws:s3:::bucket/*\".";
                }

                findings.Add(new PolicyFinding(FindingSeverity.Error, FindingIds.ResourceTypeMismatch, i, st.Sid, action, message, fix));
            }
        }

        private static string DescribeTypes(S3ActionInfo info)
        {
            return info.ResourceTypeNames.Count == 0 ? "\"*\"" : string.Join(" or ", info.ResourceTypeNames);
        }

        private static string FixForType(S3ActionInfo info, List<string> resources)
        {
            if (info.SupportsOnlyAnyResource)
            {
                return "Put \"" + info.Name + "\" in its own statement with \"Resource\": \"*\".";
            }

            string? bucket = null;
            foreach (string r in resources)
            {
                if (r != null && r.StartsWith("arn:aws:s3:::", StringComparison.OrdinalIgnoreCase))
                {
                    string rest = r.Substring("arn:aws:s3:::".Length);
                    int slash = rest.IndexOf('/');
                    bucket = slash < 0 ? rest : rest.Substring(0, slash);
                    break;
                }
            }

            string b = bucket ?? "bucket";
            if (info.AppliesTo(S3ResourceType.Bucket))
            {
                string hint = string.Equals(info.Name, "s3:ListBucket", StringComparison.OrdinalIgnoreCase) || string.Equals(info.Name, "s3:ListBucketVersions", StringComparison.OrdinalIgnoreCase)
                    ? " To limit listing to a prefix, add a Condition {\"StringLike\": {\"s3:prefix\": [\"backups/*\"]}}."
                    : string.Empty;
                return "Scope \"" + info.Name + "\" to the bucket ARN \"arn:aws:s3:::" + b + "\" (no /key part), in a separate statement if the others need object ARNs." + hint;
            }

            if (info.AppliesTo(S3ResourceType.Object))
            {
                return "Scope \"" + info.Name + "\" to object ARNs such as \"arn:aws:s3:::" + b + "/*\" or \"arn:aws:s3:::" + b + "/backups/*\".";
            }

            return "Scope \"" + info.Name + "\" to an ARN of type " + DescribeTypes(info) + " (see the Service Authorization Reference for Amazon S3).";
        }

        private static readonly EvaluationRequest MissingKeyProbe =
            new EvaluationRequest("s3:GetObject", "arn:aws:s3:::example-bucket/example-object", new PrincipalInfo("arn:aws:iam::123456789012:user/lint", "123456789012"));

        private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> MissingKeyResults =
            new System.Collections.Concurrent.ConcurrentDictionary<string, bool>(StringComparer.Ordinal);

        /// <summary>
        /// Whether the clause holds when its key is absent from the request, as the evaluator decides it. That depends only
        /// on the operator (and, for Null, on the values), so it is computed once per operator.
        /// </summary>
        private static bool HoldsWhenKeyMissing(ConditionClause clause)
        {
            string cacheKey = clause.Operator == "Null" ? "Null|" + string.Join("|", clause.Values) : clause.Operator;
            if (MissingKeyResults.TryGetValue(cacheKey, out bool holds))
            {
                return holds;
            }

            holds = new CompiledCondition(clause, variables: false).Evaluate(MissingKeyProbe);
            if (MissingKeyResults.Count < 1024)
            {
                MissingKeyResults.TryAdd(cacheKey, holds);
            }

            return holds;
        }

        /// <summary>
        /// For each s3: condition key, every action entry none of whose actions supports the key is reported: for that
        /// action the key is always absent, so the clause is constant. What that means follows the operator: a clause that
        /// is false on a missing key (StringEquals, StringLike, ...) means the Allow never grants, or the Deny never denies,
        /// that action; one that is true on a missing key (StringNotEquals, ...IfExists, Null "true", ForAllValues:) means
        /// the condition never restricts it, so the Allow grants it unconditionally, or the Deny always denies it.
        /// </summary>
        private static void CheckConditionKeys(List<PolicyFinding> findings, PolicyStatement st, int i, S3ActionCatalog catalog)
        {
            if (st.IsNotAction || st.Conditions.Count == 0)
            {
                return;
            }

            bool allow = st.Effect == PolicyEffect.Allow;
            foreach (ConditionClause clause in st.Conditions)
            {
                string? key = clause?.Key;
                if (key == null || !IsS3Action(key))
                {
                    continue;
                }

                bool holdsWhenMissing = HoldsWhenKeyMissing(clause!);
                foreach (string action in st.Actions)
                {
                    if (action == null || !(IsS3Action(action) || action == "*"))
                    {
                        continue;
                    }

                    IReadOnlyList<S3ActionInfo> infos = catalog.Match(action);
                    if (infos.Count == 0)
                    {
                        continue; // UnknownAction reports it.
                    }

                    bool supported = false;
                    foreach (S3ActionInfo info in infos)
                    {
                        if (info.SupportsConditionKey(key))
                        {
                            supported = true;
                            break;
                        }
                    }

                    if (supported)
                    {
                        continue;
                    }

                    string subject = "\"" + action + "\" " + (infos.Count == 1 && !HasWildcard(action) ? "does" : "(none of the actions it matches) does");
                    string clauseText = clause!.Operator + " on \"" + key + "\"";
                    string effect;
                    if (holdsWhenMissing)
                    {
                        effect = allow
                            ? "the key is always absent for it, so the " + clauseText + " condition always holds and does not restrict \"" + action + "\": the statement grants it unconditionally."
                            : "the key is always absent for it, so the " + clauseText + " condition always holds and the Deny always applies to \"" + action + "\".";
                    }
                    else
                    {
                        effect = allow
                            ? "the key is always absent for it, so the " + clauseText + " condition never holds and the statement never grants \"" + action + "\"."
                            : "the key is always absent for it, so the " + clauseText + " condition never holds and the Deny never applies to \"" + action + "\".";
                    }

                    findings.Add(new PolicyFinding(
                        FindingSeverity.Warning,
                        FindingIds.UnsupportedConditionKey,
                        i,
                        st.Sid,
                        action,
                        subject + " not support the condition key \"" + key + "\": " + effect,
                        FixForKey(key)));
                }
            }
        }

        private static string FixForKey(string key)
        {
            string k = key.ToLowerInvariant();
            if (k == "s3:prefix" || k == "s3:delimiter" || k == "s3:max-keys")
            {
                return "Move the \"" + key + "\" condition to the statement with \"s3:ListBucket\" (or s3:ListBucketVersions) on the bucket ARN; to limit object actions to a prefix, put the prefix in the Resource ARN instead (\"arn:aws:s3:::bucket/backups/*\").";
            }

            if (k == "s3:if-none-match" || k == "s3:x-amz-acl" || k.StartsWith("s3:x-amz-server-side-encryption", StringComparison.Ordinal))
            {
                return "Move the \"" + key + "\" condition to the statement that allows \"s3:PutObject\".";
            }

            return "Move the condition to a statement whose actions support \"" + key + "\" (see the Condition keys column of the Service Authorization Reference for Amazon S3), or use a global aws: key such as aws:SecureTransport.";
        }

        private static void CheckWildcards(List<PolicyFinding> findings, PolicyStatement st, int i)
        {
            if (st.IsNotAction)
            {
                return;
            }

            foreach (string action in st.Actions)
            {
                if (action == "*" || string.Equals(action, "s3:*", StringComparison.OrdinalIgnoreCase))
                {
                    findings.Add(new PolicyFinding(
                        FindingSeverity.Warning,
                        FindingIds.WildcardAction,
                        i,
                        st.Sid,
                        action,
                        "\"" + action + "\" allows every " + (action == "*" ? "action of every service" : "S3 action") + ", including deleting objects and buckets and changing bucket policies.",
                        "List only the actions the backup client calls, for example \"s3:ListBucket\" and \"s3:GetBucketLocation\" on the bucket and \"s3:PutObject\" and \"s3:GetObject\" on \"arn:aws:s3:::bucket/*\"."));
                }
            }
        }

        private static bool IsDelete(S3ActionInfo info) => info.Name.StartsWith("s3:Delete", StringComparison.OrdinalIgnoreCase);

        private static void CheckDeletes(List<PolicyFinding> findings, PolicyStatement st, int i, S3ActionCatalog catalog)
        {
            if (st.IsNotAction)
            {
                foreach (S3ActionInfo info in catalog.Actions)
                {
                    if (IsDelete(info) && !MatchesAny(st.Actions, info, catalog))
                    {
                        findings.Add(new PolicyFinding(
                            FindingSeverity.Error,
                            FindingIds.DeleteInWriteOnlyPolicy,
                            i,
                            st.Sid,
                            info.Name,
                            "The write-only policy's Allow statement uses NotAction, which allows \"" + info.Name + "\" and every other action it does not list.",
                            "Replace NotAction with an Action list of exactly what the backup client needs, such as \"s3:PutObject\" and \"s3:ListBucket\"."));
                        return;
                    }
                }

                return;
            }

            foreach (string action in st.Actions)
            {
                if (action == null || !(IsS3Action(action) || action == "*"))
                {
                    continue;
                }

                string? first = null;
                foreach (S3ActionInfo info in catalog.Match(action))
                {
                    if (IsDelete(info))
                    {
                        first = info.Name;
                        break;
                    }
                }

                if (first == null)
                {
                    continue;
                }

                bool exact = !HasWildcard(action);
                findings.Add(new PolicyFinding(
                    FindingSeverity.Error,
                    FindingIds.DeleteInWriteOnlyPolicy,
                    i,
                    st.Sid,
                    action,
                    exact
                        ? "The policy is meant to be write-only, but it allows \"" + action + "\", so a stolen key can destroy backups."
                        : "The policy is meant to be write-only, but \"" + action + "\" allows delete actions such as \"" + first + "\", so a stolen key can destroy backups.",
                    exact
                        ? "Remove \"" + action + "\"; let a lifecycle rule expire old backups instead of the client deleting them."
                        : "Replace \"" + action + "\" with the exact actions the client needs (for example \"s3:PutObject\"), which do not include any s3:Delete* action."));
            }
        }

        private static bool MatchesAny(List<string> patterns, S3ActionInfo info, S3ActionCatalog catalog)
        {
            foreach (string p in patterns)
            {
                if (p == null)
                {
                    continue;
                }

                if (ContainsInfo(catalog.Match(p), info))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool ContainsInfo(IReadOnlyList<S3ActionInfo> list, S3ActionInfo info)
        {
            for (int k = 0; k < list.Count; k++)
            {
                if (ReferenceEquals(list[k], info))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool AllowsAction(PolicyStatement st, S3ActionInfo info, S3ActionCatalog catalog)
        {
            bool listed = MatchesAny(st.Actions, info, catalog);
            return st.IsNotAction ? !listed : listed;
        }

        private static void CheckObjectAcls(List<PolicyFinding> findings, PolicyStatement st, int i, S3ActionCatalog catalog)
        {
            if (st.IsNotAction)
            {
                return;
            }

            foreach (string action in st.Actions)
            {
                if (action == null || !(IsS3Action(action) || action == "*"))
                {
                    continue;
                }

                foreach (S3ActionInfo info in catalog.Match(action))
                {
                    if (string.Equals(info.Name, "s3:PutObjectAcl", StringComparison.Ordinal) || string.Equals(info.Name, "s3:PutObjectVersionAcl", StringComparison.Ordinal))
                    {
                        findings.Add(new PolicyFinding(
                            FindingSeverity.Warning,
                            FindingIds.ObjectAclCanMakePublic,
                            i,
                            st.Sid,
                            action,
                            "\"" + action + "\" lets the client set object ACLs, so backups can be made public (for example with the public-read canned ACL).",
                            "Remove \"" + action + "\" and set the bucket's Object Ownership to BucketOwnerEnforced (ACLs disabled); if the client must send an ACL, allow only \"bucket-owner-full-control\" with a Condition {\"StringEquals\": {\"s3:x-amz-acl\": \"bucket-owner-full-control\"}}."));
                        break;
                    }
                }
            }
        }

        private static void CheckOverwrites(List<PolicyFinding> findings, PolicyStatement st, int i, S3ActionCatalog catalog, bool? versioning, Func<OverwriteProbe> probe)
        {
            if (!catalog.TryGet("s3:PutObject", out S3ActionInfo putObject) || !AllowsAction(st, putObject, catalog))
            {
                return;
            }

            // Simulated: a plain PutObject (which overwrites) must be denied for this statement's objects.
            OverwriteProbe overwrites = probe();
            if (!overwrites.AllowsOverwrite(st))
            {
                return;
            }

            string? action = "s3:PutObject";
            if (!st.IsNotAction)
            {
                foreach (string a in st.Actions)
                {
                    if (a != null && ContainsInfo(catalog.Match(a), putObject))
                    {
                        action = a;
                        break;
                    }
                }
            }

            string state = versioning == false ? "versioning is off" : "versioning is not known to be enabled";
            findings.Add(new PolicyFinding(
                FindingSeverity.Warning,
                FindingIds.OverwritableBackups,
                i,
                st.Sid,
                action,
                "The statement allows s3:PutObject while " + state + ", and a plain PutObject (without If-None-Match: *) is allowed on its objects, so a stolen key or a faulty client can overwrite existing backups with garbage"
                + (overwrites.AllowsSafeUpload(st) ? "." : "; uploads with If-None-Match: * (which never overwrite) are not even allowed."),
                "Enable versioning on the bucket (with a lifecycle rule that expires noncurrent versions), or add a Deny statement on \"s3:PutObject\" with Condition {\"Null\": {\"s3:if-none-match\": \"true\"}} so that uploads succeed only with If-None-Match: * (no overwrite)."));
        }
    }
}
