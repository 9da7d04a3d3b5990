using BackupIam.Engine.Aws.Iam;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Provisioning;
using BackupIam.Engine.Tests.Aws;
using Xunit;

namespace BackupIam.Engine.Tests.Provisioning;

/// <summary>
/// How a key the module made but never delivered is recognised (issue 11): the journal entry written before
/// CreateAccessKey, against a real moto server.
/// </summary>
[Collection(MotoCollection.Name)]
public sealed class AccessKeyJournalMotoTests : KeyJournalMotoTestBase
{
    public AccessKeyJournalMotoTests(MotoServerFixture moto)
        : base(moto, "journal")
    {
    }

    [Fact]
    public async Task AKeyMadeByAnInterruptedRunIsDeletedBeforeANewOneIsMadeAndStored()
    {
        string user = await NewUserAsync();
        string older = (await _iam.CreateAccessKeyAsync(new CreateAccessKeyRequest { UserName = user }, _ct)).AccessKey.AccessKeyId;
        // The interrupted run: journaled with the key it saw, then its CreateAccessKey went through and the answer was lost.
        _journal.Begin(user, new[] { older }, "p", null);
        string lost = (await _iam.CreateAccessKeyAsync(new CreateAccessKeyRequest { UserName = user }, _ct)).AccessKey.AccessKeyId;
        await _iam.DeleteAccessKeyAsync(new DeleteAccessKeyRequest { UserName = user, AccessKeyId = older }, _ct);

        var store = new AccessKeyStoreRequest("p", Path.Combine(_dir, "credentials"));
        AccessKeyPlan plan = await new IdentityPlanner(_iam, _journal).PlanAccessKeyAsync(user, false, store, false, _ct);
        Assert.Equal(new[] { "DeleteAccessKey", "CreateAccessKey" }, plan.Changes.Select(c => c.Operation));
        Assert.Contains(lost, plan.Changes[0].Description);

        PlanApplyResult result = await plan.ApplyAsync(_ => true, _ct);
        Assert.Equal(ResourceStatus.Created, result.Status);
        IReadOnlyList<AccessKeyMetadata> keys = await _iam.ListAllAccessKeysAsync(user, _ct);
        Assert.Equal(plan.CreatedKey!.AccessKeyId, Assert.Single(keys).AccessKeyId);
        Assert.Null(_journal.Read(user));
        Assert.Contains(plan.CreatedKey.AccessKeyId, File.ReadAllText(Path.Combine(_dir, "credentials")));
    }

    [Fact]
    public async Task KeysThatWereThereBeforeTheRequestOrThatAProfileHoldsAreNeverTakenForLost()
    {
        string user = await NewUserAsync();
        string before = (await _iam.CreateAccessKeyAsync(new CreateAccessKeyRequest { UserName = user }, _ct)).AccessKey.AccessKeyId;
        PendingKeyCreation pending = _journal.Begin(user, new[] { before }, null, null);
        IReadOnlyList<AccessKeyMetadata> keys = await _iam.ListAllAccessKeysAsync(user, _ct);
        Assert.False(pending.Made(keys.Single()));

        AccessKeyPlan plan = await new IdentityPlanner(_iam, _journal).PlanAccessKeyAsync(user, false, null, false, _ct);
        Assert.Empty(plan.Changes);
        Assert.Equal(before, plan.ExistingKeys.Single().AccessKeyId);
    }

    [Fact]
    public void AKeyDatedOutsideTheRequestsLifetimeIsNotTheRequestsKey()
    {
        var pending = new PendingKeyCreation("u", new DateTime(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc), new string[0]);
        Assert.True(pending.Made(new AccessKeyMetadata { AccessKeyId = "AKIA1", CreateDate = new DateTime(2026, 1, 1, 12, 0, 3, DateTimeKind.Utc) }));
        Assert.False(pending.Made(new AccessKeyMetadata { AccessKeyId = "AKIA2", CreateDate = new DateTime(2026, 1, 1, 11, 0, 0, DateTimeKind.Utc) }));
        Assert.False(pending.Made(new AccessKeyMetadata { AccessKeyId = "AKIA3", CreateDate = new DateTime(2026, 1, 1, 13, 0, 0, DateTimeKind.Utc) }));
    }

    [Fact]
    public async Task WithoutStorageAKeyTheFileDoesNotHoldIsRefusedUnlessForced()
    {
        string user = await NewUserAsync();
        await _iam.CreateAccessKeyAsync(new CreateAccessKeyRequest { UserName = user }, _ct);
        var planner = new IdentityPlanner(_iam, _journal);
        string file = Path.Combine(_dir, "credentials-" + user);
        var ex = await Assert.ThrowsAsync<BackupIamException>(() => planner.PlanAccessKeyAsync(user, false, new AccessKeyStoreRequest("p", file), false, _ct));
        Assert.Equal("AccessKeyNotStored", ex.ErrorId);
        Assert.Contains("-Force", ex.Message);

        AccessKeyPlan forced = await planner.PlanAccessKeyAsync(user, false, new AccessKeyStoreRequest("p", file, overwrite: true), false, _ct);
        Assert.Equal(new[] { "DeleteAccessKey", "CreateAccessKey" }, forced.Changes.Select(c => c.Operation));
        Assert.Equal(ResourceStatus.Updated, (await forced.ApplyAsync(_ => true, _ct)).Status);
        Assert.Single(await _iam.ListAllAccessKeysAsync(user, _ct));
    }

    [Fact]
    public async Task TheUserLockMakesASecondRunWait()
    {
        using (FileLock held = await _journal.LockUserAsync("lock-user", _ct))
        {
            var second = new AccessKeyJournal(Path.Combine(_dir, "state"), _iam.Endpoint.ToString()) { LockWait = TimeSpan.FromMilliseconds(300) };
            var ex = await Assert.ThrowsAsync<BackupIamException>(() => second.LockUserAsync("lock-user", _ct));
            Assert.Equal("FileLockTimeout", ex.ErrorId);
        }

        using (await _journal.LockUserAsync("lock-user", _ct))
        {
        }
    }
}
