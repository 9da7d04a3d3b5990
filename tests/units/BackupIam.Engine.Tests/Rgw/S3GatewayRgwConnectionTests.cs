using BackupIam.Engine.Aws;
using Xunit;

namespace BackupIam.Engine.Tests.Rgw;

/// <summary>
/// Ceph RGW answers a refused PUT (403) without reading its body and then reads those bytes as the start of the next request
/// on the same connection (answered 400 BadRequest). On S3-compatible stores the S3 gateway gives up a connection after a
/// request with a body got an error answer (SharedHttpHandlers.OneRequestPerPoolHandler), so the request after a refused
/// write is read correctly.
/// </summary>
[Collection(RgwCollection.Name)]
public sealed class S3GatewayRgwConnectionTests : IDisposable
{
    private readonly S3Gateway _s3;
    private readonly CancellationToken _ct = CancellationToken.None;

    public S3GatewayRgwConnectionTests(RgwServerFixture rgw)
    {
        _s3 = new S3Gateway(rgw.CreateSession());
    }

    public void Dispose() => _s3.Dispose();

    [Fact]
    public async Task TheRequestAfterARefusedWriteIsAnsweredCorrectly()
    {
        string bucket = RgwServerFixture.UniqueName("desync");
        await _s3.CreateBucketAsync(bucket, _ct);
        await _s3.PutPublicAccessBlockAsync(bucket, S3PublicAccessBlock.All(), _ct); // on RGW 16 every PutObject is now 403
        for (int i = 0; i < 20; i++)
        {
            var refused = await Assert.ThrowsAsync<S3ServiceException>(() => _s3.PutObjectAsync(bucket, "probe-" + i, "x", _ct));
            Assert.Equal(403, refused.HttpStatus);
            Assert.True(await _s3.BucketExistsAsync(bucket, _ct));
        }
    }
}
