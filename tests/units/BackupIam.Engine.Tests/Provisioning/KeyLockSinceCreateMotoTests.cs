using BackupIam.Engine.Aws.Iam;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Provisioning;
using BackupIam.Engine.Tests.Aws;
using Xunit;

namespace BackupIam.Engine.Tests.Provisioning;

/// <summary>
/// Issue 16, round 5: New-BackupUser takes the user's lock before CreateUser and hands it to New-BackupAccessKey
/// (lockHeldSinceCreate). No other run can make a key meanwhile, so the plan sends CreateAccessKey without any
/// ListAccessKeys, holds the lock until CreateAccessKey has ended and then lets it go; against moto.
/// </summary>
[Collection(MotoCollection.Name)]
public sealed class KeyLockSinceCreateMotoTests : KeyJournalMotoTestBase
{
    public KeyLockSinceCreateMotoTests(MotoServerFixture moto)
        : base(moto, "keysince")
    {
    }

    [Fact]
    public async Task AUserCreatedUnderTheHandedLockGetsItsKeyWithNoListAndTheLockGoesWhenCreateAccessKeyHasEnded()
    {
        string user = await NewUserAsync();
        FileLock held = await _journal.LockUserAsync(user, _ct);
        IIamClient iam = IamCallSpy.Wrap(_iam, out IamCallSpy calls);
        AccessKeyPlan plan = await new IdentityPlanner(iam, _journal).PlanAccessKeyAsync(user, false, null, false, _ct,
            userJustCreated: true, readUnderLock: true, lockHeldSinceCreate: held);
        Assert.Equal(new[] { "CreateAccessKey" }, plan.Changes.Select(c => c.Operation));
        Assert.True(plan.HoldsUserLock);
        Assert.False(await LockIsFreeAsync(user));

        using (plan)
        {
            Assert.Equal(ResourceStatus.Created, (await plan.ApplyAsync(_ => true, _ct)).Status);
        }

        Assert.Equal(new[] { "CreateAccessKeyAsync" }, calls.Names);
        Assert.False(plan.HoldsUserLock);
        Assert.True(await LockIsFreeAsync(user));
        Assert.Equal(plan.CreatedKey!.AccessKeyId, Assert.Single(await _iam.ListAllAccessKeysAsync(user, _ct)).AccessKeyId);
        Assert.Null(_journal.Read(user));
    }

    [Fact]
    public async Task AHandedLockForAUserNotJustCreatedIsLetGoAndTheKeysAreListedAsBefore()
    {
        string user = await NewUserAsync();
        string existing = (await _iam.CreateAccessKeyAsync(new CreateAccessKeyRequest { UserName = user }, _ct)).AccessKey.AccessKeyId;
        FileLock held = await _journal.LockUserAsync(user, _ct);
        IIamClient iam = IamCallSpy.Wrap(_iam, out IamCallSpy calls);
        using AccessKeyPlan plan = await new IdentityPlanner(iam, _journal).PlanAccessKeyAsync(user, false, null, false, _ct,
            userJustCreated: false, lockHeldSinceCreate: held);
        Assert.Empty(plan.Changes);
        Assert.Equal(existing, Assert.Single(plan.ExistingKeys).AccessKeyId);
        Assert.Contains("ListAccessKeysAsync", calls.Names);
        Assert.True(await LockIsFreeAsync(user));
    }

    [Fact]
    public async Task AHandedLockIsLetGoWhenThePlanIsRefusedOrNeverApplied()
    {
        string user = await NewUserAsync();
        FileLock held = await _journal.LockUserAsync(user, _ct);
        var badProfile = new AccessKeyStoreRequest("bad profile name [x]", Path.Combine(_dir, "credentials"), false);
        await Assert.ThrowsAnyAsync<BackupIamException>(() => new IdentityPlanner(_iam, _journal).PlanAccessKeyAsync(user, false, badProfile, false, _ct,
            userJustCreated: true, readUnderLock: true, lockHeldSinceCreate: held));
        Assert.True(await LockIsFreeAsync(user));

        FileLock again = await _journal.LockUserAsync(user, _ct);
        AccessKeyPlan unused = await new IdentityPlanner(_iam, _journal).PlanAccessKeyAsync(user, false, null, false, _ct,
            userJustCreated: true, readUnderLock: true, lockHeldSinceCreate: again);
        Assert.True(unused.HoldsUserLock);
        unused.Dispose();
        Assert.True(await LockIsFreeAsync(user));
        Assert.Empty(await _iam.ListAllAccessKeysAsync(user, _ct));
    }
}
