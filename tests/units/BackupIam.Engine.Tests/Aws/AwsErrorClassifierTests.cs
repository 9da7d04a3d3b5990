using Amazon.Runtime;
using BackupIam.Engine.Aws;
using BackupIam.Engine.Aws.Iam;
using BackupIam.Engine.Errors;
using Xunit;

namespace BackupIam.Engine.Tests.Aws;

/// <summary>The one classifier of IAM/S3/STS error answers, and (issue 13) Ceph RGW's non-standard IAM answers on the wire.</summary>
public sealed class AwsErrorClassifierTests : IDisposable
{
    private readonly CannedHttpServer _server = new();

    public void Dispose() => _server.Dispose();

    private IamQueryClient Client() => new(_server.Endpoint, "us-east-1", new BasicAWSCredentials("AKIAIOSFODNN7EXAMPLE", "secret-for-tests"),
        new IamClientOptions { MaxAttempts = 2, Delay = (_, _) => Task.CompletedTask });

    [Theory]
    [InlineData(AwsService.Iam, "NoSuchEntity", 404, "IamNoSuchEntity", FailureKind.NotFound)]
    [InlineData(AwsService.Iam, "Http404", 404, "IamNoSuchEntity", FailureKind.NotFound)]
    [InlineData(AwsService.Iam, "NotFound", 404, "IamNoSuchEntity", FailureKind.NotFound)]
    [InlineData(AwsService.Iam, "MethodNotAllowed", 405, "IamOperationNotSupported", FailureKind.NotImplemented)]
    [InlineData(AwsService.Iam, "Http405", 405, "IamOperationNotSupported", FailureKind.NotImplemented)]
    [InlineData(AwsService.Iam, "Throttling", 400, "IamThrottled", FailureKind.LimitExceeded)]
    [InlineData(AwsService.Iam, "Whatever", 403, "IamAccessDenied", FailureKind.PermissionDenied)]
    [InlineData(AwsService.Iam, "SignatureDoesNotMatch", 403, "IamAuthenticationFailed", FailureKind.PermissionDenied)]
    [InlineData(AwsService.Iam, "ServiceFailure", 500, "IamServiceError", FailureKind.Unknown)]
    [InlineData(AwsService.S3, "NoSuchBucket", 404, "S3NoSuchBucket", FailureKind.NotFound)]
    [InlineData(AwsService.S3, "SlowDown", 503, "S3Throttled", FailureKind.LimitExceeded)]
    [InlineData(AwsService.S3, "Http403", 403, "S3AccessDenied", FailureKind.PermissionDenied)]
    [InlineData(AwsService.S3, "BucketNotEmpty", 409, "S3BucketBusy", FailureKind.ResourceBusy)]
    [InlineData(AwsService.S3, "Http404", 404, "S3ServiceError", FailureKind.Unknown)]
    [InlineData(AwsService.Sts, "ExpiredToken", 400, "StsAuthenticationFailed", FailureKind.PermissionDenied)]
    [InlineData(AwsService.Sts, "InternalFailure", 500, "StsServiceError", FailureKind.Unknown)]
    public void ClassifiesCodeAndStatus(AwsService service, string code, int status, string errorId, FailureKind kind)
    {
        AwsErrorClass c = AwsErrorClassifier.Classify(service, "Op", code, status);
        Assert.Equal(errorId, c.ErrorId);
        Assert.Equal(kind, c.Kind);
    }

    [Fact]
    public void ServiceExceptionsOfAllServicesShareOneType()
    {
        AwsServiceException iam = IamServiceException.Create("GetUser", "NoSuchEntity", "gone", "r1", 404);
        AwsServiceException s3 = S3ServiceException.Create("HeadBucket", "b", "NoSuchBucket", "gone", "r2", 404, null);
        Assert.IsType<NoSuchEntityException>(iam);
        Assert.Equal(AwsService.Iam, iam.Service);
        Assert.Equal("IAM GetUser failed: NoSuchEntity: gone (HTTP 404, request id r1)", iam.Message);
        Assert.Equal(AwsService.S3, s3.Service);
        Assert.Equal("S3 HeadBucket on bucket 'b' failed: NoSuchBucket: gone (HTTP 404, request id r2)", s3.Message);
        Assert.Equal("b", s3.Target);
    }

    [Fact]
    public async Task Rgw404WithoutAnErrorDocumentIsNoSuchEntity()
    {
        _server.Enqueue(404, "");
        using var iam = Client();
        var ex = await Assert.ThrowsAsync<NoSuchEntityException>(() => iam.GetUserPolicyAsync(
            new GetUserPolicyRequest { UserName = "backup", PolicyName = "put-only" }, CancellationToken.None));
        Assert.Equal("IamNoSuchEntity", ex.ErrorId);
        Assert.Equal("Http404", ex.AwsErrorCode);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task RgwNoSuchEntityNestedInAMalformedGetUserPolicyResultIsNoSuchEntity()
    {
        // RGW 16.2 answers a missing inline policy like this: the result element is never closed.
        _server.Enqueue(404, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><GetUserPolicyResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
            + "<GetUserPolicyResult><Error><Code>NoSuchEntity</Code><Message></Message></Error><RequestId>tx000001-rgw</RequestId></GetUserPolicyResponse>");
        using var iam = Client();
        var ex = await Assert.ThrowsAsync<NoSuchEntityException>(() => iam.GetUserPolicyAsync(
            new GetUserPolicyRequest { UserName = "backup", PolicyName = "put-only" }, CancellationToken.None));
        Assert.Equal("NoSuchEntity", ex.AwsErrorCode);
        Assert.Equal("tx000001-rgw", ex.RequestId);
        Assert.Equal(FailureKind.NotFound, ex.Kind);
    }

    [Theory]
    [InlineData("CreateUser", "radosgw-admin user create")]
    [InlineData("CreateAccessKey", "radosgw-admin key create")]
    [InlineData("CreateGroup", "no IAM groups")]
    [InlineData("AddUserToGroup", "no IAM groups")]
    [InlineData("PutGroupPolicy", "Set-BackupUserPolicy")]
    public async Task RgwMethodNotAllowedSaysWhatToDoInstead(string action, string advice)
    {
        _server.Enqueue(405, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>MethodNotAllowed</Code><Message></Message><RequestId>tx0000069-rgw</RequestId></Error>");
        using var iam = Client();
        Task call = action switch
        {
            "CreateUser" => iam.CreateUserAsync(new CreateUserRequest { UserName = "backup" }, CancellationToken.None),
            "CreateAccessKey" => iam.CreateAccessKeyAsync(new CreateAccessKeyRequest { UserName = "backup" }, CancellationToken.None),
            "CreateGroup" => iam.CreateGroupAsync(new CreateGroupRequest { GroupName = "g" }, CancellationToken.None),
            "AddUserToGroup" => iam.AddUserToGroupAsync(new AddUserToGroupRequest { GroupName = "g", UserName = "backup" }, CancellationToken.None),
            _ => iam.PutGroupPolicyAsync(new PutGroupPolicyRequest { GroupName = "g", PolicyName = "p", PolicyDocument = "{}" }, CancellationToken.None),
        };
        var ex = await Assert.ThrowsAsync<IamServiceException>(() => call);
        Assert.Equal("IamOperationNotSupported", ex.ErrorId);
        Assert.Equal(FailureKind.NotImplemented, ex.Kind);
        Assert.Equal(405, ex.HttpStatus);
        Assert.Contains("does not offer " + action, ex.Message);
        Assert.Contains(advice, ex.Message);
        Assert.Single(_server.Requests); // a refusal, not retried
    }

    [Fact]
    public void MalformedDocumentsGiveTheirFieldsButNeverTheBody()
    {
        var doc = AwsErrorClassifier.ReadErrorDocument(System.Text.Encoding.UTF8.GetBytes("<X><Error><Code>A&amp;B</Code><Message>m &lt;1&gt;</Message><SecretAccessKey>s"));
        Assert.Equal("A&B", doc.Code);
        Assert.Equal("m <1>", doc.Message);
        var none = AwsErrorClassifier.ReadErrorDocument(System.Text.Encoding.UTF8.GetBytes("<html>bad gateway"));
        Assert.Null(none.Code);
    }
}
