using System.Collections;

namespace BackupIam
{
    /// <summary>
    /// A bucket's backup setup as Get-BackupBucket reads it: region, the module's tag, versioning, Object Lock, lifecycle
    /// rules and bucket-policy statements (each marked AddedByModule), folder placeholders. Binds into
    /// Remove-BackupBucketSetup, Get-BackupBucketPosture and the other bucket cmdlets by BucketName.
    /// </summary>
    public sealed class BackupBucketSetup
    {
        public string BucketName { get; set; } = "";

        /// <summary>The bucket's real region (GetBucketLocation), whatever -Region says.</summary>
        public string? Region { get; set; }

        /// <summary>Tagged backupiam:managed=true.</summary>
        public bool Managed { get; set; }

        /// <summary>Off, Enabled or Suspended.</summary>
        public string? Versioning { get; set; }

        public bool MfaDelete { get; set; }

        /// <summary>The bucket's tag records that the module turned versioning on.</summary>
        public bool VersioningEnabledByModule { get; set; }

        /// <summary>Off, or the Object Lock default retention (for example "COMPLIANCE 30 day(s)", "on, no default retention").</summary>
        public string ObjectLock { get; set; } = "Off";

        public BackupBucketLifecycleRule[] LifecycleRules { get; set; } = new BackupBucketLifecycleRule[0];

        public BackupBucketStatement[] PolicyStatements { get; set; } = new BackupBucketStatement[0];

        /// <summary>Every principal the bucket policy names, once each (TYPE:value, or *).</summary>
        public string[] Principals { get; set; } = new string[0];

        /// <summary>Keys ending in / among the bucket's first 1000 keys.</summary>
        public string[] FolderPlaceholders { get; set; } = new string[0];

        public bool FolderListingTruncated { get; set; }

        /// <summary>Every tag of the bucket (key to value).</summary>
        public Hashtable Tags { get; set; } = new Hashtable();

        /// <summary>The bucket policy as stored, or null.</summary>
        public string? PolicyDocument { get; set; }

        /// <summary>Settings the store or the credentials would not show, each with the answer.</summary>
        public string[] Unreadable { get; set; } = new string[0];

        public override string ToString() => BucketName;
    }

    /// <summary>One lifecycle rule of a bucket.</summary>
    public sealed class BackupBucketLifecycleRule
    {
        public string BucketName { get; set; } = "";
        public string Id { get; set; } = "";
        public string Prefix { get; set; } = "";
        public string Status { get; set; } = "";
        public string Summary { get; set; } = "";
        public bool AddedByModule { get; set; }

        public override string ToString() => Id + (AddedByModule ? " (module)" : "");
    }

    /// <summary>One statement of a bucket policy.</summary>
    public sealed class BackupBucketStatement
    {
        public string BucketName { get; set; } = "";
        public string? Sid { get; set; }
        public string Effect { get; set; } = "";
        public string[] Actions { get; set; } = new string[0];
        public string[] Principals { get; set; } = new string[0];
        public bool AddedByModule { get; set; }

        /// <summary>The statement's JSON as stored (compact).</summary>
        public string Json { get; set; } = "";

        public override string ToString() => (Sid ?? "(no Sid)") + (AddedByModule ? " (module)" : "");
    }

    /// <summary>
    /// What Remove-BackupBucketSetup did to one bucket. Status: Removed, Unchanged (nothing of the module's was left),
    /// NotFound, Planned (-WhatIf) or PartlyRemoved (steps declined at -Confirm). The bucket and its objects always stay.
    /// </summary>
    public sealed class BackupBucketSetupRemoval : BackupResourceResult
    {
        public string BucketName { get; set; } = "";

        /// <summary>What each step did or would do, in order.</summary>
        public string[] Steps { get; set; } = new string[0];

        public string[] StatementsRemoved { get; set; } = new string[0];
        public string[] StatementsKept { get; set; } = new string[0];
        public string[] LifecycleRulesRemoved { get; set; } = new string[0];
        public string[] LifecycleRulesKept { get; set; } = new string[0];
        public bool VersioningSuspended { get; set; }
        public string[] TagsRemoved { get; set; } = new string[0];
        public string[] TagsKept { get; set; } = new string[0];

        public override string ToString() => BucketName;
    }

    /// <summary>A bucket-policy statement that names a user being removed (Remove-BackupUser's BucketStatements).</summary>
    public sealed class BackupUserBucketStatement
    {
        public string UserName { get; set; } = "";
        public string BucketName { get; set; } = "";
        public string? Sid { get; set; }
        public string Effect { get; set; } = "";

        /// <summary>The statement's principals that are the user (ARN or unique id).</summary>
        public string[] UserPrincipals { get; set; } = new string[0];

        /// <summary>Its other principals (they stay when the user is taken out).</summary>
        public string[] OtherPrincipals { get; set; } = new string[0];

        /// <summary>True when the user is its only principal (taking the user out removes the statement).</summary>
        public bool WholeStatement { get; set; }

        /// <summary>True when -RemoveBucketStatements took the user out of it in this run.</summary>
        public bool Removed { get; set; }

        public override string ToString() => BucketName + ": " + (Sid ?? "(no Sid)");
    }
}
