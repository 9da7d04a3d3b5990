using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Text.RegularExpressions;
using BackupIam.Abstractions;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Presets;
using BackupIam.Engine.S3;
using BackupIam.Engine.Simulation;

namespace BackupIam.Commands
{
    /// <summary>
    /// Simulates policies offline: decides given requests, or lists the access matrix over every S3 action,
    /// or (with -Expect) reports every difference from a preset or an allowed-action list.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "BackupPolicy", DefaultParameterSetName = InputSet)]
    [OutputType(typeof(BackupAccessDecision), typeof(BackupPolicyDifference))]
    public sealed class TestBackupPolicyCommand : BackupIamCmdlet
    {
        private const string InputSet = "Input";
        private const string PathSet = "Path";
        private const string DefaultAccountId = "123456789012";
        private static readonly Regex BucketArn = new Regex(@"^arn:[a-z\-]+:s3:::([^/*?$]+)", RegexOptions.CultureInvariant);
        private readonly List<PolicyInput> _policies = new List<PolicyInput>();

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = InputSet)]
        [Alias("PolicyDocument", "InputObject")]
        public object[] Policy { get; set; } = new object[0];

        [Parameter(Mandatory = true, ParameterSetName = PathSet)]
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

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? Action { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? Resource { get; set; }

        [Parameter]
        public Hashtable? Context { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? Expect { get; set; }

        [Parameter]
        public SwitchParameter AllowedOnly { get; set; }

        protected override void ProcessRecord()
        {
            try
            {
                if (ParameterSetName == PathSet)
                {
                    foreach (string path in Path)
                    {
                        foreach (string resolved in GetResolvedProviderPathFromPSPath(path, out _))
                        {
                            _policies.Add(PolicyInput.FromFile(resolved, nameof(Path)));
                        }
                    }
                }
                else
                {
                    foreach (object item in Policy)
                    {
                        _policies.Add(PolicyInput.FromObject(item, nameof(Policy), _policies.Count + 1));
                    }
                }
            }
            catch (Exception ex) when (ex is BackupIamException || ex is ItemNotFoundException)
            {
                ThrowFailure(ex, Policy.FirstOrDefault());
            }
        }

        protected override void EndProcessing()
        {
            try
            {
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

                PrincipalInfo principal = ResolvePrincipal(resource);
                if (Action != null)
                {
                    Decide(identity, resource, principal);
                    return;
                }

                string bucketName = ResolveBucketName(identity, resource);
                string prefix = S3Names.NormalizePrefix(Prefix ?? _policies.Select(p => p.Source?.Prefix).FirstOrDefault(p => p != null), nameof(Prefix));
                var options = new MatrixOptions(bucketName, prefix, principal);
                AccessMatrix matrix = AccessMatrixBuilder.Build(identity, resource, options);
                if (Expect != null)
                {
                    foreach (MatrixDifference difference in CompareWithExpectation(matrix, options))
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

        private IEnumerable<MatrixDifference> CompareWithExpectation(AccessMatrix matrix, MatrixOptions options)
        {
            if (Expect!.Length == 1 && !Expect[0].Contains(":") && Expect[0] != "*")
            {
                PresetDefinition preset = PresetCatalog.Get(Expect[0]);
                bool bucketPreset = preset.DefaultKind == PresetPolicyKind.Bucket;
                var presetOptions = new PresetOptions
                {
                    BucketName = options.BucketName,
                    Prefix = options.Prefix,
                    PrincipalArn = bucketPreset ? options.Principal.Arn : null,
                    Kind = preset.DefaultKind,
                };
                var expectedIdentity = new List<NamedPolicy>();
                NamedPolicy? expectedResource = null;
                PolicyDocument document = PresetCatalog.Build(preset.Name, presetOptions);
                if (bucketPreset)
                {
                    expectedResource = new NamedPolicy(preset.Name, document, isResourcePolicy: true);
                }
                else
                {
                    expectedIdentity.Add(new NamedPolicy(preset.Name, document));
                }

                return matrix.CompareTo(AccessMatrixBuilder.Build(expectedIdentity, expectedResource, options));
            }

            // An allowed-action list, compared at the action level.
            return ActionListExpectation.Compare(matrix, Expect);
        }

        private void Decide(List<NamedPolicy> identity, NamedPolicy? resource, PrincipalInfo principal)
        {
            string[] resources = Resource ?? new[] { "*" };
            var context = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
            if (Context != null)
            {
                foreach (DictionaryEntry pair in Context)
                {
                    object? value = pair.Value is PSObject ps ? ps.BaseObject : pair.Value;
                    IReadOnlyList<string> values = value is IEnumerable list && !(value is string)
                        ? list.Cast<object>().Select(v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "").ToList()
                        : new[] { Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "" };
                    context[pair.Key.ToString()!] = values;
                }
            }

            var evaluator = new PolicyEvaluator();
            foreach (string action in Action!)
            {
                foreach (string arn in resources)
                {
                    EvaluationResult result = evaluator.Evaluate(identity, resource, new EvaluationRequest(action, arn, principal, context));
                    WriteObject(new BackupAccessDecision
                    {
                        Action = action,
                        ResourceKind = "Custom",
                        Resource = arn,
                        Context = context.Count == 0 ? null : string.Join(" ", context.Select(kv => kv.Key + "=" + string.Join(",", kv.Value))),
                        Decision = result.Decision.ToString(),
                        DecidedBy = result.DecidedBy,
                    });
                }
            }
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

        private string ResolveBucketName(List<NamedPolicy> identity, NamedPolicy? resource)
        {
            if (!string.IsNullOrEmpty(BucketName))
            {
                S3Names.ValidateBucketName(BucketName!, nameof(BucketName));
                return BucketName!;
            }

            IEnumerable<NamedPolicy> all = resource == null ? identity : identity.Concat(new[] { resource });
            foreach (string arn in all.SelectMany(p => p.Document.Statements).SelectMany(s => s.Resources))
            {
                Match match = BucketArn.Match(arn);
                if (match.Success)
                {
                    return match.Groups[1].Value;
                }
            }

            throw new InputValidationException("BucketNameRequired", nameof(BucketName),
                "No bucket could be read from the policy's resources: give -BucketName, for example -BucketName my-backup-bucket.");
        }
    }
}
