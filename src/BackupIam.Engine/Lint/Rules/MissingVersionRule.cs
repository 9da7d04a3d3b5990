using System;
using System.Collections.Generic;
using System.Globalization;
using BackupIam.Engine.Naming;
using BackupIam.Engine.Policies;
using static BackupIam.Engine.Lint.LintShared;

namespace BackupIam.Engine.Lint.Rules
{
    /// <summary>The policy has no Version, so AWS reads policy variables as text (MissingVersion).</summary>
    internal sealed class MissingVersionRule : IPolicyLintRule
    {
        public void Check(LintContext context)
        {
            PolicyDocument doc = context.Document;
            if (!doc.VersionMissing)
            {
                return;
            }

            bool usesVariables = UsesPolicyVariables(doc);
            context.Findings.Add(new PolicyFinding(
                FindingSeverity.Warning,
                FindingIds.MissingVersion,
                null,
                null,
                null,
                "The policy has no \"Version\" element, so AWS evaluates it with the 2008-10-17 rules: policy variables such as ${aws:username} are literal text"
                + (usesVariables ? " (this policy uses some, which therefore match nothing but the literal characters)." : "."),
                "Add \"Version\": \"2012-10-17\" as the first element. Policy variables (${...}) then start to be evaluated, so check that each one resolves as intended."));
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
    }
}
