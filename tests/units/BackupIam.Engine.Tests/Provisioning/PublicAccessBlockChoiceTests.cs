using BackupIam.Engine.Aws;
using BackupIam.Engine.Provisioning;
using Xunit;

namespace BackupIam.Engine.Tests.Provisioning;

/// <summary>Which Block Public Access settings the planner wants, from what the store answered.</summary>
public sealed class PublicAccessBlockChoiceTests
{
    [Fact]
    public void AwsOrUnknownGetsAllFour()
    {
        foreach (S3PublicAccessBlock? current in new[] { null, new S3PublicAccessBlock(), new S3PublicAccessBlock { BlockPublicAcls = true } })
        {
            S3PublicAccessBlock desired = BucketPlanner.DesiredPublicAccessBlock(current);
            Assert.True(desired.BlockPublicAcls && desired.IgnorePublicAcls && desired.BlockPublicPolicy && desired.RestrictPublicBuckets);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RgwGetsIgnoreAndRestrictWithBlockPublicAclsOffAndBlockPublicPolicyKept(bool blockPublicPolicy)
    {
        var current = new S3PublicAccessBlock { BlockPublicAcls = true, BlockPublicPolicy = blockPublicPolicy, StoreRootElement = "BlockPublicAccessBlockConfiguration" };
        S3PublicAccessBlock desired = BucketPlanner.DesiredPublicAccessBlock(current);
        Assert.False(desired.BlockPublicAcls);
        Assert.True(desired.IgnorePublicAcls);
        Assert.True(desired.RestrictPublicBuckets);
        Assert.Equal(blockPublicPolicy, desired.BlockPublicPolicy);
    }
}
