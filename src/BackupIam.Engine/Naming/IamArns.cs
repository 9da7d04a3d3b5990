using System;
using System.Text.RegularExpressions;

namespace BackupIam.Engine.Naming
{
    /// <summary>What kind of IAM principal an ARN names.</summary>
    public enum PrincipalArnKind
    {
        /// <summary>An IAM user (<c>:user/</c>).</summary>
        User,

        /// <summary>An IAM role (<c>:role/</c>).</summary>
        Role,

        /// <summary>An account root (<c>:root</c>).</summary>
        Root,
    }

    /// <summary>The parts of an IAM principal ARN.</summary>
    public sealed class PrincipalArnParts
    {
        internal PrincipalArnParts(string arn, string partition, string account, PrincipalArnKind kind, string? name)
        {
            Arn = arn;
            Partition = partition;
            Account = account;
            Kind = kind;
            Name = name;
        }

        /// <summary>The ARN as given.</summary>
        public string Arn { get; }

        /// <summary>The partition (<c>aws</c>, <c>aws-cn</c>, ...).</summary>
        public string Partition { get; }

        /// <summary>The 12-digit account id; on Ceph RGW the tenant name, or "" for the default tenant.</summary>
        public string Account { get; }

        /// <summary>User, role or account root.</summary>
        public PrincipalArnKind Kind { get; }

        /// <summary>The user or role name (without its path), or null for a root.</summary>
        public string? Name { get; }

        /// <summary>True for Ceph RGW's forms: an empty account (the default tenant) or a tenant name.</summary>
        public bool IsRgwTenant => !IamArns.IsAccountId(Account);
    }

    /// <summary>
    /// The rules for IAM principal ARNs, in AWS's form and in Ceph RGW's:
    /// <list type="bullet">
    /// <item><c>arn:PARTITION:iam::ACCOUNT:user/[path/]NAME</c>, <c>...:role/[path/]NAME</c> or <c>...:root</c>, where
    /// PARTITION is a known AWS partition and ACCOUNT is 12 digits;</item>
    /// <item>on RGW, in the <c>aws</c> partition, <c>arn:aws:iam:::user/NAME</c> names a user of the default tenant and
    /// <c>arn:aws:iam::TENANT:user/NAME</c> a user of tenant TENANT (1 to 64 letters, digits or '_', as radosgw-admin
    /// accepts; an all-digit account must be a 12-digit account id, so a mistyped id is never taken for a tenant).</item>
    /// </list>
    /// </summary>
    public static class IamArns
    {
        /// <summary>The partitions AWS has (an ARN in any other partition names nobody, and IAM and S3 refuse it).</summary>
        public static readonly string[] KnownPartitions = { "aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc" };

        private const string NameChars = "[A-Za-z0-9_+=,.@-]";

        private static readonly Regex PrincipalPattern = new Regex(
            @"^arn:(?<partition>[a-z0-9-]+):iam::(?<account>[A-Za-z0-9_]*):(?:(?<root>root)|(?<kind>user|role)/(?:" + NameChars + @"+/)*(?<name>" + NameChars + @"{1,64}))$",
            RegexOptions.CultureInvariant);

        /// <summary>True for a 12-digit AWS account id.</summary>
        public static bool IsAccountId(string? value)
        {
            if (value == null || value.Length != 12)
            {
                return false;
            }

            foreach (char c in value)
            {
                if (c < '0' || c > '9')
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>True for a partition AWS has (<see cref="KnownPartitions"/>).</summary>
        public static bool IsKnownPartition(string? partition) => partition != null && Array.IndexOf(KnownPartitions, partition) >= 0;

        /// <summary>
        /// True for the account part of a principal ARN: a 12-digit account id, or on RGW "" (the default tenant) or a
        /// tenant name (1 to 64 letters, digits or '_', not all digits).
        /// </summary>
        public static bool IsAccountOrRgwTenant(string? value)
        {
            if (value == null)
            {
                return false;
            }

            if (value.Length == 0 || IsAccountId(value))
            {
                return true;
            }

            bool allDigits = true;
            foreach (char c in value)
            {
                bool digit = c >= '0' && c <= '9';
                allDigits &= digit;
                if (!(digit || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'))
                {
                    return false;
                }
            }

            return !allDigits && value.Length <= 64;
        }

        /// <summary>
        /// Parses a principal ARN. Returns null and a reason when it is not one; the reason names the part that is wrong
        /// (for example "the partition 'aws-fake' is not an AWS partition").
        /// </summary>
        /// <param name="arn">The ARN.</param>
        /// <param name="allowRoot">Whether an account root (<c>:root</c>) is acceptable.</param>
        /// <param name="problem">Why the ARN was refused, or null.</param>
        public static PrincipalArnParts? TryParsePrincipal(string? arn, bool allowRoot, out string? problem)
        {
            problem = null;
            Match m = PrincipalPattern.Match(arn ?? string.Empty);
            if (!m.Success)
            {
                problem = "it is not the ARN of an IAM user" + (allowRoot ? ", role or account root" : " or role");
                return null;
            }

            string partition = m.Groups["partition"].Value;
            if (!IsKnownPartition(partition))
            {
                problem = "the partition '" + partition + "' is not an AWS partition (use " + string.Join(", ", KnownPartitions) + ")";
                return null;
            }

            string account = m.Groups["account"].Value;
            bool root = m.Groups["root"].Success;
            if (!IsAccountId(account))
            {
                if (!IsAccountOrRgwTenant(account))
                {
                    problem = "the account '" + account + "' is neither a 12-digit account id nor a Ceph RGW tenant name (letters, digits and '_', not all digits)";
                    return null;
                }

                if (partition != "aws" || root)
                {
                    problem = "an empty account or a tenant name (Ceph RGW's forms) is only valid for a user or role in the 'aws' partition";
                    return null;
                }
            }

            if (root && !allowRoot)
            {
                problem = "an account root is not a user or role";
                return null;
            }

            PrincipalArnKind kind = root ? PrincipalArnKind.Root : (m.Groups["kind"].Value == "user" ? PrincipalArnKind.User : PrincipalArnKind.Role);
            return new PrincipalArnParts(arn!, partition, account, kind, root ? null : m.Groups["name"].Value);
        }
    }
}
