using Amazon.S3;
using Amazon.S3.Model;
using BackupIam.Engine.Aws;
using BackupIam.Engine.Provisioning;
using BackupIam.Engine.Tests.Aws;
using Xunit;

namespace BackupIam.Engine.Tests.Provisioning;

/// <summary>
/// Setting our lifecycle rule must not change the bucket's other rules, including settings our rule model does not
/// carry (tag filters, transitions): they are written back exactly as S3 returned them.
/// </summary>
[Collection(MotoCollection.Name)]
public sealed class LifecycleFidelityMotoTests : IDisposable
{
    private readonly AwsSession _session;
    private readonly S3Gateway _s3;
    private readonly AmazonS3Client _raw;

    public LifecycleFidelityMotoTests(MotoServerFixture moto)
    {
        _session = moto.CreateSession();
        _s3 = new S3Gateway(_session);
        _raw = new AmazonS3Client(_session.Credentials, S3Gateway.CreateConfig(_session));
    }

    public void Dispose()
    {
        _s3.Dispose();
        _raw.Dispose();
    }

    [Fact]
    public async Task ATagFilteredRuleWithATransitionSurvivesOurRule()
    {
        string bucket = MotoServerFixture.UniqueName("bkt");
        await _s3.CreateBucketAsync(bucket, CancellationToken.None);
        var theirs = new LifecycleRule
        {
            Id = "expire-temp",
            Status = LifecycleRuleStatus.Enabled,
            Filter = new LifecycleFilter { Tag = new Tag { Key = "temp", Value = "yes" } },
            Transitions = new List<LifecycleTransition> { new LifecycleTransition { Days = 30, StorageClass = S3StorageClass.StandardInfrequentAccess } },
            Expiration = new LifecycleRuleExpiration { Days = 90 },
        };
        await _raw.PutLifecycleConfigurationAsync(new PutLifecycleConfigurationRequest
        {
            BucketName = bucket,
            Configuration = new LifecycleConfiguration { Rules = new List<LifecycleRule> { theirs } },
        });

        GetLifecycleConfigurationResponse before = await _raw.GetLifecycleConfigurationAsync(new GetLifecycleConfigurationRequest { BucketName = bucket });
        Assert.Equal("temp=yes", TagOf(Assert.Single(before.Configuration.Rules)));

        var planner = new BucketPlanner(_s3);
        LifecyclePlan plan = await planner.PlanLifecycleAsync(bucket, new LifecycleSpec { NoncurrentVersionExpirationDays = 30 }, false, CancellationToken.None);
        Assert.Single(plan.Changes);
        Assert.Contains(plan.Rules, r => r.Id == "expire-temp" && r.HasUnmodelledSettings);
        await plan.Changes[0].ApplyAsync(CancellationToken.None);

        GetLifecycleConfigurationResponse after = await _raw.GetLifecycleConfigurationAsync(new GetLifecycleConfigurationRequest { BucketName = bucket });
        LifecycleRule kept = Assert.Single(after.Configuration.Rules, r => r.Id == "expire-temp");
        Assert.Equal("temp=yes", TagOf(kept));
        Assert.Equal(30, Assert.Single(kept.Transitions).Days);
        Assert.Equal(90, kept.Expiration?.Days);
        Assert.Contains(after.Configuration.Rules, r => r.Id == "backup-retention" && r.NoncurrentVersionExpiration?.NoncurrentDays == 30);

        // And a second plan is empty: nothing is rewritten.
        Assert.Empty((await planner.PlanLifecycleAsync(bucket, new LifecycleSpec { NoncurrentVersionExpirationDays = 30 }, false, CancellationToken.None)).Changes);
    }

    // AWSSDK.S3 reads a tag filter either as Filter.Tag or as a LifecycleTagPredicate.
    private static string? TagOf(LifecycleRule rule)
    {
        Tag? tag = rule.Filter?.Tag ?? (rule.Filter?.LifecycleFilterPredicate as LifecycleTagPredicate)?.Tag;
        return tag == null ? null : tag.Key + "=" + tag.Value;
    }
}
