using BackupIam.Engine.Lint;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Roles;
using Xunit;

namespace BackupIam.Engine.Tests.Roles;

/// <summary>The linter's trust-policy rules: pasted trust policies that let anyone in are reported; a pinned one is clean.</summary>
public sealed class TrustPolicyLintTests
{
    private const string Provider = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";

    internal static string Trust(string condition, string principal = "{\"Federated\":\"" + Provider + "\"}", string action = "\"sts:AssumeRoleWithWebIdentity\"") =>
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"GitHub\",\"Effect\":\"Allow\",\"Principal\":" + principal + ",\"Action\":" + action
        + (condition.Length > 0 ? ",\"Condition\":" + condition : string.Empty) + "}]}";

    private const string Aud = "\"token.actions.githubusercontent.com:aud\":\"sts.amazonaws.com\"";

    private static IReadOnlyList<PolicyFinding> Lint(string json) =>
        PolicyLinter.Lint(json, new LintOptions { Container = PolicyContainer.BucketPolicy });

    [Fact]
    public void APinnedTrustPolicyHasNoFindingAtAll()
    {
        OidcSource source = OidcSource.ForGitHubActions("contoso/backup-jobs", new[] { "main" }, null, new[] { "production" });
        string json = PolicyJson.ToJson(TrustPolicyGuard.Build(source, Provider));
        Assert.Empty(Lint(json)); // no S3 findings either (no MissingResource, no UnknownAction for sts:)
        Assert.Empty(Lint(Trust("{\"StringEquals\":{" + Aud + "},\"StringLike\":{\"token.actions.githubusercontent.com:sub\":\"repo:contoso/*:ref:refs/heads/main\"}}")));
    }

    [Theory]
    [InlineData("{\"StringEquals\":{" + Aud + "},\"StringLike\":{\"token.actions.githubusercontent.com:sub\":\"*\"}}", TrustPolicyGuard.SubjectWildcardId)]
    [InlineData("{\"StringEquals\":{" + Aud + "},\"StringLike\":{\"token.actions.githubusercontent.com:sub\":\"repo:*\"}}", TrustPolicyGuard.SubjectWildcardId)]
    [InlineData("{\"StringEquals\":{" + Aud + "},\"StringLike\":{\"token.actions.githubusercontent.com:sub\":\"repo:*/backup-jobs:*\"}}", TrustPolicyGuard.RepositoryWildcardId)]
    [InlineData("{\"StringEquals\":{" + Aud + "},\"StringLike\":{\"token.actions.githubusercontent.com:sub\":\"repo:conto*/backup-jobs:ref:refs/heads/main\"}}", TrustPolicyGuard.RepositoryWildcardId)]
    [InlineData("{\"StringEquals\":{" + Aud + "}}", TrustPolicyGuard.SubjectMissingId)]
    [InlineData("{\"StringEquals\":{" + Aud + "},\"StringNotEquals\":{\"token.actions.githubusercontent.com:sub\":\"repo:evil/x:ref:refs/heads/main\"}}", TrustPolicyGuard.SubjectMissingId)]
    [InlineData("{\"StringEquals\":{\"token.actions.githubusercontent.com:sub\":\"repo:contoso/backup-jobs:ref:refs/heads/main\"}}", TrustPolicyGuard.AudienceMissingId)]
    [InlineData("{\"StringEquals\":{\"token.actions.githubusercontent.com:sub\":\"repo:contoso/backup-jobs:ref:refs/heads/main\"},\"StringLike\":{\"token.actions.githubusercontent.com:aud\":\"*\"}}", TrustPolicyGuard.AudienceMissingId)]
    [InlineData("", TrustPolicyGuard.AudienceMissingId)]
    public void OpenTrustPoliciesAreErrors(string condition, string id)
    {
        IReadOnlyList<PolicyFinding> findings = Lint(Trust(condition));
        PolicyFinding finding = Assert.Single(findings, f => f.Id == id);
        Assert.Equal(FindingSeverity.Error, finding.Severity);
        Assert.Equal(0, finding.StatementIndex);
        Assert.False(string.IsNullOrWhiteSpace(finding.Fix));
        Assert.DoesNotContain(findings, f => f.Id == "MissingResource" || f.Id == "UnknownAction");
    }

    [Fact]
    public void APrincipalOfStarIsAnError()
    {
        IReadOnlyList<PolicyFinding> findings = Lint(Trust("{\"StringEquals\":{" + Aud + ",\"token.actions.githubusercontent.com:sub\":\"repo:contoso/backup-jobs:ref:refs/heads/main\"}}", "\"*\""));
        Assert.Contains(findings, f => f.Id == TrustPolicyGuard.PrincipalWildcardId && f.Severity == FindingSeverity.Error);
    }

    [Fact]
    public void ActionWildcardsThatReachWebIdentityAreChecked()
    {
        Assert.Contains(Lint(Trust("{\"StringEquals\":{" + Aud + "}}", action: "\"sts:AssumeRole*\"")), f => f.Id == TrustPolicyGuard.SubjectMissingId);
        // sts:AssumeRole alone (another account or a service) is not a web-identity statement.
        Assert.DoesNotContain(Lint(Trust("", "{\"AWS\":\"arn:aws:iam::123456789012:root\"}", "\"sts:AssumeRole\"")), f => f.Id.StartsWith("TrustPolicy", StringComparison.Ordinal));
    }

    [Fact]
    public void AzureAndOtherIssuersUseTheirOwnKeys()
    {
        const string azure = "arn:aws:iam::123456789012:oidc-provider/vstoken.dev.azure.com/0a1b2c3d-1111-2222-3333-444455556666";
        string pinned = Trust("{\"StringEquals\":{\"vstoken.dev.azure.com/0a1b2c3d-1111-2222-3333-444455556666:aud\":\"api://AzureADTokenExchange\",\"vstoken.dev.azure.com/0a1b2c3d-1111-2222-3333-444455556666:sub\":\"sc://contoso/Backups/aws-backup\"}}", "{\"Federated\":\"" + azure + "\"}");
        Assert.Empty(Lint(pinned));
        string githubKeys = Trust("{\"StringEquals\":{" + Aud + "}}", "{\"Federated\":\"" + azure + "\"}");
        IReadOnlyList<PolicyFinding> findings = Lint(githubKeys);
        Assert.Contains(findings, f => f.Id == TrustPolicyGuard.AudienceMissingId && f.Message.Contains("vstoken.dev.azure.com/0a1b2c3d-1111-2222-3333-444455556666:aud"));
        Assert.Contains(findings, f => f.Id == TrustPolicyGuard.SubjectMissingId);
    }

    [Fact]
    public void S3PoliciesStillGetTheS3Rules()
    {
        // Unchanged behaviour: a bucket policy without Resource is still MissingResource (not a trust policy: s3 action).
        string bucket = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\"}]}";
        Assert.Contains(Lint(bucket), f => f.Id == "MissingResource");
    }

    [Fact]
    public void GuardRefusesWhatTheLinterReports()
    {
        var ex = Assert.Throws<BackupIam.Engine.Errors.InputValidationException>(() =>
            TrustPolicyGuard.Refuse(PolicyJson.Parse(Trust("{\"StringEquals\":{" + Aud + "},\"StringLike\":{\"token.actions.githubusercontent.com:sub\":\"repo:*\"}}")), "Subject"));
        Assert.Equal("TrustPolicyTooOpen", ex.ErrorId);
    }
}
