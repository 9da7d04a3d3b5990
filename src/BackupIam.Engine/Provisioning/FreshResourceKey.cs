using System;
using BackupIam.Engine.Aws;

namespace BackupIam.Engine.Provisioning
{
    /// <summary>
    /// The identity of a resource for "just created in this pipeline" (issue 16): kind, name, the endpoint it lives behind
    /// and the access key ID of the credentials (never the secret), so that cmdlets with other credentials, which may be
    /// in another account, never share it.
    /// </summary>
    public static class FreshResourceKey
    {
        /// <summary>The key of a user, group or bucket (<paramref name="kind"/> "user", "group" or "bucket") in a session.</summary>
        public static string For(AwsSession session, string kind, string name)
        {
            if (session == null)
            {
                throw new ArgumentNullException(nameof(session));
            }

            string endpoint = kind == "bucket" ? "s3 " + (session.S3ServiceUrl?.ToString() ?? session.RegionName) : "iam " + session.IamEndpoint;
            return kind + "\n" + name + "\n" + endpoint + "\n" + session.Credentials.GetCredentials().AccessKey;
        }
    }
}
