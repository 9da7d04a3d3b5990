using Xunit;
using BackupIam.Engine.Aws.Iam;
using BackupIam.Engine.Errors;

namespace BackupIam.Engine.Tests.Aws;

[Collection(MotoCollection.Name)]
public sealed class IamQueryClientMotoTests : IDisposable
{
    private readonly MotoServerFixture _moto;
    private readonly IamQueryClient _iam;
    private readonly CancellationToken _ct = CancellationToken.None;

    public IamQueryClientMotoTests(MotoServerFixture moto)
    {
        _moto = moto;
        _iam = new IamQueryClient(moto.CreateSession());
    }

    public void Dispose() => _iam.Dispose();

    [Fact]
    public void SessionPointsIamAtMoto()
    {
        Assert.Equal(new Uri(_moto.EndpointUrl), _iam.Endpoint);
    }

    [Fact]
    public async Task CreateThenGetUserRoundTripsPathAndTags()
    {
        string name = MotoServerFixture.UniqueName("user");
        var created = await _iam.CreateUserAsync(new CreateUserRequest
        {
            UserName = name,
            Path = "/backup/",
            Tags = { new Tag("purpose", "veeam backup"), new Tag("owner", "ops&infra") },
        }, _ct);

        Assert.Equal(name, created.User.UserName);
        Assert.Equal("/backup/", created.User.Path);
        Assert.Equal("arn:aws:iam::123456789012:user/backup/" + name, created.User.Arn);
        Assert.False(string.IsNullOrEmpty(created.User.UserId));
        Assert.False(string.IsNullOrEmpty(created.RequestId));

        var got = await _iam.GetUserAsync(new GetUserRequest { UserName = name }, _ct);
        Assert.Equal(created.User.UserId, got.User.UserId);
        Assert.Equal(created.User.Arn, got.User.Arn);
        Assert.True(got.User.CreateDate > DateTime.UtcNow.AddDays(-1));
        Assert.Contains(got.User.Tags, t => t.Key == "purpose" && t.Value == "veeam backup");
        Assert.Contains(got.User.Tags, t => t.Key == "owner" && t.Value == "ops&infra");

        var all = await _iam.ListAllUsersAsync("/backup/", _ct);
        Assert.Contains(all, u => u.UserName == name);

        await _iam.TagUserAsync(new TagUserRequest { UserName = name, Tags = { new Tag("extra", "1") } }, _ct);
        got = await _iam.GetUserAsync(new GetUserRequest { UserName = name }, _ct);
        Assert.Contains(got.User.Tags, t => t.Key == "extra" && t.Value == "1");

        await _iam.DeleteUserAsync(new DeleteUserRequest { UserName = name }, _ct);
        await Assert.ThrowsAsync<NoSuchEntityException>(() => _iam.GetUserAsync(new GetUserRequest { UserName = name }, _ct));
    }

    [Fact]
    public async Task DuplicateUserMapsToEntityAlreadyExistsKeepingAwsCodeAndMessage()
    {
        string name = MotoServerFixture.UniqueName("dup");
        await _iam.CreateUserAsync(new CreateUserRequest { UserName = name }, _ct);

        var ex = await Assert.ThrowsAsync<EntityAlreadyExistsException>(() => _iam.CreateUserAsync(new CreateUserRequest { UserName = name }, _ct));
        Assert.Equal("EntityAlreadyExists", ex.AwsErrorCode);
        Assert.Contains(name, ex.AwsMessage);
        Assert.Equal("IamEntityAlreadyExists", ex.ErrorId);
        Assert.Equal(FailureKind.AlreadyExists, ex.Kind);
        Assert.Equal(409, ex.HttpStatus);
        Assert.Equal("CreateUser", ex.Action);
        Assert.Contains("EntityAlreadyExists", ex.Message);
        Assert.Contains(ex.AwsMessage, ex.Message);
        Assert.IsAssignableFrom<BackupIamException>(ex);
    }

    [Fact]
    public async Task MissingUserMapsToNoSuchEntityWithRequestId()
    {
        string name = MotoServerFixture.UniqueName("ghost");
        var ex = await Assert.ThrowsAsync<NoSuchEntityException>(() => _iam.GetUserAsync(new GetUserRequest { UserName = name }, _ct));
        Assert.Equal("NoSuchEntity", ex.AwsErrorCode);
        Assert.Equal("The user with name " + name + " cannot be found.", ex.AwsMessage);
        Assert.Equal("IamNoSuchEntity", ex.ErrorId);
        Assert.Equal(FailureKind.NotFound, ex.Kind);
        Assert.Equal(404, ex.HttpStatus);
        Assert.False(string.IsNullOrEmpty(ex.RequestId));
        Assert.Contains(ex.RequestId!, ex.Message);
    }

    [Fact]
    public async Task AccessKeysCreateListUpdateDeleteAndThirdKeyHitsTheLimit()
    {
        string name = MotoServerFixture.UniqueName("keys");
        await _iam.CreateUserAsync(new CreateUserRequest { UserName = name }, _ct);

        var k1 = await _iam.CreateAccessKeyAsync(new CreateAccessKeyRequest { UserName = name }, _ct);
        var k2 = await _iam.CreateAccessKeyAsync(new CreateAccessKeyRequest { UserName = name }, _ct);
        Assert.StartsWith("AKIA", k1.AccessKey.AccessKeyId);
        Assert.False(string.IsNullOrEmpty(k1.AccessKey.SecretAccessKey));
        Assert.Equal(StatusType.Active, k1.AccessKey.Status);
        Assert.Equal(name, k1.AccessKey.UserName);
        Assert.DoesNotContain(k1.AccessKey.SecretAccessKey, k1.AccessKey.ToString());

        var listed = await _iam.ListAccessKeysAsync(new ListAccessKeysRequest { UserName = name }, _ct);
        Assert.False(listed.IsTruncated);
        Assert.Equal(
            new[] { k1.AccessKey.AccessKeyId, k2.AccessKey.AccessKeyId }.OrderBy(x => x),
            listed.AccessKeyMetadata.Select(m => m.AccessKeyId).OrderBy(x => x));
        Assert.All(listed.AccessKeyMetadata, m => Assert.Equal(name, m.UserName));

        // moto enforces IAM's quota of two access keys per user.
        var limit = await Assert.ThrowsAsync<LimitExceededException>(() => _iam.CreateAccessKeyAsync(new CreateAccessKeyRequest { UserName = name }, _ct));
        Assert.Equal("LimitExceeded", limit.AwsErrorCode);
        Assert.Equal("IamLimitExceeded", limit.ErrorId);
        Assert.Equal(FailureKind.LimitExceeded, limit.Kind);

        await _iam.UpdateAccessKeyAsync(new UpdateAccessKeyRequest { UserName = name, AccessKeyId = k1.AccessKey.AccessKeyId, Status = StatusType.Inactive }, _ct);
        var all = await _iam.ListAllAccessKeysAsync(name, _ct);
        Assert.Equal(StatusType.Inactive, all.Single(k => k.AccessKeyId == k1.AccessKey.AccessKeyId).Status);

        var lastUsed = await _iam.GetAccessKeyLastUsedAsync(new GetAccessKeyLastUsedRequest { AccessKeyId = k2.AccessKey.AccessKeyId }, _ct);
        Assert.Equal(name, lastUsed.UserName);

        await _iam.DeleteAccessKeyAsync(new DeleteAccessKeyRequest { UserName = name, AccessKeyId = k1.AccessKey.AccessKeyId }, _ct);
        all = await _iam.ListAllAccessKeysAsync(name, _ct);
        Assert.Single(all);
    }

    [Fact]
    public async Task GroupsMembershipAndInlinePoliciesRoundTripDecoded()
    {
        string user = MotoServerFixture.UniqueName("member");
        string group = MotoServerFixture.UniqueName("group");
        await _iam.CreateUserAsync(new CreateUserRequest { UserName = user }, _ct);
        var g = await _iam.CreateGroupAsync(new CreateGroupRequest { GroupName = group, Path = "/backup/" }, _ct);
        Assert.Equal(group, g.Group.GroupName);
        Assert.Equal("arn:aws:iam::123456789012:group/backup/" + group, g.Group.Arn);

        await _iam.AddUserToGroupAsync(new AddUserToGroupRequest { GroupName = group, UserName = user }, _ct);
        var members = await _iam.ListAllGroupUsersAsync(group, _ct);
        Assert.Equal(new[] { user }, members.Select(u => u.UserName));
        var groups = await _iam.ListAllGroupsForUserAsync(user, _ct);
        Assert.Equal(new[] { group }, groups.Select(x => x.GroupName));

        // Characters that must survive form encoding and IAM's URL-encoded answer.
        string policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"List+Read\",\"Effect\":\"Allow\",\"Action\":[\"s3:ListBucket\",\"s3:GetObject\"],"
            + "\"Resource\":[\"arn:aws:s3:::my-bucket\",\"arn:aws:s3:::my-bucket/backup/*\"],\"Condition\":{\"StringLike\":{\"s3:prefix\":[\"backup/ 100% & more\"]}}}]}";
        await _iam.PutGroupPolicyAsync(new PutGroupPolicyRequest { GroupName = group, PolicyName = "bucket-access", PolicyDocument = policy }, _ct);
        var gp = await _iam.GetGroupPolicyAsync(new GetGroupPolicyRequest { GroupName = group, PolicyName = "bucket-access" }, _ct);
        Assert.Equal(group, gp.GroupName);
        Assert.Equal("bucket-access", gp.PolicyName);
        Assert.Equal(policy, gp.PolicyDocument);
        Assert.Equal(new[] { "bucket-access" }, await _iam.ListAllGroupPolicyNamesAsync(group, _ct));

        await _iam.PutUserPolicyAsync(new PutUserPolicyRequest { UserName = user, PolicyName = "own", PolicyDocument = policy }, _ct);
        var up = await _iam.GetUserPolicyAsync(new GetUserPolicyRequest { UserName = user, PolicyName = "own" }, _ct);
        Assert.Equal(policy, up.PolicyDocument);
        Assert.Equal(new[] { "own" }, await _iam.ListAllUserPolicyNamesAsync(user, _ct));
        Assert.Empty(await _iam.ListAllAttachedUserPoliciesAsync(user, _ct));
        Assert.Empty(await _iam.ListAllAttachedGroupPoliciesAsync(group, _ct));

        // moto does not refuse to delete a group that still has members, but it does refuse a user with inline policies.
        await _iam.DeleteGroupPolicyAsync(new DeleteGroupPolicyRequest { GroupName = group, PolicyName = "bucket-access" }, _ct);
        var conflict = await Assert.ThrowsAsync<DeleteConflictException>(() => _iam.DeleteUserAsync(new DeleteUserRequest { UserName = user }, _ct));
        Assert.Equal("DeleteConflict", conflict.AwsErrorCode);
        Assert.Equal("IamDeleteConflict", conflict.ErrorId);
        Assert.Equal(FailureKind.ResourceBusy, conflict.Kind);

        await _iam.RemoveUserFromGroupAsync(new RemoveUserFromGroupRequest { GroupName = group, UserName = user }, _ct);
        await _iam.DeleteGroupAsync(new DeleteGroupRequest { GroupName = group }, _ct);
        await _iam.DeleteUserPolicyAsync(new DeleteUserPolicyRequest { UserName = user, PolicyName = "own" }, _ct);
        await Assert.ThrowsAsync<NoSuchEntityException>(() => _iam.GetUserPolicyAsync(new GetUserPolicyRequest { UserName = user, PolicyName = "own" }, _ct));
        await Assert.ThrowsAsync<NoSuchEntityException>(() => _iam.GetGroupAsync(new GetGroupRequest { GroupName = group }, _ct));
    }

    [Fact]
    public async Task LoginProfileAbsentIsNoSuchEntity()
    {
        string name = MotoServerFixture.UniqueName("nologin");
        await _iam.CreateUserAsync(new CreateUserRequest { UserName = name }, _ct);
        await Assert.ThrowsAsync<NoSuchEntityException>(() => _iam.GetLoginProfileAsync(new GetLoginProfileRequest { UserName = name }, _ct));
    }

    [Fact]
    public async Task EmptyRequiredNameIsRejectedBeforeAnyCall()
    {
        var ex = await Assert.ThrowsAsync<InputValidationException>(() => _iam.CreateUserAsync(new CreateUserRequest { UserName = " " }, _ct));
        Assert.Equal("UserName", ex.ParameterName);
    }
}
