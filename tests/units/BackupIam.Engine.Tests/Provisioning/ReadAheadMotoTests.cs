using Xunit;
using BackupIam.Engine.Aws;
using BackupIam.Engine.Aws.Iam;
using BackupIam.Engine.Provisioning;
using BackupIam.Engine.Tests.Aws;

namespace BackupIam.Engine.Tests.Provisioning;

/// <summary>
/// Issue 16, round 4, against a real moto server: the reads sent together with an existence check (HeadBucket, GetUser,
/// GetGroup), dropped unread when the resource is missing and used as before when it exists; HeadBucket's region.
/// (The order on the wire is pinned by tests/RoundTrips.Tests.ps1.)
/// </summary>
[Collection(MotoCollection.Name)]
public sealed class ReadAheadMotoTests : IDisposable
{
    private const string Policy =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:ListBucket\",\"Resource\":\"arn:aws:s3:::bkt\"}]}";

    private readonly S3Gateway _s3;
    private readonly IamQueryClient _iam;
    private readonly CancellationToken _ct = CancellationToken.None;

    public ReadAheadMotoTests(MotoServerFixture moto)
    {
        _s3 = new S3Gateway(moto.CreateSession());
        _iam = new IamQueryClient(moto.CreateSession());
    }

    public void Dispose()
    {
        _s3.Dispose();
        _iam.Dispose();
    }

    [Fact]
    public async Task HeadBucketNamesTheRegionOfAnExistingBucketOnlyAndTheGatewayRemembersThatTheStoreDoes()
    {
        string bucket = MotoServerFixture.UniqueName("head");
        S3BucketHead missing = await _s3.HeadBucketAsync(bucket, _ct);
        Assert.False(missing.Exists);
        Assert.Null(missing.Region);

        await _s3.CreateBucketAsync(bucket, _ct);
        S3BucketHead found = await _s3.HeadBucketAsync(bucket, _ct);
        Assert.True(found.Exists);
        Assert.Equal(await _s3.GetBucketLocationAsync(bucket, _ct), found.Region);
        Assert.True(_s3.HeadBucketNamesRegion);
    }

    [Fact]
    public async Task AMissingBucketsReadsAreStartedWithHeadBucketAndDroppedTheNewBucketPlanIsAsBefore()
    {
        string bucket = MotoServerFixture.UniqueName("ahead");
        int called = 0;
        Task<S3VersioningState>? early = null;
        BucketPlan plan = await new BucketPlanner(_s3).PlanBucketAsync(new BucketSpec { BucketName = bucket, Folders = { "a/" } }, _ct, () =>
        {
            called++;
            early = _s3.GetBucketVersioningAsync(bucket, _ct);
        });

        Assert.Equal(1, called);
        Assert.False(plan.Exists);
        Assert.Null(plan.ActualRegion);
        Assert.Empty(plan.Warnings);
        Assert.Empty(plan.StoreWarnings);
        Assert.Equal(
            new[] { "s3:CreateBucket", "s3:PutPublicAccessBlock", "s3:PutBucketOwnershipControls", "s3:PutBucketEncryption", "s3:PutBucketTagging", "s3:PutObject" },
            plan.Changes.Select(c => c.Action));
        // The caller's read was sent before HeadBucket's answer was known; for a missing bucket it fails, which is why
        // the caller drops it unread.
        await Assert.ThrowsAsync<S3ServiceException>(() => early!);
    }

    [Fact]
    public async Task AnExistingBucketsReadsAreUsedAsBeforeAndItsRegionComesFromHeadBucket()
    {
        string bucket = MotoServerFixture.UniqueName("ahead");
        var planner = new BucketPlanner(_s3);
        var spec = new BucketSpec { BucketName = bucket, Folders = { "a/" } };
        await (await planner.PlanBucketAsync(spec, _ct)).ApplyAsync(_ => true, _ct);

        int called = 0;
        BucketPlan again = await planner.PlanBucketAsync(spec, _ct, () => called++);

        Assert.Equal(1, called);
        Assert.True(again.Exists);
        Assert.Empty(again.Changes);
        Assert.Equal("us-east-1", again.ActualRegion);
    }

    [Fact]
    public async Task AMissingUsersAndGroupsReadsAreDroppedAndAnExistingGroupsEarlyPolicyReadIsUsed()
    {
        var planner = new IdentityPlanner(_iam);
        string user = MotoServerFixture.UniqueName("ahead");
        int userCalls = 0;
        UserPlan userPlan = await planner.PlanUserAsync(new UserSpec { UserName = user }, _ct, () => userCalls++);
        Assert.Equal(1, userCalls);
        Assert.False(userPlan.Exists);
        Assert.Empty(userPlan.Warnings);
        Assert.Equal(new[] { "iam:CreateUser" }, userPlan.Changes.Select(c => c.Action));

        string group = MotoServerFixture.UniqueName("ahead");
        Task<string>? early = null;
        GroupPlan groupPlan = await planner.PlanGroupAsync(group, null, _ct, () => early = planner.ReadInlinePolicyAsync(InlinePolicyOwner.Group, group, "P", _ct));
        Assert.False(groupPlan.Exists);
        Assert.NotNull(early);
        await Assert.ThrowsAsync<NoSuchEntityException>(() => early!);
        await groupPlan.ApplyAsync(_ => true, _ct);
        await (await planner.PlanInlinePolicyAsync(InlinePolicyOwner.Group, group, "P", Policy, false, _ct)).ApplyAsync(_ => true, _ct);

        GroupPlan existing = await planner.PlanGroupAsync(group, null, _ct, () => early = planner.ReadInlinePolicyAsync(InlinePolicyOwner.Group, group, "P", _ct));
        Assert.True(existing.Exists);
        InlinePolicyPlan policy = await planner.PlanInlinePolicyAsync(InlinePolicyOwner.Group, group, "P", Policy, false, _ct, currentRead: early);
        Assert.True(policy.Exists);
        Assert.Empty(policy.Changes);
    }
}
