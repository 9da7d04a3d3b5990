using System;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Roles;

namespace BackupIam.Engine.Lint.Rules
{
    /// <summary>Trust policies: a web-identity Allow without a condition pinning the token audience, PROVIDER:aud (TrustPolicyAudienceMissing).</summary>
    internal sealed class TrustAudienceRule : IStatementLintRule
    {
        private static readonly string[] Ids = { TrustPolicyGuard.AudienceMissingId };

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
