using System.Management.Automation;

namespace BackupIam.Abstractions
{
    /// <summary>
    /// Base of the cmdlets that work on one existing bucket (Set-BackupBucketProtection, Set-BackupLifecycle,
    /// Enable-BackupVersioning, Get-BackupBucketPosture): -BucketName (position 0, from the pipeline by value or by
    /// property name, Tab-completed from the caller's buckets) and -ExpectedBucketOwner (issue 17), declared once.
    /// New-BackupBucket (a new name: no completer) and Set-BackupBucketPolicy (the pipeline carries the policy) declare
    /// their own.
    /// </summary>
    public abstract class BucketCmdlet : AwsCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Bucket")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.BucketNameCompleter))]
        public string BucketName { get; set; } = "";

        /// <summary>The account id that must own the bucket: sent as x-amz-expected-bucket-owner on every bucket request (issue 17).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? ExpectedBucketOwner { get; set; }
    }
}
