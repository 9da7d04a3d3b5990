using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;

namespace BackupIam.Engine.Simulation
{
    /// <summary>
    /// Offline, single-account IAM policy evaluation, following
    /// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html:
    /// any matching Deny (identity or resource policy) gives <see cref="Decision.ExplicitDeny"/>; otherwise a matching
    /// Allow in an identity policy, or in the resource policy with a Principal naming the principal itself (its ARN or "*"),
    /// gives <see cref="Decision.Allowed"/>; otherwise <see cref="Decision.ImplicitDeny"/>. A resource-policy Allow whose
    /// Principal names only the principal's account (root ARN or bare id) delegates to the account and grants nothing by
    /// itself; a Deny naming the account applies to every identity in it.
    /// Not modelled: SCPs, permission boundaries, session policies, cross-account rules, ACLs.
    /// </summary>
    /// <remarks>
    /// Policies are compiled once and cached per <see cref="NamedPolicy"/> instance; an edit to the document is
    /// detected and triggers recompilation. Instances are thread-safe.
    /// </remarks>
    public sealed class PolicyEvaluator
    {
        private const string NoStatementAllows = "no statement allows ";

        private readonly ConditionalWeakTable<NamedPolicy, Holder> _cache = new ConditionalWeakTable<NamedPolicy, Holder>();

        /// <summary>Evaluates <paramref name="request"/> against the principal's identity policies and an optional resource policy.</summary>
        /// <param name="identityPolicies">Policies attached to the principal (directly or via groups).</param>
        /// <param name="resourcePolicy">The bucket policy, or null.</param>
        /// <param name="request">The request.</param>
        public EvaluationResult Evaluate(IReadOnlyList<NamedPolicy> identityPolicies, NamedPolicy? resourcePolicy, EvaluationRequest request)
        {
            if (identityPolicies == null)
            {
                throw new ArgumentNullException(nameof(identityPolicies));
            }

            if (request == null)
            {
                throw new ArgumentNullException(nameof(request));
            }

            var compiled = new CompiledPolicy[identityPolicies.Count + (resourcePolicy == null ? 0 : 1)];
            for (int i = 0; i < identityPolicies.Count; i++)
            {
                compiled[i] = Compile(identityPolicies[i] ?? throw new ArgumentException("The list of identity policies contains a null entry.", nameof(identityPolicies)));
            }

            if (resourcePolicy != null)
            {
                compiled[compiled.Length - 1] = Compile(resourcePolicy);
            }

            return Evaluate(compiled, request);
        }

        /// <summary>Compiles (or fetches from cache) one policy.</summary>
        internal CompiledPolicy Compile(NamedPolicy policy)
        {
            var holder = _cache.GetValue(policy, _ => new Holder());
            var current = holder.Value;
            if (current == null || !current.Snapshot.Matches(policy.Document))
            {
                current = new CompiledPolicy(policy);
                holder.Value = current;
            }

            return current;
        }

        /// <summary>Evaluates against already compiled policies (identity policies first, resource policy last).</summary>
        internal static EvaluationResult Evaluate(CompiledPolicy[] policies, EvaluationRequest request)
        {
            CompiledStatement? allow = null;
            string? note = null;
            for (int p = 0; p < policies.Length; p++)
            {
                var statements = policies[p].Statements;
                for (int s = 0; s < statements.Length; s++)
                {
                    var st = statements[s];
                    if (!st.IsDeny && allow != null)
                    {
                        continue;
                    }

                    TargetMatch target = st.MatchTarget(request);
                    if (target != TargetMatch.Yes)
                    {
                        if (target == TargetMatch.AccountDelegated && st.ConditionsHold(request))
                        {
                            note ??= st.Label + " names only the account " + request.Principal.AccountRootArn
                                + ", which delegates to the account's IAM policies: " + request.Principal.Arn + " also needs an identity-policy Allow";
                        }

                        continue;
                    }

                    if (!st.ConditionsHold(request))
                    {
                        note ??= st.UnknownOperatorNote;
                        continue;
                    }

                    if (st.IsDeny)
                    {
                        return new EvaluationResult(
                            Decision.ExplicitDeny, st.PolicyName, st.Index, st.Sid, "explicitly denied by " + st.Label);
                    }

                    allow = st;
                }
            }

            if (allow != null)
            {
                return new EvaluationResult(Decision.Allowed, allow.PolicyName, allow.Index, allow.Sid, "allowed by " + allow.Label);
            }

            string reason = NoStatementAllows + request.Action + " on " + request.Resource;
            if (note != null)
            {
                reason += " (note: " + note + ")";
            }

            return new EvaluationResult(Decision.ImplicitDeny, null, null, null, reason);
        }

        private sealed class Holder
        {
            private CompiledPolicy? _value;

            public CompiledPolicy? Value
            {
                get => System.Threading.Volatile.Read(ref _value);
                set => System.Threading.Volatile.Write(ref _value, value);
            }
        }
    }
}
