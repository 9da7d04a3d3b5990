using System.Collections.Generic;
using System.Text.RegularExpressions;
using BackupIam.Engine.Errors;

namespace BackupIam.Engine.Naming
{
    /// <summary>
    /// IAM's naming rules (user, group, policy name, path, account id, managed policy ARN, tag, profile name), checked
    /// before any call so that bad input never creates anything. Principal ARNs are in <see cref="IamArns"/>, bucket
    /// names and key prefixes in <see cref="S3Names"/>, policy size quotas in <see cref="PolicySizeLimits"/>.
    /// </summary>
    public static class IamNames
    {
        /// <summary>ErrorId of a bad user name given to a provisioning cmdlet.</summary>
        public const string UserNameInvalidErrorId = "IamUserNameInvalid";

        /// <summary>
        /// ErrorId of a bad user name given to an offline cmdlet (Test-BackupPolicy, New-WriteOnlyBucketPolicy). The rule is
        /// the same (<see cref="IsUserName"/>); the two ids predate this class and tests and scripts pin both.
        /// </summary>
        public const string SimulatedUserNameInvalidErrorId = "UserNameInvalid";

        /// <summary>ErrorId of a bad account id.</summary>
        public const string AccountIdInvalidErrorId = "AccountIdInvalid";

        private const int MaxUserName = 64;

        private static readonly Regex NameChars = new Regex(@"^[A-Za-z0-9_+=,.@-]+\z", RegexOptions.CultureInvariant);
        private static readonly Regex PathPattern = new Regex(@"^/$|^/[\u0021-\u007E]+/$", RegexOptions.CultureInvariant);
        private static readonly Regex PolicyArnPattern = new Regex(@"^arn:aws(-cn|-us-gov)?:iam::([0-9]{12}|aws):policy/[\u0021-\u007E]+$", RegexOptions.CultureInvariant);
        private static readonly Regex ProfileNamePattern = new Regex(@"^[A-Za-z0-9_.\-]+$", RegexOptions.CultureInvariant);

        /// <summary>True for a valid IAM user name: 1 to 64 letters, digits and <c>+=,.@_-</c>.</summary>
        public static bool IsUserName(string? name) => IsName(name, MaxUserName);

        public static void ValidateUserName(string? name, string parameterName = "UserName") =>
            ValidateName(name, parameterName, MaxUserName, UserNameInvalidErrorId, "user name", "backup-user");

        /// <summary>Checks a 12-digit AWS account id.</summary>
        /// <exception cref="InputValidationException">ErrorId <c>AccountIdInvalid</c>, naming the parameter.</exception>
        public static void ValidateAccountId(string? accountId, string parameterName = "AccountId")
        {
            if (!IamArns.IsAccountId(accountId))
            {
                throw new InputValidationException(
                    AccountIdInvalidErrorId, parameterName,
                    $"-{parameterName} '{accountId}' is not an AWS account id: it must be exactly 12 digits, for example '123456789012'.")
                {
                    Target = accountId,
                };
            }
        }

        public static void ValidateGroupName(string? name, string parameterName = "GroupName") =>
            ValidateName(name, parameterName, 128, "IamGroupNameInvalid", "group name", "BackupUsers");

        public static void ValidatePolicyName(string? name, string parameterName = "PolicyName") =>
            ValidateName(name, parameterName, 128, "IamPolicyNameInvalid", "policy name", "UploadFilesToBackup");

        public static void ValidatePath(string? path, string parameterName = "Path")
        {
            if (path == null)
            {
                return;
            }

            if (path.Length > 512 || !PathPattern.IsMatch(path))
            {
                throw new InputValidationException("IamPathInvalid", parameterName,
                    $"'{path}' is not a valid IAM path: it must begin and end with '/', contain printable ASCII only, and be at most 512 characters, for example /backup/.");
            }
        }

        public static void ValidatePolicyArn(string? arn, string parameterName)
        {
            if (arn != null && !PolicyArnPattern.IsMatch(arn))
            {
                throw new InputValidationException("IamPolicyArnInvalid", parameterName,
                    $"'{arn}' is not a managed policy ARN: use the form arn:aws:iam::123456789012:policy/BackupBoundary.");
            }
        }

        public static void ValidateTags(IDictionary<string, string>? tags, string parameterName = "Tag")
        {
            if (tags == null)
            {
                return;
            }

            if (tags.Count > 50)
            {
                throw new InputValidationException("IamTagInvalid", parameterName, $"IAM allows at most 50 tags per user; {tags.Count} were given.");
            }

            foreach (KeyValuePair<string, string> tag in tags)
            {
                if (string.IsNullOrEmpty(tag.Key) || tag.Key.Length > 128 || tag.Key.StartsWith("aws:", System.StringComparison.OrdinalIgnoreCase))
                {
                    throw new InputValidationException("IamTagInvalid", parameterName,
                        $"Tag key '{tag.Key}' is not valid: keys are 1 to 128 characters and may not begin with 'aws:', for example @{{ Purpose = 'backup' }}.");
                }

                if (tag.Value != null && tag.Value.Length > 256)
                {
                    throw new InputValidationException("IamTagInvalid", parameterName, $"The value of tag '{tag.Key}' is longer than IAM's 256 characters.");
                }
            }
        }

        public static void ValidateProfileName(string? name, string parameterName = "StoreAs")
        {
            if (name != null && (name.Length == 0 || name.Length > 64 || !ProfileNamePattern.IsMatch(name)))
            {
                throw new InputValidationException("ProfileNameInvalid", parameterName,
                    $"'{name}' is not a usable credential profile name: use letters, digits, '.', '_' and '-', for example mysite-backup.");
            }
        }

        private static bool IsName(string? name, int max) => !string.IsNullOrEmpty(name) && name!.Length <= max && NameChars.IsMatch(name);

        private static void ValidateName(string? name, string parameterName, int max, string errorId, string what, string example)
        {
            if (!IsName(name, max))
            {
                throw new InputValidationException(errorId, parameterName,
                    $"'{name}' is not a valid IAM {what}: use 1 to {max} letters, digits and the characters + = , . @ _ -, for example {example}.");
            }
        }
    }
}
