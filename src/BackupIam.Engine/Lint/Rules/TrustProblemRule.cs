using System;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Roles;

namespace BackupIam.Engine.Lint.Rules
{
    /// <summary>
    /// What the trust-policy rules share: on a trust policy's Allow statements, <see cref="TrustPolicyGuard"/>'s analysis
    /// of the statement, reported as findings for the problem ids the rule owns (one rule per concern, one analysis).
    /// </summary>
    internal abstract class TrustProblemRule : IStatementLintRule
    {
        private readonly string[] _ids;

        protected TrustProblemRule(params string[] ids)
        {
            _ids = ids;
        }

        public bool AppliesTo(LintContext context, PolicyStatement statement) =>
            statement.Effect == PolicyEffect.Allow && TrustPolicyGuard.IsTrustPolicy(context.Document);

        public void Check(LintContext context, PolicyStatement statement, int index)
        {
            foreach (TrustPolicyProblem problem in TrustPolicyGuard.AnalyzeStatement(statement, index))
            {
                if (Array.IndexOf(_ids, problem.Id) >= 0)
                {
                    context.Findings.Add(new PolicyFinding(
                        problem.IsError ? FindingSeverity.Error : FindingSeverity.Warning,
                        problem.Id, index, statement.Sid, TrustPolicyGuard.WebIdentityAction, problem.Message, problem.Fix));
                }
            }
        }
    }
}
