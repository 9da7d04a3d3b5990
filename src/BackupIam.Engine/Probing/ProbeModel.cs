using System;
using System.Collections.Generic;

namespace BackupIam.Engine.Probing
{
    /// <summary>The S3 store a key is probed against: its known differences from AWS change what a probe should answer.</summary>
    public enum StoreKind
    {
        /// <summary>Amazon S3, or a store taken to behave like it.</summary>
        Aws,

        /// <summary>Ceph RADOS Gateway (16.2): the writer of an object owns it, NotAction is ignored, an empty s3:prefix is absent.</summary>
        CephRgw,
    }

    /// <summary>What a probe's request got from the store.</summary>
    public enum ProbeActual
    {
        /// <summary>The store authorised the request (2xx, or an answer such as 412 or 404 that comes only after authorisation).</summary>
        Allowed,

        /// <summary>403: the request was refused.</summary>
        Denied,

        /// <summary>The policy would allow it, but a bucket setting refused it (ACLs disabled by Object Ownership).</summary>
        BlockedByBucket,

        /// <summary>No answer that says either way (transport failure, 5xx, an unsupported operation, a key never accepted).</summary>
        Error,

        /// <summary>The probe was not sent (its canary could not be made, or it does not apply to this scope).</summary>
        NotRun,
    }

    /// <summary>What the store is expected to answer.</summary>
    public enum ProbeVerdict
    {
        /// <summary>The request should be authorised.</summary>
        Allowed,

        /// <summary>The request should be refused.</summary>
        Denied,

        /// <summary>Either answer is possible on this store, for a reason the key's policies do not show (e.g. RGW's max-buckets).</summary>
        AllowedOrDenied,
    }

    /// <summary>How a probe's answer compares with the expectation.</summary>
    public enum ProbeOutcome
    {
        /// <summary>The answer is the expected one, and the same as AWS would give.</summary>
        Agrees,

        /// <summary>The key can do more, or less, than expected.</summary>
        Disagrees,

        /// <summary>The answer is what this store is known to give, and not what AWS would give (see <see cref="CredentialProbeResult.StoreNote"/>).</summary>
        DiffersFromAws,

        /// <summary>The probe got no usable answer.</summary>
        Error,

        /// <summary>The probe was not sent.</summary>
        NotRun,
    }

    /// <summary>One probe's request, expectation and answer.</summary>
    public sealed class CredentialProbeResult
    {
        /// <summary>The probe name, e.g. <c>PutCanary</c> (see <see cref="ProbeCatalog"/>).</summary>
        public string Probe { get; internal set; } = string.Empty;

        /// <summary>The S3 operation sent, e.g. <c>PutObject (If-None-Match: *)</c>.</summary>
        public string Operation { get; internal set; } = string.Empty;

        /// <summary>The IAM action that authorises it, e.g. <c>s3:PutObject</c>.</summary>
        public string Action { get; internal set; } = string.Empty;

        /// <summary>The resource as <c>s3://bucket/key</c> (or <c>s3://bucket</c>, <c>s3://*</c>).</summary>
        public string Resource { get; internal set; } = string.Empty;

        /// <summary>What the store should answer.</summary>
        public ProbeVerdict Expected { get; internal set; }

        /// <summary>What AWS would answer (differs from <see cref="Expected"/> only where the store is known to differ).</summary>
        public ProbeVerdict ExpectedOnAws { get; internal set; }

        /// <summary>What the store answered.</summary>
        public ProbeActual Actual { get; internal set; }

        /// <summary>The HTTP status of the answer, or null when none arrived (or the probe was not sent).</summary>
        public int? HttpStatus { get; internal set; }

        /// <summary>The S3 error code (AccessDenied, PreconditionFailed, ...), or null on success.</summary>
        public string? ErrorCode { get; internal set; }

        /// <summary>Whether <see cref="Actual"/> matches <see cref="Expected"/>.</summary>
        public bool Agrees { get; internal set; }

        /// <summary>Agrees, Disagrees, DiffersFromAws, Error or NotRun.</summary>
        public ProbeOutcome Outcome { get; internal set; }

        /// <summary>Why the expectation is what it is: the deciding statement, or the allowed-probe list.</summary>
        public string Reason { get; internal set; } = string.Empty;

        /// <summary>The deciding statement, <c>PolicyName/Statement[i] (Sid)</c>, or null (implicit deny, probe list).</summary>
        public string? DecidedBy { get; internal set; }

        /// <summary>Where and why the store differs from AWS for this probe, or null.</summary>
        public string? StoreNote { get; internal set; }

        /// <summary>What the answer means beyond allowed/denied (a 412, a store that ignored If-None-Match, why a probe was not sent).</summary>
        public string? Detail { get; internal set; }

        /// <summary>How long the probe's request took.</summary>
        public TimeSpan Duration { get; internal set; }

        /// <inheritdoc />
        public override string ToString() => Probe + ": " + Outcome + " (expected " + Expected + ", actual " + Actual + ")";
    }

    /// <summary>Everything one run of the probe set found.</summary>
    public sealed class CredentialProbeReport
    {
        /// <summary>The access key id tested (never the secret).</summary>
        public string AccessKeyId { get; internal set; } = string.Empty;

        /// <summary>The bucket probed.</summary>
        public string BucketName { get; internal set; } = string.Empty;

        /// <summary>The key prefix the backups live under ("" for the whole bucket).</summary>
        public string Prefix { get; internal set; } = string.Empty;

        /// <summary>The folder the run's canaries were written to, e.g. <c>backup/backupiam-probe/20260101T120000Z-ab12cd/</c>.</summary>
        public string ProbeFolder { get; internal set; } = string.Empty;

        /// <summary>The store the expectations were adjusted for.</summary>
        public StoreKind Store { get; internal set; }

        /// <summary>How the store was chosen: given, or detected from its answers.</summary>
        public string StoreSource { get; internal set; } = string.Empty;

        /// <summary>What the expectation came from (a preset, a policy, an allowed-probe list).</summary>
        public string ExpectationSource { get; internal set; } = string.Empty;

        /// <summary>False when the store never accepted the key within the propagation limit (then no probe ran).</summary>
        public bool Propagated { get; internal set; }

        /// <summary>How long the key took to be accepted (zero when the first request was).</summary>
        public TimeSpan PropagationWait { get; internal set; }

        /// <summary>Requests answered InvalidAccessKeyId or SignatureDoesNotMatch while waiting.</summary>
        public int PropagationAttempts { get; internal set; }

        /// <summary>One result per probe, in catalogue order.</summary>
        public IReadOnlyList<CredentialProbeResult> Results { get; internal set; } = Array.Empty<CredentialProbeResult>();

        /// <summary>Canaries, uploads or buckets that neither the key nor the admin credentials could remove.</summary>
        public IReadOnlyList<string> CanariesLeft { get; internal set; } = Array.Empty<string>();

        /// <summary>What was removed after the probes, and with which credentials.</summary>
        public IReadOnlyList<string> CleanupLog { get; internal set; } = Array.Empty<string>();

        /// <summary>Wall time of the whole run, propagation wait included.</summary>
        public TimeSpan Elapsed { get; internal set; }

        /// <summary>Wall time of the probe set after the key was accepted (the figure the benchmark reports).</summary>
        public TimeSpan ProbeTime { get; internal set; }

        /// <summary>HTTP requests sent with the key under test.</summary>
        public int KeyRequestCount { get; internal set; }

        /// <summary>HTTP requests sent with the admin credentials (reading settings, the foreign object, cleanup).</summary>
        public int AdminRequestCount { get; internal set; }

        /// <summary>True when the store's answers drifted neither way, no probe failed, and the key was accepted.</summary>
        public bool Passed { get; internal set; }

        /// <summary>The probes whose answers disagree with the expectation (or got no usable answer).</summary>
        public IReadOnlyList<CredentialProbeResult> Disagreements { get; internal set; } = Array.Empty<CredentialProbeResult>();

        /// <summary>A one-line summary naming each disagreeing probe.</summary>
        public string Summary { get; internal set; } = string.Empty;
    }

    /// <summary>Progress while a new key propagates.</summary>
    public sealed class PropagationProgress
    {
        internal PropagationProgress(TimeSpan waited, TimeSpan limit, int attempts, string lastErrorCode)
        {
            Waited = waited;
            Limit = limit;
            Attempts = attempts;
            LastErrorCode = lastErrorCode;
        }

        /// <summary>Time spent waiting so far.</summary>
        public TimeSpan Waited { get; }

        /// <summary>The propagation limit.</summary>
        public TimeSpan Limit { get; }

        /// <summary>Requests not yet accepted.</summary>
        public int Attempts { get; }

        /// <summary>InvalidAccessKeyId or SignatureDoesNotMatch.</summary>
        public string LastErrorCode { get; }

        /// <summary>Percentage of the limit used (0 to 100).</summary>
        public int Percent => Limit <= TimeSpan.Zero ? 100 : (int)Math.Min(100, Waited.TotalMilliseconds * 100 / Limit.TotalMilliseconds);
    }
}
