using System;
using System.Threading.Tasks;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;

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
            return DefaultAWSCredentialsIdentityResolver.GetCredentials();
        }
    }
}
