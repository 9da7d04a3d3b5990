using System;
using System.Collections.Generic;
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
    /// <see cref="IIamClient"/> over the IAM Query protocol (API version 2010-05-08): form-encoded HTTPS POSTs signed with
    /// SigV4, XML answers. Retries throttling, HTTP 429/5xx and transient network errors with full-jitter exponential
    /// backoff; never retries other 4xx errors. One HttpClient per instance: dispose it.
    /// </summary>
    public sealed class IamQueryClient : IIamClient
    {
        /// <summary>The IAM API version this client speaks.</summary>
        public const string ApiVersion = "2010-05-08";

        /// <summary>Actions whose repetition would create a second resource (no idempotency token in IAM's API).</summary>
        private static readonly HashSet<string> NotIdempotent = new HashSet<string>(StringComparer.Ordinal) { "CreateAccessKey" };

        private static readonly HashSet<string> ThrottlingCodes = new HashSet<string>(StringComparer.Ordinal)
        {
            "Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException", "RequestThrottled",
            "RequestThrottledException", "SlowDown",
        };

        private static readonly object RandomLock = new object();
        private static readonly Random SharedRandom = new Random();

        private readonly Uri _endpoint;
        private readonly string _signingRegion;
        private readonly AWSCredentials _credentials;
        private readonly IamClientOptions _options;
        private readonly HttpClient _http;
        private bool _disposed;

        /// <summary>Creates a client for the session's IAM endpoint and credentials.</summary>
        public IamQueryClient(AwsSession session, IamClientOptions? options = null)
            : this(Check(session).IamEndpoint, session.IamSigningRegion, session.Credentials, options)
        {
        }

        /// <summary>Creates a client for an explicit endpoint (tests, S3-compatible stores with an IAM API).</summary>
        public IamQueryClient(Uri endpoint, string signingRegion, AWSCredentials credentials, IamClientOptions? options = null)
        {
            _endpoint = endpoint ?? throw new ArgumentNullException(nameof(endpoint));
            _signingRegion = string.IsNullOrEmpty(signingRegion) ? "us-east-1" : signingRegion;
            _credentials = credentials ?? throw new ArgumentNullException(nameof(credentials));
            _options = options ?? new IamClientOptions();
            if (_options.MaxAttempts < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(options), "MaxAttempts must be at least 1.");
            }

            _http = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate })
            {
                Timeout = Timeout.InfiniteTimeSpan,
            };
        }

        /// <summary>The endpoint requests go to.</summary>
        public Uri Endpoint => _endpoint;

        /// <inheritdoc />
        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                _http.Dispose();
            }
        }

        // ------------------------------------------------------------------ users

        /// <inheritdoc />
        public async Task<GetUserResponse> GetUserAsync(GetUserRequest request, CancellationToken cancellationToken)
        {
            var p = new Params().Add("UserName", Check(request).UserName);
            var r = await InvokeAsync("GetUser", p, cancellationToken).ConfigureAwait(false);
            return new GetUserResponse { User = IamXml.ReadUser(r.Result.Child("User")), RequestId = r.RequestId };
        }

        /// <inheritdoc />
        public async Task<CreateUserResponse> CreateUserAsync(CreateUserRequest request, CancellationToken cancellationToken)
        {
            var p = new Params()
                .Add("UserName", Required(Check(request).UserName, "UserName", "CreateUser"))
                .Add("Path", request.Path)
                .Add("PermissionsBoundary", request.PermissionsBoundary)
                .AddTags(request.Tags);
            var r = await InvokeAsync("CreateUser", p, cancellationToken).ConfigureAwait(false);
            return new CreateUserResponse { User = IamXml.ReadUser(r.Result.Child("User")), RequestId = r.RequestId };
        }

        /// <inheritdoc />
        public async Task<DeleteUserResponse> DeleteUserAsync(DeleteUserRequest request, CancellationToken cancellationToken)
        {
            var p = new Params().Add("UserName", Required(Check(request).UserName, "UserName", "DeleteUser"));
            var r = await InvokeAsync("DeleteUser", p, cancellationToken).ConfigureAwait(false);
            return new DeleteUserResponse { RequestId = r.RequestId };
        }

        /// <inheritdoc />
        public async Task<TagUserResponse> TagUserAsync(TagUserRequest request, CancellationToken cancellationToken)
        {
            var p = new Params().Add("UserName", Required(Check(request).UserName, "UserName", "TagUser")).AddTags(request.Tags);
            var r = await InvokeAsync("TagUser", p, cancellationToken).ConfigureAwait(false);
            return new TagUserResponse { RequestId = r.RequestId };
        }

        /// <inheritdoc />
        public async Task<PutUserPermissionsBoundaryResponse> PutUserPermissionsBoundaryAsync(PutUserPermissionsBoundaryRequest request, CancellationToken cancellationToken)
        {
            var p = new Params()
                .Add("UserName", Required(Check(request).UserName, "UserName", "PutUserPermissionsBoundary"))
                .Add("PermissionsBoundary", Required(request.PermissionsBoundary, "PermissionsBoundary", "PutUserPermissionsBoundary"));
            var r = await InvokeAsync("PutUserPermissionsBoundary", p, cancellationToken).ConfigureAwait(false);
            return new PutUserPermissionsBoundaryResponse { RequestId = r.RequestId };
        }

        /// <inheritdoc />
        public async Task<GetLoginProfileResponse> GetLoginProfileAsync(GetLoginProfileRequest request, CancellationToken cancellationToken)
        {
            var p = new Params().Add("UserName", Required(Check(request).UserName, "UserName", "GetLoginProfile"));
            var r = await InvokeAsync("GetLoginProfile", p, cancellationToken).ConfigureAwait(false);
            XElement? lp = r.Result.Child("LoginProfile");
            return new GetLoginProfileResponse
            {
                LoginProfile = new LoginProfile
                {
                    UserName = lp.Text("UserName"),
                    CreateDate = lp.Date("CreateDate"),
                    PasswordResetRequired = lp.Bool("PasswordResetRequired"),
                },
                RequestId = r.RequestId,
            };
        }

        /// <inheritdoc />
        public async Task<DeleteLoginProfileResponse> DeleteLoginProfileAsync(DeleteLoginProfileRequest request, CancellationToken cancellationToken)
        {
            var p = new Params().Add("UserName", Required(Check(request).UserName, "UserName", "DeleteLoginProfile"));
            var r = await InvokeAsync("DeleteLoginProfile", p, cancellationToken).ConfigureAwait(false);
            return new DeleteLoginProfileResponse { RequestId = r.RequestId };
        }

        /// <inheritdoc />
        public async Task<ListUsersResponse> ListUsersAsync(ListUsersRequest request, CancellationToken cancellationToken)
        {
            var p = new Params().Add("PathPrefix", Check(request).PathPrefix).AddPaging(request);
            var r = await InvokeAsync("ListUsers", p, cancellationToken).ConfigureAwait(false);
            var response = new ListUsersResponse { Users = r.Result.Members("Users").Select(IamXml.ReadUser).ToList() };
            return Paged(response, r);
        }

        // ------------------------------------------------------------------ access keys

        /// <inheritdoc />
        public async Task<ListAccessKeysResponse> ListAccessKeysAsync(ListAccessKeysRequest request, CancellationToken cancellationToken)
        {
            var p = new Params().Add("UserName", Check(request).UserName).AddPaging(request);
            var r = await InvokeAsync("ListAccessKeys", p, cancellationToken).ConfigureAwait(false);
            var response = new ListAccessKeysResponse
            {
                AccessKeyMetadata = r.Result.Members("AccessKeyMetadata").Select(IamXml.ReadAccessKeyMetadata).ToList(),
            };
            return Paged(response, r);
        }

        /// <inheritdoc />
        public async Task<CreateAccessKeyResponse> CreateAccessKeyAsync(CreateAccessKeyRequest request, CancellationToken cancellationToken)
        {
            var p = new Params().Add("UserName", Check(request).UserName);
            var r = await InvokeAsync("CreateAccessKey", p, cancellationToken, sensitiveResponse: true).ConfigureAwait(false);
            XElement? k = r.Result.Child("AccessKey");
            return new CreateAccessKeyResponse
            {
                AccessKey = new AccessKey
                {
                    AccessKeyId = k.Text("AccessKeyId"),
                    SecretAccessKey = k.Text("SecretAccessKey"),
                    Status = k.Text("Status"),
                    UserName = k.Text("UserName"),
                    CreateDate = k.Date("CreateDate"),
                },
                RequestId = r.RequestId,
            };
        }

        /// <inheritdoc />
        public async Task<UpdateAccessKeyResponse> UpdateAccessKeyAsync(UpdateAccessKeyRequest request, CancellationToken cancellationToken)
        {
            var p = new Params()
                .Add("UserName", Check(request).UserName)
                .Add("AccessKeyId", Required(request.AccessKeyId, "AccessKeyId", "UpdateAccessKey"))
                .Add("Status", Required(request.Status, "Status", "UpdateAccessKey"));
            var r = await InvokeAsync("UpdateAccessKey", p, cancellationToken).ConfigureAwait(false);
            return new UpdateAccessKeyResponse { RequestId = r.RequestId };
        }

        /// <inheritdoc />
        public async Task<DeleteAccessKeyResponse> DeleteAccessKeyAsync(DeleteAccessKeyRequest request, CancellationToken cancellationToken)
        {
            var p = new Params()
                .Add("UserName", Check(request).UserName)
                .Add("AccessKeyId", Required(request.AccessKeyId, "AccessKeyId", "DeleteAccessKey"));
            var r = await InvokeAsync("DeleteAccessKey", p, cancellationToken).ConfigureAwait(false);
            return new DeleteAccessKeyResponse { RequestId = r.RequestId };
        }

        /// <inheritdoc />
        public async Task<GetAccessKeyLastUsedResponse> GetAccessKeyLastUsedAsync(GetAccessKeyLastUsedRequest request, CancellationToken cancellationToken)
        {
            var p = new Params().Add("AccessKeyId", Required(Check(request).AccessKeyId, "AccessKeyId", "GetAccessKeyLastUsed"));
            var r = await InvokeAsync("GetAccessKeyLastUsed", p, cancellationToken).ConfigureAwait(false);
            XElement? u = r.Result.Child("AccessKeyLastUsed");
            return new GetAccessKeyLastUsedResponse
            {
                UserName = r.Result.Text("UserName"),
                AccessKeyLastUsed = new AccessKeyLastUsed
                {
                    LastUsedDate = u.DateOrNull("LastUsedDate"),
                    ServiceName = u.Text("ServiceName"),
                    Region = u.Text("Region"),
                },
                RequestId = r.RequestId,
            };
        }

        // ------------------------------------------------------------------ groups

        /// <inheritdoc />
        public async Task<GetGroupResponse> GetGroupAsync(GetGroupRequest request, CancellationToken cancellationToken)
        {
            var p = new Params().Add("GroupName", Required(Check(request).GroupName, "GroupName", "GetGroup")).AddPaging(request);
            var r = await InvokeAsync("GetGroup", p, cancellationToken).ConfigureAwait(false);
            var response = new GetGroupResponse
            {
                Group = IamXml.ReadGroup(r.Result.Child("Group")),
                Users = r.Result.Members("Users").Select(IamXml.ReadUser).ToList(),
            };
            return Paged(response, r);
        }

        /// <inheritdoc />
        public async Task<CreateGroupResponse> CreateGroupAsync(CreateGroupRequest request, CancellationToken cancellationToken)
        {
            var p = new Params().Add("GroupName", Required(Check(request).GroupName, "GroupName", "CreateGroup")).Add("Path", request.Path);
            var r = await InvokeAsync("CreateGroup", p, cancellationToken).ConfigureAwait(false);
            return new CreateGroupResponse { Group = IamXml.ReadGroup(r.Result.Child("Group")), RequestId = r.RequestId };
        }

        /// <inheritdoc />
        public async Task<DeleteGroupResponse> DeleteGroupAsync(DeleteGroupRequest request, CancellationToken cancellationToken)
        {
            var p = new Params().Add("GroupName", Required(Check(request).GroupName, "GroupName", "DeleteGroup"));
            var r = await InvokeAsync("DeleteGroup", p, cancellationToken).ConfigureAwait(false);
            return new DeleteGroupResponse { RequestId = r.RequestId };
        }

        /// <inheritdoc />
        public async Task<AddUserToGroupResponse> AddUserToGroupAsync(AddUserToGroupRequest request, CancellationToken cancellationToken)
        {
            var p = new Params()
                .Add("GroupName", Required(Check(request).GroupName, "GroupName", "AddUserToGroup"))
                .Add("UserName", Required(request.UserName, "UserName", "AddUserToGroup"));
            var r = await InvokeAsync("AddUserToGroup", p, cancellationToken).ConfigureAwait(false);
            return new AddUserToGroupResponse { RequestId = r.RequestId };
        }

        /// <inheritdoc />
        public async Task<RemoveUserFromGroupResponse> RemoveUserFromGroupAsync(RemoveUserFromGroupRequest request, CancellationToken cancellationToken)
        {
            var p = new Params()
                .Add("GroupName", Required(Check(request).GroupName, "GroupName", "RemoveUserFromGroup"))
                .Add("UserName", Required(request.UserName, "UserName", "RemoveUserFromGroup"));
            var r = await InvokeAsync("RemoveUserFromGroup", p, cancellationToken).ConfigureAwait(false);
            return new RemoveUserFromGroupResponse { RequestId = r.RequestId };
        }

        /// <inheritdoc />
        public async Task<ListGroupsForUserResponse> ListGroupsForUserAsync(ListGroupsForUserRequest request, CancellationToken cancellationToken)
        {
            var p = new Params().Add("UserName", Required(Check(request).UserName, "UserName", "ListGroupsForUser")).AddPaging(request);
            var r = await InvokeAsync("ListGroupsForUser", p, cancellationToken).ConfigureAwait(false);
            var response = new ListGroupsForUserResponse { Groups = r.Result.Members("Groups").Select(IamXml.ReadGroup).ToList() };
            return Paged(response, r);
        }

        // ------------------------------------------------------------------ inline policies

        /// <inheritdoc />
        public async Task<PutGroupPolicyResponse> PutGroupPolicyAsync(PutGroupPolicyRequest request, CancellationToken cancellationToken)
        {
            var p = new Params()
                .Add("GroupName", Required(Check(request).GroupName, "GroupName", "PutGroupPolicy"))
                .Add("PolicyName", Required(request.PolicyName, "PolicyName", "PutGroupPolicy"))
                .Add("PolicyDocument", Required(request.PolicyDocument, "PolicyDocument", "PutGroupPolicy"));
            var r = await InvokeAsync("PutGroupPolicy", p, cancellationToken).ConfigureAwait(false);
            return new PutGroupPolicyResponse { RequestId = r.RequestId };
        }

        /// <inheritdoc />
        public async Task<GetGroupPolicyResponse> GetGroupPolicyAsync(GetGroupPolicyRequest request, CancellationToken cancellationToken)
        {
            var p = new Params()
                .Add("GroupName", Required(Check(request).GroupName, "GroupName", "GetGroupPolicy"))
                .Add("PolicyName", Required(request.PolicyName, "PolicyName", "GetGroupPolicy"));
            var r = await InvokeAsync("GetGroupPolicy", p, cancellationToken).ConfigureAwait(false);
            return new GetGroupPolicyResponse
            {
                GroupName = r.Result.Text("GroupName"),
                PolicyName = r.Result.Text("PolicyName"),
                PolicyDocument = IamXml.DecodePolicyDocument(r.Result.Text("PolicyDocument")),
                RequestId = r.RequestId,
            };
        }

        /// <inheritdoc />
        public async Task<DeleteGroupPolicyResponse> DeleteGroupPolicyAsync(DeleteGroupPolicyRequest request, CancellationToken cancellationToken)
        {
            var p = new Params()
                .Add("GroupName", Required(Check(request).GroupName, "GroupName", "DeleteGroupPolicy"))
                .Add("PolicyName", Required(request.PolicyName, "PolicyName", "DeleteGroupPolicy"));
            var r = await InvokeAsync("DeleteGroupPolicy", p, cancellationToken).ConfigureAwait(false);
            return new DeleteGroupPolicyResponse { RequestId = r.RequestId };
        }

        /// <inheritdoc />
        public async Task<ListGroupPoliciesResponse> ListGroupPoliciesAsync(ListGroupPoliciesRequest request, CancellationToken cancellationToken)
        {
            var p = new Params().Add("GroupName", Required(Check(request).GroupName, "GroupName", "ListGroupPolicies")).AddPaging(request);
            var r = await InvokeAsync("ListGroupPolicies", p, cancellationToken).ConfigureAwait(false);
            var response = new ListGroupPoliciesResponse { PolicyNames = r.Result.Members("PolicyNames").Select(m => m.Value).ToList() };
            return Paged(response, r);
        }

        /// <inheritdoc />
        public async Task<PutUserPolicyResponse> PutUserPolicyAsync(PutUserPolicyRequest request, CancellationToken cancellationToken)
        {
            var p = new Params()
                .Add("UserName", Required(Check(request).UserName, "UserName", "PutUserPolicy"))
                .Add("PolicyName", Required(request.PolicyName, "PolicyName", "PutUserPolicy"))
                .Add("PolicyDocument", Required(request.PolicyDocument, "PolicyDocument", "PutUserPolicy"));
            var r = await InvokeAsync("PutUserPolicy", p, cancellationToken).ConfigureAwait(false);
            return new PutUserPolicyResponse { RequestId = r.RequestId };
        }

        /// <inheritdoc />
        public async Task<GetUserPolicyResponse> GetUserPolicyAsync(GetUserPolicyRequest request, CancellationToken cancellationToken)
        {
            var p = new Params()
                .Add("UserName", Required(Check(request).UserName, "UserName", "GetUserPolicy"))
                .Add("PolicyName", Required(request.PolicyName, "PolicyName", "GetUserPolicy"));
            var r = await InvokeAsync("GetUserPolicy", p, cancellationToken).ConfigureAwait(false);
            return new GetUserPolicyResponse
            {
                UserName = r.Result.Text("UserName"),
                PolicyName = r.Result.Text("PolicyName"),
                PolicyDocument = IamXml.DecodePolicyDocument(r.Result.Text("PolicyDocument")),
                RequestId = r.RequestId,
            };
        }

        /// <inheritdoc />
        public async Task<DeleteUserPolicyResponse> DeleteUserPolicyAsync(DeleteUserPolicyRequest request, CancellationToken cancellationToken)
        {
            var p = new Params()
                .Add("UserName", Required(Check(request).UserName, "UserName", "DeleteUserPolicy"))
                .Add("PolicyName", Required(request.PolicyName, "PolicyName", "DeleteUserPolicy"));
            var r = await InvokeAsync("DeleteUserPolicy", p, cancellationToken).ConfigureAwait(false);
            return new DeleteUserPolicyResponse { RequestId = r.RequestId };
        }

        /// <inheritdoc />
        public async Task<ListUserPoliciesResponse> ListUserPoliciesAsync(ListUserPoliciesRequest request, CancellationToken cancellationToken)
        {
            var p = new Params().Add("UserName", Required(Check(request).UserName, "UserName", "ListUserPolicies")).AddPaging(request);
            var r = await InvokeAsync("ListUserPolicies", p, cancellationToken).ConfigureAwait(false);
            var response = new ListUserPoliciesResponse { PolicyNames = r.Result.Members("PolicyNames").Select(m => m.Value).ToList() };
            return Paged(response, r);
        }

        /// <inheritdoc />
        public async Task<ListAttachedUserPoliciesResponse> ListAttachedUserPoliciesAsync(ListAttachedUserPoliciesRequest request, CancellationToken cancellationToken)
        {
            var p = new Params()
                .Add("UserName", Required(Check(request).UserName, "UserName", "ListAttachedUserPolicies"))
                .Add("PathPrefix", request.PathPrefix)
                .AddPaging(request);
            var r = await InvokeAsync("ListAttachedUserPolicies", p, cancellationToken).ConfigureAwait(false);
            var response = new ListAttachedUserPoliciesResponse
            {
                AttachedPolicies = r.Result.Members("AttachedPolicies").Select(IamXml.ReadAttachedPolicy).ToList(),
            };
            return Paged(response, r);
        }

        /// <inheritdoc />
        public async Task<ListAttachedGroupPoliciesResponse> ListAttachedGroupPoliciesAsync(ListAttachedGroupPoliciesRequest request, CancellationToken cancellationToken)
        {
            var p = new Params()
                .Add("GroupName", Required(Check(request).GroupName, "GroupName", "ListAttachedGroupPolicies"))
                .Add("PathPrefix", request.PathPrefix)
                .AddPaging(request);
            var r = await InvokeAsync("ListAttachedGroupPolicies", p, cancellationToken).ConfigureAwait(false);
            var response = new ListAttachedGroupPoliciesResponse
            {
                AttachedPolicies = r.Result.Members("AttachedPolicies").Select(IamXml.ReadAttachedPolicy).ToList(),
            };
            return Paged(response, r);
        }

        // ------------------------------------------------------------------ transport

        private static T Paged<T>(T response, RawResult r)
            where T : IamPagedResponse
        {
            response.IsTruncated = r.Result.Bool("IsTruncated");
            response.Marker = r.Result.TextOrNull("Marker");
            response.RequestId = r.RequestId;
            return response;
        }

        private async Task<RawResult> InvokeAsync(string action, Params parameters, CancellationToken cancellationToken, bool sensitiveResponse = false)
        {
            if (_disposed)
            {
                throw new ObjectDisposedException(nameof(IamQueryClient));
            }

            byte[] body = Encoding.UTF8.GetBytes(parameters.ToFormBody(action));
            Exception? lastTransient = null;
            bool lastWasTimeout = false;
            IamServiceException? lastServiceError = null;

            // A request that creates something new each time (a second access key) is only retried when IAM certainly
            // rejected it (throttling); after a timeout, a dropped connection or a 5xx it may have taken effect.
            bool retryOnlyWhenRejected = NotIdempotent.Contains(action);
            for (int attempt = 1; attempt <= _options.MaxAttempts; attempt++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (attempt > 1)
                {
                    await DelayAsync(BackoffDelay(attempt - 1), cancellationToken).ConfigureAwait(false);
                }

                ImmutableCredentials credentials = await GetCredentialsAsync().ConfigureAwait(false);
                using (HttpRequestMessage message = BuildRequest(body, credentials))
                using (var attemptCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    attemptCts.CancelAfter(_options.RequestTimeout);
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
                        bool rejected = status == 429 || ThrottlingCodes.Contains(error.AwsErrorCode);
                        bool retryable = rejected || (status >= 500 && !retryOnlyWhenRejected);
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

            string attempts = _options.MaxAttempts.ToString(CultureInfo.InvariantCulture);
            if (lastWasTimeout)
            {
                throw new BackupIamException("IamRequestTimeout", FailureKind.OperationTimeout,
                    "IAM " + action + " at " + _endpoint + " did not answer within " + _options.RequestTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)
                    + " s, " + attempts + " attempts. Check network access to the endpoint, or set -EndpointUrl or AWS_ENDPOINT_URL_IAM if IAM lives elsewhere.",
                    lastTransient);
            }

            throw new BackupIamException("IamConnectionFailed", FailureKind.ConnectionError,
                "Could not reach IAM at " + _endpoint + " for " + action + " after " + attempts + " attempts: "
                + (lastTransient?.GetBaseException().Message ?? "no response") + ". Check network access, proxy settings and the endpoint URL.",
                lastTransient);
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
            string code = "Http" + status.ToString(CultureInfo.InvariantCulture);
            string message = "IAM answered HTTP " + status.ToString(CultureInfo.InvariantCulture) + " without an XML error document.";
            string? requestId = headerRequestId;
            try
            {
                XElement root = LoadXml(bytes);
                XElement? error = root.DescendantsAndSelf().FirstOrDefault(e => e.Name.LocalName == "Error");
                if (error != null)
                {
                    code = error.TextOrNull("Code") ?? code;
                    message = error.TextOrNull("Message") ?? "";
                }

                requestId = root.DescendantsAndSelf().FirstOrDefault(e => e.Name.LocalName == "RequestId")?.Value ?? requestId;
            }
            catch (XmlException)
            {
                // keep the HTTP-status code and message; the body is never quoted (it could hold a secret)
            }

            message = Scrub(message, credentials);
            if (sensitive && message.IndexOf("SecretAccessKey", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                message = "(message withheld: it quoted a secret access key)";
            }

            return MapError(action, code, message, requestId, status);
        }

        internal static IamServiceException MapError(string action, string code, string message, string? requestId, int status)
        {
            switch (code)
            {
                case "EntityAlreadyExists":
                    return new EntityAlreadyExistsException(action, code, message, requestId, status);
                case "NoSuchEntity":
                    return new NoSuchEntityException(action, code, message, requestId, status);
                case "LimitExceeded":
                    return new LimitExceededException(action, code, message, requestId, status);
                case "MalformedPolicyDocument":
                    return new MalformedPolicyDocumentException(action, code, message, requestId, status);
                case "DeleteConflict":
                    return new DeleteConflictException(action, code, message, requestId, status);
                case "AccessDenied":
                case "AccessDeniedException":
                case "UnauthorizedOperation":
                    return new IamAccessDeniedException(action, code, message, requestId, status);
                case "InvalidClientTokenId":
                case "SignatureDoesNotMatch":
                case "IncompleteSignature":
                case "MissingAuthenticationToken":
                case "ExpiredToken":
                case "InvalidAccessKeyId":
                    return new IamServiceException("IamAuthenticationFailed", FailureKind.PermissionDenied, action, code, message, requestId, status);
                case "InvalidInput":
                case "ValidationError":
                case "InvalidParameterValue":
                case "InvalidParameterCombination":
                case "MissingParameter":
                    return new IamServiceException("IamInvalidInput", FailureKind.InvalidArgument, action, code, message, requestId, status);
                case "ConcurrentModification":
                    return new IamServiceException("IamConcurrentModification", FailureKind.ResourceBusy, action, code, message, requestId, status);
            }

            if (status == 429 || ThrottlingCodes.Contains(code))
            {
                return new IamThrottledException(action, code, message, requestId, status);
            }

            if (status == 403)
            {
                return new IamAccessDeniedException(action, code, message, requestId, status);
            }

            return new IamServiceException("IamServiceError", FailureKind.Unknown, action, code, message, requestId, status);
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

        private static string Required(string? value, string field, string action)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new InputValidationException("IamParameterMissing", field,
                    "IAM " + action + " needs " + field + "; it was empty. Give a non-empty value, for example a name like 'backup-veeam'.");
            }

            return value!;
        }

        private static T Check<T>(T value)
            where T : class
        {
            return value ?? throw new ArgumentNullException("request");
        }

        private readonly struct RawResult
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
        private sealed class Params
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
