using System;
using System.Collections.Generic;
using System.Globalization;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Simulation;
using static BackupIam.Engine.Lint.LintShared;

namespace BackupIam.Engine.Lint.Rules
{
    /// <summary>Object ACL writes that can make backups public (ObjectAclCanMakePublic).</summary>
    internal sealed class ObjectAclRule : IStatementLintRule
    {
        public bool AppliesTo(LintContext context, PolicyStatement statement) => statement.Effect == PolicyEffect.Allow && !context.Options.AclsDisabled;

        public void Check(LintContext context, PolicyStatement statement, int index) => CheckObjectAcls(context.Findings, statement, index, context.Catalog);

        private static void CheckObjectAcls(List<PolicyFinding> findings, PolicyStatement st, int i, S3ActionCatalog catalog)
        {
            if (st.IsNotAction)
            {
                return;
            }

            foreach (string action in st.Actions)
            {
                if (action == null || !(IsS3Action(action) || action == "*"))
                {
                    continue;
                }

                foreach (S3ActionInfo info in catalog.Match(action))
                {
                    if (string.Equals(info.Name, "s3:PutObjectAcl", StringComparison.Ordinal) || string.Equals(info.Name, "s3:PutObjectVersionAcl", StringComparison.Ordinal))
                    {
                        findings.Add(new PolicyFinding(
                            FindingSeverity.Warning,
                            FindingIds.ObjectAclCanMakePublic,
                            i,
                            st.Sid,
                            action,
                            "\"" + action + "\" lets the client set object ACLs, so backups can be made public (for example with the public-read canned ACL).",
                            "Remove \"" + action + "\" and set the bucket's Object Ownership to BucketOwnerEnforced (ACLs disabled); if the client must send an ACL, allow only \"bucket-owner-full-control\" with a Condition {\"StringEquals\": {\"s3:x-amz-acl\": \"bucket-owner-full-control\"}}."));
                        break;
                    }
                }
            }
        }
    }
}
