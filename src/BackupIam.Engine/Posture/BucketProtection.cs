using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Naming;
using BackupIam.Engine.Policies;

namespace BackupIam.Engine.Posture
{
    /// <summary>What <see cref="BucketProtection.Build"/> adds to a bucket policy.</summary>
    public sealed class BucketProtectionSpec
    {
        public string BucketName { get; set; } = "";

        /// <summary>Deny every request that is not made over TLS (also where the store sets no aws:SecureTransport).</summary>
        public bool RequireTls { get; set; }

        /// <summary>
        /// When set: deny <see cref="BucketProtection.ProtectedActions"/> to every principal except this one (a break-glass
        /// role, <c>arn:aws:iam::123456789012:role/backup-break-glass</c>).
        /// </summary>
        public string? BreakGlassPrincipalArn { get; set; }
    }

    /// <summary>
    /// The bucket policy statements of the ransomware posture: TLS only, and delete protection beyond the key. All of them
    /// are Deny statements with <c>"Principal": "*"</c>, so they hold for every key, the bucket owner's included.
    /// </summary>
    public static class BucketProtection
    {
        public const string DenyInsecureTransportSid = "DenyInsecureTransport";
        public const string DenyMissingSecureTransportSid = "DenyMissingSecureTransport";
        public const string DenyDeleteSid = "DenyDeleteExceptBreakGlass";

        /// <summary>What only the break-glass principal may do: delete versions, and change versioning, lifecycle or the policy.</summary>
        public static readonly IReadOnlyList<string> ProtectedActions = Array.AsReadOnly(new[]
        {
            "s3:DeleteObjectVersion",
            "s3:PutBucketVersioning",
            "s3:PutLifecycleConfiguration",
            "s3:PutBucketPolicy",
            "s3:DeleteBucketPolicy",
        });

        private static readonly Regex AssumedRole = new Regex(@"^arn:(?<partition>[a-z-]+):sts::(?<account>[^:]*):assumed-role/(?<role>[^/]+)/.+$", RegexOptions.CultureInvariant);

        private static readonly Regex StsUser = new Regex(@"^arn:(?<partition>[a-z-]+):sts::(?<account>[^:]*):user/(?<user>.+)$", RegexOptions.CultureInvariant);

        /// <summary>Checks the input without any call; throws InputValidationException naming the parameter.</summary>
        public static void Validate(BucketProtectionSpec spec)
        {
            S3Names.ValidateBucketName(spec.BucketName, "BucketName");
            if (!spec.RequireTls && spec.BreakGlassPrincipalArn == null)
            {
                throw new InputValidationException("BucketProtectionEmpty", "RequireTls",
                    "Say what to protect: -RequireTls (deny requests without TLS), -BreakGlassPrincipalArn ARN (deny deleting versions and changing versioning, lifecycle and the policy to everyone else), or both.");
            }

            if (spec.BreakGlassPrincipalArn != null)
            {
                PrincipalArnParts? parts = IamArns.TryParsePrincipal(spec.BreakGlassPrincipalArn, allowRoot: false, out string? problem);
                if (parts == null)
                {
                    throw new InputValidationException("BreakGlassPrincipalArnInvalid", "BreakGlassPrincipalArn",
                        $"-BreakGlassPrincipalArn '{spec.BreakGlassPrincipalArn}' is refused: {problem}. Give the ARN of the role (or user) kept for emergencies, such as arn:aws:iam::123456789012:role/backup-break-glass.");
                }
            }
        }

        /// <summary>The statements to merge into the bucket policy (Sids above), in a policy document.</summary>
        public static PolicyDocument Build(BucketProtectionSpec spec)
        {
            Validate(spec);
            string partition = "aws";
            if (spec.BreakGlassPrincipalArn != null)
            {
                partition = IamArns.TryParsePrincipal(spec.BreakGlassPrincipalArn, false, out _)!.Partition;
            }

            string bucketArn = S3Names.BucketArn(spec.BucketName, partition);
            string objectsArn = S3Names.ObjectArn(spec.BucketName, "*", partition);
            var doc = new PolicyDocument();
            if (spec.RequireTls)
            {
                // Bool false: AWS's form. Null true: where the store sets no aws:SecureTransport (Ceph RGW 16 over http),
                // so that the rule holds there too instead of never matching.
                doc.Statements.Add(Deny(DenyInsecureTransportSid, new[] { "s3:*" }, new[] { bucketArn, objectsArn }, new ConditionClause("Bool", "aws:SecureTransport", new[] { "false" })));
                doc.Statements.Add(Deny(DenyMissingSecureTransportSid, new[] { "s3:*" }, new[] { bucketArn, objectsArn }, new ConditionClause("Null", "aws:SecureTransport", new[] { "true" })));
            }

            if (spec.BreakGlassPrincipalArn != null)
            {
                doc.Statements.Add(Deny(DenyDeleteSid, ProtectedActions, new[] { bucketArn, objectsArn },
                    new ConditionClause("ArnNotEquals", "aws:PrincipalArn", new[] { spec.BreakGlassPrincipalArn })));
            }

            return doc;
        }

        /// <summary>
        /// The principal ARN that aws:PrincipalArn holds for a caller (sts:GetCallerIdentity's Arn): the role ARN for an
        /// assumed-role session, the ARN itself otherwise.
        /// </summary>
        public static string PrincipalArnOfCaller(string callerArn)
        {
            Match m = AssumedRole.Match(callerArn ?? string.Empty);
            if (m.Success)
            {
                return $"arn:{m.Groups["partition"].Value}:iam::{m.Groups["account"].Value}:role/{m.Groups["role"].Value}";
            }

            // Some stores (moto) answer a user's identity in the sts service: the IAM user is meant.
            Match u = StsUser.Match(callerArn ?? string.Empty);
            return u.Success ? $"arn:{u.Groups["partition"].Value}:iam::{u.Groups["account"].Value}:user/{u.Groups["user"].Value}" : callerArn ?? string.Empty;
        }

        /// <summary>
        /// True when a caller with this sts:GetCallerIdentity ARN is the break-glass principal (so the delete protection
        /// does not lock it out). A role is compared by account and name, because an assumed-role ARN has no role path.
        /// </summary>
        public static bool IsBreakGlass(string callerArn, string breakGlassArn)
        {
            string caller = PrincipalArnOfCaller(callerArn);
            if (string.Equals(caller, breakGlassArn, StringComparison.Ordinal))
            {
                return true;
            }

            PrincipalArnParts? a = IamArns.TryParsePrincipal(caller, true, out _);
            PrincipalArnParts? b = IamArns.TryParsePrincipal(breakGlassArn, true, out _);
            return a != null && b != null && a.Kind == b.Kind && a.Partition == b.Partition && a.Account == b.Account && a.Name == b.Name;
        }

        private static PolicyStatement Deny(string sid, IEnumerable<string> actions, IEnumerable<string> resources, ConditionClause condition)
        {
            var st = new PolicyStatement { Sid = sid, Effect = PolicyEffect.Deny, Principal = new PrincipalBlock { IsWildcard = true } };
            st.Actions.AddRange(actions);
            st.Resources.AddRange(resources);
            st.Conditions.Add(condition);
            return st;
        }
    }
}
