namespace BackupIam
{
    /// <summary>
    /// What Remove-BackupUser or Remove-BackupGroup did. Status: Removed, NotFound (nothing to remove: it does not
    /// exist, for example after an earlier complete run), Planned (-WhatIf), or PartlyRemoved (some steps declined at
    /// -Confirm). Changes: the write calls made, or planned.
    /// </summary>
    public sealed class BackupRemoval : BackupResourceResult
    {
        /// <summary>User or Group.</summary>
        public string ResourceType { get; set; } = "";
        public string Name { get; set; } = "";

        /// <summary>What each step did or would do, in order.</summary>
        public string[] Steps { get; set; } = new string[0];

        /// <summary>Remove-BackupUser: the bucket-policy statements that name the user (issue 15), removed with -RemoveBucketStatements.</summary>
        public BackupUserBucketStatement[] BucketStatements { get; set; } = new BackupUserBucketStatement[0];

        public override string ToString() => ResourceType + " " + Name;
    }
}
