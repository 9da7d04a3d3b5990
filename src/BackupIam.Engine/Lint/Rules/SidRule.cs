using BackupIam.Engine.Policies;

namespace BackupIam.Engine.Lint.Rules
{
    /// <summary>A Sid that the service would refuse (SidInvalid); the rule is <see cref="PolicyRules"/>'.</summary>
    internal sealed class SidRule : IStatementLintRule
    {
        public bool AppliesTo(LintContext context, PolicyStatement statement) => statement.Sid != null;

        public void Check(LintContext context, PolicyStatement statement, int index)
        {
            bool bucketPolicy = context.Container == PolicyContainer.BucketPolicy;
            string? problem = PolicyRules.SidProblem(statement.Sid!, identityPolicy: !bucketPolicy);
            if (problem == null)
            {
                return;
            }

            context.Findings.Add(new PolicyFinding(
                FindingSeverity.Error,
                FindingIds.SidInvalid,
                index,
                statement.Sid,
                null,
                "The Sid is not valid: " + problem + "; " + (bucketPolicy ? "S3" : "IAM") + " refuses the policy.",
                bucketPolicy
                    ? "Remove the control character or the broken character from the Sid, or remove the Sid."
                    : "Use only letters and digits in the Sid, for example \"UploadBackups\", or remove the Sid."));
        }
    }
}
