namespace BackupIam
{
    /// <summary>One simulated request and its decision: Allowed, ExplicitDeny or ImplicitDeny.</summary>
    public sealed class BackupAccessDecision
    {
        public string Action { get; set; } = "";

        /// <summary>Bucket, ObjectInPrefix, ObjectOutsidePrefix, OtherBucket, OtherBucketObject, AllResources, ListContext or Custom.</summary>
        public string ResourceKind { get; set; } = "";

        public string Resource { get; set; } = "";

        /// <summary>
        /// The resource relative to the backup bucket, as the table shows it: "(bucket)", a key such as
        /// "backup/example-object", "other-bucket/..." for the control bucket, "*" for all resources; a list probe adds
        /// its context without the "s3:" of the keys ("(bucket) prefix=backups/").
        /// </summary>
        public string Target { get; set; } = "";

        /// <summary>The request context, e.g. "s3:prefix=backups/ s3:delimiter=/".</summary>
        public string? Context { get; set; }

        public string Decision { get; set; } = "";

        /// <summary>The statement that decided it, as "PolicyName/Statement[i] (Sid)", or empty for an implicit deny.</summary>
        public string? DecidedBy { get; set; }

        public override string ToString() => $"{Decision}: {Action} on {Resource}";
    }

    /// <summary>A difference between what a policy allows and what was expected (Test-BackupPolicy -Expect).</summary>
    public sealed class BackupPolicyDifference
    {
        public string Action { get; set; } = "";
        public string ResourceKind { get; set; } = "";
        public string? Context { get; set; }

        /// <summary>Allowed or Denied.</summary>
        public string Expected { get; set; } = "";

        /// <summary>Allowed, ExplicitDeny or ImplicitDeny.</summary>
        public string Actual { get; set; } = "";
        public string Message { get; set; } = "";

        public override string ToString() => Message;
    }

    /// <summary>
    /// One row of Test-BackupPolicy -Summary: an action group and, per resource kind, how many of its actions are
    /// allowed out of those probed there ("2/40"; "-" when none is probed there).
    /// </summary>
    public sealed class BackupAccessSummary
    {
        /// <summary>List, Read, Write, Delete, Permissions or Tagging.</summary>
        public string ActionGroup { get; set; } = "";
        public string Bucket { get; set; } = "";
        public string ObjectInPrefix { get; set; } = "";
        public string ObjectOutsidePrefix { get; set; } = "";
        public string ListContext { get; set; } = "";
        public string OtherBucket { get; set; } = "";
        public string OtherBucketObject { get; set; } = "";
        public string AllResources { get; set; } = "";

        /// <summary>The group's allowed actions (on any resource).</summary>
        public string[] AllowedActions { get; set; } = new string[0];

        public override string ToString() => ActionGroup;
    }
}
