using BackupIam.Engine.Provisioning;
using Xunit;

namespace BackupIam.Engine.Tests.Provisioning;

/// <summary>The plan's own apply loop (issue 12 item 6): approval per change, status, partial application, cancellation.</summary>
public sealed class PlanApplyTests
{
    private static (ResourcePlan Plan, List<string> Ran) Plan(bool exists, params (string Operation, bool Sends)[] changes)
    {
        var plan = new ResourcePlan("Thing", "t1") { Exists = exists };
        var ran = new List<string>();
        foreach ((string operation, bool sends) in changes)
        {
            plan.Add("iam", operation, "thing t1", operation + " t1", _ =>
            {
                ran.Add(operation);
                return Task.FromResult(sends);
            });
        }

        return (plan, ran);
    }

    [Fact]
    public void EveryApprovedChangeRunsInOrderAndCountsWhenItSent()
    {
        var (plan, ran) = Plan(false, ("CreateThing", true), ("TagThing", false), ("PutThingPolicy", true));
        var asked = new List<string>();
        PlanApplyResult result = plan.Apply(c => { asked.Add(c.Operation); return true; }, CancellationToken.None);
        Assert.Equal(new[] { "CreateThing", "TagThing", "PutThingPolicy" }, asked);
        Assert.Equal(new[] { "CreateThing", "TagThing", "PutThingPolicy" }, ran);
        Assert.Equal(new[] { "iam:CreateThing", "iam:PutThingPolicy" }, result.Written);
        Assert.Equal(ResourceStatus.Created, result.Status);
        Assert.False(result.PartlyApplied);
    }

    [Fact]
    public void DeclinedChangesAreNotRunAndMakeThePlanPlannedOrPartlyApplied()
    {
        var (plan, ran) = Plan(true, ("TagThing", true), ("PutThingPolicy", true));
        PlanApplyResult none = plan.Apply(_ => false, CancellationToken.None);
        Assert.Empty(ran);
        Assert.Equal(ResourceStatus.Planned, none.Status);
        Assert.Equal(new[] { "iam:TagThing", "iam:PutThingPolicy" }, none.Actions);

        PlanApplyResult some = plan.Apply(c => c.Operation == "TagThing", CancellationToken.None);
        Assert.Equal(new[] { "TagThing" }, ran);
        Assert.True(some.PartlyApplied);
        Assert.Equal(new[] { "iam:PutThingPolicy" }, some.Declined);
        Assert.Equal(ResourceStatus.Updated, some.Status);
    }

    [Fact]
    public void AnExistingResourceWhoseChangesSentNothingIsUnchanged()
    {
        var (plan, _) = Plan(true, ("TagThing", false));
        Assert.Equal(ResourceStatus.Unchanged, plan.Apply(_ => true, CancellationToken.None).Status);
    }

    [Fact]
    public async Task TheFirstFailureStopsTheLoopAndIsThrown()
    {
        var plan = new ResourcePlan("Thing", "t1");
        var ran = new List<string>();
        plan.Add("iam", "One", "t", "one", _ => { ran.Add("One"); return Task.FromResult(true); });
        plan.Add("iam", "Two", "t", "two", _ => throw new InvalidOperationException("boom"));
        plan.Add("iam", "Three", "t", "three", _ => { ran.Add("Three"); return Task.FromResult(true); });
        Assert.Throws<InvalidOperationException>(() => plan.Apply(_ => true, CancellationToken.None));
        Assert.Equal(new[] { "One" }, ran);
        await Assert.ThrowsAsync<InvalidOperationException>(() => plan.ApplyAsync(_ => true, CancellationToken.None));
    }

    [Fact]
    public void ACancelledTokenStopsBeforeTheNextChangeAndReachesTheWrite()
    {
        using var cts = new CancellationTokenSource();
        var plan = new ResourcePlan("Thing", "t1");
        CancellationToken seen = default;
        plan.Add("iam", "One", "t", "one", ct => { seen = ct; cts.Cancel(); return Task.FromResult(true); });
        plan.Add("iam", "Two", "t", "two", _ => Task.FromResult(true));
        Assert.ThrowsAny<OperationCanceledException>(() => plan.Apply(_ => true, cts.Token));
        Assert.Equal(cts.Token, seen);
    }
}
