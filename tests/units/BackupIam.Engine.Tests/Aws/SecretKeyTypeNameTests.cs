using Xunit;
using BackupIam.Engine.Aws;
using BackupIam.Engine.Errors;

namespace BackupIam.Engine.Tests.Aws;

/// <summary>A SecureString (or another object) turned into its type name on its way to -SecretKey is refused before any call.</summary>
public sealed class SecretKeyTypeNameTests
{
    private static Dictionary<string, string?> NoEnvironment() => new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);

    [Theory]
    [InlineData("System.Security.SecureString")]
    [InlineData("System.Management.Automation.PSCredential")]
    [InlineData("Amazon.Runtime.BasicAWSCredentials")]
    [InlineData("System.Object[]")]
    public void ATypeNameIsRefusedWithTheIdiom(string value)
    {
        var ex = Assert.Throws<InputValidationException>(() => AwsSessionFactory.Create(
            new AwsConnectionSettings { AccessKey = "AKIAIOSFODNN7EXAMPLE", SecretKey = value }, NoEnvironment()));
        Assert.Equal("SecretKeyInvalid", ex.ErrorId);
        Assert.Equal("SecretKey", ex.ParameterName);
        Assert.Contains(value, ex.Message);
        Assert.Contains("-SecretKey $key.SecretAccessKey", ex.Message);
    }

    [Theory]
    [InlineData("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")]
    [InlineData("SystemSecret")]
    [InlineData("my.secret.key")]
    public void RealSecretsAreAccepted(string secret)
    {
        AwsSession session = AwsSessionFactory.Create(
            new AwsConnectionSettings { AccessKey = "AKIAIOSFODNN7EXAMPLE", SecretKey = secret }, NoEnvironment());
        Assert.Equal(secret, session.Credentials.GetCredentials().SecretKey);
    }
}
