using System.Collections.Generic;
using BackupIam.Engine.Policies;

namespace BackupIam.Engine.Lint.Rules
{
    /// <summary>A bucket policy principal ARN that names nobody (PrincipalArnInvalid); the rule is <see cref="PolicyRules"/>'.</summary>
    internal sealed class PrincipalArnRule : IStatementLintRule
    {
        public bool AppliesTo(LintContext context, PolicyStatement statement) =>
            context.Container == PolicyContainer.BucketPolicy && (statement.Principal != null || statement.NotPrincipal != null);

        public void Check(LintContext context, PolicyStatement statement, int index)
        {
            foreach (PrincipalBlock? block in new[] { statement.Principal, statement.NotPrincipal })
            {
                if (block == null || block.IsWildcard || !block.Values.TryGetValue("AWS", out List<string>? values))
                {
                    continue;
                }

                foreach (string value in values)
                {
                    string? problem = PolicyRules.PrincipalProblem(value);
                    if (problem != null)
                    {
                        context.Findings.Add(new PolicyFinding(
                            FindingSeverity.Error,
                            FindingIds.PrincipalArnInvalid,
                            index,
                            statement.Sid,
                            null,
                            "The principal '" + value + "' names nobody: " + problem + ".",
                            "Name the backup user or role, for example \"arn:aws:iam::123456789012:user/backup\" (on Ceph RGW \"arn:aws:iam:::user/backup\")."));
                    }
                }
            }
        }
    }
}
