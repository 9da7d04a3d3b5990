using System;
using System.Collections.Generic;
using System.Globalization;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Simulation;
using static BackupIam.Engine.Lint.LintShared;

namespace BackupIam.Engine.Lint.Rules
{
    /// <summary>Actions whose resources can never be of the type they act on (ResourceTypeMismatch).</summary>
    internal sealed class ResourceTypeRule : IStatementLintRule
    {
        public bool AppliesTo(LintContext context, PolicyStatement statement) => true;

        public void Check(LintContext context, PolicyStatement statement, int index) => CheckResourceTypes(context.Findings, statement, index, context.Catalog);

        private static void CheckResourceTypes(List<PolicyFinding> findings, PolicyStatement st, int i, S3ActionCatalog catalog)
        {
            if (st.IsNotResource || st.IsNotAction || st.Resources.Count == 0)
            {
                return;
            }

            int union = 0;
            bool anyStar = false;
            foreach (string r in st.Resources)
            {
                if (r == null)
                {
                    continue;
                }

                union |= ResourceMask(r, out bool star);
                anyStar |= star;
            }

            if (union == AllTypes && anyStar)
            {
                return;
            }

            foreach (string action in st.Actions)
            {
                if (action == null || !IsS3Action(action))
                {
                    continue;
                }

                IReadOnlyList<S3ActionInfo> infos = catalog.Match(action);
                if (infos.Count == 0)
                {
                    continue;
                }

                bool anyFits = false;
                foreach (S3ActionInfo info in infos)
                {
                    if (info.SupportsOnlyAnyResource ? anyStar : (TypeMask(info) & union) != 0)
                    {
                        anyFits = true;
                        break;
                    }
                }

                if (anyFits)
                {
                    continue;
                }

                string resources = string.Join(", ", st.Resources);
                string message;
                string fix;
                if (infos.Count == 1)
                {
                    S3ActionInfo info = infos[0];
                    message = info.SupportsOnlyAnyResource
                        ? "\"" + action + "\" supports only \"Resource\": \"*\", but the statement scopes it to " + resources + ", so it never applies."
                        : "\"" + action + "\" applies to " + DescribeTypes(info) + " resources, but the statement's resources (" + resources + ") can never be one, so it never applies.";
                    fix = FixForType(info, st.Resources);
                }
                else
                {
                    message = "None of the " + infos.Count.ToString(CultureInfo.InvariantCulture) + " actions matched by \"" + action + "\" applies to the statement's resources (" + resources + ").";
                    fix = "Move \"" + action + "\" to a statement whose Resource has the right type: bucket actions take \"arn:aws:s3:::bucket\", object actions \"arn:aws:s3:::bucket/*\".";
                }

                findings.Add(new PolicyFinding(FindingSeverity.Error, FindingIds.ResourceTypeMismatch, i, st.Sid, action, message, fix));
            }
        }

        private static string FixForType(S3ActionInfo info, List<string> resources)
        {
            if (info.SupportsOnlyAnyResource)
            {
                return "Put \"" + info.Name + "\" in its own statement with \"Resource\": \"*\".";
            }

            string? bucket = null;
            foreach (string r in resources)
            {
                if (r != null && r.StartsWith("arn:aws:s3:::", StringComparison.OrdinalIgnoreCase))
                {
                    string rest = r.Substring("arn:aws:s3:::".Length);
                    int slash = rest.IndexOf('/');
                    bucket = slash < 0 ? rest : rest.Substring(0, slash);
                    break;
                }
            }

            string b = bucket ?? "bucket";
            if (info.AppliesTo(S3ResourceType.Bucket))
            {
                string hint = string.Equals(info.Name, "s3:ListBucket", StringComparison.OrdinalIgnoreCase) || string.Equals(info.Name, "s3:ListBucketVersions", StringComparison.OrdinalIgnoreCase)
                    ? " To limit listing to a prefix, add a Condition {\"StringLike\": {\"s3:prefix\": [\"backups/*\"]}}."
                    : string.Empty;
                return "Scope \"" + info.Name + "\" to the bucket ARN \"arn:aws:s3:::" + b + "\" (no /key part), in a separate statement if the others need object ARNs." + hint;
            }

            if (info.AppliesTo(S3ResourceType.Object))
            {
                return "Scope \"" + info.Name + "\" to object ARNs such as \"arn:aws:s3:::" + b + "/*\" or \"arn:aws:s3:::" + b + "/backups/*\".";
            }

            return "Scope \"" + info.Name + "\" to an ARN of type " + DescribeTypes(info) + " (see the Service Authorization Reference for Amazon S3).";
        }
    }
}
