using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using BackupIam.Abstractions;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Naming;
using BackupIam.Engine.Provisioning;

namespace BackupIam.Commands
{
    /// <summary>
    /// Reads buckets' backup setups (read-only): the named buckets, or every bucket tagged backupiam:managed=true. All
    /// reads, of all buckets, are made concurrently (at most 8 buckets at a time) and written in input order.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "BackupBucket", HelpUri = HelpLinks.HelpSource + "Get-BackupBucket.md")]
    [OutputType(typeof(BackupBucketSetup))]
    public sealed class GetBackupBucketCommand : AwsCmdlet
    {
        private readonly List<string> _names = new List<string>();

        /// <summary>The buckets to read; none: the buckets the module manages.</summary>
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Bucket")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completion.BucketNameCompleter))]
        public string[]? BucketName { get; set; }

        private protected override void ValidateBoundParameters()
        {
            if (IsBound(nameof(BucketName)))
            {
                foreach (string name in BucketName!)
                {
                    S3Names.ValidateBucketName(name, nameof(BucketName));
                }
            }
        }

        protected override void ProcessRecord()
        {
            foreach (string name in BucketName ?? new string[0])
            {
                try
                {
                    S3Names.ValidateBucketName(name, nameof(BucketName));
                    if (!_names.Contains(name))
                    {
                        _names.Add(name);
                    }
                }
                catch (BackupIamException ex)
                {
                    WriteFailure(ex, name);
                }
            }
        }

        protected override void EndProcessing()
        {
            try
            {
                bool given = BucketName != null || _names.Count > 0 || MyInvocation.ExpectingInput;
                IReadOnlyList<string> names = _names;
                var s3 = S3; // created here, on the pipeline thread, once
                if (!given)
                {
                    ManagedBucketList managed = Run(ct => ManagedBuckets.ListAsync(s3, ct));
                    foreach (BucketTagReadFailure failure in managed.Unreadable)
                    {
                        WriteWarning($"Bucket '{failure.BucketName}': its tags could not be read ({failure.AwsErrorCode}), so it is not known whether the module manages it. Read it with Get-BackupBucket -BucketName {failure.BucketName}.");
                    }

                    names = managed.BucketNames;
                    WriteVerbose($"{names.Count} bucket(s) tagged backupiam:managed=true.");
                }

                var reads = Run(ct => ReadAllAsync(s3, names, ct));
                for (int i = 0; i < names.Count; i++)
                {
                    if (reads[i].Info != null)
                    {
                        NoteBucketExists(names[i]); // for the Set-*Policy missing-bucket check (issue 16)
                        WriteObject(ToOutput(reads[i].Info!));
                    }
                    else
                    {
                        WriteFailure(reads[i].Error!, names[i]);
                    }
                }
            }
            catch (BackupIamException ex)
            {
                WriteFailure(ex, null);
            }
            finally
            {
                base.EndProcessing();
            }
        }

        private static async Task<(BucketSetupInfo? Info, Exception? Error)[]> ReadAllAsync(Engine.Aws.IS3Gateway s3, IReadOnlyList<string> names, CancellationToken ct)
        {
            var results = new (BucketSetupInfo? Info, Exception? Error)[names.Count];
            using (var gate = new SemaphoreSlim(ManagedBuckets.DefaultConcurrency))
            {
                await Task.WhenAll(names.Select(async (name, i) =>
                {
                    await gate.WaitAsync(ct).ConfigureAwait(false);
                    try
                    {
                        results[i] = (await BucketSetupReader.ReadAsync(s3, name, ct).ConfigureAwait(false), null);
                    }
                    catch (BackupIamException ex)
                    {
                        results[i] = (null, ex);
                    }
                    finally
                    {
                        gate.Release();
                    }
                })).ConfigureAwait(false);
            }

            return results;
        }

        private static BackupBucketSetup ToOutput(BucketSetupInfo info)
        {
            var tags = new Hashtable(StringComparer.Ordinal);
            foreach (KeyValuePair<string, string> t in info.Tags.OrderBy(t => t.Key, StringComparer.Ordinal))
            {
                tags[t.Key] = t.Value;
            }

            var statements = info.PolicyStatements.Select(s => new BackupBucketStatement
            {
                BucketName = info.BucketName,
                Sid = s.Sid,
                Effect = s.Effect,
                Actions = s.Actions.ToArray(),
                Principals = s.Principals.ToArray(),
                AddedByModule = s.AddedByModule,
                Json = s.Json,
            }).ToArray();
            return new BackupBucketSetup
            {
                BucketName = info.BucketName,
                Region = info.Region,
                Managed = info.Managed,
                Versioning = info.Versioning,
                MfaDelete = info.MfaDelete,
                VersioningEnabledByModule = info.VersioningEnabledByModule,
                ObjectLock = info.ObjectLock == null ? "Off"
                    : info.ObjectLock.Mode == null ? "On, no default retention"
                    : info.ObjectLock.Mode + " " + (info.ObjectLock.Days != null ? info.ObjectLock.Days + " day(s)" : info.ObjectLock.Years + " year(s)"),
                LifecycleRules = info.LifecycleRules.Select(r => new BackupBucketLifecycleRule
                {
                    BucketName = info.BucketName,
                    Id = r.Id,
                    Prefix = r.Prefix,
                    Status = r.Status,
                    Summary = r.Summary,
                    AddedByModule = r.AddedByModule,
                }).ToArray(),
                PolicyStatements = statements,
                Principals = statements.SelectMany(s => s.Principals).Where(p => !p.StartsWith("NotPrincipal ", StringComparison.Ordinal)).Distinct(StringComparer.Ordinal).ToArray(),
                FolderPlaceholders = info.FolderPlaceholders.ToArray(),
                FolderListingTruncated = info.FolderListingTruncated,
                Tags = tags,
                PolicyDocument = info.PolicyDocument,
                Unreadable = info.Unreadable.ToArray(),
            };
        }
    }
}
