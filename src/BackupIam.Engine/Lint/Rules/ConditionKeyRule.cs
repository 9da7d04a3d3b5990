using System;
using System.Collections.Generic;
using System.Globalization;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Simulation;
using static BackupIam.Engine.Lint.LintShared;

namespace BackupIam.Engine.Lint.Rules
{
    /// <summary>s3: condition keys that an action does not support, so the clause is constant for it (UnsupportedConditionKey).</summary>
    internal sealed class ConditionKeyRule : IStatementLintRule
    {
        public bool AppliesTo(LintContext context, PolicyStatement statement) => true;

        public void Check(LintContext context, PolicyStatement statement, int index) => CheckConditionKeys(context.Findings, statement, index, context.Catalog);

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
    }
}
