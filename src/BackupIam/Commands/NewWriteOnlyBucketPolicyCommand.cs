using System;
using System.Management.Automation;
using BackupIam.Abstractions;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Naming;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Presets;
using BackupIam.Engine.Simulation;

namespace BackupIam.Commands
{
    /// <summary>Builds the write-only bucket policy (setup 2) with one user as its Principal (offline).</summary>
    [Cmdlet(VerbsCommon.New, "WriteOnlyBucketPolicy", DefaultParameterSetName = ByUserSet, HelpUri = HelpLinks.HelpSource + "New-WriteOnlyBucketPolicy.md")]
    [OutputType(typeof(BackupPolicy))]
    public sealed class NewWriteOnlyBucketPolicyCommand : BackupIamCmdlet
    {
        private const string ByUserSet = "ByUser";
        private const string ByArnSet = "ByArn";

        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Bucket")]
        [ValidateNotNullOrEmpty]
        public string BucketName { get; set; } = "";

        [Parameter(Mandatory = true, Position = 1, ParameterSetName = ByUserSet, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string UserName { get; set; } = "";

        [Parameter(Mandatory = true, Position = 2, ParameterSetName = ByUserSet, ValueFromPipelineByPropertyName = true)]
        [Alias("Account")]
        [ValidateNotNullOrEmpty]
        public string AccountId { get; set; } = "";

        [Parameter(ParameterSetName = ByUserSet)]
        [ValidateSet("aws", "aws-cn", "aws-us-gov")]
        public string Partition { get; set; } = "aws";

        [Parameter(Mandatory = true, ParameterSetName = ByArnSet, ValueFromPipelineByPropertyName = true)]
        [Alias("Arn", "UserArn")]
        [ValidateNotNullOrEmpty]
        public string PrincipalArn { get; set; } = "";

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString]
        public string? Prefix { get; set; }

        [Parameter]
        public SwitchParameter NoListBucket { get; set; }

        protected override void ProcessRecord()
        {
            string principal = PrincipalArn;
            try
            {
                if (ParameterSetName == ByUserSet)
                {
                    PrincipalInfo.ValidateAccountId(AccountId, nameof(AccountId));
                    PrincipalInfo.ValidateUserName(UserName, nameof(UserName));
                    principal = $"arn:{Partition}:iam::{AccountId}:user/{UserName}";
                }

                var options = new PresetOptions
                {
                    BucketName = BucketName,
                    Prefix = Prefix,
                    PrincipalArn = principal,
                    Kind = PresetPolicyKind.Bucket,
                    NoListBucket = NoListBucket,
                };
                PolicyDocument document = PresetCatalog.Build("WriteOnly", options);
                WarnIfNormalized(Prefix, nameof(Prefix));
                WriteObject(new BackupPolicy(document, PresetPolicyKind.Bucket.ToString())
                {
                    PolicyName = "WriteOnlyBucketPolicy",
                    Preset = "WriteOnly",
                    BucketName = BucketName,
                    Prefix = S3Names.NormalizePrefix(Prefix ?? string.Empty, nameof(Prefix)),
                    PrincipalArn = principal,
                });
            }
            catch (Exception ex) when (ex is BackupIamException)
            {
                WriteFailure(ex, BucketName);
            }
        }
    }
}
