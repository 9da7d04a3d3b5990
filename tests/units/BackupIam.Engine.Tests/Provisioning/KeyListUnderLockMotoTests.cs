using BackupIam.Engine.Aws.Iam;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Provisioning;
using BackupIam.Engine.Tests.Aws;
using Xunit;

namespace BackupIam.Engine.Tests.Provisioning;

/// <summary>
/// Issue 16, round 4: a plan made with readUnderLock lists the user's keys under the user's lock (issue 11) and holds
/// that lock until its CreateAccessKey has ended, so the create step sends no second ListAccessKeys; against moto.
/// </summary>
[Collection(MotoCollection.Name)]
public sealed class KeyListUnderLockMotoTests : KeyJournalMotoTestBase
{
    public KeyListUnderLockMotoTests(MotoServerFixture moto)
        : base(moto, "keylock")
    {
    }

    [Fact]
    public async Task ThePlanHoldsTheLockFromItsListUntilCreateAccessKeyHasEnded()
    {
        string user = await NewUserAsync();
        AccessKeyPlan plan = await new IdentityPlanner(_iam, _journal).PlanAccessKeyAsync(user, false, null, false, _ct, readUnderLock: true);
        Assert.Equal(new[] { "CreateAccessKey" }, plan.Changes.Select(c => c.Operation));
        Assert.True(plan.HoldsUserLock);
        Assert.False(await LockIsFreeAsync(user));

        PlanApplyResult result = await plan.ApplyAsync(_ => true, _ct);
        Assert.Equal(ResourceStatus.Created, result.Status);
        Assert.False(plan.HoldsUserLock);
        Assert.True(await LockIsFreeAsync(user));
        Assert.Equal(plan.CreatedKey!.AccessKeyId, Assert.Single(await _iam.ListAllAccessKeysAsync(user, _ct)).AccessKeyId);
        Assert.Null(_journal.Read(user));
    }

    [Fact]
    public async Task ASecondRunForTheSameUserListsOnlyAfterTheFirstHasMadeItsKeyAndFindsIt()
    {
        string user = await NewUserAsync();
        AccessKeyPlan first = await new IdentityPlanner(_iam, _journal).PlanAccessKeyAsync(user, false, null, false, _ct, readUnderLock: true);
        Task<AccessKeyPlan> second = new IdentityPlanner(_iam, _journal).PlanAccessKeyAsync(user, false, null, false, _ct, readUnderLock: true);
        await Task.Delay(300);
        Assert.False(second.IsCompleted);   // waiting for the first run's lock, before its ListAccessKeys

        using (first)
        {
            Assert.Equal(ResourceStatus.Created, (await first.ApplyAsync(_ => true, _ct)).Status);
        }

        using AccessKeyPlan then = await second.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Empty(then.Changes);
        Assert.False(then.HoldsUserLock);
        Assert.Equal(first.CreatedKey!.AccessKeyId, Assert.Single(then.ExistingKeys).AccessKeyId);
        Assert.Single(await _iam.ListAllAccessKeysAsync(user, _ct));
    }

    [Fact]
    public async Task AnEmptyPlanAPlanThatDeletesKeysAndAPlanNeverAppliedLetTheLockGo()
    {
        string user = await NewUserAsync();
        string existing = (await _iam.CreateAccessKeyAsync(new CreateAccessKeyRequest { UserName = user }, _ct)).AccessKey.AccessKeyId;
        AccessKeyPlan empty = await new IdentityPlanner(_iam, _journal).PlanAccessKeyAsync(user, false, null, false, _ct, readUnderLock: true);
        Assert.Empty(empty.Changes);
        Assert.False(empty.HoldsUserLock);
        Assert.True(await LockIsFreeAsync(user));

        // An interrupted run's key (journaled, never delivered): the plan deletes it first, and checks again under the
        // lock at apply time as before, so it does not hold the lock meanwhile.
        _journal.Begin(user, new[] { existing }, null, null);
        await _iam.CreateAccessKeyAsync(new CreateAccessKeyRequest { UserName = user }, _ct);
        await _iam.DeleteAccessKeyAsync(new DeleteAccessKeyRequest { UserName = user, AccessKeyId = existing }, _ct);
        AccessKeyPlan deleting = await new IdentityPlanner(_iam, _journal).PlanAccessKeyAsync(user, false, null, false, _ct, readUnderLock: true);
        Assert.Equal(new[] { "DeleteAccessKey", "CreateAccessKey" }, deleting.Changes.Select(c => c.Operation));
        Assert.False(deleting.HoldsUserLock);
        Assert.True(await LockIsFreeAsync(user));
        Assert.Equal(ResourceStatus.Created, (await deleting.ApplyAsync(_ => true, _ct)).Status);
        Assert.Single(await _iam.ListAllAccessKeysAsync(user, _ct));

        // A plan that holds the lock but is never applied (declined, or the command stopped) lets it go when disposed.
        string fresh = await NewUserAsync();
        AccessKeyPlan unused = await new IdentityPlanner(_iam, _journal).PlanAccessKeyAsync(fresh, false, null, false, _ct, readUnderLock: true);
        Assert.True(unused.HoldsUserLock);
        unused.Dispose();
        Assert.True(await LockIsFreeAsync(fresh));
        Assert.Empty(await _iam.ListAllAccessKeysAsync(fresh, _ct));
    }

    [Fact]
    public async Task WithoutReadUnderLockOrUnderWhatIfNoLockIsHeld()
    {
        string user = await NewUserAsync();
        AccessKeyPlan plain = await new IdentityPlanner(_iam, _journal).PlanAccessKeyAsync(user, false, null, false, _ct);
        Assert.False(plain.HoldsUserLock);
        AccessKeyPlan whatIf = await new IdentityPlanner(_iam, _journal).PlanAccessKeyAsync(user, false, null, parentsMayBePlanned: true, _ct, readUnderLock: true);
        Assert.False(whatIf.HoldsUserLock);
        Assert.True(await LockIsFreeAsync(user));
    }
}
