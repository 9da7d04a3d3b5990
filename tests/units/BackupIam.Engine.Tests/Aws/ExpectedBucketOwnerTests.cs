using Amazon.S3.Model;
using BackupIam.Engine.Aws;
using Xunit;

namespace BackupIam.Engine.Tests.Aws;

/// <summary>
/// Issue 17: x-amz-expected-bucket-owner on every bucket request once the owner is known, and the plain words for a
/// bucket of another account. What AWS answers is played by a local listener (no local store enforces the header:
/// Ceph RGW 16 and moto ignore it), so these tests pin the gateway's requests and its reading of the answers.
/// </summary>
public sealed class ExpectedBucketOwnerTests : IDisposable
{
    private const string Owner = "123456789012";
    private const string Denied = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>RID1</RequestId></Error>";
    private readonly CannedHttpServer _server = new();

    public void Dispose() => _server.Dispose();

    private S3Gateway Gateway() => new(AwsSessionFactory.Create(
        new AwsConnectionSettings { AccessKey = "AKIAIOSFODNN7EXAMPLE", SecretKey = "secret-for-tests", EndpointUrl = _server.Endpoint.ToString() },
        new Dictionary<string, string?>()));

    private static string? OwnerHeader(CannedHttpServer.RecordedRequest r) => r.Headers.GetValueOrDefault(BucketOwnership.Header);

    [Fact]
    public async Task NoHeaderUntilTheOwnerIsKnownThenOnEveryBucketRequestButCreateBucket()
    {
        for (int i = 0; i < 6; i++)
        {
            _server.Enqueue(200, "");
        }

        using var s3 = Gateway();
        await s3.BucketExistsAsync("bucket-a", CancellationToken.None);
        s3.ExpectedBucketOwner = Owner;
        await s3.CreateBucketAsync("bucket-a", CancellationToken.None);
        await s3.BucketExistsAsync("bucket-a", CancellationToken.None);
        await s3.PutBucketPolicyAsync("bucket-a", "{}", CancellationToken.None);
        await s3.PutObjectAsync("bucket-a", "backup/", null, CancellationToken.None);
        await s3.PutBucketVersioningAsync("bucket-a", true, CancellationToken.None);

        var requests = _server.Requests.ToArray();
        Assert.Equal(6, requests.Length);
        Assert.Null(OwnerHeader(requests[0]));            // HeadBucket before the owner was known
        Assert.Null(OwnerHeader(requests[1]));            // CreateBucket: its API takes no expected owner
        foreach (var r in requests.Skip(2))
        {
            Assert.Equal(Owner, OwnerHeader(r));
            Assert.Contains(BucketOwnership.Header, r.Headers["Authorization"]); // signed with the rest
        }
    }

    [Fact]
    public async Task RefusedWithTheHeaderAndAnsweredWithoutItIsAnotherAccountsBucket()
    {
        _server.Enqueue(403, Denied);                      // PutBucketPolicy, with the header
        _server.Enqueue(403, "");                          // HeadBucket with the header
        _server.Enqueue(200, "");                          // HeadBucket without it
        using var s3 = Gateway();
        s3.ExpectedBucketOwner = Owner;

        var ex = await Assert.ThrowsAsync<S3ServiceException>(() => s3.PutBucketPolicyAsync("bucket-a", "{}", CancellationToken.None));

        Assert.Equal("S3BucketOwnerMismatch", ex.ErrorId);
        Assert.Equal(403, ex.HttpStatus);
        Assert.Contains("owned by another account, not " + Owner, ex.Message);
        Assert.Contains(BucketOwnership.GlobalNames, ex.Message);
        var requests = _server.Requests.ToArray();
        Assert.Equal(3, requests.Length);
        Assert.Equal(Owner, OwnerHeader(requests[0]));
        Assert.Equal("HEAD", requests[1].Method);
        Assert.Equal(Owner, OwnerHeader(requests[1]));
        Assert.Equal("HEAD", requests[2].Method);
        Assert.Null(OwnerHeader(requests[2]));             // the check that tells the two cases apart goes without it
    }

    [Fact]
    public async Task RefusedWhileTheBucketAnswersTheExpectedOwnerIsTheCallersPolicyNotAnotherAccount()
    {
        _server.Enqueue(403, Denied);                      // PutBucketPolicy: the caller's policy denies it
        _server.Enqueue(200, "");                          // HeadBucket with the header: the owner is right
        using var s3 = Gateway();
        s3.ExpectedBucketOwner = Owner;

        var ex = await Assert.ThrowsAsync<S3ServiceException>(() => s3.PutBucketPolicyAsync("bucket-a", "{}", CancellationToken.None));

        Assert.Equal("S3AccessDenied", ex.ErrorId);
        Assert.Equal(2, _server.Requests.Count);
        Assert.Equal(Owner, OwnerHeader(_server.Requests.ToArray()[1]));
    }

    [Fact]
    public async Task AHeadBucketRefusedWithTheHeaderIsCheckedOnceMoreWithoutIt()
    {
        _server.Enqueue(403, "");                          // HeadBucket with the header (the planner's first call)
        _server.Enqueue(200, "");                          // HeadBucket without it
        using var s3 = Gateway();
        s3.ExpectedBucketOwner = Owner;

        var ex = await Assert.ThrowsAsync<S3ServiceException>(() => s3.BucketExistsAsync("bucket-a", CancellationToken.None));

        Assert.Equal("S3BucketOwnerMismatch", ex.ErrorId);
        var requests = _server.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.Equal(Owner, OwnerHeader(requests[0]));
        Assert.Null(OwnerHeader(requests[1]));
    }

    [Fact]
    public async Task RefusedEitherWayIsAccessDeniedThatNamesAnotherAccountFirst()
    {
        _server.Enqueue(403, Denied);
        _server.Enqueue(403, "");
        _server.Enqueue(403, "");
        using var s3 = Gateway();
        s3.ExpectedBucketOwner = Owner;

        var ex = await Assert.ThrowsAsync<S3ServiceException>(() => s3.GetBucketPolicyAsync("bucket-a", CancellationToken.None));

        Assert.Equal("S3AccessDenied", ex.ErrorId);
        Assert.Contains(BucketOwnership.GlobalNames, ex.Message);
        Assert.Contains("expected account " + Owner, ex.Message);
        Assert.Equal(3, _server.Requests.Count);
    }

    [Fact]
    public async Task WithoutAnExpectedOwnerThereIsNoExtraRequestAndTheMessageIsStillPlain()
    {
        _server.Enqueue(403, Denied);
        using var s3 = Gateway();

        var ex = await Assert.ThrowsAsync<S3ServiceException>(() => s3.PutBucketVersioningAsync("bucket-a", true, CancellationToken.None));

        Assert.Equal("S3AccessDenied", ex.ErrorId);
        Assert.Contains("if it is not your bucket, " + BucketOwnership.GlobalNames, ex.Message);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public void OnlyRequestTypesWhoseApiTakesTheOwnerGetIt()
    {
        Assert.True(BucketOwnership.Takes(new HeadBucketRequest()));
        Assert.True(BucketOwnership.Takes(new PutBucketPolicyRequest()));
        Assert.True(BucketOwnership.Takes(new PutObjectRequest()));
        Assert.True(BucketOwnership.Takes(new GetBucketLocationRequest()));
        Assert.False(BucketOwnership.Takes(new PutBucketRequest()));
        Assert.False(BucketOwnership.Takes(new ListBucketsRequest()));
        Assert.False(BucketOwnership.Takes(new HeadBucketRequest { ExpectedBucketOwner = "111122223333" })); // set by the caller: kept
    }
}
