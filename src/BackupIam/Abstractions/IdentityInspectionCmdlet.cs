using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Inspection;
using BackupIam.Engine.Naming;

namespace BackupIam.Abstractions
{
    /// <summary>
    /// Shared body of Get-BackupUser and Get-BackupGroup: -BucketName and its checks, the names to show (the given
    /// ones, else the module's managed identities), reading them all at once and writing the results in order.
    /// Engine types stay out of the overridable members (PowerShell reads the cmdlet types before the engine is loadable).
    /// </summary>
    public abstract class IdentityInspectionCmdlet : AwsCmdlet
    {
        private IdentityInspector? _inspector;

        /// <summary>The buckets to show; without it, the buckets the identity's policies name (for a user, also the module's buckets whose policy names it).</summary>
        [Parameter]
        [Alias("Bucket")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.BucketNameCompleter))]
        public string[]? BucketName { get; set; }

        /// <summary>The name parameter (UserName or GroupName).</summary>
        private protected abstract string NameParameterName { get; }

        /// <summary>The names given to the name parameter, if any.</summary>
        private protected abstract string[]? Names { get; }

        /// <summary>True when the inspector reads bucket policies too (users; IAM groups cannot be a bucket principal).</summary>
        private protected abstract bool ReadsBuckets { get; }

        private protected abstract void ValidateName(string name);

        private protected IdentityInspector Inspector => _inspector ??= new IdentityInspector(Iam, ReadsBuckets ? S3 : null);

        private protected override void ValidateBoundParameters()
        {
            if (IsBound(NameParameterName))
            {
                foreach (string name in Names!)
                {
                    ValidateName(name);
                }
            }

            foreach (string bucket in BucketName ?? new string[0])
            {
                S3Names.ValidateBucketName(bucket, nameof(BucketName));
            }
        }

        /// <summary>
        /// Inspects the given names, or those <paramref name="listManaged"/> returns, and writes one object per name (a
        /// failed name is a non-terminating error; a failed listing is terminating).
        /// </summary>
        private protected void WriteInspections<TReport>(
            Func<CancellationToken, Task<IReadOnlyList<string>>> listManaged,
            Func<int, string> listedMessage,
            Func<string, CancellationToken, Task<TReport>> inspect,
            Func<TReport, IEnumerable<string>> warnings,
            Func<TReport, DateTime, object> toOutput)
            where TReport : class
        {
            IReadOnlyList<string> names;
            if (Names != null && Names.Length > 0)
            {
                names = Names;
            }
            else
            {
                try
                {
                    names = Run(listManaged);
                    WriteVerbose(listedMessage(names.Count));
                }
                catch (BackupIamException ex)
                {
                    ThrowFailure(ex, ManagedTag.Key);
                    return;
                }
            }

            // Identities are read at once (the inspector bounds the calls in flight); results are written in order, here.
            var outcomes = Run(ct => Task.WhenAll(names.Select(async name =>
            {
                try
                {
                    return (Name: name, Report: await inspect(name, ct).ConfigureAwait(false), Error: (Exception?)null);
                }
                catch (BackupIamException ex)
                {
                    return (Name: name, Report: (TReport?)null, Error: (Exception?)ex);
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

                foreach (string warning in warnings(outcome.Report))
                {
                    WriteWarning(warning);
                }

                WriteObject(toOutput(outcome.Report, now));
            }
        }
    }
}
