using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using BackupIam.Engine.Aws;

namespace BackupIam.Engine.Probing
{
    /// <summary>Whether the store accepted a key within the propagation limit.</summary>
    public sealed class KeyAcceptance
    {
        internal KeyAcceptance(bool accepted, TimeSpan waited, int attempts, string lastAnswer)
        {
            Accepted = accepted;
            Waited = waited;
            Attempts = attempts;
            LastAnswer = lastAnswer;
        }

        /// <summary>True when the store answered with anything but InvalidAccessKeyId/SignatureDoesNotMatch (AccessDenied is an answer).</summary>
        public bool Accepted { get; }

        /// <summary>Time spent until the key was accepted (or until the limit).</summary>
        public TimeSpan Waited { get; }

        /// <summary>Answers that said the key is not known yet.</summary>
        public int Attempts { get; }

        /// <summary>The last answer, e.g. <c>200</c>, <c>403 AccessDenied</c>, <c>403 InvalidAccessKeyId</c> or a transport error.</summary>
        public string LastAnswer { get; }
    }

    /// <summary>
    /// The propagation-aware part of <see cref="CredentialProbeRunner"/> on its own: sends one read with the key
    /// (GetBucketLocation on a bucket, or ListAllMyBuckets) and retries, with the same backoff (<see cref="PropagationBackoff"/>), the answers that say
    /// the key is not known yet, until the store knows it or the limit passes. Key rotation uses it to wait until a new
    /// key works before it deactivates the old one.
    /// </summary>
    public static class KeyAcceptanceProbe
    {
        public static async Task<KeyAcceptance> WaitAsync(AwsSession keySession, string? bucketName, TimeSpan limit, TimeSpan requestTimeout,
            IProgress<PropagationProgress>? progress, CancellationToken cancellationToken)
        {
            if (keySession == null)
            {
                throw new ArgumentNullException(nameof(keySession));
            }

            var clock = Stopwatch.StartNew();
            using (var client = new ProbeClient(keySession, requestTimeout))
            {
                int attempts = 0;
                (ProbeAnswer answer, TimeSpan at) = await PropagationBackoff.SendAsync(
                    ct => string.IsNullOrEmpty(bucketName) ? client.ListBucketsAsync(ct) : client.GetBucketLocationAsync(bucketName!, ct),
                    a => a.KeyNotAccepted || a.TransportError != null,
                    () => clock.Elapsed,
                    () => limit,
                    (now, a) =>
                    {
                        attempts++;
                        progress?.Report(new PropagationProgress(now, limit, attempts, a.ErrorCode ?? "no answer"));
                    },
                    cancellationToken).ConfigureAwait(false);
                bool accepted = !answer.KeyNotAccepted && answer.TransportError == null;
                return new KeyAcceptance(accepted, at, attempts, answer.ToString());
            }
        }
    }
}
