using System;
using System.Collections.Generic;

namespace BackupIam.Engine.Policies
{
    public enum PolicyEffect
    {
        Allow,
        Deny,
    }

    /// <summary>An IAM policy document (identity or resource policy).</summary>
    public sealed class PolicyDocument
    {
        public const string CurrentVersion = "2012-10-17";

        private string _version = CurrentVersion;

        /// <summary>The Version element. Setting it clears <see cref="VersionMissing"/>.</summary>
        public string Version
        {
            get => _version;
            set
            {
                _version = value;
                VersionMissing = false;
            }
        }

        /// <summary>
        /// True when the parsed JSON had no Version element. AWS then evaluates the policy with the 2008-10-17 rules
        /// (policy variables such as ${aws:username} are literal text), although <see cref="Version"/> reads, and the
        /// canonical JSON is written with, 2012-10-17.
        /// </summary>
        public bool VersionMissing { get; set; }

        /// <summary>The version AWS evaluates the document with: 2008-10-17 when <see cref="VersionMissing"/>, else <see cref="Version"/>.</summary>
        public string EffectiveVersion => VersionMissing ? "2008-10-17" : Version;

        public string? Id { get; set; }

        public List<PolicyStatement> Statements { get; } = new List<PolicyStatement>();
    }

    /// <summary>
    /// One statement. Exactly one of Action/NotAction is given (<see cref="IsNotAction"/> says which),
    /// and at most one of Resource/NotResource (<see cref="IsNotResource"/>).
    /// </summary>
    public sealed class PolicyStatement
    {
        public string? Sid { get; set; }

        public PolicyEffect Effect { get; set; } = PolicyEffect.Allow;

        /// <summary>The Principal element, or null when the statement has none (identity policies).</summary>
        public PrincipalBlock? Principal { get; set; }

        /// <summary>The NotPrincipal element, or null.</summary>
        public PrincipalBlock? NotPrincipal { get; set; }

        /// <summary>The values of Action, or of NotAction when <see cref="IsNotAction"/> is true.</summary>
        public List<string> Actions { get; } = new List<string>();

        public bool IsNotAction { get; set; }

        /// <summary>The values of Resource, or of NotResource when <see cref="IsNotResource"/> is true.</summary>
        public List<string> Resources { get; } = new List<string>();

        public bool IsNotResource { get; set; }

        /// <summary>Condition clauses, one per operator/key pair. All must hold (AND); values of one clause are OR-ed.</summary>
        public List<ConditionClause> Conditions { get; } = new List<ConditionClause>();
    }

    /// <summary>A Principal or NotPrincipal element: either "*" or a map of type (AWS, Service, Federated, CanonicalUser) to values.</summary>
    public sealed class PrincipalBlock
    {
        /// <summary>True for the bare string form <c>"Principal": "*"</c>.</summary>
        public bool IsWildcard { get; set; }

        /// <summary>Principal type to its values, e.g. "AWS" to ["arn:aws:iam::123456789012:user/backup"].</summary>
        public SortedDictionary<string, List<string>> Values { get; } =
            new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
    }

    /// <summary>One condition: an operator (as written, e.g. <c>ForAnyValue:StringLikeIfExists</c>), a key and its values.</summary>
    public sealed class ConditionClause
    {
        public ConditionClause(string @operator, string key, IEnumerable<string> values)
        {
            Operator = @operator;
            Key = key;
            Values = new List<string>(values);
        }

        public string Operator { get; }

        public string Key { get; }

        /// <summary>Values as strings; JSON numbers and booleans are kept in their JSON text form.</summary>
        public List<string> Values { get; }
    }
}
