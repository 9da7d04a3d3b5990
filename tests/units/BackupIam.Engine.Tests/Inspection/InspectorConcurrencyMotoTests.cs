using BackupIam.Engine.Aws;
using BackupIam.Engine.Aws.Iam;
using BackupIam.Engine.Inspection;
using BackupIam.Engine.Provisioning;
using BackupIam.Engine.Tests.Aws;
using Xunit;

namespace BackupIam.Engine.Tests.Inspection;

/// <summary>IdentityInspector reads concurrently, and never has more IAM calls in flight than its bound (moto behind a counting wrapper).</summary>
[Collection(MotoCollection.Name)]
public sealed class InspectorConcurrencyMotoTests : IDisposable
{
    private readonly IamQueryClient _iam;
    private readonly CancellationToken _ct = CancellationToken.None;

    public InspectorConcurrencyMotoTests(MotoServerFixture moto) => _iam = new IamQueryClient(moto.CreateSession());

    public void Dispose() => _iam.Dispose();

    [Fact]
    public async Task ListsManagedUsersAndInspectsThemWithAtMostTheBoundInFlight()
    {
        var planner = new IdentityPlanner(_iam);
        var names = new List<string>();
        for (int i = 0; i < 6; i++)
        {
            string name = MotoServerFixture.UniqueName("conc");
            await (await planner.PlanUserAsync(new UserSpec { UserName = name }, _ct)).ApplyAsync(_ => true, _ct);
            await _iam.PutUserPolicyAsync(new PutUserPolicyRequest
            {
                UserName = name, PolicyName = "Upload",
                PolicyDocument = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::conc-bucket/backup/*\"}]}",
            }, _ct);
            names.Add(name);
        }

        IIamClient counted = IamCallSpy.Wrap(_iam, out IamCallSpy counter, TimeSpan.FromMilliseconds(30));
        var inspector = new IdentityInspector(counted, null, maxConcurrency: 3);

        IReadOnlyList<string> managed = await inspector.ListManagedUserNamesAsync(_ct);
        UserInspection[] users = await Task.WhenAll(names.Select(n => inspector.InspectUserAsync(n, new[] { "conc-bucket" }, _ct)));

        Assert.All(names, n => Assert.Contains(n, managed));
        Assert.All(users, u => Assert.Equal("Upload", Assert.Single(u.InlinePolicies).PolicyName));
        Assert.InRange(counter.MaxInFlight, 2, 3);
    }
}
