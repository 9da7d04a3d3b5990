using System;
using System.Collections.Generic;
using System.Globalization;
using BackupIam.Engine.Errors;

namespace BackupIam.Engine.Aws
{
    /// <summary>
    /// How long one IAM, S3 or STS call may take: a timeout per HTTP attempt, and a bound on the whole call with every
    /// retry and back-off included. Defaults fit an interactive session: 15 s per attempt, 60 s in total. Set by
    /// <see cref="AwsConnectionSettings.RequestTimeout"/>/<see cref="AwsConnectionSettings.TotalRequestTimeout"/>, or the
    /// environment variables <c>BACKUPIAM_REQUEST_TIMEOUT</c>/<c>BACKUPIAM_TOTAL_TIMEOUT</c> (seconds).
    /// </summary>
    public sealed class AwsRequestLimits
    {
        /// <summary>Environment variable with the per-attempt timeout in seconds.</summary>
        public const string AttemptTimeoutVariable = "BACKUPIAM_REQUEST_TIMEOUT";

        /// <summary>Environment variable with the total timeout of one call in seconds.</summary>
        public const string TotalTimeoutVariable = "BACKUPIAM_TOTAL_TIMEOUT";

        /// <summary>Default timeout of one HTTP attempt.</summary>
        public static readonly TimeSpan DefaultAttemptTimeout = TimeSpan.FromSeconds(15);

        /// <summary>Default bound of one call, attempts and back-off included.</summary>
        public static readonly TimeSpan DefaultTotalTimeout = TimeSpan.FromSeconds(60);

        /// <summary>Longest accepted value (a day): anything longer is a typo, not a timeout.</summary>
        private static readonly TimeSpan MaxValue = TimeSpan.FromDays(1);

        /// <summary>Creates limits; both must be positive.</summary>
        public AwsRequestLimits(TimeSpan attemptTimeout, TimeSpan totalTimeout)
        {
            if (attemptTimeout <= TimeSpan.Zero || attemptTimeout > MaxValue)
            {
                throw new ArgumentOutOfRangeException(nameof(attemptTimeout), "The per-attempt timeout must be above 0 and at most a day.");
            }

            if (totalTimeout <= TimeSpan.Zero || totalTimeout > MaxValue)
            {
                throw new ArgumentOutOfRangeException(nameof(totalTimeout), "The total timeout must be above 0 and at most a day.");
            }

            AttemptTimeout = attemptTimeout;
            TotalTimeout = totalTimeout;
        }

        /// <summary>15 s per attempt, 60 s in total.</summary>
        public static AwsRequestLimits Default { get; } = new AwsRequestLimits(DefaultAttemptTimeout, DefaultTotalTimeout);

        /// <summary>Timeout of one HTTP attempt.</summary>
        public TimeSpan AttemptTimeout { get; }

        /// <summary>Bound of one call: every attempt and every back-off delay included.</summary>
        public TimeSpan TotalTimeout { get; }

        /// <summary>
        /// The limits from explicit settings, else the environment, else the defaults. A bad value is refused naming where
        /// it came from and what a valid value looks like.
        /// </summary>
        public static AwsRequestLimits Resolve(TimeSpan? attemptTimeout, TimeSpan? totalTimeout, IDictionary<string, string?>? environment)
        {
            TimeSpan attempt = attemptTimeout.HasValue
                ? Checked(attemptTimeout.Value, "RequestTimeout")
                : FromEnvironment(environment, AttemptTimeoutVariable) ?? DefaultAttemptTimeout;
            TimeSpan total = totalTimeout.HasValue
                ? Checked(totalTimeout.Value, "TotalRequestTimeout")
                : FromEnvironment(environment, TotalTimeoutVariable) ?? DefaultTotalTimeout;
            return new AwsRequestLimits(attempt, total);
        }

        /// <summary>A safe description, e.g. <c>15 s per attempt, 60 s in total</c>.</summary>
        public override string ToString() => Seconds(AttemptTimeout) + " s per attempt, " + Seconds(TotalTimeout) + " s in total";

        /// <summary>Seconds with at most one decimal, invariant culture.</summary>
        internal static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);

        private static TimeSpan Checked(TimeSpan value, string name)
        {
            if (value <= TimeSpan.Zero || value > MaxValue)
            {
                throw new InputValidationException("AwsTimeoutInvalid", name,
                    name + " must be more than 0 seconds and at most a day (86400 s); it was " + Seconds(value) + " s. Give for example 15 (per attempt) or 60 (in total).");
            }

            return value;
        }

        private static TimeSpan? FromEnvironment(IDictionary<string, string?>? environment, string name)
        {
            if (environment == null || !environment.TryGetValue(name, out string? text) || string.IsNullOrWhiteSpace(text))
            {
                return null;
            }

            if (!double.TryParse(text!.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds)
                || double.IsNaN(seconds) || seconds <= 0 || seconds > MaxValue.TotalSeconds)
            {
                throw new InputValidationException("AwsTimeoutInvalid", name,
                    "The environment variable " + name + " must be a number of seconds above 0 and at most 86400; it was '" + text
                    + "'. Give for example 15 (" + AttemptTimeoutVariable + ") or 60 (" + TotalTimeoutVariable + "), or unset it for the defaults.");
            }

            return TimeSpan.FromSeconds(seconds);
        }
    }
}
