using System;
using System.Collections.Generic;
using System.Globalization;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Simulation;
using static BackupIam.Engine.Lint.LintShared;

namespace BackupIam.Engine.Lint.Rules
{
    /// <summary>Deletes allowed by a policy meant to be write-only (DeleteInWriteOnlyPolicy).</summary>
    internal sealed class DeleteInWriteOnlyRule : IStatementLintRule
    {
        public bool AppliesTo(LintContext context, PolicyStatement statement) => statement.Effect == PolicyEffect.Allow && context.WriteOnly;

        public void Check(LintContext context, PolicyStatement statement, int index) => CheckDeletes(context.Findings, statement, index, context.Catalog);

        private static void CheckDeletes(List<PolicyFinding> findings, PolicyStatement st, int i, S3ActionCatalog catalog)
        {
            if (st.IsNotAction)
            {
                foreach (S3ActionInfo info in catalog.Actions)
                {
                    if (IsDelete(info) && !MatchesAny(st.Actions, info, catalog))
                    {
                        findings.Add(new PolicyFinding(
                            FindingSeverity.Error,
                            FindingIds.DeleteInWriteOnlyPolicy,
                            i,
                            st.Sid,
                            info.Name,
                            "The write-only policy's Allow statement uses NotAction, which allows \"" + info.Name + "\" and every other action it does not list.",
                            "Replace NotAction with an Action list of exactly what the backup client needs, such as \"s3:PutObject\" and \"s3:ListBucket\"."));
                        return;
                    }
                }

                return;
            }

            foreach (string action in st.Actions)
            {
                if (action == null || !(IsS3Action(action) || action == "*"))
                {
                    continue;
                }

                string? first = null;
                foreach (S3ActionInfo info in catalog.Match(action))
                {
                    if (IsDelete(info))
                    {
                        first = info.Name;
                        break;
                    }
                }

                if (first == null)
                {
                    continue;
                }

                bool exact = !HasWildcard(action);
                findings.Add(new PolicyFinding(
                    FindingSeverity.Error,
                    FindingIds.DeleteInWriteOnlyPolicy,
                    i,
                    st.Sid,
                    action,
                    exact
                        ? "The policy is meant to be write-only, but it allows \"" + action + "\", so a stolen key can destroy backups."
                        : "The policy is meant to be write-only, but \"" + action + "\" allows delete actions such as \"" + first + "\", so a stolen key can destroy backups.",
                    exact
                        ? "Remove \"" + action + "\"; let a lifecycle rule expire old backups instead of the client deleting them."
                        : "Replace \"" + action + "\" with the exact actions the client needs (for example \"s3:PutObject\"), which do not include any s3:Delete* action."));
            }
        }
    }
}
