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
    [Cmdlet(VerbsCommon.New, "BackupPolicy")]
    [OutputType(typeof(BackupPolicy))]
    public sealed class NewBackupPolicyCommand : BackupIamCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Name")]
        [ValidateNotNullOrEmpty]
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
                };
                if (AsBucketPolicy || (!string.IsNullOrEmpty(PrincipalArn) && preset.DefaultKind == PresetPolicyKind.Bucket))
                {
                    options.Kind = PresetPolicyKind.Bucket;
                }
                else if (preset.DefaultKind == PresetPolicyKind.Bucket && string.IsNullOrEmpty(PrincipalArn))
                {
                    throw new InputValidationException(
                        "PrincipalArnRequired",
                        "PrincipalArn",
                        $"The {preset.Name} preset is a bucket policy and needs the user it grants to: give -PrincipalArn " +
                        "(for example arn:aws:iam::123456789012:user/backup), or use New-WriteOnlyBucketPolicy -UserName -AccountId.");
                }
                else
                {
                    options.Kind = PresetPolicyKind.Identity;
                }

                PolicyDocument document = PresetCatalog.Build(preset.Name, options);
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
