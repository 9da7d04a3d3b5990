using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using BackupIam.Abstractions;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Inspection;
using BackupIam.Engine.Naming;

namespace BackupIam.Commands
{
    /// <summary>
    /// Shows a backup group: its members, inline and attached policies, and the access matrix of a member with no policies
    /// of its own. Read-only. IAM groups cannot carry tags, so without -GroupName it shows the groups of the module's users.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "BackupGroup", HelpUri = HelpLinks.HelpSource + "Get-BackupGroup.md")]
    [OutputType(typeof(BackupGroupInfo))]
    public sealed class GetBackupGroupCommand : AwsCmdlet
    {
        private IdentityInspector? _inspector;

        /// <summary>The groups to show; without it, every group that a user carrying backupiam:managed=true belongs to.</summary>
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.GroupNameCompleter))]
        public string[]? GroupName { get; set; }

        /// <summary>The buckets to simulate; without it, the buckets the group's policies name.</summary>
        [Parameter]
        [Alias("Bucket")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.BucketNameCompleter))]
        public string[]? BucketName { get; set; }

        private protected override void ValidateBoundParameters()
        {
            if (IsBound(nameof(GroupName)))
            {
                foreach (string name in GroupName!)
                {
                    IamNames.ValidateGroupName(name);
                }
            }

            foreach (string bucket in BucketName ?? new string[0])
            {
                S3Names.ValidateBucketName(bucket, nameof(BucketName));
            }
        }

        protected override void ProcessRecord()
        {
            IdentityInspector inspector = _inspector ??= new IdentityInspector(Iam, null);
            IReadOnlyList<string> names;
            if (GroupName != null && GroupName.Length > 0)
            {
                names = GroupName;
            }
            else
            {
                try
                {
                    names = Run(ct => inspector.ListManagedGroupNamesAsync(ct));
                    WriteVerbose($"{names.Count} IAM group(s) have a member that carries the tag {ManagedTag.Key}={ManagedTag.Value}.");
                }
                catch (BackupIamException ex)
                {
                    ThrowFailure(ex, ManagedTag.Key);
                    return;
                }
            }

            var outcomes = Run(ct => Task.WhenAll(names.Select(async name =>
            {
                try
                {
                    return (Name: name, Report: await inspector.InspectGroupAsync(name, BucketName, ct).ConfigureAwait(false), Error: (Exception?)null);
                }
                catch (BackupIamException ex)
                {
                    return (Name: name, Report: (GroupInspection?)null, Error: (Exception?)ex);
                }
            })));
            foreach (var outcome in outcomes)
            {
                if (outcome.Report == null)
                {
                    WriteFailure(outcome.Error!, outcome.Name);
                    continue;
                }

                foreach (string warning in outcome.Report.Warnings)
                {
                    WriteWarning(warning);
                }

                WriteObject(IdentityInfoMapper.ToOutput(outcome.Report, withAccess: true));
            }
        }
    }
}
