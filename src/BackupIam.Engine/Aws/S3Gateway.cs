using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using BackupIam.Engine.Errors;

namespace BackupIam.Engine.Aws
{
    /// <summary>
    /// <see cref="IS3Gateway"/> over AWSSDK.S3. With a custom endpoint (S3-compatible stores) it defaults to path-style
    /// addressing and checksums only when required, because AWSSDK.S3 4.x's default aws-chunked trailer checksums are
    /// rejected by e.g. Ceph RGW 16 (400 XAmzContentSHA256Mismatch).
    /// </summary>
    public sealed class S3Gateway : IS3Gateway
    {
        private readonly AmazonS3Client _client;
        private readonly AwsSession _session;
        private readonly LimitedHttpClientFactory _http;
        private S3CompatibleStoreHandler? _compatible;

        /// <summary>Creates a gateway (and its AmazonS3Client) from a session.</summary>
        public S3Gateway(AwsSession session)
        {
            _session = session ?? throw new ArgumentNullException(nameof(session));
            // Every attempt gets the per-attempt timeout; with a custom endpoint (S3-compatible stores only) the store's
            // non-AWS answers are read by S3CompatibleStoreHandler under it.
            _http = session.S3ServiceUrl == null
                ? new LimitedHttpClientFactory(session.RequestLimits)
                : new LimitedHttpClientFactory(session.RequestLimits, inner => _compatible = new S3CompatibleStoreHandler(inner)) { DropConnectionAfterRefusedBody = true };
            AmazonS3Config config = CreateConfig(session);
            config.HttpClientFactory = _http;
            _client = new AmazonS3Client(session.Credentials, config);
            _client.BeforeRequestEvent += SendExpectedBucketOwner;
        }

        /// <inheritdoc />
        public string? ExpectedBucketOwner { get; set; }

        /// <summary>Set while a request must go without the header (the HeadBucket that tells a foreign bucket from a denied one).</summary>
        private static readonly AsyncLocal<bool> s_withoutOwner = new AsyncLocal<bool>();

        /// <summary>
        /// Every request whose S3 API takes ExpectedBucketOwner gets it once the owner is known (issue 17): one place, so
        /// that no bucket call, present or added later, goes without it.
        /// </summary>
        private void SendExpectedBucketOwner(object sender, RequestEventArgs e)
        {
            string? owner = ExpectedBucketOwner;
            if (owner != null && !s_withoutOwner.Value && e is WebServiceRequestEventArgs request && BucketOwnership.Takes(request.Request))
            {
                // Raised after marshalling and before signing: the header is signed with the rest.
                request.Headers[BucketOwnership.Header] = owner;
            }
        }

        /// <summary>Builds the AmazonS3Config the gateway uses; exposed for diagnostics and tests.</summary>
        public static AmazonS3Config CreateConfig(AwsSession session)
        {
            if (session == null)
            {
                throw new ArgumentNullException(nameof(session));
            }

            var config = new AmazonS3Config();
            if (session.S3ServiceUrl != null)
            {
                config.ServiceURL = session.S3ServiceUrl.ToString();
                config.AuthenticationRegion = session.Region.SystemName;
            }
            else
            {
                config.RegionEndpoint = session.Region;
            }

            config.ForcePathStyle = session.ForcePathStyle;

            // AWSSDK retries "stale" pooled connections up to 10 times beyond MaxErrorRetry: a server that drops every
            // connection then gets 13 requests. One such retry covers a genuinely stale connection.
            config.MaxStaleConnectionRetries = 1;
            if (session.ChecksumWhenRequired)
            {
                config.RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED;
                config.ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED;
            }

            return config;
        }

        /// <summary>
        /// Cancelled when the gateway is disposed, before its client: a read still in flight then (one sent ahead of an
        /// existence check and dropped, issue 16) ends as cancelled, which AWSSDK does not retry, instead of failing with
        /// the client's disposal, which it did retry (the same read sent again after the cmdlet ended).
        /// </summary>
        private readonly CancellationTokenSource _disposing = new CancellationTokenSource();

        /// <inheritdoc />
        public void Dispose()
        {
            _disposing.Cancel();
            _client.Dispose();
            _http.Dispose();
        }

        /// <inheritdoc />
        public async Task<bool> BucketExistsAsync(string bucketName, CancellationToken cancellationToken) =>
            (await HeadBucketAsync(bucketName, cancellationToken).ConfigureAwait(false)).Exists;

        /// <inheritdoc />
        public async Task<S3BucketHead> HeadBucketAsync(string bucketName, CancellationToken cancellationToken)
        {
            try
            {
                HeadBucketResponse r = await CallAsync("HeadBucket", bucketName,
                    ct => _client.HeadBucketAsync(new HeadBucketRequest { BucketName = bucketName }, ct), cancellationToken).ConfigureAwait(false);
                string? region = string.IsNullOrEmpty(r.BucketRegion) ? null : r.BucketRegion;
                if (region != null)
                {
                    NoteRegionNamed();
                }

                return new S3BucketHead(true, region);
            }
            catch (S3ServiceException ex) when (ex.HttpStatus == (int)HttpStatusCode.NotFound)
            {
                return new S3BucketHead(false, null);
            }
            catch (S3ServiceException ex) when (ex.HttpStatus == (int)HttpStatusCode.MovedPermanently || ex.HttpStatus == (int)HttpStatusCode.Redirect
                || ex.HttpStatus == 307)
            {
                return new S3BucketHead(true, null); // exists, in another region
            }
        }

        /// <summary>Endpoints whose HeadBucket answer named the bucket's region in this process (issue 16; bounded).</summary>
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> s_regionNamed =
            new System.Collections.Concurrent.ConcurrentDictionary<string, bool>(StringComparer.Ordinal);

        private string EndpointKey => _session.S3ServiceUrl?.ToString() ?? "aws " + _session.Region.SystemName;

        private void NoteRegionNamed()
        {
            if (s_regionNamed.Count >= 1000)
            {
                s_regionNamed.Clear();
            }

            s_regionNamed[EndpointKey] = true;
        }

        /// <inheritdoc />
        public bool HeadBucketNamesRegion => s_regionNamed.ContainsKey(EndpointKey);

        /// <summary>The existence check that the reads started in this flow were sent ahead of (<see cref="ReadAheadOf"/>).</summary>
        private static readonly AsyncLocal<Task<bool>?> s_readAhead = new AsyncLocal<Task<bool>?>();

        /// <inheritdoc />
        public IDisposable ReadAheadOf(Task<bool> existence)
        {
            Task<bool>? before = s_readAhead.Value;
            s_readAhead.Value = existence ?? throw new ArgumentNullException(nameof(existence));
            return new ReadAheadScope(before);
        }

        private sealed class ReadAheadScope : IDisposable
        {
            private readonly Task<bool>? _before;
            private bool _done;

            public ReadAheadScope(Task<bool>? before)
            {
                _before = before;
            }

            public void Dispose()
            {
                if (!_done)
                {
                    _done = true;
                    s_readAhead.Value = _before;
                }
            }
        }

        /// <summary>True when the existence check a read was sent ahead of found the bucket (false when missing or failed).</summary>
        private static async Task<bool> FoundAsync(Task<bool> existence)
        {
            try
            {
                return await existence.ConfigureAwait(false);
            }
            catch (Exception)
            {
                return false;
            }
        }

        /// <inheritdoc />
        public async Task CreateBucketAsync(string bucketName, CancellationToken cancellationToken)
        {
            var request = new PutBucketRequest { BucketName = bucketName, UseClientRegion = false };
            string region = _session.Region.SystemName;
            // Also with a custom endpoint: a store that serves several regions (moto) needs the constraint; one that
            // does not know the name answers IllegalLocationConstraintException/InvalidLocationConstraint, explained by the planner.
            if (!string.Equals(region, "us-east-1", StringComparison.Ordinal))
            {
                // The region's own name: BucketRegionName would turn eu-west-1 into the legacy "EU", which AWS takes
                // but other stores (moto, RGW) refuse.
                request.PutBucketConfiguration = new PutBucketConfiguration { LocationConstraint = new BucketLocationConstraint(region) };
            }

            await CallAsync("CreateBucket", bucketName, ct => _client.PutBucketAsync(request, ct), cancellationToken).ConfigureAwait(false);
        }

        /// <inheritdoc />
        public async Task<string> GetBucketLocationAsync(string bucketName, CancellationToken cancellationToken)
        {
            GetBucketLocationResponse r = await CallAsync("GetBucketLocation", bucketName,
                ct => _client.GetBucketLocationAsync(new GetBucketLocationRequest { BucketName = bucketName }, ct), cancellationToken).ConfigureAwait(false);
            string? location = r.Location?.Value;
            if (string.IsNullOrEmpty(location))
            {
                return "us-east-1";
            }

            return location == "EU" ? "eu-west-1" : location!;
        }

        /// <inheritdoc />
        public async Task PutObjectAsync(string bucketName, string key, string? content, CancellationToken cancellationToken)
        {
            var request = new PutObjectRequest { BucketName = bucketName, Key = key, ContentBody = content ?? "" };
            await CallAsync("PutObject", bucketName, key, ct => _client.PutObjectAsync(request, ct), cancellationToken).ConfigureAwait(false);
        }

        /// <inheritdoc />
        public async Task<bool> ObjectExistsAsync(string bucketName, string key, CancellationToken cancellationToken)
        {
            try
            {
                await CallAsync("HeadObject", bucketName, key,
                    ct => _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucketName, Key = key }, ct), cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (S3ServiceException ex) when (ex.HttpStatus == (int)HttpStatusCode.NotFound && ex.AwsErrorCode != "NoSuchBucket")
            {
                return false;
            }
        }

        /// <inheritdoc />
        public async Task<IReadOnlyList<string>> ListObjectKeysAsync(string bucketName, string? prefix, CancellationToken cancellationToken)
        {
            var keys = new List<string>();
            string? token = null;
            do
            {
                var request = new ListObjectsV2Request { BucketName = bucketName, Prefix = prefix, ContinuationToken = token };
                ListObjectsV2Response r = await CallAsync("ListObjectsV2", bucketName,
                    ct => _client.ListObjectsV2Async(request, ct), cancellationToken).ConfigureAwait(false);
                if (r.S3Objects != null)
                {
                    keys.AddRange(r.S3Objects.Select(o => o.Key));
                }

                token = r.IsTruncated == true ? r.NextContinuationToken : null;
            }
            while (!string.IsNullOrEmpty(token));

            return keys;
        }

        /// <inheritdoc />
        public Task DeleteObjectAsync(string bucketName, string key, CancellationToken cancellationToken)
        {
            return CallAsync("DeleteObject", bucketName, key,
                ct => _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucketName, Key = key }, ct), cancellationToken);
        }

        /// <inheritdoc />
        public Task DeleteBucketAsync(string bucketName, CancellationToken cancellationToken)
        {
            return CallAsync("DeleteBucket", bucketName,
                ct => _client.DeleteBucketAsync(new DeleteBucketRequest { BucketName = bucketName }, ct), cancellationToken);
        }

        /// <inheritdoc />
        public async Task<string?> GetBucketPolicyAsync(string bucketName, CancellationToken cancellationToken)
        {
            try
            {
                GetBucketPolicyResponse r = await CallAsync("GetBucketPolicy", bucketName,
                    ct => _client.GetBucketPolicyAsync(new GetBucketPolicyRequest { BucketName = bucketName }, ct), cancellationToken).ConfigureAwait(false);
                string? policy = r.Policy;
                if (string.IsNullOrWhiteSpace(policy))
                {
                    return null;
                }

                // AWSSDK.S3 4.x hands a 404 error document back as the policy text instead of throwing.
                if (r.HttpStatusCode == HttpStatusCode.NotFound || policy!.TrimStart().StartsWith("<", StringComparison.Ordinal))
                {
                    AwsErrorDocument error = AwsErrorClassifier.ReadErrorDocument(System.Text.Encoding.UTF8.GetBytes(policy!));
                    string code = error.Code ?? "Http" + (int)r.HttpStatusCode;
                    if (code == "NoSuchBucketPolicy")
                    {
                        return null;
                    }

                    throw S3ServiceException.Create("GetBucketPolicy", bucketName, code, error.Message ?? "", error.RequestId, (int)r.HttpStatusCode, null);
                }

                return policy;
            }
            catch (S3ServiceException ex) when (ex.AwsErrorCode == "NoSuchBucketPolicy")
            {
                return null;
            }
        }

        /// <inheritdoc />
        public Task PutBucketPolicyAsync(string bucketName, string policyJson, CancellationToken cancellationToken)
        {
            return CallAsync("PutBucketPolicy", bucketName,
                ct => _client.PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = bucketName, Policy = policyJson }, ct), cancellationToken);
        }

        /// <inheritdoc />
        public async Task DeleteBucketPolicyAsync(string bucketName, CancellationToken cancellationToken)
        {
            try
            {
                await CallAsync("DeleteBucketPolicy", bucketName,
                    ct => _client.DeleteBucketPolicyAsync(new DeleteBucketPolicyRequest { BucketName = bucketName }, ct), cancellationToken).ConfigureAwait(false);
            }
            catch (S3ServiceException ex) when (ex.AwsErrorCode == "NoSuchBucketPolicy")
            {
            }
        }

        /// <inheritdoc />
        public async Task<S3PublicAccessBlock?> GetPublicAccessBlockAsync(string bucketName, CancellationToken cancellationToken)
        {
            try
            {
                GetPublicAccessBlockResponse r = await CallAsync("GetPublicAccessBlock", bucketName,
                    ct => _client.GetPublicAccessBlockAsync(new GetPublicAccessBlockRequest { BucketName = bucketName }, ct), cancellationToken).ConfigureAwait(false);
                PublicAccessBlockConfiguration? c = r.PublicAccessBlockConfiguration;
                if (c == null)
                {
                    return null;
                }

                return new S3PublicAccessBlock
                {
                    BlockPublicAcls = c.BlockPublicAcls == true,
                    IgnorePublicAcls = c.IgnorePublicAcls == true,
                    BlockPublicPolicy = c.BlockPublicPolicy == true,
                    RestrictPublicBuckets = c.RestrictPublicBuckets == true,
                    StoreRootElement = _compatible?.TakePublicAccessBlockRoot(r.ResponseMetadata?.RequestId),
                };
            }
            catch (S3ServiceException ex) when (ex.AwsErrorCode == "NoSuchPublicAccessBlockConfiguration")
            {
                return null;
            }
        }

        /// <inheritdoc />
        public Task PutPublicAccessBlockAsync(string bucketName, S3PublicAccessBlock settings, CancellationToken cancellationToken)
        {
            if (settings == null)
            {
                throw new ArgumentNullException(nameof(settings));
            }

            var request = new PutPublicAccessBlockRequest
            {
                BucketName = bucketName,
                PublicAccessBlockConfiguration = new PublicAccessBlockConfiguration
                {
                    BlockPublicAcls = settings.BlockPublicAcls,
                    IgnorePublicAcls = settings.IgnorePublicAcls,
                    BlockPublicPolicy = settings.BlockPublicPolicy,
                    RestrictPublicBuckets = settings.RestrictPublicBuckets,
                },
            };
            return CallAsync("PutPublicAccessBlock", bucketName, ct => _client.PutPublicAccessBlockAsync(request, ct), cancellationToken);
        }

        /// <inheritdoc />
        public async Task<string?> GetBucketOwnershipControlsAsync(string bucketName, CancellationToken cancellationToken)
        {
            try
            {
                GetBucketOwnershipControlsResponse r = await CallAsync("GetBucketOwnershipControls", bucketName,
                    ct => _client.GetBucketOwnershipControlsAsync(new GetBucketOwnershipControlsRequest { BucketName = bucketName }, ct), cancellationToken).ConfigureAwait(false);
                return r.OwnershipControls?.Rules?.FirstOrDefault()?.ObjectOwnership?.Value;
            }
            catch (S3ServiceException ex) when (ex.AwsErrorCode == "OwnershipControlsNotFoundError")
            {
                return null;
            }
        }

        /// <inheritdoc />
        public Task PutBucketOwnershipControlsAsync(string bucketName, string objectOwnership, CancellationToken cancellationToken)
        {
            var request = new PutBucketOwnershipControlsRequest
            {
                BucketName = bucketName,
                OwnershipControls = new OwnershipControls
                {
                    Rules = new List<OwnershipControlsRule> { new OwnershipControlsRule { ObjectOwnership = ObjectOwnership.FindValue(objectOwnership) } },
                },
            };
            return CallAsync("PutBucketOwnershipControls", bucketName, ct => _client.PutBucketOwnershipControlsAsync(request, ct), cancellationToken);
        }

        /// <inheritdoc />
        public async Task<S3BucketEncryption?> GetBucketEncryptionAsync(string bucketName, CancellationToken cancellationToken)
        {
            try
            {
                GetBucketEncryptionResponse r = await CallAsync("GetBucketEncryption", bucketName,
                    ct => _client.GetBucketEncryptionAsync(new GetBucketEncryptionRequest { BucketName = bucketName }, ct), cancellationToken).ConfigureAwait(false);
                ServerSideEncryptionRule? rule = r.ServerSideEncryptionConfiguration?.ServerSideEncryptionRules?.FirstOrDefault();
                if (rule?.ServerSideEncryptionByDefault == null)
                {
                    return null;
                }

                return new S3BucketEncryption
                {
                    Algorithm = rule.ServerSideEncryptionByDefault.ServerSideEncryptionAlgorithm?.Value ?? "",
                    KmsKeyId = string.IsNullOrEmpty(rule.ServerSideEncryptionByDefault.ServerSideEncryptionKeyManagementServiceKeyId)
                        ? null
                        : rule.ServerSideEncryptionByDefault.ServerSideEncryptionKeyManagementServiceKeyId,
                    BucketKeyEnabled = rule.BucketKeyEnabled == true,
                };
            }
            catch (S3ServiceException ex) when (ex.AwsErrorCode == "ServerSideEncryptionConfigurationNotFoundError")
            {
                return null;
            }
        }

        /// <inheritdoc />
        public Task PutBucketEncryptionAsync(string bucketName, CancellationToken cancellationToken)
        {
            var request = new PutBucketEncryptionRequest
            {
                BucketName = bucketName,
                ServerSideEncryptionConfiguration = new ServerSideEncryptionConfiguration
                {
                    ServerSideEncryptionRules = new List<ServerSideEncryptionRule>
                    {
                        new ServerSideEncryptionRule
                        {
                            ServerSideEncryptionByDefault = new ServerSideEncryptionByDefault
                            {
                                ServerSideEncryptionAlgorithm = ServerSideEncryptionMethod.AES256,
                            },
                        },
                    },
                },
            };
            return CallAsync("PutBucketEncryption", bucketName, ct => _client.PutBucketEncryptionAsync(request, ct), cancellationToken);
        }

        /// <inheritdoc />
        public async Task<S3VersioningState> GetBucketVersioningAsync(string bucketName, CancellationToken cancellationToken)
        {
            GetBucketVersioningResponse r = await CallAsync("GetBucketVersioning", bucketName,
                ct => _client.GetBucketVersioningAsync(new GetBucketVersioningRequest { BucketName = bucketName }, ct), cancellationToken).ConfigureAwait(false);
            string? status = r.VersioningConfig?.Status?.Value;
            if (string.Equals(status, "Enabled", StringComparison.OrdinalIgnoreCase))
            {
                return S3VersioningState.Enabled;
            }

            return string.Equals(status, "Suspended", StringComparison.OrdinalIgnoreCase) ? S3VersioningState.Suspended : S3VersioningState.Off;
        }

        /// <inheritdoc />
        public Task PutBucketVersioningAsync(string bucketName, bool enabled, CancellationToken cancellationToken)
        {
            var request = new PutBucketVersioningRequest
            {
                BucketName = bucketName,
                VersioningConfig = new S3BucketVersioningConfig { Status = enabled ? VersionStatus.Enabled : VersionStatus.Suspended },
            };
            return CallAsync("PutBucketVersioning", bucketName, ct => _client.PutBucketVersioningAsync(request, ct), cancellationToken);
        }

        /// <inheritdoc />
        public async Task<IReadOnlyList<S3LifecycleRule>?> GetBucketLifecycleConfigurationAsync(string bucketName, CancellationToken cancellationToken)
        {
            try
            {
                GetLifecycleConfigurationResponse r = await CallAsync("GetBucketLifecycleConfiguration", bucketName,
                    ct => _client.GetLifecycleConfigurationAsync(new GetLifecycleConfigurationRequest { BucketName = bucketName }, ct), cancellationToken).ConfigureAwait(false);
                List<LifecycleRule>? rules = r.Configuration?.Rules;
                if (rules == null || rules.Count == 0)
                {
                    return null;
                }

                return rules.Select(ToModel).ToList();
            }
            catch (S3ServiceException ex) when (ex.AwsErrorCode == "NoSuchLifecycleConfiguration")
            {
                return null;
            }
        }

        /// <inheritdoc />
        public Task PutBucketLifecycleConfigurationAsync(string bucketName, IEnumerable<S3LifecycleRule> rules, CancellationToken cancellationToken)
        {
            if (rules == null)
            {
                throw new ArgumentNullException(nameof(rules));
            }

            var request = new PutLifecycleConfigurationRequest
            {
                BucketName = bucketName,
                Configuration = new LifecycleConfiguration { Rules = rules.Select(ToSdk).ToList() },
            };
            return CallAsync("PutBucketLifecycleConfiguration", bucketName, ct => _client.PutLifecycleConfigurationAsync(request, ct), cancellationToken);
        }

        private static S3LifecycleRule ToModel(LifecycleRule rule)
        {
            return new S3LifecycleRule
            {
                Id = rule.Id ?? "",
                Prefix = rule.Filter?.Prefix ?? (rule.Filter?.LifecycleFilterPredicate as LifecyclePrefixPredicate)?.Prefix ?? LegacyPrefix(rule) ?? "",
                Status = rule.Status?.Value ?? "",
                ExpirationDays = rule.Expiration?.Days > 0 ? rule.Expiration.Days : null,
                NoncurrentVersionExpirationDays = rule.NoncurrentVersionExpiration?.NoncurrentDays > 0 ? rule.NoncurrentVersionExpiration.NoncurrentDays : null,
                NewerNoncurrentVersions = rule.NoncurrentVersionExpiration?.NewerNoncurrentVersions > 0 ? rule.NoncurrentVersionExpiration.NewerNoncurrentVersions : null,
                AbortIncompleteMultipartUploadDays = rule.AbortIncompleteMultipartUpload?.DaysAfterInitiation > 0 ? rule.AbortIncompleteMultipartUpload.DaysAfterInitiation : null,
                HasUnmodelledSettings = HasUnmodelledSettings(rule),
                Original = rule,
            };
        }

        private static bool HasUnmodelledSettings(LifecycleRule rule) =>
            (rule.Transitions != null && rule.Transitions.Count > 0) ||
            (rule.NoncurrentVersionTransitions != null && rule.NoncurrentVersionTransitions.Count > 0) ||
            rule.Expiration?.Date != null ||
            rule.Expiration?.ExpiredObjectDeleteMarker == true ||
            rule.NoncurrentVersionExpiration?.NewerNoncurrentVersions > 0 && rule.NoncurrentVersionExpiration?.NoncurrentDays <= 0 ||
            (rule.Filter != null && rule.Filter.Prefix == null && rule.Filter.LifecycleFilterPredicate != null && !(rule.Filter.LifecycleFilterPredicate is LifecyclePrefixPredicate)) ||
            rule.Filter?.Tag != null || rule.Filter?.And != null || rule.Filter?.ObjectSizeGreaterThan > 0 || rule.Filter?.ObjectSizeLessThan > 0;

#pragma warning disable CS0618 // rules written before Filter existed still carry the old top-level Prefix
        private static string? LegacyPrefix(LifecycleRule rule) => rule.Prefix;
#pragma warning restore CS0618

        private static LifecycleRule ToSdk(S3LifecycleRule rule)
        {
            if (rule.Original is LifecycleRule original)
            {
                // A rule read from the bucket and not replaced goes back exactly as it came.
                return original;
            }

            var sdk = new LifecycleRule
            {
                Id = rule.Id,
                Status = string.Equals(rule.Status, "Disabled", StringComparison.OrdinalIgnoreCase) ? LifecycleRuleStatus.Disabled : LifecycleRuleStatus.Enabled,
                Filter = new LifecycleFilter { Prefix = rule.Prefix ?? "" },
            };
            if (rule.ExpirationDays.HasValue)
            {
                sdk.Expiration = new LifecycleRuleExpiration { Days = rule.ExpirationDays.Value };
            }

            if (rule.NoncurrentVersionExpirationDays.HasValue || rule.NewerNoncurrentVersions.HasValue)
            {
                sdk.NoncurrentVersionExpiration = new LifecycleRuleNoncurrentVersionExpiration
                {
                    NoncurrentDays = rule.NoncurrentVersionExpirationDays,
                    NewerNoncurrentVersions = rule.NewerNoncurrentVersions,
                };
            }

            if (rule.AbortIncompleteMultipartUploadDays.HasValue)
            {
                sdk.AbortIncompleteMultipartUpload = new LifecycleRuleAbortIncompleteMultipartUpload { DaysAfterInitiation = rule.AbortIncompleteMultipartUploadDays.Value };
            }

            return sdk;
        }

        /// <inheritdoc />
        public async Task<S3VersioningInfo> GetBucketVersioningInfoAsync(string bucketName, CancellationToken cancellationToken)
        {
            GetBucketVersioningResponse r = await CallAsync("GetBucketVersioning", bucketName,
                ct => _client.GetBucketVersioningAsync(new GetBucketVersioningRequest { BucketName = bucketName }, ct), cancellationToken).ConfigureAwait(false);
            string? status = r.VersioningConfig?.Status?.Value;
            S3VersioningState state = string.Equals(status, "Enabled", StringComparison.OrdinalIgnoreCase) ? S3VersioningState.Enabled
                : string.Equals(status, "Suspended", StringComparison.OrdinalIgnoreCase) ? S3VersioningState.Suspended : S3VersioningState.Off;
            return new S3VersioningInfo { State = state, MfaDelete = r.VersioningConfig?.EnableMfaDelete == true };
        }

        /// <inheritdoc />
        public async Task CreateBucketWithObjectLockAsync(string bucketName, CancellationToken cancellationToken)
        {
            var request = new PutBucketRequest { BucketName = bucketName, UseClientRegion = false, ObjectLockEnabledForBucket = true };
            string region = _session.Region.SystemName;
            if (_session.S3ServiceUrl == null && !string.Equals(region, "us-east-1", StringComparison.Ordinal))
            {
                request.BucketRegionName = region;
            }

            await CallAsync("CreateBucket", bucketName, ct => _client.PutBucketAsync(request, ct), cancellationToken).ConfigureAwait(false);
        }

        /// <inheritdoc />
        public async Task<S3ObjectLockConfiguration?> GetObjectLockConfigurationAsync(string bucketName, CancellationToken cancellationToken)
        {
            try
            {
                GetObjectLockConfigurationResponse r = await CallAsync("GetObjectLockConfiguration", bucketName,
                    ct => _client.GetObjectLockConfigurationAsync(new GetObjectLockConfigurationRequest { BucketName = bucketName }, ct), cancellationToken).ConfigureAwait(false);
                ObjectLockConfiguration? c = r.ObjectLockConfiguration;
                if (c == null || !string.Equals(c.ObjectLockEnabled?.Value, "Enabled", StringComparison.OrdinalIgnoreCase))
                {
                    return null;
                }

                DefaultRetention? d = c.Rule?.DefaultRetention;
                return new S3ObjectLockConfiguration
                {
                    Enabled = true,
                    Mode = string.IsNullOrEmpty(d?.Mode?.Value) ? null : d!.Mode!.Value.ToUpperInvariant(),
                    Days = d?.Days > 0 ? d.Days : null,
                    Years = d?.Years > 0 ? d.Years : null,
                };
            }
            catch (S3ServiceException ex) when (ex.AwsErrorCode == "ObjectLockConfigurationNotFoundError" || ex.AwsErrorCode == "ObjectLockConfigurationNotFound")
            {
                return null;
            }
        }

        /// <inheritdoc />
        public Task PutObjectLockConfigurationAsync(string bucketName, string? mode, int? days, int? years, CancellationToken cancellationToken)
        {
            var configuration = new ObjectLockConfiguration { ObjectLockEnabled = ObjectLockEnabled.Enabled };
            if (mode != null)
            {
                var retention = new DefaultRetention { Mode = new ObjectLockRetentionMode(mode) };
                if (days != null)
                {
                    retention.Days = days.Value;
                }

                if (years != null)
                {
                    retention.Years = years.Value;
                }

                configuration.Rule = new ObjectLockRule { DefaultRetention = retention };
            }

            var request = new PutObjectLockConfigurationRequest { BucketName = bucketName, ObjectLockConfiguration = configuration };
            return CallAsync("PutObjectLockConfiguration", bucketName, ct => _client.PutObjectLockConfigurationAsync(request, ct), cancellationToken);
        }

        /// <inheritdoc />
        public async Task<IReadOnlyList<S3BucketEntry>> ListBucketsAsync(CancellationToken cancellationToken)
        {
            var buckets = new List<S3BucketEntry>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            string? token = null;
            int pages = 0;
            do
            {
                var request = new ListBucketsRequest();
                if (token != null)
                {
                    request.ContinuationToken = token;
                }

                ListBucketsResponse r = await SdkCall.RunAsync(AwsService.S3, "ListBuckets", "the caller's buckets", null, _session.S3ServiceUrl,
                    _session.RequestLimits, ct => _client.ListBucketsAsync(request, ct), ex => ServiceError(ex, "ListBuckets", null),
                    cancellationToken).ConfigureAwait(false);
                foreach (S3Bucket b in r.Buckets ?? new List<S3Bucket>())
                {
                    if (!string.IsNullOrEmpty(b.BucketName) && seen.Add(b.BucketName))
                    {
                        buckets.Add(new S3BucketEntry
                        {
                            BucketName = b.BucketName,
                            CreationDate = b.CreationDate,
                            Region = string.IsNullOrEmpty(b.BucketRegion) ? null : b.BucketRegion,
                        });
                    }
                }

                // A store that repeats its token would page for ever: 10,000 pages of up to 10,000 buckets is AWS's quota many times over.
                string? next = string.IsNullOrEmpty(r.ContinuationToken) ? null : r.ContinuationToken;
                token = next == token ? null : next;
            }
            while (token != null && ++pages < 10000);

            return buckets;
        }

        /// <inheritdoc />
        public async Task<IReadOnlyDictionary<string, string>> GetBucketTaggingAsync(string bucketName, CancellationToken cancellationToken)
        {
            var tags = new Dictionary<string, string>(StringComparer.Ordinal);
            try
            {
                GetBucketTaggingResponse r = await CallAsync("GetBucketTagging", bucketName,
                    ct => _client.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = bucketName }, ct), cancellationToken).ConfigureAwait(false);
                foreach (Tag t in r.TagSet ?? new List<Tag>())
                {
                    if (t.Key != null)
                    {
                        tags[t.Key] = t.Value ?? "";
                    }
                }
            }
            catch (S3ServiceException ex) when (ex.AwsErrorCode == "NoSuchTagSet" || ex.AwsErrorCode == "NoSuchTagSetError")
            {
                // No tag set: the bucket has no tags.
            }

            return tags;
        }

        /// <inheritdoc />
        public Task PutBucketTaggingAsync(string bucketName, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken)
        {
            if (tags == null)
            {
                throw new ArgumentNullException(nameof(tags));
            }

            if (tags.Count == 0)
            {
                return DeleteBucketTaggingAsync(bucketName, cancellationToken);
            }

            var request = new PutBucketTaggingRequest
            {
                BucketName = bucketName,
                TagSet = tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => new Tag { Key = t.Key, Value = t.Value }).ToList(),
            };
            return CallAsync("PutBucketTagging", bucketName, ct => _client.PutBucketTaggingAsync(request, ct), cancellationToken);
        }

        /// <inheritdoc />
        public async Task DeleteBucketTaggingAsync(string bucketName, CancellationToken cancellationToken)
        {
            try
            {
                await CallAsync("DeleteBucketTagging", bucketName,
                    ct => _client.DeleteBucketTaggingAsync(new DeleteBucketTaggingRequest { BucketName = bucketName }, ct), cancellationToken).ConfigureAwait(false);
            }
            catch (S3ServiceException ex) when (ex.AwsErrorCode == "NoSuchTagSet" || ex.AwsErrorCode == "NoSuchTagSetError")
            {
            }
        }

        /// <inheritdoc />
        public Task DeleteBucketLifecycleConfigurationAsync(string bucketName, CancellationToken cancellationToken)
        {
            return CallAsync("DeleteBucketLifecycle", bucketName,
                ct => _client.DeleteLifecycleConfigurationAsync(new DeleteLifecycleConfigurationRequest { BucketName = bucketName }, ct), cancellationToken);
        }

        /// <inheritdoc />
        public async Task<S3KeyPage> ListObjectKeysPageAsync(string bucketName, string? prefix, int maxKeys, CancellationToken cancellationToken)
        {
            if (maxKeys < 1 || maxKeys > 1000)
            {
                throw new ArgumentOutOfRangeException(nameof(maxKeys), maxKeys, "1 to 1000 keys per page.");
            }

            var request = new ListObjectsV2Request { BucketName = bucketName, Prefix = prefix, MaxKeys = maxKeys };
            ListObjectsV2Response r = await CallAsync("ListObjectsV2", bucketName, ct => _client.ListObjectsV2Async(request, ct), cancellationToken).ConfigureAwait(false);
            return new S3KeyPage
            {
                Keys = (r.S3Objects ?? new List<S3Object>()).Select(o => o.Key).ToList(),
                Truncated = r.IsTruncated == true,
            };
        }

        private Task<T> CallAsync<T>(string operation, string bucketName, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
        {
            return CallAsync(operation, bucketName, null, call, cancellationToken);
        }

        /// <summary>
        /// Every S3 request goes through here: the bucket and key are checked so that they cannot change the request's
        /// path, the call runs within the session's request limits, and every failure becomes one of the module's errors.
        /// </summary>
        private async Task<T> CallAsync<T>(string operation, string bucketName, string? key, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
        {
            S3RequestPaths.Check(operation, bucketName, key);
            string resource = key == null ? "bucket '" + bucketName + "'" : "object '" + key + "' in bucket '" + bucketName + "'";
            string? owner = ExpectedBucketOwner;
            Task<bool>? aheadOf = s_readAhead.Value;
            try
            {
                using (var untilDisposed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposing.Token))
                {
                    return await SdkCall.RunAsync(AwsService.S3, operation, resource, bucketName, _session.S3ServiceUrl, _session.RequestLimits, call,
                        ex => ServiceError(ex, operation, bucketName), untilDisposed.Token).ConfigureAwait(false);
                }
            }
            catch (S3ServiceException ex) when (BucketOwnership.MayBeAnotherAccount(ex))
            {
                if (aheadOf != null && !await FoundAsync(aheadOf).ConfigureAwait(false))
                {
                    // Sent ahead of a HeadBucket that found no bucket it may read (issue 16): the caller drops this answer
                    // unread, so no HeadBucket is spent explaining it.
                    throw;
                }

                // Another account's bucket, or the caller's own with a policy that denies this call. With the owner
                // expected, HeadBucket tells them apart: refused with the header and answered without it, the header alone
                // made the difference (answered with it, the owner is right and a policy denies the call).
                if (owner != null && await IsOwnerMismatchAsync(operation, bucketName, cancellationToken).ConfigureAwait(false))
                {
                    throw BucketOwnership.OwnedByAnotherAccount(ex, bucketName, owner);
                }

                throw BucketOwnership.AccessDenied(ex, bucketName, owner);
            }
        }

        /// <summary>True when HeadBucket is refused with the expected owner's header and answered without it (reads only).</summary>
        private async Task<bool> IsOwnerMismatchAsync(string failedOperation, string bucketName, CancellationToken cancellationToken)
        {
            if (failedOperation != "HeadBucket" && await HeadBucketAnswersAsync(bucketName, withOwner: true, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }

            return await HeadBucketAnswersAsync(bucketName, withOwner: false, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>True when HeadBucket, with or without x-amz-expected-bucket-owner, succeeds (a read; any failure is false).</summary>
        private async Task<bool> HeadBucketAnswersAsync(string bucketName, bool withOwner, CancellationToken cancellationToken)
        {
            s_withoutOwner.Value = !withOwner;
            try
            {
                await SdkCall.RunAsync(AwsService.S3, "HeadBucket", "bucket '" + bucketName + "'", bucketName, _session.S3ServiceUrl, _session.RequestLimits,
                    ct => _client.HeadBucketAsync(new HeadBucketRequest { BucketName = bucketName }, ct), ex => ServiceError(ex, "HeadBucket", bucketName),
                    cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (BackupIamException)
            {
                return false;
            }
            finally
            {
                s_withoutOwner.Value = false;
            }
        }

        private static S3ServiceException ServiceError(AmazonServiceException ex, string operation, string? bucketName)
        {
            string code = string.IsNullOrEmpty(ex.ErrorCode) ? "Http" + (int)ex.StatusCode : ex.ErrorCode;
            return S3ServiceException.Create(operation, bucketName, code, ex.Message ?? "", ex.RequestId, (int)ex.StatusCode, ex);
        }
    }
}
