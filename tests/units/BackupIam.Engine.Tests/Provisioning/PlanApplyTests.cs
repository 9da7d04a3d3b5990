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

    /// <summary>
    /// A batch of three: "Write" waits for "First" (a later change of the same batch) before it writes, as a new bucket's
    /// protections wait for its managed tag (issue 16); "Other" runs meanwhile. Returns the log of events in order.
    /// </summary>
    private static (ResourcePlan Plan, List<string> Log, TaskCompletionSource<bool> Release) WaitingBatch(Func<CancellationToken, Task<bool>>? first = null)
    {
        var plan = new ResourcePlan("Thing", "t1");
        var log = new List<string>();
        var release = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        PlannedChange? firstChange = null;
        plan.Add("s3", "Write", "t", "write", async ct =>
        {
            lock (log) { log.Add("Write read"); }
            await PlannedChange.WhenEndedAsync(firstChange!, ct);
            lock (log) { log.Add("Write write"); }
            return true;
        }).Batch = "b";
        plan.Add("s3", "Other", "t", "other", async ct =>
        {
            await release.Task;
            lock (log) { log.Add("Other"); }
            return true;
        }).Batch = "b";
        firstChange = plan.Add("s3", "First", "t", "first", first ?? (async ct =>
        {
            await release.Task;
            lock (log) { log.Add("First written"); }
            return true;
        }));
        firstChange.Batch = "b";
        return (plan, log, release);
    }

    [Fact]
    public async Task AChangeOfABatchWaitsForAnotherOneBeforeItsWriteWhileTheRestTravelTogether()
    {
        var (plan, log, release) = WaitingBatch();
        Task<PlanApplyResult> applying = plan.ApplyAsync(_ => true, CancellationToken.None);
        for (int i = 0; i < 300 && !Has(log, "Write read"); i++)
        {
            await Task.Delay(100);
        }

        lock (log) { Assert.Equal(new[] { "Write read" }, log); }   // waiting for First, which waits for the release
        release.SetResult(true);
        PlanApplyResult result = await applying;
        Assert.True(log.IndexOf("First written") < log.IndexOf("Write write"));
        Assert.Equal(new[] { "s3:Write", "s3:Other", "s3:First" }, result.Written);   // plan order, whatever the timing
    }

    private static bool Has(List<string> log, string item)
    {
        lock (log)
        {
            return log.Contains(item);
        }
    }

    [Fact]
    public async Task ADeclinedChangeIsNotWaitedFor()
    {
        var (plan, log, release) = WaitingBatch();
        release.SetResult(true);
        PlanApplyResult result = await plan.ApplyAsync(c => c.Operation != "First", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(new[] { "s3:Write", "s3:Other" }, result.Written);
        Assert.Equal(new[] { "s3:First" }, result.Declined);
        Assert.Contains("Write write", log);
        Assert.DoesNotContain("First written", log);

        // The same through the blocking Apply that the cmdlets use.
        var (again, log2, release2) = WaitingBatch();
        release2.SetResult(true);
        PlanApplyResult blocking = await Task.Run(() => again.Apply(c => c.Operation != "First", CancellationToken.None)).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(new[] { "s3:Write", "s3:Other" }, blocking.Written);
        Assert.Contains("Write write", log2);
    }

    [Fact]
    public async Task AFailedChangeIsWaitedForAndTheOthersStillWriteThenItsFailureIsThrown()
    {
        var (plan, log, release) = WaitingBatch(async ct =>
        {
            await Task.Delay(100, ct);
            throw new InvalidOperationException("tag failed");
        });
        release.SetResult(true);
        InvalidOperationException thrown = await Assert.ThrowsAsync<InvalidOperationException>(
            () => plan.ApplyAsync(_ => true, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("tag failed", thrown.Message);
        Assert.Contains("Write write", log);
        Assert.Contains("Other", log);
    }

    [Fact]
    public async Task ChangesAppliedOneByOneOutsideABatchRunDoNotWaitForALaterOne()
    {
        // A caller that applies each change itself, in plan order (as BucketPlannerMotoTests does): nothing runs
        // concurrently, so a change never waits for one that comes after it.
        var (plan, log, release) = WaitingBatch();
        release.SetResult(true);
        foreach (PlannedChange change in plan.Changes)
        {
            Assert.True(await change.ApplyAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));
        }

        Assert.Equal(new[] { "Write read", "Write write", "Other", "First written" }, log);
    }

    [Fact]
    public async Task WaitingForAnotherChangeEndsWhenTheCommandIsStopped()
    {
        using var cts = new CancellationTokenSource();
        var (plan, log, release) = WaitingBatch();
        Task<PlanApplyResult> applying = plan.ApplyAsync(_ => true, cts.Token);
        await Task.Delay(100);
        cts.Cancel();
        release.SetResult(true);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => applying.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.DoesNotContain("Write write", log);
    }
}
