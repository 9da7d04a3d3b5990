using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.RegularExpressions;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using BackupIam.Engine.Errors;

namespace BackupIam.Engine.Aws
{
    /// <summary>
    /// Turns <see cref="AwsConnectionSettings"/> into an <see cref="AwsSession"/>, the way AWS Tools for PowerShell does:
    /// explicit keys, then an explicit credentials object, then a named profile, then the environment and AWSSDK.Core's
    /// default chain. Never probes instance metadata for a region.
    /// </summary>
    public static class AwsSessionFactory
    {
        /// <summary>Region used when nothing else names one.</summary>
        public const string FallbackRegion = "us-east-1";

        private static readonly Regex AwsRegionPattern = new Regex(
            "^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$", RegexOptions.CultureInvariant);

        /// <summary>What a .NET object turned into text looks like, e.g. System.Security.SecureString (never a real secret key).</summary>
        private static readonly Regex TypeNamePattern = new Regex(
            @"^(System|Microsoft|Amazon|BackupIam)(\.[A-Za-z_][A-Za-z0-9_`]*)+(\[\])?$", RegexOptions.CultureInvariant);

        private static readonly Regex CustomRegionPattern = new Regex(
            "^[a-zA-Z0-9][a-zA-Z0-9_-]{0,62}$", RegexOptions.CultureInvariant);

        /// <summary>
        /// Resolve credentials, region and endpoints. Validates input before anything touches the network and does not
        /// call AWS itself (default-chain credentials are resolved lazily, on the first signed request).
        /// </summary>
        /// <param name="settings">What the caller specified.</param>
        /// <param name="environment">Environment variables to consult; null means the process environment.</param>
        /// <exception cref="InputValidationException">A half key pair, a malformed endpoint or region, or an unknown profile.</exception>
        public static AwsSession Create(AwsConnectionSettings settings, IDictionary<string, string?>? environment = null)
        {
            try
            {
                return CreateCore(settings, environment);
            }
            catch (InvalidDataException)
            {
                // AWSSDK's message quotes the malformed line of the profile file, which may be a secret: neither the
                // message nor the exception may travel on.
                throw CredentialFileDiagnostics.Malformed(
                    ProfileFileCandidates(settings?.ProfileLocation, environment ?? ReadProcessEnvironment()),
                    string.IsNullOrEmpty(settings?.ProfileLocation) ? "ProfileName" : "ProfileLocation");
            }
        }

        /// <summary>The profile files AWSSDK may read, the given one first.</summary>
        internal static IEnumerable<string> ProfileFileCandidates(string? profileLocation, IDictionary<string, string?> env)
        {
            if (!string.IsNullOrEmpty(profileLocation))
            {
                yield return profileLocation!;
                yield break;
            }

            string home = Get(env, "HOME") ?? Get(env, "USERPROFILE") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            yield return Get(env, "AWS_SHARED_CREDENTIALS_FILE") ?? Path.Combine(home, ".aws", "credentials");
            yield return Get(env, "AWS_CONFIG_FILE") ?? Path.Combine(home, ".aws", "config");
        }

        private static AwsSession CreateCore(AwsConnectionSettings settings, IDictionary<string, string?>? environment)
        {
            if (settings == null)
            {
                throw new ArgumentNullException(nameof(settings));
            }

            if (settings.Credentials == null && settings.CredentialObject != null)
            {
                settings.Credentials = ForeignCredentials.Convert(settings.CredentialObject, settings.CredentialObjectName, out string? profileName);
                settings.ProfileName ??= profileName;
            }

            IDictionary<string, string?> env = environment ?? ReadProcessEnvironment();

            // ---- validation first: nothing below may run on bad input ----
            AwsRequestLimits requestLimits = AwsRequestLimits.Resolve(settings.RequestTimeout, settings.TotalRequestTimeout, env);
            bool hasAccess = !string.IsNullOrEmpty(settings.AccessKey);
            bool hasSecret = !string.IsNullOrEmpty(settings.SecretKey);
            if (hasAccess && !hasSecret)
            {
                throw new InputValidationException("AwsCredentialPairIncomplete", "SecretKey",
                    "-AccessKey was given without -SecretKey. Give both halves of the key pair (for example -AccessKey AKIAIOSFODNN7EXAMPLE -SecretKey <secret>), or neither.");
            }

            if (hasSecret && !hasAccess)
            {
                throw new InputValidationException("AwsCredentialPairIncomplete", "AccessKey",
                    "-SecretKey was given without -AccessKey. Give both halves of the key pair (for example -AccessKey AKIAIOSFODNN7EXAMPLE -SecretKey <secret>), or neither.");
            }

            if (!string.IsNullOrEmpty(settings.SessionToken) && !hasAccess)
            {
                throw new InputValidationException("AwsCredentialPairIncomplete", "SessionToken",
                    "-SessionToken only makes sense with -AccessKey and -SecretKey of the same temporary credentials.");
            }

            if (hasAccess && ContainsWhitespace(settings.AccessKey!))
            {
                throw new InputValidationException("AccessKeyInvalid", "AccessKey",
                    "-AccessKey must not contain spaces or line breaks; an access key id looks like AKIAIOSFODNN7EXAMPLE.");
            }

            if (hasSecret && TypeNamePattern.IsMatch(settings.SecretKey!))
            {
                // The text of a type name is not a secret, so it can be quoted: an object was turned into text on its way.
                throw new InputValidationException("SecretKeyInvalid", "SecretKey",
                    "-SecretKey received '" + settings.SecretKey + "', the name of a type, not a secret key: an object (typically a SecureString) was turned "
                    + "into text on its way, for example inside \"...\". Pass the object itself, such as -SecretKey $key.SecretAccessKey "
                    + "or -SecretKey (Read-Host -AsSecureString 'Secret key'), or the secret's plain text.");
            }

            bool ignoreEnvEndpoints = string.Equals(Get(env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true", StringComparison.OrdinalIgnoreCase);
            Uri? endpointAll = ParseEndpoint(settings.EndpointUrl, "EndpointUrl");
            Uri? endpointIam = ParseEndpoint(settings.IamEndpointUrl, "IamEndpointUrl");
            Uri? endpointSts = ParseEndpoint(settings.StsEndpointUrl, "StsEndpointUrl");
            Uri? envAll = ignoreEnvEndpoints ? null : ParseEndpoint(Get(env, "AWS_ENDPOINT_URL"), "AWS_ENDPOINT_URL");
            Uri? envIam = ignoreEnvEndpoints ? null : ParseEndpoint(Get(env, "AWS_ENDPOINT_URL_IAM"), "AWS_ENDPOINT_URL_IAM");
            Uri? envSts = ignoreEnvEndpoints ? null : ParseEndpoint(Get(env, "AWS_ENDPOINT_URL_STS"), "AWS_ENDPOINT_URL_STS");
            Uri? envS3 = ignoreEnvEndpoints ? null : ParseEndpoint(Get(env, "AWS_ENDPOINT_URL_S3"), "AWS_ENDPOINT_URL_S3");
            Uri? s3Url = endpointAll ?? envS3 ?? envAll;
            bool anyCustomEndpoint = endpointAll != null || envAll != null || envS3 != null;

            if (!string.IsNullOrEmpty(settings.Region))
            {
                ValidateRegion(settings.Region!, "Region", anyCustomEndpoint);
            }

            // ---- credentials ----
            AWSCredentials credentials;
            string credentialSource;
            CredentialProfile? regionProfile = null;
            CredentialProfile? implicitProfile = null;
            SessionCredentialCache.ProfileEntry? profileEntry = null;
            CredentialResolution resolution = CredentialResolution.Explicit;

            if (!string.IsNullOrEmpty(settings.ProfileName))
            {
                // Read once per session while the profile files are unchanged (SessionCredentialCache).
                if (!SessionCredentialCache.TryGetProfile(settings.ProfileName!, settings.ProfileLocation, out profileEntry, out _))
                {
                    throw new InputValidationException("AwsProfileNotFound", "ProfileName",
                        "Profile '" + settings.ProfileName + "' was not found in " + DescribeProfileFiles(settings.ProfileLocation)
                        + ". Give a profile name listed there (for example 'default'), or create it with 'aws configure --profile " + settings.ProfileName + "'.");
                }

                regionProfile = profileEntry.Profile;
            }

            if (hasAccess)
            {
                credentials = string.IsNullOrEmpty(settings.SessionToken)
                    ? new BasicAWSCredentials(settings.AccessKey, settings.SecretKey)
                    : (AWSCredentials)new SessionAWSCredentials(settings.AccessKey, settings.SecretKey, settings.SessionToken);
                credentialSource = string.IsNullOrEmpty(settings.SessionToken)
                    ? "explicit -AccessKey/-SecretKey"
                    : "explicit -AccessKey/-SecretKey/-SessionToken";
            }
            else if (settings.Credentials != null)
            {
                credentials = settings.Credentials;
                credentialSource = settings.CredentialsSource ?? "explicit -Credential object";
            }
            else if (regionProfile != null)
            {
                if (!profileEntry!.TryGetCredentials(out AWSCredentials profileCredentials, out bool reused))
                {
                    throw new InputValidationException("AwsProfileHasNoCredentials", "ProfileName",
                        "Profile '" + regionProfile.Name + "' in " + DescribeProfileFiles(settings.ProfileLocation)
                        + " holds no usable credentials (no keys, role, SSO session or credential_process). Add credentials to it or give another profile.");
                }

                credentials = profileCredentials;
                credentialSource = "profile '" + regionProfile.Name + "' from " + DescribeProfileFiles(settings.ProfileLocation);
                resolution = reused ? CredentialResolution.Cached : CredentialResolution.Resolved;
            }
            else
            {
                ResolveFromEnvironment(env, out credentials, out credentialSource, out implicitProfile, out resolution);
            }

            // ---- region: explicit > named profile > AWS_REGION > AWS_DEFAULT_REGION > AWS_PROFILE/default profile > fallback ----
            string regionName;
            string regionSource;
            if (!string.IsNullOrEmpty(settings.Region))
            {
                regionName = settings.Region!;
                regionSource = settings.RegionSource ?? "-Region";
            }
            else if (regionProfile?.Region != null)
            {
                regionName = regionProfile.Region.SystemName;
                regionSource = "profile '" + regionProfile.Name + "'";
            }
            else if (!string.IsNullOrEmpty(Get(env, "AWS_REGION")))
            {
                regionName = Get(env, "AWS_REGION")!;
                ValidateRegion(regionName, "AWS_REGION", anyCustomEndpoint);
                regionSource = "AWS_REGION environment variable";
            }
            else if (!string.IsNullOrEmpty(Get(env, "AWS_DEFAULT_REGION")))
            {
                regionName = Get(env, "AWS_DEFAULT_REGION")!;
                ValidateRegion(regionName, "AWS_DEFAULT_REGION", anyCustomEndpoint);
                regionSource = "AWS_DEFAULT_REGION environment variable";
            }
            else if (implicitProfile?.Region != null)
            {
                regionName = implicitProfile.Region.SystemName;
                regionSource = "profile '" + implicitProfile.Name + "'";
            }
            else
            {
                regionName = FallbackRegion;
                regionSource = "fallback " + FallbackRegion + " (no -Region, profile region or AWS_REGION)";
            }

            RegionEndpoint region = RegionEndpoint.GetBySystemName(regionName);
            string partition = PartitionOf(regionName);

            // ---- endpoints: explicit service-specific > explicit all > env service-specific > env all > partition default ----
            PartitionIam(partition, out Uri defaultIam, out string iamSigningRegion);
            Uri iamEndpoint = endpointIam ?? endpointAll ?? envIam ?? envAll ?? defaultIam;
            Uri? customSts = endpointSts ?? endpointAll ?? envSts ?? envAll;
            Uri stsEndpoint = customSts ?? new Uri("https://sts." + regionName + "." + DnsSuffixOf(partition));

            bool forcePathStyle = settings.ForcePathStyle ?? (s3Url != null);
            bool checksumWhenRequired = settings.ChecksumWhenRequired ?? (s3Url != null);

            return new AwsSession(credentials, credentialSource, region, regionSource, partition, iamEndpoint, iamSigningRegion,
                stsEndpoint, customSts != null, s3Url, forcePathStyle, checksumWhenRequired, requestLimits)
            {
                CredentialResolution = resolution,
            };
        }

        /// <summary>The partition a region belongs to: <c>aws</c>, <c>aws-cn</c>, <c>aws-us-gov</c>, <c>aws-iso</c> or <c>aws-iso-b</c>.</summary>
        public static string PartitionOf(string regionName)
        {
            if (regionName == null)
            {
                throw new ArgumentNullException(nameof(regionName));
            }

            string r = regionName.ToLowerInvariant();
            if (r.StartsWith("cn-", StringComparison.Ordinal))
            {
                return "aws-cn";
            }

            if (r.StartsWith("us-gov-", StringComparison.Ordinal))
            {
                return "aws-us-gov";
            }

            if (r.StartsWith("us-isob-", StringComparison.Ordinal))
            {
                return "aws-iso-b";
            }

            if (r.StartsWith("us-iso-", StringComparison.Ordinal))
            {
                return "aws-iso";
            }

            return "aws";
        }

        private static void PartitionIam(string partition, out Uri endpoint, out string signingRegion)
        {
            switch (partition)
            {
                case "aws-cn":
                    endpoint = new Uri("https://iam.cn-north-1.amazonaws.com.cn");
                    signingRegion = "cn-north-1";
                    break;
                case "aws-us-gov":
                    endpoint = new Uri("https://iam.us-gov.amazonaws.com");
                    signingRegion = "us-gov-west-1";
                    break;
                case "aws-iso":
                    endpoint = new Uri("https://iam.us-iso-east-1.c2s.ic.gov");
                    signingRegion = "us-iso-east-1";
                    break;
                case "aws-iso-b":
                    endpoint = new Uri("https://iam.us-isob-east-1.sc2s.sgov.gov");
                    signingRegion = "us-isob-east-1";
                    break;
                default:
                    endpoint = new Uri("https://iam.amazonaws.com");
                    signingRegion = "us-east-1";
                    break;
            }
        }

        private static string DnsSuffixOf(string partition)
        {
            switch (partition)
            {
                case "aws-cn": return "amazonaws.com.cn";
                case "aws-iso": return "c2s.ic.gov";
                case "aws-iso-b": return "sc2s.sgov.gov";
                default: return "amazonaws.com";
            }
        }

        private static void ResolveFromEnvironment(
            IDictionary<string, string?> env, out AWSCredentials credentials, out string source, out CredentialProfile? profileUsed,
            out CredentialResolution resolution)
        {
            profileUsed = null;
            resolution = CredentialResolution.Explicit;
            bool reused;

            // AWS_PROFILE names a profile exactly as -ProfileName would (AWSSDK.Core does the same first).
            string? envProfile = Get(env, "AWS_PROFILE");
            if (!string.IsNullOrEmpty(envProfile))
            {
                if (!SessionCredentialCache.TryGetProfile(envProfile!, null, out SessionCredentialCache.ProfileEntry entry, out _))
                {
                    throw new InputValidationException("AwsProfileNotFound", "AWS_PROFILE",
                        "The AWS_PROFILE environment variable names profile '" + envProfile + "', which was not found in "
                        + DescribeProfileFiles(null) + ". Unset AWS_PROFILE or set it to an existing profile name.");
                }

                if (!entry.TryGetCredentials(out AWSCredentials fromProfile, out reused))
                {
                    throw new InputValidationException("AwsProfileHasNoCredentials", "AWS_PROFILE",
                        "Profile '" + envProfile + "' (named by AWS_PROFILE) holds no usable credentials. Add credentials to it or unset AWS_PROFILE.");
                }

                credentials = fromProfile;
                source = "profile '" + envProfile + "' (AWS_PROFILE) from " + DescribeProfileFiles(null);
                profileUsed = entry.Profile;
                resolution = reused ? CredentialResolution.Cached : CredentialResolution.Resolved;
                return;
            }

            string? envAccess = Get(env, "AWS_ACCESS_KEY_ID");
            string? envSecret = Get(env, "AWS_SECRET_ACCESS_KEY");
            if (!string.IsNullOrEmpty(envAccess) && !string.IsNullOrEmpty(envSecret))
            {
                string? token = Get(env, "AWS_SESSION_TOKEN");
                credentials = string.IsNullOrEmpty(token)
                    ? new BasicAWSCredentials(envAccess, envSecret)
                    : (AWSCredentials)new SessionAWSCredentials(envAccess, envSecret, token);
                source = "environment variables";
                return;
            }

            string? tokenFile = Get(env, "AWS_WEB_IDENTITY_TOKEN_FILE");
            string? roleArn = Get(env, "AWS_ROLE_ARN");
            if (!string.IsNullOrEmpty(tokenFile) && !string.IsNullOrEmpty(roleArn))
            {
                // The SDK's object refreshes the role's temporary credentials itself: keep the object, per token file
                // (and its size and last-write time), role and session name.
                string? sessionName = Get(env, "AWS_ROLE_SESSION_NAME");
                credentials = SessionCredentialCache.GetOrCreate(
                    "web-identity\n" + tokenFile + "\n" + roleArn + "\n" + sessionName, new[] { tokenFile! },
                    () => new AssumeRoleWithWebIdentityCredentials(tokenFile, roleArn, sessionName), out reused);
                source = "web identity (AWS_WEB_IDENTITY_TOKEN_FILE)";
                resolution = reused ? CredentialResolution.Cached : CredentialResolution.Resolved;
                return;
            }

            if (SessionCredentialCache.TryGetProfile("default", null, out SessionCredentialCache.ProfileEntry defaultEntry, out _))
            {
                profileUsed = defaultEntry.Profile;
                if (defaultEntry.TryGetCredentials(out AWSCredentials fromDefault, out reused))
                {
                    credentials = fromDefault;
                    source = "profile 'default' from " + DescribeProfileFiles(null);
                    resolution = reused ? CredentialResolution.Cached : CredentialResolution.Resolved;
                    return;
                }
            }

            // Container and instance-profile credentials: one object per session for the same environment and files, so
            // the SDK fetches (and refreshes) them once rather than once per command. A failed lookup is not kept.
            var chainInputs = new StringBuilder("default-chain");
            foreach (string name in DefaultChainVariables)
            {
                chainInputs.Append('\n').Append(name).Append('=').Append(Get(env, name));
            }

            credentials = SessionCredentialCache.GetOrCreate(chainInputs.ToString(), SessionCredentialCache.ProfileFiles(null),
                () => new DefaultChainCredentials(), out reused);
            source = "default credential chain";
            resolution = reused ? CredentialResolution.Cached : CredentialResolution.Resolved;
        }

        /// <summary>Environment variables that change what AWSSDK.Core's default chain finds beyond the profile files.</summary>
        private static readonly string[] DefaultChainVariables =
        {
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "AWS_EC2_METADATA_DISABLED", "AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_PROFILE",
        };

        private static void ValidateRegion(string region, string parameterName, bool customEndpoint)
        {
            if (AwsRegionPattern.IsMatch(region))
            {
                return;
            }

            // S3-compatible stores often use their own region names ("default", "garage", "us").
            if (customEndpoint && CustomRegionPattern.IsMatch(region))
            {
                return;
            }

            throw new InputValidationException("RegionInvalid", parameterName,
                "'" + region + "' is not a region name. " + parameterName + " must look like 'us-east-1', 'eu-central-1' or 'cn-north-1'"
                + (customEndpoint ? " (or, with a custom endpoint, letters, digits, '-' and '_')." : "."));
        }

        private static Uri? ParseEndpoint(string? value, string parameterName)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                return null;
            }

            string what = parameterName.StartsWith("AWS_", StringComparison.Ordinal)
                ? "The " + parameterName + " environment variable"
                : "-" + parameterName;
            if (!Uri.TryCreate(value!.Trim(), UriKind.Absolute, out Uri? uri)
                || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
                || string.IsNullOrEmpty(uri.Host)
                || !string.IsNullOrEmpty(uri.Query)
                || !string.IsNullOrEmpty(uri.Fragment))
            {
                throw new InputValidationException("EndpointUrlInvalid", parameterName,
                    what + " must be an absolute http or https URL without query or fragment, for example 'https://s3.example.com' or 'http://127.0.0.1:9000'.");
            }

            return uri;
        }

        private static string DescribeProfileFiles(string? profileLocation)
        {
            return string.IsNullOrEmpty(profileLocation) ? "~/.aws/credentials or ~/.aws/config" : profileLocation!;
        }

        private static bool ContainsWhitespace(string s)
        {
            foreach (char c in s)
            {
                if (char.IsWhiteSpace(c) || char.IsControl(c))
                {
                    return true;
                }
            }

            return false;
        }

        private static string? Get(IDictionary<string, string?> env, string name)
        {
            return env.TryGetValue(name, out string? v) && !string.IsNullOrWhiteSpace(v) ? v!.Trim() : null;
        }

        private static IDictionary<string, string?> ReadProcessEnvironment()
        {
            var result = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            foreach (DictionaryEntry e in Environment.GetEnvironmentVariables())
            {
                result[(string)e.Key] = e.Value as string;
            }

            return result;
        }
    }
}
