using System.Management.Automation;
using BackupIam.Abstractions;
using BackupIam.Engine.Inspection;
using BackupIam.Engine.Naming;

namespace BackupIam.Commands
{
    /// <summary>
    /// Shows what a backup user (and its keys) can do today: keys and their last use, groups, policies, console password,
    /// MFA devices, the bucket policy statements naming it, and the combined access matrix. Read-only.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "BackupUser", HelpUri = HelpLinks.HelpSource + "Get-BackupUser.md")]
    [OutputType(typeof(BackupUserInfo))]
    public sealed class GetBackupUserCommand : IdentityInspectionCmdlet
    {
        /// <summary>The users to show; without it, every user that carries the module's tag backupiam:managed=true.</summary>
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.UserNameCompleter))]
        public string[]? UserName { get; set; }

        private protected override string NameParameterName => nameof(UserName);

        private protected override string[]? Names => UserName;

        private protected override bool ReadsBuckets => true;

        private protected override void ValidateName(string name) => IamNames.ValidateUserName(name);

        protected override void ProcessRecord()
        {
            IdentityInspector inspector = Inspector;
            WriteInspections(
                ct => inspector.ListManagedUserNamesAsync(ct),
                count => $"{count} IAM user(s) carry the tag {ManagedTag.Key}={ManagedTag.Value}.",
                (name, ct) => inspector.InspectUserAsync(name, BucketName, ct),
                report => report.Warnings,
                (report, now) => IdentityInfoMapper.ToOutput(report, now));
        }
    }
}
