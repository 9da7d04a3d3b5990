using System;

namespace BackupIam
{
    /// <summary>One probe of Test-BackupCredential: the request, what was expected and why, and what the store answered.</summary>
    public sealed class BackupCredentialProbe
    {
        /// <summary>The probe name, e.g. PutCanary, DeleteCanary, PutBucketPolicy.</summary>
        public string Probe { get; set; } = "";

        /// <summary>The S3 operation sent.</summary>
        public string Operation { get; set; } = "";

        /// <summary>The IAM action that authorises it.</summary>
        public string Action { get; set; } = "";

        /// <summary>The resource, s3://bucket/key.</summary>
        public string Resource { get; set; } = "";

        /// <summary>Allowed, Denied or AllowedOrDenied: what this store should answer.</summary>
        public string Expected { get; set; } = "";

        /// <summary>What AWS would answer (differs from Expected only where the store is known to differ).</summary>
        public string ExpectedOnAws { get; set; } = "";

        /// <summary>Allowed, Denied, BlockedByBucket, Error or NotRun.</summary>
        public string Actual { get; set; } = "";

        /// <summary>The HTTP status of the answer.</summary>
        public int? HttpStatus { get; set; }

        /// <summary>The S3 error code of the answer (AccessDenied, PreconditionFailed, ...).</summary>
        public string? ErrorCode { get; set; }

        /// <summary>Whether the answer is the expected one.</summary>
        public bool Agrees { get; set; }

        /// <summary>Agrees, Disagrees, DiffersFromAws, Error or NotRun.</summary>
        public string Outcome { get; set; } = "";

        /// <summary>Why the expectation is what it is.</summary>
        public string Reason { get; set; } = "";

        /// <summary>The deciding statement, PolicyName/Statement[i] (Sid).</summary>
        public string? DecidedBy { get; set; }

        /// <summary>Where and why the store differs from AWS for this probe.</summary>
        public string? StoreNote { get; set; }

        /// <summary>What the answer means beyond allowed or denied, or why the probe was not sent.</summary>
        public string? Detail { get; set; }

        /// <summary>The request's duration in milliseconds.</summary>
        public double DurationMs { get; set; }

        /// <summary>The access key id tested.</summary>
        public string AccessKeyId { get; set; } = "";

        /// <summary>The bucket probed.</summary>
        public string BucketName { get; set; } = "";

        public override string ToString() => Probe + ": " + Outcome;
    }

    /// <summary>The overall result of Test-BackupCredential for one key.</summary>
    public sealed class BackupCredentialTest
    {
        /// <summary>The access key id tested (never the secret).</summary>
        public string AccessKeyId { get; set; } = "";

        public string BucketName { get; set; } = "";

        public string Prefix { get; set; } = "";

        /// <summary>True when no probe disagrees (neither more nor less than expected), none failed, and the key was accepted.</summary>
        public bool Passed { get; set; }

        /// <summary>What the expectation came from.</summary>
        public string Expectation { get; set; } = "";

        /// <summary>Aws or CephRgw.</summary>
        public string Store { get; set; } = "";

        /// <summary>How the store was chosen.</summary>
        public string StoreSource { get; set; } = "";

        /// <summary>False when the key was not accepted within the propagation limit.</summary>
        public bool Propagated { get; set; }

        /// <summary>How long the key took to be accepted.</summary>
        public TimeSpan PropagationWait { get; set; }

        /// <summary>The probes that disagree or got no usable answer.</summary>
        public string[] Disagreements { get; set; } = new string[0];

        /// <summary>The probes whose answers differ from AWS as the store is known to.</summary>
        public string[] DiffersFromAws { get; set; } = new string[0];

        /// <summary>The probes not sent, and why.</summary>
        public string[] NotRun { get; set; } = new string[0];

        /// <summary>Canaries, uploads, buckets or policies the probes left behind.</summary>
        public string[] CanariesLeft { get; set; } = new string[0];

        /// <summary>What was removed after the probes.</summary>
        public string[] Cleanup { get; set; } = new string[0];

        /// <summary>The folder the run's canaries were written to.</summary>
        public string ProbeFolder { get; set; } = "";

        /// <summary>Wall time of the whole run.</summary>
        public TimeSpan Elapsed { get; set; }

        /// <summary>Wall time of the probe set once the key was accepted.</summary>
        public TimeSpan ProbeTime { get; set; }

        /// <summary>HTTP requests sent with the key under test.</summary>
        public int KeyRequests { get; set; }

        /// <summary>HTTP requests sent with the admin credentials.</summary>
        public int AdminRequests { get; set; }

        /// <summary>One line naming each disagreeing probe.</summary>
        public string Summary { get; set; } = "";

        /// <summary>Every probe result.</summary>
        public BackupCredentialProbe[] Probes { get; set; } = new BackupCredentialProbe[0];

        public override string ToString() => Summary;
    }
}
