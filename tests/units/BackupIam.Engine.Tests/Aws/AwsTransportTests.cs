using System.Text.RegularExpressions;
using Amazon.Runtime;
using BackupIam.Engine.Aws;
using BackupIam.Engine.Aws.Iam;
using BackupIam.Engine.Errors;
using Xunit;

namespace BackupIam.Engine.Tests.Aws;

/// <summary>
/// Issue 11: every IAM, S3 and STS request has a per-attempt timeout and a bounded total, and a request that gets no usable
/// answer (silence, a dropped connection, a truncated response) ends in one of the module's errors naming the call, the
/// resource, the time waited and the attempts actually made, never in a raw HTTP-stack exception.
/// </summary>
public sealed class AwsTransportTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    private static AwsSession Session(Uri endpoint, double attemptSeconds, double totalSeconds) => AwsSessionFactory.Create(
        new AwsConnectionSettings
        {
            AccessKey = "AKIAIOSFODNN7EXAMPLE",
            SecretKey = "secret-for-tests",
            EndpointUrl = endpoint.ToString(),
            RequestTimeout = TimeSpan.FromSeconds(attemptSeconds),
            TotalRequestTimeout = TimeSpan.FromSeconds(totalSeconds),
        },
        new Dictionary<string, string?>());

    private static int AttemptsIn(string message)
    {
        Match m = Regex.Match(message, @"(\d+) attempts?\b");
        Assert.True(m.Success, "the message names no attempt count: " + message);
        return int.Parse(m.Groups[1].Value);
    }

    /// <summary>
    /// Every attempt the module reports was started; on a loaded machine the last one (cut short by the total bound) may
    /// end before its request reached the listener, so the listener sees the reported number or fewer (also when connecting
    /// itself was slow). It never sees more.
    /// </summary>
    private static void AssertServerSawAtMost(StalledHttpServer server, int attempts)
    {
        Assert.InRange(server.Requests, 1, attempts);
    }

    [Fact]
    public async Task IamAgainstSilentServerStopsAtTheTotalBoundAndCountsAttempts()
    {
        using var server = new StalledHttpServer(StalledHttpServer.Mode.Silent);
        using var iam = new IamQueryClient(server.Endpoint, "us-east-1", new BasicAWSCredentials("AKIAIOSFODNN7EXAMPLE", "x"),
            new IamClientOptions { RequestTimeout = TimeSpan.FromMilliseconds(300), TotalTimeout = TimeSpan.FromSeconds(1), MaxAttempts = 50, Delay = (_, _) => Task.CompletedTask });

        var ex = await Assert.ThrowsAsync<BackupIamException>(() => iam.GetUserAsync(new GetUserRequest { UserName = "backup-veeam" }, Ct));

        Assert.Equal("IamRequestTimeout", ex.ErrorId);
        Assert.Equal(FailureKind.OperationTimeout, ex.Kind);
        Assert.Contains("IAM GetUser on user 'backup-veeam'", ex.Message);
        Assert.Contains("got no answer: waited ", ex.Message);
        Assert.Contains("0.3 s per attempt, 1 s in total", ex.Message);
        int attempts = AttemptsIn(ex.Message);
        AssertServerSawAtMost(server, attempts);
        // Each attempt waits its full 0.3 s (the server never answers) and the call stops at 1 s: at most 4 attempts, not 50.
        Assert.InRange(attempts, 2, 4);
    }

    [Fact]
    public async Task IamSessionDefaultsAre15SecondsPerAttemptAnd60InTotal()
    {
        var options = IamClientOptions.FromLimits(Session(new Uri("http://127.0.0.1:9/"), 15, 60).RequestLimits);
        Assert.Equal(TimeSpan.FromSeconds(15), new IamClientOptions().RequestTimeout);
        Assert.Equal(TimeSpan.FromSeconds(60), new IamClientOptions().TotalTimeout);
        var defaults = AwsSessionFactory.Create(new AwsConnectionSettings { AccessKey = "AKIAIOSFODNN7EXAMPLE", SecretKey = "s" }, new Dictionary<string, string?>());
        Assert.Equal(TimeSpan.FromSeconds(15), defaults.RequestLimits.AttemptTimeout);
        Assert.Equal(TimeSpan.FromSeconds(60), defaults.RequestLimits.TotalTimeout);
        Assert.Equal(TimeSpan.FromSeconds(15), options.RequestTimeout);
    }

    [Fact]
    public void LimitsComeFromTheEnvironmentAndBadValuesAreRefusedByName()
    {
        var env = new Dictionary<string, string?> { ["BACKUPIAM_REQUEST_TIMEOUT"] = "2.5", ["BACKUPIAM_TOTAL_TIMEOUT"] = "7" };
        var session = AwsSessionFactory.Create(new AwsConnectionSettings { AccessKey = "AKIAIOSFODNN7EXAMPLE", SecretKey = "s" }, env);
        Assert.Equal(TimeSpan.FromSeconds(2.5), session.RequestLimits.AttemptTimeout);
        Assert.Equal(TimeSpan.FromSeconds(7), session.RequestLimits.TotalTimeout);

        var explicitWins = AwsSessionFactory.Create(
            new AwsConnectionSettings { AccessKey = "AKIAIOSFODNN7EXAMPLE", SecretKey = "s", TotalRequestTimeout = TimeSpan.FromSeconds(30) }, env);
        Assert.Equal(TimeSpan.FromSeconds(30), explicitWins.RequestLimits.TotalTimeout);

        var bad = Assert.Throws<InputValidationException>(() => AwsSessionFactory.Create(
            new AwsConnectionSettings { AccessKey = "AKIAIOSFODNN7EXAMPLE", SecretKey = "s" },
            new Dictionary<string, string?> { ["BACKUPIAM_TOTAL_TIMEOUT"] = "soon" }));
        Assert.Equal("AwsTimeoutInvalid", bad.ErrorId);
        Assert.Contains("BACKUPIAM_TOTAL_TIMEOUT", bad.Message);
        Assert.Contains("'soon'", bad.Message);

        var zero = Assert.Throws<InputValidationException>(() => AwsSessionFactory.Create(
            new AwsConnectionSettings { AccessKey = "AKIAIOSFODNN7EXAMPLE", SecretKey = "s", RequestTimeout = TimeSpan.Zero }, new Dictionary<string, string?>()));
        Assert.Equal("RequestTimeout", zero.ParameterName);
    }

    [Fact]
    public async Task S3HeadBucketAgainstSilentServerTimesOutWithinTheTotalBound()
    {
        using var server = new StalledHttpServer(StalledHttpServer.Mode.Silent);
        using var s3 = new S3Gateway(Session(server.Endpoint, 0.3, 1.5));

        var ex = await Assert.ThrowsAsync<BackupIamException>(() => s3.BucketExistsAsync("my-backups", Ct));

        Assert.Equal("S3RequestTimeout", ex.ErrorId);
        Assert.Equal(FailureKind.OperationTimeout, ex.Kind);
        Assert.Contains("S3 HeadBucket on bucket 'my-backups'", ex.Message);
        Assert.Equal("my-backups", ex.Target);
        int attempts = AttemptsIn(ex.Message);
        AssertServerSawAtMost(server, attempts);
        Assert.InRange(attempts, 1, 5);
    }

    [Fact]
    public async Task StsAgainstSilentServerTimesOut()
    {
        using var server = new StalledHttpServer(StalledHttpServer.Mode.Silent);
        using var sts = new StsGateway(Session(server.Endpoint, 0.3, 1.5));

        var ex = await Assert.ThrowsAsync<BackupIamException>(() => sts.GetCallerIdentityAsync(Ct));

        Assert.Equal("StsRequestTimeout", ex.ErrorId);
        Assert.Contains("STS GetCallerIdentity", ex.Message);
        AssertServerSawAtMost(server, AttemptsIn(ex.Message));
    }

    [Theory]
    [InlineData(StalledHttpServer.Mode.Drop)]
    [InlineData(StalledHttpServer.Mode.Truncate)]
    public async Task S3WriteOnADroppedConnectionIsS3ConnectionFailedNamingCallAndObject(StalledHttpServer.Mode mode)
    {
        using var server = new StalledHttpServer(mode);
        using var s3 = new S3Gateway(Session(server.Endpoint, 5, 20));

        var ex = await Assert.ThrowsAsync<BackupIamException>(() => s3.PutObjectAsync("my-backups", "backup/", null, Ct));

        Assert.Equal("S3ConnectionFailed", ex.ErrorId);
        Assert.Equal(FailureKind.ConnectionError, ex.Kind);
        Assert.Contains("for PutObject on object 'backup/' in bucket 'my-backups'", ex.Message);
        int attempts = AttemptsIn(ex.Message);
        Assert.InRange(attempts, 2, 4); // AWSSDK's standard retries (3) plus at most one stale-connection retry, not 13
        // .NET's SocketsHttpHandler may itself resend a request whose connection was reset while it was being sent, so the
        // server can see more requests than the module made; never fewer.
        Assert.True(server.Requests >= attempts, server.Requests + " requests reached the server, " + attempts + " reported");
        Assert.All(server.RequestLines, l => Assert.StartsWith("PUT /my-backups/backup/ ", l));
    }

    [Theory]
    [InlineData(StalledHttpServer.Mode.Drop)]
    [InlineData(StalledHttpServer.Mode.Truncate)]
    public async Task IamCallOnADroppedConnectionIsIamConnectionFailedNamingCallAndUser(StalledHttpServer.Mode mode)
    {
        using var server = new StalledHttpServer(mode);
        using var iam = new IamQueryClient(server.Endpoint, "us-east-1", new BasicAWSCredentials("AKIAIOSFODNN7EXAMPLE", "x"),
            new IamClientOptions { MaxAttempts = 3, Delay = (_, _) => Task.CompletedTask });

        var ex = await Assert.ThrowsAsync<BackupIamException>(() => iam.PutUserPolicyAsync(
            new PutUserPolicyRequest { UserName = "backup-veeam", PolicyName = "put-only", PolicyDocument = "{}" }, Ct));

        Assert.Equal("IamConnectionFailed", ex.ErrorId);
        Assert.Contains("for PutUserPolicy on policy 'put-only' of user 'backup-veeam' after 3 attempts", ex.Message);
        Assert.Equal(3, server.Requests);
    }

    [Fact]
    public async Task CallersCancellationStillSurfacesAsCancellation()
    {
        using var server = new StalledHttpServer(StalledHttpServer.Mode.Silent);
        using var s3 = new S3Gateway(Session(server.Endpoint, 30, 60));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => s3.BucketExistsAsync("my-backups", cts.Token));
    }
}
