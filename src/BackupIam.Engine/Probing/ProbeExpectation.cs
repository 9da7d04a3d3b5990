using System;
using System.Collections.Generic;
using System.Linq;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Presets;
using BackupIam.Engine.Simulation;

namespace BackupIam.Engine.Probing
{
    /// <summary>The facts about one probe request that decide what it should be answered.</summary>
    internal sealed class ProbeRequestFacts
    {
        public ProbeRequestFacts(ProbeDefinition definition, string resourceArn, Dictionary<string, IReadOnlyList<string>> context, bool keyWroteObject)
        {
            Definition = definition;
            ResourceArn = resourceArn;
            Context = context;
            KeyWroteObject = keyWroteObject;
        }

        public ProbeDefinition Definition { get; }

        public string ResourceArn { get; }

        public Dictionary<string, IReadOnlyList<string>> Context { get; }

        /// <summary>True for requests on an object the key itself wrote (RGW's owner rights apply).</summary>
        public bool KeyWroteObject { get; }
    }

    /// <summary>What a probe should be answered on AWS and on the store, and why.</summary>
    internal sealed class ExpectedAnswer
    {
        public ProbeVerdict Expected { get; set; }

        public ProbeVerdict ExpectedOnAws { get; set; }

        public string Reason { get; set; } = string.Empty;

        public string? DecidedBy { get; set; }

        public string? StoreNote { get; set; }
    }

    /// <summary>
    /// What the key under test should be able to do: a preset with its options, policies (decided per probe by the
    /// simulator, which names the deciding statement), or an explicit list of allowed probes.
    /// </summary>
    public abstract class ProbeExpectation
    {
        /// <summary>The principal used when the expectation does not depend on who the key belongs to.</summary>
        public const string SyntheticPrincipalArn = "arn:aws:iam::000000000000:user/backupiam-key-under-test";

        internal ProbeExpectation()
        {
        }

        /// <summary>What the expectation came from, for the report.</summary>
        public abstract string Description { get; }

        /// <summary>
        /// Expects what the given policies allow: identity policies attached to the key's user (or its groups) and an
        /// optional bucket policy, evaluated for <paramref name="principal"/>.
        /// </summary>
        public static ProbeExpectation FromPolicies(IReadOnlyList<NamedPolicy> identityPolicies, NamedPolicy? bucketPolicy, PrincipalInfo principal, string description)
        {
            if (identityPolicies == null)
            {
                throw new ArgumentNullException(nameof(identityPolicies));
            }

            if (identityPolicies.Count == 0 && bucketPolicy == null)
            {
                throw new InputValidationException("PolicyRequired", "Policy", "Give at least one policy the key's answers are expected to follow, for example -Policy (New-BackupPolicy -Preset UploadOnly -BucketName my-backups).");
            }

            return new PolicyExpectation(identityPolicies, bucketPolicy, principal ?? throw new ArgumentNullException(nameof(principal)), description);
        }

        /// <summary>
        /// Expects what a preset allows with these options (its bucket and prefix must be the probed ones). The preset is
        /// evaluated as an identity policy where it can be one, otherwise as a bucket policy naming a stand-in principal.
        /// </summary>
        public static ProbeExpectation FromPreset(string presetName, PresetOptions options)
        {
            if (options == null)
            {
                throw new ArgumentNullException(nameof(options));
            }

            PresetDefinition preset = PresetCatalog.Get(presetName);
            PresetPolicyKind kind = preset.SupportedKinds.Contains(PresetPolicyKind.Identity) ? PresetPolicyKind.Identity : PresetPolicyKind.Bucket;
            options.Kind = kind;
            options.PrincipalArn = kind == PresetPolicyKind.Bucket ? SyntheticPrincipalArn : null;
            PolicyDocument document = PresetCatalog.Build(preset.Name, options);
            var named = new NamedPolicy(preset.Name, document, kind == PresetPolicyKind.Bucket);
            PrincipalInfo principal = PrincipalFromArn(SyntheticPrincipalArn, "PrincipalArn");
            string description = "preset " + preset.Name + Options(options);
            return kind == PresetPolicyKind.Bucket
                ? new PolicyExpectation(Array.Empty<NamedPolicy>(), named, principal, description)
                : new PolicyExpectation(new[] { named }, null, principal, description);
        }

        /// <summary>Expects exactly the named probes to be allowed and every other one to be denied.</summary>
        /// <exception cref="InputValidationException">ErrorId <c>ProbeNameUnknown</c> for a name that is not a probe.</exception>
        public static ProbeExpectation FromAllowedProbes(IEnumerable<string> probeNames, string parameterName = "AllowedProbe")
        {
            if (probeNames == null)
            {
                throw new ArgumentNullException(nameof(probeNames));
            }

            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (string name in probeNames)
            {
                names.Add(ProbeCatalog.Get(name, parameterName).Name);
            }

            return new AllowedProbeExpectation(names);
        }

        /// <summary>
        /// The principal for an IAM user or role ARN, including the forms Ceph RGW uses: <c>arn:aws:iam:::user/NAME</c>
        /// (default tenant) and <c>arn:aws:iam::TENANT:user/NAME</c>.
        /// </summary>
        /// <exception cref="InputValidationException">ErrorId <c>PrincipalArnInvalid</c>.</exception>
        public static PrincipalInfo PrincipalFromArn(string arn, string parameterName) => PrincipalInfo.FromArn(arn, parameterName);

        internal abstract ExpectedAnswer Expect(ProbeRequestFacts facts, StoreKind store);

        private static string Options(PresetOptions o)
        {
            var set = new List<string>();
            if (o.NoListBucket)
            {
                set.Add(nameof(o.NoListBucket));
            }

            if (o.AllowObjectAcl)
            {
                set.Add(nameof(o.AllowObjectAcl));
            }

            if (o.AllowMultipart)
            {
                set.Add(nameof(o.AllowMultipart));
            }

            if (o.AllowBucketDiscovery)
            {
                set.Add(nameof(o.AllowBucketDiscovery));
            }

            if (o.AllowCreateBucket)
            {
                set.Add(nameof(o.AllowCreateBucket));
            }

            if (o.RequireBucketOwnerFullControl)
            {
                set.Add(nameof(o.RequireBucketOwnerFullControl));
            }

            return set.Count == 0 ? string.Empty : " (" + string.Join(", ", set) + ")";
        }
    }

    /// <summary>Decides each probe with the simulator.</summary>
    internal sealed class PolicyExpectation : ProbeExpectation
    {
        private static readonly PolicyEvaluator Evaluator = new PolicyEvaluator();
        private readonly IReadOnlyList<NamedPolicy> _identity;
        private readonly NamedPolicy? _bucket;
        private readonly IReadOnlyList<NamedPolicy> _identityWithoutNotAction;
        private readonly NamedPolicy? _bucketWithoutNotAction;
        private readonly PrincipalInfo _principal;
        private readonly string _description;

        public PolicyExpectation(IReadOnlyList<NamedPolicy> identity, NamedPolicy? bucket, PrincipalInfo principal, string description)
        {
            _identity = identity;
            _bucket = bucket;
            _principal = principal;
            _description = description;
            _identityWithoutNotAction = identity.Select(WithoutNotAction).ToArray();
            _bucketWithoutNotAction = bucket == null ? null : WithoutNotAction(bucket);
        }

        public override string Description => _description;

        internal override ExpectedAnswer Expect(ProbeRequestFacts facts, StoreKind store)
        {
            EvaluationResult aws = Evaluate(_identity, _bucket, facts, facts.Context);
            var answer = new ExpectedAnswer
            {
                ExpectedOnAws = aws.Decision == Decision.Allowed ? ProbeVerdict.Allowed : ProbeVerdict.Denied,
                Reason = aws.Reason,
                DecidedBy = aws.DecidedBy,
            };
            if (store == StoreKind.Aws)
            {
                answer.Expected = answer.ExpectedOnAws;
                return answer;
            }

            var notes = new List<string>();
            Dictionary<string, IReadOnlyList<string>> rgwContext = StoreRules.RgwContext(facts.Context);
            EvaluationResult withoutNotAction = Evaluate(_identityWithoutNotAction, _bucketWithoutNotAction, facts, facts.Context);
            if (withoutNotAction.Decision != aws.Decision)
            {
                notes.Add("RGW 16 does not apply NotAction statements (" + (aws.DecidedBy ?? withoutNotAction.DecidedBy ?? "a NotAction statement") + " decides on AWS)");
            }

            if (!ReferenceEquals(rgwContext, facts.Context))
            {
                EvaluationResult withRgwContext = Evaluate(_identity, _bucket, facts, rgwContext);
                if (withRgwContext.Decision != aws.Decision)
                {
                    notes.Add("RGW 16 sets no s3:prefix key for an empty prefix and no aws:SecureTransport key, so conditions on them do not match as on AWS");
                }
            }

            EvaluationResult rgw = Evaluate(_identityWithoutNotAction, _bucketWithoutNotAction, facts, rgwContext);
            ProbeVerdict verdict = rgw.Decision == Decision.Allowed ? ProbeVerdict.Allowed : ProbeVerdict.Denied;
            string? ruleNote = StoreRules.ApplyRgwDefaults(facts, rgw.Decision, ref verdict);
            if (ruleNote != null)
            {
                notes.Add(ruleNote);
            }

            answer.Expected = verdict;
            if (rgw.Decision != aws.Decision && rgw.DecidedBy != null)
            {
                answer.DecidedBy = rgw.DecidedBy;
                answer.Reason = rgw.Reason + " on RGW; on AWS: " + aws.Reason;
            }

            answer.StoreNote = notes.Count == 0 ? null : string.Join("; ", notes);
            return answer;
        }

        private EvaluationResult Evaluate(IReadOnlyList<NamedPolicy> identity, NamedPolicy? bucket, ProbeRequestFacts facts, Dictionary<string, IReadOnlyList<string>> context)
        {
            var request = new EvaluationRequest(facts.Definition.Action, facts.ResourceArn, _principal, context);
            return Evaluator.Evaluate(identity, bucket, request);
        }

        private static NamedPolicy WithoutNotAction(NamedPolicy policy)
        {
            if (!policy.Document.Statements.Any(s => s != null && s.IsNotAction))
            {
                return policy;
            }

            var copy = new PolicyDocument { Version = policy.Document.Version, Id = policy.Document.Id };
            copy.VersionMissing = policy.Document.VersionMissing;
            copy.Statements.AddRange(policy.Document.Statements.Where(s => s != null && !s.IsNotAction));
            return new NamedPolicy(policy.Name, copy, policy.IsResourcePolicy);
        }
    }

    /// <summary>Expects the listed probes to be allowed, every other one denied.</summary>
    internal sealed class AllowedProbeExpectation : ProbeExpectation
    {
        private readonly HashSet<string> _allowed;

        public AllowedProbeExpectation(HashSet<string> allowed)
        {
            _allowed = allowed;
        }

        public override string Description => "an allowed-probe list (" + (_allowed.Count == 0 ? "no probe" : _allowed.Count == 1 ? "only " + _allowed.First() : _allowed.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) + " probes") + ")";

        internal override ExpectedAnswer Expect(ProbeRequestFacts facts, StoreKind store)
        {
            bool listed = _allowed.Contains(facts.Definition.Name);
            var answer = new ExpectedAnswer
            {
                ExpectedOnAws = listed ? ProbeVerdict.Allowed : ProbeVerdict.Denied,
                Reason = listed ? "listed in the allowed probes" : "not listed in the allowed probes",
            };
            answer.Expected = answer.ExpectedOnAws;
            if (store == StoreKind.CephRgw)
            {
                ProbeVerdict verdict = answer.Expected;
                answer.StoreNote = StoreRules.ApplyRgwDefaults(facts, listed ? Decision.Allowed : Decision.ImplicitDeny, ref verdict);
                answer.Expected = verdict;
            }

            return answer;
        }
    }
}
