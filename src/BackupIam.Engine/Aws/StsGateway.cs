using System;
using System.Threading;
using System.Threading.Tasks;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using BackupIam.Engine.Errors;

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

    /// <summary><see cref="IStsGateway"/> over AWSSDK.SecurityToken, using the session's STS endpoint.</summary>
    public sealed class StsGateway : IStsGateway
    {
        private readonly AmazonSecurityTokenServiceClient _client;

        /// <summary>Creates the gateway (and its STS client) from a session.</summary>
        public StsGateway(AwsSession session)
        {
            if (session == null)
            {
                throw new ArgumentNullException(nameof(session));
            }

            var config = new AmazonSecurityTokenServiceConfig();
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
        public void Dispose() => _client.Dispose();

        /// <inheritdoc />
        public async Task<CallerIdentity> GetCallerIdentityAsync(CancellationToken cancellationToken)
        {
            try
            {
                GetCallerIdentityResponse r = await _client.GetCallerIdentityAsync(new GetCallerIdentityRequest(), cancellationToken).ConfigureAwait(false);
                return new CallerIdentity { Account = r.Account ?? "", Arn = r.Arn ?? "", UserId = r.UserId ?? "" };
            }
            catch (AmazonServiceException ex) when (ex.StatusCode != 0)
            {
                bool auth = ex.ErrorCode == "InvalidClientTokenId" || ex.ErrorCode == "SignatureDoesNotMatch" || ex.ErrorCode == "ExpiredToken"
                    || ex.ErrorCode == "AccessDenied" || (int)ex.StatusCode == 403;
                throw new BackupIamException(auth ? "StsAuthenticationFailed" : "StsServiceError", auth ? FailureKind.PermissionDenied : FailureKind.Unknown,
                    "STS GetCallerIdentity failed: " + ex.ErrorCode + ": " + ex.Message + " (HTTP " + (int)ex.StatusCode
                    + (string.IsNullOrEmpty(ex.RequestId) ? "" : ", request id " + ex.RequestId) + ")"
                    + (auth ? ". The credentials are not valid for this account/endpoint." : ""), ex);
            }
            catch (Exception ex) when (ex is AmazonClientException || ex is System.Net.Http.HttpRequestException)
            {
                throw new BackupIamException("StsConnectionFailed", FailureKind.ConnectionError,
                    "STS GetCallerIdentity could not reach the endpoint: " + ex.GetBaseException().Message
                    + ". Check network access, proxy settings, and -EndpointUrl or AWS_ENDPOINT_URL_STS.", ex);
            }
        }
    }
}
