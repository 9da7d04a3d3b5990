using BackupIam.Engine.Errors;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Roles;
using BackupIam.Engine.Simulation;
using Xunit;

namespace BackupIam.Engine.Tests.Roles;

/// <summary>The simulator decides trust policies with the token's claims as context (Test-BackupPolicy, offline).</summary>
public sealed class TrustPolicySimulationTests
{
    private const string Provider = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
    private const string Sub = "token.actions.githubusercontent.com:sub";
    private const string Aud = "token.actions.githubusercontent.com:aud";

    private static string Pinned(params string[] branches) =>
        PolicyJson.ToJson(TrustPolicyGuard.Build(OidcSource.ForGitHubActions("contoso/backup-jobs", branches, null, null), Provider));

    private static SimulatedDecision Decide(string trustJson, string? sub, string? aud = "sts.amazonaws.com", string? principalArn = null)
    {
        var scope = new SimulationScope { Actions = new[] { "sts:AssumeRoleWithWebIdentity" }, PrincipalArn = principalArn };
        if (sub != null)
        {
            scope.Context[Sub] = new[] { sub };
        }

        if (aud != null)
        {
            scope.Context[Aud] = new[] { aud };
        }

        SimulationResult result = PolicySimulator.Run(new[] { PolicySource.FromText(trustJson, "Trust") }, null, scope);
        Assert.NotNull(result.Decisions);
        return Assert.Single(result.Decisions!);
    }

    [Fact]
    public void ThePinnedBranchIsAllowed()
    {
        SimulatedDecision d = Decide(Pinned("main"), "repo:contoso/backup-jobs:ref:refs/heads/main");
        Assert.Equal(Decision.Allowed, d.Decision);
        Assert.Equal("role", d.ResourceKind);
        Assert.Equal("Trust/Statement[0] (GitHubActions)", d.DecidedBy);
    }

    [Theory]
    [InlineData("repo:contoso/OTHER:ref:refs/heads/main")]
    [InlineData("repo:evil/backup-jobs:ref:refs/heads/main")]
    [InlineData("repo:contoso/backup-jobs:ref:refs/heads/feature")]
    [InlineData("repo:contoso/backup-jobs:pull_request")]
    [InlineData("repo:contoso/backup-jobs:ref:refs/heads/main ")]
    public void OtherRepositoriesBranchesAndEventsAreDenied(string subject)
    {
        Assert.Equal(Decision.ImplicitDeny, Decide(Pinned("main"), subject).Decision);
    }

    [Fact]
    public void AWrongOrMissingAudienceIsDenied()
    {
        Assert.Equal(Decision.ImplicitDeny, Decide(Pinned("main"), "repo:contoso/backup-jobs:ref:refs/heads/main", aud: "api://AzureADTokenExchange").Decision);
        Assert.Equal(Decision.ImplicitDeny, Decide(Pinned("main"), "repo:contoso/backup-jobs:ref:refs/heads/main", aud: null).Decision);
        Assert.Equal(Decision.ImplicitDeny, Decide(Pinned("main"), sub: null).Decision);
    }

    [Fact]
    public void AnotherProviderIsDenied()
    {
        const string other = "arn:aws:iam::123456789012:oidc-provider/gitlab.example.com";
        Assert.Equal(Decision.ImplicitDeny, Decide(Pinned("main"), "repo:contoso/backup-jobs:ref:refs/heads/main", principalArn: other).Decision);
    }

    [Fact]
    public void BranchPatternsMatchOnlyTheirBranches()
    {
        string trust = Pinned("release/*");
        Assert.Equal(Decision.Allowed, Decide(trust, "repo:contoso/backup-jobs:ref:refs/heads/release/2026.11").Decision);
        Assert.Equal(Decision.ImplicitDeny, Decide(trust, "repo:contoso/backup-jobs:ref:refs/heads/main").Decision);
        Assert.Equal(Decision.ImplicitDeny, Decide(trust, "repo:evil/backup-jobs:ref:refs/heads/release/1").Decision);
    }

    [Fact]
    public void AWildcardOwnerLetsAnyoneInWhichIsWhyTheLinterRefusesIt()
    {
        string open = TrustPolicyLintTests.Trust("{\"StringEquals\":{\"" + Aud + "\":\"sts.amazonaws.com\"},\"StringLike\":{\"" + Sub + "\":\"repo:*/backup-jobs:*\"}}");
        Assert.Equal(Decision.Allowed, Decide(open, "repo:evil/backup-jobs:ref:refs/heads/main").Decision);
        string star = TrustPolicyLintTests.Trust("{\"StringEquals\":{\"" + Aud + "\":\"sts.amazonaws.com\"},\"StringLike\":{\"" + Sub + "\":\"*\"}}");
        Assert.Equal(Decision.Allowed, Decide(star, "repo:anyone/anything:pull_request").Decision);
    }

    [Fact]
    public void StringEqualsTakesAStarLiterally()
    {
        string literal = TrustPolicyLintTests.Trust("{\"StringEquals\":{\"" + Aud + "\":\"sts.amazonaws.com\",\"" + Sub + "\":\"repo:contoso/*\"}}");
        Assert.Equal(Decision.ImplicitDeny, Decide(literal, "repo:contoso/backup-jobs:ref:refs/heads/main").Decision);
    }

    [Fact]
    public void AnExplicitDenyWins()
    {
        string json = "{\"Version\":\"2012-10-17\",\"Statement\":["
            + "{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"" + Provider + "\"},\"Action\":\"sts:AssumeRoleWithWebIdentity\",\"Condition\":{\"StringEquals\":{\"" + Aud + "\":\"sts.amazonaws.com\"},\"StringLike\":{\"" + Sub + "\":\"repo:contoso/*\"}}},"
            + "{\"Sid\":\"NoForks\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"sts:*\",\"Condition\":{\"StringLike\":{\"" + Sub + "\":\"*:pull_request\"}}}]}";
        Assert.Equal(Decision.Allowed, Decide(json, "repo:contoso/backup-jobs:ref:refs/heads/main").Decision);
        SimulatedDecision denied = Decide(json, "repo:contoso/backup-jobs:pull_request");
        Assert.Equal(Decision.ExplicitDeny, denied.Decision);
        Assert.Equal("Trust/Statement[1] (NoForks)", denied.DecidedBy);
    }

    [Fact]
    public void AzurePipelinesSubjectsAreDecided()
    {
        OidcSource azure = OidcSource.ForAzurePipelines("0a1b2c3d-1111-2222-3333-444455556666", "contoso", "Backups", "aws-backup");
        string json = PolicyJson.ToJson(TrustPolicyGuard.Build(azure, azure.ProviderArn("123456789012")));
        var scope = new SimulationScope();
        scope.Context[azure.AudienceKey] = new[] { "api://AzureADTokenExchange" };
        scope.Context[azure.SubjectKey] = new[] { "sc://contoso/Backups/aws-backup" };
        Assert.Equal(Decision.Allowed, Assert.Single(PolicySimulator.Run(new[] { PolicySource.FromText(json, "Trust") }, null, scope).Decisions!).Decision);
        scope.Context[azure.SubjectKey] = new[] { "sc://contoso/Backups/other-connection" };
        Assert.Equal(Decision.ImplicitDeny, Assert.Single(PolicySimulator.Run(new[] { PolicySource.FromText(json, "Trust") }, null, scope).Decisions!).Decision);
    }

    [Fact]
    public void NonStsActionsAreRefusedAndMissingClaimsAreWarned()
    {
        var scope = new SimulationScope { Actions = new[] { "s3:GetObject" } };
        var ex = Assert.Throws<InputValidationException>(() => PolicySimulator.Run(new[] { PolicySource.FromText(Pinned("main"), "Trust") }, null, scope));
        Assert.Equal("TrustActionInvalid", ex.ErrorId);

        SimulationResult result = PolicySimulator.Run(new[] { PolicySource.FromText(Pinned("main"), "Trust") }, null, new SimulationScope());
        Assert.Contains(result.Warnings, w => w.Contains(Sub));
        Assert.Equal(Decision.ImplicitDeny, Assert.Single(result.Decisions!).Decision);
    }
}
