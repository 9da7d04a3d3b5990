using System;
using System.Management.Automation;
using BackupIam.Abstractions;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Naming;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Presets;

namespace BackupIam.Commands
{
    /// <summary>Builds a least-privilege policy from a preset (offline).</summary>
    [Cmdlet(VerbsCommon.New, "BackupPolicy", HelpUri = HelpLinks.HelpSource + "New-BackupPolicy.md")]
    [OutputType(typeof(BackupPolicy))]
    public sealed class NewBackupPolicyCommand : BackupIamCmdlet
    {
        [ArgumentCompleter(typeof(Completion.PresetCompleter))]
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Name")]
        [ValidateSet(
            "UploadOnly", "WriteOnly", "ReadWriteDelete", "Rclone", "UpdraftPlus", "UpdraftPlusSecure",
            "RcloneCopy", "Restic", "ResticNoDelete", "S3cmd", "AwsCli", "OwnerRestore")]
        public string Preset { get; set; } = "";

        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
        [Alias("Bucket")]
        [ValidateNotNullOrEmpty]
        public string BucketName { get; set; } = "";

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString]
        public string? Prefix { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string? PolicyName { get; set; }

        [Parameter]
        public SwitchParameter AsBucketPolicy { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Arn", "UserArn")]
        [ValidateNotNullOrEmpty]
        public string? PrincipalArn { get; set; }

        [Parameter]
        public SwitchParameter NoListBucket { get; set; }

        [Parameter]
        public SwitchParameter AllowObjectAcl { get; set; }

        [Parameter]
        public SwitchParameter AllowMultipart { get; set; }

        [Parameter]
        public SwitchParameter AllowBucketDiscovery { get; set; }

        [Parameter]
        public SwitchParameter AllowCreateBucket { get; set; }

        [Parameter]
        public SwitchParameter RequireBucketOwnerFullControl { get; set; }

        protected override void ProcessRecord()
        {
            try
            {
                PresetDefinition preset = PresetCatalog.Get(Preset);
                var options = new PresetOptions
                {
                    BucketName = BucketName,
                    Prefix = Prefix,
                    PrincipalArn = PrincipalArn,
                    NoListBucket = NoListBucket,
                    AllowObjectAcl = AllowObjectAcl,
                    AllowMultipart = AllowMultipart,
                    AllowBucketDiscovery = AllowBucketDiscovery,
                    AllowCreateBucket = AllowCreateBucket,
                    RequireBucketOwnerFullControl = RequireBucketOwnerFullControl,
                };
                options.Kind = PresetKinds.Choose(preset, AsBucketPolicy, PrincipalArn);
                PolicyDocument document = PresetCatalog.Build(preset.Name, options);
                WarnIfNormalized(Prefix, nameof(Prefix));
                WriteObject(new BackupPolicy(document, options.Kind.ToString())
                {
                    PolicyName = PolicyName ?? preset.Name,
                    Preset = preset.Name,
                    BucketName = BucketName,
                    Prefix = S3Names.NormalizePrefix(Prefix ?? preset.DefaultPrefix, nameof(Prefix)),
                    PrincipalArn = options.Kind == PresetPolicyKind.Bucket ? PrincipalArn : null,
                });
            }
            catch (Exception ex) when (ex is BackupIamException)
            {
                WriteFailure(ex, BucketName);
            }
        }
    }
}
