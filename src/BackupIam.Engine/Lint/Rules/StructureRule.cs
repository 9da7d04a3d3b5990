using System;
using System.Collections.Generic;
using System.Globalization;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Simulation;
using static BackupIam.Engine.Lint.LintShared;

namespace BackupIam.Engine.Lint.Rules
{
    /// <summary>A bucket policy statement without Principal, or an identity policy statement with one (MissingPrincipal, PrincipalInIdentityPolicy).</summary>
    internal sealed class StructureRule : IStatementLintRule
    {
        public bool AppliesTo(LintContext context, PolicyStatement statement) => true;

        public void Check(LintContext context, PolicyStatement statement, int index) => CheckStructure(context.Findings, statement, index, context.Container);

        private static void CheckStructure(List<PolicyFinding> findings, PolicyStatement st, int i, PolicyContainer container)
        {
            bool bucketPolicy = container == PolicyContainer.BucketPolicy;
            if (st.Resources.Count == 0 && !st.IsNotResource)
            {
                findings.Add(new PolicyFinding(
                    FindingSeverity.Error,
                    FindingIds.MissingResource,
                    i,
                    st.Sid,
                    null,
                    bucketPolicy
                        ? "The statement has no Resource or NotResource; S3 rejects the bucket policy."
                        : "The statement has no Resource or NotResource; IAM rejects identity policies whose statements name no resource.",
                    "Add \"Resource\": the bucket ARN (\"arn:aws:s3:::bucket\") for bucket actions such as s3:ListBucket, and the object ARN (\"arn:aws:s3:::bucket/prefix/*\") for object actions such as s3:PutObject."));
            }

            bool hasPrincipal = st.Principal != null || st.NotPrincipal != null;
            if (bucketPolicy && !hasPrincipal)
            {
                findings.Add(new PolicyFinding(
                    FindingSeverity.Error,
                    FindingIds.MissingPrincipal,
                    i,
                    st.Sid,
                    null,
                    "The bucket policy statement has no Principal; S3 rejects bucket policies whose statements do not say whom they apply to.",
                    "Add \"Principal\": {\"AWS\": \"arn:aws:iam::123456789012:user/backup\"} naming the backup user or role (avoid \"*\" on Allow statements)."));
            }
            else if (!bucketPolicy && hasPrincipal)
            {
                string field = st.Principal != null ? "Principal" : "NotPrincipal";
                findings.Add(new PolicyFinding(
                    FindingSeverity.Error,
                    FindingIds.PrincipalInIdentityPolicy,
                    i,
                    st.Sid,
                    null,
                    "The statement has a " + field + " element, which IAM rejects in a " + Describe(container) + " policy: an identity policy applies to the user, group or role it is attached to.",
                    "Remove \"" + field + "\" from the statement, or put the statement in the bucket policy instead (Container BucketPolicy)."));
            }
        }
    }
}
