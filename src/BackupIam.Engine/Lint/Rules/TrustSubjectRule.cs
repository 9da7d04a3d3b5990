using System;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Roles;

namespace BackupIam.Engine.Lint.Rules
{
    /// <summary>Trust policies: a web-identity Allow whose subject (PROVIDER:sub) is missing, "*", or a GitHub repository pattern across owners (TrustPolicySubjectMissing, TrustPolicySubjectWildcard, TrustPolicyRepositoryWildcard).</summary>
    internal sealed class TrustSubjectRule : IStatementLintRule
    {
        private static readonly string[] Ids = { TrustPolicyGuard.SubjectMissingId, TrustPolicyGuard.SubjectWildcardId, TrustPolicyGuard.RepositoryWildcardId };

        public bool AppliesTo(LintContext context, PolicyStatement statement) =>
            statement.Effect == PolicyEffect.Allow && TrustPolicyGuard.IsTrustPolicy(context.Document);

        public void Check(LintContext context, PolicyStatement statement, int index)
        {
            foreach (TrustPolicyProblem problem in TrustPolicyGuard.AnalyzeStatement(statement, index))
            {
                if (Array.IndexOf(Ids, problem.Id) >= 0)
                {
                    context.Findings.Add(new PolicyFinding(
                        problem.IsError ? FindingSeverity.Error : FindingSeverity.Warning,
                        problem.Id, index, statement.Sid, TrustPolicyGuard.WebIdentityAction, problem.Message, problem.Fix));
                }
            }
        }
    }
}
