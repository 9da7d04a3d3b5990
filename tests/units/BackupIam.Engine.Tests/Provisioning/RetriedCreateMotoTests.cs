using BackupIam.Engine.Aws;
using BackupIam.Engine.Aws.Iam;
using BackupIam.Engine.Provisioning;
using BackupIam.Engine.Tests.Aws;
using Xunit;

namespace BackupIam.Engine.Tests.Provisioning;

/// <summary>
/// A create whose first attempt went through but whose answer was lost is retried and meets "already exists":
/// the plan then takes the existing resource as the one it made instead of failing the pipeline.
/// </summary>
[Collection(MotoCollection.Name)]
public sealed class RetriedCreateMotoTests : IDisposable
{
    private readonly IamQueryClient _iam;
    private readonly S3Gateway _s3;

    public RetriedCreateMotoTests(MotoServerFixture moto)
    {
        AwsSession session = moto.CreateSession();
        _iam = new IamQueryClient(session);
        _s3 = new S3Gateway(session);
    }

    public void Dispose()
    {
        _iam.Dispose();
        _s3.Dispose();
    }

    [Fact]
    public async Task CreateUserThatAlreadyHappenedIsTakenAsDone()
    {
        string name = MotoServerFixture.UniqueName("user");
        UserPlan plan = await new IdentityPlanner(_iam).PlanUserAsync(new UserSpec { UserName = name }, CancellationToken.None);
        await _iam.CreateUserAsync(new CreateUserRequest { UserName = name }, CancellationToken.None);

        await plan.Changes.Single().ApplyAsync(CancellationToken.None);

        Assert.Equal(name, plan.User?.UserName);
    }

    [Fact]
    public async Task CreateGroupThatAlreadyHappenedIsTakenAsDone()
    {
        string name = MotoServerFixture.UniqueName("group");
        GroupPlan plan = await new IdentityPlanner(_iam).PlanGroupAsync(name, null, CancellationToken.None);
        await _iam.CreateGroupAsync(new CreateGroupRequest { GroupName = name }, CancellationToken.None);

        await plan.Changes.Single().ApplyAsync(CancellationToken.None);

        Assert.Equal(name, plan.Group?.GroupName);
    }

    [Fact]
    public async Task CreateBucketThatAlreadyHappenedIsTakenAsDone()
    {
        string name = MotoServerFixture.UniqueName("bkt");
        BucketPlan plan = await new BucketPlanner(_s3).PlanBucketAsync(new BucketSpec { BucketName = name }, CancellationToken.None);
        await _s3.CreateBucketAsync(name, CancellationToken.None);

        await plan.Changes.First(c => c.Operation == "CreateBucket").ApplyAsync(CancellationToken.None);

        Assert.True(await _s3.BucketExistsAsync(name, CancellationToken.None));
    }
}
