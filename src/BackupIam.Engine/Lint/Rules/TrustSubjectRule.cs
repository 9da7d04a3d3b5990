using BackupIam.Engine.Roles;

namespace BackupIam.Engine.Lint.Rules
{
    /// <summary>Trust policies: a web-identity Allow whose subject (PROVIDER:sub) is missing, "*", or a GitHub repository pattern across owners (TrustPolicySubjectMissing, TrustPolicySubjectWildcard, TrustPolicyRepositoryWildcard).</summary>
    internal sealed class TrustSubjectRule : TrustProblemRule
    {
        public TrustSubjectRule()
            : base(TrustPolicyGuard.SubjectMissingId, TrustPolicyGuard.SubjectWildcardId, TrustPolicyGuard.RepositoryWildcardId)
        {
        }
    }
}
