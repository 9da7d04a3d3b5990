using System;
using System.Threading.Tasks;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using BackupIam.Engine.Errors;

namespace BackupIam.Engine.Aws
{
    /// <summary>
    /// AWSSDK.Core's default credential chain (SSO/credential_process profiles, container and instance-profile credentials),
    /// resolved on first use rather than when the session is built, so building a session never waits on the network.
    /// </summary>
    internal sealed class DefaultChainCredentials : AWSCredentials
    {
        private readonly Lazy<AWSCredentials> _resolved = new Lazy<AWSCredentials>(Resolve);

        public override ImmutableCredentials GetCredentials()
        {
            return _resolved.Value.GetCredentials();
        }

        public override Task<ImmutableCredentials> GetCredentialsAsync()
        {
            return _resolved.Value.GetCredentialsAsync();
        }

        private static AWSCredentials Resolve()
        {
            try
            {
                return DefaultAWSCredentialsIdentityResolver.GetCredentials();
            }
            catch (AmazonClientException ex)
            {
                throw new BackupIamException("AwsCredentialsNotFound", FailureKind.InvalidArgument,
                    "No AWS credentials were found. Give -AccessKey and -SecretKey, -ProfileName, or -Credential; or set AWS_PROFILE, "
                    + "or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; or run on a host with an instance/container role. ("
                    + ex.Message + ")", ex);
            }
        }
    }
}
