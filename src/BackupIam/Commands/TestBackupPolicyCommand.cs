using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using BackupIam.Abstractions;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Naming;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Presets;
using BackupIam.Engine.Simulation;

namespace BackupIam.Commands
{
    /// <summary>
    /// Simulates policies offline: decides given requests (-Action), or lists the access matrix over every S3 action,
    /// or (with -Expect) reports every difference from a preset, an expected policy or an allowed-action list.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "BackupPolicy", DefaultParameterSetName = InputSet)]
    [OutputType(typeof(BackupAccessDecision), typeof(BackupPolicyDifference))]
    public sealed class TestBackupPolicyCommand : BackupIamCmdlet
    {
        private const string InputSet = "Input";
        private const string PathSet = "Path";
        private const string InputDecideSet = "InputDecide";
        private const string PathDecideSet = "PathDecide";
        private const string InputExpectSet = "InputExpect";
        private const string PathExpectSet = "PathExpect";
        private const string DefaultAccountId = "123456789012";
        private const string ExampleBucket = "example-bucket";
        private readonly List<PolicyInput> _policies = new List<PolicyInput>();
        private readonly PolicyTextCollector _text = new PolicyTextCollector();

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = InputSet)]
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = InputDecideSet)]
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = InputExpectSet)]
        [Alias("PolicyDocument", "InputObject")]
        public object[] Policy { get; set; } = new object[0];

        [Parameter(Mandatory = true, ParameterSetName = PathSet)]
        [Parameter(Mandatory = true, ParameterSetName = PathDecideSet)]
        [Parameter(Mandatory = true, ParameterSetName = PathExpectSet)]
        [Alias("FullName")]
        public string[] Path { get; set; } = new string[0];

        [Parameter]
        public object? BucketPolicy { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Bucket")]
        public string? BucketName { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString]
        public string? Prefix { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Arn", "UserArn")]
        public string? PrincipalArn { get; set; }

        [Parameter]
        public string? UserName { get; set; }

        [Parameter]
        public string? AccountId { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = InputDecideSet)]
        [Parameter(Mandatory = true, ParameterSetName = PathDecideSet)]
        [ValidateNotNullOrEmpty]
        public string[] Action { get; set; } = new string[0];

        [Parameter(ParameterSetName = InputDecideSet)]
        [Parameter(ParameterSetName = PathDecideSet)]
        [ValidateNotNullOrEmpty]
        public string[]? Resource { get; set; }

        [Parameter(ParameterSetName = InputSet)]
        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = InputDecideSet)]
        [Parameter(ParameterSetName = PathDecideSet)]
        public Hashtable? Context { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = InputExpectSet)]
        [Parameter(Mandatory = true, ParameterSetName = PathExpectSet)]
        [ValidateNotNullOrEmpty]
        public object[] Expect { get; set; } = new object[0];

        [Parameter(ParameterSetName = InputSet)]
        [Parameter(ParameterSetName = PathSet)]
        public SwitchParameter AllowedOnly { get; set; }

        private bool IsDecide => ParameterSetName == InputDecideSet || ParameterSetName == PathDecideSet;

        private bool IsExpect => ParameterSetName == InputExpectSet || ParameterSetName == PathExpectSet;

        protected override void ProcessRecord()
        {
            object? current = null;
            try
            {
                if (Path.Length > 0)
                {
                    // One unreadable file is reported and skipped; the others are still simulated.
                    foreach (string path in Path)
                    {
                        try
                        {
                            foreach (string resolved in GetResolvedProviderPathFromPSPath(path, out _))
                            {
                                current = resolved;
                                _policies.Add(PolicyInput.FromFile(resolved, nameof(Path)));
                            }
                        }
                        catch (Exception ex) when (ex is BackupIamException || ex is ItemNotFoundException)
                        {
                            WriteFailure(ex, path);
                        }
                    }

                    return;
                }

                foreach (object item in Policy)
                {
                    current = item;
                    object unwrapped = item is PSObject ps ? ps.BaseObject : item;
                    if (unwrapped is string line)
                    {
                        // Get-Content without -Raw sends one line at a time: join them into whole documents.
                        string? whole = _text.Add(line);
                        if (whole != null)
                        {
                            current = whole;
                            _policies.Add(PolicyInput.FromText(whole, $"Policy{_policies.Count + 1}", nameof(Policy)));
                        }

                        continue;
                    }

                    FlushText();
                    _policies.Add(PolicyInput.FromObject(item, nameof(Policy), _policies.Count + 1));
                }
            }
            catch (Exception ex) when (ex is BackupIamException || ex is ItemNotFoundException)
            {
                ThrowFailure(ex, current);
            }
        }

        protected override void EndProcessing()
        {
            try
            {
                FlushText();
                var identity = new List<NamedPolicy>();
                NamedPolicy? resource = null;
                foreach (PolicyInput input in _policies)
                {
                    if (input.IsBucketPolicy)
                    {
                        resource = resource == null ? new NamedPolicy(input.Name, input.Document, isResourcePolicy: true)
                            : throw new InputValidationException("MultipleBucketPolicies", nameof(Policy), "Only one bucket policy can be simulated at a time; pipe one bucket policy plus any identity policies.");
                    }
                    else
                    {
                        identity.Add(new NamedPolicy(input.Name, input.Document));
                    }
                }

                if (BucketPolicy != null)
                {
                    PolicyInput bucket = PolicyInput.FromObject(BucketPolicy, nameof(BucketPolicy), 0);
                    resource = new NamedPolicy(bucket.Source?.PolicyName ?? "BucketPolicy", bucket.Document, isResourcePolicy: true);
                }

                if (identity.Count == 0 && resource == null)
                {
                    throw new InputValidationException(
                        "PolicyRequired", nameof(Policy),
                        "No policy was given: pipe policy JSON or New-BackupPolicy output to Test-BackupPolicy, or use -Policy or -Path ./policy.json (a bucket policy on its own can be given either way).");
                }

                PrincipalInfo principal = ResolvePrincipal(resource);
                var documents = identity.Select(p => p.Document).Concat(resource == null ? Enumerable.Empty<PolicyDocument>() : new[] { resource.Document }).ToList();
                if (IsDecide)
                {
                    Decide(identity, resource, principal, documents);
                    return;
                }

                ExpectedPolicy? expected = IsExpect ? ReadExpectation() : null;
                string bucketName = ResolveBucketName(documents, required: true)!;
                string prefix = ResolvePrefix(documents, bucketName, expected?.Preset);
                var options = new MatrixOptions(bucketName, prefix, principal) { Context = ReadContext() };
                AccessMatrix matrix = AccessMatrixBuilder.Build(identity, resource, options);
                if (expected != null)
                {
                    foreach (MatrixDifference difference in Compare(matrix, options, expected))
                    {
                        WriteObject(new BackupPolicyDifference
                        {
                            Action = difference.Action,
                            ResourceKind = difference.ResourceKind,
                            Context = difference.ContextDescription,
                            Expected = difference.Expected ? "Allowed" : "Denied",
                            Actual = difference.Actual.ToString(),
                            Message = difference.Message,
                        });
                    }

                    return;
                }

                foreach (AccessMatrixEntry entry in matrix.Entries)
                {
                    if (AllowedOnly && entry.Decision != Decision.Allowed)
                    {
                        continue;
                    }

                    WriteObject(new BackupAccessDecision
                    {
                        Action = entry.Action,
                        ResourceKind = entry.ResourceKind,
                        Resource = entry.Resource,
                        Context = entry.ContextDescription,
                        Decision = entry.Decision.ToString(),
                        DecidedBy = entry.DecidedBy,
                    });
                }
            }
            catch (Exception ex) when (ex is BackupIamException)
            {
                ThrowFailure(ex, BucketName);
            }
        }

        private void FlushText()
        {
            string? pending = _text.Flush();
            if (pending != null)
            {
                _policies.Add(PolicyInput.FromText(pending, $"Policy{_policies.Count + 1}", nameof(Policy)));
            }
        }

        private IEnumerable<MatrixDifference> Compare(AccessMatrix matrix, MatrixOptions options, ExpectedPolicy expected)
        {
            if (expected.Actions != null)
            {
                return ActionListExpectation.Compare(matrix, expected.Actions);
            }

            var expectedIdentity = new List<NamedPolicy>();
            NamedPolicy? expectedResource = null;
            if (expected.Preset != null)
            {
                bool bucketPreset = expected.Preset.DefaultKind == PresetPolicyKind.Bucket;
                PolicyDocument document = PresetCatalog.Build(expected.Preset.Name, new PresetOptions
                {
                    BucketName = options.BucketName,
                    Prefix = options.Prefix,
                    PrincipalArn = bucketPreset ? options.Principal.Arn : null,
                    Kind = expected.Preset.DefaultKind,
                });
                if (bucketPreset)
                {
                    expectedResource = new NamedPolicy(expected.Preset.Name, document, isResourcePolicy: true);
                }
                else
                {
                    expectedIdentity.Add(new NamedPolicy(expected.Preset.Name, document));
                }
            }
            else if (expected.Policy!.IsBucketPolicy)
            {
                expectedResource = new NamedPolicy("Expected", expected.Policy.Document, isResourcePolicy: true);
            }
            else
            {
                expectedIdentity.Add(new NamedPolicy("Expected", expected.Policy.Document));
            }

            return matrix.CompareTo(AccessMatrixBuilder.Build(expectedIdentity, expectedResource, options));
        }

        /// <summary>
        /// -Expect: one preset name; one BackupPolicy, policy JSON or policy object (compared matrix to matrix); or action
        /// names and patterns (one value that is not a preset name but looks like an action is a list of one).
        /// </summary>
        private ExpectedPolicy ReadExpectation()
        {
            if (Expect.Length == 1)
            {
                object item = Expect[0] is PSObject ps && !(ps.BaseObject is PSCustomObject) ? ps.BaseObject : Expect[0];
                if (!(item is string text))
                {
                    return new ExpectedPolicy { Policy = PolicyInput.FromObject(Expect[0], nameof(Expect), 1) };
                }

                string trimmed = text.Trim();
                if (trimmed.StartsWith("{", StringComparison.Ordinal) || trimmed.StartsWith("%7B", StringComparison.OrdinalIgnoreCase))
                {
                    return new ExpectedPolicy { Policy = PolicyInput.FromText(trimmed, "Expected", nameof(Expect)) };
                }

                PresetDefinition? preset = PresetCatalog.All.FirstOrDefault(p => string.Equals(p.Name, trimmed, StringComparison.OrdinalIgnoreCase));
                if (preset != null)
                {
                    return new ExpectedPolicy { Preset = preset };
                }

                if (!LooksLikeAction(trimmed))
                {
                    string? near = NearestPreset(trimmed);
                    throw new InputValidationException(
                        PresetCatalog.PresetNotFoundErrorId, nameof(Expect),
                        $"-Expect '{trimmed}' is neither a preset nor an S3 action." + (near != null ? $" Did you mean the preset '{near}'?" : string.Empty)
                        + $" Presets: {string.Join(", ", PresetCatalog.All.Select(p => p.Name))}; or give actions such as s3:PutObject, or an expected policy (New-BackupPolicy output or JSON).")
                    {
                        Target = text,
                    };
                }
            }

            var actions = new List<string>();
            foreach (object value in Expect)
            {
                object item = value is PSObject ps ? ps.BaseObject : value;
                if (!(item is string text))
                {
                    throw new InputValidationException(
                        "ExpectInvalid", nameof(Expect),
                        $"-Expect takes one preset name, one expected policy, or a list of action names; a list cannot contain a {item.GetType().Name}. For example -Expect s3:PutObject, s3:ListBucket.")
                    {
                        Target = value,
                    };
                }

                string action = text.Trim();
                string qualified = action == "*" || action.Contains(":") ? action : "s3:" + action;
                bool pattern = qualified.IndexOf('*') >= 0 || qualified.IndexOf('?') >= 0;
                if (pattern ? S3ActionCatalog.Default.Match(qualified).Count == 0 : !S3ActionCatalog.Default.TryGet(qualified, out _))
                {
                    string? closest = pattern ? null : S3ActionCatalog.Default.FindClosest(qualified);
                    throw new InputValidationException(
                        "ExpectActionUnknown", nameof(Expect),
                        $"-Expect '{action}' " + (pattern ? "matches no action of the S3 catalogue" : "is not an action of the S3 catalogue")
                        + (closest != null ? $"; did you mean '{closest}'?" : "; give actions such as s3:PutObject or patterns such as s3:Get*."))
                    {
                        Target = text,
                    };
                }

                actions.Add(qualified);
            }

            return new ExpectedPolicy { Actions = actions };
        }

        private static bool LooksLikeAction(string text) =>
            text.Contains(":") || text.IndexOf('*') >= 0 || text.IndexOf('?') >= 0 || S3ActionCatalog.Default.TryGet("s3:" + text, out _)
            || S3ActionCatalog.Default.FindClosest("s3:" + text) != null;

        private static string? NearestPreset(string name)
        {
            string lower = name.ToLowerInvariant();
            return PresetCatalog.All
                .Select(p => p.Name)
                .Where(p => p.ToLowerInvariant().StartsWith(lower.Substring(0, Math.Min(3, lower.Length)), StringComparison.Ordinal) || lower.StartsWith(p.ToLowerInvariant().Substring(0, 3), StringComparison.Ordinal))
                .OrderBy(p => Math.Abs(p.Length - name.Length))
                .FirstOrDefault();
        }

        private void Decide(List<NamedPolicy> identity, NamedPolicy? resource, PrincipalInfo principal, List<PolicyDocument> documents)
        {
            var catalog = S3ActionCatalog.Default;
            string[] actions = Action.Select(a => catalog.ResolveRequestAction(a, nameof(Action))).ToArray();
            if (Resource != null)
            {
                foreach (string arn in Resource)
                {
                    if (arn != "*" && !arn.StartsWith("arn:", StringComparison.Ordinal))
                    {
                        throw new InputValidationException(
                            "ResourceInvalid", nameof(Resource),
                            $"-Resource '{arn}' is not an ARN: give an S3 ARN such as 'arn:aws:s3:::{arn.TrimStart('/')}' (an object) or 'arn:aws:s3:::my-bucket' (a bucket).")
                        {
                            Target = arn,
                        };
                    }
                }
            }

            Dictionary<string, IReadOnlyList<string>> context = ReadContext();
            string? contextText = context.Count == 0 ? null : string.Join(" ", context.Select(kv => kv.Key + "=" + string.Join(",", kv.Value)));
            MatrixOptions? options = null;
            var evaluator = new PolicyEvaluator();
            foreach (string action in actions)
            {
                IEnumerable<(string Kind, string Arn)> targets;
                if (Resource != null)
                {
                    targets = Resource.Select(r => ("Custom", r));
                }
                else
                {
                    // No -Resource: the natural resource of the action in the policy's bucket and prefix.
                    if (options == null)
                    {
                        string? bucket = ResolveBucketName(documents, required: false);
                        if (bucket == null)
                        {
                            bucket = ExampleBucket;
                            WriteWarning($"No -Resource given and the policies name no bucket: deciding on the bucket '{ExampleBucket}'. Give -Resource (for example arn:aws:s3:::my-bucket/key) or -BucketName.");
                        }

                        options = new MatrixOptions(bucket, ResolvePrefix(documents, bucket, null), principal);
                    }

                    catalog.TryGet(action, out S3ActionInfo info);
                    string? arn = AccessMatrixBuilder.DefaultResourceFor(info, options, out string kind)
                        ?? throw new InputValidationException(
                            "ResourceRequired", nameof(Resource),
                            $"{action} acts on {string.Join(" or ", info.ResourceTypeNames)} resources, which have no default: give -Resource with its ARN.");
                    targets = new[] { (kind, arn) };
                }

                foreach (var (kind, arn) in targets)
                {
                    EvaluationResult result = evaluator.Evaluate(identity, resource, new EvaluationRequest(action, arn, principal, context));
                    WriteObject(new BackupAccessDecision
                    {
                        Action = action,
                        ResourceKind = kind,
                        Resource = arn,
                        Context = contextText,
                        Decision = result.Decision.ToString(),
                        DecidedBy = result.DecidedBy,
                    });
                }
            }
        }

        private Dictionary<string, IReadOnlyList<string>> ReadContext()
        {
            var context = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
            if (Context != null)
            {
                foreach (DictionaryEntry pair in Context)
                {
                    object? value = pair.Value is PSObject ps ? ps.BaseObject : pair.Value;
                    IReadOnlyList<string> values = value is IEnumerable list && !(value is string)
                        ? list.Cast<object>().Select(v => Convert.ToString(v is PSObject p ? p.BaseObject : v, CultureInfo.InvariantCulture) ?? string.Empty).ToList()
                        : new[] { Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty };
                    context[pair.Key.ToString()!] = values;
                }
            }

            return context;
        }

        private PrincipalInfo ResolvePrincipal(NamedPolicy? resource)
        {
            if (AccountId != null)
            {
                PrincipalInfo.ValidateAccountId(AccountId, nameof(AccountId));
            }

            if (PrincipalArn != null)
            {
                return PrincipalInfo.FromArn(PrincipalArn, nameof(PrincipalArn));
            }

            if (UserName != null)
            {
                PrincipalInfo.ValidateUserName(UserName, nameof(UserName));
                return PrincipalInfo.FromArn($"arn:aws:iam::{AccountId ?? DefaultAccountId}:user/{UserName}", nameof(UserName));
            }

            string? named = resource?.Document.Statements
                .Where(s => s.Principal != null && s.Principal.Values.ContainsKey("AWS"))
                .SelectMany(s => s.Principal!.Values["AWS"])
                .FirstOrDefault(a => a.StartsWith("arn:", StringComparison.Ordinal) && (a.Contains(":user/") || a.Contains(":role/")));
            if (named != null)
            {
                return PrincipalInfo.FromArn(named, nameof(BucketPolicy));
            }

            return PrincipalInfo.FromArn($"arn:aws:iam::{AccountId ?? DefaultAccountId}:user/backup-user", nameof(AccountId));
        }

        private string? ResolveBucketName(List<PolicyDocument> documents, bool required)
        {
            if (!string.IsNullOrEmpty(BucketName))
            {
                S3Names.ValidateBucketName(BucketName!, nameof(BucketName));
                return BucketName!;
            }

            string? inferred = MatrixScope.InferBucketName(documents);
            if (inferred == null && required)
            {
                throw new InputValidationException("BucketNameRequired", nameof(BucketName),
                    "No bucket could be read from the policy's resources: give -BucketName, for example -BucketName my-backup-bucket.");
            }

            return inferred;
        }

        /// <summary>
        /// -Prefix, else the piped BackupPolicy's prefix, else the folder the policy's object ARNs share (with a warning),
        /// else the expected preset's default prefix (with a warning), else the whole bucket.
        /// </summary>
        private string ResolvePrefix(List<PolicyDocument> documents, string bucketName, PresetDefinition? preset)
        {
            string? given = Prefix ?? _policies.Select(p => p.Source?.Prefix).FirstOrDefault(p => p != null);
            if (given != null)
            {
                return S3Names.NormalizePrefix(given, nameof(Prefix));
            }

            string? inferred = MatrixScope.InferPrefix(documents, bucketName);
            if (inferred != null)
            {
                WriteWarning($"No -Prefix given: probing the prefix '{inferred}' that the policy's object ARNs in bucket '{bucketName}' share. Give -Prefix to probe another one (-Prefix '' for the whole bucket).");
                return S3Names.NormalizePrefix(inferred, nameof(Prefix));
            }

            if (preset != null && preset.DefaultPrefix.Length > 0)
            {
                WriteWarning($"No -Prefix given and none could be read from the policy: probing the {preset.Name} preset's default prefix '{preset.DefaultPrefix}'. Give -Prefix to probe another one.");
                return preset.DefaultPrefix;
            }

            return string.Empty;
        }

        private sealed class ExpectedPolicy
        {
            public PresetDefinition? Preset { get; set; }

            public PolicyInput? Policy { get; set; }

            public List<string>? Actions { get; set; }
        }
    }
}
