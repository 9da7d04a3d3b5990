using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;

namespace BackupIam.Engine.Aws
{
    /// <summary>
    /// Runs one AWSSDK call (S3, STS) within the session's <see cref="AwsRequestLimits"/> and maps every way it can fail
    /// to the module's errors: an error answer through <see cref="AwsErrorClassifier"/>, no answer through
    /// <see cref="AwsTransportErrors"/> (naming the call, the resource, the time waited and the attempts actually made).
    /// Never lets a raw SDK or HTTP-stack exception out; the caller's own cancellation still surfaces as
    /// <see cref="OperationCanceledException"/>.
    /// </summary>
    internal static class SdkCall
    {
        /// <summary>Runs <paramref name="call"/> with a token that also fires when the call's total time is used up.</summary>
        /// <param name="service">S3 or STS.</param>
        /// <param name="operation">The operation's name, e.g. <c>HeadBucket</c>.</param>
        /// <param name="resource">The resource for messages, e.g. <c>bucket 'b'</c>; null if none.</param>
        /// <param name="target">The item the failure is about (a bucket name), for the ErrorRecord.</param>
        /// <param name="endpoint">The endpoint, for messages; null for AWS's own endpoints.</param>
        /// <param name="limits">The per-attempt and total limits (the per-attempt one is applied by <see cref="AttemptLimitHandler"/>).</param>
        /// <param name="call">The SDK call.</param>
        /// <param name="serviceError">Turns an SDK service exception into ours (code, message, request id, status).</param>
        /// <param name="cancellationToken">The caller's token.</param>
        public static async Task<T> RunAsync<T>(
            AwsService service, string operation, string? resource, object? target, Uri? endpoint, AwsRequestLimits limits,
            Func<CancellationToken, Task<T>> call, Func<AmazonServiceException, Exception> serviceError, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            AttemptScope scope = AttemptScope.Begin();
            Stopwatch clock = Stopwatch.StartNew();
            using (var totalCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                totalCts.CancelAfter(limits.TotalTimeout);
                try
                {
                    return await call(totalCts.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    throw AwsTransportErrors.Timeout(service, operation, resource, target, endpoint, clock.Elapsed, Math.Max(1, scope.Attempts), limits, ex);
                }
                catch (AmazonServiceException ex) when ((ex.StatusCode != 0 || !string.IsNullOrEmpty(ex.ErrorCode)) && !IsAttemptTimeout(ex))
                {
                    throw serviceError(ex);
                }
                catch (Exception ex) when (ex is AmazonClientException || AwsTransportErrors.IsTransportFailure(ex))
                {
                    if (cancellationToken.IsCancellationRequested)
                    {
                        throw new OperationCanceledException(cancellationToken);
                    }

                    if (IsAttemptTimeout(ex))
                    {
                        throw AwsTransportErrors.Timeout(service, operation, resource, target, endpoint, clock.Elapsed, Math.Max(1, scope.Attempts), limits, ex);
                    }

                    throw AwsTransportErrors.ConnectionFailed(service, operation, resource, target, endpoint, clock.Elapsed, scope.Attempts, ex);
                }
            }
        }

        private static bool IsAttemptTimeout(Exception ex)
        {
            for (Exception? e = ex; e != null; e = e.InnerException)
            {
                if (e is AttemptTimeoutException)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
