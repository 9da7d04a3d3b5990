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
        private readonly object _gate = new object();
        private AWSCredentials? _resolved;

        public override ImmutableCredentials GetCredentials()
        {
            return Resolved.GetCredentials();
        }

        public override Task<ImmutableCredentials> GetCredentialsAsync()
        {
            return Resolved.GetCredentialsAsync();
        }

        /// <summary>
        /// The chain's credentials object, found once. A failure is not remembered: one object serves a whole session
        /// (SessionCredentialCache), and credentials that appear later in it (a container's, say) must be found then.
        /// </summary>
        private AWSCredentials Resolved
        {
            get
            {
                lock (_gate)
                {
                    return _resolved ??= Resolve();
                }
            }
        }

        /// <summary>The sources tried, in the order they are tried, and how to give credentials.</summary>
        internal const string NoCredentialsMessage =
            "No AWS credentials were found. Tried, in order: "
            + "(1) -AccessKey/-SecretKey, -Credential and -ProfileName: none given; "
            + "(2) $StoredAWSCredentials (AWS.Tools' Set-AWSCredential): not set; "
            + "(3) the AWS_PROFILE environment variable: not set; "
            + "(4) AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY: not both set; "
            + "(5) web identity, AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN: not both set; "
            + "(6) the 'default' profile in ~/.aws/credentials or ~/.aws/config (keys, role, SSO or credential_process): none usable; "
            + "(7) container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI): not set; "
            + "(8) the EC2 instance profile: none. "
            + "Give credentials with -ProfileName <name> (create one with 'aws configure --profile <name>', or 'aws sso login --profile <name>' for SSO), "
            + "with -AccessKey and -SecretKey, or with -Credential; or set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.";

        private static AWSCredentials Resolve()
        {
            try
            {
                return DefaultAWSCredentialsIdentityResolver.GetCredentials();
            }
            catch (AmazonClientException ex)
            {
                // The SDK's own message lists its providers' internal failures (such as "webIdentityTokenFile must be an
                // absolute path" when no web identity is configured): noise to a user, so it stays in the inner exception.
                throw new BackupIamException("AwsCredentialsNotFound", FailureKind.InvalidArgument, NoCredentialsMessage, ex);
            }
        }
    }
}
