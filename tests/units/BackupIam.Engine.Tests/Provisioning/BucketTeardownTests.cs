using BackupIam.Engine.Aws;
using BackupIam.Engine.Json;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Presets;
using BackupIam.Engine.Provisioning;
using BackupIam.Engine.Tests.Aws;
using BackupIam.Engine.Tests.Rgw;
using Xunit;

namespace BackupIam.Engine.Tests.Provisioning;

/// <summary>Removing a bucket's backup setup leaves exactly what others added (moto and Ceph RGW 16).</summary>
internal static class BucketTeardownChecks
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    private static async Task<int> ApplyAsync(ResourcePlan plan)
    {
        int sent = 0;
        foreach (PlannedChange change in plan.Changes)
        {
            if (await change.ApplyAsync(Ct))
            {
                sent++;
            }
        }

        return sent;
    }

    public static async Task RemovesOnlyTheModulesSetupAsync(IS3Gateway s3, string bucket, string principal)
    {
        var planner = new BucketPlanner(s3);
        await ApplyAsync(await planner.PlanBucketAsync(new BucketSpec { BucketName = bucket, BlockPublicAccess = false, EnforceBucketOwnership = false, DefaultEncryption = false }, Ct));
        await ApplyAsync(await planner.PlanVersioningAsync(bucket, false, Ct));
        await ApplyAsync(await planner.PlanLifecycleAsync(bucket, new LifecycleSpec { NoncurrentVersionExpirationDays = 30 }, false, Ct));
        await ApplyAsync(await planner.PlanLifecycleAsync(bucket, new LifecycleSpec { RuleId = "module-tmp", Prefix = "tmp/", ExpirationDays = 3 }, false, Ct));

        await ApplyAsync(await planner.PlanBucketPolicyAsync(bucket, PolicyJson.ToJson(PresetCatalog.Build("WriteOnly", new PresetOptions { BucketName = bucket, PrincipalArn = principal }), indented: false), false, false, Ct));

        // Someone else's statement, rule and tag, added straight through the gateway.
        string theirStatement = "{\"Sid\":\"TheirAuditRead\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + principal + "\"},\"Action\":\"s3:GetBucketLocation\",\"Resource\":\"arn:aws:s3:::" + bucket + "\"}";
        string policy = (await s3.GetBucketPolicyAsync(bucket, Ct))!;
        var root = (JsonObject)JsonReader.Parse(policy);
        var withTheirs = BucketSetup.WithStatements(root, st => st)!;
        var statements = (JsonArray)withTheirs["Statement"]!;
        statements.Add(JsonReader.Parse(theirStatement));
        await s3.PutBucketPolicyAsync(bucket, JsonWriter.Write(withTheirs, indented: false), Ct);
        var rules = (await s3.GetBucketLifecycleConfigurationAsync(bucket, Ct))!.ToList();
        rules.Add(new S3LifecycleRule { Id = "their-logs", Prefix = "logs/", ExpirationDays = 90 });
        await s3.PutBucketLifecycleConfigurationAsync(bucket, rules, Ct);
        var tags = (await s3.GetBucketTaggingAsync(bucket, Ct)).ToDictionary(t => t.Key, t => t.Value);
        tags["cost-center"] = "42";
        await s3.PutBucketTaggingAsync(bucket, tags, Ct);
        Assert.Equal("module-tmp", tags[BucketSetup.LifecycleRulesKey]);
        Assert.Equal(BucketTags.VersioningEnabledByModule, tags[BucketTags.VersioningKey]);

        BucketSetupInfo before = await BucketSetupReader.ReadAsync(s3, bucket, Ct);
        Assert.True(before.Managed);
        Assert.Equal("Enabled", before.Versioning);
        Assert.True(before.VersioningEnabledByModule);
        Assert.Equal(new[] { "backup-retention", "module-tmp" }, before.LifecycleRules.Where(r => r.AddedByModule).Select(r => r.Id).OrderBy(i => i));
        Assert.Equal(new[] { "their-logs" }, before.LifecycleRules.Where(r => !r.AddedByModule).Select(r => r.Id));
        Assert.Equal(new[] { "TheirAuditRead" }, before.PolicyStatements.Where(s => !s.AddedByModule).Select(s => s.Sid));
        Assert.Contains(before.PolicyStatements, s => s.AddedByModule && s.Principals.Contains("AWS:" + principal));
        Assert.Empty(before.Unreadable);

        var teardown = new BucketTeardown(s3);
        BucketTeardownPlan plan = await teardown.PlanAsync(bucket, Ct);
        Assert.Equal(new[] { "s3:PutBucketPolicy", "s3:PutBucketLifecycleConfiguration", "s3:PutBucketVersioning", "s3:PutBucketTagging" }, plan.Changes.Select(c => c.Action));
        Assert.Equal(new[] { "TheirAuditRead" }, plan.StatementsKept);
        Assert.Equal(4, await ApplyAsync(plan));

        string after = (await s3.GetBucketPolicyAsync(bucket, Ct))!;
        IReadOnlyList<BucketStatementInfo> left = BucketSetupReader.Describe(JsonReader.Parse(after));
        BucketStatementInfo theirs = Assert.Single(left);
        Assert.Equal(JsonWriter.Write(JsonReader.Parse(theirStatement), indented: false), theirs.Json);
        S3LifecycleRule rule = Assert.Single((await s3.GetBucketLifecycleConfigurationAsync(bucket, Ct))!);
        Assert.Equal("their-logs", rule.Id);
        Assert.Equal(90, rule.ExpirationDays);
        Assert.Equal("logs/", rule.Prefix);
        Assert.Equal(S3VersioningState.Suspended, await s3.GetBucketVersioningAsync(bucket, Ct));
        IReadOnlyDictionary<string, string> tagsAfter = await s3.GetBucketTaggingAsync(bucket, Ct);
        Assert.Equal("42", Assert.Single(tagsAfter).Value);
        Assert.True(await s3.BucketExistsAsync(bucket, Ct));

        Assert.True((await teardown.PlanAsync(bucket, Ct)).IsUpToDate); // a re-run writes nothing
    }

    public static async Task DeletesWhatIsEntirelyTheModulesAsync(IS3Gateway s3, string bucket, string principal)
    {
        var planner = new BucketPlanner(s3);
        await ApplyAsync(await planner.PlanBucketAsync(new BucketSpec { BucketName = bucket, BlockPublicAccess = false, EnforceBucketOwnership = false, DefaultEncryption = false, Folders = { "backup/" } }, Ct));
        await ApplyAsync(await planner.PlanLifecycleAsync(bucket, new LifecycleSpec { AbortIncompleteMultipartUploadDays = 7 }, false, Ct));
        await ApplyAsync(await planner.PlanBucketPolicyAsync(bucket, PolicyJson.ToJson(PresetCatalog.Build("WriteOnly", new PresetOptions { BucketName = bucket, PrincipalArn = principal }), indented: false), false, false, Ct));
        // Versioning turned on by someone else: no record, so it stays.
        await s3.PutBucketVersioningAsync(bucket, true, Ct);

        BucketTeardownPlan plan = await new BucketTeardown(s3).PlanAsync(bucket, Ct);
        Assert.Equal(new[] { "s3:DeleteBucketPolicy", "s3:DeleteBucketLifecycle", "s3:DeleteBucketTagging" }, plan.Changes.Select(c => c.Action));
        Assert.Equal(3, await ApplyAsync(plan));
        Assert.Null(await s3.GetBucketPolicyAsync(bucket, Ct));
        Assert.Null(await s3.GetBucketLifecycleConfigurationAsync(bucket, Ct));
        Assert.Empty(await s3.GetBucketTaggingAsync(bucket, Ct));
        Assert.Equal(S3VersioningState.Enabled, await s3.GetBucketVersioningAsync(bucket, Ct));
        Assert.True(await s3.ObjectExistsAsync(bucket, "backup/", Ct)); // objects stay
        Assert.True((await new BucketTeardown(s3).PlanAsync(bucket, Ct)).IsUpToDate);
    }
}

public sealed class BucketPrincipalStatementTests
{
    [Fact]
    public void TakesOnlyTheUserOutOfAMultiPrincipalStatementAndDropsItsOwnStatement()
    {
        const string policy = "{\"Version\":\"2012-10-17\",\"Statement\":["
            + "{\"Sid\":\"Both\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[\"arn:aws:iam::123456789012:user/gone\",\"arn:aws:iam::123456789012:user/stays\"]},\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::b/*\"},"
            + "{\"Sid\":\"OnlyGone\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"AIDAEXAMPLEUNIQUEID1\"},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"},"
            + "{\"Sid\":\"Other\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::b/*\"}]}";
        var principals = new[] { "arn:aws:iam::123456789012:user/gone", "AIDAEXAMPLEUNIQUEID1" };
        var doc = (JsonObject)JsonReader.Parse(policy);
        List<BucketPrincipalMatch> matches = BucketPrincipalStatements.Match("b", doc, principals);
        Assert.Equal(new[] { "Both", "OnlyGone" }, matches.Select(m => m.Sid));
        Assert.False(matches[0].WholeStatement);
        Assert.Equal(new[] { "AWS:arn:aws:iam::123456789012:user/stays" }, matches[0].OtherPrincipals);
        Assert.True(matches[1].WholeStatement);

        JsonObject? after = BucketSetup.WithStatements(doc, st => BucketSetup.WithoutPrincipals(st, principals, out _));
        Assert.NotNull(after);
        Assert.Equal("{\"Version\":\"2012-10-17\",\"Statement\":["
            + "{\"Sid\":\"Both\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[\"arn:aws:iam::123456789012:user/stays\"]},\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::b/*\"},"
            + "{\"Sid\":\"Other\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::b/*\"}]}", JsonWriter.Write(after!, indented: false));
        Assert.Empty(BucketPrincipalStatements.Match("b", after!, principals));
    }

    [Fact]
    public void ModuleSidsComeFromThePresetsAndProtections()
    {
        foreach (string sid in new[] { "BucketPermissions", "ObjectPermissions", "OwnerRestore", "DenyPublicAcl", "DenyInsecureTransport", "DenyDeleteExceptBreakGlass", "DenyOverwrite" })
        {
            Assert.True(BucketSetup.IsModuleSid(sid), sid);
        }

        Assert.False(BucketSetup.IsModuleSid("TheirAuditRead"));
        Assert.False(BucketSetup.IsModuleSid(null));
        Assert.Null(BucketSetup.RecordRuleId(null, "backup-retention"));
        Assert.Equal("a b", BucketSetup.RecordRuleId(new Dictionary<string, string> { [BucketSetup.LifecycleRulesKey] = "a" }, "b"));
        Assert.Throws<ArgumentException>(() => BucketSetup.RecordRuleId(null, "has space"));
    }
}

[Collection(MotoCollection.Name)]
public sealed class BucketTeardownMotoTests : IDisposable
{
    private readonly S3Gateway _s3;

    public BucketTeardownMotoTests(MotoServerFixture moto) => _s3 = new S3Gateway(moto.CreateSession());

    public void Dispose() => _s3.Dispose();

    [Fact]
    public Task RemovesOnlyTheModulesSetup() =>
        BucketTeardownChecks.RemovesOnlyTheModulesSetupAsync(_s3, MotoServerFixture.UniqueName("td"), "arn:aws:iam::123456789012:user/backup");

    [Fact]
    public Task DeletesWhatIsEntirelyTheModules() =>
        BucketTeardownChecks.DeletesWhatIsEntirelyTheModulesAsync(_s3, MotoServerFixture.UniqueName("td"), "arn:aws:iam::123456789012:user/backup");
}

[Collection(RgwCollection.Name)]
public sealed class BucketTeardownRgwTests : IDisposable
{
    private readonly S3Gateway _s3;

    public BucketTeardownRgwTests(RgwServerFixture rgw) => _s3 = new S3Gateway(rgw.CreateSession());

    public void Dispose() => _s3.Dispose();

    [Fact]
    public Task RemovesOnlyTheModulesSetup() =>
        BucketTeardownChecks.RemovesOnlyTheModulesSetupAsync(_s3, RgwServerFixture.UniqueName("td"), "arn:aws:iam:::user/td-backup");

    [Fact]
    public Task DeletesWhatIsEntirelyTheModules() =>
        BucketTeardownChecks.DeletesWhatIsEntirelyTheModulesAsync(_s3, RgwServerFixture.UniqueName("td"), "arn:aws:iam:::user/td-backup");
}
