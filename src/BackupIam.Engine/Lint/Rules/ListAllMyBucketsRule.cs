using System;
using System.Collections.Generic;
using System.Globalization;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Simulation;
using static BackupIam.Engine.Lint.LintShared;

namespace BackupIam.Engine.Lint.Rules
{
    /// <summary>s3:ListAllMyBuckets where the client does not discover buckets (UnneededListAllMyBuckets).</summary>
    internal sealed class ListAllMyBucketsRule : IStatementLintRule
    {
        public bool AppliesTo(LintContext context, PolicyStatement statement) => statement.Effect == PolicyEffect.Allow && !context.Options.NeedsBucketDiscovery;

        public void Check(LintContext context, PolicyStatement statement, int index) => CheckListAllMyBuckets(context.Findings, statement, index, context.Catalog);

        /// <summary>
        /// s3:ListAllMyBuckets allowed by name, or by a wildcard ("s3:List*", "s3:*", "*", NotAction) on a resource that
        /// reaches it ("*" or "arn:aws:s3:::*").
        /// </summary>
        private static void CheckListAllMyBuckets(List<PolicyFinding> findings, PolicyStatement st, int i, S3ActionCatalog catalog)
        {
            if (!catalog.TryGet("s3:ListAllMyBuckets", out S3ActionInfo listAll) || !AllowsAction(st, listAll, catalog))
            {
                return;
            }

            string? entry = null;
            if (!st.IsNotAction)
            {
                foreach (string a in st.Actions)
                {
                    if (a != null && ContainsInfo(catalog.Match(a), listAll))
                    {
                        entry = a;
                        break;
                    }
                }
            }

            bool exact = entry != null && !HasWildcard(entry);
            if (!exact)
            {
                // A wildcard only grants it where the resources reach "*".
                bool reaches = st.IsNotResource;
                foreach (string r in st.Resources)
                {
                    if (r != null)
                    {
                        ResourceMask(r, out bool star);
                        reaches |= star;
                    }
                }

                if (!reaches)
                {
                    return;
                }
            }

            string what = exact ? "s3:ListAllMyBuckets" : (st.IsNotAction ? "The NotAction statement" : "\"" + entry + "\"") + " includes s3:ListAllMyBuckets, which";
            findings.Add(new PolicyFinding(
                FindingSeverity.Suggestion,
                FindingIds.UnneededListAllMyBuckets,
                i,
                st.Sid,
                entry,
                what + " lets the client see the names of every bucket in the account, and the backup client does not need to discover buckets.",
                exact
                    ? "Remove \"s3:ListAllMyBuckets\" and configure the bucket name in the backup client; keep it only if the client insists on listing buckets (then set NeedsBucketDiscovery)."
                    : "Replace \"" + (entry ?? "NotAction") + "\" with the exact actions the client needs on the bucket and object ARNs (for example \"s3:ListBucket\" on \"arn:aws:s3:::bucket\"), so that s3:ListAllMyBuckets is not granted on \"*\"."));
        }
    }
}
