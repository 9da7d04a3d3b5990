using System;
using System.Collections.Generic;
using System.Linq;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Roles;

namespace BackupIam.Engine.Simulation
{
    /// <summary>
    /// Decides a role's trust policy for a federated caller: may the OIDC provider's token (its claims given as the
    /// request context, e.g. <c>token.actions.githubusercontent.com:sub</c>) call sts:AssumeRoleWithWebIdentity? Follows
    /// the same rules as <see cref="PolicyEvaluator"/> (explicit Deny, then Allow, else implicit deny) with the trust
    /// policy as the only policy: the Principal must name the provider (its Federated ARN, or "*"), and every condition,
    /// evaluated by the same condition engine, must hold. The S3 evaluator is untouched.
    /// </summary>
    public static class TrustPolicySimulation
    {
        /// <summary>Decides each action of <paramref name="scope"/> (default sts:AssumeRoleWithWebIdentity) against the trust policy.</summary>
        /// <exception cref="InputValidationException">An action that is not an sts: action, or no federated principal to decide for.</exception>
        public static SimulationResult Run(NamedPolicy trustPolicy, bool identityPoliciesGiven, SimulationScope scope)
        {
            if (trustPolicy == null)
            {
                throw new ArgumentNullException(nameof(trustPolicy));
            }

            if (scope == null)
            {
                throw new ArgumentNullException(nameof(scope));
            }

            var result = new SimulationResult();
            if (identityPoliciesGiven)
            {
                result.Warnings.Add("A trust policy decides sts:AssumeRoleWithWebIdentity on its own: the identity policies given with it were not used. Simulate them separately (as the role's permissions).");
            }

            if (scope.Expect != null)
            {
                throw new InputValidationException("TrustPolicyExpectUnsupported", "Expect",
                    "-Expect compares S3 permissions; a trust policy is decided with -Action sts:AssumeRoleWithWebIdentity and -Context holding the token's claims.");
            }

            IReadOnlyList<string> actions = scope.Actions ?? new[] { TrustPolicyGuard.WebIdentityAction };
            foreach (string action in actions)
            {
                if (!action.StartsWith("sts:", StringComparison.OrdinalIgnoreCase) || action.IndexOf('*') >= 0 || action.IndexOf('?') >= 0)
                {
                    throw new InputValidationException("TrustActionInvalid", "Action",
                        $"-Action '{action}' is not an STS action: a trust policy decides who may assume the role, for example -Action sts:AssumeRoleWithWebIdentity.")
                    {
                        Target = action,
                    };
                }
            }

            PolicyDocument document = trustPolicy.Document;
            string federated = scope.PrincipalArn ?? document.Statements
                .Where(s => s.Principal != null && s.Principal.Values.ContainsKey("Federated"))
                .SelectMany(s => s.Principal!.Values["Federated"])
                .FirstOrDefault(v => v != "*")
                ?? throw new InputValidationException("FederatedPrincipalRequired", "PrincipalArn",
                    "The trust policy names no Federated principal: give the identity provider the token comes from with -PrincipalArn, for example -PrincipalArn arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com.");

            string account = ReadAccount(federated) ?? scope.AccountId ?? SimulationScope.DefaultAccountId;
            var principal = new PrincipalInfo(federated.StartsWith("arn:", StringComparison.Ordinal) ? federated : "arn:aws:iam::" + account + ":oidc-provider/" + federated, account);
            result.Principal = principal;

            var context = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
            foreach (KeyValuePair<string, IReadOnlyList<string>> pair in scope.Context)
            {
                context[pair.Key] = pair.Value;
            }

            RequestContextRules.Validate(context, "Context");
            string provider = TrustPolicyGuard.ProviderPathOf(federated);
            foreach (string claim in new[] { "sub", "aud" })
            {
                string key = provider + ":" + claim;
                if (!context.ContainsKey(key) && document.Statements.Any(s => s.Conditions.Any(c => string.Equals(c.Key, key, StringComparison.OrdinalIgnoreCase))))
                {
                    result.Warnings.Add($"-Context has no value for {key}: the token's {claim} claim is taken as missing. Give it, for example -Context @{{'{key}' = '...'}}.");
                }
            }

            string roleArn = scope.Resources?.FirstOrDefault() ?? "arn:" + principal.Partition + ":iam::" + account + ":role/*";
            IReadOnlyList<string> resources = scope.Resources ?? new[] { roleArn };
            string? contextText = context.Count == 0 ? null : string.Join(" ", context.Select(kv => kv.Key + "=" + string.Join(",", kv.Value)));
            var compiled = Compile(trustPolicy);
            var decisions = new List<SimulatedDecision>();
            foreach (string action in actions)
            {
                foreach (string resource in resources)
                {
                    var request = new EvaluationRequest(action, resource, principal, context);
                    decisions.Add(new SimulatedDecision(action, "role", resource, contextText, Decide(compiled, request)));
                }
            }

            result.Decisions = decisions;
            return result;
        }

        /// <summary>Decides one request against a trust policy.</summary>
        public static EvaluationResult Evaluate(NamedPolicy trustPolicy, EvaluationRequest request) => Decide(Compile(trustPolicy), request);

        private static List<TrustStatement> Compile(NamedPolicy policy)
        {
            bool variables = string.Equals(policy.Document.EffectiveVersion, PolicyDocument.CurrentVersion, StringComparison.Ordinal);
            return policy.Document.Statements.Select((s, i) => new TrustStatement(policy.Name, i, s, variables)).ToList();
        }

        private static EvaluationResult Decide(List<TrustStatement> statements, EvaluationRequest request)
        {
            TrustStatement? allow = null;
            string? note = null;
            foreach (TrustStatement st in statements)
            {
                if (!st.Applies(request))
                {
                    continue;
                }

                string? failed = st.FailedCondition(request);
                if (failed != null)
                {
                    note ??= st.Label + " matches, but its condition " + failed + " does not hold";
                    continue;
                }

                if (st.IsDeny)
                {
                    return new EvaluationResult(Decision.ExplicitDeny, st.PolicyName, st.Index, st.Sid, "explicitly denied by " + st.Label);
                }

                allow ??= st;
            }

            if (allow != null)
            {
                return new EvaluationResult(Decision.Allowed, allow.PolicyName, allow.Index, allow.Sid, "allowed by " + allow.Label);
            }

            return new EvaluationResult(Decision.ImplicitDeny, null, null, null,
                "no statement of the trust policy lets " + request.Principal.Arn + " call " + request.Action + (note != null ? " (" + note + ")" : string.Empty));
        }

        private static string? ReadAccount(string arn)
        {
            string[] parts = arn.Split(':');
            return parts.Length > 5 && parts[0] == "arn" && Naming.IamArns.IsAccountId(parts[4]) ? parts[4] : null;
        }

        private sealed class TrustStatement
        {
            private readonly PolicyStatement _statement;
            private readonly GlobPattern[] _actions;
            private readonly CompiledCondition[] _conditions;

            public TrustStatement(string policyName, int index, PolicyStatement statement, bool variables)
            {
                _statement = statement;
                PolicyName = policyName;
                Index = index;
                Sid = statement.Sid;
                IsDeny = statement.Effect == PolicyEffect.Deny;
                Label = StatementLabel.Format(policyName, index, statement.Sid);
                _actions = statement.Actions.Select(a => GlobPattern.Wildcard(a, ignoreCase: true)).ToArray();
                _conditions = statement.Conditions.Select(c => new CompiledCondition(c, variables)).ToArray();
            }

            public string PolicyName { get; }

            public int Index { get; }

            public string? Sid { get; }

            public bool IsDeny { get; }

            public string Label { get; }

            public bool Applies(EvaluationRequest request)
            {
                bool action = _actions.Any(a => a.IsMatch(request.Action)) != _statement.IsNotAction;
                if (!action)
                {
                    return false;
                }

                if (_statement.Principal != null)
                {
                    return Names(_statement.Principal, request.Principal.Arn);
                }

                return _statement.NotPrincipal != null && !Names(_statement.NotPrincipal, request.Principal.Arn);
            }

            public string? FailedCondition(EvaluationRequest request)
            {
                foreach (CompiledCondition condition in _conditions)
                {
                    if (!condition.Evaluate(request))
                    {
                        return condition.Operator + " " + condition.Key;
                    }
                }

                return null;
            }

            private static bool Names(PrincipalBlock block, string providerArn)
            {
                if (block.IsWildcard)
                {
                    return true;
                }

                return block.Values.TryGetValue("Federated", out List<string>? values)
                    && values.Any(v => v == "*" || string.Equals(v, providerArn, StringComparison.Ordinal)
                        || string.Equals(TrustPolicyGuard.ProviderPathOf(providerArn), v, StringComparison.Ordinal));
            }
        }
    }
}
