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
    /// Shows what a backup user (and its keys) can do today: keys and their last use, groups, policies, console password,
    /// MFA devices, the bucket policy statements naming it, and the combined access matrix. Read-only.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "BackupUser", HelpUri = HelpLinks.HelpSource + "Get-BackupUser.md")]
    [OutputType(typeof(BackupUserInfo))]
    public sealed class GetBackupUserCommand : AwsCmdlet
    {
        private IdentityInspector? _inspector;

        /// <summary>The users to show; without it, every user that carries the module's tag backupiam:managed=true.</summary>
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.UserNameCompleter))]
        public string[]? UserName { get; set; }

        /// <summary>The buckets whose policies and access to show; without it, the buckets the user's policies name and the module's buckets whose policy names the user.</summary>
        [Parameter]
        [Alias("Bucket")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.BucketNameCompleter))]
        public string[]? BucketName { get; set; }

        private protected override void ValidateBoundParameters()
        {
            if (IsBound(nameof(UserName)))
            {
                foreach (string name in UserName!)
                {
                    IamNames.ValidateUserName(name);
                }
            }

            foreach (string bucket in BucketName ?? new string[0])
            {
                S3Names.ValidateBucketName(bucket, nameof(BucketName));
            }
        }

        protected override void ProcessRecord()
        {
            IdentityInspector inspector = _inspector ??= new IdentityInspector(Iam, S3);
            IReadOnlyList<string> names;
            if (UserName != null && UserName.Length > 0)
            {
                names = UserName;
            }
            else
            {
                try
                {
                    names = Run(ct => inspector.ListManagedUserNamesAsync(ct));
                    WriteVerbose($"{names.Count} IAM user(s) carry the tag {ManagedTag.Key}={ManagedTag.Value}.");
                }
                catch (BackupIamException ex)
                {
                    ThrowFailure(ex, ManagedTag.Key);
                    return;
                }
            }

            // Users are read at once (the inspector bounds the calls in flight); results are written in order, here.
            var outcomes = Run(ct => Task.WhenAll(names.Select(async name =>
            {
                try
                {
                    return (Name: name, Report: await inspector.InspectUserAsync(name, BucketName, ct).ConfigureAwait(false), Error: (Exception?)null);
                }
                catch (BackupIamException ex)
                {
                    return (Name: name, Report: (UserInspection?)null, Error: (Exception?)ex);
                }
            })));
            DateTime now = DateTime.UtcNow;
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

                WriteObject(IdentityInfoMapper.ToOutput(outcome.Report, now));
            }
        }
    }
}
