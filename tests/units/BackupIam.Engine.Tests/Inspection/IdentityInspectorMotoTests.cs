using BackupIam.Engine.Aws;
using BackupIam.Engine.Aws.Iam;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Inspection;
using BackupIam.Engine.Provisioning;
using BackupIam.Engine.Roles;
using BackupIam.Engine.Simulation;
using BackupIam.Engine.Tests.Aws;
using Xunit;

namespace BackupIam.Engine.Tests.Inspection;

/// <summary>The managed tag and IdentityInspector against a real moto server.</summary>
[Collection(MotoCollection.Name)]
public sealed class IdentityInspectorMotoTests : IDisposable
{
    private readonly AwsSession _session;
    private readonly IamQueryClient _iam;
    private readonly S3Gateway _s3;
    private readonly CancellationToken _ct = CancellationToken.None;

    public IdentityInspectorMotoTests(MotoServerFixture moto)
    {
        _session = moto.CreateSession();
        _iam = new IamQueryClient(_session);
        _s3 = new S3Gateway(_session);
    }

    public void Dispose()
    {
        _iam.Dispose();
        _s3.Dispose();
    }

    private async Task<string> CreateManagedUserAsync(IDictionary<string, string>? tags = null)
    {
        string name = MotoServerFixture.UniqueName("insp");
        var planner = new IdentityPlanner(_iam);
        UserPlan plan = await planner.PlanUserAsync(new UserSpec { UserName = name, Tags = tags }, _ct);
        await plan.ApplyAsync(_ => true, _ct);
        return name;
    }

    [Fact]
    public async Task CreateUserCarriesTheManagedTagBesideTheCallersTags()
    {
        string name = await CreateManagedUserAsync(new Dictionary<string, string> { ["Purpose"] = "backup" });

        IReadOnlyList<Tag> tags = await _iam.ListAllUserTagsAsync(name, _ct);

        Assert.Contains(tags, t => t.Key == "backupiam:managed" && t.Value == "true");
        Assert.Contains(tags, t => t.Key == "Purpose" && t.Value == "backup");
    }

    [Fact]
    public async Task AnExistingUserWithoutTheTagGetsItAsATagUserStepAndThenNothing()
    {
        string name = MotoServerFixture.UniqueName("insp-old");
        await _iam.CreateUserAsync(new CreateUserRequest { UserName = name }, _ct);
        var planner = new IdentityPlanner(_iam);

        UserPlan plan = await planner.PlanUserAsync(new UserSpec { UserName = name }, _ct);

        PlannedChange change = Assert.Single(plan.Changes);
        Assert.Equal("TagUser", change.Operation);
        Assert.Contains("backupiam:managed", change.Description);
        await plan.ApplyAsync(_ => true, _ct);
        Assert.True(ManagedTag.IsIn(await _iam.ListAllUserTagsAsync(name, _ct)));
        Assert.Empty((await planner.PlanUserAsync(new UserSpec { UserName = name }, _ct)).Changes);
    }

    [Fact]
    public async Task TheManagedTagCannotBeGivenAnotherValue()
    {
        var planner = new IdentityPlanner(_iam);

        var ex = await Assert.ThrowsAsync<InputValidationException>(() => planner.PlanUserAsync(
            new UserSpec { UserName = "never-created", Tags = new Dictionary<string, string> { ["backupiam:managed"] = "false" } }, _ct));

        Assert.Equal("IamTagInvalid", ex.ErrorId);
        Assert.Equal("Tag", ex.ParameterName);
        await Assert.ThrowsAsync<NoSuchEntityException>(() => _iam.GetUserAsync(new GetUserRequest { UserName = "never-created" }, _ct));
    }

    [Fact]
    public async Task ListsManagedUsersAndNotUntaggedOnes()
    {
        string managed = await CreateManagedUserAsync();
        string untagged = MotoServerFixture.UniqueName("insp-untagged");
        await _iam.CreateUserAsync(new CreateUserRequest { UserName = untagged, Tags = { new Tag("backupiam:managed", "no") } }, _ct);
        var inspector = new IdentityInspector(_iam, _s3, maxConcurrency: 3);

        IReadOnlyList<string> names = await inspector.ListManagedUserNamesAsync(_ct);

        Assert.Contains(managed, names);
        Assert.DoesNotContain(untagged, names);
    }

    [Fact]
    public async Task InspectsKeysGroupsPoliciesBucketStatementsAndSimulatesThemTogether()
    {
        string user = await CreateManagedUserAsync();
        string group = MotoServerFixture.UniqueName("insp-grp");
        string bucket = ("insp-" + Guid.NewGuid().ToString("N").Substring(0, 12)).ToLowerInvariant();
        await _s3.CreateBucketAsync(bucket, _ct);
        await _iam.CreateGroupAsync(new CreateGroupRequest { GroupName = group }, _ct);
        await _iam.AddUserToGroupAsync(new AddUserToGroupRequest { GroupName = group, UserName = user }, _ct);
        await _iam.PutGroupPolicyAsync(new PutGroupPolicyRequest
        {
            GroupName = group, PolicyName = "List",
            PolicyDocument = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:ListBucket\",\"Resource\":\"arn:aws:s3:::" + bucket + "\"}]}",
        }, _ct);
        await _iam.PutUserPolicyAsync(new PutUserPolicyRequest
        {
            UserName = user, PolicyName = "Upload",
            PolicyDocument = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::" + bucket + "/backup/*\"}]}",
        }, _ct);
        string arn = (await _iam.GetUserAsync(new GetUserRequest { UserName = user }, _ct)).User.Arn;
        await _s3.PutBucketPolicyAsync(bucket,
            "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"NoDelete\",\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"" + arn + "\"},\"Action\":\"s3:DeleteObject\",\"Resource\":\"arn:aws:s3:::" + bucket + "/*\"}]}", _ct);
        string keyId = (await _iam.CreateAccessKeyAsync(new CreateAccessKeyRequest { UserName = user }, _ct)).AccessKey.AccessKeyId;
        var inspector = new IdentityInspector(_iam, _s3);

        UserInspection report = await inspector.InspectUserAsync(user, null, _ct);

        Assert.True(report.Managed);
        Assert.Equal(keyId, Assert.Single(report.AccessKeys).AccessKeyId);
        Assert.Equal("Active", report.AccessKeys[0].Status);
        GroupInspection g = Assert.Single(report.Groups);
        Assert.Equal(group, g.Group.GroupName);
        Assert.Equal(new[] { user }, g.Members);
        Assert.Equal("List", Assert.Single(g.InlinePolicies).PolicyName);
        Assert.Equal("Upload", Assert.Single(report.InlinePolicies).PolicyName);
        Assert.False(report.HasLoginProfile);
        Assert.Empty(report.MfaDevices);
        Assert.Equal(new[] { bucket }, report.Buckets);
        NamingStatement statement = Assert.Single(report.BucketPolicyStatements);
        Assert.Equal("NoDelete", statement.Sid);
        Assert.Equal("Deny", statement.Effect);
        BucketAccess access = Assert.Single(report.Access);
        Assert.True(access.WithBucketPolicy);
        Assert.Equal("backup/", access.Prefix);
        Assert.Contains(access.Matrix.Entries, e => e.Action == "s3:PutObject" && e.ResourceKind == ResourceKinds.ObjectInPrefix && e.Decision == Decision.Allowed);
        Assert.Contains(access.Matrix.Entries, e => e.Action == "s3:ListBucket" && e.ResourceKind == ResourceKinds.Bucket && e.Decision == Decision.Allowed);
        Assert.Contains(access.Matrix.Entries, e => e.Action == "s3:DeleteObject" && e.ResourceKind == ResourceKinds.ObjectInPrefix && e.Decision == Decision.ExplicitDeny);
        Assert.Contains(access.Matrix.Entries, e => e.Action == "s3:GetObject" && e.ResourceKind == ResourceKinds.ObjectInPrefix && e.Decision == Decision.ImplicitDeny);

        GroupInspection inspected = await inspector.InspectGroupAsync(group, null, _ct);
        Assert.Equal(new[] { user }, inspected.Members);
        Assert.Contains(Assert.Single(inspected.Access).Matrix.Entries, e => e.Action == "s3:ListBucket" && e.Decision == Decision.Allowed);
        Assert.Contains(group, await inspector.ListManagedGroupNamesAsync(_ct));
    }

    [Fact]
    public async Task RolesCarryTheManagedTagAndAnUntaggedRoleGetsATagRoleStep()
    {
        var roles = new RolePlanner(_iam, async ct =>
        {
            using var sts = new StsGateway(_session);
            return (await sts.GetCallerIdentityAsync(ct)).Arn;
        });
        string issuer = "https://oidc-" + Guid.NewGuid().ToString("N").Substring(0, 10) + ".example.com/ci";
        string role = MotoServerFixture.UniqueName("insp-role");
        var spec = new RoleSpec { RoleName = role, Source = OidcSource.ForIssuer(issuer, new[] { "aud" }, new[] { "job:nightly" }) };
        RolePlan plan = await roles.PlanAsync(spec, _ct);
        await plan.ApplyAsync(_ => true, _ct);

        Assert.True(ManagedTag.IsIn(await _iam.ListAllRoleTagsAsync(role, _ct)));
        Assert.Empty((await roles.PlanAsync(spec, _ct)).Changes);

        // A role made before the managed tag existed: the re-run tags it, once.
        string trust = (await _iam.GetRoleAsync(new GetRoleRequest { RoleName = role }, _ct)).Role.AssumeRolePolicyDocument;
        string old = MotoServerFixture.UniqueName("insp-oldrole");
        await _iam.CreateRoleAsync(new CreateRoleRequest { RoleName = old, AssumeRolePolicyDocument = trust }, _ct);
        var oldSpec = new RoleSpec { RoleName = old, Source = spec.Source };
        RolePlan tagging = await roles.PlanAsync(oldSpec, _ct);
        Assert.Equal(new[] { "TagRole" }, tagging.Changes.Select(c => c.Operation));
        await tagging.ApplyAsync(_ => true, _ct);
        Assert.True(ManagedTag.IsIn(await _iam.ListAllRoleTagsAsync(old, _ct)));
        Assert.Empty((await roles.PlanAsync(oldSpec, _ct)).Changes);
    }

    [Fact]
    public async Task AMissingUserIsIamUserNotFound()
    {
        var inspector = new IdentityInspector(_iam, _s3);

        var ex = await Assert.ThrowsAsync<BackupIamException>(() => inspector.InspectUserAsync("no-such-backup-user", null, _ct));

        Assert.Equal("IamUserNotFound", ex.ErrorId);
        Assert.Equal(FailureKind.NotFound, ex.Kind);
        Assert.Equal("no-such-backup-user", ex.Target);
    }
}
