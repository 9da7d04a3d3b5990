using Xunit;
using BackupIam.Engine.Aws;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Provisioning;
using BackupIam.Engine.Tests.Aws;

namespace BackupIam.Engine.Tests.Provisioning;

/// <summary>BucketPlanner against a real moto server: plan, apply, re-plan.</summary>
[Collection(MotoCollection.Name)]
public sealed class BucketPlannerMotoTests : IDisposable
{
    private const string BackupUserArn = "arn:aws:iam::123456789012:user/backup";

    private readonly S3Gateway _s3;
    private readonly BucketPlanner _planner;
    private readonly CancellationToken _ct = CancellationToken.None;

    public BucketPlannerMotoTests(MotoServerFixture moto)
    {
        _s3 = new S3Gateway(moto.CreateSession());
        _planner = new BucketPlanner(_s3);
    }

    public void Dispose() => _s3.Dispose();

    /// <summary>Applies every change of the plan (the engine's own apply, approving each) and returns the writes sent.</summary>
    private async Task<int> ApplyAsync(ResourcePlan plan) => (await plan.ApplyAsync(_ => true, _ct)).Written.Count;

    private async Task<string> NewBucketAsync()
    {
        string bucket = MotoServerFixture.UniqueName("bkt");
        await _s3.CreateBucketAsync(bucket, _ct);
        return bucket;
    }

    private static string WritePolicy(string bucket, string sid, string action = "s3:PutObject") =>
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"" + sid + "\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + BackupUserArn + "\"}," +
        "\"Action\":\"" + action + "\",\"Resource\":\"arn:aws:s3:::" + bucket + "/backup/*\"}]}";

    // ---- bucket ----

    [Fact]
    public async Task NewBucketPlansCreateSettingsAndFoldersAndApplyCountsRealWrites()
    {
        string bucket = MotoServerFixture.UniqueName("bkt");
        var spec = new BucketSpec { BucketName = bucket, Folders = { "backup", "backup/schemas", "backup/" } };

        BucketPlan plan = await _planner.PlanBucketAsync(spec, _ct);

        Assert.False(plan.Exists);
        Assert.Equal(new[] { "backup/", "backup/schemas/" }, plan.Folders);
        Assert.Equal(
            new[] { "s3:CreateBucket", "s3:PutPublicAccessBlock", "s3:PutBucketOwnershipControls", "s3:PutBucketEncryption", "s3:PutBucketTagging", "s3:PutObject", "s3:PutObject" },
            plan.Changes.Select(c => c.Action));
        Assert.Equal(new[] { $"object {bucket}/backup/", $"object {bucket}/backup/schemas/" }, plan.Changes.Skip(5).Select(c => c.Target));
        Assert.False(await _s3.BucketExistsAsync(bucket, _ct)); // planning wrote nothing

        // What this server does to a freshly created bucket decides which setting writes are still needed.
        string control = await NewBucketAsync();
        S3PublicAccessBlock? pab = await _s3.GetPublicAccessBlockAsync(control, _ct);
        bool pabByDefault = pab != null && pab.BlockPublicAcls && pab.IgnorePublicAcls && pab.BlockPublicPolicy && pab.RestrictPublicBuckets;
        bool ownershipByDefault = await _s3.GetBucketOwnershipControlsAsync(control, _ct) == "BucketOwnerEnforced";
        bool encryptionByDefault = await _s3.GetBucketEncryptionAsync(control, _ct) != null;
        int expectedWrites = 1 + 1 + 2 + (pabByDefault ? 0 : 1) + (ownershipByDefault ? 0 : 1) + (encryptionByDefault ? 0 : 1);

        var sent = new List<bool>();
        foreach (PlannedChange change in plan.Changes)
        {
            sent.Add(await change.ApplyAsync(_ct));
        }

        Assert.Equal(new[] { true, !pabByDefault, !ownershipByDefault, !encryptionByDefault, true, true, true }, sent);
        Assert.True(BucketTags.IsManaged(await _s3.GetBucketTaggingAsync(bucket, _ct)));
        Assert.Equal(expectedWrites, sent.Count(s => s));

        Assert.True(await _s3.BucketExistsAsync(bucket, _ct));
        S3PublicAccessBlock? after = await _s3.GetPublicAccessBlockAsync(bucket, _ct);
        Assert.NotNull(after);
        Assert.True(after!.BlockPublicAcls && after.IgnorePublicAcls && after.BlockPublicPolicy && after.RestrictPublicBuckets);
        Assert.Equal("BucketOwnerEnforced", await _s3.GetBucketOwnershipControlsAsync(bucket, _ct));
        Assert.NotNull(await _s3.GetBucketEncryptionAsync(bucket, _ct));
        Assert.True(await _s3.ObjectExistsAsync(bucket, "backup/", _ct));
        Assert.True(await _s3.ObjectExistsAsync(bucket, "backup/schemas/", _ct));

        BucketPlan again = await _planner.PlanBucketAsync(spec, _ct);
        Assert.True(again.Exists);
        Assert.True(again.IsUpToDate);
        Assert.Equal(ResourceStatus.Unchanged, again.StatusWhenApplied);
    }

    [Fact]
    public async Task DeletedFolderPlaceholderReplansExactlyOnePutObject()
    {
        string bucket = MotoServerFixture.UniqueName("bkt");
        var spec = new BucketSpec { BucketName = bucket, Folders = { "backup/", "backup/schemas/" } };
        await ApplyAsync(await _planner.PlanBucketAsync(spec, _ct));
        await _s3.DeleteObjectAsync(bucket, "backup/schemas/", _ct);

        BucketPlan plan = await _planner.PlanBucketAsync(spec, _ct);

        Assert.True(plan.Exists);
        PlannedChange change = Assert.Single(plan.Changes);
        Assert.Equal("s3:PutObject", change.Action);
        Assert.Equal($"object {bucket}/backup/schemas/", change.Target);
        Assert.Equal(1, await ApplyAsync(plan));
        Assert.True(await _s3.ObjectExistsAsync(bucket, "backup/schemas/", _ct));
        Assert.True((await _planner.PlanBucketAsync(spec, _ct)).IsUpToDate);
    }

    [Fact]
    public async Task ExistingBucketWithAWeakenedSettingPlansOnlyThatSetting()
    {
        string bucket = MotoServerFixture.UniqueName("bkt");
        var spec = new BucketSpec { BucketName = bucket };
        await ApplyAsync(await _planner.PlanBucketAsync(spec, _ct));
        await _s3.PutPublicAccessBlockAsync(bucket, new S3PublicAccessBlock { BlockPublicAcls = true, IgnorePublicAcls = true, BlockPublicPolicy = false, RestrictPublicBuckets = true }, _ct);

        BucketPlan plan = await _planner.PlanBucketAsync(spec, _ct);

        Assert.Equal("s3:PutPublicAccessBlock", Assert.Single(plan.Changes).Action);
        Assert.Equal(1, await ApplyAsync(plan));
        Assert.True((await _s3.GetPublicAccessBlockAsync(bucket, _ct))!.BlockPublicPolicy);
        Assert.True((await _planner.PlanBucketAsync(spec, _ct)).IsUpToDate);
    }

    [Fact]
    public async Task InvalidBucketNameIsRejected()
    {
        var ex = await Assert.ThrowsAsync<InputValidationException>(() => _planner.PlanBucketAsync(new BucketSpec { BucketName = "Bad_Bucket" }, _ct));
        Assert.Equal("BucketNameInvalid", ex.ErrorId);
        Assert.Equal("BucketName", ex.ParameterName);
    }

    // ---- versioning ----

    [Fact]
    public async Task VersioningIsPlannedAppliedAndThenUpToDate()
    {
        string bucket = await NewBucketAsync();

        VersioningPlan plan = await _planner.PlanVersioningAsync(bucket, bucketMayBePlanned: false, _ct);

        Assert.Equal(S3VersioningState.Off, plan.Before);
        // Issue 15: the same step first records in a tag that the module enabled versioning.
        Assert.Equal("s3:PutBucketVersioning", Assert.Single(plan.Changes).Action);
        Assert.Contains("backupiam:versioning=enabled-by-module", plan.Changes[0].Description);
        Assert.False(BucketTags.VersioningEnabledByUs(await _s3.GetBucketTaggingAsync(bucket, _ct))); // planning wrote nothing
        Assert.Equal(1, await ApplyAsync(plan));
        Assert.Equal(S3VersioningState.Enabled, await _s3.GetBucketVersioningAsync(bucket, _ct));
        Assert.True(BucketTags.VersioningEnabledByUs(await _s3.GetBucketTaggingAsync(bucket, _ct)));

        VersioningPlan again = await _planner.PlanVersioningAsync(bucket, bucketMayBePlanned: false, _ct);
        Assert.True(again.IsUpToDate);
        Assert.Equal(S3VersioningState.Enabled, again.Before);
    }

    [Fact]
    public async Task SuspendedVersioningIsEnabledAgain()
    {
        string bucket = await NewBucketAsync();
        await _s3.PutBucketVersioningAsync(bucket, true, _ct);
        await _s3.PutBucketVersioningAsync(bucket, false, _ct);

        VersioningPlan plan = await _planner.PlanVersioningAsync(bucket, false, _ct);

        Assert.Equal(S3VersioningState.Suspended, plan.Before);
        Assert.True(plan.Exists);
        Assert.Single(plan.Changes);
        await ApplyAsync(plan);
        Assert.Equal(S3VersioningState.Enabled, await _s3.GetBucketVersioningAsync(bucket, _ct));
    }

    // ---- lifecycle ----

    [Fact]
    public async Task LifecycleRuleIsAddedThenUpToDate()
    {
        string bucket = await NewBucketAsync();
        var spec = new LifecycleSpec { Prefix = "backup", NoncurrentVersionExpirationDays = 30, AbortIncompleteMultipartUploadDays = 7 };

        LifecyclePlan plan = await _planner.PlanLifecycleAsync(bucket, spec, false, _ct);

        Assert.False(plan.Exists);
        Assert.Equal("s3:PutBucketLifecycleConfiguration", Assert.Single(plan.Changes).Action);
        Assert.Equal("backup/", plan.Rule!.Prefix);
        Assert.Single(plan.Rules);
        Assert.Equal(1, await ApplyAsync(plan));

        S3LifecycleRule stored = Assert.Single((await _s3.GetBucketLifecycleConfigurationAsync(bucket, _ct))!);
        Assert.Equal("backup-retention", stored.Id);
        Assert.Equal("backup/", stored.Prefix);
        Assert.Equal(30, stored.NoncurrentVersionExpirationDays);
        Assert.Equal(7, stored.AbortIncompleteMultipartUploadDays);

        LifecyclePlan again = await _planner.PlanLifecycleAsync(bucket, spec, false, _ct);
        Assert.True(again.Exists);
        Assert.True(again.IsUpToDate);
    }

    [Fact]
    public async Task LifecycleKeepsOtherRulesAndChangedDaysPlanOnePut()
    {
        string bucket = await NewBucketAsync();
        await _s3.PutBucketLifecycleConfigurationAsync(bucket, new[]
        {
            new S3LifecycleRule { Id = "their-logs", Prefix = "logs/", Status = "Enabled", ExpirationDays = 90 },
        }, _ct);
        var spec = new LifecycleSpec { Prefix = "backup/", NoncurrentVersionExpirationDays = 30 };

        LifecyclePlan add = await _planner.PlanLifecycleAsync(bucket, spec, false, _ct);
        Assert.False(add.Exists);
        Assert.Equal(new[] { "their-logs", "backup-retention" }, add.Rules.Select(r => r.Id));
        Assert.Equal(1, await ApplyAsync(add));
        var stored = (await _s3.GetBucketLifecycleConfigurationAsync(bucket, _ct))!;
        Assert.Equal(2, stored.Count);
        Assert.Contains(stored, r => r.Id == "their-logs" && r.Prefix == "logs/" && r.ExpirationDays == 90);
        Assert.True((await _planner.PlanLifecycleAsync(bucket, spec, false, _ct)).IsUpToDate);

        spec.NoncurrentVersionExpirationDays = 60;
        LifecyclePlan change = await _planner.PlanLifecycleAsync(bucket, spec, false, _ct);

        Assert.True(change.Exists);
        Assert.Equal(ResourceStatus.Updated, change.StatusWhenApplied);
        Assert.Equal("s3:PutBucketLifecycleConfiguration", Assert.Single(change.Changes).Action);
        Assert.Equal(2, change.Rules.Count);
        Assert.Equal(1, await ApplyAsync(change));
        stored = (await _s3.GetBucketLifecycleConfigurationAsync(bucket, _ct))!;
        Assert.Equal(2, stored.Count);
        Assert.Contains(stored, r => r.Id == "their-logs" && r.ExpirationDays == 90);
        Assert.Contains(stored, r => r.Id == "backup-retention" && r.NoncurrentVersionExpirationDays == 60);
        Assert.True((await _planner.PlanLifecycleAsync(bucket, spec, false, _ct)).IsUpToDate);
    }

    [Fact]
    public async Task LifecycleRuleWithoutActionIsEmpty()
    {
        var ex = await Assert.ThrowsAsync<InputValidationException>(() =>
            _planner.PlanLifecycleAsync("some-bucket", new LifecycleSpec { Prefix = "backup/" }, true, _ct));
        Assert.Equal("LifecycleRuleEmpty", ex.ErrorId);
        Assert.Equal("NoncurrentVersionExpirationDays", ex.ParameterName);
    }

    [Theory]
    [InlineData(0, null, null, "NoncurrentVersionExpirationDays")]
    [InlineData(null, -1, null, "AbortIncompleteMultipartUploadDays")]
    [InlineData(null, null, 36501, "ExpirationDays")]
    public async Task LifecycleDaysOutOfRangeAreInvalid(int? noncurrent, int? abort, int? expiration, string parameter)
    {
        var spec = new LifecycleSpec { NoncurrentVersionExpirationDays = noncurrent, AbortIncompleteMultipartUploadDays = abort, ExpirationDays = expiration };
        var ex = await Assert.ThrowsAsync<InputValidationException>(() => _planner.PlanLifecycleAsync("some-bucket", spec, true, _ct));
        Assert.Equal("LifecycleDaysInvalid", ex.ErrorId);
        Assert.Equal(parameter, ex.ParameterName);
    }

    [Fact]
    public async Task NewerNoncurrentVersionsWithoutNoncurrentDaysIsInvalid()
    {
        var spec = new LifecycleSpec { ExpirationDays = 30, NewerNoncurrentVersions = 3 };
        var ex = await Assert.ThrowsAsync<InputValidationException>(() => _planner.PlanLifecycleAsync("some-bucket", spec, true, _ct));
        Assert.Equal("LifecycleRuleInvalid", ex.ErrorId);
        Assert.Equal("NewerNoncurrentVersions", ex.ParameterName);
    }

    [Fact]
    public async Task LifecycleForMissingBucketIsPlannedWhenTheBucketMayBePlanned()
    {
        string bucket = MotoServerFixture.UniqueName("missing");
        LifecyclePlan plan = await _planner.PlanLifecycleAsync(bucket, new LifecycleSpec { NoncurrentVersionExpirationDays = 30 }, true, _ct);
        Assert.Single(plan.Changes);
        Assert.False(plan.Exists);
    }

    // ---- bucket policy ----

    [Fact]
    public async Task StatementsWithoutPrincipalAreNotABucketPolicy()
    {
        string bucket = await NewBucketAsync();
        string policy = "{\"Version\":\"2012-10-17\",\"Statement\":[" +
            "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + BackupUserArn + "\"},\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::" + bucket + "/*\"}," +
            "{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::" + bucket + "/*\"}]}";

        var ex = await Assert.ThrowsAsync<InputValidationException>(() => _planner.PlanBucketPolicyAsync(bucket, policy, false, false, _ct));

        Assert.Equal("PolicyNotBucketPolicy", ex.ErrorId);
        Assert.Equal("PolicyDocument", ex.ParameterName);
        Assert.Contains("Statement[1]", ex.Message);
        Assert.Null(await _s3.GetBucketPolicyAsync(bucket, _ct));
    }

    [Fact]
    public async Task BucketPolicyOnABucketWithoutOneIsCreatedThenUpToDate()
    {
        string bucket = await NewBucketAsync();
        string policy = WritePolicy(bucket, "BackupWrite");

        BucketPolicyPlan plan = await _planner.PlanBucketPolicyAsync(bucket, policy, false, false, _ct);

        Assert.False(plan.Exists);
        Assert.Equal("s3:PutBucketPolicy", Assert.Single(plan.Changes).Action);
        Assert.Equal(1, await ApplyAsync(plan));
        Assert.NotNull(await _s3.GetBucketPolicyAsync(bucket, _ct));

        BucketPolicyPlan again = await _planner.PlanBucketPolicyAsync(bucket, policy, false, false, _ct);
        Assert.True(again.Exists);
        Assert.True(again.IsUpToDate);
    }

    [Fact]
    public async Task MergeIntoAnExistingBucketPolicyKeepsTheOtherStatement()
    {
        string bucket = await NewBucketAsync();
        await _s3.PutBucketPolicyAsync(bucket, WritePolicy(bucket, "TheirRead", "s3:GetObject"), _ct);
        string desired = WritePolicy(bucket, "BackupWrite");

        BucketPolicyPlan plan = await _planner.PlanBucketPolicyAsync(bucket, desired, replace: false, bucketMayBePlanned: false, _ct);

        Assert.True(plan.Exists);
        Assert.Equal(new[] { "TheirRead" }, plan.Merge!.Kept);
        Assert.Equal(new[] { "BackupWrite" }, plan.Merge.Added);
        Assert.Equal("s3:PutBucketPolicy", Assert.Single(plan.Changes).Action);
        Assert.Equal(1, await ApplyAsync(plan));

        PolicyDocument stored = PolicyJson.Parse((await _s3.GetBucketPolicyAsync(bucket, _ct))!);
        Assert.Equal(new[] { "TheirRead", "BackupWrite" }, stored.Statements.Select(s => s.Sid));
        Assert.Equal(new[] { "s3:GetObject" }, stored.Statements[0].Actions);
        Assert.True((await _planner.PlanBucketPolicyAsync(bucket, desired, false, false, _ct)).IsUpToDate);

        BucketPolicyPlan replace = await _planner.PlanBucketPolicyAsync(bucket, desired, replace: true, bucketMayBePlanned: false, _ct);
        Assert.Single(replace.Changes);
        await ApplyAsync(replace);
        stored = PolicyJson.Parse((await _s3.GetBucketPolicyAsync(bucket, _ct))!);
        Assert.Equal(new[] { "BackupWrite" }, stored.Statements.Select(s => s.Sid));
    }

    [Fact]
    public async Task BucketPolicyForMissingBucketIsPlannedOnlyWhenTheBucketMayBePlanned()
    {
        string bucket = MotoServerFixture.UniqueName("missing");
        string policy = WritePolicy(bucket, "BackupWrite");

        BucketPolicyPlan plan = await _planner.PlanBucketPolicyAsync(bucket, policy, false, bucketMayBePlanned: true, _ct);
        Assert.False(plan.Exists);
        Assert.Equal("s3:PutBucketPolicy", Assert.Single(plan.Changes).Action);
        Assert.Equal(new[] { "BackupWrite" }, plan.Merge!.Added);

        var ex = await Assert.ThrowsAsync<S3ServiceException>(() => _planner.PlanBucketPolicyAsync(bucket, policy, false, bucketMayBePlanned: false, _ct));
        Assert.Equal("NoSuchBucket", ex.AwsErrorCode);
    }

    [Fact]
    public async Task VersioningForMissingBucketIsPlannedWhenTheBucketMayBePlanned()
    {
        string bucket = MotoServerFixture.UniqueName("missing");
        VersioningPlan plan = await _planner.PlanVersioningAsync(bucket, bucketMayBePlanned: true, _ct);
        Assert.Equal(S3VersioningState.Off, plan.Before);
        Assert.Single(plan.Changes);
    }

    [Fact]
    public async Task ExistingBucketIsTaggedManagedKeepingOthersTagsAndThenUpToDate()
    {
        string bucket = await NewBucketAsync();
        await _s3.PutBucketTaggingAsync(bucket, new Dictionary<string, string> { ["team"] = "ops" }, _ct);
        var spec = new BucketSpec { BucketName = bucket, BlockPublicAccess = false, EnforceBucketOwnership = false, DefaultEncryption = false };

        BucketPlan plan = await _planner.PlanBucketAsync(spec, _ct);
        PlannedChange tag = Assert.Single(plan.Changes);
        Assert.Equal("s3:PutBucketTagging", tag.Action);
        Assert.Contains("1 other tag", tag.Description);
        // Someone adds a tag between plan and apply: the apply reads again and keeps it.
        await _s3.PutBucketTaggingAsync(bucket, new Dictionary<string, string> { ["team"] = "ops", ["late"] = "1" }, _ct);
        Assert.Equal(1, await ApplyAsync(plan));
        IReadOnlyDictionary<string, string> tags = await _s3.GetBucketTaggingAsync(bucket, _ct);
        Assert.Equal(3, tags.Count);
        Assert.Equal("ops", tags["team"]);
        Assert.Equal("1", tags["late"]);
        Assert.True(BucketTags.IsManaged(tags));
        Assert.True((await _planner.PlanBucketAsync(spec, _ct)).IsUpToDate);
        Assert.True((await _planner.PlanBucketAsync(new BucketSpec { BucketName = bucket, BlockPublicAccess = false, EnforceBucketOwnership = false, DefaultEncryption = false, ManagedTag = false }, _ct)).IsUpToDate);
    }
}
