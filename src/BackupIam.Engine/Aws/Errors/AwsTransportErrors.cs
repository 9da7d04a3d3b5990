using System;
using System.Globalization;
using System.IO;
using System.Net.Http;
using System.Net.Sockets;
using BackupIam.Engine.Errors;

namespace BackupIam.Engine.Aws
{
    /// <summary>
    /// The module's errors for requests that got no usable answer at all (timeouts, refused or dropped connections,
    /// truncated responses), for every service: <c>IamRequestTimeout</c>/<c>S3RequestTimeout</c>/<c>StsRequestTimeout</c>
    /// and <c>IamConnectionFailed</c>/<c>S3ConnectionFailed</c>/<c>StsConnectionFailed</c>. Each names the call, the
    /// resource, the endpoint, how long it waited and how many attempts were actually made.
    /// </summary>
    public static class AwsTransportErrors
    {
        // Whole ids, not a service prefix joined to a suffix, so that each one can be found in the sources (the
        // about_BackupIam_Errors check collects them).
        public const string IamRequestTimeoutErrorId = "IamRequestTimeout";
        public const string S3RequestTimeoutErrorId = "S3RequestTimeout";
        public const string StsRequestTimeoutErrorId = "StsRequestTimeout";
        public const string IamConnectionFailedErrorId = "IamConnectionFailed";
        public const string S3ConnectionFailedErrorId = "S3ConnectionFailed";
        public const string StsConnectionFailedErrorId = "StsConnectionFailed";

        /// <summary>True for exceptions of the HTTP stack that mean "no usable answer" (not an answer with an error).</summary>
        public static bool IsTransportFailure(Exception ex)
        {
            for (Exception? e = ex; e != null; e = e.InnerException)
            {
                if (e is HttpRequestException || e is IOException || e is SocketException || e is TimeoutException
                    || e is System.Net.WebException)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The call got no answer within its limits.</summary>
        public static BackupIamException Timeout(
            AwsService service, string operation, string? resource, object? target, Uri? endpoint, TimeSpan waited, int attempts, AwsRequestLimits limits, Exception? inner)
        {
            string name = AwsServiceException.DisplayName(service);
            return new BackupIamException(TimeoutId(service), FailureKind.OperationTimeout,
                name + " " + operation + On(resource) + At(endpoint) + " got no answer: waited " + AwsRequestLimits.Seconds(waited) + " s over "
                + Attempts(attempts) + " (limits: " + limits + "). " + Advice(service)
                + " The limits can be raised with " + AwsRequestLimits.AttemptTimeoutVariable + " and " + AwsRequestLimits.TotalTimeoutVariable + " (seconds).",
                inner)
            {
                Target = target,
            };
        }

        /// <summary>The connection failed (refused, reset, dropped, a response that ended early) on every attempt made.</summary>
        public static BackupIamException ConnectionFailed(
            AwsService service, string operation, string? resource, object? target, Uri? endpoint, TimeSpan waited, int attempts, Exception inner)
        {
            string name = AwsServiceException.DisplayName(service);
            string what = attempts == 0
                ? "Could not send " + name + " " + operation + On(resource) + At(endpoint) + " (no request was sent)"
                : "Could not reach " + name + At(endpoint) + " for " + operation + On(resource) + " after " + Attempts(attempts) + " in "
                    + AwsRequestLimits.Seconds(waited) + " s";
            return new BackupIamException(ConnectionFailedId(service), FailureKind.ConnectionError,
                what + ": " + Describe(inner) + ". " + Advice(service),
                inner)
            {
                Target = target,
            };
        }

        private static string TimeoutId(AwsService service)
        {
            switch (service)
            {
                case AwsService.Iam:
                    return IamRequestTimeoutErrorId;
                case AwsService.Sts:
                    return StsRequestTimeoutErrorId;
                default:
                    return S3RequestTimeoutErrorId;
            }
        }

        private static string ConnectionFailedId(AwsService service)
        {
            switch (service)
            {
                case AwsService.Iam:
                    return IamConnectionFailedErrorId;
                case AwsService.Sts:
                    return StsConnectionFailedErrorId;
                default:
                    return S3ConnectionFailedErrorId;
            }
        }

        private static string Advice(AwsService service)
        {
            switch (service)
            {
                case AwsService.Iam:
                    return "Check network access, proxy settings and the endpoint URL (-EndpointUrl, or AWS_ENDPOINT_URL_IAM if IAM lives elsewhere).";
                case AwsService.Sts:
                    return "Check network access, proxy settings, and -EndpointUrl or AWS_ENDPOINT_URL_STS.";
                default:
                    return "Check the endpoint URL (-EndpointUrl), network access and proxy settings.";
            }
        }

        private static string On(string? resource) => string.IsNullOrEmpty(resource) ? "" : " on " + resource;

        private static string At(Uri? endpoint) => endpoint == null ? "" : " at " + endpoint;

        private static string Attempts(int attempts) =>
            attempts.ToString(CultureInfo.InvariantCulture) + (attempts == 1 ? " attempt" : " attempts");

        private static string Describe(Exception ex)
        {
            // The innermost message says what happened ("Connection refused", "The response ended prematurely").
            Exception inner = ex.GetBaseException();
            string message = inner.Message;
            return string.IsNullOrWhiteSpace(message) ? inner.GetType().Name : message.TrimEnd('.', ' ');
        }
    }
}
