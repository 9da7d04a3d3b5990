using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using BackupIam.Engine.Aws;

namespace BackupIam.Engine.Probing
{
    /// <summary>What one request got: the HTTP status and S3 error code, never an exception.</summary>
    internal sealed class ProbeAnswer
    {
        /// <summary>HTTP status; 0 when no answer arrived.</summary>
        public int Status { get; set; }

        public string? ErrorCode { get; set; }

        public string? Message { get; set; }

        /// <summary>Set when no answer arrived (timeout, refused connection, dropped connection).</summary>
        public string? TransportError { get; set; }

        public string? VersionId { get; set; }

        public string? UploadId { get; set; }

        public string? Text { get; set; }

        public bool Missing { get; set; }

        public LifecycleConfiguration? Lifecycle { get; set; }

        public List<(string Key, long Size)> Objects { get; } = new List<(string Key, long Size)>();

        public List<(string Key, string VersionId)> Versions { get; } = new List<(string Key, string VersionId)>();

        public TimeSpan Duration { get; set; }

        public bool Ok => Status >= 200 && Status < 300;

        /// <summary>The key is not (yet) known to the store: still propagating, or wrong.</summary>
        public bool KeyNotAccepted => ErrorCode == "InvalidAccessKeyId" || ErrorCode == "SignatureDoesNotMatch";

        public override string ToString() => TransportError ?? (Status + (ErrorCode == null ? string.Empty : " " + ErrorCode));
    }

    /// <summary>
    /// An AmazonS3Client built from a session's S3 configuration (the same as the S3 gateway's), on one HTTP connection
    /// pool of its own that counts requests. Every call returns a <see cref="ProbeAnswer"/>; S3 errors are answers here.
    /// </summary>
    internal sealed class ProbeClient : IDisposable
    {
        private readonly AmazonS3Client _client;
        private readonly CountingHttpClientFactory _http;
        private readonly AwsSession _session;

        public ProbeClient(AwsSession session, TimeSpan requestTimeout)
        {
            _session = session;
            AmazonS3Config config = S3Gateway.CreateConfig(session);
            config.Timeout = requestTimeout;
            config.MaxErrorRetry = 1;
            // Ceph RGW 16 does not always read the rest of a request body it refused early (a 403 to a PutObject): the
            // leftover bytes then spoil the next request on that connection (400 BadRequest to a HEAD). Requests with a
            // body to an S3-compatible store therefore close their connection.
            _http = new CountingHttpClientFactory(requestTimeout, closeAfterBody: session.S3ServiceUrl != null);
            config.HttpClientFactory = _http;
            _client = new AmazonS3Client(session.Credentials, config);
        }

        /// <summary>HTTP requests sent so far (SDK retries included).</summary>
        public int RequestCount => _http.Handler.Count;

        /// <summary>The first x-amz-request-id the store sent.</summary>
        public string? FirstRequestId => _http.Handler.FirstRequestId;

        public void Dispose()
        {
            _client.Dispose();
            _http.Dispose();
        }

        public Task<ProbeAnswer> PutObjectAsync(string bucket, string key, string content, bool ifNoneMatch, CancellationToken ct)
        {
            var request = new PutObjectRequest
            {
                BucketName = bucket,
                Key = key,
                ContentBody = content,
                ContentType = "text/plain",
                CannedACL = S3CannedACL.BucketOwnerFullControl,
            };
            if (ifNoneMatch)
            {
                request.IfNoneMatch = "*";
            }

            return SendAsync(c => _client.PutObjectAsync(request, c), (r, a) => a.VersionId = r.VersionId, ct);
        }

        public Task<ProbeAnswer> HeadObjectAsync(string bucket, string key, CancellationToken ct) =>
            SendAsync(c => _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = key }, c), null, ct);

        public async Task<ProbeAnswer> GetObjectAsync(string bucket, string key, bool firstByteOnly, CancellationToken ct)
        {
            var request = new GetObjectRequest { BucketName = bucket, Key = key };
            if (firstByteOnly)
            {
                request.ByteRange = new ByteRange(0, 0);
            }

            return await SendAsync(
                async c =>
                {
                    GetObjectResponse r = await _client.GetObjectAsync(request, c).ConfigureAwait(false);
                    using (r)
                    {
                        await r.ResponseStream.CopyToAsync(Stream.Null, 8192, c).ConfigureAwait(false);
                    }

                    return r;
                },
                null,
                ct).ConfigureAwait(false);
        }

        public Task<ProbeAnswer> ListAsync(string bucket, string prefix, string? delimiter, int maxKeys, CancellationToken ct)
        {
            var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix, Delimiter = delimiter, MaxKeys = maxKeys };
            return SendAsync(
                c => _client.ListObjectsV2Async(request, c),
                (r, a) =>
                {
                    foreach (S3Object o in r.S3Objects ?? new List<S3Object>())
                    {
                        a.Objects.Add((o.Key, o.Size ?? 0));
                    }
                },
                ct);
        }

        public Task<ProbeAnswer> ListVersionsAsync(string bucket, string prefix, CancellationToken ct)
        {
            var request = new ListVersionsRequest { BucketName = bucket, Prefix = prefix, MaxKeys = 1000 };
            return SendAsync(
                c => _client.ListVersionsAsync(request, c),
                (r, a) =>
                {
                    foreach (S3ObjectVersion v in r.Versions ?? new List<S3ObjectVersion>())
                    {
                        a.Versions.Add((v.Key, string.IsNullOrEmpty(v.VersionId) ? "null" : v.VersionId));
                    }
                },
                ct);
        }

        public Task<ProbeAnswer> PutObjectAclAsync(string bucket, string key, S3CannedACL acl, CancellationToken ct) =>
            SendAsync(c => _client.PutObjectAclAsync(new PutObjectAclRequest { BucketName = bucket, Key = key, ACL = acl }, c), null, ct);

        public Task<ProbeAnswer> DeleteObjectAsync(string bucket, string key, string? versionId, CancellationToken ct)
        {
            var request = new DeleteObjectRequest { BucketName = bucket, Key = key };
            if (versionId != null)
            {
                request.VersionId = versionId;
            }

            return SendAsync(c => _client.DeleteObjectAsync(request, c), (r, a) => a.VersionId = r.VersionId, ct);
        }

        public Task<ProbeAnswer> CreateMultipartUploadAsync(string bucket, string key, CancellationToken ct)
        {
            var request = new InitiateMultipartUploadRequest { BucketName = bucket, Key = key, CannedACL = S3CannedACL.BucketOwnerFullControl };
            return SendAsync(c => _client.InitiateMultipartUploadAsync(request, c), (r, a) => a.UploadId = r.UploadId, ct);
        }

        public Task<ProbeAnswer> AbortMultipartUploadAsync(string bucket, string key, string uploadId, CancellationToken ct) =>
            SendAsync(c => _client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = uploadId }, c), null, ct);

        public Task<ProbeAnswer> GetBucketLocationAsync(string bucket, CancellationToken ct) =>
            SendAsync(c => _client.GetBucketLocationAsync(new GetBucketLocationRequest { BucketName = bucket }, c), (r, a) => a.Text = r.Location?.Value, ct);

        public Task<ProbeAnswer> ListBucketsAsync(CancellationToken ct) =>
            SendAsync(c => _client.ListBucketsAsync(new ListBucketsRequest(), c), null, ct);

        public async Task<ProbeAnswer> GetBucketPolicyAsync(string bucket, CancellationToken ct)
        {
            ProbeAnswer answer = await SendAsync(
                c => _client.GetBucketPolicyAsync(new GetBucketPolicyRequest { BucketName = bucket }, c),
                (r, a) => a.Text = r.Policy,
                ct).ConfigureAwait(false);
            string? text = answer.Text;
            if (answer.ErrorCode == "NoSuchBucketPolicy")
            {
                answer.Missing = true;
            }
            else if ((answer.Ok || answer.Status == 404) && (string.IsNullOrWhiteSpace(text) || text!.TrimStart().StartsWith("<", StringComparison.Ordinal)))
            {
                // AWSSDK.S3 4.x hands a 404 error document back as the policy text instead of throwing.
                answer.Missing = string.IsNullOrWhiteSpace(text) ? answer.Ok || answer.Status == 404 : text!.Contains("NoSuchBucketPolicy");
                if (!answer.Missing)
                {
                    answer.Status = answer.Ok ? 404 : answer.Status;
                    answer.ErrorCode ??= "Unknown";
                }

                answer.Text = null;
            }
            else if (!answer.Ok)
            {
                answer.Text = null;
            }

            return answer;
        }

        public Task<ProbeAnswer> PutBucketPolicyAsync(string bucket, string policy, CancellationToken ct) =>
            SendAsync(c => _client.PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = bucket, Policy = policy }, c), null, ct);

        public Task<ProbeAnswer> DeleteBucketPolicyAsync(string bucket, CancellationToken ct) =>
            SendAsync(c => _client.DeleteBucketPolicyAsync(new DeleteBucketPolicyRequest { BucketName = bucket }, c), null, ct);

        public Task<ProbeAnswer> GetBucketVersioningAsync(string bucket, CancellationToken ct) =>
            SendAsync(c => _client.GetBucketVersioningAsync(new GetBucketVersioningRequest { BucketName = bucket }, c),
                (r, a) => a.Text = r.VersioningConfig?.Status?.Value ?? "Off", ct);

        public Task<ProbeAnswer> PutBucketVersioningAsync(string bucket, string status, CancellationToken ct)
        {
            var request = new PutBucketVersioningRequest
            {
                BucketName = bucket,
                VersioningConfig = new S3BucketVersioningConfig { Status = new VersionStatus(status) },
            };
            return SendAsync(c => _client.PutBucketVersioningAsync(request, c), null, ct);
        }

        public async Task<ProbeAnswer> GetLifecycleAsync(string bucket, CancellationToken ct)
        {
            ProbeAnswer answer = await SendAsync(
                c => _client.GetLifecycleConfigurationAsync(new GetLifecycleConfigurationRequest { BucketName = bucket }, c),
                (r, a) => a.Lifecycle = r.Configuration,
                ct).ConfigureAwait(false);
            if (answer.ErrorCode == "NoSuchLifecycleConfiguration" || (answer.Status == 404 && answer.ErrorCode == null) || (answer.Ok && (answer.Lifecycle?.Rules == null || answer.Lifecycle.Rules.Count == 0)))
            {
                answer.Missing = true;
                answer.Lifecycle = null;
            }

            return answer;
        }

        public Task<ProbeAnswer> PutLifecycleAsync(string bucket, LifecycleConfiguration configuration, CancellationToken ct) =>
            SendAsync(c => _client.PutLifecycleConfigurationAsync(new PutLifecycleConfigurationRequest { BucketName = bucket, Configuration = configuration }, c), null, ct);

        public Task<ProbeAnswer> DeleteLifecycleAsync(string bucket, CancellationToken ct) =>
            SendAsync(c => _client.DeleteLifecycleConfigurationAsync(new DeleteLifecycleConfigurationRequest { BucketName = bucket }, c), null, ct);

        public Task<ProbeAnswer> CreateBucketAsync(string bucket, CancellationToken ct)
        {
            var request = new PutBucketRequest { BucketName = bucket, UseClientRegion = false };
            string region = _session.Region.SystemName;
            if (_session.S3ServiceUrl == null && !string.Equals(region, "us-east-1", StringComparison.Ordinal))
            {
                request.BucketRegionName = region;
            }

            return SendAsync(c => _client.PutBucketAsync(request, c), null, ct);
        }

        public Task<ProbeAnswer> DeleteBucketAsync(string bucket, CancellationToken ct) =>
            SendAsync(c => _client.DeleteBucketAsync(new DeleteBucketRequest { BucketName = bucket }, c), null, ct);

        private static async Task<ProbeAnswer> SendAsync<T>(Func<CancellationToken, Task<T>> call, Action<T, ProbeAnswer>? read, CancellationToken ct)
            where T : AmazonWebServiceResponse
        {
            var answer = new ProbeAnswer();
            Stopwatch watch = Stopwatch.StartNew();
            try
            {
                T response = await call(ct).ConfigureAwait(false);
                answer.Status = (int)response.HttpStatusCode;
                read?.Invoke(response, answer);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                throw;
            }
            catch (AmazonServiceException ex) when (ex.StatusCode != 0 || !string.IsNullOrEmpty(ex.ErrorCode))
            {
                answer.Status = (int)ex.StatusCode;
                answer.ErrorCode = string.IsNullOrEmpty(ex.ErrorCode) ? null : ex.ErrorCode;
                answer.Message = ex.Message;
            }
            catch (OperationCanceledException)
            {
                answer.TransportError = "no answer within the request timeout";
            }
            catch (Exception ex) when (ex is AmazonClientException || ex is AmazonServiceException || ex is HttpRequestException || ex is IOException || ex is TimeoutException)
            {
                answer.TransportError = ex.GetBaseException() is OperationCanceledException || ex.GetBaseException() is TimeoutException
                    ? "no answer within the request timeout"
                    : ex.GetBaseException().Message;
            }

            answer.Duration = watch.Elapsed;
            return answer;
        }

        /// <summary>One HttpClient (one connection pool) per probe client, with a handler that counts requests.</summary>
        private sealed class CountingHttpClientFactory : HttpClientFactory, IDisposable
        {
            private readonly HttpClient _client;

            public CountingHttpClientFactory(TimeSpan timeout, bool closeAfterBody)
            {
                Handler = new CountingHandler(new HttpClientHandler { AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None }, closeAfterBody);
                _client = new HttpClient(Handler, disposeHandler: true) { Timeout = timeout };
            }

            public CountingHandler Handler { get; }

            public override HttpClient CreateHttpClient(IClientConfig clientConfig) => _client;

            public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

            public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;

            public void Dispose() => _client.Dispose();
        }

        private sealed class CountingHandler : DelegatingHandler
        {
            private readonly bool _closeAfterBody;
            private int _count;
            private string? _firstRequestId;

            public CountingHandler(HttpMessageHandler inner, bool closeAfterBody)
                : base(inner)
            {
                _closeAfterBody = closeAfterBody;
            }

            public int Count => Volatile.Read(ref _count);

            public string? FirstRequestId => Volatile.Read(ref _firstRequestId);

            protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                Interlocked.Increment(ref _count);
                if (_closeAfterBody && request.Content != null)
                {
                    request.Headers.ConnectionClose = true;
                }

                HttpResponseMessage response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
                if (_firstRequestId == null && response.Headers.TryGetValues("x-amz-request-id", out IEnumerable<string>? ids))
                {
                    Interlocked.CompareExchange(ref _firstRequestId, ids.FirstOrDefault(), null);
                }

                return response;
            }
        }
    }
}
