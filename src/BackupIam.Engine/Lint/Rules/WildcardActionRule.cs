using System;
using System.Collections.Generic;
using System.Globalization;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Simulation;
using static BackupIam.Engine.Lint.LintShared;

namespace BackupIam.Engine.Lint.Rules
{
    /// <summary>Allow of "*" or "s3:*" (WildcardAction).</summary>
    internal sealed class WildcardActionRule : IStatementLintRule
    {
        public bool AppliesTo(LintContext context, PolicyStatement statement) => statement.Effect == PolicyEffect.Allow;

        public void Check(LintContext context, PolicyStatement statement, int index) => CheckWildcards(context.Findings, statement, index);

        private static void CheckWildcards(List<PolicyFinding> findings, PolicyStatement st, int i)
        {
            if (st.IsNotAction)
            {
                return;
            }

            foreach (string action in st.Actions)
            {
                if (action == "*" || string.Equals(action, "s3:*", StringComparison.OrdinalIgnoreCase))
                {
                    findings.Add(new PolicyFinding(
                        FindingSeverity.Warning,
                        FindingIds.WildcardAction,
                        i,
                        st.Sid,
                        action,
                        "\"" + action + "\" allows every " + (action == "*" ? "action of every service" : "S3 action") + ", including deleting objects and buckets and changing bucket policies.",
                        "List only the actions the backup client calls, for example \"s3:ListBucket\" and \"s3:GetBucketLocation\" on the bucket and \"s3:PutObject\" and \"s3:GetObject\" on \"arn:aws:s3:::bucket/*\"."));
                }
            }
        }
    }
}
