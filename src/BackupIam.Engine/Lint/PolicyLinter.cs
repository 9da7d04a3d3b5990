using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using BackupIam.Engine.Lint.Rules;
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
        /// <summary>Whole-policy rules, in the order their findings come out.</summary>
        private static readonly IPolicyLintRule[] WholePolicyRules = { new PolicyTooLargeRule(), new MissingVersionRule() };

        /// <summary>
        /// Statement rules, in the order their findings come out for a statement. Each rule lives in its own file under
        /// Lint/Rules and decides itself which statements it applies to (for example Allow statements only).
        /// </summary>
        private static readonly IStatementLintRule[] StatementRules =
        {
            new StructureRule(),
            new SidRule(),
            new PrincipalArnRule(),
            new UnknownActionRule(),
            new ResourceTypeRule(),
            new ConditionKeyRule(),
            new WildcardActionRule(),
            new DeleteInWriteOnlyRule(),
            new ObjectAclRule(),
            new ListAllMyBucketsRule(),
            new OverwriteRule(),
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

        /// <summary>Lints a policy that is already parsed, without parsing it again; the size is measured on the text it was read from.</summary>
        /// <exception cref="ArgumentNullException">An argument is null.</exception>
        public static IReadOnlyList<PolicyFinding> Lint(ParsedPolicy policy, LintOptions options)
        {
            if (policy == null)
            {
                throw new ArgumentNullException(nameof(policy));
            }

            if (options == null)
            {
                throw new ArgumentNullException(nameof(options));
            }

            return LintCore(policy.Document, options, MeasureSize(policy.Text, options.Container));
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
            var context = new LintContext(doc, options, size);
            foreach (IPolicyLintRule rule in WholePolicyRules)
            {
                rule.Check(context);
            }

            for (int i = 0; i < doc.Statements.Count; i++)
            {
                PolicyStatement st = doc.Statements[i];
                if (st == null)
                {
                    continue;
                }

                foreach (IStatementLintRule rule in StatementRules)
                {
                    if (rule.AppliesTo(context, st))
                    {
                        rule.Check(context, st, i);
                    }
                }
            }

            List<PolicyFinding> findings = context.Findings;
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
    }
}
