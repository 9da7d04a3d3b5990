using System;
using Amazon.Runtime;

namespace BackupIam.Engine.Aws
{
    /// <summary>
    /// What the caller said about how to reach AWS (or an S3-compatible store). Every member is optional;
    /// <see cref="AwsSessionFactory.Create"/> fills the gaps from profiles, the environment and AWSSDK.Core's default chain.
    /// </summary>
    public sealed class AwsConnectionSettings
    {
        /// <summary>Named profile in the shared AWS config/credentials files.</summary>
        public string? ProfileName { get; set; }

        /// <summary>Path of a credentials file to read <see cref="ProfileName"/> from, instead of the default files.</summary>
        public string? ProfileLocation { get; set; }

        /// <summary>Access key id. Must be given together with <see cref="SecretKey"/>.</summary>
        public string? AccessKey { get; set; }

        /// <summary>Secret access key. Never logged, never shown by <see cref="ToString"/>.</summary>
        public string? SecretKey { get; set; }

        /// <summary>Session token for temporary credentials (used only with <see cref="AccessKey"/>/<see cref="SecretKey"/>).</summary>
        public string? SessionToken { get; set; }

        /// <summary>A ready credentials object (for example AWS.Tools' <c>$StoredAWSCredentials</c>).</summary>
        public AWSCredentials? Credentials { get; set; }

        /// <summary>
        /// A credentials object of any origin (our AWSCredentials, or AWS.Tools' AWSCredentials/AWSPSCredentials from another
        /// AWSSDK.Core, or a profile name), converted by shape when the session is created. Used when <see cref="Credentials"/> is null.
        /// </summary>
        public object? CredentialObject { get; set; }

        /// <summary>How the caller names <see cref="CredentialObject"/> in messages, e.g. "Credential" or "$StoredAWSCredentials".</summary>
        public string CredentialObjectName { get; set; } = "Credential";

        /// <summary>How <see cref="Credentials"/> was obtained, for -Verbose (default "explicit -Credential object").</summary>
        public string? CredentialsSource { get; set; }

        /// <summary>Where <see cref="Region"/> came from, for -Verbose (default "-Region").</summary>
        public string? RegionSource { get; set; }

        /// <summary>Region system name such as <c>eu-west-1</c>.</summary>
        public string? Region { get; set; }

        /// <summary>Endpoint override for every service (typically an S3-compatible store such as Ceph RGW or MinIO).</summary>
        public string? EndpointUrl { get; set; }

        /// <summary>Endpoint override for IAM only; wins over <see cref="EndpointUrl"/>.</summary>
        public string? IamEndpointUrl { get; set; }

        /// <summary>Endpoint override for STS only; wins over <see cref="EndpointUrl"/>.</summary>
        public string? StsEndpointUrl { get; set; }

        /// <summary>Path-style S3 addressing. Defaults to true with a custom S3 endpoint, false otherwise.</summary>
        public bool? ForcePathStyle { get; set; }

        /// <summary>
        /// Compute/validate S3 checksums only when the operation requires them. Defaults to true with a custom S3 endpoint
        /// (S3-compatible stores reject AWSSDK.S3 4.x's default aws-chunked trailer checksums), false otherwise.
        /// </summary>
        public bool? ChecksumWhenRequired { get; set; }

        /// <summary>
        /// Timeout of one HTTP attempt of every IAM, S3 and STS call. Null: <c>BACKUPIAM_REQUEST_TIMEOUT</c> (seconds), else 15 s.
        /// </summary>
        public TimeSpan? RequestTimeout { get; set; }

        /// <summary>
        /// Bound of one IAM, S3 or STS call, every attempt and back-off included. Null: <c>BACKUPIAM_TOTAL_TIMEOUT</c>
        /// (seconds), else 60 s.
        /// </summary>
        public TimeSpan? TotalRequestTimeout { get; set; }

        /// <summary>A description that is safe to log: the secret key and session token are masked.</summary>
        public override string ToString()
        {
            return "AwsConnectionSettings { ProfileName = " + ProfileName
                + ", AccessKey = " + AccessKey
                + ", SecretKey = " + (SecretKey == null ? "" : "***")
                + ", SessionToken = " + (SessionToken == null ? "" : "***")
                + ", Region = " + Region
                + ", EndpointUrl = " + EndpointUrl + " }";
        }
    }
}
