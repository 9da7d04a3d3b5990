using BackupIam.Engine.Aws;
using BackupIam.Engine.Aws.Iam;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Tests.Aws;
using Xunit;

namespace BackupIam.Engine.Tests.Rgw;

/// <summary>Issue 13: the IAM client against a real Ceph RGW: its 404 and 405 answers as the module reads them.</summary>
[Collection(RgwCollection.Name)]
public sealed class IamQueryClientRgwTests : IDisposable
{
    private readonly RgwServerFixture _rgw;
    private readonly IamQueryClient _iam;
    private readonly CancellationToken _ct = CancellationToken.None;

    public IamQueryClientRgwTests(RgwServerFixture rgw)
    {
        _rgw = rgw;
        _iam = new IamQueryClient(rgw.CreateSession());
    }

    public void Dispose() => _iam.Dispose();

    [Fact]
    public async Task AMissingInlinePolicyIsNoSuchEntityAndAPutPolicyReadsBack()
    {
        RgwUser user = _rgw.CreateUser(MotoServerFixture.UniqueName("iam404"));
        var missing = await Assert.ThrowsAsync<NoSuchEntityException>(() => _iam.GetUserPolicyAsync(
            new GetUserPolicyRequest { UserName = user.UserId, PolicyName = "put-only" }, _ct));
        Assert.Equal("IamNoSuchEntity", missing.ErrorId);
        Assert.Equal(404, missing.HttpStatus);
        Assert.Equal("NoSuchEntity", missing.AwsErrorCode); // read out of RGW's malformed <GetUserPolicyResult>

        const string doc = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"s3:PutObject\"],\"Resource\":[\"arn:aws:s3:::b/backup/*\"]}]}";
        await _iam.PutUserPolicyAsync(new PutUserPolicyRequest { UserName = user.UserId, PolicyName = "put-only", PolicyDocument = doc }, _ct);
        var read = await _iam.GetUserPolicyAsync(new GetUserPolicyRequest { UserName = user.UserId, PolicyName = "put-only" }, _ct);
        Assert.Contains("s3:PutObject", read.PolicyDocument);
        await _iam.DeleteUserPolicyAsync(new DeleteUserPolicyRequest { UserName = user.UserId, PolicyName = "put-only" }, _ct);
        await Assert.ThrowsAsync<NoSuchEntityException>(() => _iam.GetUserPolicyAsync(
            new GetUserPolicyRequest { UserName = user.UserId, PolicyName = "put-only" }, _ct));
    }

    [Fact]
    public async Task APolicyForAMissingUserIsNoSuchEntity()
    {
        var ex = await Assert.ThrowsAsync<NoSuchEntityException>(() => _iam.PutUserPolicyAsync(
            new PutUserPolicyRequest { UserName = MotoServerFixture.UniqueName("ghost"), PolicyName = "p", PolicyDocument = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }, _ct));
        Assert.Equal(FailureKind.NotFound, ex.Kind);
    }

    [Fact]
    public async Task CallsRgwDoesNotOfferSayWhatToDoInstead()
    {
        var createUser = await Assert.ThrowsAsync<IamServiceException>(() => _iam.CreateUserAsync(new CreateUserRequest { UserName = "u-" + Guid.NewGuid().ToString("N")[..8] }, _ct));
        Assert.Equal("IamOperationNotSupported", createUser.ErrorId);
        Assert.Equal(405, createUser.HttpStatus);
        Assert.Contains("radosgw-admin user create", createUser.Message);

        var createKey = await Assert.ThrowsAsync<IamServiceException>(() => _iam.CreateAccessKeyAsync(new CreateAccessKeyRequest { UserName = "admin" }, _ct));
        Assert.Equal("IamOperationNotSupported", createKey.ErrorId);
        Assert.Contains("radosgw-admin key create", createKey.Message);

        var createGroup = await Assert.ThrowsAsync<IamServiceException>(() => _iam.CreateGroupAsync(new CreateGroupRequest { GroupName = "g1" }, _ct));
        Assert.Equal("IamOperationNotSupported", createGroup.ErrorId);
        Assert.Contains("no IAM groups", createGroup.Message);
    }
}
