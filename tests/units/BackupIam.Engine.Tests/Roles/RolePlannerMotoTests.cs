using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using BackupIam.Engine.Aws;
using BackupIam.Engine.Aws.Iam;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Provisioning;
using BackupIam.Engine.Roles;
using BackupIam.Engine.Tests.Aws;
using Xunit;

namespace BackupIam.Engine.Tests.Roles;

/// <summary>RolePlanner against a real moto server: provider, role, trust policy, inline policies; re-plans are empty.</summary>
[Collection(MotoCollection.Name)]
public sealed class RolePlannerMotoTests : IDisposable
{
    private const string UploadPolicy =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Upload\",\"Effect\":\"Allow\",\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::bkt/backup/*\"}]}";

    private readonly MotoServerFixture _moto;
    private readonly AwsSession _session;
    private readonly IamQueryClient _iam;
    private readonly RolePlanner _planner;
    private readonly CancellationToken _ct = CancellationToken.None;
    private int _callerAsked;

    public RolePlannerMotoTests(MotoServerFixture moto)
    {
        _moto = moto;
        _session = moto.CreateSession();
        _iam = new IamQueryClient(_session);
        _planner = new RolePlanner(_iam, async ct =>
        {
            Interlocked.Increment(ref _callerAsked);
            using var sts = new StsGateway(_session);
            return (await sts.GetCallerIdentityAsync(ct)).Arn;
        });
    }

    public void Dispose() => _iam.Dispose();

    private static string UniqueIssuer() => "https://oidc-" + Guid.NewGuid().ToString("N").Substring(0, 10) + ".example.com/ci";

    private static RoleSpec Spec(string roleName, OidcSource source, params (string Name, string Document)[] policies)
    {
        var spec = new RoleSpec { RoleName = roleName, Source = source };
        foreach (var p in policies)
        {
            spec.Policies.Add(new RoleInlinePolicy(p.Name, p.Document));
        }

        return spec;
    }

    private async Task<string[]> ApplyAsync(ResourcePlan plan)
    {
        var sent = new List<string>();
        foreach (PlannedChange change in plan.Changes)
        {
            if (await change.ApplyAsync(_ct))
            {
                sent.Add(change.Operation);
            }
        }

        return sent.ToArray();
    }

    [Fact]
    public async Task CreatesProviderRoleTrustPolicyAndInlinePolicyThenReplansNothing()
    {
        string issuer = UniqueIssuer();
        string role = MotoServerFixture.UniqueName("role");
        OidcSource source = OidcSource.ForIssuer(issuer, new[] { "backup-audience" }, new[] { "job:nightly" });
        RoleSpec spec = Spec(role, source, ("Upload", UploadPolicy));

        RolePlan plan = await _planner.PlanAsync(spec, _ct);
        Assert.Equal(new[] { "CreateOpenIDConnectProvider", "CreateRole", "PutRolePolicy" }, plan.Changes.Select(c => c.Operation));
        Assert.Equal("arn:aws:iam::123456789012:oidc-provider/" + issuer.Substring("https://".Length), plan.ProviderArn);
        Assert.Equal(new[] { "CreateOpenIDConnectProvider", "CreateRole", "PutRolePolicy" }, await ApplyAsync(plan));

        GetOpenIDConnectProviderResponse provider = await _iam.GetOpenIDConnectProviderAsync(new GetOpenIDConnectProviderRequest { OpenIDConnectProviderArn = plan.ProviderArn }, _ct);
        Assert.Equal(new[] { "backup-audience" }, provider.ClientIDList);
        Role created = (await _iam.GetRoleAsync(new GetRoleRequest { RoleName = role }, _ct)).Role;
        Assert.Equal("arn:aws:iam::123456789012:role/" + role, created.Arn);
        PolicyDocument trust = PolicyJson.Parse(created.AssumeRolePolicyDocument);
        PolicyStatement st = Assert.Single(trust.Statements);
        Assert.Equal(new[] { plan.ProviderArn }, st.Principal!.Values["Federated"]);
        Assert.Equal(new[] { "sts:AssumeRoleWithWebIdentity" }, st.Actions);
        Assert.Contains(st.Conditions, c => c.Operator == "StringEquals" && c.Key == source.SubjectKey && c.Values.SequenceEqual(new[] { "job:nightly" }));
        Assert.Contains(st.Conditions, c => c.Operator == "StringEquals" && c.Key == source.AudienceKey && c.Values.SequenceEqual(new[] { "backup-audience" }));
        Assert.Empty(TrustPolicyGuard.Analyze(trust));
        string inline = (await _iam.GetRolePolicyAsync(new GetRolePolicyRequest { RoleName = role, PolicyName = "Upload" }, _ct)).PolicyDocument;
        Assert.Equal(PolicyJson.ToJson(PolicyJson.Parse(UploadPolicy), false), PolicyJson.ToJson(PolicyJson.Parse(inline), false));

        RolePlan again = await _planner.PlanAsync(spec, _ct);
        Assert.Empty(again.Changes);
        Assert.True(again.ProviderExists);
        Assert.True(again.Exists);
        Assert.Equal(created.Arn, again.RoleArn);
    }

    [Fact]
    public async Task AnotherSubjectReplacesOnlyTheTrustPolicy()
    {
        string issuer = UniqueIssuer();
        string role = MotoServerFixture.UniqueName("role");
        await ApplyAsync(await _planner.PlanAsync(Spec(role, OidcSource.ForIssuer(issuer, new[] { "aud" }, new[] { "job:a" }), ("Upload", UploadPolicy)), _ct));

        RoleSpec changed = Spec(role, OidcSource.ForIssuer(issuer, new[] { "aud" }, new[] { "job:b" }), ("Upload", UploadPolicy));
        RolePlan plan = await _planner.PlanAsync(changed, _ct);
        Assert.Equal(new[] { "UpdateAssumeRolePolicy" }, plan.Changes.Select(c => c.Operation));
        await ApplyAsync(plan);
        Assert.Contains("job:b", (await _iam.GetRoleAsync(new GetRoleRequest { RoleName = role }, _ct)).Role.AssumeRolePolicyDocument);
        Assert.Empty((await _planner.PlanAsync(changed, _ct)).Changes);
    }

    [Fact]
    public async Task SessionDurationBoundaryAndThumbprintsAreSetWhereTheyDiffer()
    {
        string issuer = UniqueIssuer();
        string role = MotoServerFixture.UniqueName("role");
        OidcSource source = OidcSource.ForIssuer(issuer, new[] { "aud" }, new[] { "job:a" });
        RoleSpec spec = Spec(role, source);
        spec.Thumbprints = OidcSource.ValidateThumbprints(new[] { new string('a', 40) });
        await ApplyAsync(await _planner.PlanAsync(spec, _ct));
        Assert.Equal(new[] { new string('a', 40) }, (await _iam.GetOpenIDConnectProviderAsync(new GetOpenIDConnectProviderRequest { OpenIDConnectProviderArn = source.ProviderArn("123456789012") }, _ct)).ThumbprintList);

        spec.Thumbprints = OidcSource.ValidateThumbprints(new[] { new string('b', 40) });
        spec.MaxSessionDuration = 7200;
        spec.PermissionsBoundaryArn = "arn:aws:iam::123456789012:policy/BackupBoundary";
        RolePlan plan = await _planner.PlanAsync(spec, _ct);
        Assert.Equal(new[] { "UpdateOpenIDConnectProviderThumbprint", "UpdateRole", "PutRolePermissionsBoundary" }, plan.Changes.Select(c => c.Operation));
        await ApplyAsync(plan);

        Role after = (await _iam.GetRoleAsync(new GetRoleRequest { RoleName = role }, _ct)).Role;
        Assert.Equal(7200, after.MaxSessionDuration);
        Assert.Equal("arn:aws:iam::123456789012:policy/BackupBoundary", after.PermissionsBoundary?.PermissionsBoundaryArn);
        Assert.Empty((await _planner.PlanAsync(spec, _ct)).Changes);
    }

    [Fact]
    public async Task AnExistingProviderWithoutTheAudienceGetsItAdded()
    {
        string issuer = UniqueIssuer();
        await _iam.CreateOpenIDConnectProviderAsync(new CreateOpenIDConnectProviderRequest { Url = issuer, ClientIDList = new List<string> { "someone-else" } }, _ct);
        int asked = _callerAsked;

        RolePlan plan = await _planner.PlanAsync(Spec(MotoServerFixture.UniqueName("role"), OidcSource.ForIssuer(issuer, new[] { "backup-audience" }, new[] { "job:a" })), _ct);

        Assert.True(plan.ProviderExists);
        Assert.Equal(asked, _callerAsked); // the account came from the provider's ARN: no sts call
        Assert.Equal(new[] { "AddClientIDToOpenIDConnectProvider", "CreateRole" }, plan.Changes.Select(c => c.Operation));
        Assert.Contains("backup-audience", plan.Changes[0].Description);
    }

    [Fact]
    public async Task OtherInlinePoliciesAreLeftInPlaceWithAWarning()
    {
        string issuer = UniqueIssuer();
        string role = MotoServerFixture.UniqueName("role");
        await ApplyAsync(await _planner.PlanAsync(Spec(role, OidcSource.ForIssuer(issuer, new[] { "aud" }, new[] { "job:a" }), ("Old", UploadPolicy)), _ct));

        RolePlan plan = await _planner.PlanAsync(Spec(role, OidcSource.ForIssuer(issuer, new[] { "aud" }, new[] { "job:a" }), ("New", UploadPolicy)), _ct);
        Assert.Equal(new[] { "PutRolePolicy" }, plan.Changes.Select(c => c.Operation));
        Assert.Equal(new[] { "Old" }, plan.OtherPolicyNames);
        Assert.Contains(plan.Warnings, w => w.Contains("'Old'"));
    }

    /// <summary>
    /// A real sts:AssumeRoleWithWebIdentity call for the created role. moto's STS checks neither the token's signature
    /// nor the trust policy (it answers any well-formed call), so this proves the call shape and the role ARN; that a
    /// token of another repository is refused is proven by the trust-policy simulation (TrustPolicySimulationTests).
    /// </summary>
    [Fact]
    public async Task TheRunnerExchangesASignedTokenForTheRoleWithMotoSts()
    {
        string issuer = UniqueIssuer();
        string role = MotoServerFixture.UniqueName("role");
        RolePlan plan = await _planner.PlanAsync(Spec(role, OidcSource.ForIssuer(issuer, new[] { "sts.amazonaws.com" }, new[] { "repo:contoso/backup-jobs:ref:refs/heads/main" }), ("Upload", UploadPolicy)), _ct);
        await ApplyAsync(plan);

        using RSA key = RSA.Create(2048);
        string token = SignedToken(key, issuer, "sts.amazonaws.com", "repo:contoso/backup-jobs:ref:refs/heads/main");
        using var sts = new AmazonSecurityTokenServiceClient(new AnonymousAWSCredentials(), new AmazonSecurityTokenServiceConfig { ServiceURL = _moto.EndpointUrl, AuthenticationRegion = "us-east-1" });
        AssumeRoleWithWebIdentityResponse answer = await sts.AssumeRoleWithWebIdentityAsync(new AssumeRoleWithWebIdentityRequest
        {
            RoleArn = plan.RoleArn,
            RoleSessionName = "github-run-1",
            WebIdentityToken = token,
        }, _ct);

        Assert.Equal("arn:aws:sts::123456789012:assumed-role/" + role + "/github-run-1", answer.AssumedRoleUser.Arn);
        Assert.StartsWith("ASIA", answer.Credentials.AccessKeyId);
        Assert.False(string.IsNullOrEmpty(answer.Credentials.SessionToken));
        Assert.True(answer.Credentials.Expiration > DateTime.UtcNow);
    }

    /// <summary>An RS256 JWT as a CI platform issues it (iss, aud, sub, iat, exp), signed by the test's own key.</summary>
    internal static string SignedToken(RSA key, string issuer, string audience, string subject)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string header = B64("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"test-key\"}");
        string payload = B64("{\"iss\":\"" + issuer + "\",\"aud\":\"" + audience + "\",\"sub\":\"" + subject + "\",\"iat\":" + now + ",\"nbf\":" + now + ",\"exp\":" + (now + 600) + "}");
        byte[] signature = key.SignData(Encoding.ASCII.GetBytes(header + "." + payload), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        string jwt = header + "." + payload + "." + B64(signature);
        // The signature verifies with the public key (the check an STS makes against the issuer's JWKS).
        Assert.True(key.VerifyData(Encoding.ASCII.GetBytes(header + "." + payload), signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        return jwt;
    }

    private static string B64(string text) => B64(Encoding.UTF8.GetBytes(text));

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
