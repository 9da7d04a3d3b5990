using BackupIam.Engine.Roles;

namespace BackupIam.Engine.Lint.Rules
{
    /// <summary>Trust policies: sts:AssumeRoleWithWebIdentity allowed to any principal ("*") instead of a named OIDC provider (TrustPolicyPrincipalWildcard).</summary>
    internal sealed class TrustPrincipalWildcardRule : TrustProblemRule
    {
        public TrustPrincipalWildcardRule()
            : base(TrustPolicyGuard.PrincipalWildcardId)
        {
        }
    }
}
