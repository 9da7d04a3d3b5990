using Amazon.Runtime;
using BackupIam.Engine.Aws.Iam;
using BackupIam.Engine.Tests.Aws;
using Xunit;

namespace BackupIam.Engine.Tests.Inspection;

/// <summary>The IAM reads behind Get-BackupUser/Get-BackupGroup at the protocol level: parameters sent, XML read, paging.</summary>
public sealed class InspectClientHttpTests : IDisposable
{
    private const string Ns = "https://iam.amazonaws.com/doc/2010-05-08/";
    private readonly CannedHttpServer _server = new();

    public void Dispose() => _server.Dispose();

    private IamQueryClient Client() => new(_server.Endpoint, "us-east-1", new BasicAWSCredentials("AKIAIOSFODNN7EXAMPLE", "secret"), new IamClientOptions { MaxAttempts = 1 });

    private static string Wrap(string action, string result) =>
        "<" + action + "Response xmlns=\"" + Ns + "\"><" + action + "Result>" + result + "</" + action + "Result><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></" + action + "Response>";

    [Fact]
    public async Task ListAllUserTagsFollowsMarkersAndReadsKeysAndValues()
    {
        _server.Enqueue(200, Wrap("ListUserTags", "<Tags><member><Key>backupiam:managed</Key><Value>true</Value></member><member><Key>owner</Key><Value>ops &amp; infra</Value></member></Tags><IsTruncated>true</IsTruncated><Marker>m1</Marker>"));
        _server.Enqueue(200, Wrap("ListUserTags", "<Tags><member><Key>empty</Key><Value></Value></member></Tags><IsTruncated>false</IsTruncated>"));
        using var iam = Client();

        IReadOnlyList<Tag> tags = await iam.ListAllUserTagsAsync("backup", CancellationToken.None);

        Assert.Equal(new[] { "backupiam:managed=true", "owner=ops & infra", "empty=" }, tags.Select(t => t.Key + "=" + t.Value));
        var requests = _server.Requests.ToArray();
        Assert.Equal("ListUserTags", requests[0].Form["Action"]);
        Assert.Equal("backup", requests[0].Form["UserName"]);
        Assert.Equal("m1", requests[1].Form["Marker"]);
    }

    [Fact]
    public async Task ListGroupsReadsGroupsAndSendsThePathPrefix()
    {
        _server.Enqueue(200, Wrap("ListGroups", "<Groups><member><Path>/backup/</Path><GroupName>S3Backup</GroupName><GroupId>AGPA1</GroupId><Arn>arn:aws:iam::123456789012:group/backup/S3Backup</Arn><CreateDate>2026-01-02T03:04:05Z</CreateDate></member></Groups><IsTruncated>false</IsTruncated>"));
        using var iam = Client();

        ListGroupsResponse response = await iam.ListGroupsAsync(new ListGroupsRequest { PathPrefix = "/backup/", MaxItems = 5 }, CancellationToken.None);

        Group group = Assert.Single(response.Groups);
        Assert.Equal("S3Backup", group.GroupName);
        Assert.Equal("/backup/", group.Path);
        Assert.Equal("arn:aws:iam::123456789012:group/backup/S3Backup", group.Arn);
        Assert.Equal(new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc), group.CreateDate.ToUniversalTime());
        Assert.False(response.IsTruncated);
        Assert.Equal("req-1", response.RequestId);
        var form = _server.Requests.Single().Form;
        Assert.Equal("/backup/", form["PathPrefix"]);
        Assert.Equal("5", form["MaxItems"]);
    }

    [Fact]
    public async Task GetPolicyAndGetPolicyVersionReadTheDefaultVersionAndDecodeTheDocument()
    {
        _server.Enqueue(200, Wrap("GetPolicy", "<Policy><PolicyName>BackupRead</PolicyName><PolicyId>ANPA1</PolicyId><Arn>arn:aws:iam::123456789012:policy/BackupRead</Arn><Path>/</Path><DefaultVersionId>v3</DefaultVersionId><AttachmentCount>2</AttachmentCount><IsAttachable>true</IsAttachable><Description>read</Description><CreateDate>2026-01-01T00:00:00Z</CreateDate><UpdateDate>2026-02-01T00:00:00Z</UpdateDate></Policy>"));
        string json = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"}]}";
        _server.Enqueue(200, Wrap("GetPolicyVersion", "<PolicyVersion><Document>" + Uri.EscapeDataString(json) + "</Document><VersionId>v3</VersionId><IsDefaultVersion>true</IsDefaultVersion><CreateDate>2026-02-01T00:00:00Z</CreateDate></PolicyVersion>"));
        using var iam = Client();

        ManagedPolicy policy = (await iam.GetPolicyAsync(new GetPolicyRequest { PolicyArn = "arn:aws:iam::123456789012:policy/BackupRead" }, CancellationToken.None)).Policy;
        PolicyVersion version = (await iam.GetPolicyVersionAsync(new GetPolicyVersionRequest { PolicyArn = policy.Arn, VersionId = policy.DefaultVersionId }, CancellationToken.None)).PolicyVersion;

        Assert.Equal("BackupRead", policy.PolicyName);
        Assert.Equal("v3", policy.DefaultVersionId);
        Assert.Equal(2, policy.AttachmentCount);
        Assert.True(policy.IsAttachable);
        Assert.Equal("read", policy.Description);
        Assert.Equal(json, version.Document);
        Assert.True(version.IsDefaultVersion);
        Assert.Equal("v3", version.VersionId);
        var requests = _server.Requests.ToArray();
        Assert.Equal("arn:aws:iam::123456789012:policy/BackupRead", requests[0].Form["PolicyArn"]);
        Assert.Equal("GetPolicyVersion", requests[1].Form["Action"]);
        Assert.Equal("v3", requests[1].Form["VersionId"]);
    }

    [Fact]
    public async Task TagRoleSendsTagMembersAndListRoleTagsReadsThem()
    {
        _server.Enqueue(200, "<TagRoleResponse xmlns=\"" + Ns + "\"><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></TagRoleResponse>");
        _server.Enqueue(200, Wrap("ListRoleTags", "<Tags><member><Key>backupiam:managed</Key><Value>true</Value></member></Tags><IsTruncated>false</IsTruncated>"));
        using var iam = Client();

        await iam.TagRoleAsync(new TagRoleRequest { RoleName = "backup-github", Tags = { new Tag("backupiam:managed", "true") } }, CancellationToken.None);
        IReadOnlyList<Tag> tags = await iam.ListAllRoleTagsAsync("backup-github", CancellationToken.None);

        var form = _server.Requests.ToArray()[0].Form;
        Assert.Equal("TagRole", form["Action"]);
        Assert.Equal("backup-github", form["RoleName"]);
        Assert.Equal("backupiam:managed", form["Tags.member.1.Key"]);
        Assert.Equal("true", form["Tags.member.1.Value"]);
        Assert.Equal("backupiam:managed", Assert.Single(tags).Key);
    }

    [Fact]
    public async Task ReadsCephRgwsTwoOddTagListsAsAwsOnes()
    {
        // Ceph RGW 16, as observed: GetRole splits each tag into a Key member and a Value member; ListRoleTags has no members.
        _server.Enqueue(200, Wrap("GetRole", "<Role><RoleName>r1</RoleName><Arn>arn:aws:iam:::role/r1</Arn><AssumeRolePolicyDocument>{}</AssumeRolePolicyDocument>"
            + "<Tags><member><Key>backupiam:managed</Key></member><member><Value>true</Value></member><member><Key>x</Key></member><member><Value>y</Value></member></Tags></Role>"));
        _server.Enqueue(200, Wrap("ListRoleTags", "<Tags><Key><Key>backupiam:managed</Key></Key><Value><Value>true</Value></Value></Tags>"));
        using var iam = Client();

        Role role = (await iam.GetRoleAsync(new GetRoleRequest { RoleName = "r1" }, CancellationToken.None)).Role;
        IReadOnlyList<Tag> listed = await iam.ListAllRoleTagsAsync("r1", CancellationToken.None);

        Assert.Equal(new[] { "backupiam:managed=true", "x=y" }, role.Tags.Select(t => t.Key + "=" + t.Value));
        Assert.Equal(new[] { "backupiam:managed=true" }, listed.Select(t => t.Key + "=" + t.Value));
    }

    [Fact]
    public async Task AnEmptyPolicyArnIsRefusedBeforeAnyRequest()
    {
        using var iam = Client();

        var ex = await Assert.ThrowsAsync<BackupIam.Engine.Errors.InputValidationException>(() => iam.GetPolicyAsync(new GetPolicyRequest { PolicyArn = "" }, CancellationToken.None));

        Assert.Equal("IamParameterMissing", ex.ErrorId);
        Assert.Empty(_server.Requests);
    }
}
