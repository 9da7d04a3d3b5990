using System;
using System.Collections.Generic;
using System.Globalization;
using BackupIam.Engine.Errors;

namespace BackupIam.Engine.Simulation
{
    /// <summary>Where the access matrix probes: a bucket, a key prefix inside it, a principal and a control bucket.</summary>
    public sealed class MatrixOptions
    {
        /// <summary>Creates options.</summary>
        /// <param name="bucketName">The backup bucket, e.g. <c>my-backups</c>.</param>
        /// <param name="prefix">The normalized key prefix (<c>backups/dataset-1/</c>) or "" / null for the whole bucket.</param>
        /// <param name="principal">The principal making the requests.</param>
        public MatrixOptions(string bucketName, string? prefix, PrincipalInfo principal)
        {
            BucketName = bucketName;
            Prefix = prefix ?? string.Empty;
            Principal = principal;
        }

        /// <summary>The backup bucket.</summary>
        public string BucketName { get; set; }

        /// <summary>The normalized prefix: empty, or ending with '/' and not starting with '/'.</summary>
        public string? Prefix { get; set; }

        /// <summary>The principal making the requests.</summary>
        public PrincipalInfo Principal { get; set; }

        /// <summary>A bucket that must stay out of reach (default <c>other-bucket</c>).</summary>
        public string OtherBucketName { get; set; } = "other-bucket";

        /// <summary>The ARN partition (default <c>aws</c>).</summary>
        public string Partition { get; set; } = "aws";

        /// <summary>
        /// Condition keys added to every probe (for example <c>aws:SourceIp</c>), or null. The list probes still set their
        /// own <c>s3:prefix</c> and <c>s3:delimiter</c>.
        /// </summary>
        public IDictionary<string, IReadOnlyList<string>>? Context { get; set; }
    }

    /// <summary>One probed (action, resource, context) and its decision.</summary>
    public sealed class AccessMatrixEntry
    {
        internal AccessMatrixEntry(string action, string resourceKind, string resource, string? contextDescription, EvaluationResult result)
        {
            Action = action;
            ResourceKind = resourceKind;
            Resource = resource;
            ContextDescription = contextDescription;
            Decision = result.Decision;
            DecidedBy = result.DecidedBy;
            Reason = result.Reason;
        }

        /// <summary>The action, e.g. <c>s3:PutObject</c>.</summary>
        public string Action { get; }

        /// <summary>One of the <see cref="ResourceKinds"/> names.</summary>
        public string ResourceKind { get; }

        /// <summary>The resource ARN probed.</summary>
        public string Resource { get; }

        /// <summary>The condition context for list probes, e.g. <c>s3:prefix=backups/ s3:delimiter=/</c>; null otherwise.</summary>
        public string? ContextDescription { get; }

        /// <summary>The decision.</summary>
        public Decision Decision { get; }

        /// <summary>"PolicyName/Statement[i] (Sid)" of the deciding statement (0-based index), or null for an implicit deny.</summary>
        public string? DecidedBy { get; }

        /// <summary>The evaluator's explanation.</summary>
        public string Reason { get; }

        /// <inheritdoc />
        public override string ToString() =>
            Action + " " + ResourceKind + (ContextDescription == null ? string.Empty : " [" + ContextDescription + "]") + ": " + Decision;
    }

    /// <summary>The names used in <see cref="AccessMatrixEntry.ResourceKind"/>.</summary>
    public static class ResourceKinds
    {
        /// <summary>The backup bucket itself.</summary>
        public const string Bucket = "Bucket";

        /// <summary>An object under the prefix.</summary>
        public const string ObjectInPrefix = "ObjectInPrefix";

        /// <summary>An object in the bucket but outside the prefix (only when a prefix is set).</summary>
        public const string ObjectOutsidePrefix = "ObjectOutsidePrefix";

        /// <summary>The control bucket.</summary>
        public const string OtherBucket = "OtherBucket";

        /// <summary>An object in the control bucket.</summary>
        public const string OtherBucketObject = "OtherBucketObject";

        /// <summary><c>arn:PARTITION:s3:::*</c>, for actions without resource-level permissions (matched by "*" and by "arn:aws:s3:::*").</summary>
        public const string AllResources = "AllResources";

        /// <summary>s3:ListBucket on the backup bucket with a given s3:prefix / s3:delimiter context.</summary>
        public const string ListContext = "ListContext";
    }

    /// <summary>A disagreement between a matrix and an expectation.</summary>
    public sealed class MatrixDifference
    {
        internal MatrixDifference(string action, string resourceKind, string? contextDescription, Decision actual, bool expected, string message)
        {
            Action = action;
            ResourceKind = resourceKind;
            ContextDescription = contextDescription;
            Actual = actual;
            Expected = expected;
            Message = message;
        }

        /// <summary>The action.</summary>
        public string Action { get; }

        /// <summary>The resource kind.</summary>
        public string ResourceKind { get; }

        /// <summary>The list context, or null.</summary>
        public string? ContextDescription { get; }

        /// <summary>The actual decision (ImplicitDeny when the entry does not exist in the matrix).</summary>
        public Decision Actual { get; }

        /// <summary>True when the entry was expected to be allowed.</summary>
        public bool Expected { get; }

        /// <summary>Human explanation.</summary>
        public string Message { get; }

        /// <inheritdoc />
        public override string ToString() => Message;
    }

    /// <summary>The decisions of every catalogue action against representative resources.</summary>
    public sealed class AccessMatrix
    {
        internal AccessMatrix(IReadOnlyList<AccessMatrixEntry> entries, IReadOnlyList<string> skippedActions)
        {
            Entries = entries;
            SkippedActions = skippedActions;
        }

        /// <summary>Every probe, in catalogue order.</summary>
        public IReadOnlyList<AccessMatrixEntry> Entries { get; }

        /// <summary>The allowed probes.</summary>
        public IEnumerable<AccessMatrixEntry> Allowed
        {
            get
            {
                foreach (var entry in Entries)
                {
                    if (entry.Decision == Decision.Allowed)
                    {
                        yield return entry;
                    }
                }
            }
        }

        /// <summary>Catalogue actions not probed because they only apply to non bucket/object resources (access points, jobs, ...).</summary>
        public IReadOnlyList<string> SkippedActions { get; }

        /// <summary>The number of skipped actions.</summary>
        public int SkippedActionCount => SkippedActions.Count;

        /// <summary>
        /// Lists every entry that is allowed but not in <paramref name="expectedAllowed"/>, and every expected
        /// entry that is not allowed (or not in the matrix). Actions compare case-insensitively.
        /// </summary>
        public MatrixDifference[] CompareTo(IEnumerable<(string Action, string ResourceKind, string? ContextDescription)> expectedAllowed)
        {
            if (expectedAllowed == null)
            {
                throw new ArgumentNullException(nameof(expectedAllowed));
            }

            var expected = new HashSet<EntryKey>();
            foreach (var item in expectedAllowed)
            {
                expected.Add(new EntryKey(item.Action, item.ResourceKind, item.ContextDescription));
            }

            var actual = new Dictionary<EntryKey, AccessMatrixEntry>();
            foreach (var entry in Entries)
            {
                actual[EntryKey.Of(entry)] = entry;
            }

            var differences = new List<MatrixDifference>();
            foreach (var entry in Entries)
            {
                if (entry.Decision == Decision.Allowed && !expected.Contains(EntryKey.Of(entry)))
                {
                    differences.Add(new MatrixDifference(
                        entry.Action, entry.ResourceKind, entry.ContextDescription, entry.Decision, false,
                        Describe(entry.Action, entry.ResourceKind, entry.ContextDescription) + " is allowed (by " + entry.DecidedBy + ") but not expected"));
                }
            }

            foreach (var key in expected)
            {
                if (!actual.TryGetValue(key, out var entry))
                {
                    differences.Add(new MatrixDifference(
                        key.Action, key.ResourceKind, key.Context, Decision.ImplicitDeny, true,
                        Describe(key.Action, key.ResourceKind, key.Context) + " is expected to be allowed but the matrix has no such entry"));
                }
                else if (entry.Decision != Decision.Allowed)
                {
                    differences.Add(new MatrixDifference(
                        entry.Action, entry.ResourceKind, entry.ContextDescription, entry.Decision, true,
                        Describe(entry.Action, entry.ResourceKind, entry.ContextDescription) + " is expected to be allowed but is " + entry.Decision + ": " + entry.Reason));
                }
            }

            return differences.ToArray();
        }

        /// <summary>Compares allowed/not-allowed per (Action, ResourceKind, ContextDescription) with another matrix taken as the expectation.</summary>
        public MatrixDifference[] CompareTo(AccessMatrix expected)
        {
            if (expected == null)
            {
                throw new ArgumentNullException(nameof(expected));
            }

            var allowed = new List<(string, string, string?)>();
            foreach (var entry in expected.Allowed)
            {
                allowed.Add((entry.Action, entry.ResourceKind, entry.ContextDescription));
            }

            return CompareTo(allowed);
        }

        private static string Describe(string action, string kind, string? context) =>
            action + " on " + kind + (context == null ? string.Empty : " [" + context + "]");

        private readonly struct EntryKey : IEquatable<EntryKey>
        {
            public EntryKey(string action, string resourceKind, string? context)
            {
                Action = action ?? string.Empty;
                ResourceKind = resourceKind ?? string.Empty;
                Context = context;
            }

            public string Action { get; }

            public string ResourceKind { get; }

            public string? Context { get; }

            public static EntryKey Of(AccessMatrixEntry e) => new EntryKey(e.Action, e.ResourceKind, e.ContextDescription);

            public bool Equals(EntryKey other) =>
                string.Equals(Action, other.Action, StringComparison.OrdinalIgnoreCase)
                && string.Equals(ResourceKind, other.ResourceKind, StringComparison.Ordinal)
                && string.Equals(Context, other.Context, StringComparison.Ordinal);

            public override bool Equals(object? obj) => obj is EntryKey k && Equals(k);

            public override int GetHashCode()
            {
                unchecked
                {
                    return (StringComparer.OrdinalIgnoreCase.GetHashCode(Action) * 397)
                        ^ (StringComparer.Ordinal.GetHashCode(ResourceKind) * 31)
                        ^ (Context == null ? 0 : StringComparer.Ordinal.GetHashCode(Context));
                }
            }
        }
    }

    /// <summary>Builds an <see cref="AccessMatrix"/> by simulating every S3 catalogue action.</summary>
    public static class AccessMatrixBuilder
    {
        /// <summary>The action probed with list contexts.</summary>
        public const string ListBucketAction = "s3:ListBucket";

        /// <summary>The key name used for probe objects.</summary>
        public const string ExampleObjectName = "example-object";

        private static readonly PolicyEvaluator SharedEvaluator = new PolicyEvaluator();

        /// <summary>
        /// Probes every action of <see cref="S3ActionCatalog.Default"/>: bucket actions on the bucket and the other bucket;
        /// object actions on an object inside the prefix, one outside it (when a prefix is set) and one in the other bucket;
        /// actions without resource-level permissions on "arn:PARTITION:s3:::*"; s3:ListBucket additionally with s3:prefix/s3:delimiter contexts.
        /// Actions on other resource types (access points, jobs, ...) are skipped and listed in <see cref="AccessMatrix.SkippedActions"/>.
        /// </summary>
        public static AccessMatrix Build(IReadOnlyList<NamedPolicy> identityPolicies, NamedPolicy? resourcePolicy, MatrixOptions options) =>
            Build(identityPolicies, resourcePolicy, options, S3ActionCatalog.Default);

        /// <summary>As <see cref="Build(IReadOnlyList{NamedPolicy}, NamedPolicy?, MatrixOptions)"/>, with a given catalogue.</summary>
        public static AccessMatrix Build(IReadOnlyList<NamedPolicy> identityPolicies, NamedPolicy? resourcePolicy, MatrixOptions options, S3ActionCatalog catalog)
        {
            if (identityPolicies == null)
            {
                throw new ArgumentNullException(nameof(identityPolicies));
            }

            if (catalog == null)
            {
                throw new ArgumentNullException(nameof(catalog));
            }

            string prefix = Validate(options);
            var compiled = new CompiledPolicy[identityPolicies.Count + (resourcePolicy == null ? 0 : 1)];
            for (int i = 0; i < identityPolicies.Count; i++)
            {
                compiled[i] = SharedEvaluator.Compile(identityPolicies[i] ?? throw new ArgumentException("The list of identity policies contains a null entry.", nameof(identityPolicies)));
            }

            if (resourcePolicy != null)
            {
                compiled[compiled.Length - 1] = SharedEvaluator.Compile(resourcePolicy);
            }

            string arnPrefix = "arn:" + options.Partition + ":s3:::";
            string bucketArn = arnPrefix + options.BucketName;
            string otherBucketArn = arnPrefix + options.OtherBucketName;
            string objectInPrefix = bucketArn + "/" + prefix + ExampleObjectName;
            string objectOutside = bucketArn + "/" + (prefix.StartsWith("outside-prefix/", StringComparison.Ordinal) ? "elsewhere/" : "outside-prefix/") + ExampleObjectName;
            string otherObject = otherBucketArn + "/" + prefix + ExampleObjectName;

            // Actions without resource-level permissions (s3:ListAllMyBuckets, ...) are probed on "arn:PARTITION:s3:::*", so
            // that both "Resource": "*" and the widely documented "Resource": "arn:aws:s3:::*" grant them, as in AWS,
            // while a bucket or object ARN does not (the linter's ResourceTypeMismatch agrees).
            string allResourcesArn = arnPrefix + "*";
            var principal = options.Principal;
            var baseContext = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
            if (options.Context != null)
            {
                foreach (var pair in options.Context)
                {
                    baseContext[pair.Key] = pair.Value;
                }
            }

            var listContexts = ListContexts(prefix, baseContext);

            var entries = new List<AccessMatrixEntry>(catalog.Actions.Count * 4 + listContexts.Count);
            var skipped = new List<string>();
            foreach (var action in catalog.Actions)
            {
                bool bucket = action.AppliesTo(S3ResourceType.Bucket);
                bool obj = action.AppliesTo(S3ResourceType.Object);
                bool anyOnly = action.SupportsOnlyAnyResource || OnlyAny(action.ResourceTypes);
                string name = action.Name;
                if (bucket)
                {
                    Add(entries, compiled, name, ResourceKinds.Bucket, bucketArn, principal, null, baseContext);
                    Add(entries, compiled, name, ResourceKinds.OtherBucket, otherBucketArn, principal, null, baseContext);
                    if (string.Equals(name, ListBucketAction, StringComparison.OrdinalIgnoreCase))
                    {
                        foreach (var context in listContexts)
                        {
                            Add(entries, compiled, name, ResourceKinds.ListContext, bucketArn, principal, context, baseContext);
                        }
                    }
                }

                if (obj)
                {
                    Add(entries, compiled, name, ResourceKinds.ObjectInPrefix, objectInPrefix, principal, null, baseContext);
                    if (prefix.Length > 0)
                    {
                        Add(entries, compiled, name, ResourceKinds.ObjectOutsidePrefix, objectOutside, principal, null, baseContext);
                    }

                    Add(entries, compiled, name, ResourceKinds.OtherBucketObject, otherObject, principal, null, baseContext);
                }

                if (!bucket && !obj)
                {
                    if (anyOnly)
                    {
                        Add(entries, compiled, name, ResourceKinds.AllResources, allResourcesArn, principal, null, baseContext);
                    }
                    else
                    {
                        skipped.Add(name);
                    }
                }
            }

            return new AccessMatrix(entries.ToArray(), skipped.ToArray());
        }

        /// <summary>
        /// The resource a single request for <paramref name="action"/> is probed on when the caller names none: the bucket
        /// ARN for bucket actions, an object under the prefix for object actions, <c>arn:PARTITION:s3:::*</c> for actions
        /// without resource-level permissions. Null for actions on other resource types (access points, jobs, ...).
        /// </summary>
        /// <param name="action">The catalogue action.</param>
        /// <param name="options">The bucket, prefix and partition.</param>
        /// <param name="resourceKind">The <see cref="ResourceKinds"/> name of the returned resource.</param>
        public static string? DefaultResourceFor(S3ActionInfo action, MatrixOptions options, out string resourceKind)
        {
            if (action == null)
            {
                throw new ArgumentNullException(nameof(action));
            }

            string prefix = Validate(options);
            string arnPrefix = "arn:" + options.Partition + ":s3:::";
            if (action.AppliesTo(S3ResourceType.Bucket))
            {
                resourceKind = ResourceKinds.Bucket;
                return arnPrefix + options.BucketName;
            }

            if (action.AppliesTo(S3ResourceType.Object))
            {
                resourceKind = ResourceKinds.ObjectInPrefix;
                return arnPrefix + options.BucketName + "/" + prefix + ExampleObjectName;
            }

            if (action.SupportsOnlyAnyResource || OnlyAny(action.ResourceTypes))
            {
                resourceKind = ResourceKinds.AllResources;
                return arnPrefix + "*";
            }

            resourceKind = string.Empty;
            return null;
        }

        /// <summary>
        /// The <see cref="AccessMatrixEntry.ContextDescription"/> text for a list probe:
        /// <c>s3:prefix=backups/ s3:delimiter=/</c>; an empty prefix shows as <c>s3:prefix=""</c>;
        /// an absent key is left out; with neither key the text is <c>no s3:prefix, no s3:delimiter</c>.
        /// </summary>
        public static string DescribeListContext(string? prefix, string? delimiter)
        {
            if (prefix == null && delimiter == null)
            {
                return "no s3:prefix, no s3:delimiter";
            }

            string text = prefix == null ? string.Empty : "s3:prefix=" + (prefix.Length == 0 ? "\"\"" : prefix);
            if (delimiter != null)
            {
                text += (text.Length == 0 ? string.Empty : " ") + "s3:delimiter=" + (delimiter.Length == 0 ? "\"\"" : delimiter);
            }

            return text;
        }

        /// <summary>The (prefix, delimiter) pairs probed for s3:ListBucket, null meaning the key is absent.</summary>
        public static IReadOnlyList<(string? Prefix, string? Delimiter)> ListContextCases(string? prefix)
        {
            string p = prefix ?? string.Empty;
            var cases = new List<(string?, string?)>
            {
                (null, null),
                (string.Empty, "/"),
            };
            if (p.Length == 0)
            {
                return cases;
            }

            // The root and each parent level ("a/", "a/b/" for "a/b/c/"): one level with delimiter "/" is what a client
            // needs; the same prefix without a delimiter lists recursively, i.e. every sibling dataset too.
            cases.Add((string.Empty, null));
            for (int i = p.IndexOf('/'); i >= 0 && i < p.Length - 1; i = p.IndexOf('/', i + 1))
            {
                cases.Add((p.Substring(0, i + 1), "/"));
                cases.Add((p.Substring(0, i + 1), null));
            }

            cases.Add((p, null));
            cases.Add((p, "/"));
            cases.Add((p + "sub/", null));
            string sibling = SiblingOf(p);
            cases.Add((sibling, null));
            cases.Add((sibling, "/"));
            return cases;
        }

        /// <summary>A prefix next to <paramref name="prefix"/> under the same parent: "backups/dataset-1/" → "backups/other/".</summary>
        internal static string SiblingOf(string prefix)
        {
            string trimmed = prefix.Substring(0, prefix.Length - 1);
            int slash = trimmed.LastIndexOf('/');
            string parent = slash < 0 ? string.Empty : trimmed.Substring(0, slash + 1);
            string leaf = slash < 0 ? trimmed : trimmed.Substring(slash + 1);
            return parent + (leaf == "other" ? "other-sibling/" : "other/");
        }

        private static List<ListContext> ListContexts(string prefix, Dictionary<string, IReadOnlyList<string>> baseContext)
        {
            var result = new List<ListContext>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (p, d) in ListContextCases(prefix))
            {
                string description = DescribeListContext(p, d);
                if (!seen.Add(description))
                {
                    continue;
                }

                var context = new Dictionary<string, IReadOnlyList<string>>(baseContext, StringComparer.OrdinalIgnoreCase);
                context.Remove("s3:prefix");
                context.Remove("s3:delimiter");
                if (p != null)
                {
                    context["s3:prefix"] = new[] { p };
                }

                if (d != null)
                {
                    context["s3:delimiter"] = new[] { d };
                }

                result.Add(new ListContext(description, context));
            }

            return result;
        }

        private static void Add(
            List<AccessMatrixEntry> entries,
            CompiledPolicy[] policies,
            string action,
            string kind,
            string resource,
            PrincipalInfo principal,
            ListContext? context,
            Dictionary<string, IReadOnlyList<string>> baseContext)
        {
            var request = new EvaluationRequest(action, resource, principal, context?.Values ?? baseContext);
            var result = PolicyEvaluator.Evaluate(policies, request);
            entries.Add(new AccessMatrixEntry(action, kind, resource, context?.Description, result));
        }

        private static bool OnlyAny(IReadOnlyList<S3ResourceType> types)
        {
            for (int i = 0; i < types.Count; i++)
            {
                if (types[i] != S3ResourceType.Any)
                {
                    return false;
                }
            }

            return true;
        }

        private static string Validate(MatrixOptions options)
        {
            if (options == null)
            {
                throw new ArgumentNullException(nameof(options));
            }

            if (string.IsNullOrEmpty(options.BucketName) || options.BucketName.IndexOf('/') >= 0)
            {
                throw new InputValidationException(
                    "BucketNameInvalid", "BucketName",
                    $"Bucket name '{options.BucketName}' is empty or contains '/'; give a bucket name such as 'my-backups'.");
            }

            if (string.IsNullOrEmpty(options.OtherBucketName) || options.OtherBucketName.IndexOf('/') >= 0
                || string.Equals(options.OtherBucketName, options.BucketName, StringComparison.Ordinal))
            {
                throw new InputValidationException(
                    "OtherBucketNameInvalid", "OtherBucketName",
                    $"Other bucket name '{options.OtherBucketName}' must be a bucket name different from '{options.BucketName}', for example 'other-bucket'.");
            }

            if (options.Principal == null)
            {
                throw new InputValidationException("PrincipalMissing", "Principal", "Give the principal to simulate, for example PrincipalInfo.ForUser(\"123456789012\", \"backup\").");
            }

            if (string.IsNullOrEmpty(options.Partition) || options.Partition.IndexOf(':') >= 0)
            {
                throw new InputValidationException("PartitionInvalid", "Partition", $"Partition '{options.Partition}' is not valid; use 'aws', 'aws-cn' or 'aws-us-gov'.");
            }

            string prefix = options.Prefix ?? string.Empty;
            if (prefix.Length > 0 && (prefix[0] == '/' || prefix[prefix.Length - 1] != '/' || prefix.IndexOf("//", StringComparison.Ordinal) >= 0))
            {
                throw new InputValidationException(
                    "PrefixInvalid", "Prefix",
                    string.Format(CultureInfo.InvariantCulture, "Prefix '{0}' is not normalized: it must be empty or end with '/', and must not start with '/' or contain '//', for example 'backups/dataset-1/'.", prefix));
            }

            return prefix;
        }

        private sealed class ListContext
        {
            public ListContext(string description, Dictionary<string, IReadOnlyList<string>> values)
            {
                Description = description;
                Values = values;
            }

            public string Description { get; }

            public Dictionary<string, IReadOnlyList<string>> Values { get; }
        }
    }
}
