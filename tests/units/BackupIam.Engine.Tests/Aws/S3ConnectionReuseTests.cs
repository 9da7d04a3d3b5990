using BackupIam.Engine.Aws;
using Xunit;

namespace BackupIam.Engine.Tests.Aws;

/// <summary>
/// Connections of the S3 gateway against a custom endpoint (S3-compatible stores), seen by a local listener that behaves as
/// Ceph RGW 16 does with a refused PUT (<see cref="UnreadBodyHttpServer"/>): a connection is given up only after a request
/// with a body got an error answer, never after a successful one.
/// </summary>
public sealed class S3ConnectionReuseTests : IDisposable
{
    private readonly UnreadBodyHttpServer _server = new();
    private readonly CancellationToken _ct = CancellationToken.None;

    public void Dispose() => _server.Dispose();

    private S3Gateway Gateway() => new(AwsSessionFactory.Create(
        new AwsConnectionSettings
        {
            AccessKey = "AKIAIOSFODNN7EXAMPLE",
            SecretKey = "secret-for-tests",
            EndpointUrl = _server.Endpoint.ToString(),
        },
        new Dictionary<string, string?>()));

    [Fact]
    public async Task SuccessfulWritesAndReadsShareOneConnection()
    {
        using S3Gateway s3 = Gateway();
        await s3.PutObjectAsync("bucket-a", "one", "first body", _ct);
        await s3.PutObjectAsync("bucket-a", "two", "second body", _ct);
        Assert.True(await s3.BucketExistsAsync("bucket-a", _ct));
        Assert.False(await s3.BucketExistsAsync("missing", _ct)); // an error answer to a request without a body keeps it too
        await s3.PutObjectAsync("bucket-a", "three", "third body", _ct);
        Assert.True(await s3.BucketExistsAsync("bucket-a", _ct));

        Assert.Equal(1, _server.Connections);
        Assert.Equal(0, _server.BadRequests);
    }

    [Fact]
    public async Task TheRequestAfterARefusedWriteIsReadCorrectlyAndOnlyTheRefusedConnectionIsGivenUp()
    {
        using S3Gateway s3 = Gateway();
        for (int i = 0; i < 5; i++)
        {
            var refused = await Assert.ThrowsAsync<S3ServiceException>(() => s3.PutObjectAsync("bucket-a", "refused-" + i, "a body the store never reads", _ct));
            Assert.Equal(403, refused.HttpStatus);
            Assert.True(await s3.BucketExistsAsync("bucket-a", _ct));
            await s3.PutObjectAsync("bucket-a", "accepted-" + i, "a body the store reads", _ct);
        }

        Assert.Equal(5, _server.RefusedWrites);
        Assert.Equal(0, _server.BadRequests);
        // The first connection, plus exactly one new connection after each refused write.
        Assert.Equal(6, _server.Connections);
    }

    [Fact]
    public async Task ConcurrentRequestsAroundRefusedWritesAllGetTheirOwnAnswer()
    {
        using S3Gateway s3 = Gateway();
        await s3.PutObjectAsync("bucket-a", "warm", "warm-up", _ct);
        for (int round = 0; round < 10; round++)
        {
            var refused = new[]
            {
                Assert.ThrowsAsync<S3ServiceException>(() => s3.PutObjectAsync("bucket-a", "refused-a" + round, "unread body a", _ct)),
                Assert.ThrowsAsync<S3ServiceException>(() => s3.PutObjectAsync("bucket-a", "refused-b" + round, "unread body b", _ct)),
            };
            var accepted = new[]
            {
                s3.PutObjectAsync("bucket-a", "ok-a" + round, "read body a", _ct),
                s3.PutObjectAsync("bucket-a", "ok-b" + round, "read body b", _ct),
                s3.BucketExistsAsync("bucket-a", _ct),
                s3.BucketExistsAsync("bucket-b", _ct),
            };
            foreach (S3ServiceException ex in await Task.WhenAll(refused))
            {
                Assert.Equal(403, ex.HttpStatus);
            }

            await Task.WhenAll(accepted);
            Assert.True(await s3.BucketExistsAsync("bucket-a", _ct));
            await s3.PutObjectAsync("bucket-a", "after" + round, "read body after", _ct);
        }

        Assert.Equal(20, _server.RefusedWrites);
        Assert.Equal(0, _server.BadRequests);
    }
}
