using BackupIam.Engine.Roles;

namespace BackupIam.Engine.Lint.Rules
{
    /// <summary>Trust policies: a web-identity Allow without a condition pinning the token audience, PROVIDER:aud (TrustPolicyAudienceMissing).</summary>
    internal sealed class TrustAudienceRule : TrustProblemRule
    {
        public TrustAudienceRule()
            : base(TrustPolicyGuard.AudienceMissingId)
        {
        }
    }
}
