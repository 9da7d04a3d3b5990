namespace BackupIam
{
    /// <summary>One linter finding: severity, stable id, the statement it is about, and a fix.</summary>
    public sealed class BackupPolicyFinding
    {
        /// <summary>Error, Warning or Suggestion.</summary>
        public string Severity { get; set; } = "";

        /// <summary>A stable PascalCase id, e.g. UnknownAction.</summary>
        public string Id { get; set; } = "";

        public string? PolicyName { get; set; }

        /// <summary>The statement's index in the policy (0-based), if the finding is about one statement.</summary>
        public int? Statement { get; set; }

        public string? Sid { get; set; }

        public string? Action { get; set; }

        public string Message { get; set; } = "";

        public string Fix { get; set; } = "";

        public override string ToString() => $"{Severity} {Id}: {Message}";
    }
}
