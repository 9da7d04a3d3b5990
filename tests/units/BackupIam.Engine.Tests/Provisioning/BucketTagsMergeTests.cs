using BackupIam.Engine.Provisioning;
using Xunit;

namespace BackupIam.Engine.Tests.Provisioning;

public sealed class BucketTagsMergeTests
{
    [Fact]
    public void SetAndRemoveTouchOnlyTheNamedKeys()
    {
        var existing = new Dictionary<string, string> { ["a"] = "1", ["backupiam:managed"] = "TRUE", ["backupiam:versioning"] = "enabled-by-module" };
        Assert.True(BucketTags.IsManaged(existing));
        Assert.True(BucketTags.VersioningEnabledByUs(existing));

        BucketTagMerge m = BucketTags.Merge(existing, new Dictionary<string, string> { ["backupiam:managed"] = "true" }, new[] { "backupiam:versioning", "absent" });
        Assert.True(m.Changed);
        Assert.Equal(new[] { "backupiam:managed=true" }, m.Added);
        Assert.Equal(new[] { "backupiam:versioning" }, m.Removed);
        Assert.Equal(2, m.Tags.Count);
        Assert.Equal("1", m.Tags["a"]);
        Assert.Equal(3, existing.Count); // the input is not changed

        Assert.False(BucketTags.Merge(m.Tags, BucketTags.Managed(), new[] { "absent" }).Changed);
        Assert.False(BucketTags.IsManaged(new Dictionary<string, string> { ["backupiam:managed"] = "false" }));
        Assert.False(BucketTags.IsManaged(null));
    }
}
