using System.Management.Automation;
using BackupIam.Abstractions;
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
    public sealed class GetBackupGroupCommand : IdentityInspectionCmdlet
    {
        /// <summary>The groups to show; without it, every group that a user carrying backupiam:managed=true belongs to.</summary>
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.GroupNameCompleter))]
        public string[]? GroupName { get; set; }

        private protected override string NameParameterName => nameof(GroupName);

        private protected override string[]? Names => GroupName;

        private protected override bool ReadsBuckets => false;

        private protected override void ValidateName(string name) => IamNames.ValidateGroupName(name);

        protected override void ProcessRecord()
        {
            IdentityInspector inspector = Inspector;
            WriteInspections(
                ct => inspector.ListManagedGroupNamesAsync(ct),
                count => $"{count} IAM group(s) have a member that carries the tag {ManagedTag.Key}={ManagedTag.Value}.",
                (name, ct) => inspector.InspectGroupAsync(name, BucketName, ct),
                report => report.Warnings,
                (report, _) => IdentityInfoMapper.ToOutput(report, withAccess: true));
        }
    }
}
