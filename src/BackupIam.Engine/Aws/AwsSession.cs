using System;
using Amazon;
using Amazon.Runtime;

namespace BackupIam.Engine.Aws
{
    /// <summary>
    /// Resolved connection facts: which credentials, region and endpoints the gateways use, and where each came from
    /// (so a cmdlet can say it in -Verbose output). Built by <see cref="AwsSessionFactory.Create"/>.
    /// </summary>
    public sealed class AwsSession
    {
        internal AwsSession(
            AWSCredentials credentials,
            string credentialSource,
            RegionEndpoint region,
            string regionSource,
            string partition,
            Uri iamEndpoint,
            string iamSigningRegion,
            Uri stsEndpoint,
            bool stsEndpointIsCustom,
            Uri? s3ServiceUrl,
            bool forcePathStyle,
            bool checksumWhenRequired,
            AwsRequestLimits? requestLimits = null)
        {
            RequestLimits = requestLimits ?? AwsRequestLimits.Default;
            Credentials = credentials;
            CredentialSource = credentialSource;
            Region = region;
            RegionSource = regionSource;
            Partition = partition;
            IamEndpoint = iamEndpoint;
            IamSigningRegion = iamSigningRegion;
            StsEndpoint = stsEndpoint;
            StsEndpointIsCustom = stsEndpointIsCustom;
            S3ServiceUrl = s3ServiceUrl;
            ForcePathStyle = forcePathStyle;
            ChecksumWhenRequired = checksumWhenRequired;
        }

        /// <summary>The credentials every gateway signs with. Default-chain credentials are resolved on first use.</summary>
        public AWSCredentials Credentials { get; }

        /// <summary>Where the credentials came from, e.g. <c>explicit -AccessKey/-SecretKey</c> or <c>environment variables</c>.</summary>
        public string CredentialSource { get; }

        /// <summary>
        /// Whether the credentials were given explicitly, resolved by this call, or reused from an earlier one in this
        /// process for the same inputs (<see cref="SessionCredentialCache"/>).
        /// </summary>
        public CredentialResolution CredentialResolution { get; internal set; }

        /// <summary>The region used for S3 and STS.</summary>
        public RegionEndpoint Region { get; }

        /// <summary>Where the region came from, e.g. <c>-Region</c>, <c>AWS_REGION</c> or <c>fallback us-east-1</c>.</summary>
        public string RegionSource { get; }

        /// <summary>The region's system name, e.g. eu-west-1.</summary>
        public string RegionName => Region.SystemName;

        /// <summary>The AWS partition of <see cref="Region"/>: <c>aws</c>, <c>aws-cn</c> or <c>aws-us-gov</c> (or an ISO partition).</summary>
        public string Partition { get; }

        /// <summary>The IAM endpoint (IAM is global: one endpoint per partition unless overridden).</summary>
        public Uri IamEndpoint { get; }

        /// <summary>The region IAM requests are signed for (us-east-1 in the aws partition).</summary>
        public string IamSigningRegion { get; }

        /// <summary>The STS endpoint (regional unless overridden).</summary>
        public Uri StsEndpoint { get; }

        /// <summary>True when <see cref="StsEndpoint"/> came from a setting or environment variable.</summary>
        public bool StsEndpointIsCustom { get; }

        /// <summary>The custom S3 endpoint, or null for AWS's own S3 endpoints.</summary>
        public Uri? S3ServiceUrl { get; }

        /// <summary>Whether S3 requests use path-style addressing.</summary>
        public bool ForcePathStyle { get; }

        /// <summary>Whether S3 checksums are calculated/validated only when required (needed by many S3-compatible stores).</summary>
        public bool ChecksumWhenRequired { get; }

        /// <summary>Per-attempt timeout and total bound of every IAM, S3 and STS call.</summary>
        public AwsRequestLimits RequestLimits { get; }

        /// <summary>A one-line description that is safe to log.</summary>
        public override string ToString()
        {
            return "Credentials: " + CredentialSource + "; Region: " + Region.SystemName + " (" + RegionSource + "); IAM: "
                + IamEndpoint + "; STS: " + StsEndpoint + (S3ServiceUrl == null ? "" : "; S3: " + S3ServiceUrl);
        }
    }
}
