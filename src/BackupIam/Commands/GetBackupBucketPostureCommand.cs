using System.Linq;
using System.Management.Automation;
using BackupIam.Abstractions;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Naming;
using BackupIam.Engine.Posture;

namespace BackupIam.Commands
{
    /// <summary>Reads a bucket's ransomware posture (read-only, reads made concurrently) and grades it.</summary>
    [Cmdlet(VerbsCommon.Get, "BackupBucketPosture", HelpUri = HelpLinks.HelpSource + "Get-BackupBucketPosture.md")]
    [OutputType(typeof(BackupBucketPosture))]
    public sealed class GetBackupBucketPostureCommand : BucketCmdlet
    {
        private protected override void ValidateBoundParameters()
        {
            if (IsBound(nameof(BucketName)))
            {
                S3Names.ValidateBucketName(BucketName, nameof(BucketName));
            }
        }

        protected override void ProcessRecord()
        {
            // Every read of the report expects -ExpectedBucketOwner when given (issue 17); checked before any call.
            try
            {
                _ = BucketGateway(ExpectedBucketOwner);
            }
            catch (BackupIamException ex)
            {
                WriteFailure(ex, BucketName);
                return;
            }

            try
            {
                var reader = new BucketPostureReader(S3, Iam) { Partition = Session.Partition };
                var watch = System.Diagnostics.Stopwatch.StartNew();
                BucketPostureReport report = Run(ct => reader.ReadAsync(BucketName, ct));
                WriteVerbose($"Read the posture of bucket '{BucketName}' in {watch.ElapsedMilliseconds} ms.");
                WriteObject(new BackupBucketPosture
                {
                    BucketName = report.BucketName,
                    Grade = report.Grade.ToString(),
                    Reason = report.Reason,
                    Versioning = report.Versioning.ToString(),
                    MfaDelete = report.MfaDelete,
                    ObjectLockEnabled = report.ObjectLockEnabled,
                    ObjectLockMode = report.ObjectLockMode,
                    ObjectLockRetentionDays = report.ObjectLockRetentionDays,
                    ObjectLockRetentionYears = report.ObjectLockRetentionYears,
                    PolicyDeniesDelete = report.PolicyDeniesDelete,
                    PolicyDeniesOverwrite = report.PolicyDeniesOverwrite,
                    PolicyDeniesChanges = report.PolicyDeniesChanges,
                    Findings = report.Findings.Select(f => new BackupPostureFinding
                    {
                        BucketName = report.BucketName,
                        Area = f.Area,
                        Status = f.Status.ToString(),
                        Detail = f.Detail,
                        Fix = f.Fix,
                    }).ToArray(),
                });
            }
            catch (BackupIamException ex)
            {
                WriteFailure(ex, BucketName);
            }
        }
    }
}
