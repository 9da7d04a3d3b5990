using Amazon.Runtime;
using BackupIam.Engine.Aws.Iam;
using BackupIam.Engine.Tests.Aws;
using Xunit;

namespace BackupIam.Engine.Tests.Roles;

/// <summary>Role and OIDC operations at the protocol level: paging of ListRolePolicies, member lists, decoding.</summary>
public sealed class RoleClientHttpTests : IDisposable
{
    private const string Ns = "https://iam.amazonaws.com/doc/2010-05-08/";
    private readonly CannedHttpServer _server = new();

    public void Dispose() => _server.Dispose();

    private IamQueryClient Client() => new(_server.Endpoint, "us-east-1", new BasicAWSCredentials("AKIAIOSFODNN7EXAMPLE", "secret"), new IamClientOptions { MaxAttempts = 1 });

    private static string PolicyNamesPage(bool truncated, string? marker, params string[] names) =>
        "<ListRolePoliciesResponse xmlns=\"" + Ns + "\"><ListRolePoliciesResult><PolicyNames>"
        + string.Concat(names.Select(n => "<member>" + n + "</member>"))
        + "</PolicyNames><IsTruncated>" + (truncated ? "true" : "false") + "</IsTruncated>" + (marker == null ? "" : "<Marker>" + marker + "</Marker>")
        + "</ListRolePoliciesResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></ListRolePoliciesResponse>";

    [Fact]
    public async Task ListAllRolePolicyNamesFollowsMarkers()
    {
        _server.Enqueue(200, PolicyNamesPage(true, "m1", "A", "B"));
        _server.Enqueue(200, PolicyNamesPage(false, null, "C"));
        using var iam = Client();

        IReadOnlyList<string> names = await iam.ListAllRolePolicyNamesAsync("backup-github", CancellationToken.None);

        Assert.Equal(new[] { "A", "B", "C" }, names);
        var requests = _server.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.Equal("ListRolePolicies", requests[0].Form["Action"]);
        Assert.Equal("backup-github", requests[0].Form["RoleName"]);
        Assert.False(requests[0].Form.ContainsKey("Marker"));
        Assert.Equal("m1", requests[1].Form["Marker"]);
    }

    [Fact]
    public async Task CreateProviderSendsMemberListsAndGetRoleDecodesTheTrustPolicy()
    {
        _server.Enqueue(200, "<CreateOpenIDConnectProviderResponse xmlns=\"" + Ns + "\"><CreateOpenIDConnectProviderResult><OpenIDConnectProviderArn>arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com</OpenIDConnectProviderArn></CreateOpenIDConnectProviderResult></CreateOpenIDConnectProviderResponse>");
        string encoded = Uri.EscapeDataString("{\"Version\":\"2012-10-17\",\"Statement\":[]}");
        _server.Enqueue(200, "<GetRoleResponse xmlns=\"" + Ns + "\"><GetRoleResult><Role><RoleName>r</RoleName><Arn>arn:aws:iam::123456789012:role/r</Arn><Path>/</Path><RoleId>AROA1</RoleId>"
            + "<AssumeRolePolicyDocument>" + encoded + "</AssumeRolePolicyDocument><MaxSessionDuration>7200</MaxSessionDuration>"
            + "<PermissionsBoundary><PermissionsBoundaryType>Policy</PermissionsBoundaryType><PermissionsBoundaryArn>arn:aws:iam::123456789012:policy/B</PermissionsBoundaryArn></PermissionsBoundary></Role></GetRoleResult></GetRoleResponse>");
        using var iam = Client();

        var created = await iam.CreateOpenIDConnectProviderAsync(new CreateOpenIDConnectProviderRequest
        {
            Url = "https://token.actions.githubusercontent.com",
            ClientIDList = new List<string> { "sts.amazonaws.com", "second" },
            ThumbprintList = new List<string> { new string('a', 40) },
        }, CancellationToken.None);
        Role role = (await iam.GetRoleAsync(new GetRoleRequest { RoleName = "r" }, CancellationToken.None)).Role;

        Assert.EndsWith("oidc-provider/token.actions.githubusercontent.com", created.OpenIDConnectProviderArn);
        var form = _server.Requests.ToArray()[0].Form;
        Assert.Equal("sts.amazonaws.com", form["ClientIDList.member.1"]);
        Assert.Equal("second", form["ClientIDList.member.2"]);
        Assert.Equal(new string('a', 40), form["ThumbprintList.member.1"]);
        Assert.Equal("{\"Version\":\"2012-10-17\",\"Statement\":[]}", role.AssumeRolePolicyDocument);
        Assert.Equal(7200, role.MaxSessionDuration);
        Assert.Equal("arn:aws:iam::123456789012:policy/B", role.PermissionsBoundary?.PermissionsBoundaryArn);
    }
}
