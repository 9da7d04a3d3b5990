using System.Reflection;
using BackupIam.Engine.Aws;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Provisioning;
using BackupIam.Engine.Tests.Aws;
using Xunit;

namespace BackupIam.Engine.Tests.Provisioning;

/// <summary>
/// Issue 16, round 5: the versioning record (backupiam:versioning=enabled-by-module) goes out with the managed tag of a
/// bucket the plan creates, when asked for (BucketSpec.VersioningRecord), and BucketPlan.VersioningRecorded says whether
/// it did; Enable-BackupVersioning's plan then sends PutBucketVersioning alone. In every other case the record is left to
/// PlanVersioningAsync, as before.
/// </summary>
[Collection(MotoCollection.Name)]
public sealed class VersioningRecordMotoTests : IDisposable
{
    private readonly MotoServerFixture _moto;
    private readonly S3Gateway _s3;
    private readonly CancellationToken _ct = CancellationToken.None;

    public VersioningRecordMotoTests(MotoServerFixture moto)
    {
        _moto = moto;
        _s3 = new S3Gateway(moto.CreateSession());
    }

    public void Dispose() => _s3.Dispose();

    private static async Task ApplyAllAsync(ResourcePlan plan) => await plan.ApplyAsync(_ => true, CancellationToken.None);

    private async Task<IReadOnlyDictionary<string, string>> TagsAsync(string bucket) => await _s3.GetBucketTaggingAsync(bucket, _ct);

    [Fact]
    public async Task ARecordWithVersioningStillOffIsNotReportedAsVersioningTheModuleTurnedOn()
    {
        // The pipeline stopped after New-BackupBucket wrote the record with its tag, before PutBucketVersioning.
        string bucket = MotoServerFixture.UniqueName("rec");
        BucketPlan plan = await new BucketPlanner(_s3).PlanBucketAsync(new BucketSpec { BucketName = bucket, VersioningRecord = true }, _ct);
        await ApplyAllAsync(plan);
        Assert.True(BucketTags.VersioningEnabledByUs(await TagsAsync(bucket)));
        BucketSetupInfo before = await BucketSetupReader.ReadAsync(_s3, bucket, _ct);
        Assert.Equal("Off", before.Versioning);
        Assert.False(before.VersioningEnabledByModule);

        await _s3.PutBucketVersioningAsync(bucket, true, _ct);
        Assert.True((await BucketSetupReader.ReadAsync(_s3, bucket, _ct)).VersioningEnabledByModule);
    }

    [Fact]
    public async Task ANewBucketsTagCarriesTheRecordAndVersioningThenSendsOnlyPutBucketVersioning()
    {
        string bucket = MotoServerFixture.UniqueName("rec");
        var calls = new List<string>();
        var planner = new BucketPlanner(S3Faults.Wrap(_s3, calls));

        BucketPlan plan = await planner.PlanBucketAsync(new BucketSpec { BucketName = bucket, VersioningRecord = true }, _ct);
        PlannedChange tag = plan.Changes.Single(c => c.Operation == "PutBucketTagging");
        Assert.Contains("backupiam:versioning=enabled-by-module", tag.Description);
        Assert.False(plan.VersioningRecorded); // planning wrote nothing
        await ApplyAllAsync(plan);

        Assert.True(plan.VersioningRecorded);
        Assert.Equal(1, calls.Count(c => c == "PutBucketTagging"));
        IReadOnlyDictionary<string, string> tags = await TagsAsync(bucket);
        Assert.True(BucketTags.IsManaged(tags));
        Assert.True(BucketTags.VersioningEnabledByUs(tags));
        Assert.Equal(2, tags.Count);

        calls.Clear();
        VersioningPlan versioning = await planner.PlanVersioningAsync(bucket, false, _ct, bucketJustCreated: true, recordWritten: true);
        Assert.Equal("s3:PutBucketVersioning", Assert.Single(versioning.Changes).Action);
        Assert.Contains("New-BackupBucket recorded", versioning.Changes[0].Description);
        await ApplyAllAsync(versioning);
        Assert.Equal(new[] { "PutBucketVersioning" }, calls);
        Assert.Equal(S3VersioningState.Enabled, await _s3.GetBucketVersioningAsync(bucket, _ct));
        Assert.True(BucketTags.VersioningEnabledByUs(await TagsAsync(bucket)));
    }

    [Fact]
    public async Task WithoutTheAskTheTagIsTheManagedTagAloneAndEnableWritesTheRecordAsBefore()
    {
        string bucket = MotoServerFixture.UniqueName("rec");
        var planner = new BucketPlanner(_s3);

        BucketPlan plan = await planner.PlanBucketAsync(new BucketSpec { BucketName = bucket }, _ct);
        Assert.Equal($"Tag bucket '{bucket}' backupiam:managed=true", plan.Changes.Single(c => c.Operation == "PutBucketTagging").Description);
        await ApplyAllAsync(plan);
        Assert.False(plan.VersioningRecorded);
        Assert.False(BucketTags.VersioningEnabledByUs(await TagsAsync(bucket)));

        VersioningPlan versioning = await planner.PlanVersioningAsync(bucket, false, _ct, bucketJustCreated: true);
        Assert.Contains("first recording in its tags", Assert.Single(versioning.Changes).Description);
        await ApplyAllAsync(versioning);
        Assert.True(BucketTags.VersioningEnabledByUs(await TagsAsync(bucket)));
        Assert.Equal(S3VersioningState.Enabled, await _s3.GetBucketVersioningAsync(bucket, _ct));
    }

    [Fact]
    public async Task AnExistingBucketGetsNoRecordFromNewBackupBucket()
    {
        string bucket = MotoServerFixture.UniqueName("rec");
        await _s3.CreateBucketAsync(bucket, _ct);
        var planner = new BucketPlanner(_s3);

        BucketPlan plan = await planner.PlanBucketAsync(new BucketSpec { BucketName = bucket, VersioningRecord = true }, _ct);
        Assert.True(plan.Exists);
        Assert.DoesNotContain("backupiam:versioning", plan.Changes.Single(c => c.Operation == "PutBucketTagging").Description);
        await ApplyAllAsync(plan);

        Assert.False(plan.VersioningRecorded);
        IReadOnlyDictionary<string, string> tags = await TagsAsync(bucket);
        Assert.True(BucketTags.IsManaged(tags));
        Assert.False(BucketTags.VersioningEnabledByUs(tags));
    }

    [Fact]
    public async Task ABucketThatAnsweredAlreadyOwnedByYouGetsNoRecord()
    {
        // Created between planning and applying (a retried CreateBucket, or a concurrent run): not made by this plan, so
        // its tags are read and merged, without the record. Outside us-east-1, where a second CreateBucket of one's own
        // bucket answers BucketAlreadyOwnedByYou (us-east-1 answers 200).
        string bucket = MotoServerFixture.UniqueName("rec");
        using var s3 = new S3Gateway(_moto.CreateSession("eu-west-1"));
        var planner = new BucketPlanner(s3);
        BucketPlan plan = await planner.PlanBucketAsync(new BucketSpec { BucketName = bucket, VersioningRecord = true }, _ct);
        await s3.CreateBucketAsync(bucket, _ct);

        await ApplyAllAsync(plan);

        Assert.False(plan.VersioningRecorded);
        IReadOnlyDictionary<string, string> tags = await s3.GetBucketTaggingAsync(bucket, _ct);
        Assert.True(BucketTags.IsManaged(tags));
        Assert.False(BucketTags.VersioningEnabledByUs(tags));
    }

    [Theory]
    [InlineData(501, "NotImplemented")]
    [InlineData(403, "AccessDenied")]
    public async Task ATagWriteTheStoreRefusesLeavesTheRecordToEnableBackupVersioning(int status, string code)
    {
        string bucket = MotoServerFixture.UniqueName("rec");
        var calls = new List<string>();
        var planner = new BucketPlanner(S3Faults.Wrap(_s3, calls, refuseTagging: (status, code)));

        BucketPlan plan = await planner.PlanBucketAsync(new BucketSpec { BucketName = bucket, VersioningRecord = true }, _ct);
        await ApplyAllAsync(plan); // tolerated: a warning, the bucket made all the same

        Assert.False(plan.VersioningRecorded);
        // A store without tagging (501) and a refusal to these credentials (403) are told apart.
        Assert.Contains(plan.StoreWarnings, w => w.Contains(status == 403 ? "these credentials may not write its tags" : "the store does not support bucket tagging"));
        Assert.Empty(await TagsAsync(bucket));

        // Enable-BackupVersioning, told nothing, writes the record itself (here to moto directly: it takes tags).
        VersioningPlan versioning = await new BucketPlanner(_s3).PlanVersioningAsync(bucket, false, _ct, bucketJustCreated: true, recordWritten: false);
        await ApplyAllAsync(versioning);
        Assert.True(BucketTags.VersioningEnabledByUs(await TagsAsync(bucket)));
    }

    [Fact]
    public async Task ABucketWithObjectLockGetsNoRecordFromNewBackupBucket()
    {
        string bucket = MotoServerFixture.UniqueName("rec");
        var planner = new BucketPlanner(_s3);

        BucketPlan plan = await planner.PlanBucketAsync(new BucketSpec { BucketName = bucket, VersioningRecord = true, ObjectLock = new ObjectLockSpec() }, _ct);
        Assert.DoesNotContain("backupiam:versioning", plan.Changes.Single(c => c.Operation == "PutBucketTagging").Description);
        await ApplyAllAsync(plan);

        Assert.False(plan.VersioningRecorded);
        Assert.False(BucketTags.VersioningEnabledByUs(await TagsAsync(bucket)));
    }

    /// <summary>
    /// Wraps the real gateway: records the name of each call, and optionally answers PutBucketTagging with the store's
    /// refusal (HTTP status and error code) before sending it. Every other call goes to moto.
    /// </summary>
    public class S3Faults : DispatchProxy
    {
        private IS3Gateway _inner = null!;
        private List<string> _calls = null!;
        private (int Status, string Code)? _refuseTagging;

        public static IS3Gateway Wrap(IS3Gateway inner, List<string> calls, (int Status, string Code)? refuseTagging = null)
        {
            IS3Gateway proxy = Create<IS3Gateway, S3Faults>();
            var self = (S3Faults)(object)proxy;
            self._inner = inner;
            self._calls = calls;
            self._refuseTagging = refuseTagging;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? method, object?[]? args)
        {
            string operation = method!.Name.EndsWith("Async", StringComparison.Ordinal) ? method.Name[..^5] : method.Name;
            if (method.Name.EndsWith("Async", StringComparison.Ordinal))
            {
                lock (_calls)
                {
                    _calls.Add(operation);
                }
            }

            if (operation == "PutBucketTagging" && _refuseTagging is (int status, string code))
            {
                var refusal = new S3ServiceException("S3" + code, status == 403 ? FailureKind.PermissionDenied : FailureKind.NotImplemented, "PutBucketTagging",
                    (string?)args![0], code, "refused (injected)", null, status, null);
                return Task.FromException(refusal);
            }

            try
            {
                return method.Invoke(_inner, args);
            }
            catch (TargetInvocationException ex) when (ex.InnerException != null)
            {
                throw ex.InnerException;
            }
        }
    }
}
