using Xunit;
using BackupIam.Engine.Aws;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Presets;
using BackupIam.Engine.Probing;
using BackupIam.Engine.Simulation;

namespace BackupIam.Engine.Tests.Probing;

/// <summary>What each probe is expected to be answered, on AWS and on Ceph RGW, offline.</summary>
public sealed class ProbeExpectationTests
{
    private static ProbeRequestFacts Facts(string probe, string resource, bool keyWrote = false, params (string Key, string Value)[] context)
    {
        var dictionary = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase) { ["aws:SecureTransport"] = new[] { "false" } };
        foreach (var (k, v) in context)
        {
            dictionary[k] = new[] { v };
        }

        return new ProbeRequestFacts(ProbeCatalog.Get(probe), resource, dictionary, keyWrote);
    }

    private static ProbeExpectation Policy(string json) => ProbeExpectation.FromPolicies(
        new[] { new NamedPolicy("Given", PolicyJson.Parse(json)) }, null, ProbeExpectation.PrincipalFromArn(ProbeExpectation.SyntheticPrincipalArn, "PrincipalArn"), "the policy Given");

    private const string PlainPut = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Up\",\"Effect\":\"Allow\",\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::bkt/backup/*\"}]}";

    [Fact]
    public void APresetDecidesEachProbeAndNamesTheStatement()
    {
        var expectation = ProbeExpectation.FromPreset("ReadWriteDelete", new PresetOptions { BucketName = "bkt", Prefix = "backup/" });
        var put = expectation.Expect(Facts(ProbeCatalog.PutCanary, "arn:aws:s3:::bkt/backup/backupiam-probe/x/canary.txt", true), StoreKind.Aws);
        Assert.Equal(ProbeVerdict.Allowed, put.Expected);
        Assert.StartsWith("ReadWriteDelete/Statement[", put.DecidedBy);
        var outside = expectation.Expect(Facts(ProbeCatalog.PutOutsidePrefix, "arn:aws:s3:::bkt/elsewhere/x.txt"), StoreKind.Aws);
        Assert.Equal(ProbeVerdict.Denied, outside.Expected);
        Assert.Null(outside.StoreNote);
    }

    [Fact]
    public void OnRgwTheWriterMayReadAndReAclItsOwnObjectUnlessDenied()
    {
        var plain = Policy(PlainPut);
        var get = plain.Expect(Facts(ProbeCatalog.GetCanary, "arn:aws:s3:::bkt/backup/c.txt", keyWrote: true), StoreKind.CephRgw);
        Assert.Equal(ProbeVerdict.Denied, get.ExpectedOnAws);
        Assert.Equal(ProbeVerdict.Allowed, get.Expected);
        Assert.Contains("writer of an object", get.StoreNote);
        var acl = plain.Expect(Facts(ProbeCatalog.PutObjectAclPublicRead, "arn:aws:s3:::bkt/backup/c.txt", true, ("s3:x-amz-acl", "public-read")), StoreKind.CephRgw);
        Assert.Equal(ProbeVerdict.Allowed, acl.Expected);

        // Not for an object someone else wrote, and not when a statement denies it.
        var foreign = plain.Expect(Facts(ProbeCatalog.GetForeignObject, "arn:aws:s3:::bkt/backup/old.bak"), StoreKind.CephRgw);
        Assert.Equal(ProbeVerdict.Denied, foreign.Expected);
        var denied = Policy("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::bkt/*\"},{\"Sid\":\"NoRead\",\"Effect\":\"Deny\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}")
            .Expect(Facts(ProbeCatalog.GetCanary, "arn:aws:s3:::bkt/backup/c.txt", true), StoreKind.CephRgw);
        Assert.Equal(ProbeVerdict.Denied, denied.Expected);
        Assert.Null(denied.StoreNote);

        // On AWS the same request is simply denied.
        Assert.Equal(ProbeVerdict.Denied, plain.Expect(Facts(ProbeCatalog.GetCanary, "arn:aws:s3:::bkt/backup/c.txt", true), StoreKind.Aws).Expected);
    }

    [Fact]
    public void OnRgwAnEmptyPrefixIsAbsentSoStringEqualsEmptyDoesNotMatch()
    {
        var expectation = Policy("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Root\",\"Effect\":\"Allow\",\"Action\":\"s3:ListBucket\",\"Resource\":\"arn:aws:s3:::bkt\",\"Condition\":{\"StringEquals\":{\"s3:prefix\":[\"\",\"backups/\"],\"s3:delimiter\":\"/\"}}}]}");
        var facts = Facts(ProbeCatalog.ListBucketRoot, "arn:aws:s3:::bkt", false, ("s3:prefix", ""), ("s3:delimiter", "/"));
        var aws = expectation.Expect(facts, StoreKind.Aws);
        var rgw = expectation.Expect(facts, StoreKind.CephRgw);
        Assert.Equal(ProbeVerdict.Allowed, aws.Expected);
        Assert.Equal(ProbeVerdict.Allowed, rgw.ExpectedOnAws);
        Assert.Equal(ProbeVerdict.Denied, rgw.Expected);
        Assert.Contains("s3:prefix", rgw.StoreNote);
    }

    [Fact]
    public void OnRgwNotActionStatementsAreNotApplied()
    {
        var expectation = Policy("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"},{\"Sid\":\"OnlyPut\",\"Effect\":\"Deny\",\"NotAction\":\"s3:PutObject\",\"Resource\":\"*\"}]}");
        var facts = Facts(ProbeCatalog.DeleteCanary, "arn:aws:s3:::bkt/backup/c.txt", true);
        var answer = expectation.Expect(facts, StoreKind.CephRgw);
        Assert.Equal(ProbeVerdict.Denied, answer.ExpectedOnAws);
        Assert.Equal(ProbeVerdict.Allowed, answer.Expected);
        Assert.Contains("NotAction", answer.StoreNote);
    }

    [Fact]
    public void OnRgwBucketCreationAndListingDependOnTheUserNotThePolicy()
    {
        var plain = Policy(PlainPut);
        var create = plain.Expect(Facts(ProbeCatalog.CreateBucket, "arn:aws:s3:::backupiam-probe-x"), StoreKind.CephRgw);
        Assert.Equal(ProbeVerdict.AllowedOrDenied, create.Expected);
        Assert.Contains("max-buckets", create.StoreNote);
        var list = plain.Expect(Facts(ProbeCatalog.ListAllMyBuckets, "arn:aws:s3:::*"), StoreKind.CephRgw);
        Assert.Equal(ProbeVerdict.Allowed, list.Expected);
        Assert.Equal(ProbeVerdict.Denied, list.ExpectedOnAws);
    }

    [Fact]
    public void AnAllowedProbeListExpectsExactlyThoseAndRejectsUnknownNames()
    {
        var expectation = ProbeExpectation.FromAllowedProbes(new[] { "putcanary", "ListPrefix" });
        Assert.Equal(ProbeVerdict.Allowed, expectation.Expect(Facts(ProbeCatalog.PutCanary, "arn:aws:s3:::b/k", true), StoreKind.Aws).Expected);
        Assert.Equal(ProbeVerdict.Denied, expectation.Expect(Facts(ProbeCatalog.DeleteCanary, "arn:aws:s3:::b/k", true), StoreKind.Aws).Expected);
        var ex = Assert.Throws<InputValidationException>(() => ProbeExpectation.FromAllowedProbes(new[] { "DeleteCanery" }));
        Assert.Equal("ProbeNameUnknown", ex.ErrorId);
        Assert.Contains("Did you mean 'DeleteCanary'", ex.Message);
    }

    [Theory]
    [InlineData("arn:aws:iam::123456789012:user/backup", "123456789012", "backup")]
    [InlineData("arn:aws:iam:::user/backup", "", "backup")]
    [InlineData("arn:aws:iam::tenant1:user/backup", "tenant1", "backup")]
    public void PrincipalArnsInAwsAndRgwFormsAreAccepted(string arn, string account, string user)
    {
        PrincipalInfo p = ProbeExpectation.PrincipalFromArn(arn, "PrincipalArn");
        Assert.Equal(arn, p.Arn);
        Assert.Equal(account, p.AccountId);
        Assert.Equal(user, p.UserName);
    }

    [Fact]
    public void ABadPrincipalArnNamesTheParameter()
    {
        var ex = Assert.Throws<InputValidationException>(() => ProbeExpectation.PrincipalFromArn("backup", "PrincipalArn"));
        Assert.Equal("PrincipalArn", ex.ParameterName);
    }

    private static CredentialProbeSettings Settings(string? prefix = "backup/", string probePrefix = "backupiam-probe/") => new CredentialProbeSettings
    {
        KeySession = AwsSessionFactory.Create(new AwsConnectionSettings { AccessKey = "AKIAEXAMPLE", SecretKey = "secret", Region = "us-east-1", EndpointUrl = "http://127.0.0.1:1" }, new Dictionary<string, string?>()),
        BucketName = "bkt",
        Prefix = prefix,
        ProbePrefix = probePrefix,
        Expectation = ProbeExpectation.FromAllowedProbes(Array.Empty<string>()),
        RunId = "run1",
    };

    [Theory]
    [InlineData("backup/../victim/", "backupiam-probe/", "Prefix")]
    [InlineData("/abs/", "backupiam-probe/", "Prefix")]
    [InlineData("backup/", "", "ProbePrefix")]
    [InlineData("backup/", "p*/", "ProbePrefix")]
    [InlineData("backup/", "../up/", "ProbePrefix")]
    public void FoldersThatCouldLeaveThePrefixAreRefused(string prefix, string probePrefix, string parameter)
    {
        var ex = Assert.Throws<InputValidationException>(() => Settings(prefix, probePrefix).Validate());
        Assert.Equal(parameter, ex.ParameterName);
    }

    [Fact]
    public void ThePlanNamesEveryProbeAndItsResourceUnderTheRunFolder()
    {
        IReadOnlyList<PlannedProbe> plan = CredentialProbeRunner.Plan(Settings());
        Assert.Equal(ProbeCatalog.All.Select(p => p.Name), plan.Select(p => p.Name));
        Assert.Equal("s3://bkt/backup/backupiam-probe/run1/canary.txt", plan.Single(p => p.Name == ProbeCatalog.PutCanary).Resource);
        Assert.Equal("s3://bkt/backupiam-probe-outside/run1.txt", plan.Single(p => p.Name == ProbeCatalog.PutOutsidePrefix).Resource);
        Assert.Equal("s3://bkt/other/", plan.Single(p => p.Name == ProbeCatalog.ListSiblingPrefix).Resource);
    }
}
