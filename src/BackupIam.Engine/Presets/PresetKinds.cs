using BackupIam.Engine.Errors;

namespace BackupIam.Engine.Presets
{
    /// <summary>
    /// The one place that decides whether a preset is built as an identity policy or as a bucket policy, so that
    /// New-BackupPolicy and the simulator's -Expect agree.
    /// </summary>
    public static class PresetKinds
    {
        /// <summary>ErrorId for a bucket preset asked for without the principal it grants to.</summary>
        public const string PrincipalArnRequiredErrorId = "PrincipalArnRequired";

        /// <summary>
        /// A bucket policy when one is asked for, or when the preset is a bucket policy by default and a principal is
        /// given; an identity policy otherwise. A preset that is a bucket policy by default, with no principal and no
        /// explicit request, is refused: it would grant nobody.
        /// </summary>
        /// <exception cref="InputValidationException">ErrorId <c>PrincipalArnRequired</c>.</exception>
        public static PresetPolicyKind Choose(PresetDefinition preset, bool asBucketPolicy, string? principalArn)
        {
            if (asBucketPolicy || (!string.IsNullOrEmpty(principalArn) && preset.DefaultKind == PresetPolicyKind.Bucket))
            {
                return PresetPolicyKind.Bucket;
            }

            if (preset.DefaultKind == PresetPolicyKind.Bucket)
            {
                throw new InputValidationException(
                    PrincipalArnRequiredErrorId,
                    "PrincipalArn",
                    $"The {preset.Name} preset is a bucket policy and needs the user it grants to: give -PrincipalArn " +
                    "(for example arn:aws:iam::123456789012:user/backup), or use New-WriteOnlyBucketPolicy -UserName -AccountId.");
            }

            return PresetPolicyKind.Identity;
        }
    }
}
