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
        private readonly S3CompatibleStoreHttpClientFactory? _compatible;

        /// <summary>Creates a gateway (and its AmazonS3Client) from a session.</summary>
        public S3Gateway(AwsSession session)
        {
            _session = session ?? throw new ArgumentNullException(nameof(session));
            AmazonS3Config config = CreateConfig(session);
            if (session.S3ServiceUrl != null)
            {
                // S3-compatible stores only: read their non-AWS answers (see S3CompatibleStoreHandler).
                _compatible = new S3CompatibleStoreHttpClientFactory();
                config.HttpClientFactory = _compatible;
            }

            _client = new AmazonS3Client(session.Credentials, config);
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
            if (session.ChecksumWhenRequired)
            {
                config.RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED;
                config.ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED;
            }

            return config;
        }

        /// <inheritdoc />
        public void Dispose()
        {
            _client.Dispose();
            _compatible?.Handler.Dispose();
        }

        /// <inheritdoc />
        public async Task<bool> BucketExistsAsync(string bucketName, CancellationToken cancellationToken)
        {
            try
            {
                await _client.HeadBucketAsync(new HeadBucketRequest { BucketName = bucketName }, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                return false;
            }
            catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.MovedPermanently || ex.StatusCode == HttpStatusCode.Redirect
                || ex.StatusCode == (HttpStatusCode)307)
            {
                return true; // exists, in another region
            }
            catch (Exception ex) when (IsSdkFailure(ex))
            {
                throw Map(ex, "HeadBucket", bucketName);
            }
        }

        /// <inheritdoc />
        public async Task CreateBucketAsync(string bucketName, CancellationToken cancellationToken)
        {
            var request = new PutBucketRequest { BucketName = bucketName, UseClientRegion = false };
            string region = _session.Region.SystemName;
            if (_session.S3ServiceUrl == null && !string.Equals(region, "us-east-1", StringComparison.Ordinal))
            {
                request.BucketRegionName = region;
            }

            await CallAsync("CreateBucket", bucketName, () => _client.PutBucketAsync(request, cancellationToken)).ConfigureAwait(false);
        }

        /// <inheritdoc />
        public async Task<string> GetBucketLocationAsync(string bucketName, CancellationToken cancellationToken)
        {
            GetBucketLocationResponse r = await CallAsync("GetBucketLocation", bucketName,
                () => _client.GetBucketLocationAsync(new GetBucketLocationRequest { BucketName = bucketName }, cancellationToken)).ConfigureAwait(false);
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
            await CallAsync("PutObject", bucketName, () => _client.PutObjectAsync(request, cancellationToken)).ConfigureAwait(false);
        }

        /// <inheritdoc />
        public async Task<bool> ObjectExistsAsync(string bucketName, string key, CancellationToken cancellationToken)
        {
            try
            {
                await _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucketName, Key = key }, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound && ex.ErrorCode != "NoSuchBucket")
            {
                return false;
            }
            catch (Exception ex) when (IsSdkFailure(ex))
            {
                throw Map(ex, "HeadObject", bucketName);
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
                    () => _client.ListObjectsV2Async(request, cancellationToken)).ConfigureAwait(false);
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
            return CallAsync("DeleteObject", bucketName,
                () => _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucketName, Key = key }, cancellationToken));
        }

        /// <inheritdoc />
        public Task DeleteBucketAsync(string bucketName, CancellationToken cancellationToken)
        {
            return CallAsync("DeleteBucket", bucketName,
                () => _client.DeleteBucketAsync(new DeleteBucketRequest { BucketName = bucketName }, cancellationToken));
        }

        /// <inheritdoc />
        public async Task<string?> GetBucketPolicyAsync(string bucketName, CancellationToken cancellationToken)
        {
            try
            {
                GetBucketPolicyResponse r = await _client.GetBucketPolicyAsync(
                    new GetBucketPolicyRequest { BucketName = bucketName }, cancellationToken).ConfigureAwait(false);
                string? policy = r.Policy;
                if (string.IsNullOrWhiteSpace(policy))
                {
                    return null;
                }

                // AWSSDK.S3 4.x hands a 404 error document back as the policy text instead of throwing.
                if (r.HttpStatusCode == HttpStatusCode.NotFound || policy!.TrimStart().StartsWith("<", StringComparison.Ordinal))
                {
                    string code = XmlErrorField(policy!, "Code") ?? "Http" + (int)r.HttpStatusCode;
                    if (code == "NoSuchBucketPolicy")
                    {
                        return null;
                    }

                    var (errorId, kind) = Classify(code, (int)r.HttpStatusCode);
                    throw new S3ServiceException(errorId, kind, "GetBucketPolicy", bucketName, code, XmlErrorField(policy!, "Message") ?? "",
                        XmlErrorField(policy!, "RequestId"), (int)r.HttpStatusCode, null);
                }

                return policy;
            }
            catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchBucketPolicy")
            {
                return null;
            }
            catch (Exception ex) when (IsSdkFailure(ex))
            {
                throw Map(ex, "GetBucketPolicy", bucketName);
            }
        }

        /// <inheritdoc />
        public Task PutBucketPolicyAsync(string bucketName, string policyJson, CancellationToken cancellationToken)
        {
            return CallAsync("PutBucketPolicy", bucketName,
                () => _client.PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = bucketName, Policy = policyJson }, cancellationToken));
        }

        /// <inheritdoc />
        public async Task DeleteBucketPolicyAsync(string bucketName, CancellationToken cancellationToken)
        {
            try
            {
                await _client.DeleteBucketPolicyAsync(new DeleteBucketPolicyRequest { BucketName = bucketName }, cancellationToken).ConfigureAwait(false);
            }
            catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchBucketPolicy")
            {
            }
            catch (Exception ex) when (IsSdkFailure(ex))
            {
                throw Map(ex, "DeleteBucketPolicy", bucketName);
            }
        }

        /// <inheritdoc />
        public async Task<S3PublicAccessBlock?> GetPublicAccessBlockAsync(string bucketName, CancellationToken cancellationToken)
        {
            try
            {
                GetPublicAccessBlockResponse r = await _client.GetPublicAccessBlockAsync(
                    new GetPublicAccessBlockRequest { BucketName = bucketName }, cancellationToken).ConfigureAwait(false);
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
                    StoreRootElement = _compatible?.Handler.TakePublicAccessBlockRoot(r.ResponseMetadata?.RequestId),
                };
            }
            catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchPublicAccessBlockConfiguration")
            {
                return null;
            }
            catch (Exception ex) when (IsSdkFailure(ex))
            {
                throw Map(ex, "GetPublicAccessBlock", bucketName);
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
            return CallAsync("PutPublicAccessBlock", bucketName, () => _client.PutPublicAccessBlockAsync(request, cancellationToken));
        }

        /// <inheritdoc />
        public async Task<string?> GetBucketOwnershipControlsAsync(string bucketName, CancellationToken cancellationToken)
        {
            try
            {
                GetBucketOwnershipControlsResponse r = await _client.GetBucketOwnershipControlsAsync(
                    new GetBucketOwnershipControlsRequest { BucketName = bucketName }, cancellationToken).ConfigureAwait(false);
                return r.OwnershipControls?.Rules?.FirstOrDefault()?.ObjectOwnership?.Value;
            }
            catch (AmazonS3Exception ex) when (ex.ErrorCode == "OwnershipControlsNotFoundError")
            {
                return null;
            }
            catch (Exception ex) when (IsSdkFailure(ex))
            {
                throw Map(ex, "GetBucketOwnershipControls", bucketName);
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
            return CallAsync("PutBucketOwnershipControls", bucketName, () => _client.PutBucketOwnershipControlsAsync(request, cancellationToken));
        }

        /// <inheritdoc />
        public async Task<S3BucketEncryption?> GetBucketEncryptionAsync(string bucketName, CancellationToken cancellationToken)
        {
            try
            {
                GetBucketEncryptionResponse r = await _client.GetBucketEncryptionAsync(
                    new GetBucketEncryptionRequest { BucketName = bucketName }, cancellationToken).ConfigureAwait(false);
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
            catch (AmazonS3Exception ex) when (ex.ErrorCode == "ServerSideEncryptionConfigurationNotFoundError")
            {
                return null;
            }
            catch (Exception ex) when (IsSdkFailure(ex))
            {
                throw Map(ex, "GetBucketEncryption", bucketName);
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
            return CallAsync("PutBucketEncryption", bucketName, () => _client.PutBucketEncryptionAsync(request, cancellationToken));
        }

        /// <inheritdoc />
        public async Task<S3VersioningState> GetBucketVersioningAsync(string bucketName, CancellationToken cancellationToken)
        {
            GetBucketVersioningResponse r = await CallAsync("GetBucketVersioning", bucketName,
                () => _client.GetBucketVersioningAsync(new GetBucketVersioningRequest { BucketName = bucketName }, cancellationToken)).ConfigureAwait(false);
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
            return CallAsync("PutBucketVersioning", bucketName, () => _client.PutBucketVersioningAsync(request, cancellationToken));
        }

        /// <inheritdoc />
        public async Task<IReadOnlyList<S3LifecycleRule>?> GetBucketLifecycleConfigurationAsync(string bucketName, CancellationToken cancellationToken)
        {
            try
            {
                GetLifecycleConfigurationResponse r = await _client.GetLifecycleConfigurationAsync(
                    new GetLifecycleConfigurationRequest { BucketName = bucketName }, cancellationToken).ConfigureAwait(false);
                List<LifecycleRule>? rules = r.Configuration?.Rules;
                if (rules == null || rules.Count == 0)
                {
                    return null;
                }

                return rules.Select(ToModel).ToList();
            }
            catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchLifecycleConfiguration")
            {
                return null;
            }
            catch (Exception ex) when (IsSdkFailure(ex))
            {
                throw Map(ex, "GetBucketLifecycleConfiguration", bucketName);
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
            return CallAsync("PutBucketLifecycleConfiguration", bucketName, () => _client.PutLifecycleConfigurationAsync(request, cancellationToken));
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

        private static async Task<T> CallAsync<T>(string operation, string? bucketName, Func<Task<T>> call)
        {
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (Exception ex) when (IsSdkFailure(ex))
            {
                throw Map(ex, operation, bucketName);
            }
        }

        private static bool IsSdkFailure(Exception ex)
        {
            return ex is AmazonServiceException || ex is AmazonClientException || ex is HttpRequestException;
        }

        /// <summary>Maps an AWSSDK failure to a typed engine exception (shared with the STS gateway).</summary>
        internal static BackupIamException Map(Exception ex, string operation, string? bucketName)
        {
            if (ex is AmazonServiceException service && (service.StatusCode != 0 || !string.IsNullOrEmpty(service.ErrorCode)))
            {
                string code = string.IsNullOrEmpty(service.ErrorCode) ? "Http" + (int)service.StatusCode : service.ErrorCode;
                int status = (int)service.StatusCode;
                string message = service.Message ?? "";
                var (errorId, kind) = Classify(code, status);
                return new S3ServiceException(errorId, kind, operation, bucketName, code, message, service.RequestId, status, ex);
            }

            return new BackupIamException("S3ConnectionFailed", FailureKind.ConnectionError,
                "S3 " + operation + (bucketName == null ? "" : " on bucket '" + bucketName + "'") + " could not reach the endpoint: "
                + ex.GetBaseException().Message + ". Check the endpoint URL (-EndpointUrl), network access and proxy settings.", ex)
            {
                Target = bucketName,
            };
        }

        private static (string ErrorId, FailureKind Kind) Classify(string code, int status)
        {
            string errorId;
            FailureKind kind;
            switch (code)
            {
                case "NoSuchBucket":
                    errorId = "S3NoSuchBucket";
                    kind = FailureKind.NotFound;
                    break;
                case "AccessDenied":
                case "AllAccessDisabled":
                    errorId = "S3AccessDenied";
                    kind = FailureKind.PermissionDenied;
                    break;
                case "BucketAlreadyOwnedByYou":
                    errorId = "S3BucketAlreadyOwnedByYou";
                    kind = FailureKind.AlreadyExists;
                    break;
                case "BucketAlreadyExists":
                    errorId = "S3BucketAlreadyExists";
                    kind = FailureKind.AlreadyExists;
                    break;
                case "SlowDown":
                case "Throttling":
                case "ThrottlingException":
                case "RequestLimitExceeded":
                    errorId = "S3Throttled";
                    kind = FailureKind.LimitExceeded;
                    break;
                case "InvalidAccessKeyId":
                case "SignatureDoesNotMatch":
                case "ExpiredToken":
                case "InvalidToken":
                case "InvalidClientTokenId":
                    errorId = "S3AuthenticationFailed";
                    kind = FailureKind.PermissionDenied;
                    break;
                case "InvalidBucketName":
                case "InvalidArgument":
                case "InvalidRequest":
                case "MalformedPolicy":
                case "MalformedXML":
                case "InvalidLocationConstraint":
                case "IllegalLocationConstraintException":
                    errorId = "S3InvalidRequest";
                    kind = FailureKind.InvalidArgument;
                    break;
                case "BucketNotEmpty":
                case "OperationAborted":
                    errorId = "S3BucketBusy";
                    kind = FailureKind.ResourceBusy;
                    break;
                default:
                    errorId = status == 403 ? "S3AccessDenied" : "S3ServiceError";
                    kind = status == 403 ? FailureKind.PermissionDenied : FailureKind.Unknown;
                    break;
            }

            return (errorId, kind);
        }

        private static string? XmlErrorField(string xml, string name)
        {
            try
            {
                var doc = System.Xml.Linq.XElement.Parse(xml);
                return doc.DescendantsAndSelf().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
            }
            catch (System.Xml.XmlException)
            {
                return null;
            }
        }
    }
}
