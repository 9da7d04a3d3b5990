using System;
using System.Threading;
using System.Threading.Tasks;

namespace BackupIam.Engine.Aws.Iam
{
    /// <summary>Timeouts and retry behaviour of <see cref="IamQueryClient"/>.</summary>
    public sealed class IamClientOptions
    {
        /// <summary>Timeout of one HTTP attempt. Default 15 s (<see cref="AwsRequestLimits.DefaultAttemptTimeout"/>).</summary>
        public TimeSpan RequestTimeout { get; set; } = AwsRequestLimits.DefaultAttemptTimeout;

        /// <summary>
        /// Bound of one call, every attempt and back-off delay included: no attempt starts, and none runs, past it.
        /// Default 60 s (<see cref="AwsRequestLimits.DefaultTotalTimeout"/>).
        /// </summary>
        public TimeSpan TotalTimeout { get; set; } = AwsRequestLimits.DefaultTotalTimeout;

        /// <summary>Attempts per call, first one included. Default 5.</summary>
        public int MaxAttempts { get; set; } = 5;

        /// <summary>Base of the exponential backoff. Default 100 ms.</summary>
        public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(100);

        /// <summary>Cap of the exponential backoff. Default 5 s.</summary>
        public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(5);

        /// <summary>How to wait between attempts; null means <see cref="Task.Delay(TimeSpan, CancellationToken)"/>. Tests inject a no-op.</summary>
        public Func<TimeSpan, CancellationToken, Task>? Delay { get; set; }

        /// <summary>Source of jitter in [0, 1); null means a shared <see cref="System.Random"/>.</summary>
        public Func<double>? Random { get; set; }

        /// <summary>User-Agent header sent with each request.</summary>
        public string UserAgent { get; set; } = "BackupIam";

        /// <summary>Options with the given request limits and the default retry behaviour.</summary>
        public static IamClientOptions FromLimits(AwsRequestLimits? limits)
        {
            limits ??= AwsRequestLimits.Default;
            return new IamClientOptions { RequestTimeout = limits.AttemptTimeout, TotalTimeout = limits.TotalTimeout };
        }
    }
}
