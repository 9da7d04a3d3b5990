namespace BackupIam
{
    /// <summary>
    /// An IAM role for a CI runner's OIDC token (New-BackupRole): who may assume it (Issuer, Audience, Subject), its trust
    /// policy and its inline policies. Binds into the next cmdlet by RoleName and Arn.
    /// </summary>
    public sealed class BackupRole : BackupResourceResult
    {
        public string RoleName { get; set; } = "";

        /// <summary>The role's ARN: what the runner's workflow gives as role-to-assume (GitHub) or AWS_ROLE_ARN.</summary>
        public string? Arn { get; set; }

        /// <summary>The OIDC identity provider's ARN.</summary>
        public string? ProviderArn { get; set; }

        /// <summary>GitHubActions, AzurePipelines or Custom.</summary>
        public string Source { get; set; } = "";

        public string Issuer { get; set; } = "";

        public string[] Audience { get; set; } = new string[0];

        /// <summary>The token subjects (sub claims) the trust policy accepts.</summary>
        public string[] Subject { get; set; } = new string[0];

        /// <summary>The role's trust policy (canonical JSON, pretty-printed).</summary>
        public string TrustPolicy { get; set; } = "";

        /// <summary>The inline policies this command manages on the role.</summary>
        public string[] PolicyNames { get; set; } = new string[0];

        public string? PermissionsBoundary { get; set; }

        public int? MaxSessionDuration { get; set; }

        public override string ToString() => RoleName;
    }
}
