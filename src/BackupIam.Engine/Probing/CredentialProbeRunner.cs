using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Amazon.S3;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Simulation;

namespace BackupIam.Engine.Probing
{
    /// <summary>A probe as it would be sent (for -WhatIf): nothing is sent to make it.</summary>
    public sealed class PlannedProbe
    {
        internal PlannedProbe(ProbeDefinition definition, string resource)
        {
            Name = definition.Name;
            Operation = definition.Operation;
            Action = definition.Action;
            Resource = resource;
            Description = definition.Description;
        }

        /// <summary>The probe name.</summary>
        public string Name { get; }

        /// <summary>The S3 operation.</summary>
        public string Operation { get; }

        /// <summary>The IAM action.</summary>
        public string Action { get; }

        /// <summary>The resource, <c>s3://bucket/key</c>.</summary>
        public string Resource { get; }

        /// <summary>What the probe does.</summary>
        public string Description { get; }
    }

    /// <summary>
    /// Runs the probe set with the key under test: waits for a new key to propagate, runs independent probes
    /// concurrently on one connection pool (the canary's probes in order: write, overwrite, reads, deletes), compares
    /// every answer with the expectation, and removes what the probes left.
    /// </summary>
    public static class CredentialProbeRunner
    {
        /// <summary>What a run would send, in report order. Validates the settings; sends nothing.</summary>
        public static IReadOnlyList<PlannedProbe> Plan(CredentialProbeSettings settings)
        {
            if (settings == null)
            {
                throw new ArgumentNullException(nameof(settings));
            }

            settings.Validate();
            var names = new RunNames(settings, settings.RunId ?? "RUNID");
            return ProbeCatalog.All.Select(d => new PlannedProbe(d, names.PlannedResource(d, settings.AdminSession != null))).ToArray();
        }

        /// <summary>Runs the probe set.</summary>
        /// <exception cref="InputValidationException">Bad settings (before any request).</exception>
        /// <exception cref="BackupIamException">
        /// <c>CredentialProbeUnreachable</c> when the store gives no answer at all, <c>CredentialProbeBucketNotFound</c>
        /// when the bucket does not exist.
        /// </exception>
        public static async Task<CredentialProbeReport> RunAsync(CredentialProbeSettings settings, CancellationToken cancellationToken)
        {
            if (settings == null)
            {
                throw new ArgumentNullException(nameof(settings));
            }

            settings.Validate();
            using (var run = new Run(settings))
            {
                return await run.ExecuteAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>The keys, folders and bucket names of one run.</summary>
        internal sealed class RunNames
        {
            public RunNames(CredentialProbeSettings s, string runId)
            {
                Bucket = s.BucketName;
                Prefix = s.NormalizedPrefix;
                RunId = runId;
                Folder = Prefix + s.NormalizedProbePrefix + runId + "/";
                CanaryKey = Folder + "canary.txt";
                ForeignKey = Folder + "foreign-object.txt";
                MultipartKey = Folder + "multipart.bin";
                OutsideKey = Prefix.Length == 0 ? null : (Prefix.StartsWith("backupiam-probe-outside/", StringComparison.Ordinal) ? "backupiam-outside/" : "backupiam-probe-outside/") + runId + ".txt";
                Sibling = Prefix.Length == 0 ? null : AccessMatrixBuilder.SiblingOf(Prefix);
                ProbeBucket = "backupiam-probe-" + runId.ToLowerInvariant();
            }

            public string Bucket { get; }

            public string Prefix { get; }

            public string RunId { get; }

            public string Folder { get; }

            public string CanaryKey { get; }

            public string ForeignKey { get; }

            public string MultipartKey { get; }

            public string? OutsideKey { get; }

            public string? Sibling { get; }

            public string ProbeBucket { get; }

            public string Uri(string? key) => "s3://" + Bucket + "/" + (key ?? string.Empty);

            public string PlannedResource(ProbeDefinition d, bool admin)
            {
                switch (d.Name)
                {
                    case ProbeCatalog.HeadForeignObject:
                    case ProbeCatalog.GetForeignObject:
                        return admin ? Uri(ForeignKey) + " (written with the admin credentials)" : Uri(Prefix) + "<an object found by ListPrefix>";
                    case ProbeCatalog.ListPrefix:
                        return Uri(Prefix);
                    case ProbeCatalog.ListBucketRoot:
                        return Uri(null);
                    case ProbeCatalog.ListSiblingPrefix:
                        return Sibling == null ? "(none: the prefix is the whole bucket)" : Uri(Sibling);
                    case ProbeCatalog.PutOutsidePrefix:
                        return OutsideKey == null ? "(none: the prefix is the whole bucket)" : Uri(OutsideKey);
                    case ProbeCatalog.CreateMultipartUpload:
                    case ProbeCatalog.AbortMultipartUpload:
                        return Uri(MultipartKey);
                    case ProbeCatalog.GetBucketLocation:
                    case ProbeCatalog.PutBucketPolicy:
                    case ProbeCatalog.PutBucketVersioning:
                    case ProbeCatalog.PutBucketLifecycle:
                        return "s3://" + Bucket;
                    case ProbeCatalog.ListAllMyBuckets:
                        return "s3://*";
                    case ProbeCatalog.CreateBucket:
                        return "s3://" + ProbeBucket;
                    default:
                        return Uri(CanaryKey);
                }
            }
        }

        /// <summary>How an answer is read.</summary>
        private enum ReadMode
        {
            Normal,

            /// <summary>A deliberately invalid document: a 400 validation error means the request was authorised.</summary>
            InvalidDocument,
        }

        private sealed class Raw
        {
            public ProbeAnswer? Answer { get; set; }

            public string? NotRunReason { get; set; }

            public string Resource { get; set; } = string.Empty;

            public string? ResourceKey { get; set; }

            public bool KeyWroteObject { get; set; }

            public ReadMode Mode { get; set; }

            public string? Detail { get; set; }
        }

        private sealed class Run : IDisposable
        {
            private static readonly HashSet<string> ValidationCodes = new HashSet<string>(StringComparer.Ordinal)
            {
                "MalformedPolicy", "MalformedXML", "InvalidArgument", "InvalidRequest", "IllegalVersioningConfigurationException", "InvalidPolicyDocument",
            };

            private readonly CredentialProbeSettings _s;
            private readonly RunNames _n;
            private readonly ProbeClient _key;
            private readonly ProbeClient? _admin;
            private readonly ConcurrentDictionary<string, Raw> _raw = new ConcurrentDictionary<string, Raw>(StringComparer.Ordinal);
            private readonly ConcurrentDictionary<(string Key, string Version), bool> _objects = new ConcurrentDictionary<(string Key, string Version), bool>();
            private readonly ConcurrentBag<(string Key, string UploadId)> _uploads = new ConcurrentBag<(string Key, string UploadId)>();
            private readonly List<string> _cleanupLog = new List<string>();
            private readonly List<string> _left = new List<string>();
            private readonly Stopwatch _clock = Stopwatch.StartNew();
            private readonly string _partition;
            private readonly bool _secure;
            private int _propagationAttempts;
            private TimeSpan _deadline;
            private bool _probeBucketCreated;
            private bool _leftPolicy;
            private bool _validatingStore;
            private StoreKind _store;
            private string _storeSource = string.Empty;

            public Run(CredentialProbeSettings settings)
            {
                _s = settings;
                string runId = settings.RunId ?? DateTime.UtcNow.ToString("yyyyMMdd't'HHmmss", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N").Substring(0, 8);
                _n = new RunNames(settings, runId);
                _key = new ProbeClient(settings.KeySession!, settings.RequestTimeout);
                _admin = settings.AdminSession == null ? null : new ProbeClient(settings.AdminSession, settings.RequestTimeout);
                _partition = string.IsNullOrEmpty(settings.KeySession!.Partition) ? "aws" : settings.KeySession.Partition;
                _secure = settings.KeySession.S3ServiceUrl == null || string.Equals(settings.KeySession.S3ServiceUrl.Scheme, "https", StringComparison.OrdinalIgnoreCase);
            }

            public void Dispose()
            {
                _key.Dispose();
                _admin?.Dispose();
            }

            public async Task<CredentialProbeReport> ExecuteAsync(CancellationToken ct)
            {
                _deadline = _s.PropagationTimeout;

                // Admin reads (the bucket's settings, an object the key did not write) need no key: they run while it propagates.
                Task<ProbeAnswer>? adminPolicy = _admin?.GetBucketPolicyAsync(_n.Bucket, ct);
                Task<ProbeAnswer>? adminVersioning = _admin?.GetBucketVersioningAsync(_n.Bucket, ct);
                Task<ProbeAnswer>? adminLifecycle = _admin?.GetLifecycleAsync(_n.Bucket, ct);
                Task<ProbeAnswer>? adminForeign = _admin?.PutObjectAsync(_n.Bucket, _n.ForeignKey, "BackupIam probe object written with the admin credentials; safe to delete.", false, ct);

                ProbeAnswer sentinel = await KeyAsync(c => _key.GetBucketLocationAsync(_n.Bucket, c), ct).ConfigureAwait(false);
                TimeSpan propagationWait = _propagationAttempts == 0 ? TimeSpan.Zero : _clock.Elapsed - sentinel.Duration;
                if (sentinel.TransportError != null)
                {
                    await DrainAsync(adminPolicy, adminVersioning, adminLifecycle, adminForeign).ConfigureAwait(false);
                    await CleanupAsync(ct).ConfigureAwait(false);
                    throw new BackupIamException("CredentialProbeUnreachable", FailureKind.ConnectionError,
                        "Test-BackupCredential got no answer from the store for GetBucketLocation on bucket '" + _n.Bucket + "' ("
                        + (_s.KeySession!.S3ServiceUrl?.ToString() ?? "AWS S3 in " + _s.KeySession.RegionName) + "): " + sentinel.TransportError
                        + ". Check -EndpointUrl and the network; -RequestTimeoutSec sets how long one request may take.")
                    {
                        Target = _n.Bucket,
                    };
                }

                if (sentinel.ErrorCode == "NoSuchBucket")
                {
                    await DrainAsync(adminPolicy, adminVersioning, adminLifecycle, adminForeign).ConfigureAwait(false);
                    await CleanupAsync(ct).ConfigureAwait(false);
                    throw new BackupIamException("CredentialProbeBucketNotFound", FailureKind.NotFound,
                        "The bucket '" + _n.Bucket + "' does not exist on this store, so there is nothing to probe. Check -BucketName (and -EndpointUrl/-Region).")
                    {
                        Target = _n.Bucket,
                    };
                }

                Record(ProbeCatalog.GetBucketLocation, sentinel, "s3://" + _n.Bucket);
                DetectStore();
                bool propagated = !sentinel.KeyNotAccepted;
                TimeSpan probeStart = _clock.Elapsed;
                if (propagated)
                {
                    // Late InvalidAccessKeyId answers (AWS is eventually consistent) are still waited for, for a while.
                    TimeSpan extra = TimeSpan.FromSeconds(Math.Min(15, _s.PropagationTimeout.TotalSeconds));
                    _deadline = _clock.Elapsed + extra > _deadline ? _clock.Elapsed + extra : _deadline;
                    await Task.WhenAll(
                        CanaryChainAsync(ct),
                        ListsAndForeignAsync(adminForeign, ct),
                        MultipartAsync(ct),
                        SimpleAsync(ProbeCatalog.ListAllMyBuckets, "s3://*", c => _key.ListBucketsAsync(c), ct),
                        OutsidePrefixAsync(ct),
                        BucketPolicyAsync(adminPolicy, ct),
                        VersioningAsync(adminVersioning, ct),
                        LifecycleAsync(adminLifecycle, ct),
                        CreateBucketAsync(ct)).ConfigureAwait(false);
                }
                else
                {
                    await DrainAsync(adminPolicy, adminVersioning, adminLifecycle, adminForeign).ConfigureAwait(false);
                }

                await CleanupAsync(ct).ConfigureAwait(false);
                return BuildReport(propagated, propagationWait, _clock.Elapsed - probeStart);
            }

            private static async Task DrainAsync(params Task<ProbeAnswer>?[] tasks)
            {
                foreach (Task<ProbeAnswer>? t in tasks)
                {
                    if (t != null)
                    {
                        await t.ConfigureAwait(false);
                    }
                }
            }

            /// <summary>Sends a request with the key; answers saying the key is not known yet are retried with backoff until the deadline.</summary>
            private async Task<ProbeAnswer> KeyAsync(Func<CancellationToken, Task<ProbeAnswer>> call, CancellationToken ct)
            {
                (ProbeAnswer answer, TimeSpan _) = await PropagationBackoff.SendAsync(
                    call,
                    a => a.KeyNotAccepted,
                    () => _clock.Elapsed,
                    () => _deadline,
                    (now, a) =>
                    {
                        int attempts = Interlocked.Increment(ref _propagationAttempts);
                        _s.Progress?.Report(new PropagationProgress(now, _s.PropagationTimeout, attempts, a.ErrorCode!));
                    },
                    ct).ConfigureAwait(false);
                return answer;
            }

            private Raw Record(string probe, ProbeAnswer? answer, string resource, string? key = null, bool keyWrote = false, ReadMode mode = ReadMode.Normal, string? detail = null)
            {
                var raw = new Raw { Answer = answer, Resource = resource, ResourceKey = key, KeyWroteObject = keyWrote, Mode = mode, Detail = detail };
                _raw[probe] = raw;
                return raw;
            }

            private void NotRun(string probe, string resource, string reason, string? key = null, bool keyWrote = false)
            {
                _raw[probe] = new Raw { NotRunReason = reason, Resource = resource, ResourceKey = key, KeyWroteObject = keyWrote };
            }

            private void Wrote(string key, ProbeAnswer answer)
            {
                if (answer.Ok)
                {
                    _objects[(key, answer.VersionId ?? "null")] = true;
                }
            }

            private async Task SimpleAsync(string probe, string resource, Func<CancellationToken, Task<ProbeAnswer>> call, CancellationToken ct)
            {
                Record(probe, await KeyAsync(call, ct).ConfigureAwait(false), resource);
            }

            private async Task CanaryChainAsync(CancellationToken ct)
            {
                string key = _n.CanaryKey;
                string uri = _n.Uri(key);
                string content = "BackupIam Test-BackupCredential canary, run " + _n.RunId + "; safe to delete.";
                ProbeAnswer put = await KeyAsync(c => _key.PutObjectAsync(_n.Bucket, key, content, false, c), ct).ConfigureAwait(false);
                Record(ProbeCatalog.PutCanary, put, uri, key);
                Wrote(key, put);
                if (!put.Ok)
                {
                    string reason = "there is no canary: PutCanary was answered " + put;
                    foreach (string p in new[] { ProbeCatalog.OverwriteCanary, ProbeCatalog.PutIfNoneMatch, ProbeCatalog.HeadCanary, ProbeCatalog.GetCanary, ProbeCatalog.PutObjectAclPublicRead, ProbeCatalog.DeleteCanaryVersion, ProbeCatalog.DeleteCanary })
                    {
                        NotRun(p, uri, reason, key, keyWrote: true);
                    }

                    return;
                }

                ProbeAnswer overwrite = await KeyAsync(c => _key.PutObjectAsync(_n.Bucket, key, content + " (overwritten)", false, c), ct).ConfigureAwait(false);
                Record(ProbeCatalog.OverwriteCanary, overwrite, uri, key, keyWrote: true);
                Wrote(key, overwrite);

                await Task.WhenAll(
                    IfNoneMatchAsync(key, uri, content, ct),
                    RecordAsync(ProbeCatalog.HeadCanary, uri, key, true, c => _key.HeadObjectAsync(_n.Bucket, key, c), ct),
                    RecordAsync(ProbeCatalog.GetCanary, uri, key, true, c => _key.GetObjectAsync(_n.Bucket, key, false, c), ct),
                    PublicReadAsync(key, uri, ct)).ConfigureAwait(false);

                // The first version, for good (on an unversioned bucket its version id is "null").
                string firstVersion = string.IsNullOrEmpty(put.VersionId) ? "null" : put.VersionId!;
                ProbeAnswer deleteVersion = await KeyAsync(c => _key.DeleteObjectAsync(_n.Bucket, key, firstVersion, c), ct).ConfigureAwait(false);
                Record(ProbeCatalog.DeleteCanaryVersion, deleteVersion, uri + "?versionId=" + firstVersion, key, keyWrote: true);
                if (deleteVersion.Ok)
                {
                    _objects.TryRemove((key, firstVersion), out _);
                }

                ProbeAnswer delete = await KeyAsync(c => _key.DeleteObjectAsync(_n.Bucket, key, null, c), ct).ConfigureAwait(false);
                Record(ProbeCatalog.DeleteCanary, delete, uri, key, keyWrote: true);
                if (delete.Ok)
                {
                    if (string.IsNullOrEmpty(delete.VersionId))
                    {
                        foreach (var entry in _objects.Keys.Where(k => k.Key == key && k.Version == "null").ToList())
                        {
                            _objects.TryRemove(entry, out _);
                        }
                    }
                    else
                    {
                        _objects[(key, delete.VersionId!)] = true; // the delete marker
                    }
                }
            }

            private async Task RecordAsync(string probe, string uri, string key, bool keyWrote, Func<CancellationToken, Task<ProbeAnswer>> call, CancellationToken ct)
            {
                Record(probe, await KeyAsync(call, ct).ConfigureAwait(false), uri, key, keyWrote);
            }

            private async Task IfNoneMatchAsync(string key, string uri, string content, CancellationToken ct)
            {
                ProbeAnswer answer = await KeyAsync(c => _key.PutObjectAsync(_n.Bucket, key, content + " (If-None-Match)", true, c), ct).ConfigureAwait(false);
                string? detail = null;
                if (answer.Status == 412)
                {
                    detail = "412 PreconditionFailed: the store refuses to write over an existing key when asked to (If-None-Match: *), so a client can avoid overwriting backups";
                }
                else if (answer.Ok)
                {
                    detail = "the store wrote over the existing canary although If-None-Match: * was sent: overwrites cannot be prevented with conditional writes here";
                    Wrote(key, answer);
                }

                Record(ProbeCatalog.PutIfNoneMatch, answer, uri, key, true, ReadMode.Normal, detail);
            }

            private async Task PublicReadAsync(string key, string uri, CancellationToken ct)
            {
                ProbeAnswer answer = await KeyAsync(c => _key.PutObjectAclAsync(_n.Bucket, key, S3CannedACL.PublicRead, c), ct).ConfigureAwait(false);
                string? detail = null;
                if (answer.Ok)
                {
                    // Never leave the canary public: put the ACL back at once, with the key or else the admin credentials.
                    ProbeAnswer revert = await _key.PutObjectAclAsync(_n.Bucket, key, S3CannedACL.BucketOwnerFullControl, ct).ConfigureAwait(false);
                    if (!revert.Ok && _admin != null)
                    {
                        revert = await _admin.PutObjectAclAsync(_n.Bucket, key, S3CannedACL.Private, ct).ConfigureAwait(false);
                    }

                    detail = "the key made the canary public-read; " + (revert.Ok ? "its ACL was set back at once" : "setting its ACL back failed (" + revert + "): the canary is removed below");
                }
                else if (answer.ErrorCode == "AccessControlListNotSupported")
                {
                    detail = "ACLs are disabled on the bucket (Object Ownership: bucket owner enforced), so no object can be made public with an ACL";
                }

                Record(ProbeCatalog.PutObjectAclPublicRead, answer, uri, key, true, ReadMode.Normal, detail);
            }

            private async Task ListsAndForeignAsync(Task<ProbeAnswer>? adminForeign, CancellationToken ct)
            {
                Task<ProbeAnswer> listPrefix = _n.Prefix.Length == 0
                    ? Task.FromResult<ProbeAnswer>(null!)
                    : KeyAsync(c => _key.ListAsync(_n.Bucket, _n.Prefix, "/", 100, c), ct);
                Task<ProbeAnswer> listRoot = KeyAsync(c => _key.ListAsync(_n.Bucket, string.Empty, "/", _n.Prefix.Length == 0 ? 100 : 1, c), ct);
                Task<ProbeAnswer>? listSibling = _n.Sibling == null ? null : KeyAsync(c => _key.ListAsync(_n.Bucket, _n.Sibling, "/", 1, c), ct);
                ProbeAnswer? prefixAnswer = _n.Prefix.Length == 0 ? null : await listPrefix.ConfigureAwait(false);
                ProbeAnswer rootAnswer = await listRoot.ConfigureAwait(false);
                if (prefixAnswer != null)
                {
                    Record(ProbeCatalog.ListPrefix, prefixAnswer, _n.Uri(_n.Prefix));
                }
                else
                {
                    NotRun(ProbeCatalog.ListPrefix, _n.Uri(null), "the prefix is the whole bucket: see ListBucketRoot");
                }

                Record(ProbeCatalog.ListBucketRoot, rootAnswer, _n.Uri(null));
                if (listSibling != null)
                {
                    Record(ProbeCatalog.ListSiblingPrefix, await listSibling.ConfigureAwait(false), _n.Uri(_n.Sibling));
                }
                else
                {
                    NotRun(ProbeCatalog.ListSiblingPrefix, _n.Uri(null), "the prefix is the whole bucket, which has no sibling");
                }

                string? foreignKey = null;
                string? foreignNote = null;
                if (adminForeign != null)
                {
                    ProbeAnswer placed = await adminForeign.ConfigureAwait(false);
                    if (placed.Ok)
                    {
                        foreignKey = _n.ForeignKey;
                        _objects[(foreignKey, placed.VersionId ?? "null")] = true;
                    }
                    else
                    {
                        foreignNote = "the admin credentials could not write an object for the key to read (" + placed + ")";
                    }
                }

                if (foreignKey == null)
                {
                    ProbeAnswer? listing = prefixAnswer ?? rootAnswer;
                    if (listing != null && listing.Ok)
                    {
                        foreignKey = listing.Objects.Where(o => o.Size > 0 && !o.Key.StartsWith(_n.Prefix + _s.NormalizedProbePrefix, StringComparison.Ordinal)).Select(o => o.Key).FirstOrDefault();
                        foreignNote = foreignKey == null ? null : "an object found by listing the prefix (its writer is not known: give admin credentials to probe one the key surely did not write)";
                    }
                }

                if (foreignKey == null)
                {
                    string reason = foreignNote ?? "no object the key did not write is known: give admin credentials (-AccessKey/-SecretKey, -ProfileName or -Credential) to place one";
                    NotRun(ProbeCatalog.HeadForeignObject, _n.Uri(_n.Prefix), reason);
                    NotRun(ProbeCatalog.GetForeignObject, _n.Uri(_n.Prefix), reason);
                    return;
                }

                string uri = _n.Uri(foreignKey);
                Task<ProbeAnswer> head = KeyAsync(c => _key.HeadObjectAsync(_n.Bucket, foreignKey, c), ct);
                Task<ProbeAnswer> get = KeyAsync(c => _key.GetObjectAsync(_n.Bucket, foreignKey, true, c), ct);
                Record(ProbeCatalog.HeadForeignObject, await head.ConfigureAwait(false), uri, foreignKey, false, ReadMode.Normal, adminForeign == null ? foreignNote : null);
                Record(ProbeCatalog.GetForeignObject, await get.ConfigureAwait(false), uri, foreignKey, false, ReadMode.Normal, adminForeign == null ? foreignNote : null);
            }

            private async Task MultipartAsync(CancellationToken ct)
            {
                string key = _n.MultipartKey;
                string uri = _n.Uri(key);
                ProbeAnswer create = await KeyAsync(c => _key.CreateMultipartUploadAsync(_n.Bucket, key, c), ct).ConfigureAwait(false);
                Record(ProbeCatalog.CreateMultipartUpload, create, uri, key);
                if (!create.Ok || string.IsNullOrEmpty(create.UploadId))
                {
                    NotRun(ProbeCatalog.AbortMultipartUpload, uri, "there is no upload to abort: CreateMultipartUpload was answered " + create, key, keyWrote: true);
                    return;
                }

                string uploadId = create.UploadId!;
                ProbeAnswer abort = await KeyAsync(c => _key.AbortMultipartUploadAsync(_n.Bucket, key, uploadId, c), ct).ConfigureAwait(false);
                Record(ProbeCatalog.AbortMultipartUpload, abort, uri, key, keyWrote: true);
                if (!abort.Ok && abort.Status != 404)
                {
                    _uploads.Add((key, uploadId));
                }
            }

            private async Task OutsidePrefixAsync(CancellationToken ct)
            {
                if (_n.OutsideKey == null)
                {
                    NotRun(ProbeCatalog.PutOutsidePrefix, _n.Uri(null), "the prefix is the whole bucket: nothing is outside it");
                    return;
                }

                string key = _n.OutsideKey;
                ProbeAnswer answer = await KeyAsync(c => _key.PutObjectAsync(_n.Bucket, key, "BackupIam probe: a write outside the prefix; safe to delete.", false, c), ct).ConfigureAwait(false);
                Record(ProbeCatalog.PutOutsidePrefix, answer, _n.Uri(key), key);
                Wrote(key, answer);
            }

            /// <summary>The bucket's current setting: read with the admin credentials, else with the key itself.</summary>
            private async Task<(ProbeAnswer? Answer, string Source)> CurrentAsync(Task<ProbeAnswer>? admin, Func<CancellationToken, Task<ProbeAnswer>> keyRead, CancellationToken ct)
            {
                if (admin != null)
                {
                    ProbeAnswer a = await admin.ConfigureAwait(false);
                    if (a.Ok || a.Missing)
                    {
                        return (a, "read with the admin credentials");
                    }
                }

                ProbeAnswer k = await KeyAsync(keyRead, ct).ConfigureAwait(false);
                return k.Ok || k.Missing ? (k, "read with the key") : ((ProbeAnswer?)null, "unknown");
            }

            private async Task BucketPolicyAsync(Task<ProbeAnswer>? admin, CancellationToken ct)
            {
                var (current, source) = await CurrentAsync(admin, c => _key.GetBucketPolicyAsync(_n.Bucket, c), ct).ConfigureAwait(false);
                string uri = "s3://" + _n.Bucket;
                if (current != null && !current.Missing && current.Text != null)
                {
                    string text = current.Text;
                    ProbeAnswer answer = await KeyAsync(c => _key.PutBucketPolicyAsync(_n.Bucket, text, c), ct).ConfigureAwait(false);
                    Record(ProbeCatalog.PutBucketPolicy, answer, uri, null, false, ReadMode.Normal, "sent the bucket's current policy back unchanged (" + source + ")");
                    return;
                }

                if (current != null)
                {
                    // No policy: one that denies only a key that does not exist changes nobody's access; it is removed again.
                    string noEffect = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"BackupIamProbeNoEffect\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:"
                        + _partition + ":s3:::" + _n.Bucket + "/" + _n.Folder + "no-such-object\"}]}";
                    ProbeAnswer put = await KeyAsync(c => _key.PutBucketPolicyAsync(_n.Bucket, noEffect, c), ct).ConfigureAwait(false);
                    string detail = "the bucket has no policy (" + source + "): sent a policy that only denies reading a key that does not exist";
                    if (put.Ok)
                    {
                        ProbeAnswer removed = await _key.DeleteBucketPolicyAsync(_n.Bucket, ct).ConfigureAwait(false);
                        if (!removed.Ok && _admin != null)
                        {
                            removed = await _admin.DeleteBucketPolicyAsync(_n.Bucket, ct).ConfigureAwait(false);
                        }

                        if (removed.Ok)
                        {
                            detail += "; it was removed again at once";
                        }
                        else
                        {
                            _leftPolicy = true;
                        }
                    }

                    Record(ProbeCatalog.PutBucketPolicy, put, uri, null, false, ReadMode.Normal, detail);
                    return;
                }

                if (!_validatingStore)
                {
                    NotRun(ProbeCatalog.PutBucketPolicy, uri, "the bucket's policy could not be read (give admin credentials): sending any other policy could replace it, and this store is not known to refuse an invalid one, so nothing was sent");
                    return;
                }

                // A policy that could not be read is never replaced: an unparseable document, which the store refuses after authorising the request.
                ProbeAnswer invalid = await KeyAsync(c => _key.PutBucketPolicyAsync(_n.Bucket, "{", c), ct).ConfigureAwait(false);
                Record(ProbeCatalog.PutBucketPolicy, invalid, uri, null, false, ReadMode.InvalidDocument,
                    "the current policy could not be read: sent an unparseable policy ('{'), which the store refuses; 400 MalformedPolicy means the key was allowed");
            }

            private async Task VersioningAsync(Task<ProbeAnswer>? admin, CancellationToken ct)
            {
                var (current, source) = await CurrentAsync(admin, c => _key.GetBucketVersioningAsync(_n.Bucket, c), ct).ConfigureAwait(false);
                string uri = "s3://" + _n.Bucket;
                string? status = current?.Text;
                if (status == "Enabled" || status == "Suspended")
                {
                    ProbeAnswer answer = await KeyAsync(c => _key.PutBucketVersioningAsync(_n.Bucket, status, c), ct).ConfigureAwait(false);
                    Record(ProbeCatalog.PutBucketVersioning, answer, uri, null, false, ReadMode.Normal, "sent the current status '" + status + "' back unchanged (" + source + ")");
                    return;
                }

                string why = current == null ? "the current versioning status could not be read (give admin credentials)" : "versioning was never enabled on the bucket (" + source + ")";
                if (!_validatingStore)
                {
                    NotRun(ProbeCatalog.PutBucketVersioning, uri, why + ": enabling or suspending it would change it, and this store is not known to refuse an invalid status, so nothing was sent");
                    return;
                }

                // Never Suspended when the status is unknown: it could suspend versioning. The store refuses an invalid status after authorising the request.
                ProbeAnswer invalid = await KeyAsync(c => _key.PutBucketVersioningAsync(_n.Bucket, "BackupIamProbeNoChange", c), ct).ConfigureAwait(false);
                Record(ProbeCatalog.PutBucketVersioning, invalid, uri, null, false, ReadMode.InvalidDocument,
                    why + ": sent the invalid status 'BackupIamProbeNoChange', which the store refuses; 400 MalformedXML means the key was allowed");
            }

            private async Task LifecycleAsync(Task<ProbeAnswer>? admin, CancellationToken ct)
            {
                var (current, source) = await CurrentAsync(admin, c => _key.GetLifecycleAsync(_n.Bucket, c), ct).ConfigureAwait(false);
                string uri = "s3://" + _n.Bucket;
                if (current == null)
                {
                    NotRun(ProbeCatalog.PutBucketLifecycle, uri,
                        "the bucket's lifecycle rules could not be read (give admin credentials): any other rules could weaken retention, so nothing was sent");
                    return;
                }

                if (current.Missing)
                {
                    // DeleteBucketLifecycle is authorised by s3:PutLifecycleConfiguration and changes nothing on a bucket without rules.
                    ProbeAnswer delete = await KeyAsync(c => _key.DeleteLifecycleAsync(_n.Bucket, c), ct).ConfigureAwait(false);
                    Record(ProbeCatalog.PutBucketLifecycle, delete, uri, null, false, ReadMode.Normal,
                        "the bucket has no lifecycle rules (" + source + "): sent DeleteBucketLifecycle, which needs s3:PutLifecycleConfiguration and changes nothing");
                    return;
                }

                var configuration = current.Lifecycle!;
                ProbeAnswer answer = await KeyAsync(c => _key.PutLifecycleAsync(_n.Bucket, configuration, c), ct).ConfigureAwait(false);
                Record(ProbeCatalog.PutBucketLifecycle, answer, uri, null, false, ReadMode.Normal,
                    "sent the current " + configuration.Rules.Count.ToString(CultureInfo.InvariantCulture) + " lifecycle rule(s) back unchanged (" + source + ")");
            }

            private async Task CreateBucketAsync(CancellationToken ct)
            {
                string bucket = _n.ProbeBucket;
                ProbeAnswer answer = await KeyAsync(c => _key.CreateBucketAsync(bucket, c), ct).ConfigureAwait(false);
                string? detail = null;
                if (answer.Ok)
                {
                    _probeBucketCreated = true;
                    ProbeAnswer removed = await _key.DeleteBucketAsync(bucket, ct).ConfigureAwait(false);
                    if (removed.Ok)
                    {
                        _probeBucketCreated = false;
                        detail = "the key created the bucket '" + bucket + "' and it was deleted again at once";
                    }
                }

                Record(ProbeCatalog.CreateBucket, answer, "s3://" + bucket, null, false, ReadMode.Normal, detail);
            }

            private void DetectStore()
            {
                if (_s.Store.HasValue)
                {
                    _store = _s.Store.Value;
                    _storeSource = "given";
                }
                else if (_s.KeySession!.S3ServiceUrl != null && StoreRules.LooksLikeRgwRequestId(_key.FirstRequestId))
                {
                    _store = StoreKind.CephRgw;
                    _storeSource = "detected from its request ids (" + _key.FirstRequestId + ")";
                }
                else
                {
                    _store = StoreKind.Aws;
                    _storeSource = _s.KeySession.S3ServiceUrl == null ? "AWS endpoint" : "not recognised: AWS's behaviour is expected";
                }

                // Stores known to refuse an invalid policy or versioning status after authorising the request.
                _validatingStore = _s.KeySession!.S3ServiceUrl == null || _store == StoreKind.CephRgw;
            }

            private async Task CleanupAsync(CancellationToken ct)
            {
                // Cleanup runs even when the caller cancels; it is bounded by the request timeout.
                using (var cts = new CancellationTokenSource(TimeSpan.FromTicks(_s.RequestTimeout.Ticks * 4)))
                {
                    CancellationToken c = cts.Token;
                    if (_probeBucketCreated)
                    {
                        bool gone = _admin != null && (await _admin.DeleteBucketAsync(_n.ProbeBucket, c).ConfigureAwait(false)).Ok;
                        if (gone)
                        {
                            _cleanupLog.Add("deleted the probe bucket " + _n.ProbeBucket + " with the admin credentials");
                        }
                        else
                        {
                            _left.Add("s3://" + _n.ProbeBucket + " (a bucket the key created)");
                        }
                    }

                    foreach (var (key, uploadId) in _uploads)
                    {
                        bool aborted = _admin != null && (await _admin.AbortMultipartUploadAsync(_n.Bucket, key, uploadId, c).ConfigureAwait(false)).Ok;
                        if (aborted)
                        {
                            _cleanupLog.Add("aborted the multipart upload of " + _n.Uri(key) + " with the admin credentials");
                        }
                        else
                        {
                            _left.Add(_n.Uri(key) + " (multipart upload " + uploadId + ")");
                        }
                    }

                    if (_leftPolicy)
                    {
                        _left.Add("the bucket policy of s3://" + _n.Bucket + " (statement BackupIamProbeNoEffect, which denies only reading a key that does not exist; remove it with DeleteBucketPolicy)");
                    }

                    if (_admin != null)
                    {
                        await AdminCleanupAsync(c).ConfigureAwait(false);
                    }

                    foreach (var (key, version) in _objects.Keys.OrderBy(k => k.Key, StringComparer.Ordinal).ToList())
                    {
                        ProbeAnswer a = await _key.DeleteObjectAsync(_n.Bucket, key, version == "null" ? null : version, c).ConfigureAwait(false);
                        if (a.Ok)
                        {
                            _objects.TryRemove((key, version), out _);
                            _cleanupLog.Add("deleted " + Describe(key, version) + " with the key");
                        }
                        else
                        {
                            _left.Add(Describe(key, version));
                        }
                    }
                }
            }

            private async Task AdminCleanupAsync(CancellationToken ct)
            {
                var prefixes = new List<string> { _n.Folder };
                if (_n.OutsideKey != null)
                {
                    prefixes.Add(_n.OutsideKey);
                }

                foreach (string prefix in prefixes)
                {
                    ProbeAnswer listed = await _admin!.ListVersionsAsync(_n.Bucket, prefix, ct).ConfigureAwait(false);
                    IEnumerable<(string Key, string Version)> found = listed.Ok
                        ? listed.Versions
                        : _objects.Keys.Where(k => k.Key.StartsWith(prefix, StringComparison.Ordinal)).ToList();
                    foreach (var (key, version) in found)
                    {
                        ProbeAnswer a = await _admin.DeleteObjectAsync(_n.Bucket, key, version == "null" ? null : version, ct).ConfigureAwait(false);
                        if (a.Ok)
                        {
                            _cleanupLog.Add("deleted " + Describe(key, version) + " with the admin credentials");
                            _objects.TryRemove((key, version), out _);
                        }
                    }

                    if (listed.Ok)
                    {
                        // Anything the listing did not show is gone already.
                        foreach (var entry in _objects.Keys.Where(k => k.Key.StartsWith(prefix, StringComparison.Ordinal)).ToList())
                        {
                            if (!listed.Versions.Contains(entry))
                            {
                                _objects.TryRemove(entry, out _);
                            }
                        }
                    }
                }
            }

            private string Describe(string key, string version) => _n.Uri(key) + (version == "null" ? string.Empty : " (version " + version + ")");

            private CredentialProbeReport BuildReport(bool propagated, TimeSpan propagationWait, TimeSpan probeTime)
            {
                StoreKind store = _store;
                string storeSource = _storeSource;
                var results = new List<CredentialProbeResult>();
                foreach (ProbeDefinition d in ProbeCatalog.All)
                {
                    if (!_raw.TryGetValue(d.Name, out Raw? raw))
                    {
                        raw = new Raw
                        {
                            NotRunReason = propagated ? "not sent" : "the key was not accepted within " + Seconds(_s.PropagationTimeout) + " (still propagating, or a wrong secret)",
                            Resource = new RunNames(_s, _n.RunId).PlannedResource(d, _admin != null),
                        };
                    }

                    results.Add(Compare(d, raw, store));
                }

                var disagreements = results.Where(r => r.Outcome == ProbeOutcome.Disagrees || r.Outcome == ProbeOutcome.Error
                    || (_s.FailOnStoreDifference && r.Outcome == ProbeOutcome.DiffersFromAws)).ToList();
                var report = new CredentialProbeReport
                {
                    AccessKeyId = _s.AccessKeyId,
                    BucketName = _n.Bucket,
                    Prefix = _n.Prefix,
                    ProbeFolder = _n.Folder,
                    Store = store,
                    StoreSource = storeSource,
                    ExpectationSource = _s.Expectation!.Description,
                    Propagated = propagated,
                    PropagationWait = propagationWait,
                    PropagationAttempts = _propagationAttempts,
                    Results = results,
                    CanariesLeft = _left.ToArray(),
                    CleanupLog = _cleanupLog.ToArray(),
                    Elapsed = _clock.Elapsed,
                    ProbeTime = probeTime,
                    KeyRequestCount = _key.RequestCount,
                    AdminRequestCount = _admin?.RequestCount ?? 0,
                    Disagreements = disagreements,
                    Passed = propagated && disagreements.Count == 0,
                };
                report.Summary = Summarize(report, results);
                return report;
            }

            private string Summarize(CredentialProbeReport report, List<CredentialProbeResult> results)
            {
                string who = "Key " + (string.IsNullOrEmpty(report.AccessKeyId) ? "under test" : report.AccessKeyId);
                if (!report.Propagated)
                {
                    return who + " was not accepted by the store within " + Seconds(_s.PropagationTimeout) + " (" + report.PropagationAttempts.ToString(CultureInfo.InvariantCulture)
                        + " InvalidAccessKeyId/SignatureDoesNotMatch answers): it has not propagated yet, or its secret is wrong. No probe ran.";
                }

                int differing = results.Count(r => r.Outcome == ProbeOutcome.DiffersFromAws);
                string store = differing == 0 ? string.Empty : " " + differing.ToString(CultureInfo.InvariantCulture) + " differ(s) from AWS as " + report.Store + " is known to: "
                    + string.Join(", ", results.Where(r => r.Outcome == ProbeOutcome.DiffersFromAws).Select(r => r.Probe)) + ".";
                if (report.Passed)
                {
                    int run = results.Count(r => r.Outcome != ProbeOutcome.NotRun);
                    return who + " does what " + report.ExpectationSource + " allows on s3://" + report.BucketName + "/" + report.Prefix + ": all "
                        + run.ToString(CultureInfo.InvariantCulture) + " probes sent agree." + store;
                }

                var more = report.Disagreements.Where(r => r.Outcome != ProbeOutcome.Error && r.Actual == ProbeActual.Allowed).Select(Line).ToList();
                var less = report.Disagreements.Where(r => r.Outcome != ProbeOutcome.Error && r.Actual != ProbeActual.Allowed).Select(Line).ToList();
                var errors = report.Disagreements.Where(r => r.Outcome == ProbeOutcome.Error).Select(r => r.Probe + " (" + (r.Detail ?? "no usable answer") + ")").ToList();
                var parts = new List<string>();
                if (more.Count > 0)
                {
                    parts.Add("can do MORE than expected: " + string.Join("; ", more));
                }

                if (less.Count > 0)
                {
                    parts.Add("can do LESS than expected: " + string.Join("; ", less));
                }

                if (errors.Count > 0)
                {
                    parts.Add("got no usable answer: " + string.Join("; ", errors));
                }

                return who + " drifted from " + report.ExpectationSource + " on s3://" + report.BucketName + "/" + report.Prefix + ": "
                    + report.Disagreements.Count.ToString(CultureInfo.InvariantCulture) + " probe(s) disagree. It " + string.Join("; it ", parts) + "." + store;
            }

            private static string Line(CredentialProbeResult r) =>
                r.Probe + " (" + r.Operation + " " + r.Resource + ": expected " + r.Expected + ", got " + r.Actual
                + (r.HttpStatus.HasValue ? " " + r.HttpStatus.Value.ToString(CultureInfo.InvariantCulture) + (r.ErrorCode == null ? string.Empty : " " + r.ErrorCode) : string.Empty) + ")";

            private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + " s";

            private CredentialProbeResult Compare(ProbeDefinition d, Raw raw, StoreKind store)
            {
                ProbeRequestFacts facts = Facts(d, raw);
                ExpectedAnswer expected = _s.Expectation!.Expect(facts, store);
                var result = new CredentialProbeResult
                {
                    Probe = d.Name,
                    Operation = d.Operation,
                    Action = d.Action,
                    Resource = raw.Resource,
                    Expected = expected.Expected,
                    ExpectedOnAws = expected.ExpectedOnAws,
                    Reason = expected.Reason,
                    DecidedBy = expected.DecidedBy,
                    StoreNote = expected.StoreNote,
                    Detail = raw.Detail,
                };
                if (raw.Answer == null)
                {
                    result.Actual = ProbeActual.NotRun;
                    result.Outcome = ProbeOutcome.NotRun;
                    result.Detail = raw.NotRunReason;
                    return result;
                }

                ProbeAnswer a = raw.Answer;
                result.HttpStatus = a.TransportError == null ? a.Status : (int?)null;
                result.ErrorCode = a.ErrorCode;
                result.Duration = a.Duration;
                result.Actual = Interpret(d, raw, out string? detail);
                if (detail != null)
                {
                    result.Detail = result.Detail == null ? detail : result.Detail + "; " + detail;
                }

                if (result.Actual == ProbeActual.Error)
                {
                    result.Outcome = ProbeOutcome.Error;
                    return result;
                }

                if (result.Actual == ProbeActual.BlockedByBucket)
                {
                    // The policy may allow it; a bucket setting the simulator does not model refused it.
                    result.Agrees = true;
                    result.Outcome = ProbeOutcome.Agrees;
                    return result;
                }

                bool allowed = result.Actual == ProbeActual.Allowed;
                result.Agrees = expected.Expected == ProbeVerdict.AllowedOrDenied || (expected.Expected == ProbeVerdict.Allowed) == allowed;
                if (!result.Agrees)
                {
                    result.Outcome = ProbeOutcome.Disagrees;
                }
                else
                {
                    result.Outcome = (expected.ExpectedOnAws == ProbeVerdict.Allowed) == allowed ? ProbeOutcome.Agrees : ProbeOutcome.DiffersFromAws;
                }

                return result;
            }

            private static ProbeActual Interpret(ProbeDefinition d, Raw raw, out string? detail)
            {
                ProbeAnswer a = raw.Answer!;
                detail = null;
                if (a.TransportError != null)
                {
                    detail = "no answer: " + a.TransportError;
                    return ProbeActual.Error;
                }

                if (a.KeyNotAccepted)
                {
                    detail = "the key was not accepted (" + a.ErrorCode + ")";
                    return ProbeActual.Error;
                }

                if (a.Ok || a.Status == 412 || a.Status == 416)
                {
                    return ProbeActual.Allowed;
                }

                if (a.Status == 404 && a.ErrorCode != "NoSuchBucket")
                {
                    detail = "404 " + (a.ErrorCode ?? "NotFound") + " comes only after the request was authorised";
                    return ProbeActual.Allowed;
                }

                if (a.Status == 403)
                {
                    return ProbeActual.Denied;
                }

                if (a.Status == 400 && a.ErrorCode == "AccessControlListNotSupported")
                {
                    return ProbeActual.BlockedByBucket;
                }

                if (a.Status == 400 && raw.Mode == ReadMode.InvalidDocument && a.ErrorCode != null && ValidationCodes.Contains(a.ErrorCode))
                {
                    detail = "400 " + a.ErrorCode + ": the store authorised the request and then refused the invalid document; nothing changed";
                    return ProbeActual.Allowed;
                }

                detail = a.Status == 405 || a.Status == 501
                    ? "the store does not offer " + d.Operation + " (" + a + ")"
                    : "unexpected answer " + a + (string.IsNullOrEmpty(a.Message) ? string.Empty : ": " + a.Message);
                return ProbeActual.Error;
            }

            private ProbeRequestFacts Facts(ProbeDefinition d, Raw raw)
            {
                var context = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase)
                {
                    ["aws:SecureTransport"] = new[] { _secure ? "true" : "false" },
                };
                string arnPrefix = "arn:" + _partition + ":s3:::";
                string resource;
                switch (d.Target)
                {
                    case ProbeTarget.Bucket:
                        resource = arnPrefix + _n.Bucket;
                        break;
                    case ProbeTarget.NewBucket:
                        resource = arnPrefix + _n.ProbeBucket;
                        break;
                    case ProbeTarget.AllBuckets:
                        resource = arnPrefix + "*";
                        break;
                    default:
                        string key = raw.ResourceKey ?? (d.Target == ProbeTarget.ObjectOutsidePrefix ? _n.OutsideKey ?? "outside" : d.Target == ProbeTarget.ForeignObject ? _n.ForeignKey : d.Target == ProbeTarget.NewObjectInPrefix ? _n.MultipartKey : _n.CanaryKey);
                        resource = arnPrefix + _n.Bucket + "/" + key;
                        break;
                }

                switch (d.Name)
                {
                    case ProbeCatalog.PutCanary:
                    case ProbeCatalog.OverwriteCanary:
                    case ProbeCatalog.PutOutsidePrefix:
                    case ProbeCatalog.CreateMultipartUpload:
                        context["s3:x-amz-acl"] = new[] { "bucket-owner-full-control" };
                        break;
                    case ProbeCatalog.PutIfNoneMatch:
                        context["s3:x-amz-acl"] = new[] { "bucket-owner-full-control" };
                        context["s3:if-none-match"] = new[] { "*" };
                        break;
                    case ProbeCatalog.PutObjectAclPublicRead:
                        context["s3:x-amz-acl"] = new[] { "public-read" };
                        break;
                    case ProbeCatalog.ListPrefix:
                        context["s3:prefix"] = new[] { _n.Prefix };
                        context["s3:delimiter"] = new[] { "/" };
                        break;
                    case ProbeCatalog.ListBucketRoot:
                        context["s3:prefix"] = new[] { string.Empty };
                        context["s3:delimiter"] = new[] { "/" };
                        break;
                    case ProbeCatalog.ListSiblingPrefix:
                        context["s3:prefix"] = new[] { _n.Sibling ?? string.Empty };
                        context["s3:delimiter"] = new[] { "/" };
                        break;
                }

                bool keyWrote = raw.KeyWroteObject || d.Target == ProbeTarget.Canary;
                return new ProbeRequestFacts(d, resource, context, keyWrote);
            }
        }
    }
}
