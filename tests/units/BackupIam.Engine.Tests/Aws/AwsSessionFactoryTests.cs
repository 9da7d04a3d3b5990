using Xunit;
using Amazon.Runtime;
using BackupIam.Engine.Aws;
using BackupIam.Engine.Errors;

namespace BackupIam.Engine.Tests.Aws;

public sealed class AwsSessionFactoryTests
{
    private static Dictionary<string, string?> Env(params (string Key, string Value)[] vars)
    {
        var d = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (k, v) in vars)
        {
            d[k] = v;
        }

        return d;
    }

    [Fact]
    public void ExplicitKeysWinOverEnvironmentKeys()
    {
        var session = AwsSessionFactory.Create(
            new AwsConnectionSettings { AccessKey = "AKIAEXPLICIT0000001", SecretKey = "s3cr3t", Region = "eu-west-1" },
            Env(("AWS_ACCESS_KEY_ID", "AKIAFROMENV00000001"), ("AWS_SECRET_ACCESS_KEY", "envsecret"), ("AWS_REGION", "us-west-2")));

        Assert.Equal("explicit -AccessKey/-SecretKey", session.CredentialSource);
        ImmutableCredentials c = session.Credentials.GetCredentials();
        Assert.Equal("AKIAEXPLICIT0000001", c.AccessKey);
        Assert.Equal("s3cr3t", c.SecretKey);
        Assert.False(c.UseToken);
        Assert.Equal("eu-west-1", session.Region.SystemName);
        Assert.Equal("-Region", session.RegionSource);
        Assert.Equal("aws", session.Partition);
        Assert.Equal(new Uri("https://iam.amazonaws.com"), session.IamEndpoint);
        Assert.Equal("us-east-1", session.IamSigningRegion);
        Assert.Equal(new Uri("https://sts.eu-west-1.amazonaws.com"), session.StsEndpoint);
        Assert.Null(session.S3ServiceUrl);
        Assert.False(session.ForcePathStyle);
        Assert.False(session.ChecksumWhenRequired);
    }

    [Fact]
    public void ExplicitSessionTokenIsCarried()
    {
        var session = AwsSessionFactory.Create(
            new AwsConnectionSettings { AccessKey = "ASIAEXAMPLE00000001", SecretKey = "s", SessionToken = "tok" }, Env());
        Assert.True(session.Credentials.GetCredentials().UseToken);
        Assert.Equal("tok", session.Credentials.GetCredentials().Token);
    }

    [Fact]
    public void ExplicitCredentialsObjectIsUsedWhenNoKeys()
    {
        var creds = new BasicAWSCredentials("AKIAOBJECT000000001", "x");
        var session = AwsSessionFactory.Create(new AwsConnectionSettings { Credentials = creds }, Env(("AWS_ACCESS_KEY_ID", "AKIAENV"), ("AWS_SECRET_ACCESS_KEY", "y")));
        Assert.Same(creds, session.Credentials);
        Assert.Equal("explicit -Credential object", session.CredentialSource);
    }

    [Theory]
    [InlineData("AKIAIOSFODNN7EXAMPLE", null, "SecretKey")]
    [InlineData(null, "s3cr3tValue42", "AccessKey")]
    public void HalfAKeyPairIsRejectedNamingTheMissingParameter(string? access, string? secret, string expectedParameter)
    {
        var ex = Assert.Throws<InputValidationException>(() => AwsSessionFactory.Create(
            new AwsConnectionSettings { AccessKey = access, SecretKey = secret }, Env()));
        Assert.Equal(expectedParameter, ex.ParameterName);
        Assert.Equal("AwsCredentialPairIncomplete", ex.ErrorId);
        if (secret != null)
        {
            Assert.DoesNotContain(secret, ex.Message);
        }
    }

    [Theory]
    [InlineData("not a url", "EndpointUrl")]
    [InlineData("ftp://example.com", "EndpointUrl")]
    [InlineData("/relative/path", "EndpointUrl")]
    [InlineData("https://s3.example.com/?x=1", "EndpointUrl")]
    public void MalformedEndpointIsRejected(string url, string parameter)
    {
        var ex = Assert.Throws<InputValidationException>(() => AwsSessionFactory.Create(
            new AwsConnectionSettings { AccessKey = "AKIAIOSFODNN7EXAMPLE", SecretKey = "x", EndpointUrl = url }, Env()));
        Assert.Equal(parameter, ex.ParameterName);
        Assert.Equal("EndpointUrlInvalid", ex.ErrorId);
        Assert.Contains("http", ex.Message);
    }

    [Fact]
    public void MalformedEndpointFromEnvironmentNamesTheVariable()
    {
        var ex = Assert.Throws<InputValidationException>(() => AwsSessionFactory.Create(
            new AwsConnectionSettings { AccessKey = "AKIAIOSFODNN7EXAMPLE", SecretKey = "x" }, Env(("AWS_ENDPOINT_URL_IAM", "nope"))));
        Assert.Equal("AWS_ENDPOINT_URL_IAM", ex.ParameterName);
    }

    [Theory]
    [InlineData("US_EAST_1")]
    [InlineData("useast1")]
    [InlineData("us-east")]
    [InlineData("eu west 1")]
    public void UnknownRegionFormatIsRejected(string region)
    {
        var ex = Assert.Throws<InputValidationException>(() => AwsSessionFactory.Create(
            new AwsConnectionSettings { AccessKey = "AKIAIOSFODNN7EXAMPLE", SecretKey = "x", Region = region }, Env()));
        Assert.Equal("Region", ex.ParameterName);
        Assert.Equal("RegionInvalid", ex.ErrorId);
    }

    [Fact]
    public void CustomEndpointAllowsStoreSpecificRegionNames()
    {
        var session = AwsSessionFactory.Create(
            new AwsConnectionSettings { AccessKey = "AKIAIOSFODNN7EXAMPLE", SecretKey = "x", Region = "default", EndpointUrl = "http://127.0.0.1:7480" }, Env());
        Assert.Equal("default", session.Region.SystemName);
    }

    [Fact]
    public void ServiceSpecificEnvironmentEndpointBeatsGenericOne()
    {
        var session = AwsSessionFactory.Create(
            new AwsConnectionSettings { AccessKey = "AKIAIOSFODNN7EXAMPLE", SecretKey = "x" },
            Env(("AWS_ENDPOINT_URL", "http://generic.example:1000"), ("AWS_ENDPOINT_URL_IAM", "http://iam.example:2000")));

        Assert.Equal(new Uri("http://iam.example:2000"), session.IamEndpoint);
        Assert.Equal(new Uri("http://generic.example:1000"), session.StsEndpoint);
        Assert.True(session.StsEndpointIsCustom);
        Assert.Equal(new Uri("http://generic.example:1000"), session.S3ServiceUrl);
    }

    [Fact]
    public void ExplicitSettingsBeatEnvironmentEndpoints()
    {
        var session = AwsSessionFactory.Create(
            new AwsConnectionSettings { AccessKey = "AKIAIOSFODNN7EXAMPLE", SecretKey = "x", EndpointUrl = "https://rgw.example", IamEndpointUrl = "https://iam.local" },
            Env(("AWS_ENDPOINT_URL_IAM", "http://iam.env:2000"), ("AWS_ENDPOINT_URL_S3", "http://s3.env:3000"), ("AWS_ENDPOINT_URL_STS", "http://sts.env:4000")));

        Assert.Equal(new Uri("https://iam.local"), session.IamEndpoint);
        Assert.Equal(new Uri("https://rgw.example"), session.S3ServiceUrl);
        Assert.Equal(new Uri("https://rgw.example"), session.StsEndpoint);
    }

    [Fact]
    public void S3EnvironmentEndpointTurnsOnCompatibilityDefaults()
    {
        var session = AwsSessionFactory.Create(
            new AwsConnectionSettings { AccessKey = "AKIAIOSFODNN7EXAMPLE", SecretKey = "x" }, Env(("AWS_ENDPOINT_URL_S3", "http://ceph.local:7480")));
        Assert.Equal(new Uri("http://ceph.local:7480"), session.S3ServiceUrl);
        Assert.True(session.ForcePathStyle);
        Assert.True(session.ChecksumWhenRequired);
        Assert.Equal(new Uri("https://iam.amazonaws.com"), session.IamEndpoint);

        var config = S3Gateway.CreateConfig(session);
        Assert.True(config.ForcePathStyle);
        Assert.Equal(RequestChecksumCalculation.WHEN_REQUIRED, config.RequestChecksumCalculation);
        Assert.Equal(ResponseChecksumValidation.WHEN_REQUIRED, config.ResponseChecksumValidation);
    }

    [Fact]
    public void CompatibilityDefaultsCanBeOverridden()
    {
        var session = AwsSessionFactory.Create(
            new AwsConnectionSettings { AccessKey = "AKIAIOSFODNN7EXAMPLE", SecretKey = "x", EndpointUrl = "http://minio.local:9000", ForcePathStyle = false, ChecksumWhenRequired = false },
            Env());
        Assert.False(session.ForcePathStyle);
        Assert.False(session.ChecksumWhenRequired);
        Assert.NotEqual(RequestChecksumCalculation.WHEN_REQUIRED, S3Gateway.CreateConfig(session).RequestChecksumCalculation);
    }

    [Fact]
    public void IgnoreConfiguredEndpointUrlsDropsEnvironmentEndpoints()
    {
        var session = AwsSessionFactory.Create(
            new AwsConnectionSettings { AccessKey = "AKIAIOSFODNN7EXAMPLE", SecretKey = "x" },
            Env(("AWS_ENDPOINT_URL", "http://generic.example:1000"), ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")));
        Assert.Equal(new Uri("https://iam.amazonaws.com"), session.IamEndpoint);
        Assert.Null(session.S3ServiceUrl);
    }

    [Theory]
    [InlineData("cn-north-1", "aws-cn", "https://iam.cn-north-1.amazonaws.com.cn/", "cn-north-1", "https://sts.cn-north-1.amazonaws.com.cn/")]
    [InlineData("cn-northwest-1", "aws-cn", "https://iam.cn-north-1.amazonaws.com.cn/", "cn-north-1", "https://sts.cn-northwest-1.amazonaws.com.cn/")]
    [InlineData("us-gov-west-1", "aws-us-gov", "https://iam.us-gov.amazonaws.com/", "us-gov-west-1", "https://sts.us-gov-west-1.amazonaws.com/")]
    [InlineData("us-gov-east-1", "aws-us-gov", "https://iam.us-gov.amazonaws.com/", "us-gov-west-1", "https://sts.us-gov-east-1.amazonaws.com/")]
    [InlineData("ap-southeast-2", "aws", "https://iam.amazonaws.com/", "us-east-1", "https://sts.ap-southeast-2.amazonaws.com/")]
    public void PartitionSelectsTheGlobalIamEndpoint(string region, string partition, string iam, string signingRegion, string sts)
    {
        var session = AwsSessionFactory.Create(new AwsConnectionSettings { AccessKey = "AKIAIOSFODNN7EXAMPLE", SecretKey = "x", Region = region }, Env());
        Assert.Equal(partition, session.Partition);
        Assert.Equal(iam, session.IamEndpoint.ToString());
        Assert.Equal(signingRegion, session.IamSigningRegion);
        Assert.Equal(sts, session.StsEndpoint.ToString());
    }

    [Fact]
    public void EnvironmentRegionIsUsedWhenNoneGiven()
    {
        var session = AwsSessionFactory.Create(new AwsConnectionSettings { AccessKey = "AKIAIOSFODNN7EXAMPLE", SecretKey = "x" },
            Env(("AWS_DEFAULT_REGION", "eu-north-1"), ("AWS_REGION", "eu-south-1")));
        Assert.Equal("eu-south-1", session.Region.SystemName);
        Assert.Contains("AWS_REGION", session.RegionSource);

        session = AwsSessionFactory.Create(new AwsConnectionSettings { AccessKey = "AKIAIOSFODNN7EXAMPLE", SecretKey = "x" }, Env(("AWS_DEFAULT_REGION", "eu-north-1")));
        Assert.Equal("eu-north-1", session.Region.SystemName);
        Assert.Contains("AWS_DEFAULT_REGION", session.RegionSource);
    }

    [Fact]
    public void NoRegionAnywhereFallsBackWithoutProbingInstanceMetadata()
    {
        // With nothing set the region must come from the fixed fallback, never from an IMDS probe.
        var session = AwsSessionFactory.Create(new AwsConnectionSettings { AccessKey = "AKIAIOSFODNN7EXAMPLE", SecretKey = "x" }, Env());
        Assert.Equal("us-east-1", session.Region.SystemName);
        Assert.StartsWith("fallback", session.RegionSource);
    }

    [Fact]
    public void EnvironmentKeysAreUsedWhenNothingExplicit()
    {
        var session = AwsSessionFactory.Create(new AwsConnectionSettings(),
            Env(("AWS_ACCESS_KEY_ID", "AKIAFROMENV00000001"), ("AWS_SECRET_ACCESS_KEY", "envsecret"), ("AWS_SESSION_TOKEN", "envtoken")));
        Assert.Equal("environment variables", session.CredentialSource);
        Assert.Equal("AKIAFROMENV00000001", session.Credentials.GetCredentials().AccessKey);
        Assert.Equal("envtoken", session.Credentials.GetCredentials().Token);
    }

    [Fact]
    public void WebIdentityEnvironmentIsRecognised()
    {
        var session = AwsSessionFactory.Create(new AwsConnectionSettings(),
            Env(("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/token"), ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/backup")));
        Assert.Equal("web identity (AWS_WEB_IDENTITY_TOKEN_FILE)", session.CredentialSource);
        Assert.IsType<AssumeRoleWithWebIdentityCredentials>(session.Credentials);
    }

    [Fact]
    public void NamedProfileFromAFileSuppliesKeysAndRegion()
    {
        string file = Path.Combine(Path.GetTempPath(), "backupiam-creds-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(file, "[backup]\naws_access_key_id = AKIAPROFILE00000001\naws_secret_access_key = profsecret\nregion = eu-central-1\n");
        try
        {
            var session = AwsSessionFactory.Create(new AwsConnectionSettings { ProfileName = "backup", ProfileLocation = file },
                Env(("AWS_REGION", "us-west-2"), ("AWS_ACCESS_KEY_ID", "AKIAENV"), ("AWS_SECRET_ACCESS_KEY", "e")));
            Assert.Equal("AKIAPROFILE00000001", session.Credentials.GetCredentials().AccessKey);
            Assert.Contains("profile 'backup'", session.CredentialSource);
            Assert.Equal("eu-central-1", session.Region.SystemName);
            Assert.Equal("profile 'backup'", session.RegionSource);

            var missing = Assert.Throws<InputValidationException>(() => AwsSessionFactory.Create(
                new AwsConnectionSettings { ProfileName = "nope", ProfileLocation = file }, Env()));
            Assert.Equal("ProfileName", missing.ParameterName);
            Assert.Equal("AwsProfileNotFound", missing.ErrorId);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void SettingsToStringMasksSecrets()
    {
        var s = new AwsConnectionSettings { AccessKey = "AKIAIOSFODNN7EXAMPLE", SecretKey = "topsecretvalue", SessionToken = "tokenvalue" };
        Assert.DoesNotContain("topsecretvalue", s.ToString());
        Assert.DoesNotContain("tokenvalue", s.ToString());
        Assert.Contains("AKIAIOSFODNN7EXAMPLE", s.ToString());
    }
}
