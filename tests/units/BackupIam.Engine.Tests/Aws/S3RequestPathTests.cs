using BackupIam.Engine.Aws;
using BackupIam.Engine.Errors;
using Xunit;

namespace BackupIam.Engine.Tests.Aws;

/// <summary>
/// Issue 11, "a write outside the named bucket": whatever key the caller passes, an S3 request goes to the named bucket and
/// to exactly that key. Seen on the wire by a local listener, and against moto by looking at what the buckets hold.
/// </summary>
public sealed class S3RequestPathTests : IDisposable
{
    private readonly CannedHttpServer _server = new();

    public void Dispose() => _server.Dispose();

    private S3Gateway Gateway() => new(AwsSessionFactory.Create(
        new AwsConnectionSettings { AccessKey = "AKIAIOSFODNN7EXAMPLE", SecretKey = "secret-for-tests", EndpointUrl = _server.Endpoint.ToString() },
        new Dictionary<string, string?>()));

    [Theory]
    [InlineData("a?b#c")]
    [InlineData("%2e%2e/victim-bucket/x")]
    [InlineData("..%2fvictim-bucket/x")]
    [InlineData("back\\..\\..\\victim-bucket\\x")]
    [InlineData("spa ce/semi;colon/plus+amp&")]
    [InlineData("..a/b../.../x")]
    [InlineData("double//slash//")]
    public async Task EveryKeyStaysInsideTheNamedBucketOnTheWire(string key)
    {
        _server.Enqueue(200, "");
        using var s3 = Gateway();
        await s3.PutObjectAsync("bucket-a", key, "x", CancellationToken.None);

        string rawUrl = _server.Requests.Single().RawUrl;
        string path = rawUrl.Split('?')[0];
        Assert.StartsWith("/bucket-a/", path);
        Assert.Equal(key, Uri.UnescapeDataString(path.Substring("/bucket-a/".Length)));
    }

    [Theory]
    [InlineData("../victim-bucket/planted/", "..")]
    [InlineData("backup/../../victim-bucket/x", "..")]
    [InlineData("./x", ".")]
    [InlineData("backup/.", ".")]
    [InlineData("..", "..")]
    public async Task KeysWithDotSegmentsAreRefusedBeforeAnyRequest(string key, string segment)
    {
        using var s3 = Gateway();
        var put = await Assert.ThrowsAsync<InputValidationException>(() => s3.PutObjectAsync("bucket-a", key, null, CancellationToken.None));
        Assert.Equal("S3KeyDotSegment", put.ErrorId);
        Assert.Equal("Key", put.ParameterName);
        Assert.Contains("'" + key + "'", put.Message);
        Assert.Contains("'" + segment + "' segment", put.Message);
        Assert.Equal("S3KeyDotSegment", (await Assert.ThrowsAsync<InputValidationException>(() => s3.ObjectExistsAsync("bucket-a", key, CancellationToken.None))).ErrorId);
        Assert.Equal("S3KeyDotSegment", (await Assert.ThrowsAsync<InputValidationException>(() => s3.DeleteObjectAsync("bucket-a", key, CancellationToken.None))).ErrorId);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task EmptyKeysAndPathChangingBucketNamesAreRefused()
    {
        using var s3 = Gateway();
        Assert.Equal("S3KeyLeadingSlash", (await Assert.ThrowsAsync<InputValidationException>(() => s3.PutObjectAsync("bucket-a", "/abs/", null, CancellationToken.None))).ErrorId);
        Assert.Equal("S3KeyEmpty", (await Assert.ThrowsAsync<InputValidationException>(() => s3.PutObjectAsync("bucket-a", "", null, CancellationToken.None))).ErrorId);
        Assert.Equal("S3BucketNameUnsafe", (await Assert.ThrowsAsync<InputValidationException>(() => s3.CreateBucketAsync("../escape", CancellationToken.None))).ErrorId);
        Assert.Equal("S3BucketNameUnsafe", (await Assert.ThrowsAsync<InputValidationException>(() => s3.BucketExistsAsync("a/b", CancellationToken.None))).ErrorId);
        Assert.Empty(_server.Requests);
    }
}

/// <summary>The same, against moto: no hostile key writes into another bucket or creates one.</summary>
[Collection(MotoCollection.Name)]
public sealed class S3RequestPathMotoTests : IDisposable
{
    private readonly S3Gateway _s3;
    private readonly CancellationToken _ct = CancellationToken.None;

    public S3RequestPathMotoTests(MotoServerFixture moto)
    {
        _s3 = new S3Gateway(moto.CreateSession());
    }

    public void Dispose() => _s3.Dispose();

    [Fact]
    public async Task NoKeyReachesAnotherBucket()
    {
        string mine = MotoServerFixture.UniqueName("mine");
        string victim = MotoServerFixture.UniqueName("victim");
        string escape = MotoServerFixture.UniqueName("escape");
        await _s3.CreateBucketAsync(mine, _ct);
        await _s3.CreateBucketAsync(victim, _ct);

        foreach (string key in new[] { "../" + victim + "/planted/", "../" + escape + "/", "backup/../../" + victim + "/x", "./" + victim })
        {
            var ex = await Assert.ThrowsAsync<InputValidationException>(() => _s3.PutObjectAsync(mine, key, null, _ct));
            Assert.Equal("S3KeyDotSegment", ex.ErrorId);
        }

        string[] literal = { "%2e%2e/" + victim + "/a", "..%2f" + victim + "/b", "back\\..\\" + victim + "\\c", "..x/" + victim + "/d" };
        foreach (string key in literal)
        {
            await _s3.PutObjectAsync(mine, key, "x", _ct);
        }

        Assert.Empty(await _s3.ListObjectKeysAsync(victim, null, _ct));
        Assert.False(await _s3.BucketExistsAsync(escape, _ct));
        Assert.Equal(literal.OrderBy(k => k, StringComparer.Ordinal), (await _s3.ListObjectKeysAsync(mine, null, _ct)).OrderBy(k => k, StringComparer.Ordinal));
    }
}
