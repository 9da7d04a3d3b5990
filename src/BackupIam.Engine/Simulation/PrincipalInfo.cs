using System;
using System.Collections.Generic;
using BackupIam.Engine.Errors;

namespace BackupIam.Engine.Simulation
{
    /// <summary>
    /// The principal making a simulated request. Supplies the values of the policy variables
    /// <c>${aws:username}</c>, <c>${aws:userid}</c>, <c>${aws:PrincipalAccount}</c> and <c>${aws:PrincipalArn}</c>,
    /// and the same-named condition keys when the request context does not set them.
    /// </summary>
    public sealed class PrincipalInfo
    {
        private IReadOnlyList<string>? _arnList;
        private IReadOnlyList<string>? _accountList;
        private IReadOnlyList<string>? _userNameList;
        private IReadOnlyList<string>? _userIdList;

        /// <summary>Creates a principal.</summary>
        /// <param name="arn">The principal ARN, e.g. <c>arn:aws:iam::123456789012:user/backup</c>.</param>
        /// <param name="accountId">The 12-digit account id.</param>
        /// <param name="userName">The IAM user name, or null for non-user principals.</param>
        /// <param name="userId">The unique id (e.g. <c>AIDAEXAMPLE</c>), or null when unknown.</param>
        public PrincipalInfo(string arn, string accountId, string? userName = null, string? userId = null)
        {
            if (string.IsNullOrEmpty(arn) || !arn.StartsWith("arn:", StringComparison.Ordinal))
            {
                throw new InputValidationException(
                    "PrincipalArnInvalid", "Arn",
                    $"Principal ARN '{arn}' is not an ARN. Give an ARN such as 'arn:aws:iam::123456789012:user/backup'.");
            }

            ValidateAccountId(accountId);
            Arn = arn;
            AccountId = accountId;
            UserName = userName;
            UserId = userId;
            int second = arn.IndexOf(':', 4);
            Partition = second > 4 ? arn.Substring(4, second - 4) : "aws";
        }

        /// <summary>The principal ARN.</summary>
        public string Arn { get; }

        /// <summary>The IAM user name, or null.</summary>
        public string? UserName { get; }

        /// <summary>The unique principal id, or null when unknown (then <c>${aws:userid}</c> does not resolve).</summary>
        public string? UserId { get; }

        /// <summary>The 12-digit account id.</summary>
        public string AccountId { get; }

        /// <summary>The partition taken from <see cref="Arn"/> (<c>aws</c>, <c>aws-cn</c>, ...).</summary>
        public string Partition { get; }

        /// <summary>The account root ARN, <c>arn:PARTITION:iam::ACCOUNT:root</c>.</summary>
        public string AccountRootArn => "arn:" + Partition + ":iam::" + AccountId + ":root";

        /// <summary>Builds the principal for an IAM user in the <c>aws</c> partition.</summary>
        /// <param name="accountId">12-digit account id.</param>
        /// <param name="userName">IAM user name (1-64 of letters, digits and <c>+=,.@_-</c>).</param>
        /// <param name="path">IAM path, starting and ending with '/'; "/" when null.</param>
        public static PrincipalInfo ForUser(string accountId, string userName, string? path = "/")
        {
            ValidateAccountId(accountId);
            if (string.IsNullOrEmpty(userName) || userName.Length > 64 || !IsUserNameChars(userName))
            {
                throw new InputValidationException(
                    "UserNameInvalid", "UserName",
                    $"User name '{userName}' is not a valid IAM user name: use 1 to 64 letters, digits or the characters +=,.@_- (for example 'backup-restic').");
            }

            string p = string.IsNullOrEmpty(path) ? "/" : path!;
            if (p[0] != '/' || p[p.Length - 1] != '/' || p.Length > 512)
            {
                throw new InputValidationException(
                    "IamPathInvalid", "Path",
                    $"IAM path '{p}' must start and end with '/' and be at most 512 characters, for example '/' or '/backup/'.");
            }

            return new PrincipalInfo("arn:aws:iam::" + accountId + ":user" + p + userName, accountId, userName, null);
        }

        /// <summary>Principal-derived condition keys (aws:username, aws:userid, aws:PrincipalAccount, aws:PrincipalArn), or null.</summary>
        internal IReadOnlyList<string>? GetKeyValues(string key)
        {
            if (string.Equals(key, "aws:username", StringComparison.OrdinalIgnoreCase))
            {
                return UserName == null ? null : _userNameList ??= new[] { UserName };
            }

            if (string.Equals(key, "aws:userid", StringComparison.OrdinalIgnoreCase))
            {
                return UserId == null ? null : _userIdList ??= new[] { UserId };
            }

            if (string.Equals(key, "aws:PrincipalAccount", StringComparison.OrdinalIgnoreCase))
            {
                return _accountList ??= new[] { AccountId };
            }

            if (string.Equals(key, "aws:PrincipalArn", StringComparison.OrdinalIgnoreCase))
            {
                return _arnList ??= new[] { Arn };
            }

            return null;
        }

        /// <summary>True when <paramref name="key"/> is one of the principal-derived keys.</summary>
        internal static bool IsPrincipalKey(string key) =>
            string.Equals(key, "aws:username", StringComparison.OrdinalIgnoreCase)
            || string.Equals(key, "aws:userid", StringComparison.OrdinalIgnoreCase)
            || string.Equals(key, "aws:PrincipalAccount", StringComparison.OrdinalIgnoreCase)
            || string.Equals(key, "aws:PrincipalArn", StringComparison.OrdinalIgnoreCase);

        /// <inheritdoc />
        public override string ToString() => Arn;

        private static void ValidateAccountId(string accountId)
        {
            bool ok = accountId != null && accountId.Length == 12;
            for (int i = 0; ok && i < accountId!.Length; i++)
            {
                ok = accountId[i] >= '0' && accountId[i] <= '9';
            }

            if (!ok)
            {
                throw new InputValidationException(
                    "AccountIdInvalid", "AccountId",
                    $"Account id '{accountId}' must be exactly 12 digits, for example '123456789012'.");
            }
        }

        private static bool IsUserNameChars(string s)
        {
            foreach (char c in s)
            {
                bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '+' || c == '=' || c == ',' || c == '.' || c == '@' || c == '_' || c == '-';
                if (!ok)
                {
                    return false;
                }
            }

            return true;
        }
    }
}
