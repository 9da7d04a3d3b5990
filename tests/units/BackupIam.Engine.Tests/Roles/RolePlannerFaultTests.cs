using System.Reflection;
using BackupIam.Engine.Aws;
using BackupIam.Engine.Aws.Iam;
using BackupIam.Engine.Errors;
using BackupIam.Engine.Provisioning;
using BackupIam.Engine.Roles;
using BackupIam.Engine.Tests.Aws;
using Xunit;

namespace BackupIam.Engine.Tests.Roles;

/// <summary>
/// A failure half way (before a write reached moto, or after it did and only the answer was lost) leaves a state that
/// the next plan completes, with no write repeated; the third plan is empty.
/// </summary>
[Collection(MotoCollection.Name)]
public sealed class RolePlannerFaultTests : IDisposable
{
    private const string UploadPolicy =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::bkt/backup/*\"}]}";

    private readonly AwsSession _session;
    private readonly IamQueryClient _iam;
    private readonly CancellationToken _ct = CancellationToken.None;

    public RolePlannerFaultTests(MotoServerFixture moto)
    {
        _session = moto.CreateSession();
        _iam = new IamQueryClient(_session);
    }

    public void Dispose() => _iam.Dispose();

    private RolePlanner Planner(IIamClient iam) => new(iam, async ct =>
    {
        using var sts = new StsGateway(_session);
        return (await sts.GetCallerIdentityAsync(ct)).Arn;
    });

    private static RoleSpec Spec(string role, string issuer)
    {
        var spec = new RoleSpec { RoleName = role, Source = OidcSource.ForIssuer(issuer, new[] { "aud" }, new[] { "job:nightly" }) };
        spec.Policies.Add(new RoleInlinePolicy("Upload", UploadPolicy));
        return spec;
    }

    private async Task<List<string>> ApplyUntilFailureAsync(ResourcePlan plan)
    {
        var sent = new List<string>();
        foreach (PlannedChange change in plan.Changes)
        {
            try
            {
                if (await change.ApplyAsync(_ct))
                {
                    sent.Add(change.Operation);
                }
            }
            catch (BackupIamException ex) when (ex.ErrorId == "InjectedConnectionFailure")
            {
                return sent;
            }
        }

        return sent;
    }

    [Theory]
    [InlineData("CreateOpenIDConnectProvider", false, new[] { "CreateOpenIDConnectProvider", "CreateRole", "PutRolePolicy" })]
    [InlineData("CreateOpenIDConnectProvider", true, new[] { "CreateRole", "PutRolePolicy" })]
    [InlineData("CreateRole", false, new[] { "CreateRole", "PutRolePolicy" })]
    [InlineData("CreateRole", true, new[] { "PutRolePolicy" })]
    [InlineData("PutRolePolicy", false, new[] { "PutRolePolicy" })]
    [InlineData("PutRolePolicy", true, new string[0])]
    public async Task AFailureHalfWayIsCompletedByTheNextRun(string failOn, bool afterTheServerActed, string[] expectedReplan)
    {
        string role = MotoServerFixture.UniqueName("role");
        string issuer = "https://fault-" + Guid.NewGuid().ToString("N").Substring(0, 10) + ".example.com";
        IIamClient faulty = FaultyIam.Wrap(_iam, failOn, afterTheServerActed);

        RolePlan first = await Planner(faulty).PlanAsync(Spec(role, issuer), _ct);
        Assert.Equal(new[] { "CreateOpenIDConnectProvider", "CreateRole", "PutRolePolicy" }, first.Changes.Select(c => c.Operation));
        await ApplyUntilFailureAsync(first);

        RolePlan second = await Planner(_iam).PlanAsync(Spec(role, issuer), _ct);
        Assert.Equal(expectedReplan, second.Changes.Select(c => c.Operation));
        foreach (PlannedChange change in second.Changes)
        {
            Assert.True(await change.ApplyAsync(_ct));
        }

        RolePlan third = await Planner(_iam).PlanAsync(Spec(role, issuer), _ct);
        Assert.Empty(third.Changes);
    }

    /// <summary>
    /// Wraps the real client: the named operation fails once with a connection error, either before the request is
    /// sent or after moto has carried it out (the answer lost on the way back). Every other call goes to moto.
    /// </summary>
    public class FaultyIam : DispatchProxy
    {
        private IIamClient _inner = null!;
        private string _failOn = "";
        private bool _afterSend;
        private int _failures;

        public static IIamClient Wrap(IIamClient inner, string failOn, bool afterSend)
        {
            IIamClient proxy = Create<IIamClient, FaultyIam>();
            var self = (FaultyIam)(object)proxy;
            self._inner = inner;
            self._failOn = failOn;
            self._afterSend = afterSend;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? method, object?[]? args)
        {
            string operation = method!.Name.EndsWith("Async", StringComparison.Ordinal) ? method.Name[..^5] : method.Name;
            if (operation != _failOn || _failures > 0)
            {
                return method.Invoke(_inner, args);
            }

            _failures++;
            if (_afterSend)
            {
                ((Task)method.Invoke(_inner, args)!).GetAwaiter().GetResult();
            }

            var failure = new BackupIamException("InjectedConnectionFailure", FailureKind.ConnectionError, "IAM " + operation + ": the connection was dropped (injected).");
            Type result = method.ReturnType.GetGenericArguments()[0];
            MethodInfo fromException = typeof(Task).GetMethods().Single(m => m.Name == nameof(Task.FromException) && m.IsGenericMethod);
            return fromException.MakeGenericMethod(result).Invoke(null, new object[] { failure });
        }
    }
}
