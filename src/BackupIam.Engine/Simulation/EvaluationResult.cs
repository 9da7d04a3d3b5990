namespace BackupIam.Engine.Simulation
{
    /// <summary>The decision for one request and the statement that made it.</summary>
    public sealed class EvaluationResult
    {
        internal EvaluationResult(Decision decision, string? policyName, int? statementIndex, string? sid, string reason)
        {
            Decision = decision;
            PolicyName = policyName;
            StatementIndex = statementIndex;
            Sid = sid;
            Reason = reason;
        }

        /// <summary>The decision.</summary>
        public Decision Decision { get; }

        /// <summary>The policy holding the deciding statement, or null for an implicit deny.</summary>
        public string? PolicyName { get; }

        /// <summary>The 0-based index of the deciding statement in its policy, or null for an implicit deny.</summary>
        public int? StatementIndex { get; }

        /// <summary>The Sid of the deciding statement, or null.</summary>
        public string? Sid { get; }

        /// <summary>Human text: which statement decided, or that no statement allows the request.</summary>
        public string Reason { get; }

        /// <summary>"PolicyName/Statement[i] (Sid)" for the deciding statement, or null for an implicit deny.</summary>
        public string? DecidedBy => PolicyName == null ? null : StatementLabel.Format(PolicyName, StatementIndex ?? 0, Sid);

        /// <inheritdoc />
        public override string ToString() => Decision + ": " + Reason;
    }

    internal static class StatementLabel
    {
        public static string Format(string policyName, int index, string? sid) =>
            policyName + "/Statement[" + index.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]"
            + (string.IsNullOrEmpty(sid) ? string.Empty : " (" + sid + ")");
    }
}
