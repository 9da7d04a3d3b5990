using System;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;

namespace BackupIam.Engine.Aws
{
    /// <summary>Who the credentials belong to.</summary>
    public sealed class CallerIdentity
    {
        /// <summary>12-digit account id.</summary>
        public string Account { get; set; } = "";

        /// <summary>ARN of the calling principal.</summary>
        public string Arn { get; set; } = "";

        /// <summary>Unique id of the calling principal.</summary>
        public string UserId { get; set; } = "";
    }

    /// <summary>The STS calls the engine uses.</summary>
    public interface IStsGateway : IDisposable
    {
        /// <summary>STS GetCallerIdentity: who the session's credentials belong to.</summary>
        Task<CallerIdentity> GetCallerIdentityAsync(CancellationToken cancellationToken);
    }

    /// <summary>
    /// <see cref="IStsGateway"/> over AWSSDK.SecurityToken, using the session's STS endpoint and request limits. Failures are
    /// <see cref="AwsServiceException"/>s (<c>StsAuthenticationFailed</c>, <c>StsServiceError</c>) or, with no answer,
    /// <c>StsRequestTimeout</c>/<c>StsConnectionFailed</c>.
    /// </summary>
    public sealed class StsGateway : IStsGateway
    {
        private readonly AmazonSecurityTokenServiceClient _client;
        private readonly LimitedHttpClientFactory _http;
        private readonly AwsSession _session;

        /// <summary>Creates the gateway (and its STS client) from a session.</summary>
        public StsGateway(AwsSession session)
        {
            _session = session ?? throw new ArgumentNullException(nameof(session));
            _http = new LimitedHttpClientFactory(session.RequestLimits);
            var config = new AmazonSecurityTokenServiceConfig { HttpClientFactory = _http, MaxStaleConnectionRetries = 1 };
            if (session.StsEndpointIsCustom)
            {
                config.ServiceURL = session.StsEndpoint.ToString();
                config.AuthenticationRegion = session.Region.SystemName;
            }
            else
            {
                config.RegionEndpoint = session.Region;
            }

            _client = new AmazonSecurityTokenServiceClient(session.Credentials, config);
        }

        /// <inheritdoc />
        public void Dispose()
        {
            _client.Dispose();
            _http.Dispose();
        }

        /// <inheritdoc />
        public async Task<CallerIdentity> GetCallerIdentityAsync(CancellationToken cancellationToken)
        {
            GetCallerIdentityResponse r = await SdkCall.RunAsync(AwsService.Sts, "GetCallerIdentity", null, null, _session.StsEndpoint, _session.RequestLimits,
                ct => _client.GetCallerIdentityAsync(new GetCallerIdentityRequest(), ct), ServiceError, cancellationToken).ConfigureAwait(false);
            return new CallerIdentity { Account = r.Account ?? "", Arn = r.Arn ?? "", UserId = r.UserId ?? "" };
        }

        private static AwsServiceException ServiceError(AmazonServiceException ex)
        {
            string code = string.IsNullOrEmpty(ex.ErrorCode) ? "Http" + (int)ex.StatusCode : ex.ErrorCode;
            AwsErrorClass c = AwsErrorClassifier.Classify(AwsService.Sts, "GetCallerIdentity", code, (int)ex.StatusCode);
            return new AwsServiceException(AwsService.Sts, c.ErrorId, c.Kind, "GetCallerIdentity", null, code, ex.Message ?? "", ex.RequestId,
                (int)ex.StatusCode, c.Advice, ex);
        }
    }
}
