using Xunit;
using BackupIam.Engine.Aws;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Presets;
using BackupIam.Engine.Probing;
using BackupIam.Engine.Tests.Aws;

namespace BackupIam.Engine.Tests.Probing;

/// <summary>
/// The probe runner's mechanics against a real moto server: moto enforces no policy here, so the key can do everything,
/// which pins what the runner sends, how it reads answers, that it cleans up, and how propagation is handled.
/// </summary>
[Collection(MotoCollection.Name)]
public sealed class CredentialProbeMotoTests
{
    private readonly MotoServerFixture _moto;

    public CredentialProbeMotoTests(MotoServerFixture moto)
    {
        _moto = moto;
    }

    private AwsSession Session(string? endpoint = null) => AwsSessionFactory.Create(
        new AwsConnectionSettings { AccessKey = MotoServerFixture.AccessKey, SecretKey = MotoServerFixture.SecretKey, Region = "us-east-1", EndpointUrl = endpoint ?? _moto.EndpointUrl },
        new Dictionary<string, string?>());

    private async Task<string> NewBucketAsync(string prefixObject, bool versioned = false)
    {
        string bucket = MotoServerFixture.UniqueName("probe");
        using var s3 = new S3Gateway(_moto.CreateSession());
        await s3.CreateBucketAsync(bucket, CancellationToken.None);
        if (versioned)
        {
            await s3.PutBucketVersioningAsync(bucket, true, CancellationToken.None);
        }

        await s3.PutObjectAsync(bucket, prefixObject, "existing backup", CancellationToken.None);
        return bucket;
    }

    private static IReadOnlyList<string> AllProbes => ProbeCatalog.All.Select(p => p.Name).ToList();

    [Fact]
    public async Task AKeyThatMayDoEverythingAgreesWithAllProbesAndLeavesNothingBehind()
    {
        // Versioned, so that the versioning probe has a current status to send back (moto accepts an invalid one).
        string bucket = await NewBucketAsync("backup/old.bak", versioned: true);
        var settings = new CredentialProbeSettings
        {
            KeySession = Session(),
            AdminSession = Session(),
            AccessKeyId = MotoServerFixture.AccessKey,
            BucketName = bucket,
            Prefix = "backup/",
            Expectation = ProbeExpectation.FromAllowedProbes(AllProbes),
        };

        CredentialProbeReport report = await CredentialProbeRunner.RunAsync(settings, CancellationToken.None);

        Assert.True(report.Propagated);
        Assert.Equal(StoreKind.Aws, report.Store);
        Assert.Equal(ProbeCatalog.All.Count, report.Results.Count);
        Assert.All(report.Results, r => Assert.True(r.Outcome == ProbeOutcome.Agrees, r.Probe + ": " + r.Outcome + " " + r.Actual + " " + r.HttpStatus + " " + r.ErrorCode + " " + r.Detail));
        Assert.True(report.Passed, report.Summary);
        Assert.Empty(report.CanariesLeft);
        Assert.True(report.KeyRequestCount >= 20, "requests: " + report.KeyRequestCount);
        Assert.StartsWith("backup/backupiam-probe/", report.ProbeFolder);

        // Only the object that was there before is left; the probe bucket is gone.
        using var s3 = new S3Gateway(_moto.CreateSession());
        Assert.Equal(new[] { "backup/old.bak" }, await s3.ListObjectKeysAsync(bucket, null, CancellationToken.None));
        Assert.False(await s3.BucketExistsAsync(report.Results.Single(r => r.Probe == ProbeCatalog.CreateBucket).Resource.Substring(5), CancellationToken.None));
    }

    [Fact]
    public async Task AKeyThatCanDoMoreThanUploadOnlyFailsAndNamesEachProbe()
    {
        string bucket = await NewBucketAsync("backup/old.bak");
        var settings = new CredentialProbeSettings
        {
            KeySession = Session(),
            BucketName = bucket,
            Prefix = "backup/",
            Expectation = ProbeExpectation.FromPreset("UploadOnly", new PresetOptions { BucketName = bucket, Prefix = "backup/" }),
        };

        CredentialProbeReport report = await CredentialProbeRunner.RunAsync(settings, CancellationToken.None);

        Assert.False(report.Passed);
        var names = report.Disagreements.Select(d => d.Probe).ToHashSet();
        foreach (string p in new[] { ProbeCatalog.GetCanary, ProbeCatalog.DeleteCanary, ProbeCatalog.ListPrefix, ProbeCatalog.PutOutsidePrefix, ProbeCatalog.CreateBucket })
        {
            Assert.Contains(p, names);
            Assert.Contains(p, report.Summary);
        }

        Assert.DoesNotContain(ProbeCatalog.PutCanary, names);
        Assert.Contains("MORE", report.Summary);
        var put = report.Results.Single(r => r.Probe == ProbeCatalog.PutCanary);
        Assert.Equal("UploadOnly/Statement[0] (UploadFilesToBackup)", put.DecidedBy);
        // Without admin credentials the object the key did not write is found by listing.
        var foreign = report.Results.Single(r => r.Probe == ProbeCatalog.GetForeignObject);
        Assert.Equal("s3://" + bucket + "/backup/old.bak", foreign.Resource);
        Assert.Equal(ProbeOutcome.Disagrees, foreign.Outcome);
        Assert.Empty(report.CanariesLeft);
    }

    [Fact]
    public async Task ANewKeyIsWaitedForUntilItPropagates()
    {
        string bucket = await NewBucketAsync("backup/old.bak", versioned: true);
        using var proxy = new PropagationProxy(_moto.EndpointUrl, TimeSpan.FromSeconds(2));
        var progress = new List<PropagationProgress>();
        var settings = new CredentialProbeSettings
        {
            KeySession = Session(proxy.Url),
            BucketName = bucket,
            Prefix = "backup/",
            Expectation = ProbeExpectation.FromAllowedProbes(AllProbes),
            PropagationTimeout = TimeSpan.FromSeconds(30),
            Progress = new SyncProgress(progress),
        };

        CredentialProbeReport report = await CredentialProbeRunner.RunAsync(settings, CancellationToken.None);

        Assert.True(report.Propagated, report.Summary);
        Assert.True(proxy.Rejected >= 2, "rejected " + proxy.Rejected);
        Assert.True(report.PropagationAttempts >= 2);
        Assert.True(report.PropagationWait >= TimeSpan.FromSeconds(1.5), report.PropagationWait.ToString());
        Assert.NotEmpty(progress);
        Assert.All(progress, p => Assert.Equal("InvalidAccessKeyId", p.LastErrorCode));
        Assert.All(report.Results, r => Assert.True(r.Outcome == ProbeOutcome.Agrees, r.Probe + ": " + r.Outcome + " " + r.HttpStatus + " " + r.ErrorCode + " " + r.Detail));
        Assert.True(report.Passed, report.Summary);
    }

    [Fact]
    public async Task AKeyThatNeverPropagatesIsReportedAtTheLimitAndNoProbeRuns()
    {
        using var proxy = new PropagationProxy(_moto.EndpointUrl, TimeSpan.MaxValue);
        var settings = new CredentialProbeSettings
        {
            KeySession = Session(proxy.Url),
            BucketName = "never-propagates",
            Prefix = "backup/",
            Expectation = ProbeExpectation.FromAllowedProbes(new[] { ProbeCatalog.PutCanary }),
            PropagationTimeout = TimeSpan.FromSeconds(2),
        };

        CredentialProbeReport report = await CredentialProbeRunner.RunAsync(settings, CancellationToken.None);

        Assert.False(report.Propagated);
        Assert.False(report.Passed);
        Assert.Contains("not accepted by the store within 2 s", report.Summary);
        Assert.All(report.Results.Where(r => r.Probe != ProbeCatalog.GetBucketLocation), r => Assert.Equal(ProbeOutcome.NotRun, r.Outcome));
        Assert.Equal(0, proxy.Forwarded);
        // Only the sentinel was retried: everything else waited for it.
        Assert.Equal(proxy.Rejected, report.KeyRequestCount);
    }

    [Fact]
    public async Task AStoreThatNeverAnswersIsReportedWithinTheRequestTimeout()
    {
        using var proxy = new PropagationProxy(null, TimeSpan.Zero, silent: true);
        var settings = new CredentialProbeSettings
        {
            KeySession = Session(proxy.Url),
            BucketName = "silent-store",
            Expectation = ProbeExpectation.FromAllowedProbes(Array.Empty<string>()),
            RequestTimeout = TimeSpan.FromSeconds(1),
        };

        var ex = await Assert.ThrowsAsync<BackupIamException>(() => CredentialProbeRunner.RunAsync(settings, CancellationToken.None));
        Assert.Equal("CredentialProbeUnreachable", ex.ErrorId);
        Assert.Contains("silent-store", ex.Message);
        Assert.DoesNotContain(MotoServerFixture.SecretKey, ex.ToString());
    }

    [Fact]
    public async Task AMissingBucketIsAnErrorNotAProbeResult()
    {
        var settings = new CredentialProbeSettings
        {
            KeySession = Session(),
            BucketName = MotoServerFixture.UniqueName("missing"),
            Expectation = ProbeExpectation.FromAllowedProbes(Array.Empty<string>()),
        };

        var ex = await Assert.ThrowsAsync<BackupIamException>(() => CredentialProbeRunner.RunAsync(settings, CancellationToken.None));
        Assert.Equal("CredentialProbeBucketNotFound", ex.ErrorId);
    }

    private sealed class SyncProgress : IProgress<PropagationProgress>
    {
        private readonly List<PropagationProgress> _list;

        public SyncProgress(List<PropagationProgress> list) => _list = list;

        public void Report(PropagationProgress value)
        {
            lock (_list)
            {
                _list.Add(value);
            }
        }
    }
}
