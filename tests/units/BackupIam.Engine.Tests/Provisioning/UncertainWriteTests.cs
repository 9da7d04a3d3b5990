using Amazon.Runtime;
using BackupIam.Engine.Aws.Iam;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Provisioning;
using BackupIam.Engine.Tests.Aws;
using Xunit;

namespace BackupIam.Engine.Tests.Provisioning;

/// <summary>
/// Writes whose answer is lost. IAM's CreateAccessKey has no idempotency token: it is never retried after an
/// uncertain failure, and a key it may have created (whose secret nobody received) is deleted again.
/// Driven at the HTTP level, since no test server can be told to lose an answer.
/// </summary>
public sealed class UncertainWriteTests : IDisposable
{
    private const string Ns = "https://iam.amazonaws.com/doc/2010-05-08/";
    private readonly CannedHttpServer _server = new();

    public void Dispose() => _server.Dispose();

    private IamQueryClient Client() => new IamQueryClient(_server.Endpoint, "us-east-1", new BasicAWSCredentials("AKIAIOSFODNN7EXAMPLE", "not-a-real-secret"), new IamClientOptions
    {
        MaxAttempts = 5,
        Delay = (_, _) => Task.CompletedTask,
    });

    private static string Keys(params string[] ids) =>
        "<ListAccessKeysResponse xmlns=\"" + Ns + "\"><ListAccessKeysResult><UserName>u1</UserName><AccessKeyMetadata>" +
        string.Concat(ids.Select(id => "<member><UserName>u1</UserName><AccessKeyId>" + id + "</AccessKeyId><Status>Active</Status><CreateDate>2026-11-25T00:00:00Z</CreateDate></member>")) +
        "</AccessKeyMetadata><IsTruncated>false</IsTruncated></ListAccessKeysResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></ListAccessKeysResponse>";

    private static string Ok(string action) =>
        "<" + action + "Response xmlns=\"" + Ns + "\"><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></" + action + "Response>";

    private static string ServerError() =>
        "<ErrorResponse xmlns=\"" + Ns + "\"><Error><Type>Receiver</Type><Code>ServiceFailure</Code><Message>lost</Message></Error><RequestId>e</RequestId></ErrorResponse>";

    [Fact]
    public async Task CreateAccessKeyIsNotRetriedAfterAServerError()
    {
        _server.Enqueue(500, ServerError());
        using IamQueryClient iam = Client();
        var ex = await Assert.ThrowsAsync<IamServiceException>(() => iam.CreateAccessKeyAsync(new CreateAccessKeyRequest { UserName = "u1" }, CancellationToken.None));
        Assert.Equal(500, ex.HttpStatus);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task ReadsAreStillRetriedAfterAServerError()
    {
        _server.Enqueue(500, ServerError());
        _server.Enqueue(200, Keys());
        using IamQueryClient iam = Client();
        await iam.ListAccessKeysAsync(new ListAccessKeysRequest { UserName = "u1" }, CancellationToken.None);
        Assert.Equal(2, _server.Requests.Count);
    }

    [Fact]
    public async Task AKeyCreatedDespiteALostAnswerIsDeletedAgain()
    {
        _server.Enqueue(200, Keys("AKIAOLDKEY0000000001"));
        _server.Enqueue(500, ServerError());
        _server.Enqueue(200, Keys("AKIAOLDKEY0000000001", "AKIANEWKEY0000000002"));
        _server.Enqueue(200, Ok("DeleteAccessKey"));
        using IamQueryClient iam = Client();
        var planner = new IdentityPlanner(iam);

        AccessKeyPlan plan = await planner.PlanAccessKeyAsync("u1", additional: true, store: null, parentsMayBePlanned: false, CancellationToken.None);
        var ex = await Assert.ThrowsAsync<BackupIamException>(() => plan.Changes.Single().ApplyAsync(CancellationToken.None));

        Assert.Equal("AccessKeyCreateUncertain", ex.ErrorId);
        Assert.Contains("AKIANEWKEY0000000002", ex.Message);
        string[] actions = _server.Requests.Select(r => r.Form["Action"]).ToArray();
        Assert.Equal(new[] { "ListAccessKeys", "CreateAccessKey", "ListAccessKeys", "DeleteAccessKey" }, actions);
        Assert.Equal("AKIANEWKEY0000000002", _server.Requests.Last().Form["AccessKeyId"]);
        Assert.Null(plan.CreatedKey);
    }

    [Fact]
    public async Task ADefiniteRefusalDeletesNothing()
    {
        _server.Enqueue(200, Keys());
        _server.Enqueue(409, "<ErrorResponse xmlns=\"" + Ns + "\"><Error><Type>Sender</Type><Code>LimitExceeded</Code><Message>Cannot exceed quota for AccessKeysPerUser: 2</Message></Error><RequestId>e</RequestId></ErrorResponse>");
        using IamQueryClient iam = Client();
        var planner = new IdentityPlanner(iam);

        AccessKeyPlan plan = await planner.PlanAccessKeyAsync("u1", additional: false, store: null, parentsMayBePlanned: false, CancellationToken.None);
        await Assert.ThrowsAsync<LimitExceededException>(() => plan.Changes.Single().ApplyAsync(CancellationToken.None));
        Assert.Equal(2, _server.Requests.Count);
    }
}
