using Xunit;
using BackupIam.Engine.Aws;

namespace BackupIam.Engine.Tests.Aws;

[Collection(MotoCollection.Name)]
public sealed class StsGatewayMotoTests
{
    private readonly MotoServerFixture _moto;

    public StsGatewayMotoTests(MotoServerFixture moto) => _moto = moto;

    [Fact]
    public async Task GetCallerIdentityReturnsMotoAccount()
    {
        var session = _moto.CreateSession("eu-west-1");
        Assert.True(session.StsEndpointIsCustom);
        using var sts = new StsGateway(session);
        CallerIdentity id = await sts.GetCallerIdentityAsync(CancellationToken.None);
        Assert.Equal("123456789012", id.Account);
        Assert.StartsWith("arn:aws:", id.Arn);
        Assert.False(string.IsNullOrEmpty(id.UserId));
    }
}
