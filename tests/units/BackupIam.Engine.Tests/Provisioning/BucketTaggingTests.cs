using BackupIam.Engine.Aws;
using BackupIam.Engine.Provisioning;
using BackupIam.Engine.Tests.Aws;
using BackupIam.Engine.Tests.Rgw;
using Xunit;

namespace BackupIam.Engine.Tests.Provisioning;

/// <summary>The same checks of bucket tagging, ListBuckets and the managed-bucket listing against moto and Ceph RGW 16.</summary>
internal static class BucketTaggingChecks
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    /// <summary>No tag set reads as empty; a merge that adds the managed tag keeps others' tags; removal brings back exactly theirs.</summary>
    public static async Task MergeKeepsOthersTagsAsync(IS3Gateway s3, string bucket)
    {
        await s3.CreateBucketAsync(bucket, Ct);
        Assert.Empty(await s3.GetBucketTaggingAsync(bucket, Ct)); // NoSuchTagSet means "no tags"

        var theirs = new Dictionary<string, string> { ["cost-center"] = "42", ["Owner"] = "ops team", ["empty"] = "" };
        await s3.PutBucketTaggingAsync(bucket, theirs, Ct);

        BucketTagMerge add = BucketTags.Merge(await s3.GetBucketTaggingAsync(bucket, Ct), BucketTags.Managed(), null);
        Assert.True(add.Changed);
        Assert.Equal(new[] { "backupiam:managed=true" }, add.Added);
        await s3.PutBucketTaggingAsync(bucket, add.Tags, Ct);

        IReadOnlyDictionary<string, string> both = await s3.GetBucketTaggingAsync(bucket, Ct);
        Assert.True(BucketTags.IsManaged(both));
        Assert.Equal(4, both.Count);
        foreach (KeyValuePair<string, string> t in theirs)
        {
            Assert.Equal(t.Value, both[t.Key]);
        }

        Assert.False(BucketTags.Merge(both, BucketTags.Managed(), null).Changed); // a re-run writes nothing

        BucketTagMerge remove = BucketTags.Merge(both, null, new[] { BucketTags.ManagedKey, BucketTags.VersioningKey });
        Assert.Equal(new[] { BucketTags.ManagedKey }, remove.Removed);
        await s3.PutBucketTaggingAsync(bucket, remove.Tags, Ct);
        IReadOnlyDictionary<string, string> after = await s3.GetBucketTaggingAsync(bucket, Ct);
        Assert.Equal(theirs.OrderBy(t => t.Key, StringComparer.Ordinal), after.OrderBy(t => t.Key, StringComparer.Ordinal));

        // The last tag removed: an empty set goes as DeleteBucketTagging; a second delete is no error.
        await s3.PutBucketTaggingAsync(bucket, new Dictionary<string, string>(), Ct);
        Assert.Empty(await s3.GetBucketTaggingAsync(bucket, Ct));
        await s3.DeleteBucketTaggingAsync(bucket, Ct);
    }

    /// <summary>ListBuckets finds new buckets; the managed listing keeps only the tagged ones, with their tags.</summary>
    public static async Task ManagedListingAsync(IS3Gateway s3, Func<string, string> uniqueName)
    {
        string managed1 = uniqueName("mng"), managed2 = uniqueName("mng"), plain = uniqueName("plain"), wrongValue = uniqueName("wrong");
        foreach (string b in new[] { managed1, managed2, plain, wrongValue })
        {
            await s3.CreateBucketAsync(b, Ct);
        }

        await s3.PutBucketTaggingAsync(managed1, new Dictionary<string, string> { [BucketTags.ManagedKey] = "true" }, Ct);
        await s3.PutBucketTaggingAsync(managed2, new Dictionary<string, string> { [BucketTags.ManagedKey] = "true", ["team"] = "a" }, Ct);
        await s3.PutBucketTaggingAsync(plain, new Dictionary<string, string> { ["team"] = "a" }, Ct);
        await s3.PutBucketTaggingAsync(wrongValue, new Dictionary<string, string> { [BucketTags.ManagedKey] = "no" }, Ct);

        IReadOnlyList<S3BucketEntry> all = await s3.ListBucketsAsync(Ct);
        var names = all.Select(b => b.BucketName).ToList();
        Assert.Contains(managed1, names);
        Assert.Contains(plain, names);
        Assert.Equal(names.Count, names.Distinct().Count());

        foreach (int concurrency in new[] { 1, 8 })
        {
            ManagedBucketList list = await ManagedBuckets.ListAsync(s3, concurrency, Ct);
            Assert.Contains(managed1, list.BucketNames);
            Assert.Contains(managed2, list.BucketNames);
            Assert.DoesNotContain(plain, list.BucketNames);
            Assert.DoesNotContain(wrongValue, list.BucketNames);
            Assert.Equal(list.BucketNames.OrderBy(n => n, StringComparer.Ordinal), list.BucketNames);
            Assert.Equal("a", list.Buckets.Single(b => b.BucketName == managed2).Tags["team"]);
            Assert.Empty(list.Unreadable);
        }

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ManagedBuckets.ListAsync(s3, 0, Ct));
    }
}

[Collection(MotoCollection.Name)]
public sealed class BucketTaggingMotoTests : IDisposable
{
    private readonly S3Gateway _s3;

    public BucketTaggingMotoTests(MotoServerFixture moto) => _s3 = new S3Gateway(moto.CreateSession());

    public void Dispose() => _s3.Dispose();

    [Fact]
    public Task MergeKeepsOthersTags() => BucketTaggingChecks.MergeKeepsOthersTagsAsync(_s3, MotoServerFixture.UniqueName("tags"));

    [Fact]
    public Task ManagedListing() => BucketTaggingChecks.ManagedListingAsync(_s3, MotoServerFixture.UniqueName);
}

[Collection(RgwCollection.Name)]
public sealed class BucketTaggingRgwTests : IDisposable
{
    private readonly S3Gateway _s3;

    public BucketTaggingRgwTests(RgwServerFixture rgw) => _s3 = new S3Gateway(rgw.CreateSession());

    public void Dispose() => _s3.Dispose();

    [Fact]
    public Task MergeKeepsOthersTags() => BucketTaggingChecks.MergeKeepsOthersTagsAsync(_s3, RgwServerFixture.UniqueName("tags"));

    [Fact]
    public Task ManagedListing() => BucketTaggingChecks.ManagedListingAsync(_s3, RgwServerFixture.UniqueName);
}
