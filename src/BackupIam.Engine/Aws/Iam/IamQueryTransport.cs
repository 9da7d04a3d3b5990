using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using System.Xml;
using System.Xml.Linq;
using Amazon.Runtime;
using BackupIam.Engine.Errors;

namespace BackupIam.Engine.Aws.Iam
{
    /// <summary>
    /// The IAM Query protocol on the wire: form-encoded POSTs signed with SigV4, XML answers, retries and error mapping.
    /// Retries throttling, HTTP 429/5xx and transient network errors with full-jitter exponential backoff, never other
    /// 4xx answers; every attempt has a timeout and the whole call a bound (<see cref="IamClientOptions"/>). Error answers
    /// become <see cref="IamServiceException"/>s through <see cref="AwsErrorClassifier"/>; no answer at all becomes
    /// <c>IamRequestTimeout</c> or <c>IamConnectionFailed</c> (<see cref="AwsTransportErrors"/>). One HttpClient per instance.
    /// </summary>
    internal sealed class IamQueryTransport : IDisposable
    {
        /// <summary>The IAM API version this transport speaks.</summary>
        public const string ApiVersion = "2010-05-08";

        /// <summary>Actions whose repetition would create a second resource (no idempotency token in IAM's API).</summary>
        private static readonly HashSet<string> NotIdempotent = new HashSet<string>(StringComparer.Ordinal) { "CreateAccessKey" };

        private static readonly object RandomLock = new object();
        private static readonly Random SharedRandom = new Random();

        private readonly Uri _endpoint;
        private readonly string _signingRegion;
        private readonly AWSCredentials _credentials;
        private readonly IamClientOptions _options;
        private readonly HttpClient _http;
        private bool _disposed;

        public IamQueryTransport(Uri endpoint, string signingRegion, AWSCredentials credentials, IamClientOptions options)
        {
            _endpoint = endpoint ?? throw new ArgumentNullException(nameof(endpoint));
            _signingRegion = string.IsNullOrEmpty(signingRegion) ? "us-east-1" : signingRegion;
            _credentials = credentials ?? throw new ArgumentNullException(nameof(credentials));
            _options = options ?? throw new ArgumentNullException(nameof(options));
            if (_options.MaxAttempts < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(options), "MaxAttempts must be at least 1.");
            }

            if (_options.RequestTimeout <= TimeSpan.Zero || _options.TotalTimeout <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(options), "RequestTimeout and TotalTimeout must be above zero.");
            }

            // Over the process's shared connection pool (SharedHttpHandlers), so that each cmdlet reuses the connections.
            _http = new HttpClient(SharedHttpHandlers.Get(true, DecompressionMethods.GZip | DecompressionMethods.Deflate, null, null))
            {
                Timeout = Timeout.InfiniteTimeSpan,
            };
        }

        public Uri Endpoint => _endpoint;

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                _http.Dispose();
            }
        }

        /// <summary>Sends one action and returns its <c>&lt;ActionResult&gt;</c> element, or throws the mapped error.</summary>
        public async Task<RawResult> InvokeAsync(string action, Params parameters, CancellationToken cancellationToken, bool sensitiveResponse = false)
        {
            if (_disposed)
            {
                throw new ObjectDisposedException(nameof(IamQueryClient));
            }

            byte[] body = Encoding.UTF8.GetBytes(parameters.ToFormBody(action));
            Exception? lastTransient = null;
            bool lastWasTimeout = false;
            IamServiceException? lastServiceError = null;
            int attemptsMade = 0;
            Stopwatch clock = Stopwatch.StartNew();

            // A request that creates something new each time (a second access key) is only retried when IAM certainly
            // rejected it (throttling); after a timeout, a dropped connection or a 5xx it may have taken effect.
            bool retryOnlyWhenRejected = NotIdempotent.Contains(action);
            for (int attempt = 1; attempt <= _options.MaxAttempts; attempt++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (attempt > 1)
                {
                    TimeSpan delay = BackoffDelay(attempt - 1);
                    if (clock.Elapsed + delay >= _options.TotalTimeout)
                    {
                        break; // the next attempt could not start within the call's bound
                    }

                    await DelayAsync(delay, cancellationToken).ConfigureAwait(false);
                }

                TimeSpan remaining = _options.TotalTimeout - clock.Elapsed;
                if (remaining <= TimeSpan.Zero)
                {
                    break;
                }

                TimeSpan attemptTimeout = remaining < _options.RequestTimeout ? remaining : _options.RequestTimeout;
                ImmutableCredentials credentials = await GetCredentialsAsync().ConfigureAwait(false);
                using (HttpRequestMessage message = BuildRequest(body, credentials))
                using (var attemptCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    attemptCts.CancelAfter(attemptTimeout);
                    attemptsMade++;
                    HttpResponseMessage response;
                    byte[] responseBytes;
                    try
                    {
                        response = await _http.SendAsync(message, HttpCompletionOption.ResponseContentRead, attemptCts.Token).ConfigureAwait(false);
                        responseBytes = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
                    }
                    catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
                    {
                        lastTransient = ex;
                        lastWasTimeout = true;
                        if (retryOnlyWhenRejected)
                        {
                            break;
                        }

                        continue;
                    }
                    catch (Exception ex) when (ex is HttpRequestException || ex is IOException)
                    {
                        lastTransient = ex;
                        lastWasTimeout = false;
                        if (retryOnlyWhenRejected)
                        {
                            break;
                        }

                        continue;
                    }

                    using (response)
                    {
                        string? headerRequestId = HeaderValue(response, "x-amzn-RequestId") ?? HeaderValue(response, "x-amz-request-id");
                        int status = (int)response.StatusCode;
                        if (status >= 200 && status < 300)
                        {
                            return ParseSuccess(action, responseBytes, headerRequestId, sensitiveResponse, status);
                        }

                        IamServiceException error = ParseError(action, responseBytes, headerRequestId, status, credentials, sensitiveResponse);
                        bool rejected = AwsErrorClassifier.IsThrottling(error.AwsErrorCode, status);
                        bool retryable = rejected || (status >= 500 && status != 501 && !retryOnlyWhenRejected);
                        if (!retryable)
                        {
                            throw error;
                        }

                        lastServiceError = error;
                        lastTransient = null;
                    }
                }
            }

            if (lastTransient == null && lastServiceError != null)
            {
                throw lastServiceError;
            }

            var limits = new AwsRequestLimits(_options.RequestTimeout, _options.TotalTimeout);
            if (lastWasTimeout || lastTransient == null)
            {
                throw AwsTransportErrors.Timeout(AwsService.Iam, action, parameters.DescribeResource(), parameters.Target(), _endpoint, clock.Elapsed, attemptsMade, limits, lastTransient);
            }

            throw AwsTransportErrors.ConnectionFailed(AwsService.Iam, action, parameters.DescribeResource(), parameters.Target(), _endpoint, clock.Elapsed, attemptsMade, lastTransient);
        }

        private async Task<ImmutableCredentials> GetCredentialsAsync()
        {
            try
            {
                return await _credentials.GetCredentialsAsync().ConfigureAwait(false);
            }
            catch (AmazonClientException ex)
            {
                throw new BackupIamException("AwsCredentialsUnavailable", FailureKind.PermissionDenied,
                    "Could not obtain AWS credentials to sign the IAM request: " + ex.Message
                    + ". Check the profile (for SSO run 'aws sso login'), or give -AccessKey/-SecretKey.", ex);
            }
        }

        private Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken) => (_options.Delay ?? Task.Delay)(delay, cancellationToken);

        private TimeSpan BackoffDelay(int retryNumber)
        {
            double capMs = _options.MaxDelay.TotalMilliseconds;
            double exp = _options.BaseDelay.TotalMilliseconds * Math.Pow(2, retryNumber - 1);
            double ceiling = Math.Min(capMs, exp);
            double jitter;
            if (_options.Random != null)
            {
                jitter = _options.Random();
            }
            else
            {
                lock (RandomLock)
                {
                    jitter = SharedRandom.NextDouble();
                }
            }

            if (jitter < 0 || jitter >= 1 || double.IsNaN(jitter))
            {
                jitter = 0.5;
            }

            return TimeSpan.FromMilliseconds(ceiling * jitter);
        }

        private HttpRequestMessage BuildRequest(byte[] body, ImmutableCredentials credentials)
        {
            const string contentType = "application/x-www-form-urlencoded; charset=utf-8";
            DateTime now = DateTime.UtcNow;
            string amzDate = SigV4.FormatAmzDate(now);
            string host = SigV4.HostHeader(_endpoint);
            var signed = new List<KeyValuePair<string, string>>
            {
                new KeyValuePair<string, string>("content-type", contentType),
                new KeyValuePair<string, string>("host", host),
                new KeyValuePair<string, string>("x-amz-date", amzDate),
            };
            if (credentials.UseToken)
            {
                signed.Add(new KeyValuePair<string, string>("x-amz-security-token", credentials.Token));
            }

            string authorization = SigV4.Sign(credentials, _signingRegion, "iam", now, "POST", _endpoint, signed, body);

            var message = new HttpRequestMessage(HttpMethod.Post, _endpoint);
            var content = new ByteArrayContent(body);
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            message.Content = content;
            message.Headers.Host = host;
            message.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
            if (credentials.UseToken)
            {
                message.Headers.TryAddWithoutValidation("X-Amz-Security-Token", credentials.Token);
            }

            message.Headers.TryAddWithoutValidation("Authorization", authorization);
            message.Headers.TryAddWithoutValidation("User-Agent", _options.UserAgent);
            return message;
        }

        private static RawResult ParseSuccess(string action, byte[] bytes, string? headerRequestId, bool sensitive, int status)
        {
            XElement root;
            try
            {
                root = LoadXml(bytes);
            }
            catch (XmlException ex)
            {
                // The body of a CreateAccessKey answer holds a secret: neither the body nor the parser's message
                // (which can quote a token of it) may travel in the exception.
                throw new BackupIamException("IamResponseInvalid", FailureKind.InvalidData,
                    "IAM " + action + " answered HTTP " + status.ToString(CultureInfo.InvariantCulture)
                    + " with a body that is not valid XML; the endpoint may not be an IAM endpoint.",
                    sensitive ? null : ex);
            }

            XElement? result = root.Child(action + "Result") ?? root;
            string? requestId = root.Child("ResponseMetadata").TextOrNull("RequestId") ?? headerRequestId;
            return new RawResult(result, requestId);
        }

        private IamServiceException ParseError(
            string action, byte[] bytes, string? headerRequestId, int status, ImmutableCredentials credentials, bool sensitive)
        {
            // The body itself is never quoted (it could hold a secret); only its Code, Message and RequestId are kept.
            AwsErrorDocument document = AwsErrorClassifier.ReadErrorDocument(bytes);
            string code = document.Code ?? "Http" + status.ToString(CultureInfo.InvariantCulture);
            string message = document.Code != null
                ? document.Message ?? ""
                : "IAM answered HTTP " + status.ToString(CultureInfo.InvariantCulture) + " without an XML error document.";
            string? requestId = document.RequestId ?? headerRequestId;

            message = Scrub(message, credentials);
            if (sensitive && message.IndexOf("SecretAccessKey", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                message = "(message withheld: it quoted a secret access key)";
            }

            return IamServiceException.Create(action, code, message, requestId, status);
        }

        private static string Scrub(string text, ImmutableCredentials credentials)
        {
            if (string.IsNullOrEmpty(text))
            {
                return text;
            }

            if (!string.IsNullOrEmpty(credentials.SecretKey))
            {
                text = text.Replace(credentials.SecretKey, "***");
            }

            if (!string.IsNullOrEmpty(credentials.Token))
            {
                text = text.Replace(credentials.Token, "***");
            }

            return text;
        }

        private static XElement LoadXml(byte[] bytes)
        {
            var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null };
            using (var stream = new MemoryStream(bytes))
            using (var reader = XmlReader.Create(stream, settings))
            {
                return XElement.Load(reader);
            }
        }

        private static string? HeaderValue(HttpResponseMessage response, string name)
        {
            return response.Headers.TryGetValues(name, out IEnumerable<string>? values) ? values.FirstOrDefault() : null;
        }

        internal readonly struct RawResult
        {
            public RawResult(XElement? result, string? requestId)
            {
                Result = result;
                RequestId = requestId;
            }

            public XElement? Result { get; }

            public string? RequestId { get; }
        }

        /// <summary>Ordered Query-protocol parameters.</summary>
        internal sealed class Params
        {
            private readonly List<KeyValuePair<string, string>> _items = new List<KeyValuePair<string, string>>();

            public Params Add(string name, string? value)
            {
                if (value != null)
                {
                    _items.Add(new KeyValuePair<string, string>(name, value));
                }

                return this;
            }

            private string? Value(string name) => _items.Where(kv => kv.Key == name).Select(kv => kv.Value).FirstOrDefault();

            public Params AddTags(IList<Tag>? tags)
            {
                if (tags == null)
                {
                    return this;
                }

                for (int i = 0; i < tags.Count; i++)
                {
                    string n = (i + 1).ToString(CultureInfo.InvariantCulture);
                    Add("Tags.member." + n + ".Key", tags[i].Key);
                    Add("Tags.member." + n + ".Value", tags[i].Value ?? "");
                }

                return this;
            }

            public Params AddPaging(IamPagedRequest request)
            {
                Add("Marker", request.Marker);
                if (request.MaxItems.HasValue)
                {
                    Add("MaxItems", request.MaxItems.Value.ToString(CultureInfo.InvariantCulture));
                }

                return this;
            }

            /// <summary>The entity a call is about, for messages: e.g. <c>policy 'p' of user 'u'</c>.</summary>
            public string? DescribeResource()
            {
                string? user = Value("UserName");
                string? group = Value("GroupName");
                string? policy = Value("PolicyName");
                string? key = Value("AccessKeyId");
                string? owner = user != null ? "user '" + user + "'" : group != null ? "group '" + group + "'" : null;
                if (policy != null)
                {
                    return "policy '" + policy + "'" + (owner == null ? "" : " of " + owner);
                }

                if (key != null)
                {
                    return "access key " + key + (owner == null ? "" : " of " + owner);
                }

                return owner;
            }

            /// <summary>The item the call is about (user, group or key), for the ErrorRecord's target.</summary>
            public string? Target() => Value("UserName") ?? Value("GroupName") ?? Value("AccessKeyId");

            public string ToFormBody(string action)
            {
                var sb = new StringBuilder();
                sb.Append("Action=").Append(Uri.EscapeDataString(action)).Append("&Version=").Append(ApiVersion);
                foreach (var kv in _items)
                {
                    sb.Append('&').Append(Uri.EscapeDataString(kv.Key)).Append('=').Append(Uri.EscapeDataString(kv.Value));
                }

                return sb.ToString();
            }
        }
    }
}
