namespace BackupIam
{
    /// <summary>One simulated request and its decision: Allowed, ExplicitDeny or ImplicitDeny.</summary>
    public sealed class BackupAccessDecision
    {
        public string Action { get; set; } = "";

        /// <summary>Bucket, ObjectInPrefix, ObjectOutsidePrefix, OtherBucket, OtherBucketObject, AllResources, ListContext or Custom.</summary>
        public string ResourceKind { get; set; } = "";

        public string Resource { get; set; } = "";

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
}
