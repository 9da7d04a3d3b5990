using System;
using System.Collections.Generic;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Naming;

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
        /// <param name="accountId">The 12-digit account id (on Ceph RGW a tenant name, or "" for the default tenant).</param>
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

            if (!IamArns.IsAccountOrRgwTenant(accountId))
            {
                ValidateAccountId(accountId);
            }

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

        /// <summary>The 12-digit account id; on Ceph RGW the tenant name, or "" for the default tenant.</summary>
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
            ValidateUserName(userName, "UserName");

            string p = string.IsNullOrEmpty(path) ? "/" : path!;
            IamNames.ValidatePath(p, "Path");
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

        /// <summary>
        /// Parses the ARN of an IAM user or role, <c>arn:PARTITION:iam::ACCOUNT:user/[path/]name</c> or <c>role/[path/]name</c>,
        /// also in Ceph RGW's forms (<c>arn:aws:iam:::user/NAME</c>, <c>arn:aws:iam::TENANT:user/NAME</c>; see <see cref="IamArns"/>).
        /// Only a user gets a user name (<c>aws:username</c>) and a unique id; AWS sets neither <c>aws:username</c> for a
        /// role nor an <c>aws:userid</c> this simulator could know (it carries the session name).
        /// </summary>
        /// <param name="arn">The ARN, e.g. <c>arn:aws:iam::123456789012:user/backup</c>.</param>
        /// <param name="parameterName">The parameter the ARN came from, named in the error.</param>
        /// <exception cref="InputValidationException">ErrorId <c>PrincipalArnInvalid</c>.</exception>
        public static PrincipalInfo FromArn(string arn, string parameterName = "PrincipalArn")
        {
            PrincipalArnParts? parts = IamArns.TryParsePrincipal(arn, allowRoot: false, out string? problem);
            if (parts == null)
            {
                throw new InputValidationException(
                    "PrincipalArnInvalid", parameterName,
                    $"-{parameterName} '{arn}' is not the ARN of an IAM user or role ({problem}): use the form arn:aws:iam::123456789012:user/backup (or ...:role/backup-role; on Ceph RGW arn:aws:iam:::user/backup or arn:aws:iam::TENANT:user/backup).")
                {
                    Target = arn,
                };
            }

            bool user = parts.Kind == PrincipalArnKind.User;
            string account = parts.Account;
            return new PrincipalInfo(arn, account, user ? parts.Name : null, user ? "AIDA" + (account.Length == 0 ? "RGW" : account) + "EXAMPLE" : null);
        }

        /// <summary>Checks an IAM user name: 1 to 64 of letters, digits and <c>+=,.@_-</c> (the rule of <see cref="IamNames"/>).</summary>
        /// <param name="userName">The name.</param>
        /// <param name="parameterName">The parameter the name came from, named in the error.</param>
        /// <exception cref="InputValidationException">ErrorId <c>UserNameInvalid</c>; an ARN is pointed to -PrincipalArn.</exception>
        public static void ValidateUserName(string? userName, string parameterName)
        {
            if (IamNames.IsUserName(userName))
            {
                return;
            }

            string hint = userName != null && userName.StartsWith("arn:", StringComparison.OrdinalIgnoreCase)
                ? " It looks like an ARN: give just the name (for example 'backup'), or pass the ARN to -PrincipalArn instead."
                : string.Empty;
            throw new InputValidationException(
                IamNames.SimulatedUserNameInvalidErrorId, parameterName,
                $"-{parameterName} '{userName}' is not a valid IAM user name: use 1 to 64 letters, digits or the characters +=,.@_- (for example 'backup-restic').{hint}")
            {
                Target = userName,
            };
        }

        /// <summary>Checks a 12-digit AWS account id (see <see cref="IamNames.ValidateAccountId"/>).</summary>
        /// <param name="accountId">The id.</param>
        /// <param name="parameterName">The parameter the id came from, named in the error.</param>
        /// <exception cref="InputValidationException">ErrorId <c>AccountIdInvalid</c>.</exception>
        public static void ValidateAccountId(string? accountId, string parameterName) => IamNames.ValidateAccountId(accountId, parameterName);

        private static void ValidateAccountId(string accountId) => ValidateAccountId(accountId, "AccountId");
    }
}
