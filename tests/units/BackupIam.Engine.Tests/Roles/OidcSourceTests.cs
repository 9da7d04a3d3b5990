using BackupIam.Engine.Errors;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Roles;
using Xunit;

namespace BackupIam.Engine.Tests.Roles;

/// <summary>Who may assume an OIDC role: every parameter is checked before any call, with a specific error id.</summary>
public sealed class OidcSourceTests
{
    [Fact]
    public void GitHubSubjectsPinRepositoryAndBranchTagOrEnvironment()
    {
        OidcSource s = OidcSource.ForGitHubActions("contoso/backup-jobs", new[] { "main" }, new[] { "v1.0.0" }, new[] { "production" });

        Assert.Equal("https://token.actions.githubusercontent.com", s.Issuer);
        Assert.Equal("token.actions.githubusercontent.com:sub", s.SubjectKey);
        Assert.Equal(new[] { "sts.amazonaws.com" }, s.Audiences);
        Assert.Equal(new[]
        {
            "repo:contoso/backup-jobs:ref:refs/heads/main",
            "repo:contoso/backup-jobs:ref:refs/tags/v1.0.0",
            "repo:contoso/backup-jobs:environment:production",
        }, s.Subjects);
        Assert.False(s.SubjectsArePatterns);
        Assert.Equal("arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com", s.ProviderArn("123456789012"));
    }

    [Fact]
    public void GitHubBranchPatternWithAFixedPartUsesStringLike()
    {
        OidcSource s = OidcSource.ForGitHubActions("contoso/backup-jobs", new[] { "release/*" }, null, null);
        Assert.True(s.SubjectsArePatterns);
        PolicyDocument trust = TrustPolicyGuard.Build(s, s.ProviderArn("123456789012"));
        Assert.Contains(trust.Statements[0].Conditions, c => c.Operator == "StringLike" && c.Key == "token.actions.githubusercontent.com:sub");
        Assert.Contains(trust.Statements[0].Conditions, c => c.Operator == "StringEquals" && c.Key == "token.actions.githubusercontent.com:aud");
    }

    [Theory]
    [InlineData("*/backup-jobs", "GitHubRepositoryWildcard")]
    [InlineData("contoso/*", "GitHubRepositoryWildcard")]
    [InlineData("contoso", "GitHubRepositoryInvalid")]
    [InlineData("https://github.com/contoso/backup-jobs", "GitHubRepositoryInvalid")]
    [InlineData("-contoso/backup", "GitHubRepositoryInvalid")]
    [InlineData("contoso/..", "GitHubRepositoryInvalid")]
    [InlineData("", "GitHubRepositoryInvalid")]
    public void BadRepositoriesAreRefused(string repository, string errorId)
    {
        var ex = Assert.Throws<InputValidationException>(() => OidcSource.ForGitHubActions(repository, new[] { "main" }, null, null));
        Assert.Equal(errorId, ex.ErrorId);
        Assert.Equal("GitHubRepository", ex.ParameterName);
        Assert.Contains("contoso/backup-jobs", ex.Message); // says what a valid value looks like
    }

    [Theory]
    [InlineData("*", "GitHubBranchWildcard")]
    [InlineData("**", "GitHubBranchWildcard")]
    [InlineData("refs/heads/main", "GitHubBranchInvalid")]
    [InlineData("feature branch", "GitHubBranchInvalid")]
    [InlineData("a..b", "GitHubBranchInvalid")]
    [InlineData("main.lock", "GitHubBranchInvalid")]
    public void BadBranchesAreRefused(string branch, string errorId)
    {
        var ex = Assert.Throws<InputValidationException>(() => OidcSource.ForGitHubActions("contoso/backup-jobs", new[] { branch }, null, null));
        Assert.Equal(errorId, ex.ErrorId);
        Assert.Equal("Branch", ex.ParameterName);
    }

    [Fact]
    public void GitHubWithoutBranchTagOrEnvironmentIsRefused()
    {
        var ex = Assert.Throws<InputValidationException>(() => OidcSource.ForGitHubActions("contoso/backup-jobs", null, null, null));
        Assert.Equal("GitHubRefRequired", ex.ErrorId);
    }

    [Theory]
    [InlineData("prod*")]
    [InlineData("a:b")]
    [InlineData("")]
    public void BadEnvironmentsAreRefused(string environment)
    {
        var ex = Assert.Throws<InputValidationException>(() => OidcSource.ForGitHubActions("contoso/backup-jobs", null, null, new[] { environment }));
        Assert.Equal("GitHubEnvironmentInvalid", ex.ErrorId);
        Assert.Equal("Environment", ex.ParameterName);
    }

    [Fact]
    public void AzurePipelinesIssuerAudienceAndSubject()
    {
        OidcSource s = OidcSource.ForAzurePipelines("0A1B2C3D-1111-2222-3333-444455556666", "contoso", "Backups", "aws-backup");
        Assert.Equal("https://vstoken.dev.azure.com/0a1b2c3d-1111-2222-3333-444455556666", s.Issuer);
        Assert.Equal(new[] { "api://AzureADTokenExchange" }, s.Audiences);
        Assert.Equal(new[] { "sc://contoso/Backups/aws-backup" }, s.Subjects);
        Assert.Equal("vstoken.dev.azure.com/0a1b2c3d-1111-2222-3333-444455556666:sub", s.SubjectKey);
    }

    [Theory]
    [InlineData("not-a-guid", "contoso", "Backups", "aws", "AzureDevOpsOrganizationIdInvalid", "AzureDevOpsOrganizationId")]
    [InlineData("0a1b2c3d-1111-2222-3333-444455556666", "con toso", "Backups", "aws", "AzureDevOpsOrganizationInvalid", "AzureDevOpsOrganization")]
    [InlineData("0a1b2c3d-1111-2222-3333-444455556666", "contoso", "Back/ups", "aws", "AzureDevOpsProjectInvalid", "AzureDevOpsProject")]
    [InlineData("0a1b2c3d-1111-2222-3333-444455556666", "contoso", "Backups", "*", "ServiceConnectionInvalid", "ServiceConnection")]
    public void BadAzureValuesAreRefused(string orgId, string org, string project, string connection, string errorId, string parameter)
    {
        var ex = Assert.Throws<InputValidationException>(() => OidcSource.ForAzurePipelines(orgId, org, project, connection));
        Assert.Equal(errorId, ex.ErrorId);
        Assert.Equal(parameter, ex.ParameterName);
    }

    [Fact]
    public void CustomIssuerNeedsHttpsExactAudienceAndExactSubject()
    {
        OidcSource s = OidcSource.ForIssuer("https://GitLab.Example.com/", new[] { "backup" }, new[] { "project_path:ops/backup:ref_type:branch:ref:main" });
        Assert.Equal("https://gitlab.example.com", s.Issuer);
        Assert.Equal("gitlab.example.com:aud", s.AudienceKey);

        Assert.Equal("OidcIssuerInvalid", Assert.Throws<InputValidationException>(() => OidcSource.ForIssuer("http://gitlab.example.com", new[] { "a" }, new[] { "s" })).ErrorId);
        Assert.Equal("OidcIssuerInvalid", Assert.Throws<InputValidationException>(() => OidcSource.ForIssuer("https://gitlab.example.com?x=1", new[] { "a" }, new[] { "s" })).ErrorId);
        Assert.Equal("OidcAudienceRequired", Assert.Throws<InputValidationException>(() => OidcSource.ForIssuer("https://gitlab.example.com", null, new[] { "s" })).ErrorId);
        Assert.Equal("OidcAudienceInvalid", Assert.Throws<InputValidationException>(() => OidcSource.ForIssuer("https://gitlab.example.com", new[] { "*" }, new[] { "s" })).ErrorId);
        Assert.Equal("OidcSubjectRequired", Assert.Throws<InputValidationException>(() => OidcSource.ForIssuer("https://gitlab.example.com", new[] { "a" }, null)).ErrorId);
        Assert.Equal("OidcSubjectWildcard", Assert.Throws<InputValidationException>(() => OidcSource.ForIssuer("https://gitlab.example.com", new[] { "a" }, new[] { "*" })).ErrorId);
    }

    [Fact]
    public void ThumbprintsAreFortyHexDigitsAtMostFive()
    {
        Assert.Equal(new[] { "6938fd4d98bab03faadb97b34396831e3780aea1" }, OidcSource.ValidateThumbprints(new[] { "6938FD4D98BAB03FAADB97B34396831E3780AEA1" }));
        Assert.Equal("OidcThumbprintInvalid", Assert.Throws<InputValidationException>(() => OidcSource.ValidateThumbprints(new[] { "abc" })).ErrorId);
        var six = Enumerable.Range(0, 6).Select(i => new string((char)('a' + i), 40)).ToArray();
        Assert.Equal("OidcThumbprintTooMany", Assert.Throws<InputValidationException>(() => OidcSource.ValidateThumbprints(six)).ErrorId);
    }

    [Theory]
    [InlineData("role with space", "IamRoleNameInvalid")]
    [InlineData("", "IamRoleNameInvalid")]
    public void RoleSpecIsValidatedWithoutAnyCall(string roleName, string errorId)
    {
        var spec = new RoleSpec { RoleName = roleName, Source = OidcSource.ForGitHubActions("contoso/backup-jobs", new[] { "main" }, null, null) };
        Assert.Equal(errorId, Assert.Throws<InputValidationException>(() => RolePlanner.Validate(spec)).ErrorId);
    }

    [Fact]
    public void RoleSpecChecksSessionDurationBoundaryAndPolicies()
    {
        OidcSource source = OidcSource.ForGitHubActions("contoso/backup-jobs", new[] { "main" }, null, null);
        Assert.Equal("IamMaxSessionDurationInvalid", Assert.Throws<InputValidationException>(() => RolePlanner.Validate(new RoleSpec { RoleName = "r", Source = source, MaxSessionDuration = 900 })).ErrorId);
        Assert.Equal("IamPolicyArnInvalid", Assert.Throws<InputValidationException>(() => RolePlanner.Validate(new RoleSpec { RoleName = "r", Source = source, PermissionsBoundaryArn = "Boundary" })).ErrorId);
        var bucketPolicy = new RoleSpec { RoleName = "r", Source = source };
        bucketPolicy.Policies.Add(new RoleInlinePolicy("P", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"}]}"));
        Assert.Equal("PolicyNotIdentityPolicy", Assert.Throws<InputValidationException>(() => RolePlanner.Validate(bucketPolicy)).ErrorId);
        var twice = new RoleSpec { RoleName = "r", Source = source };
        string doc = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::b/*\"}]}";
        twice.Policies.Add(new RoleInlinePolicy("P", doc));
        twice.Policies.Add(new RoleInlinePolicy("P", doc));
        Assert.Equal("PolicyNameDuplicate", Assert.Throws<InputValidationException>(() => RolePlanner.Validate(twice)).ErrorId);
    }
}
