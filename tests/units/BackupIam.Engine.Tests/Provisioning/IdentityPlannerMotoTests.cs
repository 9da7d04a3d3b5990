using System.Net;
using System.Net.Sockets;
using System.Text;
using Xunit;
using Amazon.Runtime;
using BackupIam.Engine.Aws.Iam;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Policies;
using BackupIam.Engine.Provisioning;
using BackupIam.Engine.Tests.Aws;

namespace BackupIam.Engine.Tests.Provisioning;

/// <summary>IdentityPlanner against a real moto server: plan, apply, re-plan.</summary>
[Collection(MotoCollection.Name)]
public sealed class IdentityPlannerMotoTests : IDisposable
{
    private const string UploadPolicy =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Upload\",\"Effect\":\"Allow\",\"Action\":[\"s3:PutObject\",\"s3:AbortMultipartUpload\"],\"Resource\":\"arn:aws:s3:::bkt/backup/*\"}," +
        "{\"Sid\":\"List\",\"Effect\":\"Allow\",\"Action\":\"s3:ListBucket\",\"Resource\":\"arn:aws:s3:::bkt\",\"Condition\":{\"StringLike\":{\"s3:prefix\":[\"backup/*\"]}}}]}";

    private readonly IamQueryClient _iam;
    private readonly IdentityPlanner _planner;
    private readonly CancellationToken _ct = CancellationToken.None;
    private readonly List<string> _tempDirs = new();

    public IdentityPlannerMotoTests(MotoServerFixture moto)
    {
        _iam = new IamQueryClient(moto.CreateSession());
        _planner = new IdentityPlanner(_iam);
    }

    public void Dispose()
    {
        _iam.Dispose();
        foreach (string dir in _tempDirs)
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>Applies every change of the plan (the engine's own apply, approving each) and returns the writes sent.</summary>
    private async Task<int> ApplyAsync(ResourcePlan plan) => (await plan.ApplyAsync(_ => true, _ct)).Written.Count;

    private async Task<string> NewUserAsync(string? path = null)
    {
        string name = MotoServerFixture.UniqueName("user");
        await _iam.CreateUserAsync(new CreateUserRequest { UserName = name, Path = path }, _ct);
        return name;
    }

    private async Task<string> NewGroupAsync()
    {
        string name = MotoServerFixture.UniqueName("group");
        await _iam.CreateGroupAsync(new CreateGroupRequest { GroupName = name }, _ct);
        return name;
    }

    private string NewTempDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), "backupiam-h-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        _tempDirs.Add(dir);
        return dir;
    }

    /// <summary>An IAM client whose endpoint refuses every connection: any call it makes fails with a transport error.</summary>
    private static IamQueryClient DeadEndpointClient()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new IamQueryClient(new Uri("http://127.0.0.1:" + port + "/"), "us-east-1",
            new BasicAWSCredentials(MotoServerFixture.AccessKey, MotoServerFixture.SecretKey), new IamClientOptions { MaxAttempts = 1 });
    }

    // ---- users ----

    [Fact]
    public async Task NewUserPlansOneCreateUserAndReplanAfterApplyIsEmpty()
    {
        string name = MotoServerFixture.UniqueName("user");
        var spec = new UserSpec { UserName = name, Path = "/backup/", Tags = new Dictionary<string, string> { ["purpose"] = "backup" } };

        UserPlan plan = await _planner.PlanUserAsync(spec, _ct);

        Assert.False(plan.Exists);
        Assert.Null(plan.User);
        PlannedChange change = Assert.Single(plan.Changes);
        Assert.Equal("iam:CreateUser", change.Action);
        Assert.Equal("user " + name, change.Target);
        Assert.Equal(ResourceStatus.Created, plan.StatusWhenApplied);
        await Assert.ThrowsAsync<NoSuchEntityException>(() => _iam.GetUserAsync(new GetUserRequest { UserName = name }, _ct));

        Assert.Equal(1, await ApplyAsync(plan));
        Assert.NotNull(plan.User);
        Assert.Equal(name, plan.User!.UserName);

        User created = (await _iam.GetUserAsync(new GetUserRequest { UserName = name }, _ct)).User;
        Assert.Equal("/backup/", created.Path);
        Assert.Contains(created.Tags, t => t.Key == "purpose" && t.Value == "backup");

        UserPlan again = await _planner.PlanUserAsync(spec, _ct);
        Assert.True(again.IsUpToDate);
        Assert.Empty(again.Changes);
        Assert.True(again.Exists);
        Assert.Equal(ResourceStatus.Unchanged, again.StatusWhenApplied);
        Assert.Equal(created.UserId, again.User!.UserId);
        Assert.Empty(again.Warnings);
    }

    [Fact]
    public async Task ExtraTagOnExistingUserPlansExactlyTagUser()
    {
        string name = MotoServerFixture.UniqueName("user");
        var spec = new UserSpec { UserName = name, Tags = new Dictionary<string, string> { ["purpose"] = "backup" } };
        await ApplyAsync(await _planner.PlanUserAsync(spec, _ct));

        spec.Tags["owner"] = "ops";
        UserPlan plan = await _planner.PlanUserAsync(spec, _ct);

        Assert.True(plan.Exists);
        PlannedChange change = Assert.Single(plan.Changes);
        Assert.Equal("iam:TagUser", change.Action);
        Assert.Contains("owner", change.Description);
        Assert.DoesNotContain("purpose", change.Description);
        Assert.Equal(ResourceStatus.Updated, plan.StatusWhenApplied);

        Assert.Equal(1, await ApplyAsync(plan));
        User user = (await _iam.GetUserAsync(new GetUserRequest { UserName = name }, _ct)).User;
        Assert.Contains(user.Tags, t => t.Key == "owner" && t.Value == "ops");
        Assert.Contains(user.Tags, t => t.Key == "purpose" && t.Value == "backup");
        Assert.True((await _planner.PlanUserAsync(spec, _ct)).IsUpToDate);
    }

    [Fact]
    public async Task ExistingUserWithAnotherPathThrowsPathMismatch()
    {
        string name = await NewUserAsync("/backup/");

        var ex = await Assert.ThrowsAsync<BackupIamException>(() => _planner.PlanUserAsync(new UserSpec { UserName = name, Path = "/other/" }, _ct));

        Assert.Equal("IamUserPathMismatch", ex.ErrorId);
        Assert.Equal(FailureKind.InvalidData, ex.Kind);
        Assert.Equal(name, ex.Target);
        Assert.Contains("/backup/", ex.Message);

        // Without a path the existing user is accepted as it is; only the module's managed tag is added (issue 15).
        Assert.Equal(new[] { "TagUser" }, (await _planner.PlanUserAsync(new UserSpec { UserName = name }, _ct)).Changes.Select(c => c.Operation));
    }

    [Fact]
    public async Task InvalidUserNameIsRejectedBeforeAnyCall()
    {
        using IamQueryClient dead = DeadEndpointClient();
        var ex = await Assert.ThrowsAsync<InputValidationException>(() => new IdentityPlanner(dead).PlanUserAsync(new UserSpec { UserName = "bad name" }, _ct));
        Assert.Equal("IamUserNameInvalid", ex.ErrorId);
        Assert.Equal("UserName", ex.ParameterName);
    }

    // ---- groups and membership ----

    [Fact]
    public async Task GroupIsPlannedAppliedAndThenUpToDate()
    {
        string name = MotoServerFixture.UniqueName("group");

        GroupPlan plan = await _planner.PlanGroupAsync(name, "/backup/", _ct);

        Assert.False(plan.Exists);
        PlannedChange change = Assert.Single(plan.Changes);
        Assert.Equal("iam:CreateGroup", change.Action);
        Assert.Equal(1, await ApplyAsync(plan));
        Assert.Equal("/backup/", plan.Group!.Path);

        GroupPlan again = await _planner.PlanGroupAsync(name, "/backup/", _ct);
        Assert.True(again.IsUpToDate);
        Assert.True(again.Exists);
        Assert.Equal(name, again.Group!.GroupName);
        Assert.Equal("/backup/", again.Group.Path);

        var ex = await Assert.ThrowsAsync<BackupIamException>(() => _planner.PlanGroupAsync(name, "/other/", _ct));
        Assert.Equal("IamGroupPathMismatch", ex.ErrorId);
    }

    [Fact]
    public async Task MembershipIsPlannedAppliedAndThenUpToDate()
    {
        string user = await NewUserAsync();
        string group = await NewGroupAsync();

        MembershipPlan plan = await _planner.PlanMembershipAsync(user, group, parentsMayBePlanned: false, _ct);

        Assert.False(plan.Exists);
        PlannedChange change = Assert.Single(plan.Changes);
        Assert.Equal("iam:AddUserToGroup", change.Action);
        Assert.Empty(await _iam.ListAllGroupsForUserAsync(user, _ct));

        Assert.Equal(1, await ApplyAsync(plan));
        Assert.Contains(await _iam.ListAllGroupsForUserAsync(user, _ct), g => g.GroupName == group);

        MembershipPlan again = await _planner.PlanMembershipAsync(user, group, parentsMayBePlanned: false, _ct);
        Assert.True(again.IsUpToDate);
        Assert.True(again.Exists);
    }

    [Fact]
    public async Task MembershipOfMissingUserIsPlannedWhenParentsMayBePlanned()
    {
        string user = MotoServerFixture.UniqueName("nouser");
        string group = MotoServerFixture.UniqueName("nogroup");

        MembershipPlan plan = await _planner.PlanMembershipAsync(user, group, parentsMayBePlanned: true, _ct);

        Assert.False(plan.Exists);
        Assert.Equal("iam:AddUserToGroup", Assert.Single(plan.Changes).Action);
    }

    [Fact]
    public async Task MembershipOfMissingUserThrowsUserNotFoundOtherwise()
    {
        string user = MotoServerFixture.UniqueName("nouser");
        string group = await NewGroupAsync();

        var ex = await Assert.ThrowsAsync<BackupIamException>(() => _planner.PlanMembershipAsync(user, group, parentsMayBePlanned: false, _ct));

        Assert.Equal("IamUserNotFound", ex.ErrorId);
        Assert.Equal(FailureKind.NotFound, ex.Kind);
        Assert.Equal(user, ex.Target);
        Assert.IsType<NoSuchEntityException>(ex.InnerException);
    }

    [Fact]
    public async Task AddingToMissingGroupFailsAtApplyWithGroupNotFound()
    {
        string user = await NewUserAsync();
        string group = MotoServerFixture.UniqueName("nogroup");
        MembershipPlan plan = await _planner.PlanMembershipAsync(user, group, parentsMayBePlanned: false, _ct);

        var ex = await Assert.ThrowsAsync<BackupIamException>(() => plan.Changes[0].ApplyAsync(_ct));

        Assert.Equal("IamGroupNotFound", ex.ErrorId);
        Assert.Equal(group, ex.Target);
    }

    // ---- inline policies ----

    [Fact]
    public async Task InlineUserPolicyIsPlannedAppliedAndReformattedDocumentIsUpToDate()
    {
        string user = await NewUserAsync();

        InlinePolicyPlan plan = await _planner.PlanInlinePolicyAsync(InlinePolicyOwner.User, user, "UploadFilesToBackup", UploadPolicy, false, _ct);

        Assert.False(plan.Exists);
        Assert.Null(plan.PreviousDocument);
        PlannedChange change = Assert.Single(plan.Changes);
        Assert.Equal("iam:PutUserPolicy", change.Action);
        Assert.Equal(1, await ApplyAsync(plan));

        string stored = (await _iam.GetUserPolicyAsync(new GetUserPolicyRequest { UserName = user, PolicyName = "UploadFilesToBackup" }, _ct)).PolicyDocument;
        Assert.Equal(PolicyJson.ToJson(PolicyJson.Parse(UploadPolicy), indented: false), PolicyJson.ToJson(PolicyJson.Parse(stored), indented: false));

        // Same policy: other whitespace, other key order, one-value arrays as strings and vice versa.
        const string reformatted = @"
        {
            ""Statement"": [
                {   ""Resource"": [ ""arn:aws:s3:::bkt/backup/*"" ],
                    ""Action"":   [ ""s3:PutObject"", ""s3:AbortMultipartUpload"" ],
                    ""Effect"": ""Allow"",  ""Sid"": ""Upload"" },
                {
                    ""Condition"": { ""StringLike"": { ""s3:prefix"": ""backup/*"" } },
                    ""Sid"": ""List"", ""Effect"": ""Allow"",
                    ""Action"": [""s3:ListBucket""], ""Resource"": ""arn:aws:s3:::bkt""
                }
            ],
            ""Version"": ""2012-10-17""
        }";
        InlinePolicyPlan again = await _planner.PlanInlinePolicyAsync(InlinePolicyOwner.User, user, "UploadFilesToBackup", reformatted, false, _ct);

        Assert.True(again.IsUpToDate);
        Assert.True(again.Exists);
        Assert.NotNull(again.PreviousDocument);
    }

    [Fact]
    public async Task ChangedInlinePolicyPlansOnePutOnAnExistingPolicy()
    {
        string user = await NewUserAsync();
        await ApplyAsync(await _planner.PlanInlinePolicyAsync(InlinePolicyOwner.User, user, "Upload", UploadPolicy, false, _ct));
        string changed = UploadPolicy.Replace("arn:aws:s3:::bkt/backup/*", "arn:aws:s3:::bkt/backup/veeam/*");

        InlinePolicyPlan plan = await _planner.PlanInlinePolicyAsync(InlinePolicyOwner.User, user, "Upload", changed, false, _ct);

        Assert.True(plan.Exists);
        Assert.Equal(ResourceStatus.Updated, plan.StatusWhenApplied);
        PlannedChange change = Assert.Single(plan.Changes);
        Assert.Equal("iam:PutUserPolicy", change.Action);
        Assert.Contains("bkt/backup/*", plan.PreviousDocument);
        Assert.Contains("bkt/backup/veeam/*", plan.PolicyDocument);

        Assert.Equal(1, await ApplyAsync(plan));
        string stored = (await _iam.GetUserPolicyAsync(new GetUserPolicyRequest { UserName = user, PolicyName = "Upload" }, _ct)).PolicyDocument;
        Assert.Contains("bkt/backup/veeam/*", stored);
        Assert.True((await _planner.PlanInlinePolicyAsync(InlinePolicyOwner.User, user, "Upload", changed, false, _ct)).IsUpToDate);
    }

    [Fact]
    public async Task InlineGroupPolicyIsPlannedAppliedAndThenUpToDate()
    {
        string group = await NewGroupAsync();

        InlinePolicyPlan plan = await _planner.PlanInlinePolicyAsync(InlinePolicyOwner.Group, group, "Upload", UploadPolicy, false, _ct);

        Assert.Equal("iam:PutGroupPolicy", Assert.Single(plan.Changes).Action);
        Assert.Equal(1, await ApplyAsync(plan));
        Assert.Contains("Upload", await _iam.ListAllGroupPolicyNamesAsync(group, _ct));
        Assert.True((await _planner.PlanInlinePolicyAsync(InlinePolicyOwner.Group, group, "Upload", UploadPolicy, false, _ct)).IsUpToDate);
    }

    [Fact]
    public async Task BucketPolicyShapedDocumentIsNotAnIdentityPolicy()
    {
        string user = await NewUserAsync();
        const string bucketPolicy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:user/backup\"},\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::bkt/*\"}]}";

        var ex = await Assert.ThrowsAsync<InputValidationException>(() =>
            _planner.PlanInlinePolicyAsync(InlinePolicyOwner.User, user, "Upload", bucketPolicy, false, _ct));

        Assert.Equal("PolicyNotIdentityPolicy", ex.ErrorId);
        Assert.Equal("PolicyDocument", ex.ParameterName);
        Assert.Empty(await _iam.ListAllUserPolicyNamesAsync(user, _ct));
    }

    private static string LargePolicy(int resources)
    {
        var sb = new StringBuilder("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:PutObject\",\"Resource\":[");
        for (int i = 0; i < resources; i++)
        {
            sb.Append(i == 0 ? "" : ",").Append("\"arn:aws:s3:::bkt/backup/folder-").Append(i.ToString("D3")).Append("/*\"");
        }

        return sb.Append("]}]}").ToString();
    }

    [Fact]
    public async Task OversizeUserPolicyThrowsPolicyTooLargeBeforeAnyCall()
    {
        string large = LargePolicy(70);
        int size = PolicyJson.CountNonWhitespaceCharacters(PolicyJson.Parse(large));
        Assert.InRange(size, 2049, 5120);

        // Any IAM call through this client would fail with a connection error, not PolicyTooLarge.
        using IamQueryClient dead = DeadEndpointClient();
        var ex = await Assert.ThrowsAsync<InputValidationException>(() =>
            new IdentityPlanner(dead).PlanInlinePolicyAsync(InlinePolicyOwner.User, "backup-user", "Upload", large, false, _ct));

        Assert.Equal("PolicyTooLarge", ex.ErrorId);
        Assert.Equal("PolicyDocument", ex.ParameterName);
        Assert.Contains(size.ToString(), ex.Message);
        Assert.Contains("2048", ex.Message);
    }

    [Fact]
    public async Task SameSizePolicyFitsTheLargerGroupQuota()
    {
        string group = await NewGroupAsync();
        InlinePolicyPlan plan = await _planner.PlanInlinePolicyAsync(InlinePolicyOwner.Group, group, "Upload", LargePolicy(70), false, _ct);
        Assert.Equal("iam:PutGroupPolicy", Assert.Single(plan.Changes).Action);
    }

    // ---- access keys ----

    [Fact]
    public async Task FirstAccessKeyIsCreatedThenAnExistingKeyIsKeptWithANote()
    {
        string user = await NewUserAsync();

        AccessKeyPlan plan = await _planner.PlanAccessKeyAsync(user, additional: false, store: null, parentsMayBePlanned: false, _ct);

        Assert.False(plan.Exists);
        Assert.Empty(plan.ExistingKeys);
        Assert.Equal("iam:CreateAccessKey", Assert.Single(plan.Changes).Action);
        Assert.Equal(1, await ApplyAsync(plan));
        Assert.NotNull(plan.CreatedKey);
        Assert.True(plan.CreatedKey!.SecretAccessKey.Length > 0);
        Assert.True(plan.CreatedKey.SecretAccessKey.IsReadOnly());
        Assert.Null(plan.StoredAs);
        var keys = await _iam.ListAllAccessKeysAsync(user, _ct);
        Assert.Equal(plan.CreatedKey.AccessKeyId, Assert.Single(keys).AccessKeyId);

        AccessKeyPlan again = await _planner.PlanAccessKeyAsync(user, additional: false, store: null, parentsMayBePlanned: false, _ct);

        Assert.True(again.IsUpToDate);
        Assert.True(again.Exists);
        Assert.Single(again.ExistingKeys);
        string note = Assert.Single(again.Notes);
        Assert.Contains(plan.CreatedKey.AccessKeyId, note);
        Assert.Single(await _iam.ListAllAccessKeysAsync(user, _ct));

        AccessKeyPlan second = await _planner.PlanAccessKeyAsync(user, additional: true, store: null, parentsMayBePlanned: false, _ct);
        Assert.Equal("iam:CreateAccessKey", Assert.Single(second.Changes).Action);
    }

    [Fact]
    public async Task ThirdKeyIsRefusedWithAccessKeyLimitReached()
    {
        string user = await NewUserAsync();
        await _iam.CreateAccessKeyAsync(new CreateAccessKeyRequest { UserName = user }, _ct);
        await _iam.CreateAccessKeyAsync(new CreateAccessKeyRequest { UserName = user }, _ct);

        var ex = await Assert.ThrowsAsync<BackupIamException>(() =>
            _planner.PlanAccessKeyAsync(user, additional: true, store: null, parentsMayBePlanned: false, _ct));

        Assert.Equal("AccessKeyLimitReached", ex.ErrorId);
        Assert.Equal(FailureKind.LimitExceeded, ex.Kind);
        Assert.Equal(2, (await _iam.ListAllAccessKeysAsync(user, _ct)).Count);
    }

    [Fact]
    public async Task AccessKeyForMissingUser()
    {
        string user = MotoServerFixture.UniqueName("nouser");

        AccessKeyPlan planned = await _planner.PlanAccessKeyAsync(user, false, null, parentsMayBePlanned: true, _ct);
        Assert.Equal("iam:CreateAccessKey", Assert.Single(planned.Changes).Action);

        var ex = await Assert.ThrowsAsync<BackupIamException>(() => _planner.PlanAccessKeyAsync(user, false, null, parentsMayBePlanned: false, _ct));
        Assert.Equal("IamUserNotFound", ex.ErrorId);
    }

    [Fact]
    public async Task StoredKeyIsWrittenAsAProfileReadableOnlyByTheOwner()
    {
        string user = await NewUserAsync();
        string file = Path.Combine(NewTempDir(), "aws", "credentials");
        var store = new AccessKeyStoreRequest("mysite-backup", file);

        AccessKeyPlan plan = await _planner.PlanAccessKeyAsync(user, false, store, false, _ct);
        Assert.Contains("mysite-backup", Assert.Single(plan.Changes).Description);
        Assert.Equal(1, await ApplyAsync(plan));

        Assert.Equal("mysite-backup", plan.StoredAs);
        Assert.Equal(Path.GetFullPath(file), plan.StoredIn);
        string text = File.ReadAllText(file);
        Assert.Contains("[mysite-backup]", text);
        string keyId = plan.CreatedKey!.AccessKeyId;
        Assert.Contains(text.Split('\n'), line => line.Contains("aws_access_key_id") && line.Contains(keyId));
        Assert.Contains(text.Split('\n'), line => line.Contains("aws_secret_access_key") && line.Split('=').Last().Trim().Length > 0);
        Assert.True(plan.CreatedKey.SecretAccessKey.Length > 0);
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        Assert.Equal(keyId, Assert.Single(await _iam.ListAllAccessKeysAsync(user, _ct)).AccessKeyId);
    }

    [Fact]
    public async Task StoringIntoAnExistingProfileFileKeepsOtherProfiles()
    {
        string user = await NewUserAsync();
        string file = Path.Combine(NewTempDir(), "credentials");
        File.WriteAllText(file, "[other]\naws_access_key_id = AKIAOTHEROTHEROTHER1\naws_secret_access_key = otherSecret\n");

        AccessKeyPlan plan = await _planner.PlanAccessKeyAsync(user, false, new AccessKeyStoreRequest("mysite-backup", file), false, _ct);
        await ApplyAsync(plan);

        string text = File.ReadAllText(file);
        Assert.Contains("[other]", text);
        Assert.Contains("AKIAOTHEROTHEROTHER1", text);
        Assert.Contains("[mysite-backup]", text);
        Assert.Contains(plan.CreatedKey!.AccessKeyId, text);
    }

    [Fact]
    public async Task TheSecretIsHandedToBeforeSecretStoredBeforeTheFileHasIt()
    {
        // Issue 15: a CI runner masks the secret here, so it must come before the credentials file is written.
        string user = await NewUserAsync();
        string file = Path.Combine(NewTempDir(), "credentials");
        var seen = new List<(string Id, string Secret, bool FileHadIt)>();
        _planner.BeforeSecretStored = (id, secret) =>
            seen.Add((id, new NetworkCredential(string.Empty, secret).Password, File.Exists(file) && File.ReadAllText(file).Contains(id)));

        AccessKeyPlan plan = await _planner.PlanAccessKeyAsync(user, false, new AccessKeyStoreRequest("ci", file), false, _ct);
        await ApplyAsync(plan);

        var call = Assert.Single(seen);
        Assert.Equal(plan.CreatedKey!.AccessKeyId, call.Id);
        Assert.Equal(new NetworkCredential(string.Empty, plan.CreatedKey.SecretAccessKey).Password, call.Secret);
        Assert.False(call.FileHadIt);
        Assert.Contains(call.Secret, File.ReadAllText(file));
    }

    [Fact]
    public async Task AKeyWhoseMaskFailsIsTakenBackAndNotStored()
    {
        string user = await NewUserAsync();
        string file = Path.Combine(NewTempDir(), "credentials");
        _planner.BeforeSecretStored = (_, _) => throw new IOException("stdout is closed");

        AccessKeyPlan plan = await _planner.PlanAccessKeyAsync(user, false, new AccessKeyStoreRequest("ci", file), false, _ct);
        var ex = await Assert.ThrowsAsync<BackupIamException>(() => plan.Changes[0].ApplyAsync(_ct));

        Assert.Equal("AccessKeyStoreFailed", ex.ErrorId);
        Assert.Empty(await _iam.ListAllAccessKeysAsync(user, _ct));
        Assert.False(File.Exists(file));
    }

    [Fact]
    public async Task KeyIsTakenBackWhenItCannotBeStored()
    {
        string user = await NewUserAsync();
        string directory = NewTempDir();
        // The folder of the credentials file becomes a regular file after the up-front check (issue 11 refuses one that
        // already is): storing fails after the key was made.
        string blocker = Path.Combine(directory, "not-a-folder");
        var store = new AccessKeyStoreRequest("mysite-backup", Path.Combine(blocker, "credentials"));

        AccessKeyPlan plan = await _planner.PlanAccessKeyAsync(user, false, store, false, _ct);
        Assert.Single(plan.Changes);
        File.WriteAllText(blocker, "x");

        var ex = await Assert.ThrowsAsync<BackupIamException>(() => plan.Changes[0].ApplyAsync(_ct));

        Assert.Equal("AccessKeyStoreFailed", ex.ErrorId);
        Assert.Equal(user, ex.Target);
        Assert.NotNull(ex.InnerException);
        Assert.Null(plan.CreatedKey);
        Assert.Null(plan.StoredAs);
        Assert.Empty(await _iam.ListAllAccessKeysAsync(user, _ct));
        Assert.True(File.Exists(blocker));
    }

    [Fact]
    public async Task ACredentialsFileInsideARegularFileIsRefusedBeforeAnyKeyIsCreated()
    {
        string user = await NewUserAsync();
        string blocker = Path.Combine(NewTempDir(), "afile");
        File.WriteAllText(blocker, "x");
        var ex = await Assert.ThrowsAsync<InputValidationException>(() =>
            _planner.PlanAccessKeyAsync(user, false, new AccessKeyStoreRequest("mysite-backup", Path.Combine(blocker, "deeper", "creds")), false, _ct));
        Assert.Equal("CredentialFileNotWritable", ex.ErrorId);
        Assert.Contains("'" + blocker + "' is a file", ex.Message);
        Assert.Empty(await _iam.ListAllAccessKeysAsync(user, _ct));
    }

    [Fact]
    public async Task AFolderAsCredentialsFileIsRefusedBeforeAnyKeyIsCreated()
    {
        string user = await NewUserAsync();
        string directory = NewTempDir();
        var ex = await Assert.ThrowsAsync<InputValidationException>(() =>
            _planner.PlanAccessKeyAsync(user, false, new AccessKeyStoreRequest("mysite-backup", directory), false, _ct));
        Assert.Equal("CredentialFileNotWritable", ex.ErrorId);
        Assert.Equal("StoreLocation", ex.ParameterName);
        Assert.Empty(await _iam.ListAllAccessKeysAsync(user, _ct));
    }
}
