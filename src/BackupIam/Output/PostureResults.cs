namespace BackupIam
{
    /// <summary>One finding of Get-BackupBucketPosture: an area, how it came out, what was found and how to fix it.</summary>
    public sealed class BackupPostureFinding
    {
        public string BucketName { get; set; } = "";

        /// <summary>Versioning, MfaDelete, ObjectLock, NoncurrentVersionRetention, AbortIncompleteUploads, PublicAccessBlock, ObjectOwnership, DefaultEncryption, PolicyDeniesDelete, PolicyDeniesOverwrite, PolicyDeniesChanges, TlsOnly, IdentityPolicies.</summary>
        public string Area { get; set; } = "";

        /// <summary>Pass, Warn, Fail, Unknown (not readable) or NotChecked.</summary>
        public string Status { get; set; } = "";
        public string Detail { get; set; } = "";
        public string Fix { get; set; } = "";

        public override string ToString() => Area + ": " + Status;
    }

    /// <summary>The ransomware posture of a bucket: its grade, the reason, and one finding per protection.</summary>
    public sealed class BackupBucketPosture
    {
        public string BucketName { get; set; } = "";

        /// <summary>Exposed, Basic, Resistant or Immutable.</summary>
        public string Grade { get; set; } = "";
        public string Reason { get; set; } = "";
        public string Versioning { get; set; } = "";
        public bool MfaDelete { get; set; }
        public bool ObjectLockEnabled { get; set; }
        public string? ObjectLockMode { get; set; }
        public int? ObjectLockRetentionDays { get; set; }
        public int? ObjectLockRetentionYears { get; set; }
        public bool PolicyDeniesDelete { get; set; }
        public bool PolicyDeniesOverwrite { get; set; }
        public bool PolicyDeniesChanges { get; set; }
        public BackupPostureFinding[] Findings { get; set; } = new BackupPostureFinding[0];

        public override string ToString() => BucketName + ": " + Grade;
    }
}
