using Xunit;
using Amazon.Runtime;
using BackupIam.Engine.Aws.Iam;
using BackupIam.Engine.Errors;

namespace BackupIam.Engine.Tests.Aws;

/// <summary>Protocol-level behaviour (paging, retries, secrets) against canned answers from a local HTTP listener.</summary>
public sealed class IamQueryClientHttpTests : IDisposable
{
    private const string Ns = "https://iam.amazonaws.com/doc/2010-05-08/";
    private const string Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzSECRETzz";
    private readonly CannedHttpServer _server = new();
    private readonly List<TimeSpan> _delays = new();

    public void Dispose() => _server.Dispose();

    private IamQueryClient Client(AWSCredentials? credentials = null, int maxAttempts = 5) =>
        new(_server.Endpoint, "us-east-1", credentials ?? new BasicAWSCredentials("AKIAIOSFODNN7EXAMPLE", Secret), new IamClientOptions
        {
            MaxAttempts = maxAttempts,
            Delay = (d, _) => { lock (_delays) { _delays.Add(d); } return Task.CompletedTask; },
            Random = () => 0.5,
        });

    private static string UsersPage(bool truncated, string? marker, params string[] names) =>
        "<ListUsersResponse xmlns=\"" + Ns + "\"><ListUsersResult><Users>"
        + string.Concat(names.Select(n => "<member><UserName>" + n + "</UserName><UserId>AIDA" + n.ToUpperInvariant() + "</UserId><Arn>arn:aws:iam::123456789012:user/" + n
            + "</Arn><Path>/</Path><CreateDate>2024-01-02T03:04:05Z</CreateDate></member>"))
        + "</Users><IsTruncated>" + (truncated ? "true" : "false") + "</IsTruncated>" + (marker == null ? "" : "<Marker>" + marker + "</Marker>")
        + "</ListUsersResult><ResponseMetadata><RequestId>req-" + (marker ?? "last") + "</RequestId></ResponseMetadata></ListUsersResponse>";

    private static string Error(string code, string message, string type = "Sender") =>
        "<ErrorResponse xmlns=\"" + Ns + "\"><Error><Type>" + type + "</Type><Code>" + code + "</Code><Message>" + message
        + "</Message></Error><RequestId>err-req-1</RequestId></ErrorResponse>";

    [Fact]
    public async Task ListAllUsersFollowsMarkerAndSendsIt()
    {
        _server.Enqueue(200, UsersPage(true, "page2/token+=", "alice", "bob"));
        _server.Enqueue(200, UsersPage(false, null, "carol"));
        using var iam = Client();

        var users = await iam.ListAllUsersAsync("/", CancellationToken.None);

        Assert.Equal(new[] { "alice", "bob", "carol" }, users.Select(u => u.UserName));
        Assert.Equal(new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc), users[0].CreateDate);
        var requests = _server.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.Equal("ListUsers", requests[0].Form["Action"]);
        Assert.Equal("2010-05-08", requests[0].Form["Version"]);
        Assert.Equal("/", requests[0].Form["PathPrefix"]);
        Assert.False(requests[0].Form.ContainsKey("Marker"));
        Assert.Equal("page2/token+=", requests[1].Form["Marker"]);
        Assert.Contains("page2%2Ftoken%2B%3D", requests[1].Body);
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/", requests[0].Headers["Authorization"]);
        Assert.Contains("/us-east-1/iam/aws4_request", requests[0].Headers["Authorization"]);
        Assert.Contains("SignedHeaders=content-type;host;x-amz-date", requests[0].Headers["Authorization"]);
        Assert.StartsWith("application/x-www-form-urlencoded", requests[0].Headers["Content-Type"]);
        Assert.Empty(_delays);
    }

    [Fact]
    public async Task SinglePageCallExposesMarkerAndSendsMaxItems()
    {
        _server.Enqueue(200, UsersPage(true, "m1", "alice"));
        using var iam = Client();
        var page = await iam.ListUsersAsync(new ListUsersRequest { MaxItems = 1 }, CancellationToken.None);
        Assert.True(page.IsTruncated);
        Assert.Equal("m1", page.Marker);
        Assert.Equal("req-m1", page.RequestId);
        Assert.Equal("1", _server.Requests.Single().Form["MaxItems"]);
    }

    [Fact]
    public async Task RepeatedMarkerStopsInsteadOfLooping()
    {
        _server.Enqueue(200, UsersPage(true, "same", "a"));
        _server.Enqueue(200, UsersPage(true, "same", "b"));
        using var iam = Client();
        var ex = await Assert.ThrowsAsync<BackupIamException>(() => iam.ListAllUsersAsync(null, CancellationToken.None));
        Assert.Equal("IamPagingBroken", ex.ErrorId);
    }

    [Fact]
    public async Task RetriesServerErrorAndThrottlingThenSucceeds()
    {
        _server.Enqueue(503, "<html>Service Unavailable</html>");
        _server.Enqueue(400, Error("Throttling", "Rate exceeded"));
        _server.Enqueue(200, UsersPage(false, null, "alice"));
        using var iam = Client();

        var page = await iam.ListUsersAsync(new ListUsersRequest(), CancellationToken.None);

        Assert.Equal("alice", page.Users.Single().UserName);
        Assert.Equal(3, _server.Requests.Count);
        // full jitter with random 0.5: 0.5 * min(5 s, 100 ms * 2^(n-1))
        Assert.Equal(new[] { TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100) }, _delays);
    }

    [Fact]
    public async Task ClientErrorsAreNotRetried()
    {
        _server.Enqueue(400, Error("MalformedPolicyDocument", "Syntax errors in policy."));
        using var iam = Client();
        var ex = await Assert.ThrowsAsync<MalformedPolicyDocumentException>(() => iam.PutUserPolicyAsync(
            new PutUserPolicyRequest { UserName = "u", PolicyName = "p", PolicyDocument = "{" }, CancellationToken.None));
        Assert.Equal("MalformedPolicyDocument", ex.AwsErrorCode);
        Assert.Equal("Syntax errors in policy.", ex.AwsMessage);
        Assert.Equal("err-req-1", ex.RequestId);
        Assert.Equal(400, ex.HttpStatus);
        Assert.Equal(FailureKind.InvalidData, ex.Kind);
        Assert.Single(_server.Requests);
        Assert.Empty(_delays);
    }

    [Fact]
    public async Task AccessDeniedMapsToPermissionDenied()
    {
        _server.Enqueue(403, Error("AccessDenied", "User: arn:aws:iam::123456789012:user/x is not authorized to perform: iam:CreateUser"));
        using var iam = Client();
        var ex = await Assert.ThrowsAsync<IamAccessDeniedException>(() => iam.CreateUserAsync(new CreateUserRequest { UserName = "x" }, CancellationToken.None));
        Assert.Equal("IamAccessDenied", ex.ErrorId);
        Assert.Equal(FailureKind.PermissionDenied, ex.Kind);
        Assert.Contains("iam:CreateUser", ex.Message);
    }

    [Fact]
    public async Task PersistentThrottlingBecomesIamThrottledAfterMaxAttempts()
    {
        for (int i = 0; i < 5; i++)
        {
            _server.Enqueue(429, Error("Throttling", "Rate exceeded"));
        }

        using var iam = Client();
        var ex = await Assert.ThrowsAsync<IamThrottledException>(() => iam.ListUsersAsync(new ListUsersRequest(), CancellationToken.None));
        Assert.Equal("IamThrottled", ex.ErrorId);
        Assert.Equal(FailureKind.LimitExceeded, ex.Kind);
        Assert.Equal(5, _server.Requests.Count);
        Assert.Equal(4, _delays.Count);
        Assert.Equal(new[] { 50.0, 100.0, 200.0, 400.0 }, _delays.Select(d => d.TotalMilliseconds));
    }

    [Fact]
    public async Task BackoffIsCappedAtFiveSeconds()
    {
        for (int i = 0; i < 10; i++)
        {
            _server.Enqueue(500, Error("ServiceFailure", "oops", "Receiver"));
        }

        using var iam = new IamQueryClient(_server.Endpoint, "us-east-1", new BasicAWSCredentials("AKIAIOSFODNN7EXAMPLE", Secret), new IamClientOptions
        {
            MaxAttempts = 10,
            Delay = (d, _) => { _delays.Add(d); return Task.CompletedTask; },
            Random = () => 0.999999,
        });
        var ex = await Assert.ThrowsAsync<IamServiceException>(() => iam.ListUsersAsync(new ListUsersRequest(), CancellationToken.None));
        Assert.Equal("ServiceFailure", ex.AwsErrorCode);
        Assert.Equal(500, ex.HttpStatus);
        Assert.All(_delays, d => Assert.True(d <= TimeSpan.FromSeconds(5)));
        Assert.True(_delays.Last() > TimeSpan.FromSeconds(4.9));
    }

    [Fact]
    public async Task UnreachableEndpointIsConnectionErrorAfterRetries()
    {
        var deadEndpoint = _server.Endpoint;
        _server.Dispose();
        using var iam = new IamQueryClient(deadEndpoint, "us-east-1", new BasicAWSCredentials("AKIAIOSFODNN7EXAMPLE", Secret), new IamClientOptions
        {
            MaxAttempts = 3,
            Delay = (d, _) => { _delays.Add(d); return Task.CompletedTask; },
        });
        var ex = await Assert.ThrowsAsync<BackupIamException>(() => iam.ListUsersAsync(new ListUsersRequest(), CancellationToken.None));
        Assert.Equal("IamConnectionFailed", ex.ErrorId);
        Assert.Equal(FailureKind.ConnectionError, ex.Kind);
        Assert.Equal(2, _delays.Count);
        Assert.DoesNotContain(Secret, ex.ToString());
    }

    [Fact]
    public async Task CancellationStopsBeforeSending()
    {
        using var iam = Client();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => iam.ListUsersAsync(new ListUsersRequest(), cts.Token));
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task SecretNeverAppearsInExceptionMessages()
    {
        // An error message that echoes the caller's secret (and token) is scrubbed.
        _server.Enqueue(403, Error("SignatureDoesNotMatch", "The request signature we calculated does not match. Key " + Secret + " token TOKEN123456"));
        using var iam = Client(new SessionAWSCredentials("ASIAIOSFODNN7EXAMPLE", Secret, "TOKEN123456"));
        var ex = await Assert.ThrowsAsync<IamServiceException>(() => iam.GetUserAsync(new GetUserRequest(), CancellationToken.None));
        Assert.Equal("IamAuthenticationFailed", ex.ErrorId);
        Assert.DoesNotContain(Secret, ex.ToString());
        Assert.DoesNotContain("TOKEN123456", ex.ToString());
        Assert.Equal("TOKEN123456", _server.Requests.Single().Headers["X-Amz-Security-Token"]);
        Assert.Contains("x-amz-security-token", _server.Requests.Single().Headers["Authorization"]);

        // A broken CreateAccessKey answer: neither the body nor the new secret may travel in the exception.
        const string newSecret = "NEWSECRETabcdefghijklmnopqrstuvwxyz0123";
        _server.Enqueue(200, "<CreateAccessKeyResponse xmlns=\"" + Ns + "\"><CreateAccessKeyResult><AccessKey><AccessKeyId>AKIANEW</AccessKeyId><SecretAccessKey>"
            + newSecret + "</SecretAccessKey><Stat" + newSecret + " oops");
        var broken = await Assert.ThrowsAsync<BackupIamException>(() => iam.CreateAccessKeyAsync(new CreateAccessKeyRequest { UserName = "u" }, CancellationToken.None));
        Assert.Equal("IamResponseInvalid", broken.ErrorId);
        Assert.DoesNotContain(newSecret, broken.ToString());
        Assert.DoesNotContain("NEWSECRET", broken.ToString());
    }

    [Fact]
    public async Task CreateUserSendsTagsAsMemberLists()
    {
        _server.Enqueue(200, "<CreateUserResponse xmlns=\"" + Ns + "\"><CreateUserResult><User><UserName>u1</UserName><UserId>AIDAU1</UserId><Arn>arn:aws:iam::123456789012:user/u1</Arn>"
            + "<Path>/</Path><CreateDate>2024-01-02T03:04:05Z</CreateDate></User></CreateUserResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></CreateUserResponse>");
        using var iam = Client();
        var r = await iam.CreateUserAsync(new CreateUserRequest
        {
            UserName = "u1",
            PermissionsBoundary = "arn:aws:iam::123456789012:policy/boundary",
            Tags = { new Tag("a", "1 2"), new Tag("b", "x&y=z") },
        }, CancellationToken.None);
        Assert.Equal("AIDAU1", r.User.UserId);
        Assert.Equal("r1", r.RequestId);
        var form = _server.Requests.Single().Form;
        Assert.Equal("CreateUser", form["Action"]);
        Assert.Equal("a", form["Tags.member.1.Key"]);
        Assert.Equal("1 2", form["Tags.member.1.Value"]);
        Assert.Equal("b", form["Tags.member.2.Key"]);
        Assert.Equal("x&y=z", form["Tags.member.2.Value"]);
        Assert.Equal("arn:aws:iam::123456789012:policy/boundary", form["PermissionsBoundary"]);
    }

    [Fact]
    public async Task GetUserPolicyDecodesUrlEncodedDocument()
    {
        string doc = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/a b+c%/*\"}]}";
        _server.Enqueue(200, "<GetUserPolicyResponse xmlns=\"" + Ns + "\"><GetUserPolicyResult><UserName>u</UserName><PolicyName>p</PolicyName><PolicyDocument>"
            + Uri.EscapeDataString(doc) + "</PolicyDocument></GetUserPolicyResult></GetUserPolicyResponse>");
        using var iam = Client();
        var r = await iam.GetUserPolicyAsync(new GetUserPolicyRequest { UserName = "u", PolicyName = "p" }, CancellationToken.None);
        Assert.Equal(doc, r.PolicyDocument);
    }

    [Fact]
    public async Task PermissionsBoundaryIsSentAndParsed()
    {
        _server.Enqueue(200, "<PutUserPermissionsBoundaryResponse xmlns=\"" + Ns + "\"><ResponseMetadata><RequestId>r2</RequestId></ResponseMetadata></PutUserPermissionsBoundaryResponse>");
        _server.Enqueue(200, "<GetUserResponse xmlns=\"" + Ns + "\"><GetUserResult><User><UserName>u</UserName><UserId>AIDAU</UserId><Arn>arn:aws:iam::123456789012:user/u</Arn>"
            + "<Path>/</Path><CreateDate>2024-01-02T03:04:05Z</CreateDate><PermissionsBoundary><PermissionsBoundaryType>PermissionsBoundaryPolicy</PermissionsBoundaryType>"
            + "<PermissionsBoundaryArn>arn:aws:iam::123456789012:policy/boundary</PermissionsBoundaryArn></PermissionsBoundary>"
            + "<Tags><member><Key>k</Key><Value>v</Value></member></Tags></User></GetUserResult></GetUserResponse>");
        using var iam = Client();
        var put = await iam.PutUserPermissionsBoundaryAsync(new PutUserPermissionsBoundaryRequest { UserName = "u", PermissionsBoundary = "arn:aws:iam::123456789012:policy/boundary" }, CancellationToken.None);
        Assert.Equal("r2", put.RequestId);
        var got = await iam.GetUserAsync(new GetUserRequest { UserName = "u" }, CancellationToken.None);
        Assert.Equal("arn:aws:iam::123456789012:policy/boundary", got.User.PermissionsBoundary!.PermissionsBoundaryArn);
        Assert.Equal("PermissionsBoundaryPolicy", got.User.PermissionsBoundary.PermissionsBoundaryType);
        Assert.Equal("v", got.User.Tags.Single(t => t.Key == "k").Value);
        var forms = _server.Requests.Select(r => r.Form).ToArray();
        Assert.Equal("PutUserPermissionsBoundary", forms[0]["Action"]);
        Assert.Equal("arn:aws:iam::123456789012:policy/boundary", forms[0]["PermissionsBoundary"]);
    }

    [Fact]
    public async Task DeleteConflictMapsToResourceBusy()
    {
        _server.Enqueue(409, Error("DeleteConflict", "Cannot delete entity, must remove users from group first."));
        using var iam = Client();
        var ex = await Assert.ThrowsAsync<DeleteConflictException>(() => iam.DeleteGroupAsync(new DeleteGroupRequest { GroupName = "g" }, CancellationToken.None));
        Assert.Equal("IamDeleteConflict", ex.ErrorId);
        Assert.Equal(FailureKind.ResourceBusy, ex.Kind);
        Assert.Single(_server.Requests);
    }
}

/// <summary>A server that accepts connections and never answers, to exercise the per-request timeout.</summary>
public sealed class IamQueryClientTimeoutTests
{
    [Fact]
    public async Task SilentServerTimesOutPerAttemptAndReportsOperationTimeout()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var held = new List<System.Net.Sockets.TcpClient>();
        var accept = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    held.Add(await listener.AcceptTcpClientAsync());
                }
            }
            catch (Exception)
            {
            }
        });
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        var delays = new List<TimeSpan>();
        try
        {
            using var iam = new IamQueryClient(new Uri("http://127.0.0.1:" + port + "/"), "us-east-1",
                new Amazon.Runtime.BasicAWSCredentials("AKIAIOSFODNN7EXAMPLE", "x"),
                new IamClientOptions { RequestTimeout = TimeSpan.FromMilliseconds(300), MaxAttempts = 2, Delay = (d, _) => { delays.Add(d); return Task.CompletedTask; } });
            var ex = await Assert.ThrowsAsync<BackupIamException>(() => iam.GetUserAsync(new GetUserRequest(), CancellationToken.None));
            Assert.Equal("IamRequestTimeout", ex.ErrorId);
            Assert.Equal(FailureKind.OperationTimeout, ex.Kind);
            Assert.Single(delays);
        }
        finally
        {
            listener.Stop();
            foreach (var c in held)
            {
                c.Dispose();
            }
        }
    }
}
