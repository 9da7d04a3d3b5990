using System;
using System.Threading;
using System.Threading.Tasks;

namespace BackupIam.Engine.Probing
{
    /// <summary>
    /// The one propagation wait of the probes: a request sent with a new key is sent again while its answer says the key
    /// is not known yet, after 250 ms, doubling up to 4 s, never past the deadline. Used by
    /// <see cref="CredentialProbeRunner"/> (Test-BackupCredential) and <see cref="KeyAcceptanceProbe"/> (key rotation).
    /// </summary>
    internal static class PropagationBackoff
    {
        private const int FirstDelayMs = 250;
        private const int MaxDelayMs = 4000;

        /// <summary>
        /// Sends <paramref name="call"/> until <paramref name="notYet"/> is false for its answer or the deadline (read
        /// anew each time: it may be moved) has passed; <paramref name="onRetry"/> is told of each answer that is retried.
        /// Returns the last answer and the time it came, on <paramref name="elapsed"/>'s clock.
        /// </summary>
        public static async Task<(ProbeAnswer Answer, TimeSpan At)> SendAsync(
            Func<CancellationToken, Task<ProbeAnswer>> call,
            Func<ProbeAnswer, bool> notYet,
            Func<TimeSpan> elapsed,
            Func<TimeSpan> deadline,
            Action<TimeSpan, ProbeAnswer> onRetry,
            CancellationToken cancellationToken)
        {
            int delayMs = FirstDelayMs;
            while (true)
            {
                ProbeAnswer answer = await call(cancellationToken).ConfigureAwait(false);
                TimeSpan now = elapsed();
                TimeSpan limit = deadline();
                if (!notYet(answer) || now >= limit)
                {
                    return (answer, now);
                }

                onRetry(now, answer);
                TimeSpan wait = TimeSpan.FromMilliseconds(delayMs);
                if (now + wait > limit)
                {
                    wait = limit - now;
                }

                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                delayMs = Math.Min(delayMs * 2, MaxDelayMs);
            }
        }
    }
}
