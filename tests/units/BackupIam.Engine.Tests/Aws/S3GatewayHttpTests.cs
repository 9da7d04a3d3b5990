using BackupIam.Engine.Aws;
using Xunit;

namespace BackupIam.Engine.Tests.Aws;

/// <summary>What AWSSDK.S3 puts on the wire through the gateway, seen by a local listener.</summary>
public sealed class S3GatewayHttpTests : IDisposable
{
    private readonly CannedHttpServer _server = new();

    public void Dispose() => _server.Dispose();

    private S3Gateway Gateway(bool? checksumWhenRequired = null) => new(AwsSessionFactory.Create(
        new AwsConnectionSettings
        {
            AccessKey = "AKIAIOSFODNN7EXAMPLE",
            SecretKey = "secret-for-tests",
            EndpointUrl = _server.Endpoint.ToString(),
            ChecksumWhenRequired = checksumWhenRequired,
        },
        new Dictionary<string, string?>()));

    [Fact]
    public async Task CustomEndpointUsesPathStyleAndPlainBodiesWithoutTrailerChecksums()
    {
        _server.Enqueue(200, "");
        using var s3 = Gateway();
        await s3.PutObjectAsync("bucket-a", "backup/", null, CancellationToken.None);

        var request = _server.Requests.Single();
        Assert.Equal("PUT", request.Method);
        Assert.False(request.Headers.ContainsKey("x-amz-trailer"));
        Assert.DoesNotContain("aws-chunked", request.Headers.GetValueOrDefault("Content-Encoding") ?? "");
        Assert.NotEqual("STREAMING-UNSIGNED-PAYLOAD-TRAILER", request.Headers.GetValueOrDefault("x-amz-content-sha256"));
        Assert.StartsWith("127.0.0.1:", request.Headers["Host"]); // path style: no bucket in the host name
    }

    [Fact]
    public async Task FlexibleChecksumsComeBackWhenTheOverrideTurnsThemOn()
    {
        _server.Enqueue(200, "");
        using var s3 = Gateway(checksumWhenRequired: false);
        await s3.PutObjectAsync("bucket-a", "file.txt", "hello", CancellationToken.None);

        var request = _server.Requests.Single();
        bool flexible = request.Headers.Keys.Any(k => k.StartsWith("x-amz-checksum-", StringComparison.OrdinalIgnoreCase))
            || request.Headers.ContainsKey("x-amz-trailer");
        Assert.True(flexible, "expected AWSSDK.S3's default flexible checksum headers: " + string.Join(", ", request.Headers.Keys));
    }

    [Fact]
    public async Task LifecycleRuleIsSerialisedWithAllFields()
    {
        _server.Enqueue(200, "");
        using var s3 = Gateway();
        await s3.PutBucketLifecycleConfigurationAsync("bucket-a", new[]
        {
            new S3LifecycleRule { Id = "nc", Prefix = "backup/", NoncurrentVersionExpirationDays = 30, NewerNoncurrentVersions = 3, AbortIncompleteMultipartUploadDays = 7 },
        }, CancellationToken.None);

        string body = _server.Requests.Single().Body;
        Assert.Contains("<ID>nc</ID>", body);
        Assert.Contains("<Prefix>backup/</Prefix>", body);
        Assert.Contains("<NoncurrentDays>30</NoncurrentDays>", body);
        Assert.Contains("<NewerNoncurrentVersions>3</NewerNoncurrentVersions>", body);
        Assert.Contains("<DaysAfterInitiation>7</DaysAfterInitiation>", body);
        Assert.Contains("<Status>Enabled</Status>", body);
    }

    [Fact]
    public async Task AccessDeniedIsMappedWithAwsCode()
    {
        _server.Enqueue(403, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>RID1</RequestId></Error>");
        using var s3 = Gateway();
        var ex = await Assert.ThrowsAsync<S3ServiceException>(() => s3.PutBucketPolicyAsync("bucket-a", "{}", CancellationToken.None));
        Assert.Equal("S3AccessDenied", ex.ErrorId);
        Assert.Equal("AccessDenied", ex.AwsErrorCode);
        Assert.Equal("RID1", ex.RequestId);
        Assert.Equal(403, ex.HttpStatus);
        Assert.DoesNotContain("secret-for-tests", ex.ToString());
    }
}
