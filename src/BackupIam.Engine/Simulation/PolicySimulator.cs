using System;
using System.Collections.Generic;
using System.Linq;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Naming;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Presets;

namespace BackupIam.Engine.Simulation
{
    /// <summary>Where and as whom a simulation runs. Null values are inferred from the policies.</summary>
    public sealed class SimulationScope
    {
        /// <summary>The account of the default principal when none is given.</summary>
        public const string DefaultAccountId = "123456789012";

        /// <summary>The bucket decided on when nothing names one (deciding without -Resource).</summary>
        public const string ExampleBucket = "example-bucket";

        public string? BucketName { get; set; }

        /// <summary>The prefix to probe; "" is the whole bucket; null infers it.</summary>
        public string? Prefix { get; set; }

        public string? PrincipalArn { get; set; }

        public string? UserName { get; set; }

        public string? AccountId { get; set; }

        /// <summary>Request context keys and values (for example aws:SourceIp), checked by <see cref="RequestContextRules"/>.</summary>
        public IDictionary<string, IReadOnlyList<string>> Context { get; set; } = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);

        /// <summary>Deciding mode: the actions to decide (names or patterns). Null lists the matrix.</summary>
        public IReadOnlyList<string>? Actions { get; set; }

        /// <summary>Deciding mode: the resource ARNs; null decides each action on its natural resource.</summary>
        public IReadOnlyList<string>? Resources { get; set; }

        /// <summary>Drift mode: what the policies should allow. Null lists the matrix.</summary>
        public SimulationExpectation? Expect { get; set; }
    }

    /// <summary>What a policy set is expected to allow: a preset, a policy, or a list of actions.</summary>
    public sealed class SimulationExpectation
    {
        private SimulationExpectation()
        {
        }

        public PresetDefinition? Preset { get; private set; }

        public ParsedPolicy? Policy { get; private set; }

        public IReadOnlyList<string>? Actions { get; private set; }

        /// <summary>An expected policy, compared matrix to matrix.</summary>
        public static SimulationExpectation ForPolicy(ParsedPolicy policy) =>
            new SimulationExpectation { Policy = policy ?? throw new ArgumentNullException(nameof(policy)) };

        /// <summary>
        /// Reads -Expect values: one preset name; one policy as JSON text (or a <see cref="ParsedPolicy"/>); or action
        /// names and patterns (one value that is not a preset name but looks like an action is a list of one).
        /// </summary>
        /// <exception cref="InputValidationException">ErrorId <c>PresetNotFound</c>, <c>ExpectInvalid</c> or <c>ExpectActionUnknown</c>.</exception>
        public static SimulationExpectation Parse(IReadOnlyList<object> values, string parameterName = "Expect")
        {
            if (values.Count == 1)
            {
                if (values[0] is ParsedPolicy policy)
                {
                    return ForPolicy(policy);
                }

                if (values[0] is string text)
                {
                    string trimmed = text.Trim();
                    if (PolicySource.LooksLikeDocument(trimmed))
                    {
                        return ForPolicy(PolicySource.FromText(trimmed, "Expected", parameterName));
                    }

                    PresetDefinition? preset = PresetCatalog.All.FirstOrDefault(p => string.Equals(p.Name, trimmed, StringComparison.OrdinalIgnoreCase));
                    if (preset != null)
                    {
                        return new SimulationExpectation { Preset = preset };
                    }

                    if (!LooksLikeAction(trimmed))
                    {
                        string? near = NearestPreset(trimmed);
                        throw new InputValidationException(
                            PresetCatalog.PresetNotFoundErrorId, parameterName,
                            $"-{parameterName} '{trimmed}' is neither a preset nor an S3 action." + (near != null ? $" Did you mean the preset '{near}'?" : string.Empty)
                            + $" Presets: {string.Join(", ", PresetCatalog.All.Select(p => p.Name))}; or give actions such as s3:PutObject, or an expected policy (New-BackupPolicy output or JSON).")
                        {
                            Target = text,
                        };
                    }
                }
            }

            var actions = new List<string>();
            foreach (object value in values)
            {
                if (!(value is string text))
                {
                    throw new InputValidationException(
                        "ExpectInvalid", parameterName,
                        $"-{parameterName} takes one preset name, one expected policy, or a list of action names; a list cannot contain a {DescribeType(value)}. For example -{parameterName} s3:PutObject, s3:ListBucket.")
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
                        "ExpectActionUnknown", parameterName,
                        $"-{parameterName} '{action}' " + (pattern ? "matches no action of the S3 catalogue" : "is not an action of the S3 catalogue")
                        + (closest != null ? $"; did you mean '{closest}'?" : "; give actions such as s3:PutObject or patterns such as s3:Get*."))
                    {
                        Target = text,
                    };
                }

                actions.Add(qualified);
            }

            return new SimulationExpectation { Actions = actions };
        }

        private static string DescribeType(object value) => value is ParsedPolicy ? "policy" : value.GetType().Name;

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
    }

    /// <summary>One decided request (deciding mode).</summary>
    public sealed class SimulatedDecision
    {
        internal SimulatedDecision(string action, string resourceKind, string resource, string? context, EvaluationResult result)
        {
            Action = action;
            ResourceKind = resourceKind;
            Resource = resource;
            ContextDescription = context;
            Decision = result.Decision;
            DecidedBy = result.DecidedBy;
        }

        public string Action { get; }

        public string ResourceKind { get; }

        public string Resource { get; }

        public string? ContextDescription { get; }

        public Decision Decision { get; }

        public string? DecidedBy { get; }
    }

    /// <summary>The outcome of a simulation: the matrix, the decisions or the differences, and warnings about what was inferred.</summary>
    public sealed class SimulationResult
    {
        internal SimulationResult()
        {
        }

        /// <summary>Warnings about inferred values (prefix, bucket), in the order they arose; the caller shows them first.</summary>
        public IList<string> Warnings { get; } = new List<string>();

        /// <summary>The access matrix (matrix and drift modes), else null.</summary>
        public AccessMatrix? Matrix { get; internal set; }

        /// <summary>Differences from the expectation (drift mode), else null.</summary>
        public IReadOnlyList<MatrixDifference>? Differences { get; internal set; }

        /// <summary>The decisions (deciding mode), else null.</summary>
        public IReadOnlyList<SimulatedDecision>? Decisions { get; internal set; }

        /// <summary>The principal simulated.</summary>
        public PrincipalInfo? Principal { get; internal set; }
    }

    /// <summary>
    /// The simulator's entry point: a set of policies (identity policies plus at most one bucket policy) and a scope in,
    /// the access matrix, the decisions or the differences from an expectation out. It infers what the scope leaves
    /// open (principal, bucket, prefix) from the policies, and validates every input before it evaluates anything.
    /// </summary>
    public static class PolicySimulator
    {
        /// <summary>Runs a simulation.</summary>
        /// <param name="policies">The policies, in order; bucket policies are told apart by <see cref="ParsedPolicy.IsBucketPolicy"/>.</param>
        /// <param name="bucketPolicy">A bucket policy given on its own (-BucketPolicy), or null; it replaces one among <paramref name="policies"/>.</param>
        /// <param name="scope">Where, as whom and in which mode.</param>
        /// <exception cref="InputValidationException">A bad or missing input, naming the parameter.</exception>
        public static SimulationResult Run(IReadOnlyList<ParsedPolicy> policies, ParsedPolicy? bucketPolicy, SimulationScope scope)
        {
            if (policies == null)
            {
                throw new ArgumentNullException(nameof(policies));
            }

            if (scope == null)
            {
                throw new ArgumentNullException(nameof(scope));
            }

            var identity = new List<NamedPolicy>();
            NamedPolicy? resource = null;
            foreach (ParsedPolicy input in policies)
            {
                if (input.IsBucketPolicy)
                {
                    resource = resource == null ? new NamedPolicy(input.Name, input.Document, isResourcePolicy: true)
                        : throw new InputValidationException("MultipleBucketPolicies", "Policy", "Only one bucket policy can be simulated at a time; pipe one bucket policy plus any identity policies.");
                }
                else
                {
                    identity.Add(new NamedPolicy(input.Name, input.Document));
                }
            }

            if (bucketPolicy != null)
            {
                resource = new NamedPolicy(bucketPolicy.DeclaredName ?? "BucketPolicy", bucketPolicy.Document, isResourcePolicy: true);
            }

            if (identity.Count == 0 && resource == null)
            {
                throw new InputValidationException(
                    "PolicyRequired", "Policy",
                    "No policy was given: pipe policy JSON or New-BackupPolicy output to Test-BackupPolicy, or use -Policy or -Path ./policy.json (a bucket policy on its own can be given either way).");
            }

            var result = new SimulationResult();
            PrincipalInfo principal = ResolvePrincipal(scope, resource);
            result.Principal = principal;
            var documents = identity.Select(p => p.Document).Concat(resource == null ? Enumerable.Empty<PolicyDocument>() : new[] { resource.Document }).ToList();
            if (scope.Actions != null)
            {
                result.Decisions = Decide(identity, resource, principal, documents, policies, scope, result.Warnings);
                return result;
            }

            SimulationExpectation? expected = scope.Expect;
            string bucketName = ResolveBucketName(scope, documents, required: true)!;
            string prefix = ResolvePrefix(scope, policies, documents, bucketName, expected?.Preset, result.Warnings);
            var options = new MatrixOptions(bucketName, prefix, principal) { Context = ReadContext(scope) };
            AccessMatrix matrix = AccessMatrixBuilder.Build(identity, resource, options);
            result.Matrix = matrix;
            if (expected != null)
            {
                result.Differences = Compare(matrix, options, expected);
            }

            return result;
        }

        private static IReadOnlyList<MatrixDifference> Compare(AccessMatrix matrix, MatrixOptions options, SimulationExpectation expected)
        {
            if (expected.Actions != null)
            {
                return ActionListExpectation.Compare(matrix, expected.Actions);
            }

            var expectedIdentity = new List<NamedPolicy>();
            NamedPolicy? expectedResource = null;
            if (expected.Preset != null)
            {
                PresetPolicyKind kind = PresetKinds.Choose(expected.Preset, asBucketPolicy: false, options.Principal.Arn);
                bool bucketPreset = kind == PresetPolicyKind.Bucket;
                PolicyDocument document = PresetCatalog.Build(expected.Preset.Name, new PresetOptions
                {
                    BucketName = options.BucketName,
                    Prefix = options.Prefix,
                    PrincipalArn = bucketPreset ? options.Principal.Arn : null,
                    Kind = kind,
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

        private static IReadOnlyList<SimulatedDecision> Decide(
            List<NamedPolicy> identity, NamedPolicy? resource, PrincipalInfo principal, List<PolicyDocument> documents,
            IReadOnlyList<ParsedPolicy> policies, SimulationScope scope, IList<string> warnings)
        {
            var catalog = S3ActionCatalog.Default;
            string[] actions = scope.Actions!.Select(a => catalog.ResolveRequestAction(a, "Action")).ToArray();
            if (scope.Resources != null)
            {
                foreach (string arn in scope.Resources)
                {
                    if (arn != "*" && !arn.StartsWith("arn:", StringComparison.Ordinal))
                    {
                        throw new InputValidationException(
                            "ResourceInvalid", "Resource",
                            $"-Resource '{arn}' is not an ARN: give an S3 ARN such as 'arn:aws:s3:::{arn.TrimStart('/')}' (an object) or 'arn:aws:s3:::my-bucket' (a bucket).")
                        {
                            Target = arn,
                        };
                    }
                }
            }

            Dictionary<string, IReadOnlyList<string>> context = ReadContext(scope);
            string? contextText = context.Count == 0 ? null : string.Join(" ", context.Select(kv => kv.Key + "=" + string.Join(",", kv.Value)));
            MatrixOptions? options = null;
            var evaluator = new PolicyEvaluator();
            var decisions = new List<SimulatedDecision>();
            foreach (string action in actions)
            {
                IEnumerable<(string Kind, string Arn)> targets;
                if (scope.Resources != null)
                {
                    targets = scope.Resources.Select(r => ("Custom", r));
                }
                else
                {
                    // No -Resource: the natural resource of the action in the policy's bucket and prefix.
                    if (options == null)
                    {
                        string? bucket = ResolveBucketName(scope, documents, required: false);
                        if (bucket == null)
                        {
                            bucket = SimulationScope.ExampleBucket;
                            warnings.Add($"No -Resource given and the policies name no bucket: deciding on the bucket '{SimulationScope.ExampleBucket}'. Give -Resource (for example arn:aws:s3:::my-bucket/key) or -BucketName.");
                        }

                        options = new MatrixOptions(bucket, ResolvePrefix(scope, policies, documents, bucket, null, warnings), principal);
                    }

                    catalog.TryGet(action, out S3ActionInfo info);
                    string? arn = AccessMatrixBuilder.DefaultResourceFor(info, options, out string kind)
                        ?? throw new InputValidationException(
                            "ResourceRequired", "Resource",
                            $"{action} acts on {string.Join(" or ", info.ResourceTypeNames)} resources, which have no default: give -Resource with its ARN.");
                    targets = new[] { (kind, arn) };
                }

                foreach (var (kind, arn) in targets)
                {
                    EvaluationResult result = evaluator.Evaluate(identity, resource, new EvaluationRequest(action, arn, principal, context));
                    decisions.Add(new SimulatedDecision(action, kind, arn, contextText, result));
                }
            }

            return decisions;
        }

        private static Dictionary<string, IReadOnlyList<string>> ReadContext(SimulationScope scope)
        {
            var context = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
            foreach (KeyValuePair<string, IReadOnlyList<string>> pair in scope.Context)
            {
                context[pair.Key] = pair.Value;
            }

            RequestContextRules.Validate(context, "Context");
            return context;
        }

        private static PrincipalInfo ResolvePrincipal(SimulationScope scope, NamedPolicy? resource)
        {
            if (scope.AccountId != null)
            {
                IamNames.ValidateAccountId(scope.AccountId, "AccountId");
            }

            if (scope.PrincipalArn != null)
            {
                return PrincipalInfo.FromArn(scope.PrincipalArn, "PrincipalArn");
            }

            if (scope.UserName != null)
            {
                PrincipalInfo.ValidateUserName(scope.UserName, "UserName");
                return PrincipalInfo.FromArn($"arn:aws:iam::{scope.AccountId ?? SimulationScope.DefaultAccountId}:user/{scope.UserName}", "UserName");
            }

            string? named = resource?.Document.Statements
                .Where(s => s.Principal != null && s.Principal.Values.ContainsKey("AWS"))
                .SelectMany(s => s.Principal!.Values["AWS"])
                .FirstOrDefault(a => a.StartsWith("arn:", StringComparison.Ordinal) && (a.Contains(":user/") || a.Contains(":role/")));
            if (named != null)
            {
                return PrincipalInfo.FromArn(named, "BucketPolicy");
            }

            return PrincipalInfo.FromArn($"arn:aws:iam::{scope.AccountId ?? SimulationScope.DefaultAccountId}:user/backup-user", "AccountId");
        }

        private static string? ResolveBucketName(SimulationScope scope, List<PolicyDocument> documents, bool required)
        {
            if (!string.IsNullOrEmpty(scope.BucketName))
            {
                S3Names.ValidateBucketName(scope.BucketName!, "BucketName");
                return scope.BucketName!;
            }

            string? inferred = MatrixScope.InferBucketName(documents);
            if (inferred == null && required)
            {
                throw new InputValidationException("BucketNameRequired", "BucketName",
                    "No bucket could be read from the policy's resources: give -BucketName, for example -BucketName my-backup-bucket.");
            }

            return inferred;
        }

        /// <summary>
        /// The scope's prefix, else a policy's declared prefix, else the folder the policy's object ARNs share (with a
        /// warning), else the expected preset's default prefix (with a warning), else the whole bucket.
        /// </summary>
        private static string ResolvePrefix(SimulationScope scope, IReadOnlyList<ParsedPolicy> policies, List<PolicyDocument> documents, string bucketName, PresetDefinition? preset, IList<string> warnings)
        {
            string? given = scope.Prefix ?? policies.Select(p => p.DeclaredPrefix).FirstOrDefault(p => p != null);
            if (given != null)
            {
                return S3Names.NormalizePrefix(given, "Prefix");
            }

            string? inferred = MatrixScope.InferPrefix(documents, bucketName);
            if (inferred != null)
            {
                warnings.Add($"No -Prefix given: probing the prefix '{inferred}' that the policy's object ARNs in bucket '{bucketName}' share. Give -Prefix to probe another one (-Prefix '' for the whole bucket).");
                return S3Names.NormalizePrefix(inferred, "Prefix");
            }

            if (preset != null && preset.DefaultPrefix.Length > 0)
            {
                warnings.Add($"No -Prefix given and none could be read from the policy: probing the {preset.Name} preset's default prefix '{preset.DefaultPrefix}'. Give -Prefix to probe another one.");
                return preset.DefaultPrefix;
            }

            return string.Empty;
        }
    }
}
